import AudienceCore

/// The accepted events grouped by view, duplicates removed.
///
/// Within a view, two events are duplicates when they carry the same
/// `event_id`, or, when neither carries one, when `event`, `ts`, `from`,
/// `to` and `position` are all equal. Of each set of copies the one kept is
/// the smallest in `keptOrder`, so the result never depends on line order.
public struct DeduplicatedEvents: Sendable {
    public let store: EventStore
    /// Indices into `store.events` of the kept events, view after view;
    /// within a view in the order they are stored (no metric depends on it).
    public let kept: [UInt32]
    /// `kept[viewStarts[v]..<viewStarts[v + 1]]` are the events of view `v`.
    public let viewStarts: [Int]
    /// Accepted events removed as copies of another.
    public let duplicates: Int

    /// - Complexity: O(n) expected: a counting sort by view, then a hash set
    ///   of each view's events; views are spread over `threads`.
    public init(_ store: consuming EventStore, threads: Int = 1) {
        var store = store
        let viewCount = store.views.count
        // Position -> event index: views in id order, padding last (moved
        // with the events below).
        var (starts, order) = store.eventsByView()
        let accepted = starts[viewCount]
        if accepted < store.events.count {
            order.reserveCapacity(store.events.count)
            for (index, event) in store.events.enumerated() where event.isPadding { order.append(UInt32(index)) }
        }
        // Events are stored in reading order, so a view's events lie apart
        // when many views play at once in one time-ordered file: every later
        // pass over a view (duplicates, then the metrics) would miss the
        // cache at each event. Then moving them once, in place, makes each
        // view contiguous: one scattered pass instead of three (one big file:
        // metrics 1.00 s -> 0.19 s). When most views already lie together
        // (logs spread over many files) the move costs more than it saves.
        if Self.mostlyScattered(order, viewBounds: starts) {
            store.events.permute(by: order)
            for position in order.indices { order[position] = UInt32(position) }
        }
        order.removeLast(order.count - accepted)

        // Each view's slice of `order` is sorted so copies sit together, the
        // one to keep first, and the kept ones are moved to the slice's front.
        // Workers own disjoint ranges of views, hence of `order`.
        var keptPerView = [Int](repeating: 0, count: viewCount)
        let viewBounds = starts
        let attributes = store.attributes
        let eventIDs = store.eventIDs
        let events = store.events
        order.withUnsafeMutableBufferPointer { orderBuffer in
            keptPerView.withUnsafeMutableBufferPointer { keptBuffer in
                let orderWrites = DisjointWrites(buffer: orderBuffer)
                let keptWrites = DisjointWrites(buffer: keptBuffer)
                Parallel.forEachRange(count: viewCount, threads: threads) { views in
                    var removed: [Bool] = []
                    var seen = SeenCopies()
                    for view in views {
                        let slice = viewBounds[view]..<viewBounds[view + 1]
                        // The view's events are read where they lie, through
                        // `order`: copying each into a scratch array first cost
                        // a third of this pass in stalls on the copy.
                        let group = ViewMembers(events: events, order: UnsafeBufferPointer(rebasing: orderWrites.buffer[slice]))
                        // Being copies is an equivalence (same id bytes, or no
                        // ids and the same values), so each set of copies has
                        // one member in `seen`: the smallest in `keptOrder` so
                        // far. A later copy replaces it when it comes first.
                        seen.reset(for: group.count)
                        removed.removeAll(keepingCapacity: true)
                        var removedCount = 0
                        for member in 0..<group.count {
                            guard let other = seen.insert(member, of: group, eventIDs) else { continue }
                            if removedCount == 0 { removed.append(contentsOf: repeatElement(false, count: group.count)) }
                            removedCount += 1
                            if Self.keptOrder(group[member], group[other], attributes, eventIDs) {
                                removed[other] = true
                                seen.replace(other, with: member, of: group, eventIDs)
                            } else {
                                removed[member] = true
                            }
                        }
                        if removedCount > 0 {
                            // The kept ones to the slice's front, in their order.
                            var next = slice.lowerBound
                            for (member, position) in slice.enumerated() where !removed[member] {
                                orderWrites.buffer[next] = orderWrites.buffer[position]
                                next += 1
                            }
                        }
                        keptWrites.buffer[view] = group.count - removedCount
                    }
                }
            }
        }
        // The kept ones of each view moved down to close the gaps, in place:
        // a second array of them would take 4 bytes an event more here.
        // A view's kept ones never start after its slice did, so moving
        // forward overwrites only what was already moved or removed.
        var keptStarts = [0]
        keptStarts.reserveCapacity(viewCount + 1)
        var keptCount = 0
        order.withUnsafeMutableBufferPointer { order in
            for view in 0..<viewCount {
                let start = starts[view]
                if keptCount != start {
                    for offset in 0..<keptPerView[view] { order[keptCount + offset] = order[start + offset] }
                }
                keptCount += keptPerView[view]
                keptStarts.append(keptCount)
            }
        }
        order.removeLast(order.count - keptCount)
        self.store = store
        self.kept = order
        self.viewStarts = keptStarts
        self.duplicates = accepted - keptCount
    }

    /// Whether most of the events lie more than a few records after the
    /// previous event of their view (another cache line, out of reach of
    /// the prefetcher).
    /// How far after its view's previous event an event may lie and still
    /// count as near it (within reach of the prefetcher); the block
    /// pipeline's merge asks the same of each worker's store
    /// (`EventStore.mostlyApart`).
    static let nearbyRecords = 4

