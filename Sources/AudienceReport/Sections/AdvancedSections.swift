import SVGCharts
import AudienceMetrics
import AudienceReading

/// The advanced level: series, cohorts, the data quality account, the
/// methodology and the exercises.
extension ReportWriter {
    mutating func writeSeries() {
        let summaries = data.tables.seriesSummary.rows
        let episodes = data.tables.series.rows
        guard !summaries.isEmpty else { return }
        heading("Series: do viewers carry on?")
        paragraph(
            "For each series, its episodes in order (season, then episode). `from_first` is the share of the first "
                + "episode's viewers who also started this one; `continued_from_previous` the share of the previous "
                + "episode's viewers. A series that holds its audience keeps both near 100%.")
        // The series with the most viewers, shown in series_id order like the tables.
        let shown = summaries.sorted { $0.viewers > $1.viewers }.prefix(4)
            .sorted { $0.seriesID.utf8.lexicographicallyPrecedes($1.seriesID.utf8) }
        let longestSeries = shown.map(\.episodes).max() ?? 1
        chart("series-carry-on", svg: LineChart(
            title: "Viewers carried on from the first episode",
            description: "Line chart with one line per series (the \(shown.count) with the most viewers): the "
                + "share of the first episode's viewers who started each later episode (episodes nobody "
                + "started are left out of the order).",
            x: ChartAxis(label: "Episode in order (1 = first)", range: 1...Double(max(2, longestSeries)), format: .integer),
            y: ChartAxis(label: "Viewers of the first episode (%)", range: 0...1, format: .percent),
            series: shown.map { summary in
                let ofSeries = episodes.filter { $0.seriesID.utf8.elementsEqual(summary.seriesID.utf8) }
                return LineSeries(
                    name: data.seriesName(summary.seriesID),
                    points: ofSeries.enumerated().map { (Double($0.offset + 1), $0.element.fromFirst ?? 0) })
            }
        ).svg(), alt: "Line chart of the share of first-episode viewers who reach each later episode, per series.")
        table(
            ["Series", "Season", "Episode", "Title", "Viewers", "From previous", "From first"],
            episodes.map { row in
                [
                    Markdown.name(data.seriesName(row.seriesID)), Markdown.text(row.season.map(String.init) ?? ""),
                    Markdown.text(row.episode.map(String.init) ?? ""), Markdown.name(topTitleName(row.titleID)),
                    Human.count(row.viewers), Human.percent(row.continuedFromPrevious), Human.percent(row.fromFirst),
                ]
            },
            rightAligned: [4, 5, 6], limit: 20, csv: "series.csv")
        source(Markdown.source("series.csv") + ": `viewers`, `continued_from_previous`, `from_first`.")
        heading("Season completion and binge viewing", depth: 3)
        paragraph(
            "A viewer **completed** the series when they completed every one of its episodes that anyone "
                + "started; a viewer **binged** when they started three or more of its episodes on one day."
                + (summaries.allSatisfy({ $0.completedAllViewers == 0 })
                    ? " Nobody completed a whole series here: with every episode anyone started counting, one "
                        + "unfinished or unwatched episode is enough to miss it, and few viewers watch a season "
                        + "through in the period of the logs."
                    : ""))
        table(
            ["Series", "Episodes", "Viewers", "Episodes per viewer", "Completed all", "Binge viewers"],
            summaries.map { row in
                [
                    Markdown.name(data.seriesName(row.seriesID)), Human.count(row.episodes), Human.count(row.viewers),
                    Human.number(row.avgEpisodesPerViewer, decimals: 2),
                    Human.count(row.completedAllViewers) + " (" + Human.percent(row.completedAllShare) + ")",
                    Human.count(row.bingeViewers) + " (" + Human.percent(row.bingeRate) + ")",
                ]
            },
            rightAligned: [1, 2, 3, 4, 5], limit: 20, csv: "series_summary.csv")
        source(Markdown.source("series_summary.csv") + ": `episodes`, `viewers`, `avg_episodes_per_viewer`, "
            + "`completed_all_viewers`, `completed_all_share`, `binge_viewers`, `binge_rate`.")
        if let top = summaries.max(by: { ($0.bingeRate ?? 0) < ($1.bingeRate ?? 0) }) {
            exercises.append((
                "Which series has the highest binge rate, and how many of its viewers binged? Use "
                    + "series_summary.csv.",
                Markdown.name(data.seriesName(top.seriesID)) + ": " + Human.count(top.bingeViewers) + " of "
                    + Human.count(top.viewers) + " viewers = " + Human.percent(top.bingeRate)
                    + " (`binge_rate`)."))
        }
    }

