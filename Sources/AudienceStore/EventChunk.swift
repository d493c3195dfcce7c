import AudienceReading

/// The events of one partition of a segment, in columns.
///
/// Before deflate a format-4 chunk is:
///
///     strings     count, then each as length + bytes (the chunk's own dictionary)
///     views       count, then each as session, title (string indices), event
///                 count, file (index into the segment's files), attribute
///                 set + 1 (0: each event names its own)
///     attributes  count, then each as viewer, series, country, region, device,
///                 audio, subtitle (string indices), season + 1, episode + 1
///     then one column after another, views in order:
///     attribute   per event of a view with set 0, index into the sets
///     shapes      runs (`ShapeRuns`): kind byte (`EventKind.rawValue`),
///                 forms byte, run length; 2 bits of forms for each of from,
///                 to, position, duration: 0 absent, 1 thousandths, 2 raw,
///                 3 exactly the guess
///     ts          per event, zigzag varint, the difference from a guess
///                 (`TimestampGuess`)
///     numbers     per event, thousandths as a zigzag varint against a guess
///                 (`NumberGuess`), raw as 8 bytes
///     event_id    one byte per event, how its id is kept: 0 absent, 17-20
///                 packed (`EventIDTable`'s forms: 32 hex digits or a UUID,
///                 lower or upper case), 255 as text; then each packed id's
///                 128 bits (two 8-byte words, low first); then each text id
///                 as the length of the prefix it shares with the last text
///                 id (at most `sharedPrefixLimit`) and the rest as length +
///                 bytes
///
/// Formats 1-3 have no file or set in a view, and a column each, an entry
/// per event, for the file, the attribute set, the kind, then `ts` against
/// the previous event's and the forms byte before the numbers (no form 3,
/// no progress steps). Format 3's ids are as above; format 2 writes every id
/// as text that way (0 and empty when absent); format 1 as length + bytes
/// and its numbers' thousandths as they are, against no guess.
///
/// A view's events lie together, sorted by `ts` then read order, so deltas
/// are small and deflate finds the repeats; guessed numbers, runs and
/// shared id prefixes leave deflate about half the bytes to read and
/// write, and ids kept packed are read back without parsing their text.
/// Numbers are stored exactly: thousandths only when they give back the
/// same double.
enum EventChunk {
    /// Bounds what an id may take from the one before, so that a chunk
    /// decodes to at most about this many times its own size.
    static let sharedPrefixLimit = 64

    /// The form byte (formats 3 and later) of an id kept as text.
    static let textID: UInt8 = 255

    /// One view's events to store: which of the encoder's sources holds
    /// them, the view's id there, and the events' indices in read order
    /// (`encode` puts them in time order).
    struct ViewEvents {
        var source: Int
        var view: Int
        var events: ArraySlice<UInt32>
    }

    /// What `encode` keeps from chunk to chunk of a block: per source, each
    /// string id's and attribute id's index in the chunk being encoded (-1:
    /// none yet), handed back clean after each chunk, and the byte writers
    /// and event buffer it fills, whose room is kept. Made once per block,
    /// it costs two arrays per source, not a dictionary and a dozen
    /// growing buffers per partition.
    struct Scratch {
        fileprivate var stringIndex: [[Int32]]
        fileprivate var setIndex: [[Int32]]
        fileprivate var stringsWritten: [(source: Int, id: UInt32)] = []
        fileprivate var setsWritten: [(source: Int, id: UInt32)] = []
        fileprivate var writers: [ByteWriter] = []
        fileprivate var records: [EventRecord] = []
        /// The chunk's strings and attribute sets so far, and their counts.
        fileprivate var strings = ByteWriter(), stringCount = 0
        fileprivate var sets = ByteWriter(), setCount = 0

        init(_ sources: [EventStore]) {
            stringIndex = sources.map { [Int32](repeating: -1, count: $0.strings.count) }
            setIndex = sources.map { [Int32](repeating: -1, count: $0.attributes.count) }
        }

        /// Forgets the chunk's indices, keeping the arrays.
        fileprivate mutating func clear() {
            for (source, id) in stringsWritten { stringIndex[source][Int(id)] = -1 }
            for (source, id) in setsWritten { setIndex[source][Int(id)] = -1 }
            stringsWritten.removeAll(keepingCapacity: true)
            setsWritten.removeAll(keepingCapacity: true)
            strings.removeAll()
            sets.removeAll()
            (stringCount, setCount) = (0, 0)
        }

