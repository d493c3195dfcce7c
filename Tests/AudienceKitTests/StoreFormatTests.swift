import Foundation
import Testing

@testable import AudienceReading
@testable import AudienceMetrics
@testable import AudienceStore
@testable import AudienceKit

/// Stores written at formats 1 (numbers and event ids written as they are),
/// 2 (every event id as text) and 3 (a file, attribute set, kind and forms
/// byte per event) are still read, and an ingest into one writes segments
/// of the current format beside them.
/// `Tests/Fixtures/store-format-1` was made by audience at format 1:
/// `ingest logs/events-0000.jsonl.gz logs/hand.jsonl --store store`, then
/// `ingest logs/events-0001.csv.gz --store store` (a heavy-messiness
/// generated pair, and hand-made lines with numbers that are not
/// thousandths, huge and tiny ones, absent, repeated, hex, UUID and long
/// event ids); `Tests/Fixtures/store-format-2/store` and
/// `store-format-3/store` the same way, from the same logs, at formats 2
/// and 3.
@Suite struct StoreFormatTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures").standardized.path
    static let fixture = fixtures + "/store-format-1"
    static let current = StoreFormat.version
    static let logNames = ["events-0000.jsonl.gz", "events-0001.csv.gz", "hand.jsonl"]

    /// The fixture's logs under the names the store knows them by.
    static func logs(_ extra: [InputFile] = []) -> [InputFile] {
        (logNames.map { InputFile(name: "logs/" + $0, path: fixture + "/logs/" + $0) } + extra)
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    static func oneShot(_ inputs: [InputFile], metrics: MetricSettings) -> [String: String] {
        StoreEquivalenceTests.outputs(Analyzer.run(AnalysisSettings(inputs: inputs, read: ReadSettings(), metrics: metrics)))
    }

    /// A copy of the store of format `format`, which the tests change.
    static func copyStore(to folder: String, format: Int = 1) throws -> String {
        let store = folder + "/store"
        try FileManager.default.copyItem(atPath: fixtures + "/store-format-\(format)/store", toPath: store)
        return store
    }

    static func segmentFormats(_ store: String) throws -> [Int] {
        try FileManager.default.contentsOfDirectory(atPath: store + "/segments").sorted().map {
            try SegmentReader(path: store + "/segments/" + $0).footer.formatVersion
        }
    }

    @Test(arguments: [1, 2, 3]) func anOlderStoreGivesTheOneShotTables(format: Int) throws {
        try withTemporaryFolder { folder in
            let store = try Self.copyStore(to: folder, format: format)
            #expect(try Self.segmentFormats(store) == [format, format, format])
            let zone = try #require(ReportTimeZone("Europe/Berlin"))
            for metrics in [MetricSettings(), MetricSettings(buckets: 7, timeZone: zone)] {
                StoreEquivalenceTests.expectSame(
                    try StoreEquivalenceTests.fromStore(store, metrics: metrics), Self.oneShot(Self.logs(), metrics: metrics))
            }
            #expect(try Store.verify(StoreLocation(store)).isEmpty)
        }
    }

    static func ledgerFormat(_ store: String) throws -> String? {
        try Store.openLedger(StoreLocation(store), mode: .read).value("format_version")
    }

    /// Compaction alone writes the current format too: the ledger must say
    /// so (a review found it said 1, so a format-1 audience called the
    /// store damaged instead of newer).
    @Test(arguments: [1, 2, 3]) func compactingAnOlderStoreRecordsTheCurrentFormat(format: Int) throws {
        try withTemporaryFolder { folder in
            let store = try Self.copyStore(to: folder, format: format)
            #expect(try Self.ledgerFormat(store) == "\(format)")
            _ = try Store.compact(StoreLocation(store), wait: false, force: true, runID: "compact", commandLine: "test", startedAt: 0)
            #expect(try Self.segmentFormats(store) == [Self.current])
            #expect(try Self.ledgerFormat(store) == "\(Self.current)")
            StoreEquivalenceTests.expectSame(
                try StoreEquivalenceTests.fromStore(store, metrics: MetricSettings()), Self.oneShot(Self.logs(), metrics: MetricSettings()))
        }
    }

    /// An ingest that adds nothing leaves the format as it was.
    @Test func anIngestThatAddsNothingKeepsFormatOne() throws {
        try withTemporaryFolder { folder in
            let store = try Self.copyStore(to: folder)
            let settings = IngestSettings(
                store: StoreLocation(store), inputs: Self.logs().filter { $0.name == "logs/hand.jsonl" }, runID: "again",
                command: "ingest", commandLine: "test", startedAt: 0)
            #expect(try Store.ingest(settings).files.map(\.outcome) == [.unchanged])
            #expect(try Self.ledgerFormat(store) == "1")
        }
    }

    @Test(arguments: [1, 2, 3]) func anIngestIntoAnOlderStoreWritesTheCurrentFormatBesideIt(format: Int) throws {
        try withTemporaryFolder { folder in
            let store = try Self.copyStore(to: folder, format: format)
            // hand.jsonl's lines again under another name, ids and all:
            // duplicates across an older and a current segment.
            let copy = folder + "/again.jsonl"
            try FileManager.default.copyItem(atPath: Self.fixture + "/logs/hand.jsonl", toPath: copy)
            var settings = IngestSettings(
                store: StoreLocation(store), inputs: [InputFile(name: "logs/again.jsonl", path: copy)], runID: "format-2",
                command: "ingest", commandLine: "test", startedAt: 0)
            settings.blockEvents = 5
            _ = try Store.ingest(settings)
            #expect(try Self.segmentFormats(store).sorted() == [format, format, format, Self.current])
            let all = Self.logs([InputFile(name: "logs/again.jsonl", path: copy)])
            StoreEquivalenceTests.expectSame(
                try StoreEquivalenceTests.fromStore(store, metrics: MetricSettings()), Self.oneShot(all, metrics: MetricSettings()))
            // The ledger now names the current format: an older audience refuses the store.
            #expect(try Self.ledgerFormat(store) == "\(Self.current)")
            // Compaction rewrites the older segments at the current format.
            _ = try Store.compact(StoreLocation(store), wait: false, force: true, runID: "compact", commandLine: "test", startedAt: 0)
            #expect(try Self.segmentFormats(store) == [Self.current])
            StoreEquivalenceTests.expectSame(
                try StoreEquivalenceTests.fromStore(store, metrics: MetricSettings()), Self.oneShot(all, metrics: MetricSettings()))
        }
    }
}

