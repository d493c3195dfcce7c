import Testing
@testable import AudienceReading
@testable import AudienceMetrics

// Hand-computed cases for `metrics-beyond.md`: the start funnel, the rewatch
// curve, moments.csv, concurrency.csv, the localisation effect and
// series_summary.csv.

/// A view of only `start` and `error` failed to start; one without an error
/// is an exit; an error in a view that started changes nothing.
@Test func startFunnel() throws {
    let d = #","duration":100"#
    let result = try tables([
        event("f", "start", "2026-11-23T20:00:00Z", d + #","position":0"#),
        event("f", "error", "2026-11-23T20:00:02Z", d),
        event("x", "start", "2026-11-23T20:00:00Z", viewer: "v2", d + #","position":0"#),
        event("x", "stop", "2026-11-23T20:00:09Z", viewer: "v2", d + #","position":0"#),
        event("s", "progress", "2026-11-23T20:00:30Z", viewer: "v3", d + #","from":0,"to":30"#),
        event("s", "error", "2026-11-23T20:00:31Z", viewer: "v3", d),
    ])
    // views 3 = started 1 (s) + failed 1 (f) + exits 1 (x).
    #expect(result.titles.cells[0][6...9] == ["3", "1", "1", "1"])
    let totals = result.totals.rendered()
    #expect(totals.contains(#""failed_starts": 1"#))
    #expect(totals.contains(#""exits_before_start": 1"#))
}

/// D = 40, B = 4: midpoints 5, 15, 25, 35. One view plays 0–20 once and
/// 10–20 twice more: bucket 1 (midpoint 15) is played three times.
@Test func aSegmentReplayedThreeTimes() throws {
    let d = #","duration":40"#
    let result = try tables([
        event("s", "progress", "2026-11-23T20:00:20Z", d + #","from":0,"to":20"#),
        event("s", "progress", "2026-11-23T20:00:30Z", d + #","from":10,"to":20"#),
        event("s", "progress", "2026-11-23T20:00:40Z", d + #","from":10,"to":20"#),
        event("t", "progress", "2026-11-23T20:00:20Z", viewer: "v2", d + #","from":0,"to":40"#),
    ], settings: MetricSettings(buckets: 4))
    // R = 2, 2, 1, 1 (t reaches all four, s the first two);
    // P = 2, 4, 1, 1 (s: 1 + 3 in bucket 1); watch ratio P / 2.
    #expect(rows(result.retention) == [
        "T1,0,0,2,1,2,1", "T1,1,25,2,1,4,2", "T1,2,50,1,0.5,1,0.5", "T1,3,75,1,0.5,1,0.5",
    ])
    // intro: floor(30·4 / 40) = 3, R(3)/2 = 0.5; steepest drop: R(1) − R(2) = 1 at
    // bucket 2, 1/2; most replayed: P − R = 0, 2, 0, 0, so bucket 1, 4/2 = 2.
    #expect(rows(result.moments) == ["T1,3,0.5,2,0.5,1,2"])
}

/// A flat curve, one that never falls, and titles of 30 s or less.
@Test func curvesThatDoNotFallAndShortTitles() throws {
    let result = try tables([
        // FLAT, D = 40: both views watch everything once. R = P = 2, 2, 2, 2.
        event("a", "progress", "2026-11-23T20:00:00Z", title: "FLAT", #","duration":40,"from":0,"to":40"#),
        event("b", "progress", "2026-11-23T20:00:00Z", viewer: "v2", title: "FLAT", #","duration":40,"from":0,"to":40"#),
        // RISE, D = 40: one view from 0, one joins at 20. R = 1, 1, 2, 2.
        event("c", "progress", "2026-11-23T20:00:00Z", title: "RISE", #","duration":40,"from":0,"to":40"#),
        event("d", "progress", "2026-11-23T20:00:00Z", viewer: "v2", title: "RISE", #","duration":40,"from":20,"to":40"#),
        // S20 and S30: no second 30 inside a title of 20 or 30 s.
        event("e", "progress", "2026-11-23T20:00:00Z", title: "S20", #","duration":20,"from":0,"to":10"#),
        event("f", "progress", "2026-11-23T20:00:00Z", title: "S30", #","duration":30,"from":0,"to":30"#),
    ], settings: MetricSettings(buckets: 4))
    #expect(rows(result.moments) == [
        "FLAT,3,1,,,,",  // intro 3, R(3)/2 = 1; never falls; never replayed
        "RISE,3,1,,,,",  // R(3) = 2 of 2 started
        // S20: intro empty; R = 1, 1, 0, 0: the drop at bucket 2 is 1 of 1.
        "S20,,,2,1,,",
        "S30,,,,,,",
    ])
}

/// A view crossing midnight counts on both days; the peak is the first
/// instant that reaches it.
@Test func concurrencyAcrossMidnight() throws {
    let result = try tables([
        event("a", "start", "2026-11-23T23:50:00Z", #","position":0"#),
        event("a", "stop", "2026-11-24T00:10:00Z", #","position":0"#),
        event("b", "start", "2026-11-24T00:05:00Z", viewer: "v2", #","position":0"#),
        event("b", "stop", "2026-11-24T00:20:00Z", viewer: "v2", #","position":0"#),
        // c ends the instant d starts: both play then (both ends included).
        event("c", "start", "2026-11-24T09:00:00Z", viewer: "v3", #","position":0"#),
        event("c", "stop", "2026-11-24T09:30:00Z", viewer: "v3", #","position":0"#),
        event("d", "start", "2026-11-24T09:30:00Z", viewer: "v4", #","position":0"#),
        event("e", "start", "2026-11-24T09:30:00Z", viewer: "v5", #","position":0"#),
    ])
    // 23rd: a alone from 23:50. 24th: a still plays at 00:00 (1), b joins at
    // 00:05 (2); at 09:30 c, d and e play (3).
    #expect(rows(result.concurrency) == [
        "2026-11-23,1,2026-11-23T23:50:00.000+00:00",
        "2026-11-24,3,2026-11-24T09:30:00.000+00:00",
    ])
    let totals = result.totals.rendered()
    #expect(totals.contains(#""peak_views": 3"#))
    #expect(totals.contains(#""peak_at": "2026-11-24T09:30:00.000+00:00""#))
}

/// New York falls back on 2026-11-01 at 06:00 UTC (02:00 EDT → 01:00 EST):
/// the day starts at 04:00 UTC, and its peak is written with the offset of
/// its instant.
@Test func concurrencyOnADayWhoseClocksChange() throws {
    let zone = try #require(ReportTimeZone("America/New_York"))
    let result = try tables([
        // Oct 31 23:59 EDT until Nov 1 00:30 EDT.
        event("x", "start", "2026-11-01T03:59:00Z", #","position":0"#),
        event("x", "stop", "2026-11-01T04:30:00Z", #","position":0"#),
        // 01:30 EST (the second 01:30 of the day) for a minute, and another half a minute later.
        event("y", "start", "2026-11-01T06:30:00Z", viewer: "v2", #","position":0"#),
        event("y", "stop", "2026-11-01T06:31:00Z", viewer: "v2", #","position":0"#),
        event("z", "start", "2026-11-01T06:30:30Z", viewer: "v3", #","position":0"#),
    ], settings: MetricSettings(timeZone: zone))
    #expect(rows(result.concurrency) == [
        "2026-10-31,1,2026-10-31T23:59:00.000-04:00",
        "2026-11-01,2,2026-11-01T01:30:30.000-05:00",
    ])
}

/// A day's first instant where clocks skip midnight (São Paulo, 2018-11-04:
/// 00:00 → 01:00) or fall back over it (Beirut, 2025-10-26: 00:00 → 23:00
/// the day before, so the 26th begins an hour later).
@Test func firstInstantOfADay() throws {
    func day(_ year: Int, _ month: Int, _ dayOfMonth: Int) -> Int64 {
        Int64(Timestamp.daysFromCivil(year: year, month: month, day: dayOfMonth)) * 86_400_000
    }
    let saoPaulo = try #require(ReportTimeZone("America/Sao_Paulo"))
    let first = saoPaulo.firstInstant(atOrAfterLocal: day(2018, 11, 4))
    #expect(first == day(2018, 11, 4) + 3 * 3_600_000)
    #expect(saoPaulo.timestamp(first) == "2018-11-04T01:00:00.000-02:00")
    let beirut = try #require(ReportTimeZone("Asia/Beirut"))
    #expect(beirut.firstInstant(atOrAfterLocal: day(2025, 10, 26)) == day(2025, 10, 25) + 22 * 3_600_000)
    let newYork = try #require(ReportTimeZone("America/New_York"))
    #expect(newYork.firstInstant(atOrAfterLocal: day(2026, 11, 1)) == day(2026, 11, 1) + 4 * 3_600_000)
    let fixed = try #require(ReportTimeZone("+09:00"))
    #expect(fixed.firstInstant(atOrAfterLocal: day(2026, 11, 1)) == day(2026, 11, 1) - 9 * 3_600_000)
    #expect(fixed.timestamp(day(2026, 11, 1)) == "2026-11-01T09:00:00.000+09:00")
}

/// v1 starts three episodes on one day and completes them all; v2 spreads
/// them over three days and completes two.
@Test func seasonCompletionAndBingeViewing() throws {
    func episode(_ session: String, _ viewer: String, _ number: Int, _ day: Int, to: Int) -> String {
        event(session, "progress", "2026-11-2\(day)T20:00:00Z", viewer: viewer, title: "E\(number)",
              #","series_id":"S","season":1,"episode":\#(number),"duration":100,"from":0,"to":\#(to)"#)
    }
    let result = try tables([
        episode("a1", "v1", 1, 1, to: 100), episode("a2", "v1", 2, 1, to: 95), episode("a3", "v1", 3, 1, to: 90),
        episode("b1", "v2", 1, 1, to: 100), episode("b2", "v2", 2, 2, to: 100), episode("b3", "v2", 3, 3, to: 50),
        // A single view of another series: one viewer, no binge, not completed.
        event("c1", "progress", "2026-11-21T20:00:00Z", viewer: "v3", title: "O1",
              #","series_id":"O","episode":1,"duration":100,"from":0,"to":10"#),
    ])
    // O: 1 episode, 1 viewer, 1 episode each, 0 completed all, 0 binge.
    // S: 3 episodes, 2 viewers, (3 + 3) / 2 = 3 each; v1 completed all (1 of 2);
    // v1 started 3 on the 21st, v2 at most 1 a day: 1 binge viewer of 2.
    #expect(rows(result.seriesSummary) == ["O,1,1,1,0,0,0,0", "S,3,2,3,1,0.5,1,0.5"])
}
