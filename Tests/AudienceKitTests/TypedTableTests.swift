import Testing
@testable import AudienceReading
@testable import AudienceMetrics
@testable import AudienceKit

// Typed tables: each table's header is its column list, rows hold numbers
// as written, and the figures the report states beside the tables are
// computed (and checked here) in the metrics.

// MARK: - Numbers as written

/// Parsing the written text back, the definition `written` shortcuts.
private func parsedBack(_ value: Double) -> Double? { Double(NumberFormat.decimal(value)) }

@Test func writtenIsTheWrittenTextReadBack() {
    var random = SeededGenerator(seed: 10)
    let special: [Double] = [
        0, -0.0, 0.0000005, -0.0000005, 0.00000049999, 2.5e-7, 1.0000005, 123456789.1234565, 9.9999995e8,
        1e9 + 0.5e-6, 1e15, 1e16 + 2, 1e300, -1e-300, .ulpOfOne, 1.0 / 3, 2.0 / 3, 100.0 / 7,
    ]
    var values = special
    for _ in 0..<20_000 {
        let magnitude = Double(Int.random(in: -18...18, using: &random))
        let sign: Double = Bool.random(using: &random) ? 1 : -1
        values.append(sign * Double.random(in: 0..<1, using: &random) * pow10(magnitude))
    }
    for value in values {
        let written = NumberFormat.written(value)
        #expect(written == parsedBack(value), "\(value)")
        // Written again, the same digits: rows can hold written values.
        if let written { #expect(NumberFormat.decimal(written) == NumberFormat.decimal(value), "\(value)") }
    }
    #expect(NumberFormat.written(.infinity) == nil)
    #expect(NumberFormat.written(.nan) == nil)
    #expect(NumberFormat.written(nil as Double?) == nil)
}

private func pow10(_ exponent: Double) -> Double {
    var result = 1.0
    for _ in 0..<Int(abs(exponent)) { result *= 10 }
    return exponent < 0 ? 1 / result : result
}

// MARK: - Headers and column lists

/// The tables of a small run with a window, a catalog-free series and two
/// countries, so that every table has rows.
private func sampleTables() throws -> AudienceTables {
    let kr = #","country":"KR","region":"KR-11","device":"tv","duration":100,"series_id":"S","season":1"#
    let us = #","country":"US","device":"mobile","subtitle_lang":"en","duration":100"#
    return try tables([
        event("A", "progress", "2026-11-22T20:00:30Z", title: "E1", kr + #","episode":1,"from":0,"to":80"#),
        event("B", "progress", "2026-11-23T20:00:30Z", title: "E1", kr + #","episode":1,"from":0,"to":100"#),
        event("C", "progress", "2026-11-23T21:00:30Z", title: "E2", kr + #","episode":2,"from":0,"to":30"#),
        event("D", "progress", "2026-11-23T22:00:00Z", viewer: "v2", us + #","from":0,"to":60"#),
        event("E", "start", "2026-11-24T22:00:00Z", viewer: "v3", us + #","position":0"#),
    ], settings: MetricSettings(buckets: 4, window: try DayWindow(from: "2026-11-23", to: nil)))
}

/// The headers of the contract (docs/metrics.md), file by file.
private let contractHeaders: [String: String] = [
    "titles.csv": "title_id,title_name,series_id,season,episode,runtime_s,views,started_views,failed_starts,"
        + "exits_before_start,unique_viewers,watch_hours,avg_view_minutes,completed_views,completion_rate,"
        + "avg_pct_watched,half_life_pct,runtime_views",
    "retention.csv": "title_id,bucket,start_pct,views_reached,retention,plays,watch_ratio",
    "countries.csv": "country,views,started_views,unique_viewers,watch_hours,completion_rate,avg_pct_watched,"
        + "share_of_watch_hours,subtitle_share,top_title",
    "regions.csv": "country,region,views,started_views,unique_viewers,watch_hours,completion_rate,avg_pct_watched,"
        + "share_of_watch_hours,subtitle_share,top_title",
    "devices.csv": "device,views,started_views,unique_viewers,watch_hours,completion_rate,avg_pct_watched",
    "languages.csv": "country,audio_lang,subtitle_lang,started_views,watch_hours,completion_rate,avg_pct_watched",
    "daily.csv": "day,views,started_views,unique_viewers,watch_hours,completion_rate,new_viewers",
    "hours.csv": "weekday,hour,started_views,watch_hours",
    "series.csv": "series_id,season,episode,title_id,viewers,continued_from_previous,from_first",
    "cohorts.csv": "cohort_day,day_offset,cohort_viewers,returning_viewers,return_rate",
    "moments.csv": "title_id,intro_bucket,intro_retention,steepest_drop_bucket,steepest_drop,most_replayed_bucket,"
        + "replay_ratio",
    "concurrency.csv": "day,peak_views,peak_at",
    "series_summary.csv": "series_id,episodes,viewers,avg_episodes_per_viewer,completed_all_viewers,"
        + "completed_all_share,binge_viewers,binge_rate",
    "compare.csv": "scope,key,measure,current,previous,change,relative_change,status",
    "local_hours.csv": "weekday,hour,started_views,watch_hours",
]

@Test func eachTableWritesItsColumnListAsItsHeader() throws {
    let result = try sampleTables()
    #expect(Set(AudienceTables.fileNames) == Set(contractHeaders.keys))
    for (name, table) in result.all {
        let firstLine = table.rendered.prefix { $0 != "\n" }
        #expect(firstLine == table.header.joined(separator: ","), "\(name)")
        #expect(String(firstLine) == contractHeaders[name], "\(name)")
        // Every row has a field for each column.
        #expect(table.cells.allSatisfy { $0.count == table.header.count }, "\(name)")
        #expect(!table.cells.isEmpty, "\(name) has rows to check")
    }
    #expect(result.titles.header == TitleRow.columns.map(\.name))
    #expect(result.retention.header == RetentionRow.columns.map(\.name))
    #expect(result.countries.header == PlaceRow.countryColumns.map(\.name))
    #expect(result.regions.header == PlaceRow.regionColumns.map(\.name))
    #expect(result.compare.header == PeriodComparison.columns.map(\.name))
    let quality = "file,bytes_read,lines,accepted,ignored_event,malformed,missing_field,bad_timestamp,bad_number,"
        + "bad_segment,duplicate,error"
    #expect(QualityRow.columns.map(\.name).joined(separator: ",") == quality)
}

/// Every number a row holds is as written, so the report reads exactly
/// what the CSV says (compare.csv aside: it keeps exact values, from which
/// its changes are computed).
@Test func rowsHoldNumbersAsWritten() throws {
    let result = try sampleTables()
    func check<Row>(_ table: Table<Row>, _ name: String) {
        for row in table.rows {
            for column in table.columns {
                guard case .some(.some(let value)) = column.number(row) else { continue }
                #expect(NumberFormat.written(value) == value, "\(name) \(column.name)")
            }
        }
    }
    check(result.titles, "titles")
    check(result.countries, "countries")
    check(result.regions, "regions")
    check(result.devices, "devices")
    check(result.languages, "languages")
    check(result.daily, "daily")
    check(result.hours, "hours")
    check(result.series, "series")
    check(result.cohorts, "cohorts")
    check(result.moments, "moments")
    check(result.seriesSummary, "series_summary")
    check(result.viewerLocalHours.table, "local_hours")
    let retention = Table(columns: RetentionRow.columns, rows: Array(result.retention.rows))
    check(retention, "retention")
}

/// Rows sort on the rounded value: two titles whose hours differ below the
/// written precision tie, and their ids decide, as in the CSV.
@Test func rowsSortOnTheValueAsWritten() throws {
    // B has 0.0000001 h more, but both are written 0.000278 h (1 s of
    // watch): a tie, which A wins by its id.
    let result = try tables([
        event("A", "progress", "2026-11-23T20:00:00Z", title: "A", #","duration":100,"from":0,"to":1"#),
        event("B", "progress", "2026-11-23T20:00:00Z", title: "B", #","duration":100,"from":0,"to":1.00036"#),
    ])
    #expect(result.titles.rows.map(\.titleID) == ["A", "B"])
    #expect(result.titles.rows.map(\.watchHours) == [0.000278, 0.000278])
}

// MARK: - Facts the report states

@Test func retentionSkipFindsTheDeepestDipClimbedBackFrom() throws {
    // From bucket 2 (0.3) the curve climbs to 0.8: the deepest dip; from
    // bucket 1 (0.4) it climbs only 0.4. After the peak at bucket 3 it first
    // falls below 50% at bucket 5 of 6: 500/6 %.
    let skip = try #require(RetentionSkip([1, 0.4, 0.3, 0.8, 0.6, 0.45]))
    #expect(skip.bottom == 2)
    #expect(skip.bottomRetention == 0.3)
    #expect(skip.recovered == 0.8)
    #expect(skip.halfLifeAfter == 500.0 / 6)
    // A curve that only falls has no skip.
    #expect(RetentionSkip([1, 0.9, 0.5, 0.2]) == nil)
    // A climb of less than 10 points is noise, not a skip.
    #expect(RetentionSkip([1, 0.5, 0.59, 0.4]) == nil)
    // A dip that stays at or above 50% does not move the half-life.
    #expect(try #require(RetentionSkip([1, 0.6, 0.9, 0.8])).halfLifeAfter == nil)
    // After the skip the curve never falls below 50%: 100.
    #expect(try #require(RetentionSkip([1, 0.3, 0.9, 0.7])).halfLifeAfter == 100)
    #expect(RetentionSkip([]) == nil)
}

private func titleRow(_ id: String, runtime: Double?, completion: Double?, started: Int, runtimeViews: Double? = nil)
    -> TitleRow
{
    TitleRow(
        titleID: id, titleName: "", seriesID: "", season: nil, episode: nil, runtimeSeconds: runtime, views: started,
        startedViews: started, failedStarts: 0, exitsBeforeStart: 0, uniqueViewers: started, watchHours: 1,
        avgViewMinutes: nil, completedViews: 0, completionRate: completion, avgPctWatched: nil, halfLifePct: nil,
        runtimeViews: runtimeViews)
}

@Test func runtimeAgainstCompletion() {
    let facts = RuntimeCompletion([
        titleRow("a", runtime: 60, completion: 1, started: 5),
        titleRow("b", runtime: nil, completion: 0.5, started: 9),
        titleRow("c", runtime: 120, completion: 0.5, started: 6),
        titleRow("d", runtime: 180, completion: 0.25, started: 1),
        titleRow("e", runtime: 240, completion: nil, started: 0),
    ])
    #expect(facts.titles.map(\.titleID) == ["a", "c", "d"])
    // Over (60, 1), (120, 0.5), (180, 0.25): means 120 and 7/12; deviations
    // (−60, 5/12), (0, −1/12), (60, −1/3): cov −45, var 7200 and 7/24, r = −45 / √2100.
    #expect(abs((facts.correlation ?? 0) - (-45 / 2100.0.squareRoot())) < 1e-12)
    // The two titles with 5 or more started views fall on a line: r = −1.
    #expect(facts.establishedTitles == 2)
    #expect(abs((facts.establishedCorrelation ?? 0) + 1) < 1e-12)
    // One title, or a constant side, has no correlation.
    #expect(RuntimeCompletion([titleRow("a", runtime: 60, completion: 1, started: 5)]).correlation == nil)
    #expect(RuntimeCompletion([
        titleRow("a", runtime: 60, completion: 1, started: 5), titleRow("b", runtime: 90, completion: 1, started: 5),
    ]).correlation == nil)
}

private func languageRow(_ country: String, _ audio: String, _ subtitles: String, started: Int) -> LanguageRow {
    var measures = GroupMeasures(GroupTotals())
    measures.views = started
    measures.startedViews = started
    return LanguageRow(country: country, audioLang: audio, subtitleLang: subtitles, measures: measures)
}

@Test func localisationMixRanksCountriesAndTheirPairs() {
    let mix = LocalisationMix([
        languageRow("US", "en", "off", started: 4),
        languageRow("KR", "ko", "en", started: 3),
        languageRow("KR", "en", "en", started: 3),
        languageRow("KR", "ko", "off", started: 5),
        languageRow("FR", "fr", "off", started: 4),
    ], pairsPerCountry: 2)
    // KR 11 started views, then FR and US with 4 each, in byte order.
    #expect(mix.countries.map(\.country) == ["KR", "FR", "US"])
    #expect(mix.countries.map(\.startedViews) == [11, 4, 4])
    // KR's two most common pairs: ko/off, then the tie at 3 goes to audio "en".
    let kr = mix.countries[0].pairs
    #expect(kr.map { $0.row.audioLang + "/" + $0.row.subtitleLang } == ["ko/off", "en/en"])
    #expect(kr.map(\.share) == [5.0 / 11, 3.0 / 11])
    #expect(mix.countries[1].pairs.map(\.share) == [1])
}

@Test func weekdayCountsOverAPeriod() throws {
    // 1970-01-01 (day 0) was a Thursday; days 0 to 9 run Thursday to Saturday.
    #expect(WeekdayCounts(from: 0, to: 9)?.counts == [1, 1, 1, 2, 2, 2, 1])
    #expect(WeekdayCounts(from: 0, to: 9)?.isEven == false)
    // 2026-11-02 was a Monday: one week holds each weekday once.
    let monday = Timestamp.daysFromCivil(year: 2026, month: 11, day: 2)
    #expect(WeekdayCounts(from: monday, to: monday + 6)?.counts == [1, 1, 1, 1, 1, 1, 1])
    #expect(WeekdayCounts(from: monday, to: monday + 6)?.isEven == true)
    #expect(WeekdayCounts(from: monday, to: monday - 1) == nil)
}

@Test func busiestHoursOfTheWeek() {
    let rows = [
        HourRow(weekday: 3, hour: 8, startedViews: 5, watchHours: 1),
        HourRow(weekday: 2, hour: 9, startedViews: 3, watchHours: 1),
        HourRow(weekday: 1, hour: 20, startedViews: 5, watchHours: 1),
        // Outside the week: ignored.
        HourRow(weekday: 8, hour: 1, startedViews: 99, watchHours: 1),
    ]
    let busiest = BusiestHours(rows)
    #expect(busiest.startedViews == 5)
    #expect(busiest.hours.map { "\($0.weekday) \($0.hour)" } == ["1 20", "3 8"])
    #expect(BusiestHours([]).startedViews == 0)
    #expect(BusiestHours([]).hours.isEmpty)
}

@Test func sharesTheReportStates() throws {
    var measures = GroupMeasures(GroupTotals())
    measures.uniqueViewers = 7
    #expect(DayRow(day: 0, measures: measures, newViewers: 3).returningViewers == 4)
    #expect(titleRow("a", runtime: 60, completion: nil, started: 4, runtimeViews: 3).runtimeViewsPerStartedView == 0.75)
    #expect(titleRow("a", runtime: nil, completion: nil, started: 4).runtimeViewsPerStartedView == nil)
    #expect(titleRow("a", runtime: 60, completion: nil, started: 0, runtimeViews: 0).runtimeViewsPerStartedView == nil)
    let totals = AudienceTotals(
        firstDay: nil, lastDay: nil, views: 4, startedViews: 3, failedStarts: 1, exitsBeforeStart: 0,
        completedViews: 0, uniqueViewers: 1, watchHours: 0, completionRate: nil, avgPctWatched: nil, titles: 1,
        countries: 1, peak: nil)
    #expect(totals.shareOfViews(totals.startedViews) == 0.75)
    var none = totals
    none.views = 0
    #expect(none.shareOfViews(0) == nil)
}

@Test func lineTotalsCountRejectionsButNotIgnoredEvents() throws {
    try withTemporaryFolder { folder in
        let path = folder + "/events.jsonl"
        try write([
            event("A", "start", "2026-11-23T20:00:00Z", #","position":0"#),
            event("A", "heartbeat", "2026-11-23T20:00:01Z"),
            "{not json",
            event("A", "progress", "nope", #","from":0,"to":5"#),
        ].joined(separator: "\n") + "\n", to: path)
        let read = Reading.read([InputFile(name: "events.jsonl", path: path)], settings: ReadSettings(threads: 1))
        let lines = LineTotals(read)
        #expect(lines.lines == 4)
        #expect(lines.ignoredEvents == 1)
        #expect(lines.rejected == 2)
        #expect(lines.rejected(.malformed) == 1)
        #expect(lines.rejected(.badTimestamp) == 1)
        #expect(lines.rejectedShare == 0.5)
        let quality = QualityTables.quality(read)
        #expect(quality.rows.map(\.isTotal) == [false, true])
    }
}

@Test func comparisonRowsAreFoundByScopeKeyAndMeasure() throws {
    let result = try sampleTables()
    let comparison = try #require(result.comparison)
    let row = try #require(comparison.row(.title, "E1", .views))
    #expect(row.current == 1 && row.previous == 1)
    #expect(comparison.row(.title, "nope", .views) == nil)
    #expect(comparison.row(.total, "", .completionRate)?.measure == .completionRate)
}