/// Format 2's chunk columns, decoded from bytes made by hand: what a
/// well-formed chunk gives back, and what a damaged one may not ask for.
@Suite struct FormatTwoChunkTests {
    /// One view of two events; `numbers` and `ids` are the last two columns
    /// as written (flags say which numbers are present).
    static func chunk(flags: [UInt8], numbers: (inout ByteWriter) -> Void, ids: (inout ByteWriter) -> Void) -> [UInt8] {
        var out = ByteWriter()
        out.varint(2)
        for text in ["s", "t"] { out.text(text) }
        out.varint(1)
        for value in [0, 1, flags.count] { out.varint(value) }
        out.varint(1)
        for _ in 0..<7 { out.varint(0) }
        out.varint(0)
        out.varint(0)
        for _ in flags { out.varint(0) }  // file
        for _ in flags { out.varint(0) }  // attribute set
        for _ in flags { out.byte(EventKind.progress.rawValue) }
        out.signed(1_000)
        for _ in flags.dropFirst() { out.signed(5) }
        for flag in flags { out.byte(flag) }
        numbers(&out)
        ids(&out)
        return out.bytes
    }

    static func decode(_ raw: [UInt8]) throws(ByteReader.Overrun) -> EventStore {
        var stores = [EventStore()]
        try EventChunk.decode(raw, format: 2, route: [0], into: &stores)
        return stores[0]
    }