        /// The chunk's index of string `id` of source `file`. Distinct ids
        /// of one source are distinct strings; across sources a string may
        /// be held twice, which costs little. (Methods, not functions nested
        /// in `encode`: those would capture its variables in boxes checked
        /// at every access.)
        fileprivate mutating func string(_ file: Int, _ id: UInt32, of sources: [EventStore]) -> Int {
            let known = Int(stringIndex[file][Int(id)])
            if known >= 0 { return known }
            sources[file].strings.withBytes(id) { strings.data($0) }
            stringIndex[file][Int(id)] = Int32(stringCount)
            stringsWritten.append((file, id))
            stringCount += 1
            return stringCount - 1
        }

        /// The chunk's set index of attribute id `id` of source `file`.
        fileprivate mutating func set(_ file: Int, _ id: UInt32, of sources: [EventStore]) -> Int {
            let known = Int(setIndex[file][Int(id)])
            if known >= 0 { return known }
            let a = sources[file].attributes[Int(id)]
            let members = (
                string(file, a.viewer, of: sources), string(file, a.series, of: sources), string(file, a.country, of: sources),
                string(file, a.region, of: sources), string(file, a.device, of: sources), string(file, a.audioLang, of: sources),
                string(file, a.subtitleLang, of: sources))
            sets.withRoom(atMost: 9 * ByteCursor.maxVarint) { out in
                out.varint(members.0)
                out.varint(members.1)
                out.varint(members.2)
                out.varint(members.3)
                out.varint(members.4)
                out.varint(members.5)
                out.varint(members.6)
                out.varint(UInt64(Int64(a.season) + 1))
                out.varint(UInt64(Int64(a.episode) + 1))
            }
            setIndex[file][Int(id)] = Int32(setCount)
            setsWritten.append((file, id))
            setCount += 1
            return setCount - 1
        }

        /// An empty writer, with the room of one handed back before.
        fileprivate mutating func writer() -> ByteWriter {
            var writer = writers.popLast() ?? ByteWriter()
            writer.removeAll()
            return writer
        }

        /// Hands back a writer (such as the one `encode` returned) for reuse.
        mutating func recycle(_ writer: ByteWriter) { writers.append(writer) }
    }

    /// How many events ahead `encode` asks for the one it will read.
    static let prefetchDistance = 8

    /// - Parameter files: per source, its file's index in the segment.
    /// - Returns: the chunk's bytes, in a writer to hand back to `scratch`.
    static func encode(_ views: [ViewEvents], from sources: [EventStore], files: [Int], scratch: inout Scratch) -> ByteWriter {
        defer { scratch.clear() }
        var viewColumn = scratch.writer()
        var attributeColumn = scratch.writer(), shapeColumn = scratch.writer()
        var tsColumn = scratch.writer(), numberColumn = scratch.writer()
        var idForms = scratch.writer(), packedIDs = scratch.writer(), idColumn = scratch.writer()
        var previousTS: Int64 = 0
        var guess = NumberGuess(format: StoreFormat.version)
        var shapes = ShapeRuns()
        var lastText = LastTextID()
        var eventCount = 0
        // One view's events, gathered once: each column is then written in
        // a loop of its own through one pointer (`ByteWriter.withRoom`).
        var records: [EventRecord] = []
        swap(&records, &scratch.records)
        defer { swap(&records, &scratch.records) }
        for run in views {
            let file = run.source
            let store = sources[file]
            let ids = store.eventIDs
            let key = store.views[run.view]
            records.removeAll(keepingCapacity: true)
            records.reserveCapacity(run.events.count)
            run.events.withUnsafeBufferPointer { events in
                for position in events.indices {
                    // A view's events lie apart in a block read in time
                    // order: asking for one a few ahead overlaps the misses.
                    if position + prefetchDistance < events.count {
                        store.events.prefetch(Int(events[position + prefetchDistance]))
                    }
                    records.append(store.events[Int(events[position])])
                }
            }
            // Read order is nearly always time order; the few views whose
            // lines came out of order are sorted by `ts`, then read order.
            if !zip(records, records.dropFirst()).allSatisfy({ $0.timestamp <= $1.timestamp }) { sortByTime(&records) }
            let count = records.count
            eventCount += count
            // A view's events nearly always share their attributes: then
            // the view names the set, and no event does.
            let attributes = records.first?.attributes ?? 0
            let shared = !records.isEmpty && records.allSatisfy { $0.attributes == attributes }
            viewColumn.varint(scratch.string(file, key.session, of: sources))
            viewColumn.varint(scratch.string(file, key.title, of: sources))
            viewColumn.varint(count)
            viewColumn.varint(files[file])
            viewColumn.varint(shared ? scratch.set(file, attributes, of: sources) + 1 : 0)
            if !shared {
                attributeColumn.withRoom(atMost: count * ByteCursor.maxVarint) { column in
                    for event in records { column.varint(scratch.set(file, event.attributes, of: sources)) }
                }
            }
            tsColumn.withRoom(atMost: count * ByteCursor.maxVarint) { column in
                var guessTS = TimestampGuess(after: previousTS)
                for event in records { column.signed(guessTS.difference(event.timestamp, kind: event.kind)) }
                previousTS = guessTS.last
            }
            shapeColumn.withRoom(atMost: (count + 1) * ShapeRuns.maxBytes) { shapeColumn in
                numberColumn.withRoom(atMost: count * 4 * NumberGuess.maxBytes) { numbers in
                    for event in records {
                        guess.startEvent(kind: event.kind)
                        let flags = guess.write(event.from, slot: 0, to: &numbers)
                            | guess.write(event.to, slot: 1, to: &numbers) << 2
                            | guess.write(event.position, slot: 2, to: &numbers) << 4
                            | guess.write(event.duration, slot: 3, to: &numbers) << 6
                        shapes.add(kind: event.kind, flags: flags, to: &shapeColumn)
                    }
                }
            }
            idForms.withRoom(atMost: count) { forms in
                packedIDs.withRoom(atMost: count * 16) { packedIDs in
                    for event in records {
                        guard event.eventID != 0 else {
                            forms.byte(0)
                            continue
                        }
                        switch ids.held(event.eventID) {
                        case .packed(let packed):
                            forms.byte(packed.form)
                            packedIDs.uint64(packed.low)
                            packedIDs.uint64(packed.high)
                        case .short(let count, let low, let high):
                            forms.byte(Self.textID)
                            lastText.write(short: count, low: low, high: high, to: &idColumn)
                        case .long:
                            forms.byte(Self.textID)
                            lastText.write(long: event.eventID, of: ids, to: &idColumn)
                        }
                    }
                }
            }
        }
        shapeColumn.withRoom(atMost: ShapeRuns.maxBytes) { shapes.finish(to: &$0) }
        var out = scratch.writer()
        out.varint(scratch.stringCount)
        out.append(scratch.strings)
        out.varint(views.count)
        out.append(viewColumn)
        out.varint(scratch.setCount)
        out.append(scratch.sets)
        for column in [attributeColumn, shapeColumn, tsColumn, numberColumn, idForms, packedIDs, idColumn] {
            out.append(column)
        }
        for writer in [viewColumn, attributeColumn, shapeColumn, tsColumn, numberColumn, idForms, packedIDs, idColumn] {
            scratch.recycle(writer)
        }
        return out
    }

