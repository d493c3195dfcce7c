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

    /// The tables of `set`, in three independent groups on up to `threads`
    /// workers (the results do not depend on how many).
    public init(_ set: ViewSet, threads: Int = 1) {
        let buckets = set.settings.buckets
        let runtimeKnown = set.titles.map { $0.runtime != nil }
        var overall = GroupTotals()
        for view in set.views { overall.add(view, runtimeKnown: runtimeKnown[view.title], buckets: buckets) }
        let totalHours = overall.watchHours
        let parts = Parallel.map(count: 3, threads: threads) { group -> Group in
            switch group {
            case 0: Group.places(set, runtimeKnown: runtimeKnown, totalHours: totalHours)
            case 1: Group.time(set)
            default: Group.titles(set, runtimeKnown: runtimeKnown, buckets: buckets)
            }
        }
        guard case .places(let places) = parts[0], case .time(let time) = parts[1], case .titles(let titled) = parts[2] else {
            preconditionFailure("AudienceTables: a group computed out of place")
        }
        titles = titled.titles
        retention = titled.retention
        moments = titled.moments
        languages = titled.languages
        viewerLocalHours = titled.viewerLocalHours
        countries = places.countries
        regions = places.regions
        devices = places.devices
        daily = time.daily
        cohorts = time.cohorts
        hours = time.hours
        series = time.series
        seriesSummary = time.seriesSummary
        concurrency = time.concurrency
        coverage = DataCoverage(set)
        comparison = PeriodComparison(set)
        compare = PeriodComparison.table(comparison)
        let days = set.views.map(\.local.day)
        audienceTotals = AudienceTotals(
            firstDay: days.min(), lastDay: days.max(), views: overall.views, startedViews: overall.startedViews,
            failedStarts: overall.failedStarts, exitsBeforeStart: overall.exitsBeforeStart,
            completedViews: overall.completedViews, uniqueViewers: overall.viewers.count,
            watchHours: overall.watchHours, completionRate: overall.completionRate,
            avgPctWatched: overall.averagePercentWatched, titles: titles.rows.count, countries: countries.rows.count,
            peak: ConcurrencyRow.periodPeak(concurrency.rows))
    }

    /// The tables in groups of about equal work.
    private enum Group: Sendable {
        case places((countries: Table<PlaceRow>, regions: Table<PlaceRow>, devices: Table<DeviceRow>))
        case time((daily: Table<DayRow>, cohorts: Table<CohortRow>, hours: Table<HourRow>, series: Table<EpisodeRow>,
                   seriesSummary: Table<SeriesRow>, concurrency: Table<ConcurrencyRow>))
        case titles((titles: Table<TitleRow>, retention: RetentionTable, moments: Table<MomentRow>,
                     languages: Table<LanguageRow>, viewerLocalHours: ViewerLocalHours))

        static func places(_ set: ViewSet, runtimeKnown: [Bool], totalHours: Double) -> Group {
            .places((
                PlaceRow.table(set, byRegion: false, totalHours: totalHours, runtimeKnown: runtimeKnown),
                PlaceRow.table(set, byRegion: true, totalHours: totalHours, runtimeKnown: runtimeKnown),
                DeviceRow.table(set, runtimeKnown: runtimeKnown)))
        }

        static func time(_ set: ViewSet) -> Group {
            let (daily, cohorts) = DayTables.make(set)
            var hourCounts = WeekHourCounts()
            for view in set.views where view.started { hourCounts.add(view, at: view.local) }
            let (series, seriesSummary) = SeriesTables.make(set)
            return .time((daily, cohorts, hourCounts.table, series, seriesSummary, ConcurrencyTable.make(set)))
        }

        static func titles(_ set: ViewSet, runtimeKnown: [Bool], buckets: Int) -> Group {
            var perTitle = [GroupTotals](repeating: GroupTotals(), count: set.titles.count)
            for view in set.views { perTitle[view.title].add(view, runtimeKnown: runtimeKnown[view.title], buckets: buckets) }
            return .titles((
                TitleRow.table(set, perTitle), RetentionTable(set, perTitle), MomentRow.table(set, perTitle),
                LanguageRow.table(set, runtimeKnown: runtimeKnown), ViewerLocalHours(set)))
        }
    }
}
