import Foundation
import Testing

@testable import AudienceReading
@testable import AudienceMetrics
@testable import AudienceKit

// --from / --to: the tables describe the views whose day lies in the window;
// duplicates, title facts, first views, concurrency and quality come from the
// whole history. Each case is small enough to check by hand.

private func windowEvent(
    _ session: String, _ kind: String, _ ts: String, viewer: String = "v1", title: String = "T", _ extra: String = ""
) -> String {
    #"{"ts":"\#(ts)","event":"\#(kind)","session_id":"\#(session)","viewer_id":"\#(viewer)","title_id":"\#(title)"\#(extra)}"#
}

/// Every output of a run over `lines`, by name, with the window given.
private func outputs(
    _ lines: [String], from: String? = nil, to: String? = nil, catalog: String? = nil, zone: String = "UTC"
) throws -> [String: String] {
    try withTemporaryFolder { folder in
        let path = folder + "/events.jsonl"
        try write(lines.joined(separator: "\n") + "\n", to: path)
        let loaded = try catalog.map { try Catalog(bytes: Array($0.utf8), path: "catalog.csv") }
        let metrics = MetricSettings(
            buckets: 4, timeZone: try #require(ReportTimeZone(zone)), catalog: loaded,
            window: try DayWindow(from: from, to: to))
        let settings = AnalysisSettings(
            inputs: [InputFile(name: "events.jsonl", path: path)], metrics: metrics, reportLevel: .advanced)
        var files: [String: String] = [:]
        for output in Analyzer.outputs(Analyzer.run(settings)) { files[output.name] = output.text }
        return files
    }
}

private func lines(_ table: String?) -> [String] {
    Array((table ?? "").split(separator: "\n").dropFirst().map(String.init))
}

private func progress(_ from: Int, _ to: Int, duration: Int = 100) -> String {
    #","from":\#(from),"to":\#(to),"duration":\#(duration)"#
}

/// v1 starts on the 1st, before the window, and comes back on the 3rd; v2
/// starts on the 3rd. Only v2 is new in the window; v1 is in no cohort of it.
@Test func aViewerNewBeforeTheWindowIsNotNewInIt() throws {
    let files = try outputs([
        windowEvent("a", "progress", "2026-11-01T10:00:00Z", viewer: "v1", progress(0, 50)),
        windowEvent("b", "progress", "2026-11-03T10:00:00Z", viewer: "v1", progress(0, 50)),
        windowEvent("c", "progress", "2026-11-03T11:00:00Z", viewer: "v2", progress(0, 50)),
        windowEvent("d", "progress", "2026-11-04T11:00:00Z", viewer: "v2", progress(0, 50)),
    ], from: "2026-11-02")
    // day, views, started, unique viewers, watch hours, completion, new viewers
    #expect(lines(files["daily.csv"]) == [
        "2026-11-03,2,2,2,0.027778,0,1",
        "2026-11-04,1,1,1,0.013889,0,0",
    ])
    // Cohort days in the window only; offsets up to the last selected day.
    #expect(lines(files["cohorts.csv"]) == ["2026-11-03,0,1,1,1", "2026-11-03,1,1,1,1"])
    #expect(lines(files["titles.csv"]).first?.hasPrefix("T,,,,,100,3,3,0,0,2,") == true)
    // The whole history's lines are accounted for.
    #expect(lines(files["quality.csv"]).first?.hasPrefix("events.jsonl,") == true)
    #expect(files["quality.csv"]?.contains(",4,4,0,0,0,0,0,0,,") == true)
    let summary = try JSONSerialization.jsonObject(with: Data((files["summary.json"] ?? "").utf8)) as? [String: Any]
    let window = summary?["window"] as? [String: Any]
    #expect(window?["from"] as? String == "2026-11-02")
    #expect(window?["to"] is NSNull)
    #expect((summary?["audience"] as? [String: Any])?["views"] as? Int == 3)
    #expect(files["report.md"]?.hasPrefix("# Audience report: from 2026-11-02") == true)
}