    mutating func writeCohorts() {
        let rows = data.tables.cohorts.rows
        guard !rows.isEmpty else { return }
        heading("Cohorts: do viewers come back?")
        paragraph(
            "A viewer's cohort is the day of their first started view. Each row is a cohort, each column a number "
                + "of days later; a cell is the share of the cohort with a started view on that day. Day 0 is "
                + "always 100%; the later columns show how many come back. The triangle's lower right is empty: "
                + "those days are after the end of the data." + partialCohortDaySentence())
        var cohortDays: [Int] = []
        var cohortSizes: [Int] = []
        var maxOffset = 0
        for row in rows {
            if cohortDays.last != row.cohortDay {
                cohortDays.append(row.cohortDay)
                cohortSizes.append(row.cohortViewers)
            }
            maxOffset = max(maxOffset, row.dayOffset)
        }
        let shownDays = Array(cohortDays.prefix(31))
        let shownOffsets = min(maxOffset, 30)
        // Each cohort's row ends at the last day of the data: the cells after it
        // are left blank, not drawn as missing.
        var grid = [[Double?]](repeating: [], count: shownDays.count)
        var rowIndex: [Int: Int] = [:]
        for (index, day) in shownDays.enumerated() { rowIndex[day] = index }
        // A last day the logs cover only partly would draw its diagonal as a
        // collapse of every cohort: those cells are left out (day 0 stays).
        let partialDay = data.coverage.partialLastDay?.day
        for row in rows {
            guard let index = rowIndex[row.cohortDay], row.dayOffset <= shownOffsets else { continue }
            if let partialDay, row.dayOffset > 0, row.day == partialDay { continue }
            grid[index].append(row.returnRate)
        }
        chart("cohorts", svg: HeatMap(
            title: "Return rate by cohort and day",
            description: "Heat map with a row per cohort day and a column per day offset; the darker the cell, "
                + "the larger the share of the cohort that came back that day.",
            rows: shownDays.indices.map { LocalTime.dayString(shownDays[$0]) + " (n = \(cohortSizes[$0]))" },
            columns: (0...shownOffsets).map { String($0) },
            values: grid,
            rowAxisLabel: "Cohort (day of first started view)", columnAxisLabel: "Days later",
            scale: ChartAxis(label: "Return rate (%)", range: 0...1, format: .percent),
            showsValues: true
        ).svg(), alt: "Cohort triangle of return rates; the numbers are in cohorts.csv.")
        paragraph("Each row label gives the cohort's size (n): a small cohort, like one that starts late on the "
            + "first day of the logs, swings from 0% to 100% on a single viewer.")
        source(Markdown.source("cohorts.csv") + ": `cohort_viewers`, `returning_viewers`, `return_rate`.")
        // A cohort that has a next day, picked by the data.
        let nextDays = rows.filter { $0.dayOffset == 1 }
        if let dayOne = pick(nextDays, salt: 3) {
            exercises.append((
                "Of the viewers whose first started view was on " + Markdown.text(LocalTime.dayString(dayOne.cohortDay))
                    + ", how many came back the next day, and what return rate is that?",
                Human.count(dayOne.returningViewers) + " of " + Human.count(dayOne.cohortViewers)
                    + ": " + Human.percent(dayOne.returnRate) + " (cohorts.csv, `day_offset` 1)."))
        }
    }

    /// The sentence on a partial last day, left out of the cohort triangle.
    func partialCohortDaySentence() -> String {
        guard let last = data.coverage.partialLastDay else { return "" }
        return " The logs end at \(last.clock) on \(LocalTime.dayString(last.day)), so that day's returns are "
            + "partial: its diagonal is left out of the chart, where it would look like every cohort collapsing "
            + "(cohorts.csv keeps it)."
    }

