import AudienceCore
import AudienceMetrics
import SVGCharts

/// Where the audience is and how it listens: countries, devices, regions,
/// and the localisation mix and effect.
extension ReportWriter {
    /// A group's name as shown: its key, or a word for an empty key.
    static func groupName(_ key: String, empty: String = "(none)") -> String {
        key.isEmpty ? empty : key
    }

    mutating func writeCountries() {
        heading("Countries")
        let rows = data.tables.countries.rows
        paragraph(
            "Where the views were watched, by the `country` of each view (`ZZ` when the logs did not say). The "
                + "share is of all watch time; subtitles are the share of started views with subtitles on.")
        let comparison = data.comparison
        table(
            ["Country", "Views", "Unique viewers", "Watch time"] + (comparison == nil ? [] : ["Change in watch time"])
                + ["Share of watch time", "Completion", "Subtitles", "Top title"],
            rows.map { row in
                [
                    Markdown.name(row.country), Human.count(row.measures.views),
                    Human.count(row.measures.uniqueViewers), Human.hours(row.measures.watchHours),
                ] + (comparison.map { [change($0.row(.country, row.country, .watchHours))] } ?? []) + [
                    Human.percent(row.shareOfWatchHours), Human.percent(row.measures.completionRate),
                    Human.percent(row.subtitleShare), Markdown.name(topTitleName(row.topTitle)),
                ]
            },
            rightAligned: Set(1...(comparison == nil ? 6 : 7)), limit: 10, csv: "countries.csv")
        if let comparison {
            let gone = comparison.rows.filter { $0.scope == .country && $0.status == .gone && $0.measure == .watchHours }
            paragraph("Change in watch time against the previous period (" + Markdown.source("compare.csv", "change")
                + ", rows `country`)." + (gone.isEmpty ? "" : " Countries that watched then and not now (**gone**): "
                    + gone.map { Markdown.name($0.key) + " (" + Human.hours($0.previous) + ")" }.joined(separator: ", ")
                    + "."))
        }
        source(Markdown.source("countries.csv") + ": `views`, `unique_viewers`, `watch_hours`, "
            + "`share_of_watch_hours`, `completion_rate`, `subtitle_share`, `top_title`.")
        let shown = Array(rows.prefix(10))
        chart("countries", svg: BarChart(
            title: "Share of watch time by country",
            description: "Horizontal bars: each country's share of all watch time, for the \(shown.count) "
                + "countries with the most.",
            categories: shown.map { Self.groupName($0.country) },
            series: [BarSeries(name: "Share of watch time", values: shown.map { $0.shareOfWatchHours ?? 0 })],
            value: ChartAxis(label: "Share of all watch time (%)", format: .percent)
        ).svg(), alt: "Bar chart of each country's share of watch time; the numbers are in the table above.")
        if let first = pick(rows, salt: 4) {
            exercises.append((
                "What share of all watch time did viewers in " + Markdown.name(first.country) + " watch? Recompute "
                    + "it from `watch_hours` in countries.csv.",
                Markdown.name(first.country) + ": " + Human.number(first.measures.watchHours, decimals: 2)
                    + " of " + Human.number(data.totals.watchHours, decimals: 2) + " watch hours = "
                    + Human.percent(first.shareOfWatchHours) + " (`share_of_watch_hours`)."))
        }
    }

    func topTitleName(_ id: String) -> String {
        data.titleRow(id)?.displayName ?? id
    }

