import CSystemShims

/// One accepted event, compact: text is interned, the view and the
/// viewer-side attributes are ids into the store's tables.
public struct EventRecord: Sendable, Equatable, BitwiseCopyable {
    public var timestamp: Int64
    /// NaN where absent.
    public var from: Double, to: Double, position: Double, duration: Double
    public var view: UInt32
    public var attributes: UInt32
    /// 0 where absent.
    public var eventID: UInt32
    public var kind: EventKind

    @inlinable
    package init(
        timestamp: Int64, from: Double, to: Double, position: Double, duration: Double, view: UInt32,
        attributes: UInt32, eventID: UInt32, kind: EventKind
    ) {
        self.timestamp = timestamp
        self.from = from
        self.to = to
        self.position = position
        self.duration = duration
        self.view = view
        self.attributes = attributes
        self.eventID = eventID
        self.kind = kind
    }

    /// The view id of filler records between merged parts (see
    /// `ChunkedArray.append(contentsOf:padding:)`); they belong to no view.
    public static let paddingView = UInt32.max

    static let padding = EventRecord(
        timestamp: 0, from: .nan, to: .nan, position: .nan, duration: .nan,
        view: paddingView, attributes: 0, eventID: 0, kind: .start)

    public var isPadding: Bool { view == Self.paddingView }

    public static func == (a: Self, b: Self) -> Bool {
        a.timestamp == b.timestamp && a.kind == b.kind && a.view == b.view
            && a.attributes == b.attributes && a.eventID == b.eventID
            && sameNumber(a.from, b.from) && sameNumber(a.to, b.to)
            && sameNumber(a.position, b.position) && sameNumber(a.duration, b.duration)
    }
}

/// Numbers compare by value; absent (NaN) equals only absent.
@inline(__always)
func sameNumber(_ a: Double, _ b: Double) -> Bool {
    a == b || (a.isNaN && b.isNaN)
}

/// The view an event belongs to: its session and title.
public struct ViewKey: Hashable, Sendable {
    public var session: UInt32
    public var title: UInt32

    @inlinable
    package init(session: UInt32, title: UInt32) {
        self.session = session
        self.title = title
    }
}

/// The fields of an event that describe the viewer and the title rather
/// than the moment; few distinct combinations, so they are stored once.
public struct EventAttributes: Hashable, Sendable {
    public var viewer: UInt32
    public var series: UInt32
    /// -1 where absent.
    public var season: Int32
    public var episode: Int32
    public var country: UInt32
    public var region: UInt32
    public var device: UInt32
    public var audioLang: UInt32
    public var subtitleLang: UInt32

    @inlinable
    package init(
        viewer: UInt32, series: UInt32, season: Int32, episode: Int32, country: UInt32, region: UInt32,
        device: UInt32, audioLang: UInt32, subtitleLang: UInt32
    ) {
        self.viewer = viewer
        self.series = series
        self.season = season
        self.episode = episode
        self.country = country
        self.region = region
        self.device = device
        self.audioLang = audioLang
        self.subtitleLang = subtitleLang
    }
}

extension ViewKey {
    /// The key with each string id `id` replaced by `strings[id]`.
    func renamed(_ strings: [UInt32]) -> ViewKey {
        ViewKey(session: strings[Int(session)], title: strings[Int(title)])
    }
}

extension EventAttributes {
    /// The set with each string id `id` replaced by `strings[id]`.
    func renamed(_ strings: [UInt32]) -> EventAttributes {
        EventAttributes(
            viewer: strings[Int(viewer)], series: strings[Int(series)], season: season, episode: episode,
            country: strings[Int(country)], region: strings[Int(region)], device: strings[Int(device)],
            audioLang: strings[Int(audioLang)], subtitleLang: strings[Int(subtitleLang)])
    }
}

