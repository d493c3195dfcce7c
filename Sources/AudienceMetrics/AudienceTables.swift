import AudienceCore

/// The tables of `metrics.md`, computed from a `ViewSet`.
public struct AudienceTables: Sendable {
    public let titles: CSVTable
    public let retention: RetentionTable
    public let countries: CSVTable
    public let regions: CSVTable
    public let devices: CSVTable
    public let languages: CSVTable
    public let daily: CSVTable
    public let hours: CSVTable
    public let series: CSVTable
    public let cohorts: CSVTable
    public let moments: CSVTable
    public let concurrency: CSVTable
    public let seriesSummary: CSVTable
    /// The window against the period before it (`compare.csv`); nil when
    /// there is nothing to compare.
    public let comparison: PeriodComparison?
    public let compare: CSVTable
    /// Started views on the viewers' own clocks (`local_hours.csv`).
    public let viewerLocalHours: ViewerLocalHours
    public let totals: JSONValue
    /// Whether the first and last day are whole (not a table).
    public let coverage: DataCoverage

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

        // Per title.
        var perTitle = [GroupTotals](repeating: GroupTotals(), count: set.titles.count)
        var overall = GroupTotals()
        for view in set.views {
            perTitle[view.title].add(view, runtimeKnown: runtimeKnown[view.title], buckets: buckets)
            overall.add(view, runtimeKnown: runtimeKnown[view.title], buckets: buckets)
        }
        titles = Self.titleTable(set, perTitle)
        retention = RetentionTable(set, perTitle)
        moments = Self.momentsTable(set, perTitle)

        // Groups by country, region, device.
        func grouped(_ key: (ViewSummary) -> [String]) -> [[ByteString]: GroupTotals] {
            var groups: [[ByteString]: GroupTotals] = [:]
            for view in set.views {
                groups[key(view).map(ByteString.init), default: GroupTotals()]
                    .add(view, runtimeKnown: runtimeKnown[view.title], buckets: buckets, trackTitles: true)
            }
            return groups
        }
        let totalHours = overall.watchHours
        countries = Self.placeTable(
            ["country"], grouped { [$0.country] }, set: set, totalHours: totalHours, buckets: buckets)
        regions = Self.placeTable(
            ["country", "region"], grouped { [$0.country, $0.region] }, set: set, totalHours: totalHours,
            buckets: buckets)
        devices = Self.deviceTable(grouped { [$0.device] }, buckets: buckets)
        languages = Self.languageTable(set, runtimeKnown: runtimeKnown)
        let (dailyTable, cohortTable) = Self.dayTables(set)
        daily = dailyTable
        cohorts = cohortTable
        hours = Self.hourTable(set)
        (series, seriesSummary) = Self.seriesTables(set)
        let peaks = Self.concurrencyPeaks(set)
        concurrency = Self.concurrencyTable(peaks, timeZone: set.settings.timeZone)
        // The period's peak: the largest of the days', the earliest day first.
        let peak = peaks.reduce(nil as ConcurrencyPeak?) { best, day in
            best.map { day.views > $0.views ? day : $0 } ?? day
        }