/// A view that starts before the window and plays on past midnight into
/// it: not a selected view, but it is playing at the window's first instant.
@Test func aViewCrossingMidnightIntoTheWindowCountsAsPlaying() throws {
    let files = try outputs([
        windowEvent("early", "start", "2026-11-01T23:50:00Z", viewer: "v1", #","position":0"#),
        windowEvent("early", "progress", "2026-11-02T00:20:00Z", viewer: "v1", progress(0, 100, duration: 3000)),
        windowEvent("late", "start", "2026-11-02T00:10:00.000+00:00", viewer: "v2", #","position":0"#),
        windowEvent("late", "progress", "2026-11-02T00:15:00Z", viewer: "v2", progress(0, 50, duration: 3000)),
    ], from: "2026-11-02", to: "2026-11-02")
    // Only the late view is selected, but at 00:10 both play.
    #expect(lines(files["daily.csv"]) == ["2026-11-02,1,1,1,0.013889,0,1"])
    #expect(lines(files["concurrency.csv"]) == ["2026-11-02,2,2026-11-02T00:10:00.000+00:00"])
    // The same row as a run without a window writes for that day.
    let whole = try outputs([
        windowEvent("early", "start", "2026-11-01T23:50:00Z", viewer: "v1", #","position":0"#),
        windowEvent("early", "progress", "2026-11-02T00:20:00Z", viewer: "v1", progress(0, 100, duration: 3000)),
        windowEvent("late", "start", "2026-11-02T00:10:00.000+00:00", viewer: "v2", #","position":0"#),
        windowEvent("late", "progress", "2026-11-02T00:15:00Z", viewer: "v2", progress(0, 50, duration: 3000)),
    ])
    #expect(lines(whole["concurrency.csv"]).last == "2026-11-02,2,2026-11-02T00:10:00.000+00:00")
}

/// The runtime comes from every duration of the history: three views
/// outside the window say 100 s, the one inside says 200 s.
@Test func aTitlesRuntimeIsSetByViewsOutsideTheWindow() throws {
    var events: [String] = []
    for (index, day) in ["01", "02", "03"].enumerated() {
        events.append(windowEvent("s\(index)", "progress", "2026-11-\(day)T10:00:00Z", viewer: "v\(index)", progress(0, 50)))
    }
    events.append(windowEvent("in", "progress", "2026-11-05T10:00:00Z", viewer: "v9", progress(0, 60, duration: 200)))
    let files = try outputs(events, from: "2026-11-05")
    let title = try #require(lines(files["titles.csv"]).first).split(separator: ",", omittingEmptySubsequences: false)
    #expect(title[5] == "100")  // runtime_s from the history
    #expect(title[6] == "1")  // views: the selected one
    // Clamped into [0, 100]: 60 s played of 100 reaches buckets 0 and 1 of 4.
    #expect(lines(files["retention.csv"]).map { $0.split(separator: ",").prefix(5).joined(separator: ",") } == [
        "T,0,0,1,1", "T,1,25,1,1", "T,2,50,0,0", "T,3,75,0,0",
    ])
}

/// A window with no view: headers only, but the catalog's titles with zero
/// views, and the quality account of everything read.
@Test func anEmptyWindowIsNotAnError() throws {
    let catalog = "title_id,runtime_s,title_name\nT,100,The One\nU,50,Unwatched\n"
    let files = try outputs([windowEvent("a", "progress", "2026-11-01T10:00:00Z", progress(0, 50))],
                            from: "2027-01-01", to: "2027-01-31", catalog: catalog)
    for table in AudienceTables.fileNames where table != "titles.csv" {
        #expect(lines(files[table]).isEmpty, "\(table)")
        #expect(files[table]?.isEmpty == false, "\(table) has its header")
    }
    #expect(lines(files["titles.csv"]).map { String($0.prefix(while: { $0 != "," })) }.sorted() == ["T", "U"])
    #expect(lines(files["titles.csv"]).allSatisfy { $0.contains(",0,0,0,0,0,0,") })
    #expect(files["quality.csv"]?.contains("events.jsonl,") == true)
    #expect(files["report.md"]?.hasPrefix("# Audience report: 2027-01-01 to 2027-01-31 (no views)") == true)
    // The report says which table is not empty, and why.
    #expect(files["report.md"]?.contains("except [titles.csv](titles.csv), which lists the 2 titles of the catalog") == true)
}

/// A window around everything writes what no window writes (summary aside).
@Test func aWindowAroundEverythingChangesNoTable() throws {
    let events = [
        windowEvent("a", "progress", "2026-11-01T10:00:00Z", viewer: "v1", progress(0, 50)),
        windowEvent("b", "progress", "2026-11-03T23:59:59Z", viewer: "v2", progress(10, 90)),
        windowEvent("c", "error", "2026-11-02T10:00:00Z", viewer: "v3"),
    ]
    let plain = try outputs(events, zone: "America/New_York")
    let windowed = try outputs(events, from: "2026-10-31", to: "2026-11-03", zone: "America/New_York")
    for table in AudienceTables.fileNames + ["quality.csv", "rejects.csv"] {
        #expect(plain[table] == windowed[table], "\(table)")
    }
}

/// Days are the report's time zone's: 02:00 UTC on the 2nd is still the
/// 1st in New York.
@Test func windowDaysAreInTheReportsZone() throws {
    let events = [windowEvent("a", "progress", "2026-11-02T02:00:00Z", progress(0, 50))]
    #expect(lines(try outputs(events, from: "2026-11-02", zone: "America/New_York")["daily.csv"]).isEmpty)
    #expect(lines(try outputs(events, to: "2026-11-01", zone: "America/New_York")["daily.csv"]).count == 1)
}

@Test(arguments: [
    ("2026-2-01", "", "--from '2026-2-01' is not a date written YYYY-MM-DD"),
    ("2026-02-30", "", "--from '2026-02-30' is not a date written YYYY-MM-DD"),
    ("", "26-02-01", "--to '26-02-01' is not a date written YYYY-MM-DD"),
    ("2026-03-02", "2026-03-01", "--from 2026-03-02 is after --to 2026-03-01"),
])
func impossibleWindowsAreRefused(fromText: String, toText: String, message: String) {
    let from = fromText.isEmpty ? nil : fromText, to = toText.isEmpty ? nil : toText
    #expect(throws: WindowError(message: message)) { try DayWindow(from: from, to: to) }
}