    mutating func writeDevices() {
        heading("Devices")
        let rows = data.tables.devices.rows
        table(
            ["Device", "Views", "Started", "Unique viewers", "Watch time", "Completion", "Avg % watched"],
            rows.map { row in
                [
                    Markdown.name(row.device), Human.count(row.measures.views), Human.count(row.measures.startedViews),
                    Human.count(row.measures.uniqueViewers), Human.hours(row.measures.watchHours),
                    Human.percent(row.measures.completionRate), Human.percent(row.measures.avgPctWatched),
                ]
            },
            rightAligned: [1, 2, 3, 4, 5, 6], limit: 10, csv: "devices.csv")
        source(Markdown.source("devices.csv") + ": `views`, `started_views`, `unique_viewers`, `watch_hours`, "
            + "`completion_rate`, `avg_pct_watched`.")
        let shown = Array(rows.prefix(10))
        chart("devices", svg: BarChart(
            title: "Completion rate by device",
            description: "Horizontal bars: the completion rate of the started views on each device.",
            categories: shown.map { Self.groupName($0.device) },
            series: [BarSeries(name: "Completion rate", values: shown.map { $0.measures.completionRate ?? 0 })],
            value: ChartAxis(label: "Completion rate (%)", range: 0...1, format: .percent)
        ).svg(), alt: "Bar chart of the completion rate on each device; the numbers are in the table above.")
    }

    mutating func writeRegions() {
        heading("Regions")
        paragraph("Countries split by the `region` of each view; an empty region is its own group.")
        table(
            ["Country", "Region", "Views", "Unique viewers", "Watch time", "Share of watch time", "Completion"],
            data.tables.regions.rows.map { row in
                [
                    Markdown.name(row.country), Markdown.name(row.region ?? ""), Human.count(row.measures.views),
                    Human.count(row.measures.uniqueViewers), Human.hours(row.measures.watchHours),
                    Human.percent(row.shareOfWatchHours), Human.percent(row.measures.completionRate),
                ]
            },
            rightAligned: [2, 3, 4, 5, 6], limit: 10, csv: "regions.csv")
        source(Markdown.source("regions.csv") + ": `views`, `unique_viewers`, `watch_hours`, "
            + "`share_of_watch_hours`, `completion_rate`.")
    }

    mutating func writeLocalisation() {
        let rows = data.tables.languages.rows
        guard !rows.isEmpty else { return }
        heading("Localisation: audio and subtitles")
        paragraph(
            "How each country listens: the audio language and the subtitles of its started views (`off` when "
                + "subtitles were off or not reported; an empty audio language was not reported).")
        // Each country's own most common pairs, for the countries with the most started views.
        var labels: [String] = []
        var shares: [Double] = []
        for country in LocalisationMix(rows, pairsPerCountry: 2).countries.prefix(8) {
            for pair in country.pairs {
                labels.append(Self.groupName(country.country) + ": " + Self.groupName(pair.row.audioLang, empty: "?")
                    + " audio, subtitles " + pair.row.subtitleLang)
                shares.append(pair.share)
            }
        }
        chart("localisation-mix", svg: BarChart(
            title: "The two most common audio and subtitle pairs in each country",
            description: "Horizontal bars: for each of the countries with the most started views, its two most "
                + "common audio and subtitle combinations and their share of the country's started views.",
            categories: labels,
            series: [BarSeries(name: "Share of the country's started views", values: shares)],
            value: ChartAxis(label: "Share of the country's started views (%)", range: 0...1, format: .percent)
        ).svg(), alt: "Bars of each country's two most common audio and subtitle pairs; the numbers are in languages.csv.")
        heading("Do dubbing and subtitles keep people watching?", depth: 3)
        paragraph(
            "The same groups with their completion rate and average percent watched. Compare pairs within a "
                + "country: a pair that completes more often suggests the localisation serves its audience; "
                + "small groups (few started views) vary by chance.")
        table(
            ["Country", "Audio", "Subtitles", "Started views", "Watch time", "Completion", "Avg % watched"],
            rows.map { row in
                [
                    Markdown.name(row.country), Markdown.name(row.audioLang), Markdown.name(row.subtitleLang),
                    Human.count(row.measures.startedViews), Human.hours(row.measures.watchHours),
                    Human.percent(row.measures.completionRate), Human.percent(row.measures.avgPctWatched),
                ]
            },
            rightAligned: [3, 4, 5, 6], limit: 15, csv: "languages.csv")
        source(Markdown.source("languages.csv") + ": `started_views`, `watch_hours`, `completion_rate`, "
            + "`avg_pct_watched`.")
    }
}
