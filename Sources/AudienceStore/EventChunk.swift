import AudienceReading

/// The events of one partition of a segment, in columns.
///
/// Before deflate a chunk is:
///
///     strings     count, then each as length + bytes (the chunk's own dictionary)
///     views       count, then each as session, title (string indices), event count
///     attributes  count, then each as viewer, series, country, region, device,
///                 audio, subtitle (string indices), season + 1, episode + 1
///     then one column after another, an entry per event, views in order:
///     file        index into the segment's files
///     attribute   index into the attribute sets
///     kind        one byte (`EventKind.rawValue`)
///     ts          zigzag varint, the difference from the previous event's
///     numbers     one byte per event, 2 bits for each of from, to, position,
///                 duration: 0 absent, 1 thousandths, 2 raw; then the values:
///                 thousandths as a zigzag varint, raw as 8 bytes
///     event_id    length + bytes; empty when absent
///
/// A view's events lie together, sorted by file and `ts`, so deltas are small
/// and deflate finds the repeats. Numbers are stored exactly: thousandths
/// only when they give back the same double.
enum EventChunk {
    /// One event to store: which of the encoder's sources holds it, and where.
    struct Entry {
        var file: Int
        var event: Int
    }

    /// - Parameter files: per source, its file's index in the segment.
    static func encode(_ entries: [Entry], from sources: [EventStore], files: [Int]) -> [UInt8] {
        var strings: [UInt64: Int] = [:]
        var stringBytes = ByteWriter()
        var stringCount = 0
        func local(_ file: Int, _ id: UInt32) -> Int {
            let key = UInt64(file) << 32 | UInt64(id)
            if let index = strings[key] { return index }
            // Distinct ids of one source are distinct strings; across
            // sources a string may be held twice, which costs little.
            sources[file].strings.withBytes(id) { stringBytes.data($0) }
            strings[key] = stringCount
            stringCount += 1
            return stringCount - 1
        }
        var views = ByteWriter()
        var viewCount = 0
        var attributeSets = ByteWriter()
        var attributeIndex: [UInt64: Int] = [:]
        var fileColumn = ByteWriter(), attributeColumn = ByteWriter(), kindColumn = ByteWriter()
        var tsColumn = ByteWriter(), flagColumn = ByteWriter(), numberColumn = ByteWriter(), idColumn = ByteWriter()
        var previousTS: Int64 = 0
        var index = 0
        while index < entries.count {
            let file = entries[index].file
            let store = sources[file]
            let view = store.events[entries[index].event].view
            var end = index + 1
            while end < entries.count, entries[end].file == file, store.events[entries[end].event].view == view { end += 1 }
            let key = store.views[Int(view)]
            views.varint(local(file, key.session))
            views.varint(local(file, key.title))
            views.varint(end - index)
            viewCount += 1
            for entry in entries[index..<end] {
                let event = store.events[entry.event]
                fileColumn.varint(files[file])
                let setKey = UInt64(file) << 32 | UInt64(event.attributes)
                let set: Int
                if let known = attributeIndex[setKey] {
                    set = known
                } else {
                    let a = store.attributes[Int(event.attributes)]
                    for id in [a.viewer, a.series, a.country, a.region, a.device, a.audioLang, a.subtitleLang] {
                        attributeSets.varint(local(file, id))
                    }
                    attributeSets.varint(UInt64(Int64(a.season) + 1))
                    attributeSets.varint(UInt64(Int64(a.episode) + 1))
                    set = attributeIndex.count
                    attributeIndex[setKey] = set
                }
                attributeColumn.varint(set)
                kindColumn.byte(event.kind.rawValue)
                tsColumn.signed(event.timestamp &- previousTS)
                previousTS = event.timestamp
                var flags: UInt8 = 0
                for (slot, number) in [event.from, event.to, event.position, event.duration].enumerated() {
                    flags |= NumberForm.write(number, to: &numberColumn) << (2 * UInt8(slot))
                }
                flagColumn.byte(flags)
                if event.eventID == 0 {
                    idColumn.varint(0)
                } else {
                    idColumn.data(store.eventIDs.bytes(event.eventID))
                }
            }
            index = end
        }
        var out = ByteWriter(capacity: stringBytes.bytes.count + views.bytes.count + 16 * entries.count)
        out.varint(stringCount)
        out.append(stringBytes.bytes)
        out.varint(viewCount)
        out.append(views.bytes)
        out.varint(attributeIndex.count)
        out.append(attributeSets.bytes)
        for column in [fileColumn, attributeColumn, kindColumn, tsColumn, flagColumn, numberColumn, idColumn] {
            out.append(column.bytes)
        }
        return out.bytes
    }