    @Test func guessedNumbersAndSharedPrefixesComeBack() throws {
        // Event 1: from 1.5, to 2.5 (guessed from its own from), duration
        // 60; event 2: from 2.5 (guessed: the playhead), to 3.75, duration
        // 60 (guessed: the last duration).
        let raw = Self.chunk(flags: [0b0100_0101, 0b0100_0101]) { out in
            out.signed(1_500)
            out.signed(1_000)
            out.signed(60_000)
            out.signed(0)
            out.signed(1_250)
            out.signed(0)
        } ids: { out in
            out.varint(0)
            out.text("event-0001")
            out.varint(8)
            out.text("17")
        }
        let store = try Self.decode(raw)
        let events = store.events.filter { !$0.isPadding }
        #expect(events.map(\.from) == [1.5, 2.5])
        #expect(events.map(\.to) == [2.5, 3.75])
        #expect(events.map(\.duration) == [60, 60])
        #expect(events.allSatisfy { $0.position.isNaN })
        #expect(events.map(\.timestamp) == [1_000, 1_005])
        #expect(events.map { store.eventIDs.string($0.eventID) } == ["event-0001", "event-0017"])
    }

    /// Every number comes back with the same bits (NaN as absent): -0.0,
    /// values at and past 2^53 thousandths, ones that are not thousandths.
    @Test func numbersComeBackBitForBit() throws {
        let values: [Double] = [
            -0.0, 0, 0.001, -0.001, 1.5, 0.1, 1.0 / 3, 123.4567891, 1e-7, 1e300, -1e300, .infinity, -.infinity,
            9_007_199_254_740.991, 9_007_199_254_740.992, -9_007_199_254_740.991, .leastNonzeroMagnitude, .nan,
        ]
        var writer = ByteWriter()
        var guess = NumberGuess(format: StoreFormat.version)
        var forms: [UInt8] = []
        for (index, value) in values.enumerated() {
            if index % 4 == 0 { guess.startEvent(kind: .progress) }
            forms.append(writer.withRoom(atMost: NumberGuess.maxBytes) { guess.write(value, slot: index % 4, to: &$0) })
        }
        var reader = ByteReader(writer.bytes)
        var back = NumberGuess(format: StoreFormat.version)
        for (index, value) in values.enumerated() {
            if index % 4 == 0 { back.startEvent(kind: .progress) }
            let read = try back.read(forms[index], slot: index % 4, from: &reader)
            #expect(value.isNaN ? read.isNaN : read.bitPattern == value.bitPattern, "\(value)")
        }
        #expect(reader.isAtEnd)
    }

    /// `write` rounds thousandths half to even below 2^47 (no libm call);
    /// the store's bytes must be those of rounding half away from zero:
    /// the same whole number off a half, and a half never exact thousandths.
    @Test func fastRoundingStoresWhatRoundingAwayFromZeroWould() {
        var random = SystemRandomNumberGenerator()
        var values: [Double] = [0.0005, -0.0005, 0.0015, 2.5e-3, 1.0005, -7.0025, 0.5, 1e11 + 0.0005]
        for _ in 0..<5_000 {
            // Ties, thousandths, and anything, across magnitudes up to past 2^47 thousandths.
            let scale = Double.random(in: -6...12, using: &random)
            let base = (Double.random(in: -1...1, using: &random) * pow(10, scale) * 1000).rounded() / 1000
            values += [base, base + 0.0005, base - 0.0005, Double.random(in: -1...1, using: &random) * pow(10, scale)]
        }
        for value in values {
            let fast = NumberGuess.nearestInteger(value * 1000)
            let slow = (value * 1000).rounded()
            let storedFast = abs(fast) < 9_007_199_254_740_992 && fast / 1000 == value
            let storedSlow = abs(slow) < 9_007_199_254_740_992 && Double(Int64(slow)) / 1000 == value
            #expect(storedFast == storedSlow, "\(value)")
            if storedFast { #expect(fast == slow, "\(value)") }
        }
    }

    @Test func aPrefixLongerThanTheLastIdOrTheLimitIsDamage() {
        func ids(first: String, shared: Int) -> [UInt8] {
            Self.chunk(flags: [0, 0]) { _ in } ids: { out in
                out.varint(0)
                out.text(first)
                out.varint(shared)
                out.text("x")
            }
        }
        #expect((try? Self.decode(ids(first: "abc", shared: 3))) != nil)
        #expect(throws: ByteReader.Overrun.self) { try Self.decode(ids(first: "abc", shared: 4)) }
        let long = String(repeating: "a", count: EventChunk.sharedPrefixLimit + 10)
        #expect((try? Self.decode(ids(first: long, shared: EventChunk.sharedPrefixLimit))) != nil)
        #expect(throws: ByteReader.Overrun.self) { try Self.decode(ids(first: long, shared: EventChunk.sharedPrefixLimit + 1)) }
    }

    @Test func aGuessedNumberPastTwoToThe53IsDamage() {
        // Event 1's `to` is 2^53 - 1 thousandths, the largest; event 2's
        // `from`, guessed from it, is one more: damage, not a number.
        let raw = Self.chunk(flags: [0b0100, 0b0001]) { out in
            out.signed(9_007_199_254_740_991)
            out.signed(1)
        } ids: { out in
            for _ in 0..<2 {
                out.varint(0)
                out.varint(0)
            }
        }
        #expect(throws: ByteReader.Overrun.self) { try Self.decode(raw) }
    }
}

/// Format 3's event-id columns, decoded from bytes made by hand: hex and
/// UUID ids packed, others as text, and what a damaged chunk may not hold.
@Suite struct FormatThreeChunkTests {
    /// One view of two events without numbers; `ids` is the last column
    /// as written.
    static func decode(_ ids: (inout ByteWriter) -> Void) throws(ByteReader.Overrun) -> [String] {
        let raw = FormatTwoChunkTests.chunk(flags: [0, 0]) { _ in } ids: { ids(&$0) }
        var stores = [EventStore()]
        try EventChunk.decode(raw, format: 3, route: [0], into: &stores)
        let store = stores[0]
        return store.events.filter { !$0.isPadding }.map { store.eventIDs.string($0.eventID) }
    }