    /// Appends the events of each file to `stores[route[file]]` (`file` an
    /// index into the segment's files), leaving out files routed nowhere.
    /// Throws when the chunk does not decode.
    static func decode(
        _ raw: [UInt8], format: Int, route: [Int?], slice: (index: Int, count: Int)? = nil, into stores: inout [EventStore]
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
        // Format 4: each view's file and attribute set + 1 (0: per event).
        var viewFiles: [(file: Int, set: Int)] = []
        var eventCount = 0
        for _ in 0..<viewCount {
            let view = (try string(&input), try string(&input), try input.count(atMost: raw.count))
            eventCount += view.2
            // Every event takes at least two bytes in every format (format
            // 4's fewest: its ts and its id's form).
            guard eventCount <= raw.count / 2 else { throw ByteReader.Overrun() }
            views.append(view)
            if format >= 4 { viewFiles.append((try input.count(atMost: route.count - 1), try input.count(atMost: raw.count))) }
        }
        let setCount = try input.count(atMost: raw.count)
        // Each set's seven strings at 7 * set in one array (not an array per
        // set: a chunk holds about one set per view).
        var setStrings: [Int] = []
        var sets: [(season: Int32, episode: Int32)] = []
        // A set takes at least nine bytes: a damaged count reserves no more
        // than the chunk can hold.
        let setsThatFit = min(setCount, input.remaining / 9)
        setStrings.reserveCapacity(7 * setsThatFit)
        sets.reserveCapacity(setsThatFit)
        for _ in 0..<setCount {
            for _ in 0..<7 { setStrings.append(try string(&input)) }
            // Stored plus one (0: absent), so Int32.max is stored as 2^31.
            let season = Int32(try input.count(atMost: Int(Int32.max) + 1) - 1)
            let episode = Int32(try input.count(atMost: Int(Int32.max) + 1) - 1)
            sets.append((season, episode))
        }
        // The columns, each read whole into an array filled in place.
        let files: [Int], attributes: [Int], kinds: [EventKind], timestamps: [Int64], flags: [UInt8]
        if format >= 4 {
            (files, attributes) = try viewColumns(&input, views: viewFiles, counts: views.map(\.events), sets: sets.count)
            (kinds, flags) = try shapes(&input, count: eventCount)
            var event = 0, viewEnd = 0, nextView = 0
            var guessTS = TimestampGuess(after: 0)
            timestamps = try input.column(eventCount) { input throws(ByteReader.Overrun) in
                // The events add up to `eventCount`: a view ends past `event`.
                while event == viewEnd {
                    viewEnd += views[nextView].events
                    nextView += 1
                    guessTS = TimestampGuess(after: guessTS.last)
                }
                defer { event += 1 }
                return guessTS.timestamp(try input.signed(), kind: kinds[event])
            }
        } else {
            files = try input.column(eventCount) { input throws(ByteReader.Overrun) in try input.count(atMost: route.count - 1) }
            attributes = try input.column(eventCount) { input throws(ByteReader.Overrun) in try input.count(atMost: sets.count - 1) }
            kinds = try input.column(eventCount) { input throws(ByteReader.Overrun) in
                guard let kind = EventKind(rawValue: try input.byte()) else { throw ByteReader.Overrun() }
                return kind
            }
            var ts: Int64 = 0
            timestamps = try input.column(eventCount) { input throws(ByteReader.Overrun) in
                ts = ts &+ (try input.signed())
                return ts
            }
            flags = try input.column(eventCount) { input throws(ByteReader.Overrun) in try input.byte() }
        }
        var event = 0
        var guess = NumberGuess(format: format)
        let numbers = try input.column(eventCount) { input throws(ByteReader.Overrun) in
            let flag = flags[event]
            guess.startEvent(kind: kinds[event])
            event += 1
            return (
                from: try guess.read(flag & 3, slot: 0, from: &input),
                to: try guess.read(flag >> 2 & 3, slot: 1, from: &input),
                position: try guess.read(flag >> 4 & 3, slot: 2, from: &input),
                duration: try guess.read(flag >> 6, slot: 3, from: &input))
        }
        // Each event's id in the form the store's table holds it in.
        let ids: StoredIDs
        switch format {
        case 3...: ids = try formThreeIDs(&input, count: eventCount, chunk: raw)
        case 2: ids = try frontCodedIDs(&input, count: eventCount, forms: nil, packed: nil, chunk: raw)
        default: ids = try formOneIDs(&input, count: eventCount, chunk: raw)
        }
        guard input.isAtEnd else { throw ByteReader.Overrun() }

        let columns = StoredColumns(timestamps: timestamps, kinds: kinds, numbers: numbers, ids: ids)
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
                // First the ids of the events this target takes (which
                // interns their strings), then the events in one go.
                var taken: [StoredColumns.Taken] = []
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
                            // Not a nested function: capturing `store` would box it.
                            var members = (UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0))
                            withUnsafeMutableBytes(of: &members) { out in
                                for slot in 0..<7 {
                                    out.storeBytes(
                                        of: string(setStrings[7 * setIndex + slot], &store, &stringIDs),
                                        toByteOffset: 4 * slot, as: UInt32.self)
                                }
                            }
                            setIDs[setIndex] = store.id(of: EventAttributes(
                                viewer: members.0, series: members.1, season: set.season, episode: set.episode,
                                country: members.2, region: members.3, device: members.4, audioLang: members.5,
                                subtitleLang: members.6))
                        }
                        taken.append(StoredColumns.Taken(event: event, view: viewID, attributes: setIDs[setIndex]))
                    }
                }
                store.append(columns, taking: taken)
            }
        }
    }
}