    /// Appends the events of each file to `stores[route[file]]` (`file` an
    /// index into the segment's files), leaving out files routed nowhere.
    /// Throws when the chunk does not decode.
    static func decode(
        _ raw: [UInt8], route: [Int?], slice: (index: Int, count: Int)? = nil, into stores: inout [EventStore]
    ) throws(ByteReader.Overrun) {
        var input = ByteReader(raw)
        let stringCount = try input.count(atMost: raw.count)
        var strings: [Range<Int>] = []
        strings.reserveCapacity(stringCount)
        for _ in 0..<stringCount { strings.append(try input.dataRange()) }
        func string(_ input: inout ByteReader) throws(ByteReader.Overrun) -> Int {
            try input.count(atMost: strings.count - 1)
        }
        let viewCount = try input.count(atMost: raw.count)
        var views: [(session: Int, title: Int, events: Int)] = []
        var eventCount = 0
        for _ in 0..<viewCount {
            let view = (try string(&input), try string(&input), try input.count(atMost: raw.count))
            eventCount += view.2
            guard eventCount <= raw.count else { throw ByteReader.Overrun() }
            views.append(view)
        }
        let setCount = try input.count(atMost: raw.count)
        var sets: [(strings: [Int], season: Int32, episode: Int32)] = []
        for _ in 0..<setCount {
            var members: [Int] = []
            for _ in 0..<7 { members.append(try string(&input)) }
            // Stored plus one (0: absent), so Int32.max is stored as 2^31.
            let season = Int32(try input.count(atMost: Int(Int32.max) + 1) - 1)
            let episode = Int32(try input.count(atMost: Int(Int32.max) + 1) - 1)
            sets.append((members, season, episode))
        }
        // The columns, each read whole into an array filled in place.
        let files = try input.column(eventCount) { input throws(ByteReader.Overrun) in try input.count(atMost: route.count - 1) }
        let attributes = try input.column(eventCount) { input throws(ByteReader.Overrun) in try input.count(atMost: sets.count - 1) }
        let kinds = try input.column(eventCount) { input throws(ByteReader.Overrun) in
            guard let kind = EventKind(rawValue: try input.byte()) else { throw ByteReader.Overrun() }
            return kind
        }
        var ts: Int64 = 0
        let timestamps = try input.column(eventCount) { input throws(ByteReader.Overrun) in
            ts = ts &+ (try input.signed())
            return ts
        }
        let flags = try input.column(eventCount) { input throws(ByteReader.Overrun) in try input.byte() }
        var slot = 0
        let numbers = try input.column(4 * eventCount) { input throws(ByteReader.Overrun) in
            defer { slot += 1 }
            return try NumberForm.read(flags[slot >> 2] >> (2 * UInt8(slot & 3)) & 3, from: &input)
        }
        let eventIDs = try input.column(eventCount) { input throws(ByteReader.Overrun) in try input.dataRange() }
        guard input.isAtEnd else { throw ByteReader.Overrun() }

        raw.withUnsafeBytes { base in
            func text(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: base[range]) }
            // The views each target store takes, in order. A view's events
            // come from one file, so a view nearly always goes to one store:
            // a pass per store over the whole chunk would cost stores x
            // events when compaction gives each file a store of its own.
            var starts = [0]
            starts.reserveCapacity(views.count + 1)
            for view in views { starts.append(starts[starts.count - 1] + view.events) }
            var viewsOf = [[Int]](repeating: [], count: stores.count)
            for (index, view) in views.enumerated() {
                if let slice, StoreFormat.slice(session: raw[strings[view.session]], title: raw[strings[view.title]], count: slice.count) != slice.index {
                    continue
                }
                if stores.count == 1 {
                    // The one store takes the view (a view none of whose
                    // files it takes adds nothing: its id is made lazily).
                    viewsOf[0].append(index)
                    continue
                }
                for event in starts[index]..<starts[index + 1] {
                    if let target = route[files[event]], viewsOf[target].last != index { viewsOf[target].append(index) }
                }
            }
            // Then each target on a local copy of its store, so that appending
            // touches no shared array; its ids for the chunk's strings,
            // attribute sets and views are made once per chunk, not per event.
            for target in stores.indices where !viewsOf[target].isEmpty {
                var store = EventStore()
                swap(&store, &stores[target])
                defer { swap(&store, &stores[target]) }
                let unknown = UInt32.max
                var stringIDs = [UInt32](repeating: unknown, count: strings.count)
                var setIDs = [UInt32](repeating: unknown, count: sets.count)
                // Not a nested function: one capturing `store` would box it,
                // and every access would pay a dynamic exclusivity check.
                @inline(__always)
                func string(_ index: Int, _ store: inout EventStore, _ stringIDs: inout [UInt32]) -> UInt32 {
                    if stringIDs[index] == unknown { stringIDs[index] = store.strings.intern(text(strings[index])) }
                    return stringIDs[index]
                }
                for index in viewsOf[target] {
                    let view = views[index]
                    var viewID = unknown
                    for event in starts[index]..<starts[index + 1] where route[files[event]] == target {
                        if viewID == unknown {
                            viewID = store.id(of: ViewKey(
                                session: string(view.session, &store, &stringIDs), title: string(view.title, &store, &stringIDs)))
                        }
                        let setIndex = attributes[event]
                        if setIDs[setIndex] == unknown {
                            let set = sets[setIndex]
                            var members: [UInt32] = []
                            for member in set.strings { members.append(string(member, &store, &stringIDs)) }
                            setIDs[setIndex] = store.id(of: EventAttributes(
                                viewer: members[0], series: members[1], season: set.season, episode: set.episode,
                                country: members[2], region: members[3], device: members[4], audioLang: members[5],
                                subtitleLang: members[6]))
                        }
                        store.append(
                            EventRecord(
                                timestamp: timestamps[event], from: numbers[4 * event], to: numbers[4 * event + 1],
                                position: numbers[4 * event + 2], duration: numbers[4 * event + 3],
                                view: viewID, attributes: setIDs[setIndex], eventID: 0, kind: kinds[event]),
                            eventID: text(eventIDs[event]))
                    }
                }
            }
        }
    }
}

/// How one optional number is stored (see `EventChunk`).
enum NumberForm {
    /// Writes `value` and returns its 2-bit form.
    static func write(_ value: Double, to out: inout ByteWriter) -> UInt8 {
        if value.isNaN { return 0 }
        let scaled = (value * 1000).rounded()
        if abs(scaled) < 9_007_199_254_740_992, Double(Int64(scaled)) / 1000 == value {
            out.signed(Int64(scaled))
            return 1
        }
        out.uint64(value.bitPattern)
        return 2
    }

    @inline(__always)
    static func read(_ form: UInt8, from input: inout ByteReader) throws(ByteReader.Overrun) -> Double {
        switch form {
        case 0: return .nan
        case 1:
            let scaled = try input.signed()
            guard scaled > -9_007_199_254_740_992, scaled < 9_007_199_254_740_992 else { throw ByteReader.Overrun() }
            return Double(scaled) / 1000
        case 2: return Double(bitPattern: try input.uint64())
        default: throw ByteReader.Overrun()
        }
    }
}
