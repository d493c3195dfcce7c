import AudienceMetrics
import SVGCharts

/// When people watch: the daily trend, the weekday-by-hour heat map and
/// the peak audience of each day.
extension ReportWriter {
    mutating func writeDailyTrend() {
        let days = data.tables.daily.rows
        guard let firstDay = days.first, let lastDay = days.last else { return }
        heading("Daily trend")
        paragraph(
            "Started views and new viewers (people whose first started view of the period falls on that day) "
                + "for each day, by the day each view started, from \(Markdown.text(LocalTime.dayString(firstDay.day))) to "
                + "\(Markdown.text(LocalTime.dayString(lastDay.day))) (days in \(Markdown.text(zoneName))). On the "
                + "first day every viewer is new; a healthy service keeps its started views up as new viewers "
                + "fall." + partialDaysSentence())
        let first = firstDay.day, last = lastDay.day
        chart("daily", svg: LineChart(
            title: "Started views and new viewers per day",
            description: "Line chart with two lines over the days of the period, dated: started views and new viewers.",
            x: ChartAxis(
                label: "Day the views started (\(zoneName))", range: Double(first)...Double(max(first + 1, last)),
                format: .day),
            y: ChartAxis(label: "Views or viewers per day", format: .integer),
            series: [
                LineSeries(name: "Started views", points: days.map { (Double($0.day), Double($0.measures.startedViews)) }),
                LineSeries(name: "New viewers", points: days.map { (Double($0.day), Double($0.newViewers)) }),
            ]
        ).svg(), alt: "Line chart of started views and new viewers per day; the numbers are in the table below.")
        table(
            ["Day", "Views", "Started", "Unique viewers", "New viewers", "Watch time", "Completion"],
            days.map { row in
                [
                    Markdown.text(LocalTime.dayString(row.day)), Human.count(row.measures.views),
                    Human.count(row.measures.startedViews), Human.count(row.measures.uniqueViewers),
                    Human.count(row.newViewers), Human.hours(row.measures.watchHours),
                    Human.percent(row.measures.completionRate),
                ]
            },
            rightAligned: [1, 2, 3, 4, 5, 6], limit: 31, csv: "daily.csv")
        source(Markdown.source("daily.csv") + ": `views`, `started_views`, `unique_viewers`, `new_viewers`, "
            + "`watch_hours`, `completion_rate`.")
    }

    static let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// What the report says about a first or last day the logs only partly
    /// cover (`DataCoverage`), or nothing when both are whole.
    func partialDaysSentence() -> String {
        let coverage = data.coverage
        var parts: [String] = []
        if let first = coverage.partialFirstDay {
            parts.append("the first day, \(LocalTime.dayString(first.day)), from \(first.clock) on")
        }
        if let last = coverage.partialLastDay {
            parts.append("the last day, \(LocalTime.dayString(last.day)), up to \(last.clock)")
        }
        guard !parts.isEmpty else { return "" }
        return " The logs cover " + parts.joined(separator: " and ") + " only, so "
            + (parts.count == 1 ? "that day is" : "those days are") + " partial: compare whole days."
    }

    /// How often each weekday occurs from the first to the last day of
    /// daily.csv, in a sentence.
    func weekdayCounts() -> String {
        let days = data.tables.daily.rows
        guard let first = days.first, let last = days.last,
              let week = WeekdayCounts(from: first.day, to: last.day) else { return "" }
        let counts = week.counts
        guard !week.isEven else {
            return "Each weekday occurs \(Human.plural(counts[0], "time")) in the period."
        }
        return "The period does not hold every weekday equally often ("
            + (0..<7).map { "\(Self.weekdays[$0]) \(counts[$0])×" }.joined(separator: ", ")
            + "), so compare rows with care."
    }

    static let shortWeekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// A week of started views by hour, from rows with `weekday`, `hour`
    /// and `started_views` (hours.csv, local_hours.csv): hours down,
    /// weekdays across, as YouTube Studio draws it, so that every count
    /// fits its cell. Returns the chart and the sentence on its busiest hours.
    func weekHeatMap(_ rows: [HourRow], title: String, description: String, zone: String)
        -> (map: HeatMap, busiest: String)
    {
        var grid = [[Double?]](repeating: [Double?](repeating: 0, count: 7), count: 24)
        for row in rows where (1...7).contains(row.weekday) && (0...23).contains(row.hour) {
            grid[row.hour][row.weekday - 1] = Double(row.startedViews)
        }
        let peak = BusiestHours(rows)
        let most = peak.startedViews
        let busiest = peak.hours.map { "\(Self.weekdays[$0.weekday - 1]) \(pad($0.hour, 2)):00" }
        let map = HeatMap(
            title: title, description: description,
            rows: (0..<24).map { pad($0, 2) + ":00" }, columns: Self.shortWeekdays, values: grid,
            rowAxisLabel: "Hour the views started (\(zone))", columnAxisLabel: "Weekday",
            scale: ChartAxis(label: "Started views", format: .integer), showsValues: true, maximumCellHeight: 18)
        var text = map.unlabelledCells == 0
            ? " Each cell shows its count, and darker cells are busier."
            : " Darker cells are busier; the counts too wide for their cell are in the CSV."
        if !busiest.isEmpty {
            text += busiest.count == 1
                ? " The busiest hour of the week is \(busiest[0]), with \(Human.plural(most, "started view")) over the period."
                : " The busiest hours of the week are " + busiest.prefix(6).joined(separator: ", ")
                    + (busiest.count > 6 ? " and others" : "")
                    + ", with \(Human.plural(most, "started view")) each over the period."
        }
        return (map, text)
    }