    mutating func writeQualityAccount() {
        heading("Data quality account")
        paragraph(
            "Every non-blank line of every file lands in exactly one column: accepted, ignored or one reason for "
                + "rejection. A line with several problems gets the first of: `malformed` (not a readable event: "
                + "broken JSON, a wrong number of CSV or TSV columns, broken quoting, invalid UTF-8, a NUL byte, a "
                + "text field holding an object or a boolean); `missing_field` when `event` itself is absent; "
                + "`ignored_event` (an event kind the metrics do not use, whatever else is wrong); `missing_field` "
                + "for another required field; `bad_timestamp`; `bad_number`; `bad_segment` (a `progress` or `seek` "
                + "without `from` and `to`, a segment that runs backwards, a negative position, a duration that is "
                + "not positive). Duplicates are only known across files, so they are counted in the `TOTAL` row. "
                + "A file that could not be read to the end names the damage and its byte offset; what was read "
                + "before it counts.")
        // Two narrow tables rather than one of eleven columns, so that
        // `error`, the column that matters, stays on the screen.
        table(
            ["File", "Lines", "Accepted", "`ignored_event`", "Duplicates", "Error"],
            data.quality.rows.map { row in
                [
                    Markdown.name(row.quality.file, limit: 40), Human.count(row.quality.lines),
                    Human.count(row.quality.accepted), Human.count(row.quality[.ignoredEvent]),
                    row.duplicates.map(Human.count) ?? "",
                    row.quality.damage.map { "**" + Markdown.text($0.description) + "**" } ?? "",
                ]
            },
            rightAligned: [1, 2, 3, 4], limit: 25, csv: "quality.csv")
        let reasons = SkipReason.rejections
        paragraph("The rejected lines of each file, by reason:")
        table(
            ["File"] + reasons.map { "`\($0.name)`" },
            data.quality.rows.map { row in
                [Markdown.name(row.quality.file, limit: 40)] + reasons.map { Human.count(row.quality[$0]) }
            },
            rightAligned: Set(1...reasons.count), limit: 25, csv: "quality.csv")
        source(Markdown.source("quality.csv") + "; examples of each rejection in [rejects.csv](rejects.csv).")
        let lines = data.lines
        if let share = lines.rejectedShare {
            exercises.append((
                "What share of the non-blank lines was rejected? Use the `TOTAL` row of quality.csv (rejected means "
                    + "neither accepted nor `ignored_event`).",
                Human.count(lines.rejected) + " of " + Human.count(lines.lines) + " lines: " + Human.percent(share) + "."))
        }
    }

