import Testing

@testable import AudienceReading

/// Event ids are packed when they have a usual shape (issue 14): every id
/// must come back byte for byte, and two ids are the same exactly when
/// their bytes are.
struct EventIDTableTests {
    static let ids: [String] = [
        "e1", "0123456789abcdef", "0123456789abcdef0",
        "8487ee054952e692ca27c6bc2f326300", "8487EE054952E692CA27C6BC2F326300", "8487ee054952E692ca27c6bc2f326300",
        "01234567890123456789012345678901", "8487ee054952e692ca27c6bc2f32630g", "8487ee054952e692ca27c6bc2f32630:",
        "8487ee054952e692ca27c6bc2f32630`", "8487ee054952e692ca27c6bc2f32630G", "8487ee05-4952-e692-ca27-c6bc2f326300",
        "8487EE05-4952-E692-CA27-C6BC2F326300", "8487ee05-4952-e692-ca27-c6bc2f32630z", "8487ee0554952-e692-ca27-c6bc2f326300",
        "8487ee054952e692ca27c6bc2f3263000", "é487ee054952e692ca27c6bc2f32630", "ÿ487ee054952e692ca27c6bc2f32630",
        String(repeating: "x", count: 200),
    ]

    @Test func idsComeBackByteForByte() {
        var table = EventIDTable()
        let stored = Self.ids.map { id in Array(id.utf8).withUnsafeBytes { table.append($0) } }
        #expect(stored.map { table.string($0) } == Self.ids)
        for (i, a) in stored.enumerated() {
            for (j, b) in stored.enumerated() {
                #expect(table.same(a, b) == (i == j), "\(Self.ids[i]) vs \(Self.ids[j])")
            }
        }
    }

    /// Ids of up to 16 bytes are kept in a slot built from overlapping
    /// loads: each length must give exactly its bytes, zero after them, and
    /// come back whole (the bytes differ at every position, so a shift by
    /// one byte would show).
    @Test func shortIdsOfEveryLengthFillTheirSlotExactly() {
        let bytes: [UInt8] = (0..<16).map { UInt8(0xA0 + $0) }
        var table = EventIDTable()
        for count in 1...16 {
            let id = Array(bytes[0..<count])
            // Not at the start of a buffer, and followed by other bytes:
            // the loads must read within the id.
            let padded = [0xFF] + id + [0xEE, 0xEE]
            let slot = padded.withUnsafeBytes { EventIDTable.shortSlot($0.baseAddress! + 1, count: count) }
            var expected = [UInt8](repeating: 0, count: 16)
            expected.replaceSubrange(0..<count, with: id)
            let words = withUnsafeBytes(of: slot) { Array($0) }
            #expect(words == expected, "length \(count)")
            let stored = id.withUnsafeBytes { table.append($0) }
            #expect(table.bytes(stored) == id, "length \(count)")
        }
    }

    @Test(arguments: ids)
    func equalIdsInDifferentPartsAreTheSame(id: String) {
        var first = EventIDTable(), second = EventIDTable()
        let a = Array(id.utf8).withUnsafeBytes { first.append($0) }
        let b = Array(id.utf8).withUnsafeBytes { second.append($0) }
        let renumber = first.absorb(second)
        #expect(first.same(a, renumber(b)))
        #expect(first.hash(a) == first.hash(renumber(b)))
        #expect(!first.precedes(a, renumber(b)) && !first.precedes(renumber(b), a))
    }
}
