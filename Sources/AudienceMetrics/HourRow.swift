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