    static func packed(_ text: String) -> EventIDTable.Packed {
        var table = EventIDTable()
        let id = Array(text.utf8).withUnsafeBytes { table.append($0) }
        guard case .packed(let packed) = table.held(id) else { preconditionFailure("\(text) is not packed") }
        return packed
    }

    @Test func packedAndTextIdsComeBack() throws {
        let hex = "0123456789abcdef0123456789ABCDEF".lowercased()
        let uuid = "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0"
        for (first, second) in [(hex, uuid), (hex, "event-7"), ("", uuid), ("0123456789", "")] {
            let ids = try Self.decode { out in
                var texts: [String] = []
                for text in [first, second] {
                    if text.isEmpty {
                        out.byte(0)
                    } else if text.count >= 32 {
                        out.byte(Self.packed(text).form)
                    } else {
                        out.byte(EventChunk.textID)
                        texts.append(text)
                    }
                }
                for text in [first, second] where text.count >= 32 {
                    out.uint64(Self.packed(text).low)
                    out.uint64(Self.packed(text).high)
                }
                for text in texts {
                    out.varint(0)
                    out.text(text)
                }
            }
            #expect(ids == [first, second])
        }
    }

    /// Text ids are written against the last one, short ones from their
    /// words: the bytes are those of a byte-by-byte shared prefix, whatever
    /// mix of short (up to 16 bytes) and long ids comes in.
    @Test func textIdsShareTheirPrefixWithTheLastWhateverTheirLength() {
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("gh".utf8)
        var texts: [[UInt8]] = [
            Array("e0000001".utf8), Array("e0000001".utf8), Array("e00000012".utf8), Array("e0".utf8),
            Array(repeating: 0x61, count: 16), Array(repeating: 0x61, count: 17), Array(repeating: 0x61, count: 16),
            Array(repeating: 0x61, count: 90), Array(repeating: 0x61, count: 80), Array("a".utf8), [0x00, 0x61], [0x00],
        ]
        for _ in 0..<2_000 {
            let length = Int.random(in: 1...(Bool.random(using: &random) ? 16 : 70), using: &random)
            texts.append((0..<length).map { _ in alphabet.randomElement(using: &random)! })
        }
        var table = EventIDTable()
        let ids = texts.map { text in text.withUnsafeBytes { table.append($0) } }
        var written = ByteWriter()
        var last = LastTextID()
        for id in ids {
            switch table.held(id) {
            case .short(let count, let low, let high): last.write(short: count, low: low, high: high, to: &written)
            case .long: last.write(long: id, of: table, to: &written)
            case .packed: Issue.record("an id without hex digits packed")
            }
        }
        var expected = ByteWriter()
        var previous: [UInt8] = []
        for text in texts {
            let shared = zip(text, previous).prefix(EventChunk.sharedPrefixLimit).prefix { $0.0 == $0.1 }.count
            expected.varint(shared)
            expected.data(text[shared...])
            previous = text
        }
        #expect(written.bytes == expected.bytes)
    }

