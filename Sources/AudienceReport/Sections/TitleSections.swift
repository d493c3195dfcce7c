import AudienceCore
import AudienceMetrics
import SVGCharts

/// Titles: the most watched, their retention curves and key moments,
/// completion against runtime, hours per runtime and the rewatch curve.
extension ReportWriter {
    mutating func writeTopTitles() {
        heading("Top titles")
        let rows = data.titles.rows.filter { $0.count("views") > 0 }
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
                    Markdown.name(data.displayName(row)), Human.count(row.count("views")),
                    Human.count(row.count("started_views")), Human.hours(row.number("watch_hours")),
                ] + (comparison.map { [change($0.row("title", row["title_id"], "watch_hours"))] } ?? []) + [
                    Human.percent(row.number("completion_rate")), Human.percent(row.number("avg_pct_watched")),
                ]
            },
            rightAligned: Set(1...(comparison == nil ? 5 : 6)), limit: 10, csv: "titles.csv",
            what: "titles with a view, by watch time (catalog titles nobody watched are listed there too)")
        if let comparison {
            let gone = comparison.rows.filter { $0.scope == "title" && $0.status == .gone && $0.measure == "watch_hours" }
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
            categories: top.map { data.displayName($0) },
            series: [BarSeries(name: "Watch time", values: top.map { $0.number("watch_hours") ?? 0 })],
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
        let percents = data.retention.startPercents
        return (0..<data.retention.buckets).map { bucket in
            (Cell.written(percents[bucket]), column == .retention ? curve.retention(bucket) : curve.watchRatio(bucket))
        }
    }

    /// A title's retention curve, bucket by bucket.
    func retentionValues(_ title: String) -> [Double] {
        guard let curve = data.curve(of: title) else { return [] }
        return (0..<data.retention.buckets).map { curve.retention($0) }
    }

    /// Where a curve climbs back by 10 points or more after falling: viewers
    /// who skipped a part (an intro, a recap) rather than left. The bucket
    /// of the fall's bottom and the highest point after it.
    static func skipAhead(in curve: [Double]) -> (bottom: Int, recovered: Double)? {
        // The deepest dip that the curve climbs back from: the largest rise
        // from a bucket to the highest point after it.
        var best: (bottom: Int, recovered: Double)?
        var highestAfter = -Double.infinity
        for bucket in curve.indices.reversed() {
            let rise = highestAfter - curve[bucket]
            if rise >= 0.1, rise >= (best.map { $0.recovered - curve[$0.bottom] } ?? 0) {
                best = (bucket, highestAfter)
            }
            highestAfter = max(highestAfter, curve[bucket])
        }
        return best
    }

    /// Where a title's buckets lie on its own clock; nil without a runtime.
    func clock(of title: String) -> BucketClock? {
        BucketClock(runtime: data.titleRow(title)?.number("runtime_s"), buckets: data.metrics.buckets)
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
        guard let row = data.moments.rows.first(where: { $0["title_id"].utf8.elementsEqual(title.utf8) }) else {
            return ([], [])
        }
        let buckets = Double(data.metrics.buckets)
        let clock = clock(of: title)
        func percent(_ bucket: String) -> Double? { Double(bucket).map { 100 * $0 / buckets } }
        var markers: [ChartMarker] = []
        var sentences: [String] = []
        if let bucket = Int(row["intro_bucket"]), let clock {
            // Retention is measured at the bucket's middle, not at second 30:
            // say where, first.
            let middle = clock.middle(bucket)
            markers.append(ChartMarker(x: 100 * middle / clock.runtime, label: "30 s (at " + Human.clock(middle) + ")"))
            sentences.append("**30 seconds in, measured at \(Human.clock(middle))**: "
                + "\(Human.percent(row.number("intro_retention"))) of the started views are still watching "
                + "(`intro_retention`). Retention is measured at the middle of each part of the runtime; second 30 "
                + "falls in the part from \(Human.clock(clock.start(bucket))) to \(Human.clock(clock.end(bucket))) "
                + "(bucket \(bucket)), whose middle is \(Human.clock(middle)).")
        } else {
            sentences.append("The title is 30 seconds or shorter, so it has no 30-second mark.")
        }
        if let drop = percent(row["steepest_drop_bucket"]), let bucket = Int(row["steepest_drop_bucket"]) {
            markers.append(ChartMarker(x: drop, label: "steepest drop"))
            let span = "\(Human.number(100 * Double(bucket - 1) / buckets))% to \(Human.number(drop))% of the runtime"
            let at = clock.map {
                "**\(Human.clock($0.middle(bucket - 1)))** to **\(Human.clock($0.middle(bucket)))** (\(span), "
            } ?? span + " ("
            sentences.append("**The steepest drop** is from \(at)between buckets \(bucket - 1) and \(bucket)): the "
                + "curve falls by \(Human.percent(row.number("steepest_drop"))) of the started views there "
                + "(`steepest_drop`).")
        } else {
            sentences.append("The curve never falls from one bucket to the next: no steepest drop.")
        }
        let values = retentionValues(title)
        if let skip = Self.skipAhead(in: values) {
            sentences.append("The curve falls to \(Human.percent(values[skip.bottom])) at "
                + position(100 * Double(skip.bottom) / buckets, on: clock) + " and climbs back to "
                + "\(Human.percent(skip.recovered)): those viewers did not leave, they skipped ahead (an intro or a "
                + "recap) with a seek. A fall followed by a climb is a skip; a fall that stays is a loss.")
        }
        if let replay = percent(row["most_replayed_bucket"]), let bucket = Int(row["most_replayed_bucket"]) {
            markers.append(ChartMarker(x: replay, label: "most replayed"))
            let share = "\(Human.number(replay))% of the runtime"
            let at = clock.map { "**\(Human.clock($0.start(bucket)))–\(Human.clock($0.end(bucket)))** (\(share), " }
                ?? share + " ("
            sentences.append("**The most replayed part** is \(at)bucket \(bucket)): it is played "
                + "\(Human.number(row.number("replay_ratio"), decimals: 2)) times for each view that reaches it "
                + "(`replay_ratio`).")
        } else {
            sentences.append("No part is played twice in a view: nothing is replayed.")
        }
        return (markers, sentences)
    }

    mutating func writeMostWatchedRetention() {
        guard let top = data.titlesWithCurves(limit: 1).first else { return }
        let id = top["title_id"]
        let name = data.displayName(top)
        heading("Retention of the most watched title: " + Markdown.name(name))
        let (markers, sentences) = moments(of: id)
        chart("retention-top", svg: LineChart(
            title: "Retention of " + name,
            description: "Line chart: the share of started views still watching at each point of the title, "
                + "from 0% to 100% of its runtime, with its key moments marked.",
            x: ChartAxis(
                label: "Position in the title: % of runtime, and under it the title's clock (m:ss)", range: 0...100,
                runtimeSeconds: top.number("runtime_s")),
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
                + position(top.number("half_life_pct"), on: clock(of: id)) + " of the runtime "
                + "(`half_life_pct` in titles.csv" + (top["runtime_s"].isEmpty ? "" : ", on the clock of its `runtime_s`")
                + ")." + halfLifeAfterSkipSentence(id))
        paragraph(sentences.map { "- " + $0 }.joined(separator: "\n"))
    }

    /// When a skipped intro pulls the half-life into its dip: where the
    /// curve falls below 50% for good after the skip (100 when it never
    /// does); nil without such a skip.
    func halfLifeAfterSkip(_ title: String) -> Double? {
        let curve = retentionValues(title)
        guard let skip = Self.skipAhead(in: curve), curve[skip.bottom] < 0.5 else { return nil }
        let peak = curve[skip.bottom...].firstIndex(of: skip.recovered) ?? skip.bottom
        return curve[peak...].firstIndex { $0 < 0.5 }.map { 100 * Double($0) / Double(curve.count) } ?? 100
    }

    /// The sentence on the half-life after a skip, or nothing.
    func halfLifeAfterSkipSentence(_ title: String) -> String {
        guard let position = halfLifeAfterSkip(title) else { return "" }
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
            series: compared.map { LineSeries(name: data.displayName($0), points: retentionPoints($0["title_id"])) }
        ).svg(), alt: "Retention curves of the top titles compared; the half-lives are in the table below.")
        table(
            ["Title", "Runtime", "Started views", "Half-life: % (m:ss)", "Half-life after a skip", "Still there at 30 s",
             "Completion"],
            compared.map { row in
                let moment = data.moments.rows.first { $0["title_id"].utf8.elementsEqual(row["title_id"].utf8) }
                return [
                    Markdown.name(data.displayName(row)), Human.clock(row.number("runtime_s")),
                    Human.count(row.count("started_views")),
                    position(row.number("half_life_pct"), on: clock(of: row["title_id"])),
                    halfLifeAfterSkip(row["title_id"]).map { position($0, on: clock(of: row["title_id"])) } ?? "–",
                    Human.percent(moment?.number("intro_retention")), Human.percent(row.number("completion_rate")),
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
        let titles = data.titles.rows.filter { $0.number("runtime_s") != nil && $0.number("completion_rate") != nil }
        guard titles.count > 1 else { return }
        heading("Completion against runtime")
        let labelled = Set(titles.prefix(5).map { ByteString($0["title_id"]) })
        chart("completion-runtime", svg: ScatterChart(
            title: "Completion rate against runtime",
            description: "Scatter plot: one point per title with a started view, its runtime in minutes across "
                + "and its completion rate up; the five most watched are labelled.",
            x: ChartAxis(label: "Runtime (minutes)"),
            y: ChartAxis(label: "Completion rate (%)", range: 0...1, format: .percent),
            points: titles.map { row in
                ScatterPoint(
                    x: (row.number("runtime_s") ?? 0) / 60, y: row.number("completion_rate") ?? 0,
                    label: labelled.contains(ByteString(row["title_id"])) ? data.displayName(row) : nil)
            }
        ).svg(), alt: "Scatter plot of completion rate against runtime, one point per title.")
        func correlation(_ rows: [TableRecords.Record]) -> Double? {
            Statistics.correlation(
                rows.map { $0.number("runtime_s") ?? 0 }, rows.map { $0.number("completion_rate") ?? 0 })
        }
        let established = titles.filter { $0.count("started_views") >= 5 }
        var text = "Each point is a title. Longer titles ask more of their audience; whether they lose it shows "
            + "in the slope of the cloud. A title with one or two started views sits at 0% or 100% by chance, so "
            + "read the cloud, not single points."
        if let all = correlation(titles) {
            text += " The correlation between runtime and completion rate (Pearson's r, every title counting once, "
                + "n = \(titles.count)) is **\(Human.number(all, decimals: 2))**"
            if let steady = correlation(established), established.count < titles.count {
                text += "; over the \(established.count) titles with at least 5 started views it is "
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
        let titles = data.titles.rows.filter { $0.number("runtime_views") != nil && $0.count("started_views") > 0 }
        guard !titles.isEmpty else { return }
        heading("Hours viewed per runtime against started views")
        paragraph(
            "Public engagement reports rank titles by hours viewed divided by runtime: the number of complete "
                + "plays the watch time adds up to (`runtime_views`). Set against started views it shows which "
                + "titles are watched through (runtime views close to started views, a ratio near 100%) and "
                + "which are sampled and left (a low ratio).")
        let labelled = Set(titles.prefix(5).map { ByteString($0["title_id"]) })
        chart("runtime-views", svg: ScatterChart(
            title: "Hours viewed per runtime against started views",
            description: "Scatter plot: one point per title, started views across, runtime views (hours viewed "
                + "divided by runtime) up; the five most watched are labelled.",
            x: ChartAxis(label: "Started views", format: .integer),
            y: ChartAxis(label: "Runtime views (hours viewed ÷ runtime)"),
            points: titles.map { row in
                ScatterPoint(
                    x: Double(row.count("started_views")), y: row.number("runtime_views") ?? 0,
                    label: labelled.contains(ByteString(row["title_id"])) ? data.displayName(row) : nil)
            }
        ).svg(), alt: "Scatter plot of runtime views against started views, one point per title.")
        table(
            ["Title", "Started views", "Runtime views", "Runtime views per started view"],
            titles.map { row in
                let started = Double(row.count("started_views"))
                return [
                    Markdown.name(data.displayName(row)), Human.count(row.count("started_views")),
                    Human.number(row.number("runtime_views")),
                    Human.percent(row.number("runtime_views").map { $0 / started }),
                ]
            },
            rightAligned: [1, 2, 3], limit: 10, csv: "titles.csv", what: "titles with a started view and a runtime")
        source(Markdown.source("titles.csv", "runtime_views") + " and `started_views`; the last column is their "
            + "quotient.")
    }

    mutating func writeRewatchCurve() {
        guard let top = data.titlesWithCurves(limit: 1).first else { return }
        let id = top["title_id"]
        let name = data.displayName(top)
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
                runtimeSeconds: top.number("runtime_s")),
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
        let moments = data.titlesWithCurves(limit: 10).compactMap { row -> (TableRecords.Record, TableRecords.Record)? in
            data.moments.rows.first { $0["title_id"].utf8.elementsEqual(row["title_id"].utf8) }.map { (row, $0) }
        }
        if let (title, moment) = pick(moments.filter { !$0.1["most_replayed_bucket"].isEmpty }, salt: 5),
           let bucket = Int(moment["most_replayed_bucket"]) {
            let clock = clock(of: title["title_id"])
            exercises.append((
                "Which part of " + Markdown.name(data.displayName(title)) + " is replayed the most, and how many "
                    + "times is it played per view that reaches it? Use `plays` and `views_reached` in retention.csv.",
                "Bucket \(bucket)" + (clock.map { " (\(Human.clock($0.start(bucket)))–\(Human.clock($0.end(bucket))))" } ?? "")
                    + ": `plays` − `views_reached` is largest there, and the ratio is "
                    + "\(Human.number(moment.number("replay_ratio"), decimals: 2)) (`replay_ratio` in moments.csv)."))
        }
        if let (title, moment) = pick(moments.filter { !$0.1["steepest_drop_bucket"].isEmpty }, salt: 6),
           let bucket = Int(moment["steepest_drop_bucket"]), let clock = clock(of: title["title_id"]) {
            exercises.append((
                "Where, on its own clock (m:ss), does " + Markdown.name(data.displayName(title)) + " lose the most "
                    + "viewers from one part to the next? Use `views_reached` in retention.csv and `runtime_s` in "
                    + "titles.csv (bucket i is measured at (2i+1)·runtime/(2B)).",
                "Between \(Human.clock(clock.middle(bucket - 1))) and \(Human.clock(clock.middle(bucket))) (buckets "
                    + "\(bucket - 1) and \(bucket)): " + Human.percent(moment.number("steepest_drop"))
                    + " of the started views leave there (`steepest_drop` in moments.csv)."))
        }
    }
}