extension EventChunk {
    /// Sorts a view's events by `ts`, keeping read order among equal ones.
    /// Lines out of order are few and land near their place, so by
    /// insertion; past a budget of moves (a file in reverse, say) by a full
    /// sort, which gives the same order: insertion keeps equal ones in read
    /// order too.
    static func sortByTime(_ records: inout [EventRecord]) {
        var budget = 8 * records.count + 64
        for next in records.indices.dropFirst() {
            let record = records[next]
            var slot = next
            while slot > 0, records[slot - 1].timestamp > record.timestamp {
                records[slot] = records[slot - 1]
                slot -= 1
            }
            records[slot] = record
            budget -= next - slot
            if budget < 0 {
                records = records.enumerated()
                    .sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }
                    .map(\.element)
                return
            }
        }
    }
}

extension EventChunk {
    /// Format 4's file and attribute set of each event: the view's, or for
    /// a view whose set is 0 the attribute column's, one per event.
    static func viewColumns(
        _ input: inout ByteReader, views: [(file: Int, set: Int)], counts: [Int], sets: Int
    ) throws(ByteReader.Overrun) -> (files: [Int], attributes: [Int]) {
        var files: [Int] = [], attributes: [Int] = []
        let total = counts.reduce(0, +)
        files.reserveCapacity(total)
        attributes.reserveCapacity(total)
        for (view, count) in zip(views, counts) {
            files.append(contentsOf: repeatElement(view.file, count: count))
            guard view.set <= sets else { throw ByteReader.Overrun() }
            if view.set > 0 {
                attributes.append(contentsOf: repeatElement(view.set - 1, count: count))
            } else {
                for _ in 0..<count { attributes.append(try input.count(atMost: sets - 1)) }
            }
        }
        return (files, attributes)
    }

