/// `retention.csv`: for each title with a known runtime and a started view,
/// one row per bucket. With many titles it is by far the largest table (B
/// rows a title), so it keeps its counts as numbers, shares the per-title
/// arrays of the `ViewSet`, and is written straight to bytes: no row of
/// strings is ever built (100,000 titles took 2.4 GB as strings).
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

        /// The share of started views that reached `bucket`, as the CSV
        /// writes it (rounded to 6 digits, as read back).
        public func retention(_ bucket: Int) -> Double { Self.asWritten(Double(viewsReached[bucket]) / Double(startedViews)) }

        /// Plays of `bucket` per started view, as the CSV writes it.
        public func watchRatio(_ bucket: Int) -> Double { Self.asWritten(Double(plays[bucket]) / Double(startedViews)) }

        private static func asWritten(_ value: Double) -> Double { Cell.written(Cell.number(value)) }
    }

    public let buckets: Int
    /// In byte order of `title_id`.
    public let curves: [Curve]

    public static let header = ["title_id", "bucket", "start_pct", "views_reached", "retention", "plays", "watch_ratio"]
    public var header: [String] { Self.header }

    /// 100·i/B as written, for each bucket i.
    public var startPercents: [String] { (0..<buckets).map { Cell.number(100 * Double($0) / Double(buckets)) } }

    init(_ set: ViewSet, _ perTitle: [GroupTotals]) {
        buckets = set.settings.buckets
        let order = set.titles.indices.sorted { Cell.bytesAscending(set.titles[$0].id, set.titles[$1].id) }
        curves = order.compactMap { index in
            guard let reach = set.bucketReach[index], let plays = set.bucketPlays[index],
                  perTitle[index].startedViews > 0 else { return nil }
            return Curve(titleID: set.titles[index].id, startedViews: perTitle[index].startedViews,
                         viewsReached: reach, plays: plays)
        }
    }

    /// The rows as text, for tests and small tables.
    public var rows: [[String]] {
        let percents = startPercents
        var rows: [[String]] = []
        for curve in curves {
            for bucket in 0..<buckets { rows.append(cells(curve, bucket, percents[bucket])) }
        }
        return rows
    }

    /// One row; built for the moment it is written, never kept.
    private func cells(_ curve: Curve, _ bucket: Int, _ startPercent: String) -> [String] {
        let started = Double(curve.startedViews)
        let reached = curve.viewsReached[bucket], plays = curve.plays[bucket]
        return [
            curve.titleID, String(bucket), startPercent, String(reached), Cell.number(Double(reached) / started),
            String(plays), Cell.number(Double(plays) / started),
        ]
    }

    public func rendered(spreadsheetSafe: Bool) -> String {
        var all: [UInt8] = []
        write(spreadsheetSafe: spreadsheetSafe) { (piece: [UInt8]) in all.append(contentsOf: piece) }
        return String(decoding: all, as: UTF8.self)
    }

    /// Hands the CSV text to `emit` about a megabyte at a time, so that
    /// writing a table of millions of rows holds one piece of it at once.
    public func write<Failure: Error>(
        spreadsheetSafe: Bool, to emit: ([UInt8]) throws(Failure) -> Void
    ) throws(Failure) {
        let pieceSize = 1 << 20
        let percents = startPercents
        var bytes: [UInt8] = []
        bytes.reserveCapacity(pieceSize + 4096)
        CSVTable.appendRow(header, to: &bytes)
        for curve in curves {
            for bucket in 0..<buckets {
                var row = cells(curve, bucket, percents[bucket])
                if spreadsheetSafe { row[0] = CSVTable.spreadsheetSafe(row[0]) }
                CSVTable.appendRow(row, to: &bytes)
                if bytes.count >= pieceSize {
                    try emit(bytes)
                    bytes.removeAll(keepingCapacity: true)
                }
            }
        }
        try emit(bytes)
    }
}

/// A table that can be written as CSV.
public protocol CSVRendering: Sendable {
    var header: [String] { get }
    var rows: [[String]] { get }
    func rendered(spreadsheetSafe: Bool) -> String
    /// The CSV text, handed to `emit` in pieces (by default, all at once).
    func write<Failure: Error>(spreadsheetSafe: Bool, to emit: ([UInt8]) throws(Failure) -> Void) throws(Failure)
}

extension CSVRendering {
    public var rendered: String { rendered(spreadsheetSafe: false) }

    public func write<Failure: Error>(
        spreadsheetSafe: Bool, to emit: ([UInt8]) throws(Failure) -> Void
    ) throws(Failure) {
        try emit(Array(rendered(spreadsheetSafe: spreadsheetSafe).utf8))
    }
}