    static func mostlyScattered(_ order: [UInt32], viewBounds: [Int]) -> Bool {
        var scattered = 0
        for view in 0..<(viewBounds.count - 1) where viewBounds[view + 1] - viewBounds[view] > 1 {
            for position in (viewBounds[view] + 1)..<viewBounds[view + 1] {
                let gap = Int(order[position]) - Int(order[position - 1])
                if gap < 0 || gap > Self.nearbyRecords { scattered += 1 }
            }
        }
        return scattered * 2 > viewBounds[viewBounds.count - 1]
    }

    /// One view's events: member i is `events[order[i]]`.
    struct ViewMembers {
        let events: ChunkedArray<EventRecord>
        let order: UnsafeBufferPointer<UInt32>

        var count: Int { order.count }

        @inline(__always)
        subscript(member: Int) -> EventRecord { events[Int(order[member])] }
    }

    /// The events of one view already kept, as an open-addressing set of
    /// indices into the view's group, reused from view to view: no
    /// allocation per event (a dictionary of arrays cost one per `event_id`).
    ///
    /// Two events are copies when both carry an `event_id` and the ids hold
    /// the same bytes, or when neither does and `event`, `ts`, `from`, `to`
    /// and `position` are equal (numbers by value: `-0` is stored as `0`,
    /// absent as the one NaN, so bit patterns compare values).
    ///
    /// Invariant: `slots.count` is a power of two, more than twice the group;
    /// a slot holds member + 1, 0 when empty.
    struct SeenCopies {
        private var slots: [UInt32] = []

        mutating func reset(for count: Int) {
            var size = 16
            while size <= 2 * count { size <<= 1 }
            if slots.count != size {
                slots = [UInt32](repeating: 0, count: size)
            } else {
                slots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            }
        }

        /// Adds `member` unless a copy of it is in; returns that copy.
        @inline(__always)
        mutating func insert(_ member: Int, of group: ViewMembers, _ eventIDs: EventIDTable) -> Int? {
            let slot = find(member, of: group, eventIDs)
            if slots[slot] != 0 { return Int(slots[slot]) - 1 }
            slots[slot] = UInt32(member + 1)
            return nil
        }

        /// Puts `member` in the place of `other`, a copy of it.
        mutating func replace(_ other: Int, with member: Int, of group: ViewMembers, _ eventIDs: EventIDTable) {
            let slot = find(member, of: group, eventIDs)
            precondition(slots[slot] == UInt32(other + 1), "SeenCopies: not the copy in the set")
            slots[slot] = UInt32(member + 1)
        }

        /// The slot of `member`'s copy, or the empty slot where it would go.
        @inline(__always)
        private func find(_ member: Int, of group: ViewMembers, _ eventIDs: EventIDTable) -> Int {
            let event = group[member]
            let hash = event.eventID != 0
                ? eventIDs.hash(event.eventID)
                : mixHash(mixHash(UInt64(bitPattern: event.timestamp), event.from.bitPattern),
                          mixHash(event.to.bitPattern ^ UInt64(event.kind.rawValue), event.position.bitPattern))
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 {
                if Self.copies(event, group[Int(slots[slot]) - 1], eventIDs) { return slot }
                slot = (slot + 1) & mask
            }
            return slot
        }

        @inline(__always)
        static func copies(_ a: EventRecord, _ b: EventRecord, _ eventIDs: EventIDTable) -> Bool {
            if a.eventID != 0 || b.eventID != 0 {
                return a.eventID != 0 && b.eventID != 0 && eventIDs.same(a.eventID, b.eventID)
            }
            return a.kind == b.kind && a.timestamp == b.timestamp && a.from.bitPattern == b.from.bitPattern
                && a.to.bitPattern == b.to.bitPattern && a.position.bitPattern == b.position.bitPattern
        }
    }

    /// The spec's order for choosing a copy: by `ts`, then each field in the
    /// order of the field table (absent first, numbers by value, text by
    /// bytes, which string ids follow). Events that differ only in their
    /// `event_id` are interchangeable for every metric, so the last tie is
    /// broken by the ids' hash-then-bytes order, which is total on content.
    static func keptOrder(
        _ a: EventRecord, _ b: EventRecord, _ attributes: [EventAttributes], _ eventIDs: EventIDTable
    ) -> Bool {
        if a.timestamp != b.timestamp { return a.timestamp < b.timestamp }
        if a.kind != b.kind { return a.kind < b.kind }
        let x = attributes[Int(a.attributes)]
        let y = attributes[Int(b.attributes)]
        if x.viewer != y.viewer { return x.viewer < y.viewer }
        if let order = numberOrder(a.from, b.from) { return order }
        if let order = numberOrder(a.to, b.to) { return order }
        if let order = numberOrder(a.position, b.position) { return order }
        if let order = numberOrder(a.duration, b.duration) { return order }
        if x.series != y.series { return x.series < y.series }
        if x.season != y.season { return x.season < y.season }
        if x.episode != y.episode { return x.episode < y.episode }
        if x.country != y.country { return x.country < y.country }
        if x.region != y.region { return x.region < y.region }
        if x.device != y.device { return x.device < y.device }
        if x.audioLang != y.audioLang { return x.audioLang < y.audioLang }
        if x.subtitleLang != y.subtitleLang { return x.subtitleLang < y.subtitleLang }
        if (a.eventID != 0) != (b.eventID != 0) { return a.eventID == 0 }
        return a.eventID != 0 && eventIDs.precedes(a.eventID, b.eventID)
    }

    /// nil when equal; absent (NaN) sorts first.
    @inline(__always)
    static func numberOrder(_ a: Double, _ b: Double) -> Bool? {
        if a.isNaN || b.isNaN {
            if a.isNaN && b.isNaN { return nil }
            return a.isNaN
        }
        return a == b ? nil : a < b
    }
}