    /// The reader puts text ids together in the words the table holds them
    /// in: whatever mix of short, long, packable (32 hex digits written as
    /// text by format 2) and absent ids, each comes back with its bytes and
    /// the very encoding appending its bytes gives.
    @Test(arguments: [2, 3]) func textIdsComeBackAsTheTableHoldsThem(format: Int) throws {
        var random = SeededGenerator(seed: UInt64(format))
        let alphabet = Array("gh".utf8)
        var texts: [[UInt8]] = [
            Array("e0000001".utf8), Array("e0000001".utf8), Array("e00000012".utf8), Array("e0".utf8),
            Array(repeating: 0x61, count: 16), Array(repeating: 0x61, count: 17), Array(repeating: 0x61, count: 16),
            Array(repeating: 0x61, count: 90), Array(repeating: 0x61, count: 80), Array("a".utf8), [0x00, 0x61], [0x00],
            Array("0123456789abcdef0123456789abcdef".utf8), Array("0123456789abcdef0123456789abcdeF".utf8),
            Array(repeating: 0x61, count: 15), [], Array(repeating: 0x61, count: 8), [],
        ]
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...(Bool.random(using: &random) ? 16 : 70), using: &random)
            texts.append((0..<length).map { _ in alphabet.randomElement(using: &random)! })
        }
        if format == 3 { texts.removeAll { $0.isEmpty } }
        var expectedTable = EventIDTable()
        let expected = texts.map { text in text.withUnsafeBytes { expectedTable.append($0) } }
        let raw = FormatTwoChunkTests.chunk(flags: [UInt8](repeating: 0, count: texts.count)) { _ in } ids: { out in
            if format == 3 { for _ in texts { out.byte(EventChunk.textID) } }
            var previous: [UInt8] = []
            for text in texts {
                let shared = zip(text, previous).prefix(EventChunk.sharedPrefixLimit).prefix { $0.0 == $0.1 }.count
                out.varint(shared)
                out.data(text[shared...])
                if !text.isEmpty { previous = text }
            }
        }
        var stores = [EventStore()]
        try EventChunk.decode(raw, format: format, route: [0], into: &stores)
        let events = stores[0].events.filter { !$0.isPadding }
        #expect(events.count == texts.count)
        for (event, (text, id)) in zip(events, zip(texts, expected)) {
            #expect((event.eventID == 0) == (id == 0))
            guard event.eventID != 0 && id != 0 else { continue }
            #expect(stores[0].eventIDs.bytes(event.eventID) == text)
            #expect(stores[0].eventIDs.held(event.eventID) == expectedTable.held(id))
        }
    }

    /// Upper-case forms need a letter; digits alone are the lower-case
    /// form, so one id cannot have two encodings (duplicates would be missed).
    @Test func aPackedFormThatIsNotCanonicalIsDamage() throws {
        let digits = Self.packed(String(repeating: "7", count: 32))
        #expect(digits.form == EventIDTable.Packed.firstForm)
        for form in [digits.form, digits.form + 1] {
            let decode = {
                try Self.decode { out in
                    for _ in 0..<2 { out.byte(form) }
                    for _ in 0..<2 {
                        out.uint64(digits.low)
                        out.uint64(digits.high)
                    }
                }
            }
            if form == digits.form {
                #expect(try decode() == [String](repeating: String(repeating: "7", count: 32), count: 2))
            } else {
                #expect(throws: ByteReader.Overrun.self) { try decode() }
            }
        }
    }

    @Test func anUnknownFormOrAnEmptyTextIdIsDamage() {
        for form: UInt8 in [1, 16, 21, 254] {
            #expect(throws: ByteReader.Overrun.self) {
                try Self.decode { out in
                    for _ in 0..<2 { out.byte(form) }
                    for _ in 0..<4 { out.uint64(1) }
                }
            }
        }
        #expect(throws: ByteReader.Overrun.self) {
            try Self.decode { out in
                for _ in 0..<2 { out.byte(EventChunk.textID) }
                out.varint(0)
                out.text("a")
                out.varint(0)
                out.varint(0)
            }
        }
    }
}
