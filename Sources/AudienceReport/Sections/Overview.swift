import AudienceReading
import AudienceMetrics

/// The parts every level has: what the data is, the headline numbers, the
/// start funnel and the glossary.
extension ReportWriter {
    var period: String {
        let first = data.totals.firstDay.map(LocalTime.dayString) ?? "?"
        let last = data.totals.lastDay.map(LocalTime.dayString) ?? "?"
        return first == last ? first : "\(first) to \(last)"
    }

    var zoneName: String { data.metrics.timeZone.description }

    /// The days a window (`--from`, `--to`) selects, as given; nil without one.
    var windowDays: String? {
        let window = data.metrics.window
        switch (window.fromText, window.toText) {
        case let (from?, to?): return from == to ? from : "\(from) to \(to)"
        case let (from?, nil): return "from \(from)"
        case let (nil, to?): return "up to \(to)"
        case (nil, nil): return nil
        }
    }

    mutating func writeTitle() {
        if let windowDays {
            heading("Audience report: " + windowDays + (data.views > 0 ? "" : " (no views)"), depth: 1)
            paragraph(
                "This report covers the views that started \(windowDays.hasPrefix("from") || windowDays.hasPrefix("up") ? windowDays : "on " + windowDays) "
                    + "(the window of `--from` and `--to`): \(Human.plural(data.views, "view")). The whole history "
                    + "read still counts where it must: a viewer is new on the day of their first view ever, a "
                    + "title's runtime comes from all its events, the audience playing at once includes views that "
                    + "started before the window, and the data quality account covers every line read.")
        } else {
            heading("Audience report: " + (data.views > 0 ? period : "no views"), depth: 1)
        }
        let levels: [ReportLevel: String] = [
            .entry: "the entry level: what the data is, the headline numbers and where people watch",
            .intermediate: "the intermediate level: the entry level plus retention compared across titles, "
                + "completion, regions, languages, the daily trend and when people watch",
            .advanced: "the advanced level: everything, with series, cohorts, the data quality account, "
                + "the methodology and exercises",
        ]
        paragraph(
            "This report is \(levels[level] ?? level.rawValue). Every number names the CSV file and column it "
                + "comes from, in this folder; the definitions are in the glossary at the end. Days and hours "
                + "are in the time zone \(Markdown.text(zoneName)).")
        // An example from this data: the first title with a completion rate.
        guard let example = data.titles.first(where: { $0.completionRate != nil }) else { return }
        paragraph(
            "The report rounds for reading; the CSV files keep the exact values and write them for machines: "
                + "rates and shares as fractions, hours as decimal hours, and titles by their `title_id` (the "
                + "report shows the catalog's name when it has one). For example, the `completion_rate` of "
                + "\(Markdown.name(example.displayName)) is `\(Cell.number(example.completionRate))` in titles.csv and "
                + "\(Human.percent(example.completionRate)) here; its `watch_hours` "
                + "`\(Cell.number(example.watchHours))` is \(Human.hours(example.watchHours)).")
    }

