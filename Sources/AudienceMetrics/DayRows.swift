/// A row of daily.csv: the selected views that started on one day.
public struct DayRow: MeasuredRow, Equatable {
    /// Days since 1970-01-01 in the report's zone.
    public var day: Int
    /// `avgPctWatched` is not a column of daily.csv (nil).
    public var measures: GroupMeasures
    /// Viewers whose first started view of the whole history is on this day.
    public var newViewers: Int

    /// The day's viewers who had watched on an earlier day.
    public var returningViewers: Int { measures.uniqueViewers - newViewers }

    public static let columns: [TableColumn<DayRow>] = [
        .day("day", \.day), .views, .startedViews, .uniqueViewers, .watchHours, .completionRate,
        .integer("new_viewers", \.newViewers),
    ]
}

/// A row of cohorts.csv: of the viewers whose first started view is on
/// `cohortDay`, those with a started view `dayOffset` days later.
public struct CohortRow: Sendable, Equatable {
    /// Days since 1970-01-01 in the report's zone.
    public var cohortDay: Int
    public var dayOffset: Int
    public var cohortViewers: Int
    public var returningViewers: Int
    public var returnRate: Double?

    /// The day this row counts returns on.
    public var day: Int { cohortDay + dayOffset }

    public static let columns: [TableColumn<CohortRow>] = [
        .day("cohort_day", \.cohortDay), .integer("day_offset", \.dayOffset),
        .integer("cohort_viewers", \.cohortViewers), .integer("returning_viewers", \.returningViewers),
        .number("return_rate", \.returnRate),
    ]
}

/// daily.csv and cohorts.csv, which share the day of each viewer's first
/// started view.
enum DayTables {
    static func make(_ set: ViewSet) -> (daily: Table<DayRow>, cohorts: Table<CohortRow>) {
        var perDay: [Int: GroupTotals] = [:]
        var activeDays: [UInt32: Set<Int>] = [:]
        for view in set.views {
            perDay[view.local.day, default: GroupTotals()].add(view, runtimeKnown: false, buckets: set.settings.buckets)
            if view.started { activeDays[view.viewer, default: []].insert(view.local.day) }
        }
        // A viewer's cohort day: the day of their earliest started view in
        // the whole history ("new" is new to the history, not to a window).
        var firstStart: [UInt32: (start: Int64, day: Int)] = [:]
        for view in set.history where view.started {
            if let known = firstStart[view.viewer], known.start <= view.start { continue }
            firstStart[view.viewer] = (view.start, view.local.day)
        }
        var newViewers: [Int: Int] = [:]
        var cohortMembers: [Int: [UInt32]] = [:]
        for (viewer, first) in firstStart where set.settings.window.contains(first.day) {
            newViewers[first.day, default: 0] += 1
            cohortMembers[first.day, default: []].append(viewer)
        }
        let daily = perDay.keys.sorted().map { day in
            DayRow(day: day, measures: GroupMeasures(perDay[day] ?? GroupTotals()), newViewers: newViewers[day] ?? 0)
        }
        var cohorts: [CohortRow] = []
        if let lastDay = perDay.keys.max() {
            for cohortDay in cohortMembers.keys.sorted() {
                let members = cohortMembers[cohortDay] ?? []
                for offset in 0...max(0, lastDay - cohortDay) {
                    let returning = members.filter { activeDays[$0]?.contains(cohortDay + offset) ?? false }.count
                    cohorts.append(CohortRow(
                        cohortDay: cohortDay, dayOffset: offset, cohortViewers: members.count,
                        returningViewers: returning,
                        returnRate: NumberFormat.written(Double(returning) / Double(members.count))))
                }
            }
        }
        return (Table(columns: DayRow.columns, rows: daily), Table(columns: CohortRow.columns, rows: cohorts))
    }
}