/// The accepted events of some lines, with the tables their ids refer to.
/// Each worker fills its own; `merged` combines them.
public struct EventStore: Sendable {
    /// Text values; after `merged`, ids follow byte order.
    public package(set) var strings = ByteInterner()
    /// `event_id` values, which need equality only.
    public internal(set) var eventIDs = EventIDTable()
    public internal(set) var events = ChunkedArray<EventRecord>()
    // Internal, not private, for the inlinable getters below.
    @usableFromInline var viewIDs = IDTable<ViewKey>()
    @usableFromInline var attributeIDs = IDTable<EventAttributes>()

    /// Views by id.
    @inlinable public var views: [ViewKey] { viewIDs.keys }
    /// Attribute sets by id.
    @inlinable public var attributes: [EventAttributes] { attributeIDs.keys }

    public init() {}

    /// Per view, the attribute set of its last event: a view's events nearly
    /// always share one, and checking that costs a few comparisons where
    /// interning seven strings costs seven hash lookups.
    private var lastAttributes: [UInt32] = []

    mutating func append(_ event: ValidEvent) {
        let view = id(of: ViewKey(session: strings.intern(event.sessionID), title: strings.intern(event.titleID)))
        let attributes: UInt32
        if Int(view) < lastAttributes.count, Self.same(attributeIDs.keys, lastAttributes[Int(view)], strings, event) {
            attributes = lastAttributes[Int(view)]
        } else {
            attributes = id(of: internAttributes(event))
            if Int(view) >= lastAttributes.count { lastAttributes.append(contentsOf: repeatElement(0, count: Int(view) + 1 - lastAttributes.count)) }
            lastAttributes[Int(view)] = attributes
        }
        events.append(EventRecord(
            timestamp: event.timestamp,
            from: event.from, to: event.to, position: event.position, duration: event.duration,
            view: view, attributes: attributes,
            eventID: eventIDs.append(event.eventID), kind: event.kind))
    }

    /// Static, with its inputs named: as a method it made the optimizer
    /// copy the whole store at every event (after the split into targets).
    @inline(__always)
    private static func same(
        _ sets: [EventAttributes], _ id: UInt32, _ strings: ByteInterner, _ event: ValidEvent
    ) -> Bool {
        guard Int(id) < sets.count else { return false }
        let a = sets[Int(id)]
        return a.season == event.season && a.episode == event.episode
            && strings.matches(a.viewer, event.viewerID) && strings.matches(a.country, event.country)
            && strings.matches(a.device, event.device) && strings.matches(a.region, event.region)
            && strings.matches(a.audioLang, event.audioLang) && strings.matches(a.subtitleLang, event.subtitleLang)
            && strings.matches(a.series, event.seriesID)
    }

    private mutating func internAttributes(_ event: ValidEvent) -> EventAttributes {
        EventAttributes(
            viewer: strings.intern(event.viewerID),
            series: strings.intern(event.seriesID),
            season: event.season,
            episode: event.episode,
            country: strings.intern(event.country),
            region: strings.intern(event.region),
            device: strings.intern(event.device),
            audioLang: strings.intern(event.audioLang),
            subtitleLang: strings.intern(event.subtitleLang))
    }

    @inline(__always)
    package mutating func id(of view: ViewKey) -> UInt32 { viewIDs.id(of: view) }

    @inline(__always)
    package mutating func id(of attributes: EventAttributes) -> UInt32 { attributeIDs.id(of: attributes) }

