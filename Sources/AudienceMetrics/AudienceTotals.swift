/// The totals of the selected views: `summary.json`'s `audience` object.
/// Exact values, as the JSON writes them (rounded only there).
public struct AudienceTotals: Sendable, Equatable {
    /// Days since 1970-01-01 of the first and last selected view; nil without views.
    public var firstDay: Int?
    public var lastDay: Int?
    public var views: Int
    public var startedViews: Int
    public var failedStarts: Int
    public var exitsBeforeStart: Int
    public var completedViews: Int
    public var uniqueViewers: Int
    public var watchHours: Double
    public var completionRate: Double?
    public var avgPctWatched: Double?
    /// Rows of titles.csv and countries.csv.
    public var titles: Int
    public var countries: Int
    /// The period's peak audience: the day with the most views playing at
    /// once, the earliest such day; nil without views.
    public var peak: ConcurrencyRow?

    /// A part of all views (started, failed, left before the start) as a
    /// share of them; nil without views.
    public func shareOfViews(_ part: Int) -> Double? {
        views == 0 ? nil : Double(part) / Double(views)
    }

    public var json: JSONValue {
        .object([
            ("first_day", firstDay.map { .string(LocalTime.dayString($0)) } ?? .null),
            ("last_day", lastDay.map { .string(LocalTime.dayString($0)) } ?? .null),
            ("views", .integer(views)),
            ("started_views", .integer(startedViews)),
            ("failed_starts", .integer(failedStarts)),
            ("exits_before_start", .integer(exitsBeforeStart)),
            ("completed_views", .integer(completedViews)),
            ("unique_viewers", .integer(uniqueViewers)),
            ("watch_hours", .number(watchHours)),
            ("completion_rate", completionRate.map { .number($0) } ?? .null),
            ("avg_pct_watched", avgPctWatched.map { .number($0) } ?? .null),
            ("titles", .integer(titles)),
            ("countries", .integer(countries)),
            ("peak_views", peak.map { .integer($0.peakViews) } ?? .null),
            ("peak_at", peak.map { .string($0.peakAt) } ?? .null),
        ])
    }
}
