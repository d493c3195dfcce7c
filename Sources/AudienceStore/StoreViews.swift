import Synchronization
import AudienceCore
import AudienceReading
import AudienceMetrics

/// The views of some of the stores' partitions, measured against the
/// titles' runtimes as the segments guess them, with what is needed to merge
/// them exactly with the views of the other partitions: the facts of their
/// kept events (which decide each title's runtime over the whole history)
/// and the viewers by their text. A report from stores builds one for all
/// partitions; a reduce step (`--part p/P`) builds one for its share and
/// writes it as a partial result (`PartialResult`).
package struct PartialViews: Sendable {
    /// The titles the views were measured against, and the runtime each
    /// was measured with (nil: unknown, so no curve).
    var titles: [ByteString] = []
    var runtimes: [Double?] = []
    /// The facts of the kept events of each title seen, per title; empty
    /// facts for a title of the catalog (the catalog describes it).
    var facts: [ByteString: TitleFacts] = [:]
    /// Views of a title missing from `titles` (left out of `views`).
    var unknownTitles = 0
    /// `title` indexes `titles`; `viewer` is an id of `viewers`.
    var views: [ViewSummary] = []
    var viewers = ByteInterner()
    /// Per index of `titles`: started views in the window that reached
    /// each bucket, and the play-count steps (`ViewSet.count`).
    var reach: [Int: [Int]] = [:]
    var playSteps: [Int: [Int]] = [:]
    /// Accepted events removed as copies of another.
    var duplicates = 0
}

extension PartialViews {
    /// No views: what a share is left as once the merge has taken it.
    package static var empty: PartialViews { PartialViews() }

    /// Adds `other`'s facts and curve counts per title to these.
    mutating func addPerTitle(of other: PartialViews) {
        for (title, fact) in other.facts { facts[title, default: TitleFacts()].merge(fact) }
        for (title, counts) in other.reach {
            reach[title] = zip(reach[title] ?? [Int](repeating: 0, count: counts.count), counts).map { $0 + $1 }
        }
        for (title, steps) in other.playSteps {
            playSteps[title] = zip(playSteps[title] ?? [Int](repeating: 0, count: steps.count), steps).map { $0 + $1 }
        }
    }
}

/// Builds a report's views from stores a partition at a time, so that
/// memory holds the partitions in flight (one per worker) and what is kept
/// per title, per view and per viewer, never all events at once.
///
/// A view's figures depend on its title's runtime, which the whole history
/// decides, so:
/// 1. `measure`: each view of some partitions, duplicates removed within it
///    (a view lies in one partition, so no copy is missed), is measured
///    against the titles as the segments guess them (facts before duplicate
///    removal), and the facts of the kept events are gathered;
/// 2. `merge`: the facts of all partitions decide the titles; the views of
///    a title whose runtime the guess got wrong (a duplicate changed the
///    most frequent duration) are measured again, which needs the events, so
///    the caller says how (`remeasure`); the rest are added up, and the
///    viewers renumbered in byte order of their text.
/// The unit of work holds about `sliceEvents` events: small partitions are
/// read together, a partition with more is read in slices of whole views
/// (`StoreFormat.slice`). So a worker holds about as much for a store of
/// ten million events as for one of a billion.
public enum StoreViews {
    /// Events held at once per worker, at most about (tests pass less, so
    /// that slices are exercised).
    public static let defaultSliceEvents = 500_000

    /// Measures views again: against `titles` (the first `ids.count` are
    /// the watched ones, in order of `ids`), all of them when `only` is nil,
    /// else those of the titles at the indices in `only`.
    package typealias Remeasure = (_ titles: [TitleInfo], _ ids: [ByteString], _ only: Set<Int>?) throws(StoreError) -> PartialViews

    /// Every view of the stores, for one report in one process.
    static func build(
        _ snapshot: StoreSnapshot, metrics settings: MetricSettings, threads: Int, progress: RunProgress?,
        sliceEvents: Int = defaultSliceEvents
    ) throws(StoreError) -> (ViewSet, duplicates: Int) {
        let all = 0..<snapshot.partitions
        let measured = try measure(snapshot, metrics: settings, partitions: all, threads: threads, progress: progress,
                                   sliceEvents: sliceEvents)
        return try merge([measured], metrics: settings) { titles, ids, only throws(StoreError) in
            try remeasure(snapshot, metrics: settings, titles: titles, ids: ids, only: only, threads: threads,
                          progress: progress, sliceEvents: sliceEvents)
        }
    }

