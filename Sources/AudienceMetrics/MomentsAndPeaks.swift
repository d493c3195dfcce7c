/// A row of moments.csv: where the audience of one title leaves and what
/// it watches again. Shares are as written.
public struct MomentRow: Sendable, Equatable {
    public var titleID: String
    /// The bucket that holds second 30; nil when the title is 30 s or shorter.
    public var introBucket: Int?
    public var introRetention: Double?
    /// The bucket after the largest fall of views reached.
    public var steepestDropBucket: Int?
    /// That fall, as a share of started views.
    public var steepestDrop: Double?
    /// The bucket whose plays exceed its views reached the most.
    public var mostReplayedBucket: Int?
    /// Its plays per view that reached it.
    public var replayRatio: Double?

    public static let columns: [TableColumn<MomentRow>] = [
        .text("title_id", \.titleID), .optionalInteger("intro_bucket", \.introBucket),
        .number("intro_retention", \.introRetention), .optionalInteger("steepest_drop_bucket", \.steepestDropBucket),
        .number("steepest_drop", \.steepestDrop), .optionalInteger("most_replayed_bucket", \.mostReplayedBucket),
        .number("replay_ratio", \.replayRatio),
    ]

    /// moments.csv: each title with a runtime and a started view, by
    /// title_id bytes.
    static func table(_ set: ViewSet, _ perTitle: [GroupTotals]) -> Table<MomentRow> {
        let buckets = set.settings.buckets
        var rows: [MomentRow] = []
        let order = set.titles.indices.sorted { Cell.bytesAscending(set.titles[$0].id, set.titles[$1].id) }
        for index in order {
            guard let runtime = set.titles[index].runtime, let reach = set.bucketReach[index],
                  let plays = set.bucketPlays[index], perTitle[index].startedViews > 0 else { continue }
            let started = Double(perTitle[index].startedViews)
            let moments = TitleMoments(reach: reach, plays: plays, runtime: runtime, buckets: buckets)
            rows.append(MomentRow(
                titleID: set.titles[index].id,
                introBucket: moments.introBucket,
                introRetention: NumberFormat.written(moments.introBucket.map { Double(reach[$0]) / started }),
                steepestDropBucket: moments.steepestDrop?.bucket,
                steepestDrop: NumberFormat.written(moments.steepestDrop.map { Double($0.drop) / started }),
                mostReplayedBucket: moments.mostReplayedBucket,
                replayRatio: NumberFormat.written(moments.mostReplayedBucket.map { Double(plays[$0]) / Double(reach[$0]) })))
        }
        return Table(columns: columns, rows: rows)
    }
}

/// A row of concurrency.csv: a day's peak of views playing at once.
public struct ConcurrencyRow: Sendable, Equatable {
    /// Days since 1970-01-01 in the report's zone.
    public var day: Int
    public var peakViews: Int
    /// The first instant of the peak, as the report's zone writes it.
    public var peakAt: String

    public static let columns: [TableColumn<ConcurrencyRow>] = [
        .day("day", \.day), .integer("peak_views", \.peakViews), .text("peak_at", \.peakAt),
    ]

    init(_ peak: ConcurrencyPeak, timeZone: ReportTimeZone) {
        day = peak.day
        peakViews = peak.views
        peakAt = timeZone.timestamp(peak.at)
    }

    /// The period's peak: the largest of the days', the earliest day first.
    static func periodPeak(_ rows: [ConcurrencyRow]) -> ConcurrencyRow? {
        rows.reduce(nil as ConcurrencyRow?) { best, day in
            best.map { day.peakViews > $0.peakViews ? day : $0 } ?? day
        }
    }
}

enum ConcurrencyTable {
    /// concurrency.csv: each day with a selected view, in order.
    static func make(_ set: ViewSet) -> Table<ConcurrencyRow> {
        Table(columns: ConcurrencyRow.columns, rows: peaks(set).map {
            ConcurrencyRow($0, timeZone: set.settings.timeZone)
        })
    }

    /// Each day's peak of views playing at once, for the days with a
    /// selected view; every view of the history plays (one that started
    /// before a window and still plays counts in it).
    static func peaks(_ set: ViewSet) -> [ConcurrencyPeak] {
        let timeZone = set.settings.timeZone
        let starts = set.history.map(\.start).sorted()
        let ends = set.history.map(\.end).sorted()
        let days = Set(set.views.map(\.local.day)).sorted()
        var peaks: [ConcurrencyPeak] = []
        peaks.reserveCapacity(days.count)
        // Candidate instants only grow, so both counts are running positions.
        var startedBy = 0  // views with start <= t
        var endedBefore = 0  // views with end < t
        func playing(at instant: Int64) -> Int {
            while startedBy < starts.count && starts[startedBy] <= instant { startedBy += 1 }
            while endedBefore < ends.count && ends[endedBefore] < instant { endedBefore += 1 }
            return startedBy - endedBefore
        }
        for day in days {
            let first = timeZone.firstInstant(atOrAfterLocal: Int64(day) * 86_400_000)
            let next = timeZone.firstInstant(atOrAfterLocal: Int64(day + 1) * 86_400_000)
            // The count rises only at a view's start: the peak is at the
            // day's first instant or at a start within the day.
            var peak = ConcurrencyPeak(day: day, views: playing(at: first), at: first)
            while startedBy < starts.count && starts[startedBy] < next {
                let instant = starts[startedBy]
                let count = playing(at: instant)
                if count > peak.views { peak = ConcurrencyPeak(day: day, views: count, at: instant) }
            }
            peaks.append(peak)
        }
        return peaks
    }
}

/// The largest number of views playing at one instant of a day, and the
/// first instant it is reached.
struct ConcurrencyPeak {
    var day: Int
    var views: Int
    /// Unix milliseconds.
    var at: Int64
}

/// The key moments of one title's retention and rewatch curves.
struct TitleMoments {
    /// The bucket that holds second 30; nil when the title is 30 s or shorter.
    var introBucket: Int?
    /// The bucket after the largest fall of views reached, and that fall.
    var steepestDrop: (bucket: Int, drop: Int)?
    /// The bucket whose plays exceed its views reached the most.
    var mostReplayedBucket: Int?

    /// `reach` and `plays` hold R(i) and P(i) for every bucket.
    init(reach: [Int], plays: [Int], runtime: Double, buckets: Int) {
        // floor((30 · B) / D), in IEEE double in that order. (Rounding could
        // only reach B for a runtime a hair above 30 s: no bucket holds that.)
        let intro = (30 * Double(buckets) / runtime).rounded(.down)
        introBucket = runtime > 30 && intro < Double(buckets) ? Int(intro) : nil
        for bucket in reach.indices.dropFirst() {
            let drop = reach[bucket - 1] - reach[bucket]
            if drop > 0 && drop > (steepestDrop?.drop ?? 0) { steepestDrop = (bucket, drop) }
        }
        // Every view that reached a bucket played it at least once, so
        // P(i) - R(i) >= 0, and the bucket is empty when all are 0.
        var bestReplay = 0
        for bucket in reach.indices where plays[bucket] - reach[bucket] > bestReplay {
            mostReplayedBucket = bucket
            bestReplay = plays[bucket] - reach[bucket]
        }
    }
}
