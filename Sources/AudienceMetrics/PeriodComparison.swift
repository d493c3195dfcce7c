import AudienceCore

/// `compare.csv`: the window (`--from`/`--to`) against the period of the
/// same length just before it, as dashboards show "vs the previous 28 days".
///
/// - The **current period** is the window: `--from` to `--to`, or, with
///   `--from` alone, to the last day of the selected views. Without
///   `--from` (no window, or `--to` alone) nothing lies before it and there
///   is no comparison.
/// - The **previous period** is the same number of days ending the day
///   before `--from`; its views come from the history (everything read),
///   selected by start day as the window's are.
/// - There is a comparison only when the window selects a view and the
///   history has a view before `--from`; otherwise `compare.csv` has its header only. A previous
///   period the logs cover only in part is still compared;
///   `previousCoveredFrom` says from which day the logs cover it.
///
/// Rows, in this order: the totals (`scope` = `total`); then each title
/// with a view in either period (`title`, key `title_id`), by current watch
/// hours descending, previous watch hours descending, then `title_id`
/// bytes; then each country likewise (`country`). Each key has one row per
/// measure. `change` = current − previous (a rate's change is a difference
/// of fractions); `relative_change` = change / previous, empty when the
/// previous value is 0 or undefined. A title or country with no view in the
/// previous period is `new` (previous 0), one with no view in the current
/// period is `gone` (current 0).
public struct PeriodComparison: Sendable {
    public enum Status: String, Sendable {
        case both = "", new, gone
    }

    /// What a row compares: the totals, a title or a country.
    public enum Scope: String, Sendable {
        case total, title, country
    }

    /// The measures compared, named as their columns elsewhere.
    public enum Measure: String, Sendable {
        case views, startedViews = "started_views", uniqueViewers = "unique_viewers", watchHours = "watch_hours"
        case completionRate = "completion_rate"
    }

    /// One measure of one key in both periods. Unlike the other tables'
    /// rows it keeps the exact values: `change` and `relative_change` are
    /// computed from them, and each is rounded only when written.
    public struct Row: Sendable, Equatable {
        public var scope: Scope
        /// Empty for the totals.
        public var key: String
        public var measure: Measure
        public var current: Double?
        public var previous: Double?
        public var status: Status

        /// current − previous; nil when either is undefined.
        public var change: Double? {
            guard let current, let previous else { return nil }
            return current - previous
        }

        /// change / previous; nil when the previous value is 0 or undefined.
        public var relativeChange: Double? {
            guard let change, let previous, previous != 0 else { return nil }
            return change / previous
        }
    }

    /// Day numbers (since 1970-01-01), both inclusive.
    public let current: ClosedRange<Int>
    public let previous: ClosedRange<Int>
    /// The first day of the previous period the logs cover (its first day
    /// when they cover it whole).
    public let previousCoveredFrom: Int
    public let rows: [Row]
    /// Row positions by scope, key bytes and measure.
    private let positions: [RowKey: Int]

    private struct RowKey: Hashable {
        var scope: Scope
        var key: ByteString
        var measure: Measure
    }

    public static let columns: [TableColumn<Row>] = [
        .text("scope", \.scope.rawValue), .text("key", \.key), .text("measure", \.measure.rawValue),
        .number("current", \.current), .number("previous", \.previous), .number("change", \.change),
        .number("relative_change", \.relativeChange), .text("status", \.status.rawValue),
    ]
    public static let header = columns.map(\.name)
    public static let totalMeasures: [Measure] = [.views, .startedViews, .uniqueViewers, .watchHours, .completionRate]
    public static let groupMeasures: [Measure] = [.views, .startedViews, .watchHours]

    /// nil when there is nothing to compare (see the type's notes).
    init?(_ set: ViewSet) {
        let window = set.settings.window
        guard !set.views.isEmpty, let first = window.first,
              let last = window.last ?? set.views.map(\.local.day).max(), last >= first,
              let earliest = set.history.map(\.local.day).min(), earliest < first else { return nil }
        let length = last - first + 1
        current = first...last
        previous = (first - length)...(first - 1)
        previousCoveredFrom = max(previous.lowerBound, earliest)
        let buckets = set.settings.buckets
        let runtimeKnown = set.titles.map { $0.runtime != nil }
        // Index 0: current, 1: previous.
        var totals = [GroupTotals(), GroupTotals()]
        var titles: [Int: [GroupTotals]] = [:]
        var countries: [ByteString: [GroupTotals]] = [:]
        for view in set.history {
            let day = view.local.day
            let period = current.contains(day) ? 0 : previous.contains(day) ? 1 : -1
            guard period >= 0 else { continue }
            let known = runtimeKnown[view.title]
            totals[period].add(view, runtimeKnown: known, buckets: buckets)
            titles[view.title, default: [GroupTotals(), GroupTotals()]][period].add(view, runtimeKnown: known, buckets: buckets)
            countries[ByteString(view.country), default: [GroupTotals(), GroupTotals()]][period]
                .add(view, runtimeKnown: known, buckets: buckets)
        }
        func value(_ totals: GroupTotals, _ measure: Measure) -> Double? {
            switch measure {
            case .views: return Double(totals.views)
            case .startedViews: return Double(totals.startedViews)
            case .uniqueViewers: return Double(totals.viewers.count)
            case .watchHours: return totals.watchHours
            case .completionRate: return totals.completionRate
            }
        }
        var rows = Self.totalMeasures.map { measure in
            Row(scope: .total, key: "", measure: measure, current: value(totals[0], measure),
                previous: value(totals[1], measure), status: .both)
        }
        // Groups by watch hours as written in each period, most first (an
        // empty field, an overflowed sum, reads as +infinity).
        func writtenHours(_ totals: GroupTotals) -> Double { NumberFormat.written(totals.watchHours) ?? .infinity }
        func groupRows(_ scope: Scope, _ groups: [(key: String, periods: [GroupTotals])]) -> [Row] {
            let ordered = groups.map { (group: $0, current: writtenHours($0.periods[0]), previous: writtenHours($0.periods[1])) }
                .sorted { a, b in
                    if a.current != b.current { return a.current > b.current }
                    if a.previous != b.previous { return a.previous > b.previous }
                    return Cell.bytesAscending(a.group.key, b.group.key)
                }
                .map(\.group)
            return ordered.flatMap { group in
                let status: Status = group.periods[1].views == 0 ? .new : group.periods[0].views == 0 ? .gone : .both
                return Self.groupMeasures.map { measure in
                    Row(scope: scope, key: group.key, measure: measure, current: value(group.periods[0], measure),
                        previous: value(group.periods[1], measure), status: status)
                }
            }
        }
        rows += groupRows(.title, titles.map { (set.titles[$0.key].id, $0.value) })
        rows += groupRows(.country, countries.map { ($0.key.text, $0.value) })
        self.rows = rows
        var positions: [RowKey: Int] = [:]
        for (index, row) in rows.enumerated() {
            positions[RowKey(scope: row.scope, key: ByteString(row.key), measure: row.measure)] = index
        }
        self.positions = positions
    }

    /// The row of one measure of one key, if any.
    public func row(_ scope: Scope, _ key: String, _ measure: Measure) -> Row? {
        positions[RowKey(scope: scope, key: ByteString(key), measure: measure)].map { rows[$0] }
    }

    /// `compare.csv`; its header alone when there is no comparison.
    static func table(_ comparison: PeriodComparison?) -> Table<Row> {
        Table(columns: columns, rows: comparison?.rows ?? [])
    }
}