        coverage = DataCoverage(set)
        comparison = PeriodComparison(set)
        compare = PeriodComparison.table(comparison)
        viewerLocalHours = ViewerLocalHours(set)
        let days = set.views.map(\.local.day)
        totals = .object([
            ("first_day", days.min().map { .string(LocalTime.dayString($0)) } ?? .null),
            ("last_day", days.max().map { .string(LocalTime.dayString($0)) } ?? .null),
            ("views", .integer(overall.views)),
            ("started_views", .integer(overall.startedViews)),
            ("failed_starts", .integer(overall.failedStarts)),
            ("exits_before_start", .integer(overall.exitsBeforeStart)),
            ("completed_views", .integer(overall.completedViews)),
            ("unique_viewers", .integer(overall.viewers.count)),
            ("watch_hours", .number(totalHours)),
            ("completion_rate", overall.completionRate.map { .number($0) } ?? .null),
            ("avg_pct_watched", overall.averagePercentWatched.map { .number($0) } ?? .null),
            ("titles", .integer(titles.rows.count)),
            ("countries", .integer(countries.rows.count)),
            ("peak_views", peak.map { .integer($0.views) } ?? .null),
            ("peak_at", peak.map { .string(set.settings.timeZone.timestamp($0.at)) } ?? .null),
        ])
    }

    // MARK: - titles.csv and retention.csv

    private static func titleTable(_ set: ViewSet, _ perTitle: [GroupTotals]) -> CSVTable {
        let buckets = set.settings.buckets
        var rows: [[String]] = []
        for (index, title) in set.titles.enumerated() {
            let totals = perTitle[index]
            // Titles with a selected view, and every catalog title (with a
            // window, a title watched only outside it has neither).
            guard totals.views > 0 || set.settings.catalog?.entries[ByteString(title.id)] != nil else { continue }
            let seconds = totals.watch.value
            let hours = seconds / 3600
            let started = totals.startedViews
            var halfLife: Double?
            if let reach = set.bucketReach[index], started > 0 {
                let firstBelow = reach.firstIndex { 2 * $0 < started } ?? buckets
                halfLife = firstBelow == buckets ? 100 : 100 * Double(firstBelow) / Double(buckets)
            }
            rows.append([
                title.id, title.name ?? "", title.seriesID ?? "", Cell.optional(title.season),
                Cell.optional(title.episode), Cell.number(title.runtime),
                Cell.integer(totals.views), Cell.integer(started), Cell.integer(totals.failedStarts),
                Cell.integer(totals.exitsBeforeStart),
                Cell.integer(totals.viewers.count), Cell.number(hours),
                Cell.number(started == 0 ? nil : seconds / Double(started) / 60),
                Cell.integer(totals.completedViews), Cell.number(totals.completionRate),
                Cell.number(title.runtime == nil ? nil : totals.averagePercentWatched),
                Cell.number(halfLife),
                Cell.number(title.runtime.map { hours / ($0 / 3600) }),
            ])
        }
        rows.sort { a, b in
            let x = Cell.written(a[11]), y = Cell.written(b[11])
            return x != y ? x > y : Cell.bytesAscending(a[0], b[0])
        }
        return CSVTable(header: [
            "title_id", "title_name", "series_id", "season", "episode", "runtime_s", "views", "started_views",
            "failed_starts", "exits_before_start", "unique_viewers", "watch_hours", "avg_view_minutes", "completed_views",
            "completion_rate", "avg_pct_watched", "half_life_pct", "runtime_views",
        ], rows: rows)
    }

    // MARK: - countries.csv, regions.csv, devices.csv

    private static func placeTable(
        _ keys: [String], _ groups: [[ByteString]: GroupTotals], set: ViewSet, totalHours: Double, buckets: Int
    ) -> CSVTable {
        var rows: [[String]] = []
        for (key, totals) in groups {
            // The title with the most watch hours; a tie goes to the smaller title_id.
            var top: (title: String, seconds: Double)?
            for (title, sum) in totals.titleWatch {
                let id = set.titles[title].id
                let seconds = sum.value
                if let best = top, !(seconds > best.seconds || (seconds == best.seconds && Cell.bytesAscending(id, best.title))) {
                    continue
                }
                top = (id, seconds)
            }
            let hours = totals.watchHours
            rows.append(key.map(\.text) + [
                Cell.integer(totals.views), Cell.integer(totals.startedViews), Cell.integer(totals.viewers.count),
                Cell.number(hours), Cell.number(totals.completionRate),
                Cell.number(totals.averagePercentWatched),
                Cell.number(totalHours == 0 ? nil : hours / totalHours), Cell.number(totals.subtitleShare),
                top?.title ?? "",
            ])
        }
        let hoursColumn = keys.count + 3
        rows.sort { a, b in
            let x = Cell.written(a[hoursColumn]), y = Cell.written(b[hoursColumn])
            if x != y { return x > y }
            for column in 0..<keys.count where !a[column].utf8.elementsEqual(b[column].utf8) {
                return Cell.bytesAscending(a[column], b[column])
            }
            return false
        }
        return CSVTable(header: keys + [
            "views", "started_views", "unique_viewers", "watch_hours", "completion_rate", "avg_pct_watched",
            "share_of_watch_hours", "subtitle_share", "top_title",
        ], rows: rows)
    }

    private static func deviceTable(_ groups: [[ByteString]: GroupTotals], buckets: Int) -> CSVTable {
        var rows = groups.map { key, totals in
            key.map(\.text) + [
                Cell.integer(totals.views), Cell.integer(totals.startedViews), Cell.integer(totals.viewers.count),
                Cell.number(totals.watchHours), Cell.number(totals.completionRate),
                Cell.number(totals.averagePercentWatched),
            ]
        }
        rows.sort { a, b in
            let x = Cell.written(a[4]), y = Cell.written(b[4])
            return x != y ? x > y : Cell.bytesAscending(a[0], b[0])
        }
        return CSVTable(header: [
            "device", "views", "started_views", "unique_viewers", "watch_hours", "completion_rate", "avg_pct_watched",
        ], rows: rows)
    }

    // MARK: - languages.csv

    private static func languageTable(_ set: ViewSet, runtimeKnown: [Bool]) -> CSVTable {
        var groups: [[ByteString]: GroupTotals] = [:]
        for view in set.views where view.started {
            let key = [view.country, view.audioLang, view.subtitleLang.isEmpty ? "off" : view.subtitleLang]
                .map(ByteString.init)
            groups[key, default: GroupTotals()]
                .add(view, runtimeKnown: runtimeKnown[view.title], buckets: set.settings.buckets)
        }
        var rows = groups.map { key, totals in
            key.map(\.text) + [
                String(totals.startedViews), Cell.number(totals.watchHours), Cell.number(totals.completionRate),
                Cell.number(totals.averagePercentWatched),
            ]
        }
        rows.sort { a, b in
            if !a[0].utf8.elementsEqual(b[0].utf8) { return Cell.bytesAscending(a[0], b[0]) }
            let x = Int(a[3]) ?? 0, y = Int(b[3]) ?? 0
            if x != y { return x > y }
            if !a[1].utf8.elementsEqual(b[1].utf8) { return Cell.bytesAscending(a[1], b[1]) }
            return Cell.bytesAscending(a[2], b[2])
        }
        return CSVTable(
            header: [
                "country", "audio_lang", "subtitle_lang", "started_views", "watch_hours", "completion_rate",
                "avg_pct_watched",
            ],
            rows: rows)
    }

    // MARK: - daily.csv and cohorts.csv

    private static func dayTables(_ set: ViewSet) -> (daily: CSVTable, cohorts: CSVTable) {
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
        let daily = CSVTable(
            header: ["day", "views", "started_views", "unique_viewers", "watch_hours", "completion_rate", "new_viewers"],
            rows: perDay.keys.sorted().map { day in
                let totals = perDay[day] ?? GroupTotals()
                return [
                    LocalTime.dayString(day), Cell.integer(totals.views), Cell.integer(totals.startedViews),
                    Cell.integer(totals.viewers.count), Cell.number(totals.watchHours),
                    Cell.number(totals.completionRate), Cell.integer(newViewers[day] ?? 0),
                ]
            })
        var cohortRows: [[String]] = []
        if let lastDay = perDay.keys.max() {
            for cohortDay in cohortMembers.keys.sorted() {
                let members = cohortMembers[cohortDay] ?? []
                for offset in 0...max(0, lastDay - cohortDay) {
                    let returning = members.filter { activeDays[$0]?.contains(cohortDay + offset) ?? false }.count
                    cohortRows.append([
                        LocalTime.dayString(cohortDay), String(offset), String(members.count), String(returning),
                        Cell.number(Double(returning) / Double(members.count)),
                    ])
                }
            }
        }
        let cohorts = CSVTable(
            header: ["cohort_day", "day_offset", "cohort_viewers", "returning_viewers", "return_rate"],
            rows: cohortRows)
        return (daily, cohorts)
    }

    // MARK: - hours.csv

    private static func hourTable(_ set: ViewSet) -> CSVTable {
        var groups: [Int: (views: Int, watch: ExactSum)] = [:]
        for view in set.views where view.started {
            let key = view.local.weekday * 24 + view.local.hour
            groups[key, default: (0, ExactSum())].views += 1
            groups[key, default: (0, ExactSum())].watch.add(view.watchSeconds)
        }
        return CSVTable(
            header: ["weekday", "hour", "started_views", "watch_hours"],
            rows: groups.keys.sorted().map { key in
                let value = groups[key] ?? (0, ExactSum())
                return [String(key / 24), String(key % 24), String(value.views), Cell.number(value.watch.value / 3600)]
            })
    }

    // MARK: - series.csv and series_summary.csv

    private static func seriesTables(_ set: ViewSet) -> (series: CSVTable, summary: CSVTable) {
        var viewersByTitle: [Int: Set<UInt32>] = [:]
        var completersByTitle: [Int: Set<UInt32>] = [:]
        for view in set.views where view.started {
            viewersByTitle[view.title, default: []].insert(view.viewer)
            if view.completed { completersByTitle[view.title, default: []].insert(view.viewer) }
        }
        var episodesBySeries: [ByteString: [Int]] = [:]
        for (index, title) in set.titles.enumerated() {
            guard let series = title.seriesID, viewersByTitle[index] != nil else { continue }
            episodesBySeries[ByteString(series), default: []].append(index)
        }
        // Binge viewing: the distinct episodes each viewer started on each day.
        struct ViewerDay: Hashable {
            var series: ByteString
            var viewer: UInt32
            var day: Int
        }
        var episodesByViewerDay: [ViewerDay: Set<Int>] = [:]
        for view in set.views where view.started {
            guard let series = set.titles[view.title].seriesID else { continue }
            episodesByViewerDay[ViewerDay(series: ByteString(series), viewer: view.viewer, day: view.local.day), default: []]
                .insert(view.title)
        }
        var bingers: [ByteString: Set<UInt32>] = [:]
        for (key, episodes) in episodesByViewerDay where episodes.count >= 3 {
            bingers[key.series, default: []].insert(key.viewer)
        }

        // An absent season or episode sorts after every present one.
        func order(_ value: Int32?) -> Int64 { value.map { Int64($0) } ?? Int64.max }
        var rows: [[String]] = []
        var summaryRows: [[String]] = []
        for series in episodesBySeries.keys.sorted() {
            let episodes = (episodesBySeries[series] ?? []).sorted { a, b in
                let x = set.titles[a], y = set.titles[b]
                if order(x.season) != order(y.season) { return order(x.season) < order(y.season) }
                if order(x.episode) != order(y.episode) { return order(x.episode) < order(y.episode) }
                return Cell.bytesAscending(x.id, y.id)
            }
            let first = viewersByTitle[episodes[0]] ?? []
            var previous: Set<UInt32>?
            var seriesViewers = Set<UInt32>()
            var episodeStarts = 0
            var completedAll = completersByTitle[episodes[0]] ?? []
            for index in episodes {
                let viewers = viewersByTitle[index] ?? []
                let title = set.titles[index]
                rows.append([
                    series.text, Cell.optional(title.season), Cell.optional(title.episode), title.id,
                    String(viewers.count),
                    Cell.number(previous.map { Double(viewers.intersection($0).count) / Double($0.count) }),
                    Cell.number(Double(viewers.intersection(first).count) / Double(first.count)),
                ])
                previous = viewers
                seriesViewers.formUnion(viewers)
                episodeStarts += viewers.count
                completedAll.formIntersection(completersByTitle[index] ?? [])
            }
            let viewerCount = Double(seriesViewers.count)
            let binge = bingers[series]?.count ?? 0
            summaryRows.append([
                series.text, String(episodes.count), String(seriesViewers.count),
                Cell.number(Double(episodeStarts) / viewerCount), String(completedAll.count),
                Cell.number(Double(completedAll.count) / viewerCount), String(binge),
                Cell.number(Double(binge) / viewerCount),
            ])
        }
        let seriesTable = CSVTable(
            header: ["series_id", "season", "episode", "title_id", "viewers", "continued_from_previous", "from_first"],
            rows: rows)
        let summaryTable = CSVTable(
            header: [
                "series_id", "episodes", "viewers", "avg_episodes_per_viewer", "completed_all_viewers",
                "completed_all_share", "binge_viewers", "binge_rate",
            ],
            rows: summaryRows)
        return (seriesTable, summaryTable)
    }
}
