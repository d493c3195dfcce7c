import AudienceCore
import AudienceMetrics
import SVGCharts

/// Titles: the most watched, their retention curves and key moments,
/// completion against runtime, hours per runtime and the rewatch curve.
extension ReportWriter {
    mutating func writeTopTitles() {
        heading("Top titles")
        let rows = data.titles.filter { $0.views > 0 }
        let top = Array(rows.prefix(10))
        paragraph(
            "The titles with the most watch time. A long title collects hours with fewer views, so the table "
                + "also shows views, completion and the average share of the title watched.")
        let comparison = data.comparison
        table(
            ["Title", "Views", "Started", "Watch time"] + (comparison == nil ? [] : ["Change in watch time"])
                + ["Completion", "Avg % watched"],
            rows.map { row in
                [
                    Markdown.name(row.displayName), Human.count(row.views),
                    Human.count(row.startedViews), Human.hours(row.watchHours),
                ] + (comparison.map { [change($0.row(.title, row.titleID, .watchHours))] } ?? []) + [
                    Human.percent(row.completionRate), Human.percent(row.avgPctWatched),
                ]
            },
            rightAligned: Set(1...(comparison == nil ? 5 : 6)), limit: 10, csv: "titles.csv",
            what: "titles with a view, by watch time (catalog titles nobody watched are listed there too)")
        if let comparison {
            let gone = comparison.rows.filter { $0.scope == .title && $0.status == .gone && $0.measure == .watchHours }
            paragraph("Change in watch time against \(LocalTime.dayString(comparison.previous.lowerBound)) to "
                + "\(LocalTime.dayString(comparison.previous.upperBound)) (" + Markdown.source("compare.csv", "change")
                + ", rows `title`)." + (gone.isEmpty ? "" : " Watched then and not now (**gone**): "
                    + gone.prefix(10).map { Markdown.name(topTitleName($0.key)) + " (" + Human.hours($0.previous) + ")" }
                        .joined(separator: ", ") + (gone.count > 10 ? " and \(gone.count - 10) more" : "") + "."))
        }
        source(Markdown.source("titles.csv", "views") + ", `started_views`, `watch_hours`, `completion_rate`, "
            + "`avg_pct_watched`; sorted by `watch_hours`.")
        chart("top-titles", svg: BarChart(
            title: "Watch time of the top titles",
            description: "Horizontal bars: hours watched for each of the \(top.count) titles with the most watch time.",
            categories: top.map(\.displayName),
            series: [BarSeries(name: "Watch time", values: top.map { $0.watchHours ?? 0 })],
            value: ChartAxis(label: "Watch time (hours and minutes, as in the table)", format: .hours)
        ).svg(), alt: "Bar chart of the watch hours of the top titles; the numbers are in the table above.")
    }

    /// Which share of retention.csv a chart draws.
    enum CurveColumn {
        /// `retention`: views that reached the bucket.
        case retention
        /// `watch_ratio`: plays of the bucket.
        case watchRatio
    }

    /// The retention curve of one title as chart points (x in % of runtime,
    /// `start_pct`).
    func retentionPoints(_ title: String, column: CurveColumn = .retention) -> [(x: Double, y: Double)] {
        guard let curve = data.curve(of: title) else { return [] }
        let retention = data.tables.retention
        return (0..<retention.buckets).map { bucket in
            (retention.startPercents[bucket], column == .retention ? curve.retention(bucket) : curve.watchRatio(bucket))
        }
    }

    /// Where a title's curve climbs back after a skip; nil without one.
    func skip(_ title: String) -> RetentionSkip? {
        data.curve(of: title).flatMap { RetentionSkip($0.retentions) }
    }

    /// Where a title's buckets lie on its own clock; nil without a runtime.
    func clock(of title: String) -> BucketClock? {
        BucketClock(runtime: data.titleRow(title)?.runtimeSeconds, buckets: data.metrics.buckets)
    }