    /// Format 4's shape runs, expanded to a kind and number forms per event;
    /// the runs must add up to exactly `count` events.
    static func shapes(_ input: inout ByteReader, count: Int) throws(ByteReader.Overrun) -> (kinds: [EventKind], flags: [UInt8]) {
        // Filled in place: appending runs of about four events through
        // `repeatElement` cost 25 instructions an event per array.
        var filled = 0
        var failed = false
        var flags: [UInt8] = []
        let kinds = [EventKind](unsafeUninitializedCapacity: count) { kindRoom, kindCount in
            flags = [UInt8](unsafeUninitializedCapacity: count) { flagRoom, flagCount in
                while filled < count {
                    do throws(ByteReader.Overrun) {
                        guard let kind = EventKind(rawValue: try input.byte()) else { throw ByteReader.Overrun() }
                        let flag = try input.byte()
                        let length = try input.count(atMost: count - filled)
                        guard length > 0 else { throw ByteReader.Overrun() }
                        for event in filled..<(filled + length) {
                            kindRoom.initializeElement(at: event, to: kind)
                            flagRoom.initializeElement(at: event, to: flag)
                        }
                        filled += length
                    } catch {
                        failed = true
                        break
                    }
                }
                flagCount = filled
            }
            kindCount = filled
        }
        if failed { throw ByteReader.Overrun() }
        return (kinds, flags)
    }
}

extension EventChunk {
    /// Format 1's event ids: each as length + bytes, empty when absent.
    static func formOneIDs(_ input: inout ByteReader, count: Int, chunk: [UInt8]) throws(ByteReader.Overrun) -> StoredIDs {
        var forms: [UInt8] = [], words: [(low: UInt64, high: UInt64)] = [], long: [UInt8] = []
        for _ in 0..<count {
            let range = try input.dataRange()
            chunk.withUnsafeBytes { bytes in
                let id = UnsafeRawBufferPointer(rebasing: bytes[range])
                if id.isEmpty {
                    forms.append(0)
                    words.append((0, 0))
                } else if id.count <= 16, let base = id.baseAddress {
                    forms.append(UInt8(id.count))
                    words.append(EventIDTable.shortWords(base, count: id.count))
                } else {
                    forms.append(StoredIDs.longForm)
                    words.append((UInt64(long.count), UInt64(long.count + id.count)))
                    long.append(contentsOf: id)
                }
            }
        }
        return StoredIDs(forms: forms, words: words, long: long)
    }

    /// Format 3's event ids: a form byte per event (0 absent, 17-20 packed,
    /// `textID`), then each packed id's two words, then the text ids
    /// front-coded. A packed id must be canonical, a text id not empty.
    static func formThreeIDs(_ input: inout ByteReader, count: Int, chunk: [UInt8]) throws(ByteReader.Overrun) -> StoredIDs {
        let forms = try input.column(count) { input throws(ByteReader.Overrun) in try input.byte() }
        var packedCount = 0
        for form in forms where form != textID && form != 0 {
            guard form >= EventIDTable.Packed.firstForm && form <= EventIDTable.Packed.lastForm else {
                throw ByteReader.Overrun()
            }
            packedCount += 1
        }
        guard input.remaining >= 16 * packedCount else { throw ByteReader.Overrun() }
        let packed = input
        try input.skip(16 * packedCount)
        return try frontCodedIDs(&input, count: count, forms: forms, packed: packed, chunk: chunk)
    }