    /// Appends the events `taken` of a store chunk's `columns`, in that
    /// order, each with the view and attribute ids this store gave it (a
    /// store's reader maps each of its dictionaries once, not every event's
    /// strings). The events go to the arrays a chunk at a time, with no
    /// per-event checks of their uniqueness or room.
    package mutating func append(_ columns: StoredColumns, taking taken: [StoredColumns.Taken]) {
        let ids = eventIDs.append(columns.ids, taking: taken)
        let views = viewIDs.keys.count, sets = attributeIDs.keys.count
        // Gathered in one array, then copied over a chunk at a time.
        let records = [EventRecord](unsafeUninitializedCapacity: taken.count) { buffer, initialized in
            for (index, event) in taken.enumerated() {
                precondition(Int(event.view) < views && Int(event.attributes) < sets, "ids from another store")
                let (from, to, position, duration) = columns.numbers[event.event]
                buffer.initializeElement(at: index, to: EventRecord(
                    timestamp: columns.timestamps[event.event], from: from, to: to, position: position,
                    duration: duration, view: event.view, attributes: event.attributes, eventID: ids[index],
                    kind: columns.kinds[event.event]))
                initialized = index + 1
            }
        }
        records.withUnsafeBufferPointer { events.append(contentsOf: $0) }
    }

    /// Combines stores into one whose string ids follow byte order (id 0,
    /// the empty string, first), so comparing ids compares text, and no
    /// result depends on which worker read which line. Event ids only need
    /// equality, so they are merged without sorting.
    /// - Complexity: O(events + strings · log strings).
    public static func merged(_ parts: consuming [EventStore]) -> EventStore {
        merged(parts, runs: nil)
    }

    /// A stretch of one part's events: those a block of lines added.
    package struct Run: Sendable {
        package var part: Int
        package var events: Range<Int>

        package init(part: Int, events: Range<Int>) {
            self.part = part
            self.events = events
        }
    }

    /// `merged`, with the events grouped by view in the order of `runs`,
    /// which cover every part's events once (the block pipeline: the blocks
    /// in read order, wherever each was parsed), when that matters: when a
    /// view's events lie apart in the parts (time-ordered logs, many views
    /// playing at once). Views are then numbered as they first come, as with
    /// one thread, and each view's events follow one another in that order:
    /// what duplicate removal would otherwise make of them by moving events
    /// one at a time (a chain of cache misses, 0.12 s on the big file, on
    /// one thread) is made here by copying each event once to its place.
    /// Each part's chunks are freed once the last run reading them is
    /// copied, and the merged chunks take memory only as they are written,
    /// so the copy adds a few chunks per part to the peak, not the whole.
    /// Otherwise the parts are laid end to end without copying, as `merged`
    /// does.
    /// - Precondition: `runs` cover every part's events exactly once.
    package static func merged(_ parts: consuming [EventStore], runs: [Run]?) -> EventStore {
        var parts = parts
        if let runs { checkCoverage(runs, of: parts) }
        let runs = runs.flatMap { Self.mostlyApart(parts) ? $0 : nil }
        if parts.count == 1 && runs.map(Self.inPartOrder) ?? true { return parts.removeFirst().inByteOrder() }
        // 1. Every distinct string once, then its rank in byte order.
        var union = ByteInterner()
        var unionIDs: [[UInt32]] = []
        for part in parts {
            unionIDs.append((0..<part.strings.count).map { id in
                part.strings.withBytes(UInt32(id)) { union.intern($0) }
            })
        }
        let rank = union.ranksInByteOrder()
        var merged = EventStore()
        merged.strings = union.reordered(by: rank)

        if let runs { return merged.takeEvents(of: &parts, inOrder: runs, stringIDs: unionIDs, rank: rank) }

        // 2. Remap each part's ids and move its events over.
        var partIndex = 0
        while !parts.isEmpty {
            var part = parts.removeFirst()
            let stringMap = unionIDs[partIndex].map { rank[Int($0)] }
            partIndex += 1
            let eventIDMap = merged.eventIDs.absorb(part.eventIDs)
            part.eventIDs = EventIDTable()
            let viewMap = part.views.map { merged.id(of: $0.renamed(stringMap)) }
            let attributeMap = part.attributes.map { merged.id(of: $0.renamed(stringMap)) }
            var events = part.events
            part.events = ChunkedArray()
            events.updateEach { event in
                event.view = viewMap[Int(event.view)]
                event.attributes = attributeMap[Int(event.attributes)]
                event.eventID = eventIDMap(event.eventID)
            }
            merged.events.append(contentsOf: events, padding: .padding)
        }
        return merged
    }
}