    /// A position in % of the runtime with its time on the title's clock:
    /// "31.0% (12:40)"; the percentage alone without a runtime.
    func position(_ percent: Double?, on clock: BucketClock?) -> String {
        guard let percent else { return "–" }
        return Human.number(percent) + "%" + (clock.map { " (" + Human.clock($0.seconds(atPercent: percent)) + ")" } ?? "")
    }

    /// The key moments of a title as chart markers and sentences, each on
    /// the title's clock (m:ss) and in % of its runtime.
    func moments(of title: String) -> (markers: [ChartMarker], sentences: [String]) {
        guard let row = data.moments(of: title) else { return ([], []) }
        let buckets = data.metrics.buckets
        let clock = clock(of: title)
        func percent(_ bucket: Int) -> Double { RetentionTable.startPercent(bucket, of: buckets) }
        var markers: [ChartMarker] = []
        var sentences: [String] = []
        if let bucket = row.introBucket, let clock {
            // Retention is measured at the bucket's middle, not at second 30:
            // say where, first.
            let middle = clock.middle(bucket)
            markers.append(ChartMarker(x: 100 * middle / clock.runtime, label: "30 s (at " + Human.clock(middle) + ")"))
            sentences.append("**30 seconds in, measured at \(Human.clock(middle))**: "
                + "\(Human.percent(row.introRetention)) of the started views are still watching "
                + "(`intro_retention`). Retention is measured at the middle of each part of the runtime; second 30 "
                + "falls in the part from \(Human.clock(clock.start(bucket))) to \(Human.clock(clock.end(bucket))) "
                + "(bucket \(bucket)), whose middle is \(Human.clock(middle)).")
        } else {
            sentences.append("The title is 30 seconds or shorter, so it has no 30-second mark.")
        }
        if let bucket = row.steepestDropBucket {
            let drop = percent(bucket)
            markers.append(ChartMarker(x: drop, label: "steepest drop"))
            let span = "\(Human.number(percent(bucket - 1)))% to \(Human.number(drop))% of the runtime"
            let at = clock.map {
                "**\(Human.clock($0.middle(bucket - 1)))** to **\(Human.clock($0.middle(bucket)))** (\(span), "
            } ?? span + " ("
            sentences.append("**The steepest drop** is from \(at)between buckets \(bucket - 1) and \(bucket)): the "
                + "curve falls by \(Human.percent(row.steepestDrop)) of the started views there "
                + "(`steepest_drop`).")
        } else {
            sentences.append("The curve never falls from one bucket to the next: no steepest drop.")
        }
        if let skip = skip(title) {
            sentences.append("The curve falls to \(Human.percent(skip.bottomRetention)) at "
                + position(percent(skip.bottom), on: clock) + " and climbs back to "
                + "\(Human.percent(skip.recovered)): those viewers did not leave, they skipped ahead (an intro or a "
                + "recap) with a seek. A fall followed by a climb is a skip; a fall that stays is a loss.")
        }
        if let bucket = row.mostReplayedBucket {
            let replay = percent(bucket)
            markers.append(ChartMarker(x: replay, label: "most replayed"))
            let share = "\(Human.number(replay))% of the runtime"
            let at = clock.map { "**\(Human.clock($0.start(bucket)))–\(Human.clock($0.end(bucket)))** (\(share), " }
                ?? share + " ("
            sentences.append("**The most replayed part** is \(at)bucket \(bucket)): it is played "
                + "\(Human.number(row.replayRatio, decimals: 2)) times for each view that reaches it "
                + "(`replay_ratio`).")
        } else {
            sentences.append("No part is played twice in a view: nothing is replayed.")
        }
        return (markers, sentences)
    }

