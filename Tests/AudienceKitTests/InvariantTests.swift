import Testing

@testable import AudienceReading

/// The compact tables every event goes through keep their written
/// invariants (`_checkInvariants`) through growth, merging and reordering,
/// and give back exactly what was put in.
struct InvariantTests {
    static func randomBytes(_ random: inout SeededGenerator, length: Int) -> [UInt8] {
        (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    @Test(arguments: [1, 7, 3_000])
    func byteInternerThroughGrowthAndReordering(count: Int) {
        var random = SeededGenerator(seed: UInt64(count))
        var interner = ByteInterner()
        var expected: [[UInt8]: UInt32] = [[]: 0]
        for _ in 0..<count {
            // Short strings collide often, long ones cross the 8-byte words.
            let bytes = Self.randomBytes(&random, length: Int.random(in: 0...(Bool.random(using: &random) ? 3 : 40), using: &random))
            let id = bytes.withUnsafeBytes { interner.intern($0) }
            if let known = expected[bytes] { #expect(id == known) } else { expected[bytes] = id }
        }
        interner._checkInvariants()
        #expect(interner.count == expected.count)
        for (bytes, id) in expected { #expect(Array(interner.bytes(id)) == bytes) }
        let rank = interner.ranksInByteOrder()
        let reordered = interner.reordered(by: rank)
        reordered._checkInvariants()
        let sorted = expected.keys.sorted { $0.lexicographicallyPrecedes($1) }
        for (position, bytes) in sorted.enumerated() { #expect(Array(reordered.bytes(UInt32(position))) == bytes) }
    }

    @Test func idTableGivesDenseIdsInOrderOfFirstSight() {
        var random = SeededGenerator(seed: 3)
        var table = IDTable<ViewKey>()
        var expected: [ViewKey: UInt32] = [:]
        for _ in 0..<5_000 {
            let key = ViewKey(session: UInt32.random(in: 0..<300, using: &random), title: UInt32.random(in: 0..<20, using: &random))
            let id = table.id(of: key)
            if let known = expected[key] { #expect(id == known) } else {
                #expect(id == UInt32(expected.count))
                expected[key] = id
            }
        }
        table._checkInvariants()
        #expect(table.keys.count == expected.count)
    }

    @Test(arguments: [0, 10, 65_535, 65_536, 70_000])
    func chunkedArrayAppendsAndMerges(extra: Int) {
        var first = ChunkedArray<Int>()
        for value in 0..<70_001 { first.append(value) }
        first._checkInvariants()
        var second = ChunkedArray<Int>()
        for value in 0..<extra { second.append(-value) }
        second._checkInvariants()
        first.append(contentsOf: second, padding: Int.min)
        first._checkInvariants()
        first.append(1)
        first._checkInvariants()
        let kept = first.filter { $0 != Int.min }
        #expect(kept == Array(0..<70_001) + (0..<extra).map { -$0 } + [1])
    }

    @Test func eventIDTableKeepsEveryShapeCanonical() {
        var random = SeededGenerator(seed: 11)
        let hex = Array("0123456789abcdef".utf8), upper = Array("0123456789ABCDEF".utf8)
        func id(_ random: inout SeededGenerator) -> [UInt8] {
            switch Int.random(in: 0..<6, using: &random) {
            case 0: return Self.randomBytes(&random, length: Int.random(in: 1...16, using: &random))
            case 1: return (0..<32).map { _ in hex[Int.random(in: 0..<16, using: &random)] }
            case 2: return (0..<32).map { _ in upper[Int.random(in: 0..<16, using: &random)] }
            case 3:
                var uuid = (0..<32).map { _ in hex[Int.random(in: 0..<16, using: &random)] }
                for offset in [8, 13, 18, 23] { uuid.insert(UInt8(ascii: "-"), at: offset) }
                return uuid
            case 4: // mixed case: kept as it is, in the overflow buffer
                return (0..<32).map { index in (index.isMultiple(of: 2) ? hex : upper)[10 + index % 6] }
            default: return Self.randomBytes(&random, length: Int.random(in: 17...60, using: &random))
            }
        }
        var first = EventIDTable(), second = EventIDTable()
        var values: [(UInt32, [UInt8], inFirst: Bool)] = []
        for index in 0..<4_000 {
            let bytes = id(&random)
            let inFirst = index % 3 != 0
            let stored = bytes.withUnsafeBytes { inFirst ? first.append($0) : second.append($0) }
            values.append((stored, bytes, inFirst))
        }
        first._checkInvariants()
        second._checkInvariants()
        let renumber = first.absorb(second)
        first._checkInvariants()
        for (stored, bytes, inFirst) in values {
            #expect(first.bytes(inFirst ? stored : renumber(stored)) == bytes)
        }
    }
}
