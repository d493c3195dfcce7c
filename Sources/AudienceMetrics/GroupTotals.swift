import AudienceCore

/// The measures shared by titles, countries, regions, devices and days,
/// accumulated over a group of views.
struct GroupTotals {
    var views = 0
    var startedViews = 0
    /// Views that did not start and have an `error` event.
    var failedStarts = 0
    var completedViews = 0
    var watch = ExactSum()
    /// Distinct viewers over started views.
    var viewers = Set<UInt32>()
    /// Over started views whose title has a known runtime.
    /// The sum of each view's percent watched (reached / B), exact.
    var percentWatched = ExactSum()
    var viewsWithRuntime = 0
    var subtitledViews = 0
    /// Watch seconds per title, for `top_title`.
    var titleWatch: [Int: ExactSum] = [:]

    mutating func add(_ view: ViewSummary, runtimeKnown: Bool, buckets: Int, trackTitles: Bool = false) {
        views += 1
        if trackTitles { titleWatch[view.title, default: ExactSum()].add(view.watchSeconds) }
        watch.add(view.watchSeconds)
        if view.failed { failedStarts += 1 }
        guard view.started else { return }
        startedViews += 1
        viewers.insert(view.viewer)
        if view.completed { completedViews += 1 }
        if view.hasSubtitles { subtitledViews += 1 }
        if runtimeKnown {
            viewsWithRuntime += 1
            percentWatched.add(Double(view.reached) / Double(buckets))
        }
    }

    /// Views that neither started nor failed.
    var exitsBeforeStart: Int { views - startedViews - failedStarts }

    var watchHours: Double { watch.value / 3600 }

    var completionRate: Double? {
        startedViews == 0 ? nil : Double(completedViews) / Double(startedViews)
    }

    /// The mean of the views' percent watched, as a spreadsheet's AVERAGE
    /// of the per-view values would give it (summed exactly, then divided).
    var averagePercentWatched: Double? {
        viewsWithRuntime == 0 ? nil : percentWatched.value / Double(viewsWithRuntime)
    }

    var subtitleShare: Double? {
        startedViews == 0 ? nil : Double(subtitledViews) / Double(startedViews)
    }
}

/// A group's key: up to three names (unused ones empty), compared and
/// hashed as bytes. A struct rather than an array: a key is made for every
/// view of every grouped table.
struct GroupKey: Hashable {
    var first: ByteString
    var second: ByteString
    var third: ByteString

    init(_ first: String, _ second: String = "", _ third: String = "") {
        self.first = ByteString(first)
        self.second = ByteString(second)
        self.third = ByteString(third)
    }
}

extension GroupTotals {
    /// The selected views that `include` takes, grouped by `key`.
    /// `trackTitles` keeps each group's watch per title, for `top_title`.
    static func grouped(
        _ set: ViewSet, runtimeKnown: [Bool], trackTitles: Bool = false,
        where include: (ViewSummary) -> Bool = { _ in true }, by key: (ViewSummary) -> GroupKey
    ) -> [GroupKey: GroupTotals] {
        var groups: [GroupKey: GroupTotals] = [:]
        for view in set.views where include(view) {
            groups[key(view), default: GroupTotals()]
                .add(view, runtimeKnown: runtimeKnown[view.title], buckets: set.settings.buckets, trackTitles: trackTitles)
        }
        return groups
    }
}