    /// The partitions of part `part` (from 0) of `parts`: partition q
    /// belongs to part ⌊q · parts / partitions⌋, so parts are contiguous
    /// runs of partitions whose sizes differ by at most one (empty when
    /// there are more parts than partitions).
    package static func partitions(part: Int, of parts: Int, total: Int) -> Range<Int> {
        precondition(parts > 0 && (0..<parts).contains(part), "a part outside 0..<parts")
        func first(_ part: Int) -> Int { (part * total + parts - 1) / parts }
        return first(part)..<first(part + 1)
    }

    /// Step 1 for the views of `partitions`.
    package static func measure(
        _ snapshot: StoreSnapshot, metrics settings: MetricSettings, partitions: Range<Int>, threads: Int,
        progress: RunProgress?, sliceEvents: Int = defaultSliceEvents
    ) throws(StoreError) -> PartialViews {
        let catalog = settings.catalog
        let ids = snapshot.titleGuesses.keys.sorted()
        let guessed = ViewSet.titles(
            watched: ids.map { ($0.text, catalog?.entries[$0] == nil ? snapshot.titleGuesses[$0] : nil) }, catalog: catalog)
        return try pass(units(snapshot, sliceEvents: sliceEvents, partitions: partitions, threads: threads), snapshot, settings: settings,
                        titles: guessed, ids: ids, only: nil, threads: threads, progress: progress)
    }

    /// Step 2's fallback: the views of all partitions measured again
    /// against the titles as the merged facts decide them.
    package static func remeasure(
        _ snapshot: StoreSnapshot, metrics settings: MetricSettings, titles: [TitleInfo], ids: [ByteString],
        only: Set<Int>?, threads: Int, progress: RunProgress?, sliceEvents: Int = defaultSliceEvents
    ) throws(StoreError) -> PartialViews {
        try pass(units(snapshot, sliceEvents: sliceEvents, partitions: 0..<snapshot.partitions, threads: threads), snapshot,
                 settings: settings, titles: titles, ids: ids, only: only, threads: threads, progress: progress)
    }

    /// Step 2: the views of all partitions from the measured shares of them
    /// (each partition in exactly one).
    /// The parts are consumed: each one's views are let go once copied, so
    /// that the views are held about once, not twice.
    package static func merge(
        _ parts: consuming [PartialViews], metrics settings: MetricSettings, remeasure: Remeasure
    ) throws(StoreError) -> (ViewSet, duplicates: Int) {
        var kept = parts
        let catalog = settings.catalog
        var facts: [ByteString: TitleFacts] = [:]
        var unknown = 0
        var duplicates = 0
        for part in kept {
            for (title, fact) in part.facts { facts[title, default: TitleFacts()].merge(fact) }
            unknown += part.unknownTitles
            duplicates += part.duplicates
        }
        let watched = facts.keys.sorted()
        let titles = ViewSet.titles(
            watched: watched.map { ($0.text, catalog?.entries[$0] == nil ? facts[$0] : nil) }, catalog: catalog)
        var titleIndex: [ByteString: Int] = [:]
        for (index, title) in watched.enumerated() { titleIndex[title] = index }

        // Measured against the wrong runtime, or not measured at all.
        var changed = Set<Int>()
        var measuredTitles = Set<Int>()
        for part in kept {
            for (local, title) in part.titles.enumerated() {
                guard let index = titleIndex[title] else { continue }
                measuredTitles.insert(index)
                if part.runtimes[local]?.bitPattern != titles[index].runtime?.bitPattern { changed.insert(index) }
            }
        }
        if unknown > 0 || measuredTitles.count != watched.count {
            var again = try remeasure(titles, watched, nil)
            again.duplicates = 0
            kept = [again]
        } else if !changed.isEmpty {
            for index in kept.indices {
                let local = Set(kept[index].titles.indices.filter { titleIndex[kept[index].titles[$0]].map(changed.contains) ?? false })
                kept[index].views.removeAll { local.contains($0.title) }
                for title in local {
                    kept[index].reach[title] = nil
                    kept[index].playSteps[title] = nil
                }
            }
            var again = try remeasure(titles, watched, changed)
            again.duplicates = 0
            kept.append(again)
        }

        let buckets = settings.buckets
        var bucketReach: [[Int]?] = titles.indices.map { index in
            index < watched.count && titles[index].runtime != nil ? [Int](repeating: 0, count: buckets) : nil
        }
        var playSteps: [[Int]?] = bucketReach.map { $0 == nil ? nil : [Int](repeating: 0, count: buckets + 1) }
        var history: [ViewSummary] = []
        history.reserveCapacity(kept.reduce(0) { $0 + $1.views.count })
        // One part keeps its viewer ids; several are put into one interner.
        let single = kept.count == 1
        var viewers = single ? kept[0].viewers : ByteInterner()
        for index in kept.indices {
            let part = kept[index]
            kept[index].views = []
            let titleMap = part.titles.map { titleIndex[$0] }
            let viewerMap: [UInt32] = single ? [] : (0..<part.viewers.count).map { id in
                part.viewers.withBytes(UInt32(id)) { viewers.intern($0) }
            }
            for var view in part.views {
                guard let title = titleMap[view.title] else { preconditionFailure("a view of a title without facts") }
                view.title = title
                if !single { view.viewer = viewerMap[Int(view.viewer)] }
                history.append(view)
            }
            for (local, counts) in part.reach {
                guard let title = titleMap[local], bucketReach[title] != nil else { continue }
                for bucket in counts.indices { bucketReach[title]?[bucket] += counts[bucket] }
            }
            for (local, steps) in part.playSteps {
                guard let title = titleMap[local], playSteps[title] != nil else { continue }
                for bucket in steps.indices { playSteps[title]?[bucket] += steps[bucket] }
            }
        }
        let bucketPlays: [[Int]?] = playSteps.map { steps in
            steps.map { steps in
                var running = 0
                return steps.dropLast().map { step in
                    running += step
                    return running
                }
            }
        }
        // Viewer ids in byte order of their text, as in a one-shot run.
        let rank = viewers.ranksInByteOrder()
        for index in history.indices { history[index].viewer = rank[Int(history[index].viewer)] }
        return (ViewSet(titles: titles, history: history, bucketReach: bucketReach, bucketPlays: bucketPlays, settings: settings),
                duplicates)
    }

