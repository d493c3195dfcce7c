import AudienceCore
import AudienceReading

/// What is known about one title: from the catalog when it is there, else
/// from its events.
public struct TitleInfo: Sendable {
    public var id: String
    public var name: String?
    public var seriesID: String?
    public var season: Int32?
    public var episode: Int32?
    /// D; nil when unknown.
    public var runtime: Double?
}

/// One view (a session's play of one title), reduced to what the tables need.
public struct ViewSummary: Sendable {
    /// Index into `ViewSet.titles`.
    public var title: Int
    /// String id of the viewer (ids follow byte order).
    public var viewer: UInt32
    public var start: Int64
    /// The largest `ts` of the view's events: it plays from `start` to `end`.
    public var end: Int64
    public var local: LocalTime
    public var country: String
    public var region: String
    public var device: String
    public var audioLang: String
    /// Empty when absent.
    public var subtitleLang: String
    public var started: Bool
    /// Did not start, and has an `error` event.
    public var failed: Bool
    public var completed: Bool
    public var watchSeconds: ExactSum
    /// Reached buckets; meaningful when the title's runtime is known.
    public var reached: Int

    public var hasSubtitles: Bool { !subtitleLang.isEmpty && subtitleLang != "off" }

    @inlinable
    package init(
        title: Int, viewer: UInt32, start: Int64, end: Int64, local: LocalTime, country: String, region: String,
        device: String, audioLang: String, subtitleLang: String, started: Bool, failed: Bool, completed: Bool,
        watchSeconds: ExactSum, reached: Int
    ) {
        self.title = title
        self.viewer = viewer
        self.start = start
        self.end = end
        self.local = local
        self.country = country
        self.region = region
        self.device = device
        self.audioLang = audioLang
        self.subtitleLang = subtitleLang
        self.started = started
        self.failed = failed
        self.completed = completed
        self.watchSeconds = watchSeconds
        self.reached = reached
    }
}

/// Every view and title of a run, built from the deduplicated events.
public struct ViewSet: Sendable {
    public var titles: [TitleInfo]
    /// The selected views: those whose day lies in the window (all of them
    /// without one). Every table describes these.
    public var views: [ViewSummary]
    /// Every view of the run, selected or not: a viewer's first view and
    /// the audience playing at once are facts of the whole history.
    public var history: [ViewSummary]
    /// Per title with a known runtime: selected started views that reached each bucket.
    public var bucketReach: [[Int]?]
    /// Per title with a known runtime: progress events of started views
    /// that cover each bucket's midpoint, replays counted again.
    public var bucketPlays: [[Int]?]
    public var settings: MetricSettings

    public init(_ events: DeduplicatedEvents, settings: MetricSettings, threads: Int = 1) {
        let (watched, viewsOfWatched) = Self.watchedTitles(events)
        let catalog = settings.catalog
        // Facts (the runtime from the durations, names...) for the titles
        // the catalog does not describe.
        let facts = Parallel.map(count: watched.count, threads: threads) { index -> TitleFacts? in
            guard catalog?.entries[ByteString(watched[index])] == nil else { return nil }
            var title = TitleFacts()
            for view in viewsOfWatched[index] { title.add(view: view, of: events) }
            return title
        }
        // Every watched title, then the catalog titles nobody watched.
        let titles = Self.titles(watched: Array(zip(watched, facts)), catalog: catalog)
        let measured = Parallel.map(count: watched.count, threads: threads) { index in
            Self.measure(
                title: index, runtime: titles[index].runtime, views: viewsOfWatched[index], events: events,
                settings: settings)
        }
        // Curves only for titles with a view: a catalog of a million titles
        // nobody watched costs no B counters each.
        let unwatched = repeatElement(nil as [Int]?, count: titles.count - watched.count)
        self.init(
            titles: titles, history: measured.flatMap(\.summaries),
            bucketReach: measured.map(\.reach) + unwatched, bucketPlays: measured.map(\.plays) + unwatched,
            settings: settings)
    }

    /// The titles with a view, in the order their first view's id comes,
    /// and each one's views.
    private static func watchedTitles(_ events: DeduplicatedEvents) -> (titles: [String], views: [[Int]]) {
        let store = events.store
        var titleIndex: [UInt32: Int] = [:]
        var titles: [String] = []
        var views: [[Int]] = []
        for (view, key) in store.views.enumerated() where events.viewStarts[view + 1] > events.viewStarts[view] {
            if let index = titleIndex[key.title] {
                views[index].append(view)
            } else {
                titleIndex[key.title] = titles.count
                titles.append(store.strings.string(key.title))
                views.append([view])
            }
        }
        return (titles, views)
    }

