/// `retention.csv`: for each title with a known runtime and a started view,
/// one row per bucket. With many titles it is by far the largest table (B
/// rows a title), so it keeps its counts as numbers, shares the per-title
/// arrays of the `ViewSet`, and makes each row only for the moment it is
/// written (100,000 titles took 2.4 GB as rows of strings).
public struct RetentionTable: Sendable, CSVRendering {
    /// One title's curve: the counts per bucket, and the started views they
    /// are shares of.
    public struct Curve: Sendable {
        public let titleID: String
        public let startedViews: Int
        /// Started views that reached each bucket.
        public let viewsReached: [Int]
        /// Plays of each bucket (a view that plays it twice counts twice).
        public let plays: [Int]

        /// The share of started views that reached `bucket`, as written.
        public func retention(_ bucket: Int) -> Double {
            Self.asWritten(Double(viewsReached[bucket]) / Double(startedViews))
        }

        /// Plays of `bucket` per started view, as written.
        public func watchRatio(_ bucket: Int) -> Double { Self.asWritten(Double(plays[bucket]) / Double(startedViews)) }

        /// The curve's retention, bucket by bucket.
        public var retentions: [Double] { viewsReached.indices.map(retention) }

        private static func asWritten(_ value: Double) -> Double { NumberFormat.written(value) ?? .infinity }
    }

    public let buckets: Int
    /// In byte order of `title_id`.
    public let curves: [Curve]
    /// Where each bucket starts, in % of the runtime, as written.
    public let startPercents: [Double]

    public var header: [String] { RetentionRow.columns.map(\.name) }

    init(_ set: ViewSet, _ perTitle: [GroupTotals]) {
        buckets = set.settings.buckets
        let order = set.titles.indices.sorted { Cell.bytesAscending(set.titles[$0].id, set.titles[$1].id) }
        curves = order.compactMap { index in
            guard let reach = set.bucketReach[index], let plays = set.bucketPlays[index],
                  perTitle[index].startedViews > 0 else { return nil }
            return Curve(titleID: set.titles[index].id, startedViews: perTitle[index].startedViews,
                         viewsReached: reach, plays: plays)
        }
        startPercents = (0..<buckets).map { bucket in
            NumberFormat.written(Self.startPercent(bucket, of: set.settings.buckets)) ?? .infinity
        }
    }

    /// 100·i/B: where bucket i starts, in % of the runtime (exact, before
    /// it is written).
    public static func startPercent(_ bucket: Int, of buckets: Int) -> Double {
        100 * Double(bucket) / Double(buckets)
    }

    /// The rows, made one at a time.
    public var rows: some Sequence<RetentionRow> {
        curves.lazy.flatMap { curve in (0..<buckets).lazy.map { bucket in row(curve, bucket) } }
    }

    private func row(_ curve: Curve, _ bucket: Int) -> RetentionRow {
        RetentionRow(curve, bucket: bucket, startPct: startPercents[bucket])
    }

    public var cells: [[String]] { rows.map { row in RetentionRow.columns.map { $0.cell(row) } } }

    public func write<Failure: Error>(
        spreadsheetSafe: Bool, to emit: ([UInt8]) throws(Failure) -> Void
    ) throws(Failure) {
        let columns = RetentionRow.columns
        var csv = CSVPieces(header: header, spreadsheetSafe: spreadsheetSafe)
        for curve in curves {
            for bucket in 0..<buckets {
                csv.append(row(curve, bucket), columns)
                try csv.handOnIfFull(to: emit)
            }
        }
        try emit(csv.bytes)
    }
}

/// A row of retention.csv: one bucket of one title's curve.
public struct RetentionRow: Sendable, Equatable {
    public var titleID: String
    public var bucket: Int
    /// 100·i/B, as written.
    public var startPct: Double
    public var viewsReached: Int
    public var retention: Double
    public var plays: Int
    public var watchRatio: Double

    init(_ curve: RetentionTable.Curve, bucket: Int, startPct: Double) {
        titleID = curve.titleID
        self.bucket = bucket
        self.startPct = startPct
        viewsReached = curve.viewsReached[bucket]
        retention = curve.retention(bucket)
        plays = curve.plays[bucket]
        watchRatio = curve.watchRatio(bucket)
    }

    public static let columns: [TableColumn<RetentionRow>] = [
        .text("title_id", \.titleID), .integer("bucket", \.bucket), .number("start_pct") { $0.startPct },
        .integer("views_reached", \.viewsReached), .number("retention") { $0.retention },
        .integer("plays", \.plays), .number("watch_ratio") { $0.watchRatio },
    ]
}