    struct Unit: Sendable {
        var partitions: [Int]
        var slice: (index: Int, count: Int)?
    }

    static func units(_ snapshot: StoreSnapshot, sliceEvents: Int, partitions: Range<Int>, threads: Int) -> [Unit] {
        let sliceEvents = max(1, sliceEvents)
        let counts = snapshot.eventsPerPartition
        let chosen = partitions.clamped(to: counts.indices)
        let total = chosen.reduce(0) { $0 + counts[$1] }
        // Small partitions are read together, into units of about equal
        // size whose number aims at a multiple of the workers (whole
        // partitions make it approximate): the last units to finish leave
        // the other workers idle, and with 21 units of 500,000 events on
        // two workers (10.4 million events) one core sat idle for the last
        // whole unit, a tenth of the report.
        let workers = max(1, threads)
        let unitCount = (max(1, (total + sliceEvents - 1) / sliceEvents) + workers - 1) / workers * workers
        let gatherEvents = max(1, (total + unitCount - 1) / unitCount)
        var units: [Unit] = []
        var gathering = Unit(partitions: [], slice: nil)
        var gathered = 0
        for partition in chosen where counts[partition] > 0 {
            let events = counts[partition]
            if events > sliceEvents {
                let slices = (events + sliceEvents - 1) / sliceEvents
                for index in 0..<slices { units.append(Unit(partitions: [partition], slice: (index, slices))) }
                continue
            }
            if gathered + events > sliceEvents, !gathering.partitions.isEmpty {
                units.append(gathering)
                gathering = Unit(partitions: [], slice: nil)
                gathered = 0
            }
            gathering.partitions.append(partition)
            gathered += events
            if gathered >= gatherEvents {
                units.append(gathering)
                gathering = Unit(partitions: [], slice: nil)
                gathered = 0
            }
        }
        if !gathering.partitions.isEmpty { units.append(gathering) }
        return units
    }

    /// One unit's events with duplicates removed.
    static func events(_ unit: Unit, _ snapshot: StoreSnapshot) throws(StoreError) -> DeduplicatedEvents {
        var stores = [EventStore()]
        for source in snapshot.sources {
            do throws(SegmentDamage) {
                for partition in unit.partitions {
                    try source.reader.events(partition: partition, route: source.route, slice: unit.slice, into: &stores)
                }
            } catch {
                throw snapshot.damage(source, error)
            }
        }
        // `consume`: the merge remaps the only copy of the events in place.
        return DeduplicatedEvents(EventStore.merged(consume stores))
    }

