import AudienceCore

/// A row of series.csv: one episode someone started, in its series' order.
public struct EpisodeRow: Sendable, Equatable {
    public var seriesID: String
    public var season: Int?
    public var episode: Int?
    public var titleID: String
    /// Viewers with a started view of the episode.
    public var viewers: Int
    /// Of the previous episode's viewers, the share who started this one;
    /// nil for the first.
    public var continuedFromPrevious: Double?
    /// Of the first episode's viewers, the share who started this one.
    public var fromFirst: Double?

    public static let columns: [TableColumn<EpisodeRow>] = [
        .text("series_id", \.seriesID), .optionalInteger("season", \.season), .optionalInteger("episode", \.episode),
        .text("title_id", \.titleID), .integer("viewers", \.viewers),
        .number("continued_from_previous", \.continuedFromPrevious), .number("from_first", \.fromFirst),
    ]
}

/// A row of series_summary.csv: one series with a started episode.
public struct SeriesRow: Sendable, Equatable {
    public var seriesID: String
    /// Episodes someone started.
    public var episodes: Int
    /// Viewers with a started view of any episode.
    public var viewers: Int
    public var avgEpisodesPerViewer: Double?
    /// Viewers who completed every episode someone started.
    public var completedAllViewers: Int
    public var completedAllShare: Double?
    /// Viewers who started three or more episodes on one day.
    public var bingeViewers: Int
    public var bingeRate: Double?

    public static let columns: [TableColumn<SeriesRow>] = [
        .text("series_id", \.seriesID), .integer("episodes", \.episodes), .integer("viewers", \.viewers),
        .number("avg_episodes_per_viewer", \.avgEpisodesPerViewer),
        .integer("completed_all_viewers", \.completedAllViewers), .number("completed_all_share", \.completedAllShare),
        .integer("binge_viewers", \.bingeViewers), .number("binge_rate", \.bingeRate),
    ]
}

/// series.csv and series_summary.csv, by series_id bytes; episodes in
/// (season, episode, title_id) order.
enum SeriesTables {
    static func make(_ set: ViewSet) -> (episodes: Table<EpisodeRow>, series: Table<SeriesRow>) {
        var viewersByTitle: [Int: Set<UInt32>] = [:]
        var completersByTitle: [Int: Set<UInt32>] = [:]
        for view in set.views where view.started {
            viewersByTitle[view.title, default: []].insert(view.viewer)
            if view.completed { completersByTitle[view.title, default: []].insert(view.viewer) }
        }
        var episodesBySeries: [ByteString: [Int]] = [:]
        for (index, title) in set.titles.enumerated() {
            guard let series = title.seriesID, viewersByTitle[index] != nil else { continue }
            episodesBySeries[ByteString(series), default: []].append(index)
        }
        let bingers = bingeViewers(set)

        // An absent season or episode sorts after every present one.
        func order(_ value: Int32?) -> Int64 { value.map { Int64($0) } ?? Int64.max }
        var rows: [EpisodeRow] = []
        var summaryRows: [SeriesRow] = []
        for series in episodesBySeries.keys.sorted() {
            let episodes = (episodesBySeries[series] ?? []).sorted { a, b in
                let x = set.titles[a], y = set.titles[b]
                if order(x.season) != order(y.season) { return order(x.season) < order(y.season) }
                if order(x.episode) != order(y.episode) { return order(x.episode) < order(y.episode) }
                return Cell.bytesAscending(x.id, y.id)
            }
            // A series is listed only with a started episode, so it has a first.
            guard let firstEpisode = episodes.first else { continue }
            let first = viewersByTitle[firstEpisode] ?? []
            var previous: Set<UInt32>?
            var seriesViewers = Set<UInt32>()
            var episodeStarts = 0
            var completedAll = completersByTitle[firstEpisode] ?? []
            for index in episodes {
                let viewers = viewersByTitle[index] ?? []
                let title = set.titles[index]
                rows.append(EpisodeRow(
                    seriesID: series.text, season: title.season.map { Int($0) }, episode: title.episode.map { Int($0) },
                    titleID: title.id, viewers: viewers.count,
                    continuedFromPrevious: NumberFormat.written(
                        previous.map { Double(viewers.intersection($0).count) / Double($0.count) }),
                    fromFirst: NumberFormat.written(Double(viewers.intersection(first).count) / Double(first.count))))
                previous = viewers
                seriesViewers.formUnion(viewers)
                episodeStarts += viewers.count
                completedAll.formIntersection(completersByTitle[index] ?? [])
            }
            let viewerCount = Double(seriesViewers.count)
            let binge = bingers[series]?.count ?? 0
            summaryRows.append(SeriesRow(
                seriesID: series.text, episodes: episodes.count, viewers: seriesViewers.count,
                avgEpisodesPerViewer: NumberFormat.written(Double(episodeStarts) / viewerCount),
                completedAllViewers: completedAll.count,
                completedAllShare: NumberFormat.written(Double(completedAll.count) / viewerCount),
                bingeViewers: binge, bingeRate: NumberFormat.written(Double(binge) / viewerCount)))
        }
        return (Table(columns: EpisodeRow.columns, rows: rows), Table(columns: SeriesRow.columns, rows: summaryRows))
    }

    /// Per series, the viewers who started three or more distinct episodes
    /// of it on one day.
    private static func bingeViewers(_ set: ViewSet) -> [ByteString: Set<UInt32>] {
        struct ViewerDay: Hashable {
            var series: ByteString
            var viewer: UInt32
            var day: Int
        }
        var episodesByViewerDay: [ViewerDay: Set<Int>] = [:]
        for view in set.views where view.started {
            guard let series = set.titles[view.title].seriesID else { continue }
            episodesByViewerDay[ViewerDay(series: ByteString(series), viewer: view.viewer, day: view.local.day), default: []]
                .insert(view.title)
        }
        var bingers: [ByteString: Set<UInt32>] = [:]
        for (key, episodes) in episodesByViewerDay where episodes.count >= 3 {
            bingers[key.series, default: []].insert(key.viewer)
        }
        return bingers
    }
}
