import Testing

@testable import AudienceReading
@testable import AudienceStore

/// Format 4's chunk: a view's file and attribute set once per view, shapes
/// (kind and number forms) in runs, `ts` and `to` against a progress step,
/// numbers equal to their guess in no bytes. Every event must come back as
/// it was read, whatever the lines throw at the guesses.
@Suite struct FormatFourTests {
    /// Lines of a few views (and a second title for one session) with
    /// steady heartbeats, jitter, seeks and pauses, attributes that change
    /// within a view, lines out of time order, equal timestamps, numbers
    /// that are not thousandths, huge, negative zero or absent, and ids
    /// of every kind.
    static func lines(seed: UInt64) -> String {
        var random = SeededGenerator(seed: seed)
        let kinds = ["start", "progress", "progress", "progress", "progress", "pause", "resume", "seek", "stop", "complete", "error"]
        let odd = ["0.1", "1e300", "-0.0", "0.0005", "123.4567", "9007199254740.993", "-5", "null"]
        var lines: [String] = []
        for view in 0..<6 {
            let session = "s\(view % 4)", title = view < 4 ? "t1" : "t2"
            var ts: Int64 = 1_793_000_000_000 + Int64(view) * 1_000
            var playhead = Double(Int.random(in: 0...100, using: &random))
            let beat = Int64.random(in: 5_000...15_000, using: &random)
            for event in 0..<Int.random(in: 1...60, using: &random) {
                ts += Bool.random(using: &random) ? beat : beat + Int64.random(in: -900...900, using: &random)
                if Int.random(in: 0..<10, using: &random) == 0 { ts += Int64.random(in: -40_000...0, using: &random) }
                let kind = kinds.randomElement(using: &random) ?? "progress"
                var line = JSONLine.start.with("event", "\"\(kind)\"").with("ts", String(ts))
                    .with("session_id", "\"\(session)\"").with("title_id", "\"\(title)\"")
                let step = Double(beat) / 1000 + (Bool.random(using: &random) ? 0 : Double(Int.random(in: -300...300, using: &random)) / 1000)
                switch Int.random(in: 0..<8, using: &random) {
                case 0: line = line.with("from", odd.randomElement(using: &random) ?? "0")
                case 1: line = line.with("to", odd.randomElement(using: &random) ?? "0")
                case 2: line = line.with("position", String(playhead))
                default:
                    line = line.with("from", String(playhead)).with("to", String(playhead + step))
                    playhead += step
                }
                if Bool.random(using: &random) { line = line.with("duration", "3600") }
                // Attributes that change within a view now and then.
                if Int.random(in: 0..<6, using: &random) == 0 { line = line.with("country", "\"FR\"").with("device", "\"tv\"") }
                if Int.random(in: 0..<8, using: &random) == 0 { line = line.with("viewer_id", "\"v\(event % 3)\"") }
                switch Int.random(in: 0..<4, using: &random) {
                case 0: break
                case 1: line = line.with("event_id", "\"e\(view)-\(event)\"")
                case 2:
                    let hex = String(event % 256, radix: 16)
                    line = line.with("event_id", "\"0123456789abcdef0123456789abcd\(hex.count == 1 ? "0" + hex : hex)\"")
                default: line = line.with("event_id", "\"an event id longer than sixteen bytes \(event)\"")
                }
                lines.append(line.text)
            }
        }
        lines.shuffle(using: &random)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A store's events as one chunk, as a segment writer encodes them.
    static func encoded(_ store: EventStore) -> [UInt8] {
        let views = SegmentWriter.eventsByView(store).map { EventChunk.ViewEvents(source: 0, view: $0.view, events: $0.events) }
        var scratch = EventChunk.Scratch([store])
        return EventChunk.encode(views, from: [store], files: [0], scratch: &scratch).bytes
    }

    /// Encodes a store's events as one chunk and decodes it at the current format.
    static func roundTrip(_ store: EventStore) throws -> EventStore {
        let raw = encoded(store)
        var stores = [EventStore()]
        try EventChunk.decode(raw, format: StoreFormat.version, route: [0], into: &stores)
        return stores[0]
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func everyEventComesBackAsRead(seed: UInt64) throws {
        let read = read(Self.lines(seed: seed))
        #expect(read.quality.accepted > 0)
        let back = try Self.roundTrip(read.store)
        let events = back.events.filter { !$0.isPadding }
        #expect(events.map { render($0, back) }.sorted() == read.rendered.sorted())
        // Each view's events by `ts`, then in read order.
        let expected = read.store.events.enumerated().filter { !$0.element.isPadding }
            .sorted { a, b in
                let (x, y) = (read.store.views[Int(a.element.view)], read.store.views[Int(b.element.view)])
                let keys = (read.store.strings.string(x.session), read.store.strings.string(x.title))
                let other = (read.store.strings.string(y.session), read.store.strings.string(y.title))
                if keys != other { return keys < other }
                return (a.element.timestamp, a.offset) < (b.element.timestamp, b.offset)
            }
            .map { render($0.element, read.store) }
        let decoded = events.enumerated().sorted { a, b in
            let (x, y) = (back.views[Int(a.element.view)], back.views[Int(b.element.view)])
            let keys = (back.strings.string(x.session), back.strings.string(x.title))
            let other = (back.strings.string(y.session), back.strings.string(y.title))
            return keys != other ? keys < other : a.offset < b.offset
        }.map { render($0.element, back) }
        #expect(decoded == expected)
    }

    @Test func sortingByTimeKeepsReadOrderAmongEqualTimes() {
        var random = SeededGenerator(seed: 11)
        func records(_ times: [Int64]) -> [EventRecord] {
            times.enumerated().map {
                EventRecord(timestamp: $0.element, from: .nan, to: .nan, position: .nan, duration: .nan, view: 0,
                            attributes: 0, eventID: UInt32($0.offset), kind: .progress)
            }
        }
        var cases: [[Int64]] = [[], [5], [3, 1, 2], Array((0..<5_000).reversed()), (0..<3_000).map { Int64($0 % 7) }]
        for _ in 0..<50 {
            var times = (0..<Int.random(in: 2...300, using: &random)).map { Int64($0 * 10) }
            for _ in 0..<Int.random(in: 1...5, using: &random) {
                times[Int.random(in: 0..<times.count, using: &random)] = Int64.random(in: 0...3_000, using: &random) / 10 * 10
            }
            cases.append(times)
        }
        for times in cases {
            var sorted = records(times)
            EventChunk.sortByTime(&sorted)
            let expected = records(times).enumerated()
                .sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }.map(\.element)
            #expect(sorted == expected)
        }
    }

    /// What a damaged chunk may not say: shape runs that fall short of or
    /// run past the events, a run of zero, a view naming a set or a file
    /// that is not there, form 3 in an older format.
    @Test func damagedShapesAndViewsAreDamage() throws {
        func chunk(file: Int = 0, set: Int = 1, runs: [(UInt8, Int)] = [(0b0000_0100, 2)], format: Int = 4) -> [UInt8] {
            var out = ByteWriter()
            out.varint(2)
            for text in ["s", "t"] { out.text(text) }
            out.varint(1)
            for value in [0, 1, 2, file, set] { out.varint(value) }
            out.varint(1)
            for _ in 0..<7 { out.varint(0) }
            out.varint(0)
            out.varint(0)
            for (flags, length) in runs {
                out.byte(EventKind.progress.rawValue)
                out.byte(flags)
                out.varint(length)
            }
            out.signed(1_000)
            out.signed(5)
            for (flags, length) in runs where flags & 0b1100 == 0b0100 {
                for _ in 0..<length { out.signed(7) }
            }
            out.byte(0)
            out.byte(0)
            return out.bytes
        }
        func decode(_ raw: [UInt8], format: Int = 4) throws(ByteReader.Overrun) -> [EventRecord] {
            var stores = [EventStore()]
            try EventChunk.decode(raw, format: format, route: [0], into: &stores)
            return stores[0].events.filter { !$0.isPadding }
        }
        let events = try decode(chunk())
        #expect(events.map(\.timestamp) == [1_000, 1_005])
        #expect(events.map(\.to) == [0.007, 0.014])
        // Form 3: each `to` is its guess.
        #expect(try decode(chunk(runs: [(0b1100, 2)])).map(\.to) == [0, 0])
        var older = ByteReader([])
        var guess = NumberGuess(format: 3)
        guess.startEvent(kind: .progress)
        #expect(throws: ByteReader.Overrun.self) { try guess.read(3, slot: 1, from: &older) }
        #expect(throws: ByteReader.Overrun.self) { try decode(chunk(runs: [(0b0100, 1)])) }
        #expect(throws: ByteReader.Overrun.self) { try decode(chunk(runs: [(0b0100, 3)])) }
        #expect(throws: ByteReader.Overrun.self) { try decode(chunk(runs: [(0b0100, 0), (0b0100, 2)])) }
        #expect(throws: ByteReader.Overrun.self) { try decode(chunk(set: 2)) }
        #expect(throws: ByteReader.Overrun.self) { try decode(chunk(file: 1)) }
    }

    /// Damaged chunks of every format throw or decode to what fits; they
    /// never trap, hang or ask for more than the chunk can hold. (A crash
    /// fails the run.) Each format reads the same bytes its own way.
    @Test func mutatedChunksThrowOrDecodeWhatFits() throws {
        let store = read(Self.lines(seed: 9)).store
        let raw = Self.encoded(store)
        var random = SeededGenerator(seed: 12)
        for round in 0..<1_500 {
            var damaged = raw
            switch round % 5 {
            case 0:
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    damaged[Int.random(in: 0..<damaged.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
                }
            case 1: damaged.removeLast(Int.random(in: 1..<damaged.count, using: &random))
            case 2: damaged.insert(UInt8.random(in: 0...255, using: &random), at: Int.random(in: 0...damaged.count, using: &random))
            case 3:
                // A huge varint where a count or length stood.
                let at = Int.random(in: 0..<damaged.count, using: &random)
                damaged.replaceSubrange(at..<at, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
            default: damaged.remove(at: Int.random(in: 0..<damaged.count, using: &random))
            }
            for format in 1...StoreFormat.version {
                var stores = [EventStore(), EventStore()]
                let route: [Int?] = round % 2 == 0 ? [0] : [1, 0]
                if (try? EventChunk.decode(damaged, format: format, route: route, into: &stores)) != nil {
                    #expect(stores.reduce(0) { $0 + $1.events.filter { !$0.isPadding }.count } <= damaged.count / 2)
                }
            }
        }
    }

    /// A review's fuzzing: a text id whose rest is one byte long, with the
    /// byte missing at the chunk's end. The length was checked against what
    /// remained before it was read, so the id reached past the chunk and
    /// the decoder trapped instead of throwing (every format).
    @Test func aLengthPastTheChunksEndIsDamage() {
        let raw: [UInt8] = [2, 1, 115, 1, 116, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 1, 0, 255, 0, 1]
        var stores = [EventStore()]
        #expect(throws: ByteReader.Overrun.self) { try EventChunk.decode(raw, format: 4, route: [0], into: &stores) }
        #expect((try? EventChunk.decode(raw + [120], format: 4, route: [0], into: &stores)) != nil)
        var reader = ByteReader([2, 65])
        #expect(throws: ByteReader.Overrun.self) { try reader.dataRange() }
        var whole = ByteReader([1, 65])
        #expect((try? whole.dataRange()) == 1..<2)
    }
}