extension EventStore {
    /// Step 2 of `merged(_:runs:)`: copies the parts' events over run by run.
    private consuming func takeEvents(
        of parts: inout [EventStore], inOrder runs: [Run], stringIDs: [[UInt32]], rank: [UInt32]
    ) -> EventStore {
        var merged = self
        let stringMaps = stringIDs.map { ids in ids.map { rank[Int($0)] } }
        var eventIDMaps: [EventIDTable.Renumbering] = []
        var attributeMaps: [[UInt32]] = []
        for index in parts.indices {
            eventIDMaps.append(merged.eventIDs.absorb(parts[index].eventIDs))
            parts[index].eventIDs = EventIDTable()
            attributeMaps.append(parts[index].attributes.map { merged.id(of: $0.renamed(stringMaps[index])) })
        }
        // 1. A view gets its id when its first event comes; its events are
        // counted, and so given their place.
        var viewMaps = parts.map { [UInt32](repeating: .max, count: $0.views.count) }
        var next: [Int] = []
        for run in runs {
            let part = run.part
            parts[part].events.forEachPiece(of: run.events) { events in
                for event in events {
                    let partView = Int(event.view)
                    var view = viewMaps[part][partView]
                    if view == .max {
                        view = merged.id(of: parts[part].views[partView].renamed(stringMaps[part]))
                        viewMaps[part][partView] = view
                        if Int(view) == next.count { next.append(0) }
                    }
                    next[Int(view)] += 1
                }
            }
        }
        var total = 0
        for view in next.indices { (next[view], total) = (total, total + next[view]) }
        // 2. Each event copied to its place, the parts read run by run.
        // Each chunk of each part is freed after the last run that reads it
        // (a store usually takes blocks in the order they were cut, but
        // workers race for stores, so not always).
        let shift = ChunkedArray<EventRecord>.chunkShift
        var lastReader = parts.map { [Int](repeating: -1, count: ($0.events.count >> shift) + 1) }
        for (index, run) in runs.enumerated() where !run.events.isEmpty {
            for chunk in (run.events.lowerBound >> shift)...((run.events.upperBound - 1) >> shift) {
                lastReader[run.part][chunk] = index
            }
        }
        var freedAfter = [[(part: Int, chunk: Int)]](repeating: [], count: runs.count)
        for (part, readers) in lastReader.enumerated() {
            for (chunk, reader) in readers.enumerated() where reader >= 0 { freedAfter[reader].append((part, chunk)) }
        }
        merged.events = ChunkedArray(unwrittenCount: total)
        let starts = next
        var freed = 0
        for (runIndex, run) in runs.enumerated() {
            let part = run.part
            let viewMap = viewMaps[part], attributeMap = attributeMaps[part], eventIDMap = eventIDMaps[part]
            parts[part].events.forEachPiece(of: run.events) { events in
                for var event in events {
                    let view = viewMap[Int(event.view)]
                    event.view = view
                    event.attributes = attributeMap[Int(event.attributes)]
                    event.eventID = eventIDMap(event.eventID)
                    merged.events[next[Int(view)]] = event
                    next[Int(view)] += 1
                }
            }
            for (part, chunk) in freedAfter[runIndex] {
                parts[part].events.releaseChunk(chunk)
                // The workers' chunks were allocated in their threads' heaps,
                // where the merge's own chunks (allocated here) cannot reuse
                // them: handed back to the system every other chunk, or the
                // peak held both copies now and then (the big file: 229 MiB
                // usually, 250-330 in one run of eight; every eighth chunk
                // still left 250 in one of eight).
                freed += 1
                if freed % 2 == 0 { audience_release_free_memory() }
            }
        }
        // Every place written once: each view's places filled exactly up to
        // the next view's (the merged chunks were claimed unwritten).
        for view in next.indices {
            precondition(next[view] == (view + 1 < starts.count ? starts[view + 1] : total),
                         "EventStore.merged: a view's events and its places differ")
        }
        parts = []
        return merged
    }