    mutating func writeDataParagraph() {
        heading("The data")
        let reasons: [(SkipReason, String)] = [
            (.malformed, "could not be read as an event"), (.missingField, "lacked a required field"),
            (.badTimestamp, "had an unreadable time"), (.badNumber, "had a field that should be a number and was not"),
            (.badSegment, "had an impossible segment or position"),
        ]
        let lines = data.lines
        let rejected = reasons.compactMap { reason, meaning -> String? in
            let count = lines.rejected(reason)
            return count == 0 ? nil : "\(Human.count(count)) \(meaning) (`\(reason.name)`)"
        }
        var text = "The logs are \(Human.plural(lines.files, "file")) with \(Human.plural(lines.lines, "line")) "
            + "(blank lines and CSV headers aside). "
            + "\(Human.count(lines.accepted)) lines were accepted as viewing events"
        text += rejected.isEmpty
            ? "; none was rejected. "
            : "; \(Human.count(lines.rejected)) \(lines.rejected == 1 ? "was" : "were") rejected: "
                + rejected.joined(separator: ", ") + ". "
        let ignored = lines.ignoredEvents
        if ignored > 0 {
            text += "\(Human.count(ignored)) lines were events of a kind the metrics do not use (`ignored_event`). "
        }
        text += (lines.duplicates == 0
            ? "No accepted line was a duplicate"
            : "\(Human.plural(lines.duplicates, "accepted line was a duplicate", "accepted lines were duplicates")) "
                + "of an event already counted and removed")
        if windowDays != nil {
            // The events are the whole history; the figures, the window's views.
            text += ", which leaves **\(Human.plural(lines.events, "event"))** in the history read; the "
                + "figures below describe the views that started "
                + (data.views > 0 ? "from \(period) (days in \(Markdown.text(zoneName)))." : "in the window, and it has none.")
        } else {
            text += ", which leaves **\(Human.plural(lines.events, "event"))** behind every figure below"
            text += data.views > 0
                ? ", from \(period) (days in \(Markdown.text(zoneName)))."
                : "."
        }
        let damaged = data.quality.rows.compactMap { row in
            row.isTotal ? nil : row.quality.damage.map { (file: row.quality.file, damage: $0) }
        }
        if !damaged.isEmpty {
            text += " " + Human.plural(damaged.count, "file") + " could not be read to the end: "
                + damaged.map { Markdown.text($0.file) + " (" + Markdown.text($0.damage.description) + ")" }
                    .joined(separator: "; ")
                + "; the lines before the damage were kept."
        }
        paragraph(text)
        source(Markdown.source("quality.csv") + ", row `TOTAL`; the first rejected lines of each reason are in "
            + "[rejects.csv](rejects.csv).")
    }

    mutating func writeNothingToMeasure() {
        heading("Nothing to measure")
        // The catalog's titles are listed whatever was watched (with no view).
        let catalogTitles = data.tables.titles.rows.count
        let tables = catalogTitles == 0
            ? "every metrics table of this folder is empty but for its header"
            : "every metrics table of this folder is empty but for its header, except [titles.csv](titles.csv), "
                + "which lists the " + Human.plural(catalogTitles, "title") + " of the catalog, each with no view"
        paragraph(
            "No event was left to measure, so this report has no numbers and no charts: " + tables + ". Look at "
                + "[quality.csv](quality.csv) for what was read and "
                + "[rejects.csv](rejects.csv) for examples of the lines that were rejected and why.")
    }

    mutating func writeHeadline() {
        heading("Headline numbers")
        let totals = data.totals
        let views = data.views
        let rows: [[String]] = [
            ["Views", Human.count(views), "Plays of one title in one session, started or not.",
             "sum of " + Markdown.source("titles.csv", "views")],
            ["Started views", Human.count(totals.startedViews), "Views in which at least a moment of the title was played.",
             "sum of " + Markdown.source("titles.csv", "started_views")],
            ["Unique viewers", Human.count(totals.uniqueViewers),
             "Different viewers with at least one started view.",
             // In a window, new_viewers counts viewers new to the whole history, so it sums to fewer.
             windowDays == nil
                 ? "sum of " + Markdown.source("daily.csv", "new_viewers")
                 : "`summary.json` · `audience.unique_viewers`"],
            ["Watch time", Human.hours(totals.watchHours), "All the time played, in hours and minutes.",
             "sum of " + Markdown.source("titles.csv", "watch_hours")],
            ["Completion rate", Human.percent(totals.completionRate),
             "Of the started views, the share that completed (\(Human.count(totals.completedViews)) views): a `complete` "
                 + "event, or played past \(Human.number(data.metrics.completeAt * 100))% of the runtime.",
             "sum of " + Markdown.source("titles.csv", "completed_views") + " ÷ sum of `started_views`"],
            ["Average percent watched", Human.percent(totals.avgPctWatched),
             "How much of a title a started view covers on average (titles with a known runtime).",
             "mean of each view's share; " + Markdown.source("titles.csv", "avg_pct_watched")
                 + " gives it per title"],
            ["Titles", Human.count(totals.titles), "Titles with a view, and catalog titles nobody watched.",
             "rows of " + Markdown.source("titles.csv")],
            ["Countries", Human.count(totals.countries), "Countries with a view.",
             "rows of " + Markdown.source("countries.csv")],
            ["Peak audience", totals.peak.map { Human.count($0.peakViews) } ?? "–",
             "The most views playing at the same moment" + (totals.peak.map {
                 " (first reached at \(Markdown.text($0.peakAt)))."
             } ?? "."),
             "largest " + Markdown.source("concurrency.csv", "peak_views")],
        ]
        guard let comparison = data.comparison else {
            table(["Measure", "Value", "What it means", "Where it comes from"], rows, rightAligned: [1])
            return
        }
        paragraph(comparedPeriodSentence(comparison))
        // The change beside each measure compare.csv has, "–" for the others.
        let measures = PeriodComparison.totalMeasures
        let withChange = rows.enumerated().map { index, row in
            [row[0], row[1], index < measures.count ? change(comparison.row(.total, "", measures[index])) : "–"] + row[2...]
        }
        table(["Measure", "Value", "Change", "What it means", "Where it comes from"], withChange, rightAligned: [1, 2])
        source("Change: " + Markdown.source("compare.csv", "change") + " and `relative_change`, rows `total`.")
    }

