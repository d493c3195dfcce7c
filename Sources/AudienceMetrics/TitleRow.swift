import AudienceCore

/// A row of titles.csv: a title with a selected view, or of the catalog.
/// Numbers are as written (`NumberFormat.written`); nil is an empty field.
public struct TitleRow: Sendable, Equatable {
    public var titleID: String
    /// Empty when the catalog gives no name.
    public var titleName: String
    /// Empty when the title is no episode.
    public var seriesID: String
    public var season: Int?
    public var episode: Int?
    public var runtimeSeconds: Double?
    public var views: Int
    public var startedViews: Int
    public var failedStarts: Int
    public var exitsBeforeStart: Int
    public var uniqueViewers: Int
    public var watchHours: Double?
    public var avgViewMinutes: Double?
    public var completedViews: Int
    public var completionRate: Double?
    public var avgPctWatched: Double?
    public var halfLifePct: Double?
    public var runtimeViews: Double?

    /// The title as people read it: its catalog name, else its id.
    public var displayName: String { titleName.isEmpty ? titleID : titleName }

    /// Runtime views per started view: near 1 when the title is watched
    /// through, low when it is sampled and left; nil without runtime views
    /// or without a started view (a catalog title nobody started).
    public var runtimeViewsPerStartedView: Double? {
        guard startedViews > 0 else { return nil }
        return runtimeViews.map { $0 / Double(startedViews) }
    }

    public static let columns: [TableColumn<TitleRow>] = [
        .text("title_id", \.titleID), .text("title_name", \.titleName), .text("series_id", \.seriesID),
        .optionalInteger("season", \.season), .optionalInteger("episode", \.episode),
        .number("runtime_s", \.runtimeSeconds), .integer("views", \.views), .integer("started_views", \.startedViews),
        .integer("failed_starts", \.failedStarts), .integer("exits_before_start", \.exitsBeforeStart),
        .integer("unique_viewers", \.uniqueViewers), .number("watch_hours", \.watchHours),
        .number("avg_view_minutes", \.avgViewMinutes), .integer("completed_views", \.completedViews),
        .number("completion_rate", \.completionRate), .number("avg_pct_watched", \.avgPctWatched),
        .number("half_life_pct", \.halfLifePct), .number("runtime_views", \.runtimeViews),
    ]

    /// titles.csv: by watch hours as written, most first, then `title_id` bytes.
    static func table(_ set: ViewSet, _ perTitle: [GroupTotals]) -> Table<TitleRow> {
        let buckets = set.settings.buckets
        var rows: [TitleRow] = []
        for (index, title) in set.titles.enumerated() {
            let totals = perTitle[index]
            // Titles with a selected view, and every catalog title (with a
            // window, a title watched only outside it has neither).
            guard totals.views > 0 || set.settings.catalog?.entries[ByteString(title.id)] != nil else { continue }
            let seconds = totals.watch.value
            let hours = seconds / 3600
            let started = totals.startedViews
            var halfLife: Double?
            if let reach = set.bucketReach[index], started > 0 {
                let firstBelow = reach.firstIndex { 2 * $0 < started } ?? buckets
                halfLife = firstBelow == buckets ? 100 : 100 * Double(firstBelow) / Double(buckets)
            }
            rows.append(TitleRow(
                titleID: title.id, titleName: title.name ?? "", seriesID: title.seriesID ?? "",
                season: title.season.map { Int($0) }, episode: title.episode.map { Int($0) },
                runtimeSeconds: NumberFormat.written(title.runtime), views: totals.views, startedViews: started,
                failedStarts: totals.failedStarts, exitsBeforeStart: totals.exitsBeforeStart,
                uniqueViewers: totals.viewers.count, watchHours: NumberFormat.written(hours),
                avgViewMinutes: NumberFormat.written(started == 0 ? nil : seconds / Double(started) / 60),
                completedViews: totals.completedViews, completionRate: NumberFormat.written(totals.completionRate),
                avgPctWatched: NumberFormat.written(title.runtime == nil ? nil : totals.averagePercentWatched),
                halfLifePct: NumberFormat.written(halfLife),
                runtimeViews: NumberFormat.written(title.runtime.map { hours / ($0 / 3600) })))
        }
        rows.sort { a, b in
            let x = a.watchHours ?? .infinity, y = b.watchHours ?? .infinity
            return x != y ? x > y : Cell.bytesAscending(a.titleID, b.titleID)
        }
        return Table(columns: columns, rows: rows)
    }
}