    /// Traps unless each part's runs tile its events, `0..<count`, once.
    private static func checkCoverage(_ runs: [Run], of parts: [EventStore]) {
        var ranges = [[Range<Int>]](repeating: [], count: parts.count)
        for run in runs {
            precondition(ranges.indices.contains(run.part), "EventStore.merged: a run of no part")
            ranges[run.part].append(run.events)
        }
        for (part, partRanges) in ranges.enumerated() {
            var next = 0
            // An empty run (a block without events) goes before the run
            // that starts where it does, whichever block came first.
            for range in partRanges.sorted(by: { ($0.lowerBound, $0.upperBound) < ($1.lowerBound, $1.upperBound) }) {
                precondition(range.lowerBound == next, "EventStore.merged: runs overlap or leave a gap")
                next = range.upperBound
            }
            precondition(next == parts[part].events.count, "EventStore.merged: runs do not cover a part")
        }
    }

    /// Whether the runs take each part's events in the part's own order.
    private static func inPartOrder(_ runs: [Run]) -> Bool {
        var reached: [Int: Int] = [:]
        for run in runs where !run.events.isEmpty {
            if run.events.lowerBound < reached[run.part, default: 0] { return false }
            reached[run.part] = run.events.upperBound
        }
        return true
    }

    /// Whether most events lie more than a few records after the previous
    /// event of their view in their part: `DeduplicatedEvents`'s test for
    /// moving events together, asked of each part before the merge.
    /// - Complexity: O(events), one pass, an index per view.
    static func mostlyApart(_ parts: [EventStore]) -> Bool {
        var apart = 0, total = 0
        for part in parts {
            var last = [Int](repeating: -1, count: part.views.count)
            for (index, event) in part.events.enumerated() where !event.isPadding {
                let view = Int(event.view)
                if last[view] >= 0 && index - last[view] > DeduplicatedEvents.nearbyRecords { apart += 1 }
                last[view] = index
            }
            total += part.events.count
        }
        return apart * 2 > total
    }

    /// `merged` of this store alone (a report's unit reads into one): its
    /// strings renumbered in byte order. Renumbering keeps distinct keys
    /// distinct, so every view and attribute set keeps its id, in the same
    /// order of first sight, and the events stay as they are: no pass over
    /// them, no string interned twice.
    consuming func inByteOrder() -> EventStore {
        var store = self
        let rank = store.strings.ranksInByteOrder()
        store.strings = store.strings.reordered(by: rank)
        let views = store.viewIDs.keys, sets = store.attributeIDs.keys
        store.viewIDs = IDTable()
        store.attributeIDs = IDTable()
        for (index, view) in views.enumerated() {
            let id = store.id(of: view.renamed(rank))
            precondition(Int(id) == index, "EventStore: renumbering strings merged two views")
        }
        for (index, set) in sets.enumerated() {
            let id = store.id(of: set.renamed(rank))
            precondition(Int(id) == index, "EventStore: renumbering strings merged two attribute sets")
        }
        store.lastAttributes = []
        return store
    }

    /// The events (padding left out) grouped by view, views in id order,
    /// each view's in read order: a counting sort, O(events + views).
    /// `order[starts[v]..<starts[v + 1]]` are the indices of view v's events.
    package func eventsByView() -> (starts: [Int], order: [UInt32]) {
        var starts = [Int](repeating: 0, count: views.count + 1)
        for event in events where !event.isPadding { starts[Int(event.view) + 1] += 1 }
        for view in views.indices { starts[view + 1] += starts[view] }
        var order = [UInt32](repeating: 0, count: starts[views.count])
        var next = starts
        for (index, event) in events.enumerated() where !event.isPadding {
            order[next[Int(event.view)]] = UInt32(index)
            next[Int(event.view)] += 1
        }
        return (starts, order)
    }
}
