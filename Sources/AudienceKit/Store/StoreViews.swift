import Synchronization

/// Builds a report's views from stores a partition at a time, so that
/// memory holds the partitions in flight (one per worker) and what is kept
/// per title, per view and per viewer, never all events at once.
///
/// Two passes over the partitions, because a view's figures depend on its
/// title's runtime, which the whole history decides:
/// 1. title facts (durations, earliest series, season, episode), merged
///    over partitions (`TitleFacts`);
/// 2. the views: duplicates removed within each view (a view lies in one
///    partition, so no copy is missed), summarised against the merged
///    titles; curves added up title by title; viewers named by one shared
///    interner, renumbered in byte order at the end.
/// The unit of work holds about `sliceEvents` events: small partitions are
/// read together, a partition with more is read in slices of whole views
/// (`StoreFormat.slice`). So a worker holds about as much for a store of
/// ten million events as for one of a billion.
public enum StoreViews {
    /// Events held at once per worker, at most about (tests pass less, so
    /// that slices are exercised).
    public static let defaultSliceEvents = 500_000

    struct Unit: Sendable {
        var partitions: [Int]
        var slice: (index: Int, count: Int)?
    }

    static func units(_ snapshot: StoreSnapshot, sliceEvents: Int) -> [Unit] {
        var units: [Unit] = []
        var gathering = Unit(partitions: [], slice: nil)
        var gathered = 0
        for (partition, events) in snapshot.eventsPerPartition.enumerated() where events > 0 {
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
        return DeduplicatedEvents(EventStore.merged(stores))
    }

    /// What one pass over a unit gives.
    struct Part: Sendable {
        var views: [ViewSummary] = []
        var reach: [Int: [Int]] = [:]
        var playSteps: [Int: [Int]] = [:]
        var duplicates = 0
        /// The facts of the kept events of titles the catalog lacks.
        var facts: [ByteString: TitleFacts] = [:]
        /// Views of a title missing from the titles given.
        var unknownTitles = 0
    }

    static func build(
        _ snapshot: StoreSnapshot, metrics settings: MetricSettings, threads: Int, progress: RunProgress?,
        sliceEvents: Int = defaultSliceEvents
    ) throws(StoreError) -> (ViewSet, duplicates: Int) {
        let units = units(snapshot, sliceEvents: max(1, sliceEvents))
        let catalog = settings.catalog
        let viewers = Mutex(ByteInterner())

        // The first pass measures the views against the titles as the
        // segments guess them (facts before duplicate removal), and gathers
        // the facts of the kept events.
        let guessedIDs = snapshot.titleGuesses.keys.sorted()
        let guessed = ViewSet.titles(
            watched: guessedIDs.map { ($0.text, catalog?.entries[$0] == nil ? snapshot.titleGuesses[$0] : nil) },
            catalog: catalog)
        var parts = try pass(units, snapshot, settings: settings, titles: guessed, ids: guessedIDs, only: nil,
                             viewers: viewers, threads: threads, progress: progress)
        var facts: [ByteString: TitleFacts] = [:]
        var unknown = 0
        for part in parts {
            for (title, fact) in part.facts { facts[title, default: TitleFacts()].merge(fact) }
            unknown += part.unknownTitles
        }
        let watched = facts.keys.sorted()
        let titles = ViewSet.titles(
            watched: watched.map { ($0.text, catalog?.entries[$0] == nil ? facts[$0] : nil) }, catalog: catalog)

        // A second pass only where the guess was wrong: for the titles whose
        // runtime the kept events set otherwise (a duplicate changed the most
        // frequent duration), or for all when the guessed titles differ.
        if unknown > 0 || watched != guessedIDs {
            parts = try pass(units, snapshot, settings: settings, titles: titles, ids: watched, only: nil,
                             viewers: viewers, threads: threads, progress: progress)
        } else {
            let changed = Set(titles.indices.filter { index in
                titles[index].runtime?.bitPattern != guessed[index].runtime?.bitPattern
            })
            if !changed.isEmpty {
                let again = try pass(units, snapshot, settings: settings, titles: titles, ids: watched, only: changed,
                                     viewers: viewers, threads: threads, progress: progress)
                for index in parts.indices {
                    parts[index].views.removeAll { changed.contains($0.title) }
                    for title in changed {
                        parts[index].reach[title] = nil
                        parts[index].playSteps[title] = nil
                    }
                }
                for part in again {
                    parts.append(Part(views: part.views, reach: part.reach, playSteps: part.playSteps))
                }
            }
        }

        let buckets = settings.buckets
        var history: [ViewSummary] = []
        var bucketReach: [[Int]?] = titles.indices.map { index in
            index < watched.count && titles[index].runtime != nil ? [Int](repeating: 0, count: buckets) : nil
        }
        var playSteps: [[Int]?] = bucketReach.map { $0 == nil ? nil : [Int](repeating: 0, count: buckets + 1) }
        var duplicates = 0
        for part in parts {
            history += part.views
            duplicates += part.duplicates
            for (title, counts) in part.reach {
                for bucket in counts.indices { bucketReach[title]?[bucket] += counts[bucket] }
            }
            for (title, steps) in part.playSteps {
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
        let rank = viewers.withLock { $0.ranksInByteOrder() }
        for index in history.indices { history[index].viewer = rank[Int(history[index].viewer)] }
        return (ViewSet(titles: titles, history: history, bucketReach: bucketReach, bucketPlays: bucketPlays, settings: settings),
                duplicates)
    }

    /// One pass over every unit: each view measured against `titles`
    /// (`ids` the watched ones, in order), or only the views of the titles
    /// in `only`; and, on a pass over all, the facts of the kept events.
    private static func pass(
        _ units: [Unit], _ snapshot: StoreSnapshot, settings: MetricSettings, titles: [TitleInfo], ids: [ByteString],
        only: Set<Int>?, viewers: borrowing Mutex<ByteInterner>, threads: Int, progress: RunProgress?
    ) throws(StoreError) -> [Part] {
        var titleIndex: [ByteString: Int] = [:]
        for (index, title) in ids.enumerated() { titleIndex[title] = index }
        let frozenIndex = titleIndex
        let catalog = settings.catalog
        let buckets = settings.buckets
        let window = settings.window
        let results: [Result<Part, StoreError>] = Parallel.map(count: units.count, threads: threads) { number in
            guard progress?.isStopRequested != true else { return .success(Part()) }
            do throws(StoreError) {
                let events = try events(units[number], snapshot)
                let store = events.store
                var part = Part(duplicates: only == nil ? events.duplicates : 0)
                var scratch = ViewSet.ViewScratch(buckets: buckets)
                for (view, key) in store.views.enumerated() where events.viewStarts[view + 1] > events.viewStarts[view] {
                    let id = ByteString(store.strings.string(key.title))
                    if only == nil {
                        if catalog?.entries[id] == nil {
                            part.facts[id, default: TitleFacts()].add(view: view, of: events)
                        } else if part.facts[id] == nil {
                            part.facts[id] = TitleFacts()
                        }
                    }
                    guard let title = frozenIndex[id] else {
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
                    summary.viewer = store.strings.withBytes(viewer) { bytes in viewers.withLock { $0.intern(bytes) } }
                    part.views.append(summary)
                }
                return .success(part)
            } catch {
                return .failure(error)
            }
        }
        var parts: [Part] = []
        for result in results { parts.append(try result.get()) }
        return parts
    }
}
