/// A row of hours.csv or local_hours.csv: the started views of one hour of
/// the week.
public struct HourRow: Sendable, Equatable {
    /// 1 = Monday … 7 = Sunday.
    public var weekday: Int
    public var hour: Int
    public var startedViews: Int
    public var watchHours: Double?

    public static let columns: [TableColumn<HourRow>] = [
        .integer("weekday", \.weekday), .integer("hour", \.hour), .integer("started_views", \.startedViews),
        .number("watch_hours", \.watchHours),
    ]
}

/// Started views counted by hour of the week, on some clock.
struct WeekHourCounts {
    private var groups: [Int: (views: Int, watch: ExactSum)] = [:]

    mutating func add(_ view: ViewSummary, at local: LocalTime) {
        let key = local.weekday * 24 + local.hour
        groups[key, default: (0, ExactSum())].views += 1
        groups[key, default: (0, ExactSum())].watch.add(view.watchSeconds)
    }

    /// By weekday, then hour.
    var table: Table<HourRow> {
        Table(columns: HourRow.columns, rows: groups.keys.sorted().map { key in
            let value = groups[key] ?? (0, ExactSum())
            return HourRow(weekday: key / 24, hour: key % 24, startedViews: value.views,
                           watchHours: NumberFormat.written(value.watch.value / 3600))
        })
    }
}

/// The busiest hours of the week in hours.csv or local_hours.csv.
public struct BusiestHours: Sendable, Equatable {
    /// The most started views of any hour of the week (0 without any).
    public let startedViews: Int
    /// Each hour with that many, by weekday (Monday first), then hour.
    public let hours: [(weekday: Int, hour: Int)]

    public init(_ rows: [HourRow]) {
        let valid = rows.filter { (1...7).contains($0.weekday) && (0...23).contains($0.hour) }
        let most = valid.map(\.startedViews).max() ?? 0
        startedViews = most
        hours = most == 0 ? [] : valid.filter { $0.startedViews == most }.map { (weekday: $0.weekday, hour: $0.hour) }
            .sorted { $0.weekday != $1.weekday ? $0.weekday < $1.weekday : $0.hour < $1.hour }
    }

    public static func == (a: BusiestHours, b: BusiestHours) -> Bool {
        a.startedViews == b.startedViews && a.hours.elementsEqual(b.hours) { $0 == $1 }
    }
}
