import Foundation
import Testing

@testable import AudienceMetrics
@testable import SVGCharts
@testable import AudienceReport
@testable import AudienceStore
@testable import AudienceGenerate

// Issue 16: what the course report said that its own charts and tables
// contradicted, each pinned by a case small enough to check by hand.

/// `count` started views of title T (runtime 600 s) by distinct viewers,
/// all at `ts`, in `country`.
private func views(
    _ count: Int, at ts: String, title: String = "T", country: String = "KR", region: String = "", prefix: String = "v"
) -> [String] {
    (0..<count).flatMap { number -> [String] in
        let session = "\(prefix)\(number)-\(ts)-\(title)"
        let place = #","country":"\#(country)","region":"\#(region)""#
        return [
            event(session, "start", ts, viewer: "\(prefix)\(number)", title: title, place + #","duration":600"#),
            event(session, "progress", ts, viewer: "\(prefix)\(number)", title: title,
                  place + #","from":0,"to":300,"duration":600"#),
        ]
    }
}

/// The text elements of an SVG, in order.
private func svgTexts(_ svg: String) -> [String] {
    var texts: [String] = []
    var rest = svg[...]
    while let open = rest.range(of: "<text") {
        guard let close = rest[open.upperBound...].firstIndex(of: ">"),
              let end = rest[close...].range(of: "</text>") else { break }
        texts.append(String(rest[rest.index(after: close)..<end.lowerBound]))
        rest = rest[end.upperBound...]
    }
    return texts
}

/// r16: the weekday-by-hour map dropped every count of 100 or more (three
/// digits did not fit a cell 26 px wide) while the text said each cell
/// shows its count; and "each" followed a single busiest hour.
@Test func r16HeatMapShowsCountsOfHundredsAndSaysEachOnlyForSeveral() throws {
    let files = try outputs(views(191, at: "2026-11-25T00:10:00Z") + views(3, at: "2026-11-26T10:00:00Z", prefix: "w"),
                            level: .intermediate)
    let svg = try #require(files["charts/weekday-hour.svg"])
    #expect(svgTexts(svg).contains("191"))
    let report = try #require(files["report.md"])
    #expect(report.contains("Each cell shows its count"))
    #expect(report.contains("The busiest hour of the week is Wednesday 00:00, with 191 started views over the period."))
    #expect(!report.contains("191 started views each"))
}

/// The grid itself: hours down and weekdays across leave room for counts
/// up to six digits with separators in every cell.
@Test func r16WeekGridFitsLargeCounts() {
    let grid = (0..<24).map { hour in (0..<7).map { Double?(Double(100_000 + 1_234 * hour + $0)) } }
    let map = HeatMap(
        title: "t", description: "d", rows: (0..<24).map { "\($0):00" }, columns: ReportWriter.shortWeekdays,
        values: grid, rowAxisLabel: "Hour", columnAxisLabel: "Weekday",
        scale: ChartAxis(label: "Started views", format: .integer), showsValues: true, maximumCellHeight: 18)
    #expect(map.unlabelledCells == 0)
    #expect(svgTexts(map.svg()).contains("128,382"))
    // The old layout (weekdays down, 24 hours across) could not.
    let old = HeatMap(
        title: "t", description: "d", rows: ReportWriter.weekdays, columns: (0..<24).map { pad($0, 2) },
        values: (0..<7).map { _ in (0..<24).map { _ in Double?(191) } }, rowAxisLabel: "Weekday",
        columnAxisLabel: "Hour", scale: ChartAxis(label: "Started views", format: .integer), showsValues: true)
    #expect(old.unlabelledCells == 7 * 24)
}

/// r16: "30 seconds in" was measured at the middle of the bucket holding
/// second 30 (42 s for a runtime of 280 s in 10 buckets) and said so only
/// at the end of the sentence.
@Test func r16ThirtySecondsSaysFirstWhereItIsMeasured() throws {
    let lines = (0..<4).flatMap { number in
        [event("s\(number)", "progress", "2026-11-23T20:00:00Z", viewer: "v\(number)",
               #","from":0,"to":\#(100 + 40 * number),"duration":280"#)]
    }
    let report = try #require(try outputs(lines, level: .entry)["report.md"])
    #expect(report.contains("**30 seconds in, measured at 0:42**: 100.0% of the started views are still watching"))
    #expect(report.contains("second 30 falls in the part from 0:28 to 0:56 (bucket 1)"))
}

/// r16: the cohort triangle's last diagonal was a day the logs cover up to
/// 03:10 only, and looked like every cohort collapsing.
@Test func r16PartialLastDayIsLeftOutOfTheCohortTriangle() throws {
    let lines = views(2, at: "2026-11-23T10:00:00Z") + views(1, at: "2026-11-24T12:00:00Z")
        + [event("late", "progress", "2026-11-25T03:10:00Z", viewer: "v0", #","from":0,"to":10,"duration":600"#)]
    let files = try outputs(lines, level: .advanced)
    // cohorts.csv keeps the diagonal: 1 of 2 came back on the 25th.
    #expect(files["cohorts.csv"]?.contains("2026-11-23,2,2,1,0.5") == true)
    let svg = try #require(files["charts/cohorts.svg"])
    let report = try #require(files["report.md"])
    #expect(report.contains("The logs end at 03:10 on 2026-11-25, so that day's returns are partial"))
    // The same with a whole last day: the 23rd's offset 2 (50%) is drawn.
    let whole = try outputs(lines + views(1, at: "2026-11-25T23:30:00Z", prefix: "z"), level: .advanced)
    let wholeSVG = try #require(whole["charts/cohorts.svg"])
    #expect(whole["report.md"]?.contains("returns are partial") == false)
    #expect(svgTexts(wholeSVG).filter { $0 == "50%" }.count == svgTexts(svg).filter { $0 == "50%" }.count + 1)
    #expect(report.contains("The logs cover the first day, 2026-11-23, from 10:00 on and the last day, "
        + "2026-11-25, up to 03:10 only"))
}

/// The coverage itself, on the report's clock.
@Test func dataCoverageFindsPartialDaysOnTheReportsClock() throws {
    let lines = views(1, at: "2026-11-23T00:30:00Z") + views(1, at: "2026-11-24T23:30:00Z", prefix: "w")
    let whole = try outputs(lines, level: .intermediate)
    #expect(whole["report.md"]?.contains("partial") == false)
    // In Seoul (+09:00) the logs run from 09:30 on the 23rd to 08:30 on the 25th.
    let seoul = try outputs(lines, level: .intermediate, zone: "Asia/Seoul")
    #expect(seoul["report.md"]?.contains("The logs cover the first day, 2026-11-23, from 09:30 on and the last "
        + "day, 2026-11-25, up to 08:30 only") == true)
}

/// r16: the daily chart's axis was "day of the period" (1, 2, 3…) instead
/// of dates.
@Test func r16DailyChartIsDated() throws {
    let files = try outputs(sampleLines, catalog: sampleCatalog, level: .intermediate)
    let svg = try #require(files["charts/daily.svg"])
    #expect(svgTexts(svg).contains("Nov\u{00A0}23"))
    #expect(svgTexts(svg).contains("Nov\u{00A0}24"))
    #expect(!svg.contains("Day of the period"))
}

/// r16: top titles were in decimal hours in the chart and in h/min in the
/// table; the chart now writes each bar's value as the table does.
@Test func r16TopTitlesChartWritesWatchTimeAsTheTable() throws {
    let files = try outputs(sampleLines, catalog: sampleCatalog, level: .entry)
    let svg = try #require(files["charts/top-titles.svg"])
    let report = try #require(files["report.md"])
    let table = report.components(separatedBy: "## Top titles")[1].components(separatedBy: "\n\n")
        .first { $0.hasPrefix("| Title") } ?? ""
    let watchTimes = table.split(separator: "\n").dropFirst(2).map { $0.split(separator: "|")[3].trimmingCharacters(in: .whitespaces) }
    #expect(!watchTimes.isEmpty)
    for time in watchTimes { #expect(svgTexts(svg).contains(time), "\(time)") }
    #expect(ChartNumber.hoursAndMinutes(52.721361) == "52\u{00A0}h\u{00A0}43\u{00A0}min")
    #expect(Human.hours(52.721361) == ChartNumber.hoursAndMinutes(52.721361))
}

/// r16: the quality table was eleven columns wide, with `error` last and
/// off-screen; now no table of the account is wider than six columns and
/// the first names the error.
@Test func r16QualityAccountTablesAreNarrowAndShowTheError() throws {
    let files = try outputs(sampleLines + ["{not json}"], catalog: sampleCatalog, level: .advanced)
    let report = try #require(files["report.md"])
    let account = report.components(separatedBy: "## Data quality account")[1].components(separatedBy: "\n## ")[0]
    let headers = account.split(separator: "\n").filter { $0.hasPrefix("| File") }
    #expect(headers.count == 2)
    for header in headers { #expect(header.split(separator: "|").count <= 6, "\(header)") }
    #expect(headers[0].hasSuffix("| Error |"))
    #expect(account.contains("| events.jsonl | 1 | 0 | 0 | 0 | 0 |"))
}

/// r16: the hour map is on the report's clock for viewers in several
/// countries; the report says so.
@Test func r16HourMapSaysItIsOneClockForManyCountries() throws {
    let report = try #require(try outputs(sampleLines, catalog: sampleCatalog, level: .intermediate)["report.md"])
    #expect(report.contains("on the report's clock, UTC: one clock for viewers in 3 countries"))
}

@Test func clockPositionsOfBuckets() throws {
    let clock = try #require(BucketClock(runtime: 280, buckets: 10))
    #expect(clock.start(1) == 28)
    #expect(clock.middle(1) == 42)
    #expect(clock.end(1) == 56)
    #expect(clock.seconds(atPercent: 50) == 140)
    #expect(BucketClock(runtime: nil, buckets: 10) == nil)
    #expect(BucketClock(runtime: 0, buckets: 10) == nil)
    #expect(ChartNumber.clock(42) == "0:42")
    #expect(ChartNumber.clock(3375) == "56:15")
    #expect(ChartNumber.clock(3600) == "1:00:00")
    #expect(ChartNumber.clock(4512.5) == "1:15:13")
}

// MARK: - answers apart

/// The numbered items of a Markdown list paragraph that follows `marker`.
private func numberedItems(_ text: String) -> [String] {
    text.split(separator: "\n").compactMap { line -> String? in
        guard let dot = line.firstIndex(of: "."), Int(line[..<dot]) != nil else { return nil }
        return String(line[line.index(dot, offsetBy: 2)...])
    }
}

/// r16: the answer key sat in the report with the exercises. Now
/// report.md holds the questions and answers.md each question with its
/// answer; no other level writes answers.md.
@Test func r16AnswersAreInTheirOwnFile() throws {
    let files = try outputs(sampleLines, catalog: sampleCatalog, level: .advanced)
    let report = try #require(files["report.md"])
    let answers = try #require(files["answers.md"])
    #expect(!report.contains("Answer key"))
    #expect(!report.contains("**Answer:**"))
    #expect(report.contains("[answers.md](answers.md)"))
    let questions = numberedItems(report.components(separatedBy: "## Exercises")[1].components(separatedBy: "\n## ")[0])
    #expect(questions.count >= 8)
    for question in questions { #expect(answers.contains(question), "\(question)") }
    #expect(answers.components(separatedBy: "**Answer:**").count == questions.count + 1)
    for level in [ReportLevel.entry, .intermediate] {
        #expect(try outputs(sampleLines, catalog: sampleCatalog, level: level)["answers.md"] == nil)
    }
    #expect(CourseReport.fileNames.contains("answers.md"))
}

/// Each answer is the run's own arithmetic on its tables: recomputed here
/// from the CSVs for the title, the day and the country the exercises picked.
@Test func r16AnswersAgreeWithTheTables() throws {
    let files = try outputs(sampleLines, catalog: sampleCatalog, level: .advanced)
    let answers = try #require(files["answers.md"])
    func rows(_ name: String) -> [[String]] {
        (files[name] ?? "").split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }
    // Completion: "Recompute the completion rate of NAME …"
    let completion = try #require(answers.components(separatedBy: "Recompute the completion rate of ").dropFirst().first)
    let name = String(completion.prefix { $0 != " " }.split(separator: " ").first ?? "")
    let title = try #require(rows("titles.csv").first { $0[1].hasPrefix(name) })
    let rate = Human.percent(Double(title[13])! / Double(title[7])!)
    #expect(completion.contains("**Answer:** \(title[13]) ÷ \(title[7]) = \(rate)"))
    // The day: new of unique viewers.
    let dayPart = try #require(answers.components(separatedBy: "On 2026-11-").dropFirst().first)
    let day = try #require(rows("daily.csv").first { $0[0] == "2026-11-" + dayPart.prefix(2) })
    #expect(dayPart.contains("**Answer:** \(day[6]) new of \(day[3])"))
    #expect(dayPart.contains("so \(Int(day[3])! - Int(day[6])!) had watched before"))
    // The country: its watch hours over all.
    let countryPart = try #require(answers.components(separatedBy: "watch time did viewers in ").dropFirst().first)
    let country = try #require(rows("countries.csv").first { countryPart.hasPrefix($0[0] + " ") })
    #expect(countryPart.contains(Human.percent(Double(country[7]))))
}

/// r16: the exercises were one template whatever the data. The title, the
/// day and the country they ask about now follow the data.
@Test func r16ExercisesFollowTheData() throws {
    func questions(_ lines: [String]) throws -> [String] {
        let report = try #require(try outputs(lines, catalog: sampleCatalog, level: .advanced)["report.md"])
        return numberedItems(report.components(separatedBy: "## Exercises")[1].components(separatedBy: "\n## ")[0])
    }
    let base = try questions(sampleLines)
    var differing = 0
    for extra in 1...4 {
        let more = sampleLines + views(extra, at: "2026-11-2\(2 + extra % 3)T12:00:00Z", title: "E2", country: "JP", prefix: "x")
        if try questions(more) != base { differing += 1 }
    }
    #expect(differing >= 3)
    // The same data asks the same questions.
    #expect(try questions(sampleLines) == base)
}

// MARK: - periods compared

/// Before the window (1–2 Nov): A twice in KR, B once in US. In it (3–4
/// Nov): A three times in KR, C once in JP. Each view plays 300 s.
private let comparedLines = views(2, at: "2026-11-01T10:00:00Z", title: "A")
    + views(1, at: "2026-11-02T10:00:00Z", title: "B", country: "US", prefix: "u")
    + views(3, at: "2026-11-03T10:00:00Z", title: "A")
    + views(1, at: "2026-11-04T10:00:00Z", title: "C", country: "JP", prefix: "j")

@Test func periodComparisonAgainstTheSameDaysBefore() throws {
    let files = try outputs(comparedLines, level: .intermediate, from: "2026-11-03", to: "2026-11-04")
    let csv = try #require(files["compare.csv"]).split(separator: "\n").map(String.init)
    #expect(csv[0] == "scope,key,measure,current,previous,change,relative_change,status")
    #expect(csv.contains("total,,views,4,3,1,0.333333,"))
    #expect(csv.contains("total,,unique_viewers,4,3,1,0.333333,"))
    #expect(csv.contains("total,,completion_rate,0,0,0,,"))
    #expect(csv.contains("title,A,watch_hours,0.25,0.166667,0.083333,0.5,"))
    #expect(csv.contains("title,C,views,1,0,1,,new"))
    #expect(csv.contains("title,B,watch_hours,0,0.083333,-0.083333,-1,gone"))
    #expect(csv.contains("country,JP,started_views,1,0,1,,new"))
    #expect(csv.contains("country,US,views,0,1,-1,-1,gone"))
    // Titles by current watch hours, then previous: A, C, B.
    let titleOrder = csv.filter { $0.hasPrefix("title,") && $0.contains(",views,") }.map { $0.split(separator: ",")[1] }
    #expect(titleOrder == ["A", "C", "B"])
    let report = try #require(files["report.md"])
    #expect(report.contains("with the 2 days just before, 2026-11-01 to 2026-11-02"))
    #expect(report.contains("The logs end at 10:00 on 2026-11-04, so this period's last day is partial"))
    #expect(report.contains("| Views | 4 | +1 (+33.3%) |"))
    #expect(report.contains("| Completion rate | 0.0% | ±0.0\u{00A0}pp |"))
    #expect(report.contains("| A | 3 | 3 | 15\u{00A0}min | +5\u{00A0}min (+50.0%) |"))
    #expect(report.contains("| C | 1 | 1 | 5\u{00A0}min | new |"))
    #expect(report.contains("Watched then and not now (**gone**): B (5\u{00A0}min)"))
    #expect(report.contains("| JP | 1 | 1 | 5\u{00A0}min | new |"))
    #expect(report.contains("Countries that watched then and not now (**gone**): US (5\u{00A0}min)"))
}

/// `--from` alone compares up to the last selected day; no window, or no
/// history before it, compares nothing.
@Test func periodComparisonNeedsHistoryBeforeTheWindow() throws {
    let open = try outputs(comparedLines, level: .entry, from: "2026-11-03")
    #expect(open["compare.csv"]?.contains("total,,views,4,3,1,0.333333,") == true)
    for (from, to) in [(nil, nil), ("2026-11-01", "2026-11-04"), (nil, "2026-11-02")] as [(String?, String?)] {
        let files = try outputs(comparedLines, level: .entry, from: from, to: to)
        #expect(files["compare.csv"] == PeriodComparison.header.joined(separator: ",") + "\n")
        #expect(files["report.md"]?.contains("Against the previous period") == false)
    }
    // A previous period the logs cover in part says so.
    let partial = try outputs(comparedLines, level: .entry, from: "2026-11-02", to: "2026-11-04")
    #expect(partial["report.md"]?.contains("The logs only begin on 2026-11-01, so the previous period is partly covered")
        == true)
}

// MARK: - viewer-local time

/// r16: the hour map was only on the report's clock. At 15:00 UTC on a
/// Wednesday it is Thursday 00:00 in Seoul and Wednesday 10:00 in New York;
/// a US view without a region has no single zone and is left out.
@Test func r16ViewerLocalHoursUseTheZoneOfTheCountryOrRegion() throws {
    let lines = views(2, at: "2026-11-25T15:00:00Z", country: "KR")
        + views(1, at: "2026-11-25T15:00:00Z", country: "US", region: "US-NY", prefix: "n")
        + views(1, at: "2026-11-25T15:00:00Z", country: "US", prefix: "u")
    let files = try outputs(lines, level: .intermediate)
    #expect(files["hours.csv"] == "weekday,hour,started_views,watch_hours\n3,15,4,0.333333\n")
    #expect(files["local_hours.csv"] == "weekday,hour,started_views,watch_hours\n3,10,1,0.083333\n4,0,2,0.166667\n")
    let report = try #require(files["report.md"])
    #expect(report.contains("It places 3 started views of 4; the others come from places with no single zone"))
    #expect(report.contains("are left out: US 1."))
    #expect(report.contains("The busiest hour of the week is Thursday 00:00, with 2 started views over the period."))
    #expect(files["charts/weekday-hour-local.svg"] != nil)
    // Daylight saving comes from the zone: in July New York is UTC−4.
    let july = try outputs(views(1, at: "2026-07-01T15:00:00Z", country: "US", region: "US-NY"), level: .entry)
    #expect(july["local_hours.csv"] == "weekday,hour,started_views,watch_hours\n3,11,1,0.083333\n")
    #expect(ViewerLocalHours.zoneName(country: "US", region: "") == nil)
    #expect(ViewerLocalHours.zoneName(country: "FR", region: "FR-IDF") == "Europe/Paris")
    // Every listed zone is one the time zone database knows.
    for name in Array(ViewerLocalHours.countryZones.values) + Array(ViewerLocalHours.regionZones.values) {
        #expect(ReportTimeZone(name) != nil, "\(name)")
    }
}
