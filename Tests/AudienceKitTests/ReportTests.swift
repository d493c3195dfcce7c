import Foundation
import Testing

@testable import AudienceReading
@testable import AudienceMetrics
@testable import AudienceReport
@testable import AudienceKit

// The course reports: sections by level, links that resolve, charts that
// parse, plain words for an empty input, data that cannot break out, and
// Reports/ kept up to date.

/// Runs the engine on NDJSON lines (and an optional catalog) and returns
/// every file `analyze` would write (summary.json aside), by name.
func outputs(
    _ lines: [String], catalog: String? = nil, level: ReportLevel, threads: Int = 1, buckets: Int = 10,
    from: String? = nil, to: String? = nil, zone: String = "UTC"
) throws -> [String: String] {
    try withTemporaryFolder { folder in
        let path = folder + "/events.jsonl"
        try write(lines.joined(separator: "\n") + "\n", to: path)
        let loaded = try catalog.map { try Catalog(bytes: Array($0.utf8), path: "catalog.csv") }
        let metrics = MetricSettings(
            buckets: buckets, timeZone: try #require(ReportTimeZone(zone)), catalog: loaded,
            window: try DayWindow(from: from, to: to))
        let settings = AnalysisSettings(
            inputs: [InputFile(name: "events.jsonl", path: path)], read: ReadSettings(threads: threads),
            metrics: metrics, catalogPath: catalog == nil ? nil : "catalog.csv", reportLevel: level)
        var files: [String: String] = [:]
        for output in Analyzer.outputs(Analyzer.run(settings)) where output.name != "summary.json" {
            files[output.name] = output.text
        }
        return files
    }
}