    /// One title's views summarised, and its curves (nil without a runtime).
    struct TitleMeasure: Sendable {
        var summaries: [ViewSummary]
        var reach: [Int]?
        var plays: [Int]?
    }

    private static func measure(
        title: Int, runtime: Double?, views: [Int], events: DeduplicatedEvents, settings: MetricSettings
    ) -> TitleMeasure {
        let buckets = settings.buckets
        var scratch = ViewScratch(buckets: buckets)
        var reach = runtime == nil ? nil : [Int](repeating: 0, count: buckets)
        // Plays as differences: +1 where a segment's buckets begin, -1 past their end.
        var playSteps = [Int](repeating: 0, count: reach == nil ? 0 : buckets + 1)
        var summaries: [ViewSummary] = []
        summaries.reserveCapacity(views.count)
        for view in views {
            var summary = summarise(
                view: view, title: title, runtime: runtime, events: events, settings: settings, scratch: &scratch)
            if summary.started, runtime != nil {
                // Curves describe the selected views only.
                if settings.window.contains(summary.local.day) { count(scratch, into: &reach, playSteps: &playSteps) }
            } else {
                summary.reached = 0
            }
            summaries.append(summary)
        }
        var running = 0
        let plays = reach == nil ? nil : playSteps.dropLast().map { step in
            running += step
            return running
        }
        return TitleMeasure(summaries: summaries, reach: reach, plays: plays)
    }

    /// A view set from its parts (a report from a store builds them a
    /// partition at a time).
    package init(titles: [TitleInfo], history: [ViewSummary], bucketReach: [[Int]?], bucketPlays: [[Int]?], settings: MetricSettings) {
        let window = settings.window
        self.titles = titles
        self.history = history
        self.views = window.isEverything ? history : history.filter { window.contains($0.local.day) }
        self.bucketReach = bucketReach
        self.bucketPlays = bucketPlays
        self.settings = settings
    }

    /// Every watched title (described by the catalog when it lists it, else
    /// by the facts of its events), then the catalog's titles nobody watched.
    package static func titles(watched: [(id: String, facts: TitleFacts?)], catalog: Catalog?) -> [TitleInfo] {
        var titles: [TitleInfo] = []
        titles.reserveCapacity(watched.count)
        for (id, facts) in watched {
            var title = TitleInfo(id: id)
            if let entry = catalog?.entries[ByteString(id)] {
                title.name = entry.name
                title.seriesID = entry.seriesID
                title.season = entry.season
                title.episode = entry.episode
                title.runtime = entry.runtime
            } else {
                facts?.describe(&title)
            }
            titles.append(title)
        }
        if let catalog {
            let seen = Set(watched.map { ByteString($0.id) })
            for id in catalog.order where !seen.contains(ByteString(id)) {
                guard let entry = catalog.entries[ByteString(id)] else { continue }
                titles.append(TitleInfo(
                    id: id, name: entry.name, seriesID: entry.seriesID, season: entry.season,
                    episode: entry.episode, runtime: entry.runtime))
            }
        }
        return titles
    }

    /// Adds one view's reached buckets and played ranges to its title's curves.
    package static func count(_ scratch: ViewScratch, into reach: inout [Int]?, playSteps: inout [Int]) {
        for word in scratch.reachedBits.indices where scratch.reachedBits[word] != 0 {
            var bits = scratch.reachedBits[word]
            while bits != 0 {
                reach?[word * 64 + bits.trailingZeroBitCount] += 1
                bits &= bits - 1
            }
        }
        for played in scratch.playedRanges {
            playSteps[played.lowerBound] += 1
            playSteps[played.upperBound] -= 1
        }
    }

    /// Per-view working space, reused from view to view of a title.
    package struct ViewScratch {
        /// The buckets the view reached, one bit each.
        var reachedBits: [UInt64]
        /// The buckets each of the view's progress events covers.
        var playedRanges: [Range<Int>] = []

        package init(buckets: Int) {
            reachedBits = [UInt64](repeating: 0, count: (buckets + 63) / 64)
        }

        mutating func reset() {
            for index in reachedBits.indices { reachedBits[index] = 0 }
            playedRanges.removeAll(keepingCapacity: true)
        }
    }

