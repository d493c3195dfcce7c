import AudienceCore
import AudienceReading

/// What a title's events say about it, for a title the catalog lacks
/// (viewing-events.md, "Titles"): the most frequent `duration` (ties to the
/// larger) is its runtime, and `series_id`, `season` and `episode` come from
/// the earliest event that has each (equal `ts`: the smaller value).
///
/// Mergeable: facts gathered from any split of the title's events (the
/// partitions of a store) merge into the facts of all of them.
package struct TitleFacts: Sendable {
    package var durationCounts: [Double: Int] = [:]
    /// The text's bytes, so that facts from stores with different string
    /// ids compare.
    package var series: (ts: Int64, id: [UInt8])?
    package var season: (ts: Int64, value: Int32)?
    package var episode: (ts: Int64, value: Int32)?

    package init() {}

    /// Adds the kept events of one view.
    package mutating func add(view: Int, of events: DeduplicatedEvents) {
        let store = events.store
        var seriesID: (ts: Int64, id: UInt32)?
        var run = DurationRun()
        let attributes = store.attributes
        for position in events.viewStarts[view]..<events.viewStarts[view + 1] {
            let event = store.events[Int(events.kept[position])]
            run.count(event.duration, into: &durationCounts)
            add(event, attributes, series: &seriesID)
        }
        run.finish(into: &durationCounts)
        if let seriesID {
            merge(series: (seriesID.ts, Array(store.strings.bytes(seriesID.id))))
        }
    }

    /// The facts of every title of `store`'s events, duplicates not removed
    /// (a store's first guess, written beside the events).
    package static func perTitle(_ store: EventStore) -> [ByteString: TitleFacts] {
        // Per title seen: its facts, its series as an id of this store, and
        // the run of equal durations being counted (a title's events mostly
        // share one: the dictionary is touched once per run, not per event).
        struct Gathering {
            var facts = TitleFacts()
            var series: (ts: Int64, id: UInt32)?
            var run = DurationRun()

            mutating func add(_ event: EventRecord, _ attributes: [EventAttributes]) {
                run.count(event.duration, into: &facts.durationCounts)
                facts.add(event, attributes, series: &series)
            }
        }
        var gatherings: [Gathering] = []
        var slotOfTitle: [UInt32: Int] = [:]
        // A view's title is looked up once, not once per event.
        var slotOfView = [Int](repeating: -1, count: store.views.count)
        let views = store.views
        let attributes = store.attributes
        for event in store.events where !event.isPadding {
            var slot = slotOfView[Int(event.view)]
            if slot < 0 {
                let title = views[Int(event.view)].title
                if let known = slotOfTitle[title] {
                    slot = known
                } else {
                    slot = gatherings.count
                    slotOfTitle[title] = slot
                    gatherings.append(Gathering())
                }
                slotOfView[Int(event.view)] = slot
            }
            gatherings[slot].add(event, attributes)
        }
        var result: [ByteString: TitleFacts] = [:]
        for (title, slot) in slotOfTitle {
            var gathering = gatherings[slot]
            gathering.run.finish(into: &gathering.facts.durationCounts)
            if let series = gathering.series {
                gathering.facts.merge(series: (series.ts, Array(store.strings.bytes(series.id))))
            }
            result[ByteString(store.strings.string(title))] = gathering.facts
        }
        return result
    }

    /// One event's series (as an id of its store, kept in `series` until
    /// turned into bytes), season and episode, weighed by the earliest-event
    /// rule. Durations are counted by the caller, in runs.
    @inline(__always)
    private mutating func add(
        _ event: EventRecord, _ attributes: [EventAttributes], series: inout (ts: Int64, id: UInt32)?
    ) {
        let a = attributes[Int(event.attributes)]
        // Ids follow byte order within one store: compare them, and take
        // the bytes once.
        if a.series != 0 && ViewSet.isEarlier(event.timestamp, a.series, than: series.map { ($0.ts, $0.id) }) {
            series = (event.timestamp, a.series)
        }
        if a.season >= 0 && ViewSet.isEarlier(event.timestamp, a.season, than: season.map { ($0.ts, $0.value) }) {
            season = (event.timestamp, a.season)
        }
        if a.episode >= 0 && ViewSet.isEarlier(event.timestamp, a.episode, than: episode.map { ($0.ts, $0.value) }) {
            episode = (event.timestamp, a.episode)
        }
    }

    package mutating func merge(_ other: TitleFacts) {
        for (duration, count) in other.durationCounts { durationCounts[duration, default: 0] += count }
        if let value = other.series { merge(series: value) }
        if let value = other.season, ViewSet.isEarlier(value.ts, value.value, than: season.map { ($0.ts, $0.value) }) {
            season = value
        }
        if let value = other.episode, ViewSet.isEarlier(value.ts, value.value, than: episode.map { ($0.ts, $0.value) }) {
            episode = value
        }
    }

    mutating func merge(series value: (ts: Int64, id: [UInt8])) {
        guard let best = series else {
            series = value
            return
        }
        if value.ts < best.ts || (value.ts == best.ts && value.id.lexicographicallyPrecedes(best.id)) {
            series = value
        }
    }

    func describe(_ title: inout TitleInfo) {
        title.runtime = durationCounts.max { a, b in a.value != b.value ? a.value < b.value : a.key < b.key }?.key
        title.seriesID = series.map { String(decoding: $0.id, as: UTF8.self) }
        title.season = season?.value
        title.episode = episode?.value
    }
}

/// Equal durations counted in runs: a title's events mostly share one, so
/// the dictionary is touched once per run rather than once per event.
private struct DurationRun {
    private var duration = Double.nan
    private var count = 0

    @inline(__always)
    mutating func count(_ value: Double, into counts: inout [Double: Int]) {
        guard !value.isNaN else { return }
        if count > 0, value == duration {
            count += 1
            return
        }
        finish(into: &counts)
        duration = value
        count = 1
    }

    mutating func finish(into counts: inout [Double: Int]) {
        if count > 0 { counts[duration, default: 0] += count }
        count = 0
    }
}