    /// The same week on each viewer's own clock, where their place gives one zone.
    mutating func writeViewerLocalHours() {
        let local = data.tables.viewerLocalHours
        guard local.placedStartedViews > 0 else { return }
        heading("On the viewers' own clocks", depth: 3)
        let (map, busiest) = weekHeatMap(
            local.table.rows, title: "Started views by weekday and hour, viewer-local time",
            description: "Heat map with a row per hour (0 to 23) and a column per weekday, each view on the clock "
                + "of its country or region; the darker the cell, the more views started then.",
            zone: "viewer-local")
        let unplaced = local.unplacedCountries.prefix(8).map { Markdown.name($0.country) + " " + Human.count($0.startedViews) }
        paragraph(
            "The same started views, each at the hour its viewer's clock showed: the zone of the view's country, "
                + "or of its region where the country has several (the United States, Brazil, Canada, Australia…; "
                + "docs/metrics.md lists the zones). This is when people watch where they are."
                + busiest + " It places \(Human.plural(local.placedStartedViews, "started view")) of "
                + "\(Human.count(local.placedStartedViews + local.unplacedStartedViews))"
                + (unplaced.isEmpty ? "." : "; the others come from places with no single zone (a country with "
                    + "several zones and no known region, or no country) and are left out: "
                    + unplaced.joined(separator: ", ") + "."))
        chart("weekday-hour-local", svg: map.svg(),
              alt: "Heat map of started views by weekday and hour on the viewers' own clocks; the numbers are in local_hours.csv.")
        source(Markdown.source("local_hours.csv", "started_views") + " by `weekday` and `hour`, viewer-local.")
    }

    mutating func writeWhenPeopleWatch() {
        heading("When people watch")
        let countries = data.tables.countries.rows.count
        let (map, busiest) = weekHeatMap(
            data.tables.hours.rows, title: "Started views by weekday and hour (\(zoneName))",
            description: "Heat map with a row per hour (0 to 23, in \(zoneName)) and a column per weekday (Monday "
                + "to Sunday); the darker the cell, the more views started then.",
            zone: zoneName)
        paragraph(
            "Started views by the weekday and hour they started, on the report's clock, \(Markdown.text(zoneName))"
                + (countries > 1
                    ? ": one clock for viewers in \(Human.plural(countries, "country", "countries")), so an hour "
                        + "here is not the hour their own clocks showed"
                        + (data.tables.viewerLocalHours.placedStartedViews > 0 ? " (the next map shows that)." : ".")
                    : ".")
                + busiest + " " + weekdayCounts())
        chart("weekday-hour", svg: map.svg(),
              alt: "Heat map of started views by weekday and hour in \(zoneName); the numbers are in hours.csv.")
        source(Markdown.source("hours.csv", "started_views") + " by `weekday` (1 = Monday) and `hour`.")
        writeViewerLocalHours()

        let peaks = data.tables.concurrency.rows
        guard !peaks.isEmpty else { return }
        heading("Peak audience", depth: 3)
        paragraph(
            "The most views playing at the same instant on each day: a view plays from its first event to its "
                + "last. This is the load a service must carry at its busiest moment"
                + (data.totals.peak.map { ": over the period, **\(Human.count($0.peakViews))** views at once, first at "
                    + Markdown.text($0.peakAt) } ?? "") + ".")
        table(
            ["Day", "Peak views", "First reached at"],
            peaks.map { [Markdown.text(LocalTime.dayString($0.day)), Human.count($0.peakViews), Markdown.text($0.peakAt)] },
            rightAligned: [1], limit: 31, csv: "concurrency.csv")
        source(Markdown.source("concurrency.csv") + ": `peak_views`, `peak_at`.")
        if let top = data.totals.peak {
            exercises.append((
                "On which day did the most views play at the same time, and how many? Use concurrency.csv.",
                Markdown.text(LocalTime.dayString(top.day)) + ", with " + Human.count(top.peakViews) + " views at "
                    + Markdown.text(top.peakAt) + " (the first day with the largest `peak_views`)."))
        }
    }
}