    /// Which periods are compared, in a sentence.
    func comparedPeriodSentence(_ comparison: PeriodComparison) -> String {
        let days = comparison.current.count
        let previous = LocalTime.dayString(comparison.previous.lowerBound) + " to "
            + LocalTime.dayString(comparison.previous.upperBound)
        var text = "**Against the previous period.** Each change compares these \(Human.plural(days, "day")) "
            + "(\(LocalTime.dayString(comparison.current.lowerBound)) to "
            + "\(LocalTime.dayString(comparison.current.upperBound))) with the \(Human.plural(days, "day")) just "
            + "before, \(previous): the difference, then the relative change; a rate changes by percentage "
            + "points (pp). A title or country with no view before is **new**, one with no view now is **gone**."
        if comparison.previousCoveredFrom > comparison.previous.lowerBound {
            text += " The logs only begin on \(LocalTime.dayString(comparison.previousCoveredFrom)), so the "
                + "previous period is partly covered and its totals are low: read the changes with care."
        }
        if let last = data.coverage.partialLastDay, comparison.current.contains(last.day) {
            text += " The logs end at \(last.clock) on \(LocalTime.dayString(last.day)), so this period's last day "
                + "is partial and its totals are a little low."
        }
        return text
    }

    /// A change as the report writes it: "+94 (+18.8%)", "+1 h 05 min
    /// (+12.0%)", "−2.1 pp", "new", "gone"; "–" without a value.
    func change(_ row: PeriodComparison.Row?) -> String {
        guard let row else { return "–" }
        switch row.status {
        case .new: return "new"
        case .gone: return "gone"
        case .both: break
        }
        guard let change = row.change else { return "–" }
        let sign = change > 0 ? "+" : change < 0 ? "−" : "±"
        let magnitude = abs(change)
        if row.measure == .completionRate { return sign + Human.number(magnitude * 100) + Human.space + "pp" }
        let amount = row.measure == .watchHours ? Human.hours(magnitude) : Human.count(Int(magnitude.rounded()))
        let relative = row.relativeChange.map {
            " (" + ($0 > 0 ? "+" : $0 < 0 ? "−" : "±") + Human.percent(abs($0)) + ")"
        } ?? ""
        return sign + amount + relative
    }

    mutating func writeStartFunnel() {
        heading("Did the plays start?")
        let totals = data.totals
        func part(_ views: Int) -> [String] { [Human.count(views), Human.percent(totals.shareOfViews(views))] }
        table(["Of all views", "Views", "Share", "Column of titles.csv"], [
            ["started: some of the title was played"] + part(totals.startedViews) + ["`started_views`"],
            ["failed: an error before anything played"] + part(totals.failedStarts) + ["`failed_starts`"],
            ["left before the start, without an error"] + part(totals.exitsBeforeStart) + ["`exits_before_start`"],
            ["**all views**", "**\(Human.count(totals.views))**", "100%", "`views`"],
        ], rightAligned: [1, 2])
        paragraph(
            "A view that never started either failed (the player reported an error) or was abandoned (the viewer "
                + "left before the first second played). Failures are a technical problem to fix; abandonment "
                + "is a matter of interest, a slow start or a wrong click.")
    }