    mutating func writeMethodology() {
        heading("Methodology")
        let settings = data.metrics
        let catalog = data.catalogPath.map { "`" + Markdown.text(lastComponent($0)) + "`" } ?? "none"
        table(["Setting", "Value", "Effect"], [
            ["Buckets B", String(settings.buckets), "The runtime is cut into B equal parts for retention."],
            ["Completion threshold c", Human.number(settings.completeAt, decimals: 3),
             "A started view that reaches c of the runtime (or has a `complete` event) is completed."],
            ["Time zone", Markdown.text(zoneName), "Days, hours, weekdays and peaks are on this clock."],
            ["Catalog", catalog, "Runtimes and names; without it a runtime is the most frequent `duration`."],
        ])
        paragraph([
            "- A **view** is every accepted event with the same `session_id` and `title_id`, wherever the lines "
                + "are; its start is its earliest `ts`, its end its latest. Days, hours and weekdays are those of "
                + "its start.",
            "- Positions are **clamped** into [0, runtime] before anything is measured; a segment's watch time is "
                + "`to − from` after clamping.",
            "- A bucket is **reached** when a segment covers its midpoint, `(2i+1)·D/(2B)`, with `from` ≤ midpoint "
                + "< `to`; **plays** count every such segment, so replays count again.",
            "- A view's attributes (viewer, country, region, device, languages) come from its **earliest event** "
                + "that has them.",
            "- **Started, failed, exited**: every view is exactly one. Rates are over started views; "
                + "`avg_pct_watched` only over titles with a known runtime.",
            "- **Key moments** (moments.csv): the bucket holding second 30, the largest fall between neighbouring "
                + "buckets, and the bucket whose plays exceed its views reached the most; ties go to the first.",
            "- **Peak audience** (concurrency.csv): a view, started or not, plays from its start to its end, both "
                + "included, to the millisecond; a day runs from the first instant its date shows on the report's "
                + "clock to the next day's.",
            "- **Series** (series.csv, series_summary.csv): episodes in (season, episode) order, those nobody "
                + "started left out; binge viewing counts each view on the day it started.",
            "- **Cohorts**: a viewer's cohort is the day of their first started view; offsets run to the last day "
                + "with any view.",
            "- Sums of watch time are exact (no rounding until the end); CSV numbers have at most 6 decimals, this "
                + "report rounds them further for reading.",
            "- **Where the specification is silent** (the full list is in docs/metrics.md and docs/input.md of the "
                + "audience repository): line numbers in rejects.csv are physical lines of the file; a broken CSV "
                + "header is a file-level error; text is compared byte for byte (`é` and `e` + accent are two "
                + "values); a `progress` with `to` = `from` starts nothing; an overflowing sum stays infinite and "
                + "is written as an empty field; `avg_pct_watched` is the exact mean of the per-view values; time "
                + "zones come from the tz database.",
            "- **This report's own choices** (not in the CSVs): correlations are Pearson's r with every title "
                + "counting once; a retention curve that climbs back by 10 points or more after a fall is read as "
                + "a skip, and its half-life after the skip is given beside the CSV's; tables show their top rows "
                + "and charts the top titles, countries or series, ties in CSV order.",
        ].joined(separator: "\n"))
    }

    mutating func writeExercises() {
        guard !exercises.isEmpty else { return }
        let titles = data.titles.filter { $0.startedViews > 0 }
        if let title = pick(Array(titles.prefix(10)), salt: 1) {
            exercises.insert((
                "Recompute the completion rate of " + Markdown.name(title.displayName) + " from its "
                    + "`completed_views` and `started_views` in titles.csv.",
                Human.count(title.completedViews) + " ÷ " + Human.count(title.startedViews) + " = "
                    + Human.percent(title.completionRate) + " (`completion_rate`)."), at: 0)
        }
        exercises.insert((
            "How many different viewers started a view? Which column of which table adds up to it?",
            "Sum `new_viewers` in daily.csv: " + Human.count(data.totals.uniqueViewers)
                + " (each viewer is new on exactly one day)."), at: 0)
        if let day = pick(data.tables.daily.rows, salt: 2) {
            exercises.append((
                "On " + Markdown.text(LocalTime.dayString(day.day)) + ", how many of the viewers with a started view "
                    + "were new, and how many had watched before? Use daily.csv.",
                Human.count(day.newViewers) + " new of " + Human.count(day.measures.uniqueViewers)
                    + " (`new_viewers` of `unique_viewers`), so " + Human.count(day.returningViewers)
                    + " had watched before."))
        }
        heading("Exercises")
        paragraph(
            "Answer from the CSV files of this folder. The answers are in [answers.md](answers.md), a file of "
                + "their own: hand out this report and the CSV files without it.\n\n"
                + exercises.enumerated().map { "\($0.offset + 1). " + $0.element.question }.joined(separator: "\n"))
    }

    /// `answers.md`: each exercise with its answer, computed from the same
    /// tables; nil when the report has no exercises.
    func answersDocument() -> String? {
        guard level >= .advanced, !exercises.isEmpty else { return nil }
        let title = "# Answers to the exercises of report.md"
        let intro = "For the teacher: the exercises of [report.md](report.md) with their answers, each computed from "
            + "the CSV files of this folder by the same run. Keep this file apart when you hand out the report."
        let items = exercises.enumerated().map { index, exercise in
            "\(index + 1). " + exercise.question + "\n\n   **Answer:** " + exercise.answer
        }
        return ([title, intro] + items).joined(separator: "\n\n") + "\n"
    }

    private func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