    /// The earliest-event rule: a smaller `ts` wins; equal `ts` goes to the
    /// smaller value.
    @inline(__always)
    static func isEarlier<T: Comparable>(_ ts: Int64, _ value: T, than best: (Int64, T)?) -> Bool {
        guard let best else { return true }
        return ts < best.0 || (ts == best.0 && value < best.1)
    }

    package static func summarise(
        view: Int, title: Int, runtime: Double?, events: DeduplicatedEvents,
        settings: MetricSettings, scratch: inout ViewScratch
    ) -> ViewSummary {
        let store = events.store
        let strings = store.strings
        scratch.reset()
        var start = Int64.max
        var end = Int64.min
        var hasError = false
        var viewer: (Int64, UInt32)?
        var country: (Int64, UInt32)?
        var region: (Int64, UInt32)?
        var device: (Int64, UInt32)?
        var audio: (Int64, UInt32)?
        var subtitle: (Int64, UInt32)?
        var started = false
        var hasComplete = false
        var maxTo = -Double.infinity
        var watch = ExactSum()
        let buckets = settings.buckets
        // Once per view: the getter is a call into another target.
        let attributes = store.attributes
        for position in events.viewStarts[view]..<events.viewStarts[view + 1] {
            let event = store.events[Int(events.kept[position])]
            let ts = event.timestamp
            start = min(start, ts)
            end = max(end, ts)
            let a = attributes[Int(event.attributes)]
            if a.viewer != 0 && isEarlier(ts, a.viewer, than: viewer) { viewer = (ts, a.viewer) }
            if a.country != 0 && isEarlier(ts, a.country, than: country) { country = (ts, a.country) }
            if a.region != 0 && isEarlier(ts, a.region, than: region) { region = (ts, a.region) }
            if a.device != 0 && isEarlier(ts, a.device, than: device) { device = (ts, a.device) }
            if a.audioLang != 0 && isEarlier(ts, a.audioLang, than: audio) { audio = (ts, a.audioLang) }
            if a.subtitleLang != 0 && isEarlier(ts, a.subtitleLang, than: subtitle) { subtitle = (ts, a.subtitleLang) }
            switch event.kind {
            case .complete:
                hasComplete = true
            case .error:
                hasError = true
            case .progress:
                var from = event.from
                var to = event.to
                if let runtime {
                    from = min(max(from, 0), runtime)
                    to = min(max(to, 0), runtime)
                }
                if to > from { started = true }
                watch.add(to - from)
                maxTo = max(maxTo, to)
                if let runtime, to > from {
                    let covered = coveredBuckets(from: from, to: to, runtime: runtime, buckets: buckets)
                    for index in covered { scratch.reachedBits[index >> 6] |= 1 << UInt64(index & 63) }
                    if !covered.isEmpty { scratch.playedRanges.append(covered) }
                }
            default:
                break
            }
        }
        var reached = 0
        for word in scratch.reachedBits { reached += word.nonzeroBitCount }
        let completed = started && (hasComplete || (runtime.map { maxTo >= settings.completeAt * $0 } ?? false))
        func name(_ best: (Int64, UInt32)?, default fallback: String = "") -> String {
            best.map { strings.string($0.1) } ?? fallback
        }
        return ViewSummary(
            title: title, viewer: viewer?.1 ?? 0, start: start, end: end, local: settings.timeZone.local(start),
            country: name(country, default: "ZZ"), region: name(region), device: name(device, default: "unknown"),
            audioLang: name(audio), subtitleLang: name(subtitle), started: started, failed: !started && hasError,
            completed: completed,
            watchSeconds: watch, reached: reached)
    }

    /// The buckets i with `from <= mid_i < to`, where `mid_i = (2i+1)·D / (2B)`
    /// evaluated in that order in IEEE double.
    @inline(__always)
    static func coveredBuckets(from: Double, to: Double, runtime: Double, buckets: Int) -> Range<Int> {
        func mid(_ i: Int) -> Double { Double(2 * i + 1) * runtime / Double(2 * buckets) }
        // An estimate from the inverse, then exact steps on the formula itself.
        var first = Int(max(0, min(Double(buckets), (from * Double(2 * buckets) / runtime - 1) / 2)).rounded(.down))
        while first > 0 && mid(first - 1) >= from { first -= 1 }
        while first < buckets && mid(first) < from { first += 1 }
        var end = first
        while end < buckets && mid(end) < to { end += 1 }
        return first..<end
    }
}
