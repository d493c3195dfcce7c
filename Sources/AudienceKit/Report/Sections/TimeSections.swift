/// When people watch: the daily trend, the weekday-by-hour heat map and
/// the peak audience of each day.
extension ReportWriter {
    mutating func writeDailyTrend() {
        let days = data.daily.rows
        guard !days.isEmpty else { return }
        heading("Daily trend")
        paragraph(
            "Started views and new viewers (people whose first started view of the period falls on that day) "
                + "for each day, by the day each view started. Day 1 is \(Markdown.text(days[0]["day"])). On the "
                + "first day every viewer is new; a healthy service keeps its started views up as new viewers "
                + "fall. The first and last days of the logs are often partial (logging starts or stops during "
                + "the day), so compare whole days.")
        chart("daily", svg: LineChart(
            title: "Started views and new viewers per day",
            description: "Line chart with two lines over the days of the period: started views and new viewers.",
            x: ChartAxis(
                label: "Day of the period (1 = \(days[0]["day"]))",
                range: 1...max(2, days.last.map { dayNumber($0) } ?? 2),
                format: .integer),
            y: ChartAxis(label: "Views or viewers per day", format: .integer),
            series: [
                LineSeries(name: "Started views", points: days.map { (dayNumber($0), Double($0.count("started_views"))) }),
                LineSeries(name: "New viewers", points: days.map { (dayNumber($0), Double($0.count("new_viewers"))) }),
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

    /// A daily.csv row's day as a number from the first day (1).
    func dayNumber(_ row: TableRecords.Record) -> Double {
        Double((Self.dayIndex(row["day"]) ?? 0) - (data.daily.rows.first.flatMap { Self.dayIndex($0["day"]) } ?? 0) + 1)
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

    mutating func writeWhenPeopleWatch() {
        heading("When people watch")
        var grid = [[Double?]](repeating: [Double?](repeating: 0, count: 24), count: 7)
        var most = 0
        for row in data.hours.rows {
            let weekday = row.count("weekday"), hour = row.count("hour"), views = row.count("started_views")
            guard (1...7).contains(weekday), (0...23).contains(hour) else { continue }
            grid[weekday - 1][hour] = Double(views)
            most = max(most, views)
        }
        var busiest: [String] = []
        for weekday in 0..<7 {
            for hour in 0..<24 where most > 0 && grid[weekday][hour] == Double(most) {
                busiest.append("\(Self.weekdays[weekday]) \(pad(hour, 2)):00")
            }
        }
        var text = "Started views by the weekday and hour they started, in \(Markdown.text(zoneName)); each cell "
            + "shows its count, and darker cells are busier."
        if !busiest.isEmpty {
            text += " The busiest " + (busiest.count == 1 ? "hour of the week is " : "hours of the week are ")
                + busiest.prefix(6).joined(separator: ", ") + (busiest.count > 6 ? " and others" : "")
                + ", with \(Human.plural(most, "started view")) each over the period."
        }
        text += " " + weekdayCounts()
        paragraph(text)
        chart("weekday-hour", svg: HeatMap(
            title: "Started views by weekday and hour",
            description: "Heat map with a row per weekday (Monday to Sunday) and a column per hour (0 to 23); "
                + "the darker the cell, the more views started then.",
            rows: Self.weekdays,
            columns: (0..<24).map { pad($0, 2) },
            values: grid,
            rowAxisLabel: "Weekday", columnAxisLabel: "Hour of the day (\(zoneName))",
            scale: ChartAxis(label: "Started views", format: .integer),
            showsValues: true
        ).svg(), alt: "Heat map of started views by weekday and hour; the numbers are in hours.csv.")
        source(Markdown.source("hours.csv", "started_views") + " by `weekday` (1 = Monday) and `hour`.")

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
