import AudienceReading
import AudienceMetrics
import SVGCharts

/// When people watch: the daily trend, the weekday-by-hour heat map and
/// the peak audience of each day.
extension ReportWriter {
    mutating func writeDailyTrend() {
        let days = data.daily.rows
        guard !days.isEmpty else { return }
        heading("Daily trend")
        paragraph(
            "Started views and new viewers (people whose first started view of the period falls on that day) "
                + "for each day, by the day each view started, from \(Markdown.text(days[0]["day"])) to "
                + "\(Markdown.text(days[days.count - 1]["day"])) (days in \(Markdown.text(zoneName))). On the "
                + "first day every viewer is new; a healthy service keeps its started views up as new viewers "
                + "fall." + partialDaysSentence())
        let first = Self.dayIndex(days[0]["day"]) ?? 0
        let last = days.last.flatMap { Self.dayIndex($0["day"]) } ?? first
        chart("daily", svg: LineChart(
            title: "Started views and new viewers per day",
            description: "Line chart with two lines over the days of the period, dated: started views and new viewers.",
            x: ChartAxis(
                label: "Day the views started (\(zoneName))", range: Double(first)...Double(max(first + 1, last)),
                format: .day),
            y: ChartAxis(label: "Views or viewers per day", format: .integer),
            series: [
                LineSeries(name: "Started views", points: days.map { (dayValue($0), Double($0.count("started_views"))) }),
                LineSeries(name: "New viewers", points: days.map { (dayValue($0), Double($0.count("new_viewers"))) }),
            ]
        ).svg(), alt: "Line chart of started views and new viewers per day; the numbers are in the table below.")
        table(
            ["Day", "Views", "Started", "Unique viewers", "New viewers", "Watch time", "Completion"],
            days.map { row in
                [
                    Markdown.text(row["day"]), Human.count(row.count("views")), Human.count(row.count("started_views")),
                    Human.count(row.count("unique_viewers")), Human.count(row.count("new_viewers")),
                    Human.hours(row.number("watch_hours")), Human.percent(row.number("completion_rate")),
                ]
            },
            rightAligned: [1, 2, 3, 4, 5, 6], limit: 31, csv: "daily.csv")
        source(Markdown.source("daily.csv") + ": `views`, `started_views`, `unique_viewers`, `new_viewers`, "
            + "`watch_hours`, `completion_rate`.")
    }

    static let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// A daily.csv row's day as days since 1970-01-01, the daily chart's x.
    func dayValue(_ row: TableRecords.Record) -> Double {
        Double(Self.dayIndex(row["day"]) ?? 0)
    }

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

    /// Days since 1970-01-01 of a `YYYY-MM-DD`.
    static func dayIndex(_ text: String) -> Int? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return Timestamp.daysFromCivil(year: parts[0], month: parts[1], day: parts[2])
    }

    /// How often each weekday occurs from the first to the last day: a
    /// weekday that occurs twice has twice the chance to be busy.
    func weekdayCounts() -> String {
        guard let first = data.daily.rows.first.flatMap({ Self.dayIndex($0["day"]) }),
              let last = data.daily.rows.last.flatMap({ Self.dayIndex($0["day"]) }), last >= first else { return "" }
        var counts = [Int](repeating: 0, count: 7)
        for day in first...last { counts[(day + 3).modulo(7)] += 1 }  // 1970-01-01 was a Thursday
        guard Set(counts).count > 1 else {
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
    func weekHeatMap(_ rows: [TableRecords.Record], title: String, description: String, zone: String)
        -> (map: HeatMap, busiest: String)
    {
        var grid = [[Double?]](repeating: [Double?](repeating: 0, count: 7), count: 24)
        var most = 0
        for row in rows {
            let weekday = row.count("weekday"), hour = row.count("hour"), views = row.count("started_views")
            guard (1...7).contains(weekday), (0...23).contains(hour) else { continue }
            grid[hour][weekday - 1] = Double(views)
            most = max(most, views)
        }
        var busiest: [String] = []
        for weekday in 0..<7 {
            for hour in 0..<24 where most > 0 && grid[hour][weekday] == Double(most) {
                busiest.append("\(Self.weekdays[weekday]) \(pad(hour, 2)):00")
            }
        }
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
        let local = data.viewerLocalHours
        guard local.placedStartedViews > 0 else { return }
        heading("On the viewers' own clocks", depth: 3)
        let (map, busiest) = weekHeatMap(
            data.localHours.rows, title: "Started views by weekday and hour, viewer-local time",
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
        let countries = data.countries.rows.count
        let (map, busiest) = weekHeatMap(
            data.hours.rows, title: "Started views by weekday and hour (\(zoneName))",
            description: "Heat map with a row per hour (0 to 23, in \(zoneName)) and a column per weekday (Monday "
                + "to Sunday); the darker the cell, the more views started then.",
            zone: zoneName)
        paragraph(
            "Started views by the weekday and hour they started, on the report's clock, \(Markdown.text(zoneName))"
                + (countries > 1
                    ? ": one clock for viewers in \(Human.plural(countries, "country", "countries")), so an hour "
                        + "here is not the hour their own clocks showed"
                        + (data.viewerLocalHours.placedStartedViews > 0 ? " (the next map shows that)." : ".")
                    : ".")
                + busiest + " " + weekdayCounts())
        chart("weekday-hour", svg: map.svg(),
              alt: "Heat map of started views by weekday and hour in \(zoneName); the numbers are in hours.csv.")
        source(Markdown.source("hours.csv", "started_views") + " by `weekday` (1 = Monday) and `hour`.")
        writeViewerLocalHours()

        let peaks = data.concurrency.rows
        guard !peaks.isEmpty else { return }
        heading("Peak audience", depth: 3)
        paragraph(
            "The most views playing at the same instant on each day: a view plays from its first event to its "
                + "last. This is the load a service must carry at its busiest moment"
                + (data.total("peak_views")?.integerValue.map { ": over the period, **\(Human.count($0))** "
                    + "views at once" } ?? "")
                + (data.total("peak_at")?.stringValue.map { ", first at " + Markdown.text($0) } ?? "") + ".")
        table(
            ["Day", "Peak views", "First reached at"],
            peaks.map { [Markdown.text($0["day"]), Human.count($0.count("peak_views")), Markdown.text($0["peak_at"])] },
            rightAligned: [1], limit: 31, csv: "concurrency.csv")
        source(Markdown.source("concurrency.csv") + ": `peak_views`, `peak_at`.")
        if let top = peaks.max(by: { $0.count("peak_views") < $1.count("peak_views") }) {
            exercises.append((
                "On which day did the most views play at the same time, and how many? Use concurrency.csv.",
                Markdown.text(top["day"]) + ", with " + Human.count(top.count("peak_views")) + " views at "
                    + Markdown.text(top["peak_at"]) + " (the first day with the largest `peak_views`)."))
        }
    }
}
