import Testing

@testable import AudienceReading

/// The block pipeline's merge (`EventStore.merged(_:runs:)`): the workers'
/// stores are read back block by block, so the views are numbered as they
/// first come in read order whatever store each block went to, each view's
/// events come out together in read order, and each store's chunks are
/// freed once the last block reading them is copied.
struct MergeByViewTests {
    /// An event of view `session`/"t1" at `timestamp`.
    static func append(_ session: String, _ timestamp: Int64, to store: inout EventStore) {
        let sessionBytes = Array(session.utf8), title = Array("t1".utf8), viewer = Array("v".utf8)
        sessionBytes.withUnsafeBytes { sessionID in
            title.withUnsafeBytes { titleID in
                viewer.withUnsafeBytes { viewerID in
                    var event = ValidEvent()
                    event.timestamp = timestamp
                    event.sessionID = sessionID
                    event.titleID = titleID
                    event.viewerID = viewerID
                    store.append(event)
                }
            }
        }
    }

    /// Blocks of lines dealt to stores, each block's events appended to its
    /// store as a worker would; returns the stores, the runs in block order
    /// and the events in read order (session, timestamp).
    static func deal(
        blocks: Int, perBlock: Int, stores storeCount: Int, backwards: Bool, seed: UInt64, emptyEvery: Int = .max
    ) -> (stores: [EventStore], runs: [EventStore.Run], expected: [(String, Int64)]) {
        var random = SeededGenerator(seed: seed)
        var stores = [EventStore](repeating: EventStore(), count: storeCount)
        var runs: [EventStore.Run] = []
        var expected: [(String, Int64)] = []
        var lines: [[(String, Int64)]] = []
        var timestamp: Int64 = 0
        for block in 0..<blocks {
            lines.append((0..<(block % emptyEvery == emptyEvery - 1 ? 0 : perBlock)).map { _ in
                timestamp += 1
                return ("s\(Int.random(in: 0..<500, using: &random))", timestamp)
            })
            expected += lines.last ?? []
        }
        // A store's blocks are parsed in increasing order, unless `backwards`
        // (then store 0 takes its blocks last to first).
        let owners = (0..<blocks).map { _ in Int.random(in: 0..<storeCount, using: &random) }
        var parseOrder = Array(0..<blocks)
        if backwards { parseOrder = parseOrder.filter { owners[$0] != 0 } + parseOrder.filter { owners[$0] == 0 }.reversed() }
        var ranges = [Range<Int>](repeating: 0..<0, count: blocks)
        for block in parseOrder {
            let first = stores[owners[block]].events.count
            for (session, time) in lines[block] { append(session, time, to: &stores[owners[block]]) }
            ranges[block] = first..<stores[owners[block]].events.count
        }
        for block in 0..<blocks { runs.append(EventStore.Run(part: owners[block], events: ranges[block])) }
        return (stores, runs, expected)
    }

    /// `events` (session, timestamp) in read order, grouped by session in
    /// the order sessions first come, each session's in read order.
    static func groupedByView(_ events: [(String, Int64)]) -> [(String, Int64)] {
        var firstSeen: [String: Int] = [:]
        for (session, _) in events where firstSeen[session] == nil { firstSeen[session] = firstSeen.count }
        return events.enumerated()
            .sorted { ($0.element.0 == $1.element.0 ? $0.offset < $1.offset : firstSeen[$0.element.0, default: 0] < firstSeen[$1.element.0, default: 0]) }
            .map(\.element)
    }

    @Test(arguments: [false, true])
    func eventsComeOutByViewInReadOrder(backwards: Bool) {
        // 3 stores of about 100,000 events each: several chunks apiece.
        let (stores, runs, inReadOrder) = Self.deal(
            blocks: 300, perBlock: 1_000, stores: 3, backwards: backwards, seed: backwards ? 7 : 8)
        let expected = Self.groupedByView(inReadOrder)
        let merged = EventStore.merged(stores, runs: runs)
        #expect(merged.events.count == expected.count)
        var firstSeen: [String: UInt32] = [:]
        var inOrder = true, numberedAsSeen = true
        for (index, event) in merged.events.enumerated() {
            let session = merged.strings.withBytes(merged.views[Int(event.view)].session) { String(decoding: $0, as: UTF8.self) }
            if session != expected[index].0 || event.timestamp != expected[index].1 { inOrder = false }
            if firstSeen[session] == nil {
                if event.view != UInt32(firstSeen.count) { numberedAsSeen = false }
                firstSeen[session] = event.view
            }
        }
        #expect(inOrder)
        #expect(numberedAsSeen)
    }

    /// Views whose events lie together in each part (a view per block):
    /// nothing to gain from read order, so the parts are laid end to end.
    @Test func partsWhoseViewsLieTogetherAreLaidEndToEnd() {
        var stores = [EventStore](repeating: EventStore(), count: 2)
        var runs: [EventStore.Run] = []
        var expected: [(String, Int64)] = []
        for block in 0..<40 {
            let part = block % 2
            let first = stores[part].events.count
            for line in 0..<50 { Self.append("s\(block)", Int64(block * 50 + line), to: &stores[part]) }
            runs.append(EventStore.Run(part: part, events: first..<stores[part].events.count))
        }
        for part in 0..<2 {
            for block in stride(from: part, to: 40, by: 2) {
                expected += (0..<50).map { ("s\(block)", Int64(block * 50 + $0)) }
            }
        }
        #expect(!EventStore.mostlyApart(stores))
        let merged = EventStore.merged(stores, runs: runs)
        let got = merged.events.map { event in
            (merged.strings.withBytes(merged.views[Int(event.view)].session) { String(decoding: $0, as: UTF8.self) },
             event.timestamp)
        }
        #expect(got.map(\.0) == expected.map(\.0) && got.map(\.1) == expected.map(\.1))
    }

    /// One store whose blocks were parsed out of turn still comes out by
    /// view in read order.
    @Test func aSingleStoreParsedOutOfTurnComesOutByViewInReadOrder() {
        let (stores, runs, inReadOrder) = Self.deal(blocks: 60, perBlock: 1_000, stores: 1, backwards: true, seed: 9)
        let expected = Self.groupedByView(inReadOrder)
        let merged = EventStore.merged(stores, runs: runs)
        #expect(merged.events.count == expected.count)
        let inOrder = merged.events.enumerated().allSatisfy { index, event in
            event.timestamp == expected[index].1
        }
        #expect(inOrder)
    }

    /// Blocks without events (every line rejected) parsed out of turn: an
    /// empty run starts where another run of its store starts.
    @Test func blocksWithoutEventsParsedOutOfTurn() {
        let (stores, runs, inReadOrder) = Self.deal(
            blocks: 60, perBlock: 100, stores: 1, backwards: true, seed: 10, emptyEvery: 3)
        let expected = Self.groupedByView(inReadOrder)
        #expect(runs.contains { $0.events.isEmpty })
        let merged = EventStore.merged(stores, runs: runs)
        #expect(merged.events.map(\.timestamp) == expected.map(\.1))
    }
}