    mutating func writeMostWatchedRetention() {
        guard let top = data.titlesWithCurves(limit: 1).first else { return }
        let id = top.titleID
        let name = top.displayName
        heading("Retention of the most watched title: " + Markdown.name(name))
        let (markers, sentences) = moments(of: id)
        chart("retention-top", svg: LineChart(
            title: "Retention of " + name,
            description: "Line chart: the share of started views still watching at each point of the title, "
                + "from 0% to 100% of its runtime, with its key moments marked.",
            x: ChartAxis(
                label: "Position in the title: % of runtime, and under it the title's clock (m:ss)", range: 0...100,
                runtimeSeconds: top.runtimeSeconds),
            y: ChartAxis(label: "Started views still watching (%)", range: 0...1, format: .percent),
            series: [LineSeries(name: name, points: retentionPoints(id))],
            markers: markers
        ).svg(), alt: "Retention curve of " + name)
        source(Markdown.source("retention.csv", "retention") + " for `title_id` " + Markdown.text(id)
            + "; key moments from " + Markdown.source("moments.csv") + ".")
        heading("How to read a retention curve", depth: 3)
        paragraph(
            "The title's runtime is cut into \(data.metrics.buckets) equal parts. For each part, the curve "
                + "shows the share of the started views that played its middle moment. It starts near 100% "
                + "and falls as people leave; a steep fall marks a moment that loses the audience, a flat "
                + "stretch a part that holds it, and a rise a part people skip to. The half-life is where the "
                + "curve first falls below 50%: for this title, "
                + position(top.halfLifePct, on: clock(of: id)) + " of the runtime "
                + "(`half_life_pct` in titles.csv" + (top.runtimeSeconds == nil ? "" : ", on the clock of its `runtime_s`")
                + ")." + halfLifeAfterSkipSentence(id))
        paragraph(sentences.map { "- " + $0 }.joined(separator: "\n"))
    }

    /// The sentence on the half-life after a skip, or nothing.
    func halfLifeAfterSkipSentence(_ title: String) -> String {
        guard let position = skip(title)?.halfLifeAfter else { return "" }
        return " Here the half-life only marks viewers skipping the start: after the skip, the curve stays at "
            + "or above 50% until \(self.position(position, on: clock(of: title))) of the runtime (the report's own reading; the CSV "
            + "keeps the spec's definition)."
    }

    mutating func writeComparedRetention() {
        let compared = data.titlesWithCurves(limit: 5)
        guard compared.count > 1 else { return }
        heading("Retention compared across titles")
        paragraph(
            "The retention curves of the \(compared.count) most watched titles that have one, on one scale: "
                + "the higher a curve stays, the more of its audience the title keeps. Curves are in % of each "
                + "title's own runtime, so titles of different lengths compare.")
        chart("retention-compared", svg: LineChart(
            title: "Retention of the top \(compared.count) titles",
            description: "Line chart with one line per title: the share of started views still watching at "
                + "each point of the runtime.",
            x: ChartAxis(label: "Position in the title (% of runtime)", range: 0...100),
            y: ChartAxis(label: "Started views still watching (%)", range: 0...1, format: .percent),
            series: compared.map { LineSeries(name: $0.displayName, points: retentionPoints($0.titleID)) }
        ).svg(), alt: "Retention curves of the top titles compared; the half-lives are in the table below.")
        table(
            ["Title", "Runtime", "Started views", "Half-life: % (m:ss)", "Half-life after a skip", "Still there at 30 s",
             "Completion"],
            compared.map { row in
                let clock = clock(of: row.titleID)
                return [
                    Markdown.name(row.displayName), Human.clock(row.runtimeSeconds),
                    Human.count(row.startedViews),
                    position(row.halfLifePct, on: clock),
                    skip(row.titleID)?.halfLifeAfter.map { position($0, on: clock) } ?? "–",
                    Human.percent(data.moments(of: row.titleID)?.introRetention), Human.percent(row.completionRate),
                ]
            },
            rightAligned: [1, 2, 3, 4, 5, 6])
        paragraph(
            "A curve that dips in its first minutes and climbs back shows an intro being skipped; its half-life "
                + "(`half_life_pct`, the first bucket below 50%) then lands in the dip. \"Half-life after a skip\" is "
                + "the report's own reading: the first bucket below 50% after the curve has climbed back (– when "
                + "there is no such skip).")
        source(Markdown.source("retention.csv", "retention") + "; " + Markdown.source("titles.csv", "half_life_pct")
            + "; " + Markdown.source("moments.csv", "intro_retention") + ".")
    }

