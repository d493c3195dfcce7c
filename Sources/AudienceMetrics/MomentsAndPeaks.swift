/// moments.csv and concurrency.csv (`metrics-beyond.md`): where the audience
/// leaves a title and what it watches again, and how many watch at once.
extension AudienceTables {
    // MARK: - moments.csv

    static func momentsTable(_ set: ViewSet, _ perTitle: [GroupTotals]) -> CSVTable {
        let buckets = set.settings.buckets
        var rows: [[String]] = []
        let order = set.titles.indices.sorted { Cell.bytesAscending(set.titles[$0].id, set.titles[$1].id) }
        for index in order {
            guard let runtime = set.titles[index].runtime, let reach = set.bucketReach[index],
                  let plays = set.bucketPlays[index], perTitle[index].startedViews > 0 else { continue }
            let started = Double(perTitle[index].startedViews)
            let moments = TitleMoments(reach: reach, plays: plays, runtime: runtime, buckets: buckets)
            rows.append([
                set.titles[index].id,
                moments.introBucket.map(String.init) ?? "",
                Cell.number(moments.introBucket.map { Double(reach[$0]) / started }),
                moments.steepestDrop.map { String($0.bucket) } ?? "",
                Cell.number(moments.steepestDrop.map { Double($0.drop) / started }),
                moments.mostReplayedBucket.map(String.init) ?? "",
                Cell.number(moments.mostReplayedBucket.map { Double(plays[$0]) / Double(reach[$0]) }),
            ])
        }
        return CSVTable(
            header: [
                "title_id", "intro_bucket", "intro_retention", "steepest_drop_bucket", "steepest_drop",
                "most_replayed_bucket", "replay_ratio",
            ],
            rows: rows)
    }

    // MARK: - concurrency.csv

    /// Each day's peak of views playing at once, for the days with a
    /// selected view; every view of the history plays (one that started
    /// before a window and still plays counts in it).
    static func concurrencyPeaks(_ set: ViewSet) -> [ConcurrencyPeak] {
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

    static func concurrencyTable(_ peaks: [ConcurrencyPeak], timeZone: ReportTimeZone) -> CSVTable {
        CSVTable(
            header: ["day", "peak_views", "peak_at"],
            rows: peaks.map { [LocalTime.dayString($0.day), String($0.views), timeZone.timestamp($0.at)] })
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