    /// Front-coded text ids (each the length of the prefix it shares with
    /// the last one, then the rest as length + bytes), with format 3's
    /// `forms` and `packed` ids, or alone (format 2: every id text, empty
    /// when absent). An id of up to 16 bytes is put together in its two
    /// words from the last one's and the rest's, with no bytes copied.
    static func frontCodedIDs(
        _ input: inout ByteReader, count: Int, forms: [UInt8]?, packed: ByteReader?, chunk: [UInt8]
    ) throws(ByteReader.Overrun) -> StoredIDs {
        var packed = packed ?? input
        var long: [UInt8] = []
        var words: [(low: UInt64, high: UInt64)] = []
        var failed = false
        let storedForms = [UInt8](unsafeUninitializedCapacity: count) { formsOut, formsFilled in
            words = [(low: UInt64, high: UInt64)](unsafeUninitializedCapacity: count) { wordsOut, wordsFilled in
                chunk.withUnsafeBytes { chunk in
                    // The last text id: its length, and its words when short
                    // or its start in `long` when not.
                    var lastCount = 0, lastLow: UInt64 = 0, lastHigh: UInt64 = 0, lastStart = 0
                    do throws(ByteReader.Overrun) {
                        for index in 0..<count {
                            let form = forms?[index] ?? textID
                            guard form == textID else {
                                var low: UInt64 = 0, high: UInt64 = 0
                                if form != 0 {
                                    let id = EventIDTable.Packed(form: form, low: try packed.uint64(), high: try packed.uint64())
                                    guard id.isCanonical else { throw ByteReader.Overrun() }
                                    (low, high) = (id.low, id.high)
                                }
                                formsOut.initializeElement(at: index, to: form)
                                wordsOut.initializeElement(at: index, to: (low, high))
                                (formsFilled, wordsFilled) = (index + 1, index + 1)
                                continue
                            }
                            let shared = try input.count(atMost: min(lastCount, sharedPrefixLimit))
                            let rest = UnsafeRawBufferPointer(rebasing: chunk[try input.dataRange()])
                            let length = shared + rest.count
                            if length == 0 {
                                // Format 2's absent id (the next is written against
                                // the last present one); format 3 keeps those apart.
                                guard forms == nil else { throw ByteReader.Overrun() }
                                formsOut.initializeElement(at: index, to: 0)
                                wordsOut.initializeElement(at: index, to: (0, 0))
                                (formsFilled, wordsFilled) = (index + 1, index + 1)
                                continue
                            }
                            if length <= 16 {
                                var prefix = (low: lastLow, high: lastHigh)
                                if lastCount > 16 {
                                    prefix = long.withUnsafeBytes { long in
                                        let last = UnsafeRawBufferPointer(rebasing: long[lastStart...])
                                        return last.baseAddress.map { EventIDTable.shortWords($0, count: shared) } ?? (0, 0)
                                    }
                                }
                                let tail = rest.baseAddress.map { EventIDTable.shortWords($0, count: rest.count) } ?? (0, 0)
                                let moved = Self.shifted(tail, byBytes: shared)
                                let kept = Self.firstBytes(shared, of: prefix)
                                (lastLow, lastHigh) = (kept.low | moved.low, kept.high | moved.high)
                                formsOut.initializeElement(at: index, to: UInt8(length))
                                wordsOut.initializeElement(at: index, to: (lastLow, lastHigh))
                            } else {
                                let start = long.count
                                if lastCount > 16 {
                                    // The last id's bytes lie in `long` already.
                                    long.reserveCapacity(start + length)
                                    for offset in 0..<shared { long.append(long[lastStart + offset]) }
                                } else {
                                    withUnsafeBytes(of: (lastLow.littleEndian, lastHigh.littleEndian)) { words in
                                        long.append(contentsOf: words[0..<shared])
                                    }
                                }
                                long.append(contentsOf: rest)
                                lastStart = start
                                formsOut.initializeElement(at: index, to: StoredIDs.longForm)
                                wordsOut.initializeElement(at: index, to: (UInt64(start), UInt64(start + length)))
                            }
                            lastCount = length
                            (formsFilled, wordsFilled) = (index + 1, index + 1)
                        }
                    } catch {
                        failed = true
                    }
                }
            }
        }
        if failed { throw ByteReader.Overrun() }
        return StoredIDs(forms: storedForms, words: words, long: long)
    }

    /// The first `bytes` bytes (0...16) of two little-endian words.
    @inline(__always)
    private static func firstBytes(_ bytes: Int, of words: (low: UInt64, high: UInt64)) -> (low: UInt64, high: UInt64) {
        switch bytes {
        case 0: return (0, 0)
        case 1..<8: return (words.low & ((1 << UInt64(8 * bytes)) &- 1), 0)
        case 8: return (words.low, 0)
        case 9..<16: return (words.low, words.high & ((1 << UInt64(8 * (bytes - 8))) &- 1))
        default: return words
        }
    }

    /// Two little-endian words moved `bytes` (0...16) bytes up, as if one
    /// 128-bit number; what passes the top is dropped.
    @inline(__always)
    private static func shifted(_ words: (low: UInt64, high: UInt64), byBytes bytes: Int) -> (low: UInt64, high: UInt64) {
        switch bytes {
        case 0: return words
        case 1..<8:
            let bits = UInt64(8 * bytes)
            return (words.low << bits, words.high << bits | words.low >> (64 - bits))
        case 8..<16: return (0, words.low << UInt64(8 * (bytes - 8)))
        default: return (0, 0)
        }
    }
}