    /// One pass over `units`: each view measured against `titles` (`ids`
    /// the watched ones, in order), or only the views of the titles in
    /// `only`; and, on a pass over all, the facts of the kept events.
    private static func pass(
        _ units: [Unit], _ snapshot: StoreSnapshot, settings: MetricSettings, titles: [TitleInfo], ids: [ByteString],
        only: Set<Int>?, threads: Int, progress: RunProgress?
    ) throws(StoreError) -> PartialViews {
        var titleIndex: [ByteString: Int] = [:]
        for (index, title) in ids.enumerated() { titleIndex[title] = index }
        let frozenIndex = titleIndex
        let catalog = settings.catalog
        let buckets = settings.buckets
        let window = settings.window
        let viewers = Mutex(ByteInterner())
        // What each unit finds per title (facts, curve counts) is added to
        // these as the unit ends, not held per unit until the merge: that was
        // units x titles x buckets, and grew with the store (22 MiB of curve
        // counts at 51.5M events). Sums and earliest-event choices give the
        // same totals in any order.
        let perTitle = Mutex(PartialViews())
        SystemMemory.keepFreedForReuse()
        var results: [Result<PartialViews, StoreError>] = Parallel.map(count: units.count, threads: threads) { number in
            guard progress?.isStopRequested != true else { return .success(PartialViews()) }
            do throws(StoreError) {
                let events = try events(units[number], snapshot)
                let store = events.store
                var part = PartialViews(duplicates: only == nil ? events.duplicates : 0)
                // Sized once (on a pass over all titles, which keeps nearly
                // every view): grown by appending, each unit's summaries held
                // up to twice their room until the merge.
                if only == nil { part.views.reserveCapacity(store.views.count) }
                var scratch = ViewSet.ViewScratch(buckets: buckets)
                // Per title string of the unit: its text, whether the catalog
                // has it, its index in `ids`; looked up once, not per view.
                var known: [UInt32: (id: ByteString, inCatalog: Bool, title: Int?)] = [:]
                var facts: [UInt32: TitleFacts] = [:]
                var viewerIDs: [UInt32: UInt32] = [:]
                for (view, key) in store.views.enumerated() where events.viewStarts[view + 1] > events.viewStarts[view] {
                    let entry: (id: ByteString, inCatalog: Bool, title: Int?)
                    if let found = known[key.title] {
                        entry = found
                    } else {
                        let id = ByteString(store.strings.string(key.title))
                        entry = (id, catalog?.entries[id] != nil, frozenIndex[id])
                        known[key.title] = entry
                    }
                    if only == nil {
                        if entry.inCatalog {
                            if facts[key.title] == nil { facts[key.title] = TitleFacts() }
                        } else {
                            facts[key.title, default: TitleFacts()].add(view: view, of: events)
                        }
                    }
                    guard let title = entry.title else {
                        part.unknownTitles += 1
                        continue
                    }
                    if let only, !only.contains(title) { continue }
                    let runtime = titles[title].runtime
                    var summary = ViewSet.summarise(
                        view: view, title: title, runtime: runtime, events: events, settings: settings, scratch: &scratch)
                    if summary.started, runtime != nil {
                        if window.contains(summary.local.day) {
                            var reach: [Int]? = part.reach[title] ?? [Int](repeating: 0, count: buckets)
                            var steps = part.playSteps[title] ?? [Int](repeating: 0, count: buckets + 1)
                            ViewSet.count(scratch, into: &reach, playSteps: &steps)
                            part.reach[title] = reach
                            part.playSteps[title] = steps
                        }
                    } else {
                        summary.reached = 0
                    }
                    let viewer = summary.viewer
                    if let id = viewerIDs[viewer] {
                        summary.viewer = id
                    } else {
                        summary.viewer = store.strings.withBytes(viewer) { bytes in viewers.withLock { $0.intern(bytes) } }
                        viewerIDs[viewer] = summary.viewer
                    }
                    part.views.append(summary)
                }
                for (title, fact) in facts {
                    guard let id = known[title]?.id else { preconditionFailure("facts of a title never looked up") }
                    part.facts[id] = fact
                }
                perTitle.withLock { $0.addPerTitle(of: part) }
                part.facts = [:]
                part.reach = [:]
                part.playSteps = [:]
                // The unit's events are gone: hand their pages back now and
                // then (`SystemMemory.releaseFreed`), or the heap keeps
                // growing with the number of units read.
                SystemMemory.releaseFreed()
                return .success(part)
            } catch {
                return .failure(error)
            }
        }
        var result = PartialViews(titles: ids, runtimes: ids.indices.map { titles[$0].runtime })
        var viewCount = 0
        for outcome in results { viewCount += try outcome.get().views.count }
        result.views.reserveCapacity(viewCount)
        for index in results.indices {
            let part = try results[index].get()
            // Each unit's share is let go once added: the views are held once.
            results[index] = .success(PartialViews())
            result.views += part.views
            result.duplicates += part.duplicates
            result.unknownTitles += part.unknownTitles
        }
        perTitle.withLock { result.addPerTitle(of: $0) }
        result.viewers = viewers.withLock { $0 }
        return result
    }
}