    mutating func writeGlossary() {
        heading("Glossary")
        let settings = data.metrics
        var terms: [(String, String)] = [
            ("View", "One session's play of one title: all the events with the same `session_id` and `title_id`."),
            ("Started view", "A view with at least one `progress` event that moved forward (`to` > `from`)."),
            ("Failed start", "A view that did not start and has an `error` event (`failed_starts`)."),
            ("Exit before start", "A view that neither started nor failed (`exits_before_start`)."),
            ("Watch time", "The sum of `to − from` over a view's `progress` events, after duplicates are removed "
                + "and positions are clamped into the runtime (`watch_hours`, in hours)."),
            ("Runtime", "The title's length: from the catalog, else the most frequent `duration` in its events."),
            ("Bucket", "The runtime cut into \(settings.buckets) equal parts; a view reaches a bucket when one of its "
                + "segments covers the bucket's midpoint."),
            ("Retention", "For a bucket, the share of started views that reached it (`retention`)."),
            ("Half-life", "The position (in % of runtime) of the first bucket whose retention is below one half "
                + "(`half_life_pct`); 100 when none is."),
            ("Completed", "A started view with a `complete` event, or whose largest `to` is at least "
                + "\(Human.number(settings.completeAt * 100))% of the runtime."),
            ("Completion rate", "Completed views ÷ started views (`completion_rate`)."),
            ("Percent watched", "Reached buckets ÷ all buckets, for one view; averaged over the started views of "
                + "titles with a known runtime (`avg_pct_watched`)."),
            ("Unique viewers", "Different `viewer_id`s among started views."),
            ("Share of watch time", "A group's watch time ÷ all watch time (`share_of_watch_hours`)."),
            ("Subtitle share", "Started views with subtitles on ÷ started views (`subtitle_share`)."),
            ("Top title", "The title with the most watch time in a group (`top_title`)."),
            ("Intro retention", "Retention in the bucket that holds second 30 of the title (`intro_retention`)."),
            ("Steepest drop", "The largest fall of views reached from one bucket to the next, as a share of started "
                + "views (`steepest_drop`)."),
            ("Peak audience", "The most views playing at one instant; a view plays from its first event to its "
                + "last (`peak_views`)."),
        ]
        if level >= .intermediate {
            terms += [
                ("New viewer", "A viewer on the day of their first started view (`new_viewers`)."),
                ("Localisation pair", "A view's audio language and subtitle language together (`languages.csv`)."),
            ]
        }
        if level >= .advanced {
            terms += [
                ("Plays", "Per bucket, the `progress` events of started views that cover its midpoint, each "
                    + "counted, so replays count again (`plays`)."),
                ("Watch ratio", "Plays ÷ started views (`watch_ratio`); above retention where people replay."),
                ("Replay ratio", "Plays ÷ views reached in the most replayed bucket (`replay_ratio`)."),
                ("Runtime views", "Watch hours ÷ runtime in hours: how many complete plays the watch time adds up "
                    + "to (`runtime_views`)."),
                ("From first, from previous", "Of the viewers of a series' first (or previous) episode, the share "
                    + "who started this one (`from_first`, `continued_from_previous`)."),
                ("Completed all", "A series viewer with a completed view of every episode anyone started "
                    + "(`completed_all_viewers`)."),
                ("Binge viewer", "A series viewer who started three or more of its episodes on one day "
                    + "(`binge_viewers`)."),
                ("Cohort, return rate", "Viewers whose first started view is on the same day; the share of them "
                    + "with a started view k days later (`return_rate`)."),
                ("Rejected line", "A line that could not be used, with one reason (`malformed`, `missing_field`, "
                    + "`bad_timestamp`, `bad_number`, `bad_segment`); an ignored line is a valid event of a kind "
                    + "the metrics do not use (`ignored_event`)."),
            ]
        }
        terms.append(("Duplicate", "An event repeated within a view: the same `event_id`, or, without ids, the same "
            + "kind, time and positions. One copy counts (`duplicate`)."))
        table(["Term", "Meaning"], terms.map { ["**\($0.0)**", $0.1] })
    }
}