/// The last text id a chunk's encoder wrote, so that the next one is
/// written as the length of the prefix it shares with it and the rest.
/// Short ids (most text ids) stay in their two words: the shared prefix is
/// where the words first differ, with no bytes copied.
struct LastTextID {
    private var count = 0
    private var low: UInt64 = 0, high: UInt64 = 0
    /// The last id's bytes when it was long (`isShort` false).
    private var bytes = ByteWriter()
    private var isShort = true
    private var current = ByteWriter()

    mutating func write(short count: Int, low: UInt64, high: UInt64, to out: inout ByteWriter) {
        guard isShort else {
            current.removeAll()
            current.fill(count) { Self.copy(low: low, high: high, 0..<count, into: $0) }
            writeBytes(to: &out)
            (self.count, self.low, self.high, isShort) = (count, low, high, true)
            return
        }
        // Bytes past an id's end are zero in its words, so a difference
        // there is cut off by the shorter length.
        let differing = low != self.low
            ? (low ^ self.low).trailingZeroBitCount / 8
            : high != self.high ? 8 + (high ^ self.high).trailingZeroBitCount / 8 : 16
        let shared = min(differing, count, self.count, EventChunk.sharedPrefixLimit)
        out.withRoom(atMost: 2 * ByteCursor.maxVarint + 16) { cursor in
            cursor.varint(shared)
            cursor.varint(count - shared)
            cursor.fill(count - shared) { Self.copy(low: low, high: high, shared..<count, into: $0) }
        }
        (self.count, self.low, self.high) = (count, low, high)
    }

    mutating func write(long id: UInt32, of ids: EventIDTable, to out: inout ByteWriter) {
        current.removeAll()
        current.fill(ids.byteCount(id)) { _ = ids.copyBytes(id, into: $0) }
        writeBytes(to: &out)
    }

    /// Writes `current` against the last id's bytes, then keeps it as those.
    private mutating func writeBytes(to out: inout ByteWriter) {
        if isShort {
            bytes.removeAll()
            bytes.fill(count) { [count, low, high] in Self.copy(low: low, high: high, 0..<count, into: $0) }
            isShort = false
        }
        let shared = current.sharedPrefix(with: bytes, limit: EventChunk.sharedPrefixLimit)
        out.varint(shared)
        out.varint(current.count - shared)
        out.append(current, from: shared)
        swap(&current, &bytes)
    }

    /// Bytes `range` of a short id held in two words.
    private static func copy(low: UInt64, high: UInt64, _ range: Range<Int>, into room: UnsafeMutableRawBufferPointer) {
        withUnsafeBytes(of: (low.littleEndian, high.littleEndian)) { words in
            room.copyMemory(from: UnsafeRawBufferPointer(rebasing: words[range]))
        }
    }
}

/// Format 4's run-length column of event shapes: an event's kind and its
/// numbers' forms (`NumberGuess`) as runs of (kind, forms, length).
/// Heartbeats make long runs of one shape, where two bytes per event went
/// through deflate before.
struct ShapeRuns {
    /// The most bytes one run takes.
    static let maxBytes = 2 + ByteCursor.maxVarint

    private var kind: UInt8 = 0, flags: UInt8 = 0
    private var length = 0

    @inline(__always)
    mutating func add(kind: EventKind, flags: UInt8, to out: inout ByteCursor) {
        if length > 0, kind.rawValue == self.kind, flags == self.flags {
            length += 1
            return
        }
        finish(to: &out)
        (self.kind, self.flags, length) = (kind.rawValue, flags, 1)
    }

    /// Writes the run in progress, if any.
    mutating func finish(to out: inout ByteCursor) {
        guard length > 0 else { return }
        out.byte(kind)
        out.byte(flags)
        out.varint(length)
        length = 0
    }
}

/// Format 4's guess of an event's `ts`: the view's previous event's, plus
/// for a progress event the view's last progress step (the time from the
/// event before it), since players send progress at a steady beat. A
/// view's first event is guessed to be the chunk's previous event's (the
/// last of the view before), as formats 1-3 write every `ts`.
struct TimestampGuess {
    private(set) var last: Int64
    private var step: Int64 = 0
    private var first = true

    init(after last: Int64) { self.last = last }

    @inline(__always)
    private func guess(_ kind: EventKind) -> Int64 {
        kind == .progress ? last &+ step : last
    }

    @inline(__always)
    private mutating func remember(_ ts: Int64, kind: EventKind) {
        if kind == .progress, !first { step = ts &- last }
        first = false
        last = ts
    }

    /// What the chunk stores for `ts`.
    @inline(__always)
    mutating func difference(_ ts: Int64, kind: EventKind) -> Int64 {
        defer { remember(ts, kind: kind) }
        return ts &- guess(kind)
    }

    /// The `ts` a stored difference stands for.
    @inline(__always)
    mutating func timestamp(_ difference: Int64, kind: EventKind) -> Int64 {
        let ts = guess(kind) &+ difference
        remember(ts, kind: kind)
        return ts
    }
}

