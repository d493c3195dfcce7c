/// The measures a row of countries.csv, regions.csv, devices.csv,
/// languages.csv or daily.csv gives its group, as written (numbers rounded
/// once by `NumberFormat.written`).
public struct GroupMeasures: Sendable, Equatable {
    public var views: Int
    public var startedViews: Int
    public var uniqueViewers: Int
    public var watchHours: Double?
    public var completionRate: Double?
    public var avgPctWatched: Double?

    init(_ totals: GroupTotals) {
        views = totals.views
        startedViews = totals.startedViews
        uniqueViewers = totals.viewers.count
        watchHours = NumberFormat.written(totals.watchHours)
        completionRate = NumberFormat.written(totals.completionRate)
        avgPctWatched = NumberFormat.written(totals.averagePercentWatched)
    }

    /// The order of rows by watch hours as written, most first (an empty
    /// field, a sum that overflowed, reads as +infinity, as the spec's
    /// checker reads it); nil on a tie.
    static func byWatchHours(_ a: GroupMeasures, _ b: GroupMeasures) -> Bool? {
        let x = a.watchHours ?? .infinity, y = b.watchHours ?? .infinity
        return x != y ? x > y : nil
    }
}

/// A row with the measures of a group of views.
public protocol MeasuredRow: Sendable {
    var measures: GroupMeasures { get }
}

/// The measure columns, named once for every table that has them.
extension TableColumn where Row: MeasuredRow {
    static var views: Self { .integer("views") { $0.measures.views } }
    static var startedViews: Self { .integer("started_views") { $0.measures.startedViews } }
    static var uniqueViewers: Self { .integer("unique_viewers") { $0.measures.uniqueViewers } }
    static var watchHours: Self { .number("watch_hours") { $0.measures.watchHours } }
    static var completionRate: Self { .number("completion_rate") { $0.measures.completionRate } }
    static var avgPctWatched: Self { .number("avg_pct_watched") { $0.measures.avgPctWatched } }
}