    mutating func writeCompletionAgainstRuntime() {
        let facts = RuntimeCompletion(data.titles)
        let titles = facts.titles
        guard titles.count > 1 else { return }
        heading("Completion against runtime")
        let labelled = Set(titles.prefix(5).map { ByteString($0.titleID) })
        chart("completion-runtime", svg: ScatterChart(
            title: "Completion rate against runtime",
            description: "Scatter plot: one point per title with a started view, its runtime in minutes across "
                + "and its completion rate up; the five most watched are labelled.",
            x: ChartAxis(label: "Runtime (minutes)"),
            y: ChartAxis(label: "Completion rate (%)", range: 0...1, format: .percent),
            points: titles.map { row in
                ScatterPoint(
                    x: (row.runtimeSeconds ?? 0) / 60, y: row.completionRate ?? 0,
                    label: labelled.contains(ByteString(row.titleID)) ? row.displayName : nil)
            }
        ).svg(), alt: "Scatter plot of completion rate against runtime, one point per title.")
        var text = "Each point is a title. Longer titles ask more of their audience; whether they lose it shows "
            + "in the slope of the cloud. A title with one or two started views sits at 0% or 100% by chance, so "
            + "read the cloud, not single points."
        if let all = facts.correlation {
            text += " The correlation between runtime and completion rate (Pearson's r, every title counting once, "
                + "n = \(titles.count)) is **\(Human.number(all, decimals: 2))**"
            if let steady = facts.establishedCorrelation, facts.establishedTitles < titles.count {
                text += "; over the \(facts.establishedTitles) titles with at least \(RuntimeCompletion.establishedStarts) "
                    + "started views it is "
                    + "**\(Human.number(steady, decimals: 2))**"
            }
            text += ". r runs from −1 (longer always completes less) through 0 (no relation) to 1 (longer always "
                + "completes more)."
            exercises.append((
                "Is a longer title less likely to be finished in this data? Compute Pearson's correlation between "
                    + "`runtime_s` and `completion_rate` over the titles of titles.csv that have both.",
                "r = \(Human.number(all, decimals: 2)) over \(Human.plural(titles.count, "title")): a "
                    + (abs(all) < 0.1 ? "negligible" : abs(all) < 0.3 ? "weak" : abs(all) < 0.5 ? "moderate" : "strong")
                    + (all < 0 ? " tendency for longer titles to be finished less often." : " relation.")))
        }
        paragraph(text)
        source(Markdown.source("titles.csv", "runtime_s") + " and `completion_rate`.")
    }

    mutating func writeHoursPerRuntime() {
        let titles = data.titles.filter { $0.runtimeViews != nil && $0.startedViews > 0 }
        guard !titles.isEmpty else { return }
        heading("Hours viewed per runtime against started views")
        paragraph(
            "Public engagement reports rank titles by hours viewed divided by runtime: the number of complete "
                + "plays the watch time adds up to (`runtime_views`). Set against started views it shows which "
                + "titles are watched through (runtime views close to started views, a ratio near 100%) and "
                + "which are sampled and left (a low ratio).")
        let labelled = Set(titles.prefix(5).map { ByteString($0.titleID) })
        chart("runtime-views", svg: ScatterChart(
            title: "Hours viewed per runtime against started views",
            description: "Scatter plot: one point per title, started views across, runtime views (hours viewed "
                + "divided by runtime) up; the five most watched are labelled.",
            x: ChartAxis(label: "Started views", format: .integer),
            y: ChartAxis(label: "Runtime views (hours viewed ÷ runtime)"),
            points: titles.map { row in
                ScatterPoint(
                    x: Double(row.startedViews), y: row.runtimeViews ?? 0,
                    label: labelled.contains(ByteString(row.titleID)) ? row.displayName : nil)
            }
        ).svg(), alt: "Scatter plot of runtime views against started views, one point per title.")
        table(
            ["Title", "Started views", "Runtime views", "Runtime views per started view"],
            titles.map { row in
                [
                    Markdown.name(row.displayName), Human.count(row.startedViews), Human.number(row.runtimeViews),
                    Human.percent(row.runtimeViewsPerStartedView),
                ]
            },
            rightAligned: [1, 2, 3], limit: 10, csv: "titles.csv", what: "titles with a started view and a runtime")
        source(Markdown.source("titles.csv", "runtime_views") + " and `started_views`; the last column is their "
            + "quotient.")
    }