/// How one optional number is stored (see `EventChunk`), and the guess
/// format 2 subtracts from a number in thousandths: `from` and `position`
/// are guessed to be the playhead (the last `to` or `position` of the
/// chunk), `to` the event's own `from` (the playhead without one),
/// `duration` the chunk's last duration. A progress event then costs a
/// byte or two where its plain thousandths took three or four. Format 4
/// adds to a progress event's `to` guess the chunk's last progress step
/// (`to - from`), as heartbeats cover about the same stretch each time.
/// Format 1 guesses 0 throughout: its numbers are written as they are.
struct NumberGuess {
    private let predicts: Bool
    /// Format 4 and later: progress steps guessed, and form 3 for a number
    /// that is exactly its guess.
    private let formatFour: Bool
    private var playhead: Int64 = 0
    private var duration: Int64 = 0
    /// The last progress event's `to - from` in thousandths (format 4).
    private var step: Int64 = 0
    /// This event's `from` in thousandths, once written or read.
    private var from: Int64?
    /// This event is a progress event and the format guesses steps.
    private var stepping = false

    init(format: Int) {
        predicts = format >= 2
        formatFour = format >= 4
    }

    /// The most bytes `write` takes for a number.
    static let maxBytes = max(ByteCursor.maxVarint, 8)

    /// Numbers beyond 2^53 thousandths are not stored as thousandths.
    private static let limit: Int64 = 9_007_199_254_740_992

    @inline(__always)
    mutating func startEvent(kind: EventKind) {
        from = nil
        stepping = formatFour && kind == .progress
    }

    @inline(__always)
    private func guess(slot: Int) -> Int64 {
        guard predicts else { return 0 }
        switch slot {
        case 1: return (from ?? playhead) &+ (stepping ? step : 0)
        case 3: return duration
        default: return playhead
        }
    }

    @inline(__always)
    private mutating func remember(_ scaled: Int64, slot: Int) {
        guard predicts else { return }
        switch slot {
        case 0: from = scaled
        case 1:
            if stepping, let from { step = scaled &- from }
            playhead = scaled
        case 3: duration = scaled
        default: playhead = scaled
        }
    }

    /// Writes `value` (slot 0-3: from, to, position, duration) and returns
    /// its 2-bit form: 0 absent, 1 thousandths against the guess, 2 its 8
    /// bytes, and from format 4 on 3 for exactly the guess (no bytes).
    @inline(__always)
    mutating func write(_ value: Double, slot: Int, to out: inout ByteCursor) -> UInt8 {
        if value.isNaN { return 0 }
        let scaled = Self.nearestInteger(value * 1000)
        // -0.0 equals 0 but is kept as its 8 bytes: thousandths would give
        // back +0.0. (`scaled` is whole, so it is its Int64 as a Double.)
        if abs(scaled) < Double(Self.limit), scaled / 1000 == value, value != 0 || value.sign == .plus {
            let difference = Int64(scaled) &- guess(slot: slot)
            remember(Int64(scaled), slot: slot)
            if difference == 0, formatFour { return 3 }
            out.signed(difference)
            return 1
        }
        out.uint64(value.bitPattern)
        return 2
    }

    /// `x` rounded to a whole number. Below 2^47 by adding and taking away
    /// 1.5 · 2^52, which rounds half to even, where `rounded()` (a call
    /// into libm, at four numbers per event) rounds half away from zero:
    /// the two differ only on a half, k + 0.5, and there neither k nor
    /// k + 1 thousandths give back the value (they lie 0.0005 from it, far
    /// more than its precision below 2^47), so `write` stores it as its 8
    /// bytes either way.
    @inline(__always)
    static func nearestInteger(_ x: Double) -> Double {
        let shift = 6_755_399_441_055_744.0
        return abs(x) < 140_737_488_355_328.0 ? (x + shift) - shift : x.rounded()
    }

    // Transparent: marked `@inline(__always)`, this typed-throwing method
    // stayed a call, three per event of a report (3.5% of its instructions).
    @_transparent
    mutating func read(_ form: UInt8, slot: Int, from input: inout ByteReader) throws(ByteReader.Overrun) -> Double {
        switch form {
        case 0: return .nan
        case 1, 3:
            guard form == 1 || formatFour else { throw ByteReader.Overrun() }
            let scaled = guess(slot: slot) &+ (form == 1 ? try input.signed() : 0)
            guard scaled > -Self.limit, scaled < Self.limit else { throw ByteReader.Overrun() }
            remember(scaled, slot: slot)
            return Double(scaled) / 1000
        case 2: return Double(bitPattern: try input.uint64())
        default: throw ByteReader.Overrun()
        }
    }
}
