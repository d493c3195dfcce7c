import Testing
@testable import AudienceReading
@testable import AudienceMetrics
@testable import AudienceGenerate
@testable import AudienceKit

/// Runs the whole engine on NDJSON events written to a temporary file.
func tables(_ lines: [String], settings: MetricSettings = MetricSettings(), threads: Int = 1) throws -> AudienceTables {
    try withTemporaryFolder { folder in
        let path = folder + "/events.jsonl"
        try write(lines.joined(separator: "\n") + "\n", to: path)
        let read = Reading.read([InputFile(name: "events.jsonl", path: path)], settings: ReadSettings(threads: threads))
        return AudienceTables(ViewSet(read.events, settings: settings, threads: threads), threads: threads)
    }
}

/// One event line; `extra` is appended inside the object.
func event(_ session: String, _ kind: String, _ ts: String, viewer: String = "v1", title: String = "T1",
           _ extra: String = "") -> String {
    #"{"ts":"\#(ts)","event":"\#(kind)","session_id":"\#(session)","viewer_id":"\#(viewer)","title_id":"\#(title)"\#(extra)}"#
}

func rows(_ table: some CSVRendering) -> [String] { table.cells.map { $0.joined(separator: ",") } }

/// The worked example of docs/metrics.md, number for number.
@Test func workedExampleOfTheDocs() throws {
    let a = #","country":"KR","device":"tv","duration":100"#
    let b = #","country":"US","device":"mobile","subtitle_lang":"en","duration":100"#
    let result = try tables([
        event("A", "start", "2026-11-23T20:00:00Z", a + #","position":0"#),
        event("A", "progress", "2026-11-23T20:00:30Z", a + #","from":0,"to":30"#),
        event("A", "progress", "2026-11-23T20:00:50Z", a + #","from":30,"to":50"#),
        event("A", "stop", "2026-11-23T20:00:51Z", a + #","position":50"#),
        event("B", "progress", "2026-11-23T21:01:00Z", viewer: "v2", b + #","from":0,"to":60"#),
        event("B", "seek", "2026-11-23T21:01:01Z", viewer: "v2", b + #","from":60,"to":95"#),
        event("B", "progress", "2026-11-23T21:01:06Z", viewer: "v2", b + #","from":95,"to":100"#),
        event("B", "complete", "2026-11-23T21:01:07Z", viewer: "v2", b + #","position":100"#),
        event("C", "start", "2026-11-23T22:00:00Z", a + #","position":0"#),
        event("C", "stop", "2026-11-23T22:00:05Z", a + #","position":0"#),
    ], settings: MetricSettings(buckets: 4))
    // views 3; started 2 (A, B); no error, so C is an exit (1), not a failed start (0);
    // viewers v1, v2; watch (50 + 65) / 3600;
    // avg minutes 115 / 2 / 60; completed 1 (B); rate 1/2; pct (2/4 + 2/4) / 2;
    // retention 1, 1, 0, 0 so half life at bucket 2 = 50; runtime views 0.031944 / (100/3600) = 1.15.
    #expect(rows(result.titles) == ["T1,,,,,100,3,2,0,1,2,0.031944,0.958333,1,0.5,0.5,50,1.15"])
    // Plays: A's 0–30 covers midpoints 12.5, and 30–50 covers 37.5; B's 0–60 covers 12.5 and 37.5,
    // 95–100 none. So 2 plays in buckets 0 and 1, each by a different view: ratio 2/2.
    #expect(rows(result.retention) == [
        "T1,0,0,2,1,2,1", "T1,1,25,2,1,2,1", "T1,2,50,0,0,0,0", "T1,3,75,0,0,0,0",
    ])
    // US: B alone, 65 s = 0.018056 h, share 65/115; KR: A and C, one started, 50 s.
    #expect(rows(result.countries) == [
        "US,1,1,1,0.018056,1,0.5,0.565217,1,T1",
        "KR,2,1,1,0.013889,0,0.5,0.434783,0,T1",
    ])
    // No region anywhere: one empty-region group per country, the same numbers.
    #expect(rows(result.regions) == [
        "US,,1,1,1,0.018056,1,0.5,0.565217,1,T1",
        "KR,,2,1,1,0.013889,0,0.5,0.434783,0,T1",
    ])
    #expect(rows(result.devices) == ["mobile,1,1,1,0.018056,1,0.5", "tv,2,1,1,0.013889,0,0.5"])
    // Totals for summary.json: 3 views, 2 started, 1 completed, 115 s.
    #expect(result.totals.rendered().contains(#""watch_hours": 0.031944"#))
    #expect(result.totals.rendered().contains(#""completion_rate": 0.5"#))
    // KR: A started, not completed (50 < 90), 2 of 4 buckets; US: B completed, 2 of 4 buckets.
    #expect(rows(result.languages) == ["KR,,off,1,0.013889,0,0.5", "US,,en,1,0.018056,1,0.5"])
    // 2026-11-23 is a Monday: A starts at 20h, B at 21h, C (not started) at 22h.
    #expect(rows(result.hours) == ["1,20,1,0.013889", "1,21,1,0.018056"])
    #expect(rows(result.daily) == ["2026-11-23,3,2,2,0.031944,0.5,2"])
    #expect(rows(result.cohorts) == ["2026-11-23,0,2,2,1"])
}

/// Unknown runtime: no duration anywhere, so no clamping, no buckets, and
/// empty runtime-based columns; a view that never starts is an exit.
@Test func unknownRuntimeAndAViewThatNeverStarts() throws {
    let result = try tables([
        event("s1", "progress", "2026-11-23T20:00:00Z", #","from":0,"to":120"#),
        event("s2", "start", "2026-11-23T20:05:00Z", viewer: "v2", #","position":0"#),
    ])
    // watch 120 s = 0.033333 h, 2 minutes per started view; completion 0/1.
    #expect(rows(result.titles) == ["T1,,,,,,2,1,0,1,1,0.033333,2,0,0,,,"])
    #expect(result.retention.cells.isEmpty)
}

/// A segment whose `from` is exactly a midpoint reaches it; one whose `to`
/// is exactly a midpoint does not; segments past D are clamped.
@Test func midpointEdgesAndClamping() throws {
    // D = 40, B = 4: midpoints 5, 15, 25, 35.
    let d = #","duration":40"#
    let result = try tables([
        event("s1", "progress", "2026-11-23T20:00:00Z", d + #","from":5,"to":15"#),   // reaches 5, not 15
        event("s2", "progress", "2026-11-23T20:00:00Z", viewer: "v2", d + #","from":30,"to":90"#),  // clamped to 30..40
    ], settings: MetricSettings(buckets: 4))
    // watch 10 + 10 = 20 s; s2 reaches 35 and is completed (40 >= 0.9·40).
    #expect(rows(result.retention) == [
        "T1,0,0,1,0.5,1,0.5", "T1,1,25,0,0,0,0", "T1,2,50,0,0,0,0", "T1,3,75,1,0.5,1,0.5",
    ])
    #expect(rows(result.titles) == ["T1,,,,,40,2,2,0,0,2,0.005556,0.166667,1,0.5,0.25,25,0.5"])
}

/// The most frequent duration wins, a tie goes to the larger; series
/// numbers come from the earliest event that has them.
@Test func runtimeAndSeriesFromEvents() throws {
    let result = try tables([
        event("s1", "start", "2026-11-23T20:00:00Z", #","duration":50,"series_id":"S","season":1"#),
        event("s1", "stop", "2026-11-23T20:00:01Z", #","duration":60,"series_id":"S","season":2,"episode":3"#),
        event("s2", "progress", "2026-11-23T20:00:02Z", viewer: "v2", #","duration":60,"from":0,"to":10"#),
        event("s3", "progress", "2026-11-23T20:00:03Z", viewer: "v3", #","duration":50,"from":0,"to":10"#),
    ])
    // durations 50, 60, 60, 50: a tie, so 60. season from the 20:00:00 event (1), episode from 20:00:01 (3).
    #expect(result.titles.cells[0][2...5] == ["S", "1", "3", "60"])
}

/// A catalog title nobody watched is listed with zero views; catalog values
/// replace what events say (runtime 200, not the events' 50).
@Test func catalogTitles() throws {
    let text = "title_id,runtime_s,title_name,series_id,season,episode\n"
        + "T1,200,\"The One, Part \"\"1\"\"\",S,1,1\n"
        + "T9,300,Nobody,S,1,2\n"
    let catalog = try Catalog(bytes: Array(text.utf8), path: "catalog.csv")
    let result = try tables([
        event("s1", "progress", "2026-11-23T20:00:00Z", #","duration":50,"from":0,"to":100"#),
    ], settings: MetricSettings(catalog: catalog))
    // 100 s watched of 200: midpoints 1, 3, ..., 199, so buckets 0..49 reached (0.5);
    // retention drops to 0 at bucket 50; runtime views 0.027778 / (200/3600) = 0.5.
    #expect(result.titles.cells[0] == [
        "T1", "The One, Part \"1\"", "S", "1", "1", "200", "1", "1", "0", "0", "1", "0.027778", "1.666667",
        "0", "0", "0.5", "50", "0.5",
    ])
    #expect(rows(result.titles)[1] == "T9,Nobody,S,1,2,300,0,0,0,0,0,0,,0,,,,0")
}

/// A catalog line with a bad runtime is named by its line number.
@Test func catalogErrorsNameTheLine() {
    let text = "title_id,runtime_s\nT1,100\n\"T2\nstill T2\",abc\n"
    #expect(throws: CatalogError(path: "c.csv", line: 3, message: "runtime_s 'abc' is not a finite number > 0")) {
        try Catalog(bytes: Array(text.utf8), path: "c.csv")
    }
    #expect(throws: CatalogError(path: "c.csv", line: 1, message: "has no runtime_s column")) {
        try Catalog(bytes: Array("title_id\nT1\n".utf8), path: "c.csv")
    }
}

/// Viewers who carry on: episode order, continued_from_previous, from_first.
@Test func seriesCarryOn() throws {
    func ep(_ session: String, _ viewer: String, _ title: String, _ episode: String) -> String {
        event(session, "progress", "2026-11-23T20:00:00Z", viewer: viewer, title: title,
              #","series_id":"S","season":1"# + episode + #","from":0,"to":10"#)
    }
    let result = try tables([
        ep("a1", "v1", "E1", #","episode":1"#), ep("a2", "v2", "E1", #","episode":1"#),
        ep("b1", "v1", "E2", #","episode":2"#),
        ep("c1", "v1", "EX", ""), ep("c2", "v2", "EX", ""),  // no episode number: last
    ])
    // V(E1) = {v1, v2}; V(E2) = {v1}: 1/2 from previous and first; V(EX) = {v1, v2}: 1/1, 2/2.
    #expect(rows(result.series) == ["S,1,1,E1,2,,1", "S,1,2,E2,1,0.5,0.5", "S,1,,EX,2,1,1"])
}

/// Days and hours follow the report's zone across a daylight-saving change:
/// New York left summer time on 2026-11-01 at 06:00 UTC.
@Test func daylightSavingAcrossDays() throws {
    let zone = try #require(ReportTimeZone("America/New_York"))
    let result = try tables([
        event("s1", "progress", "2026-10-31T12:00:00Z", #","from":0,"to":10"#),  // 08:00 EDT, Saturday
        event("s2", "progress", "2026-11-02T12:00:00Z", #","from":0,"to":10"#),  // 07:00 EST, Monday
    ], settings: MetricSettings(timeZone: zone))
    #expect(rows(result.hours) == ["1,7,1,0.002778", "6,8,1,0.002778"])
    // The viewer's cohort is 2026-10-31; the last day with a view is 2026-11-02.
    #expect(rows(result.cohorts) == ["2026-10-31,0,1,1,1", "2026-10-31,1,1,0,0", "2026-10-31,2,1,1,1"])
}

/// A viewer whose first view is on the last day has a one-row cohort.
@Test func viewerFirstSeenOnTheLastDay() throws {
    let result = try tables([
        event("s1", "progress", "2026-11-01T12:00:00Z", #","from":0,"to":10"#),
        event("s2", "progress", "2026-11-02T12:00:00Z", viewer: "v2", #","from":0,"to":10"#),
    ])
    #expect(rows(result.cohorts) == [
        "2026-11-01,0,1,1,1", "2026-11-01,1,1,0,0", "2026-11-02,0,1,1,1",
    ])
    #expect(rows(result.daily).map { $0.split(separator: ",").last ?? "" } == ["1", "1"])
}