    mutating func writeRewatchCurve() {
        guard let top = data.titlesWithCurves(limit: 1).first else { return }
        let id = top.titleID
        let name = top.displayName
        heading("The rewatch curve of " + Markdown.name(name))
        paragraph(
            "Retention counts a view once per part of the title; the rewatch curve counts every play of it, so a "
                + "part watched twice in one view counts twice (`plays`). Divided by the started views it gives "
                + "`watch_ratio`, which can exceed 1: where it rises above the retention curve, people go back "
                + "and watch again.")
        chart("rewatch-top", svg: LineChart(
            title: "Rewatch curve of " + name,
            description: "Line chart with two lines over the runtime: retention (views that reached each part, "
                + "per started view) and watch ratio (plays of each part, per started view).",
            x: ChartAxis(
                label: "Position in the title: % of runtime, and under it the title's clock (m:ss)", range: 0...100,
                runtimeSeconds: top.runtimeSeconds),
            y: ChartAxis(label: "Per started view"),
            series: [
                LineSeries(name: "Retention (views reached)", points: retentionPoints(id)),
                LineSeries(name: "Watch ratio (plays)", points: retentionPoints(id, column: .watchRatio)),
            ],
            markers: moments(of: id).markers.filter { $0.label == "most replayed" }
        ).svg(), alt: "Rewatch curve of " + name + " against its retention curve.")
        source(Markdown.source("retention.csv", "plays") + " and `watch_ratio`; "
            + Markdown.source("moments.csv", "most_replayed_bucket") + ".")
        writeMomentExercises()
    }

    /// Two exercises on key moments, each about a title the data picks
    /// among the most watched: the most replayed part, and the steepest
    /// drop on the title's clock.
    mutating func writeMomentExercises() {
        let moments = data.titlesWithCurves(limit: 10).compactMap { row -> (TitleRow, MomentRow)? in
            data.moments(of: row.titleID).map { (row, $0) }
        }
        if let (title, moment) = pick(moments.filter { $0.1.mostReplayedBucket != nil }, salt: 5),
           let bucket = moment.mostReplayedBucket {
            let clock = clock(of: title.titleID)
            exercises.append((
                "Which part of " + Markdown.name(title.displayName) + " is replayed the most, and how many "
                    + "times is it played per view that reaches it? Use `plays` and `views_reached` in retention.csv.",
                "Bucket \(bucket)" + (clock.map { " (\(Human.clock($0.start(bucket)))–\(Human.clock($0.end(bucket))))" } ?? "")
                    + ": `plays` − `views_reached` is largest there, and the ratio is "
                    + "\(Human.number(moment.replayRatio, decimals: 2)) (`replay_ratio` in moments.csv)."))
        }
        if let (title, moment) = pick(moments.filter { $0.1.steepestDropBucket != nil }, salt: 6),
           let bucket = moment.steepestDropBucket, let clock = clock(of: title.titleID) {
            exercises.append((
                "Where, on its own clock (m:ss), does " + Markdown.name(title.displayName) + " lose the most "
                    + "viewers from one part to the next? Use `views_reached` in retention.csv and `runtime_s` in "
                    + "titles.csv (bucket i is measured at (2i+1)·runtime/(2B)).",
                "Between \(Human.clock(clock.middle(bucket - 1))) and \(Human.clock(clock.middle(bucket))) (buckets "
                    + "\(bucket - 1) and \(bucket)): " + Human.percent(moment.steepestDrop)
                    + " of the started views leave there (`steepest_drop` in moments.csv)."))
        }
    }
}
