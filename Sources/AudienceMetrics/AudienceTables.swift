import AudienceCore

/// The tables of `metrics.md`, computed from a `ViewSet`. Each is a typed
/// table (`Table`) whose row type names its columns once, for the CSV
/// writer and the report alike.
public struct AudienceTables: Sendable {
    public let titles: Table<TitleRow>
    public let retention: RetentionTable
    public let countries: Table<PlaceRow>
    public let regions: Table<PlaceRow>
    public let devices: Table<DeviceRow>
    public let languages: Table<LanguageRow>
    public let daily: Table<DayRow>
    public let hours: Table<HourRow>
    public let series: Table<EpisodeRow>
    public let cohorts: Table<CohortRow>
    public let moments: Table<MomentRow>
    public let concurrency: Table<ConcurrencyRow>
    public let seriesSummary: Table<SeriesRow>
    /// The window against the period before it (`compare.csv`); nil when
    /// there is nothing to compare.
    public let comparison: PeriodComparison?
    public let compare: Table<PeriodComparison.Row>
    /// Started views on the viewers' own clocks (`local_hours.csv`).
    public let viewerLocalHours: ViewerLocalHours
    public let audienceTotals: AudienceTotals
    /// Whether the first and last day are whole (not a table).
    public let coverage: DataCoverage

    /// `summary.json`'s `audience` object.
    public var totals: JSONValue { audienceTotals.json }

    /// The files of `all`, in its order.
    public static let fileNames = [
        "titles.csv", "retention.csv", "countries.csv", "regions.csv", "devices.csv", "languages.csv", "daily.csv",
        "hours.csv", "series.csv", "cohorts.csv", "moments.csv", "concurrency.csv", "series_summary.csv",
        "compare.csv", "local_hours.csv",
    ]

    public var all: [(name: String, table: any CSVRendering)] {
        let tables: [any CSVRendering] = [
            titles, retention, countries, regions, devices, languages, daily, hours, series, cohorts, moments,
            concurrency, seriesSummary, compare, viewerLocalHours.table,
        ]
        return zip(Self.fileNames, tables).map { ($0, $1) }
    }

    public init(_ set: ViewSet) {
        let buckets = set.settings.buckets
        let runtimeKnown = set.titles.map { $0.runtime != nil }

        var perTitle = [GroupTotals](repeating: GroupTotals(), count: set.titles.count)
        var overall = GroupTotals()
        for view in set.views {
            perTitle[view.title].add(view, runtimeKnown: runtimeKnown[view.title], buckets: buckets)
            overall.add(view, runtimeKnown: runtimeKnown[view.title], buckets: buckets)
        }
        titles = TitleRow.table(set, perTitle)
        retention = RetentionTable(set, perTitle)
        moments = MomentRow.table(set, perTitle)
        countries = PlaceRow.table(set, byRegion: false, totalHours: overall.watchHours, runtimeKnown: runtimeKnown)
        regions = PlaceRow.table(set, byRegion: true, totalHours: overall.watchHours, runtimeKnown: runtimeKnown)
        devices = DeviceRow.table(set, runtimeKnown: runtimeKnown)
        languages = LanguageRow.table(set, runtimeKnown: runtimeKnown)
        (daily, cohorts) = DayTables.make(set)
        var hourCounts = WeekHourCounts()
        for view in set.views where view.started { hourCounts.add(view, at: view.local) }
        hours = hourCounts.table
        (series, seriesSummary) = SeriesTables.make(set)
        concurrency = ConcurrencyTable.make(set)
        coverage = DataCoverage(set)
        comparison = PeriodComparison(set)
        compare = PeriodComparison.table(comparison)
        viewerLocalHours = ViewerLocalHours(set)
        let days = set.views.map(\.local.day)
        audienceTotals = AudienceTotals(
            firstDay: days.min(), lastDay: days.max(), views: overall.views, startedViews: overall.startedViews,
            failedStarts: overall.failedStarts, exitsBeforeStart: overall.exitsBeforeStart,
            completedViews: overall.completedViews, uniqueViewers: overall.viewers.count,
            watchHours: overall.watchHours, completionRate: overall.completionRate,
            avgPctWatched: overall.averagePercentWatched, titles: titles.rows.count, countries: countries.rows.count,
            peak: ConcurrencyRow.periodPeak(concurrency.rows))
    }
}