/// A small but complete data set: two series episodes, a film, three
/// viewers in two countries over two days.
let sampleLines: [String] = {
    var lines: [String] = []
    let viewers = [("v1", "KR", "tv", "ko", "off"), ("v2", "US", "mobile", "en", "es"), ("v3", "US", "web", "en", "off")]
    for (number, (viewer, country, device, audio, subtitles)) in viewers.enumerated() {
        for (titleNumber, title) in ["E1", "E2", "FILM"].enumerated() {
            let session = "\(viewer)-\(title)"
            let extra = #","country":"\#(country)","device":"\#(device)","audio_lang":"\#(audio)","subtitle_lang":"\#(subtitles)""#
            let day = 23 + (number + titleNumber) % 2
            lines.append(event(session, "start", "2026-11-\(day)T2\(titleNumber):00:00Z", viewer: viewer, title: title, extra))
            lines.append(event(session, "progress", "2026-11-\(day)T2\(titleNumber):10:00Z", viewer: viewer, title: title,
                               extra + #","from":0,"to":\#(600 - 100 * number)"#))
        }
    }
    lines.append(event("v1-X", "start", "2026-11-24T08:00:00Z", title: "FILM", #","position":0"#))
    lines.append(event("v1-X", "error", "2026-11-24T08:00:01Z", title: "FILM"))
    return lines
}()

let sampleCatalog = """
    title_id,runtime_s,title_name,series_id,season,episode
    E1,600,Pilot,S1,1,1
    E2,600,Second,S1,1,2
    FILM,600,The Film,,,
    """

@Test(arguments: ReportLevel.allCases)
func eachLevelHasItsSections(level: ReportLevel) throws {
    let report = try #require(try outputs(sampleLines, catalog: sampleCatalog, level: level)["report.md"])
    let entry = ["## The data", "## Headline numbers", "## Did the plays start?", "## Top titles",
                 "## Retention of the most watched title", "### How to read a retention curve", "## Countries",
                 "## Devices", "## Glossary"]
    let intermediate = ["## Retention compared across titles", "## Completion against runtime", "## Regions",
                        "## Localisation: audio and subtitles", "## Daily trend", "## When people watch",
                        "### Peak audience"]
    let advanced = ["## Series: do viewers carry on?", "### Season completion and binge viewing",
                    "## Cohorts: do viewers come back?", "## Hours viewed per runtime against started views",
                    "## The rewatch curve", "## Data quality account", "## Methodology", "## Exercises"]
    for heading in entry { #expect(report.contains(heading), "\(level): \(heading)") }
    for heading in intermediate { #expect(report.contains(heading) == (level >= .intermediate), "\(level): \(heading)") }
    for heading in advanced { #expect(report.contains(heading) == (level >= .advanced), "\(level): \(heading)") }
    // The funnel: 10 views = 9 started + 1 failed (start and error) + 0 exits.
    #expect(report.contains("| failed: an error before anything played | 1 | 10.0% |"))
}

@Test func everyLinkResolvesAndEveryChartParses() throws {
    let files = try outputs(sampleLines, catalog: sampleCatalog, level: .advanced)
    let report = try #require(files["report.md"])
    let targets = linkTargets(report)
    #expect(targets.contains("charts/retention-top.svg"))
    for target in targets { #expect(files[target] != nil, "\(target) is linked but not written") }
    let charts = files.keys.filter { $0.hasPrefix("charts/") }
    #expect(charts.count >= 10)
    for chart in charts {
        let parsed = ParsedSVG(files[chart] ?? "")
        #expect(parsed.succeeded, "\(chart): \(String(describing: parsed.error))")
        #expect(targets.contains(chart), "\(chart) is written but not shown")
    }
}

/// `](target)` of every link and image.
func linkTargets(_ markdown: String) -> Set<String> {
    var targets = Set<String>()
    var rest = markdown[...]
    while let open = rest.range(of: "](") {
        guard let close = rest[open.upperBound...].firstIndex(of: ")") else { break }
        targets.insert(String(rest[open.upperBound..<close]))
        rest = rest[close...]
    }
    return targets
}

@Test func anAllRejectedInputSaysSoWithoutCharts() throws {
    let files = try outputs([#"{"event":"progress"}"#, "{not json}"], level: .advanced)
    let report = try #require(files["report.md"])
    #expect(report.contains("## Nothing to measure"))
    #expect(report.contains("empty but for its header. Look at"))
    #expect(report.contains("2 were rejected"))
    #expect(!files.keys.contains { $0.hasPrefix("charts/") })
    #expect(!report.contains("!["))
}

@Test func textFromDataCannotBreakTheReport() throws {
    let hostile = ["| <script>alert(1)</script>", "](x) [link](javascript:1)", "line\nbreak *bold* _it_ `code`",
                   "$x$ ~~gone~~ &amp; # heading"]
    var lines: [String] = []
    var catalog = "title_id,runtime_s,title_name,series_id\n"
    for (number, name) in hostile.enumerated() {
        let quoted = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        catalog += "T\(number),600,\(quoted),\(quoted)\n"
        let country = name.replacingOccurrences(of: "\n", with: "\\n")
        lines.append(event("s\(number)", "progress", "2026-11-23T20:00:00Z", viewer: "v\(number)", title: "T\(number)",
                           #","from":0,"to":\#(300 + number),"country":"\#(country)","device":"\#(country)""#))
    }
    let files = try outputs(lines, catalog: catalog, level: .advanced)
    let report = try #require(files["report.md"])
    #expect(!report.contains("<script"))
    #expect(!report.contains("](x)"))
    #expect(!report.contains("](javascript"))
    #expect(!report.contains("$x$"))
    // Every table row keeps its columns: no unescaped `|` inside a cell.
    var columns: Int?
    for line in report.split(separator: "\n") {
        guard line.hasPrefix("|") else {
            columns = nil
            continue
        }
        var cells = 0
        var escaped = false
        for character in line {
            if character == "|" && !escaped { cells += 1 }
            escaped = character == "\\" && !escaped
        }
        if let expected = columns { #expect(cells == expected, "\(line)") } else { columns = cells }
    }
    for (name, text) in files where name.hasSuffix(".svg") {
        let parsed = ParsedSVG(text)
        #expect(parsed.succeeded, "\(name)")
        #expect(!parsed.elements.contains("script"), "\(name)")
    }
}

@Test func theReportDoesNotDependOnThreadsOrRuns() throws {
    let one = try outputs(sampleLines, catalog: sampleCatalog, level: .advanced, threads: 1)
    let two = try outputs(sampleLines.reversed(), catalog: sampleCatalog, level: .advanced, threads: 2)
    #expect(one == two)
}

/// Reports/ holds what Scripts/render-reports.sh makes from Datasets/; this
/// fails when a change to the engine or the report leaves it behind.
@Test(arguments: ["clean", "messy"])
func shippedReportsAreUpToDate(sample: String) throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
        .standardized.path
    let folder = root + "/Datasets/" + sample
    let logs = try InputDiscovery.resolve([folder + "/logs"]).map {
        InputFile(name: "logs/" + ($0.name.split(separator: "/").last.map(String.init) ?? $0.name), path: $0.path)
    }
    let catalog = try Catalog(path: folder + "/catalog.csv")
    var settings = AnalysisSettings(
        inputs: logs, read: ReadSettings(threads: 2), metrics: MetricSettings(catalog: catalog),
        catalogPath: "catalog.csv", reportLevel: nil)
    let analysis = Analyzer.run(settings)
    var runs = ReportLevel.allCases.map { (name: $0.rawValue, level: $0, report: analysis) }
    if sample == "clean" {
        // The last four days against the four before (Scripts/render-reports.sh).
        var windowed = settings
        windowed.metrics.window = try DayWindow(from: "2026-11-05", to: "2026-11-08")
        runs.append(("compared", .intermediate, Analyzer.run(windowed)))
    }
    for run in runs {
        settings.reportLevel = run.level
        var report = run.report
        report.settings.reportLevel = run.level
        let expected = Analyzer.outputs(report).filter { $0.name != "summary.json" }
        let shipped = root + "/Reports/\(sample)/\(run.name)"
        let names = try FileManager.default.subpathsOfDirectory(atPath: shipped)
            .filter { !$0.hasSuffix("/") && $0 != "charts" && !$0.hasPrefix("report.html") && !$0.hasPrefix("report.png") }
        #expect(Set(names) == Set(expected.map(\.name)), "Reports/\(sample)/\(run.name): run Scripts/render-reports.sh")
        for output in expected {
            let text = try? String(contentsOfFile: shipped + "/" + output.name, encoding: .utf8)
            #expect(text == output.text, "Reports/\(sample)/\(run.name)/\(output.name) is out of date: run Scripts/render-reports.sh")
        }
    }
}
