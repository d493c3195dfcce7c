import Testing

@testable import AudienceReading

/// Duplicate removal moves each view's events together in place (issue 14):
/// the move must be exactly the permutation asked for, across chunks.
struct ChunkedArrayTests {
    @Test(arguments: [0, 1, 5, 65_536, 150_001])
    func permuteMovesEachElementWhereAsked(count: Int) {
        var array = ChunkedArray<Int>()
        for value in 0..<count { array.append(value * 7) }
        var random = SeededGenerator(seed: UInt64(count))
        let source = (0..<UInt32(count)).shuffled(using: &random)
        array.permute(by: source)
        #expect(array.count == count)
        #expect(Array(array) == source.map { Int($0) * 7 })
    }

    /// Claimed unwritten, then written in any order: as many chunks as the
    /// count needs, each element where it was written.
    @Test(arguments: [0, 1, 65_536, 65_537, 150_001])
    func unwrittenElementsWrittenInAnyOrder(count: Int) {
        var array = ChunkedArray<Int>(unwrittenCount: count)
        var random = SeededGenerator(seed: UInt64(count) + 1)
        for index in (0..<count).shuffled(using: &random) { array[index] = index * 3 }
        array._checkInvariants()
        #expect(array.count == count)
        #expect(array.elementsEqual((0..<count).map { $0 * 3 }))
    }

    /// A range read a chunk's share at a time: every element once, in order,
    /// across chunk edges.
    @Test(arguments: [0..<0, 0..<1, 65_530..<65_545, 1..<150_000, 131_071..<131_073])
    func piecesOfARangeAreItsElementsInOrder(range: Range<Int>) {
        var array = ChunkedArray<Int>()
        for value in 0..<150_001 { array.append(value) }
        var seen: [Int] = []
        var pieces = 0
        array.forEachPiece(of: range) { piece in
            seen.append(contentsOf: piece)
            pieces += 1
        }
        #expect(seen == Array(range))
        #expect(pieces == (range.isEmpty ? 0 : (range.upperBound - 1) / 65_536 - range.lowerBound / 65_536 + 1))
    }

    @Test func aReleasedChunkIsEmptiedAndTheRestKept() {
        var array = ChunkedArray<Int>()
        for value in 0..<200_000 { array.append(value) }
        array.releaseChunk(1)
        array.releaseChunk(7)  // past the last: nothing
        #expect(array.chunks[1].isEmpty)
        #expect(array[65_535] == 65_535 && array[131_072] == 131_072 && array[199_999] == 199_999)
    }
}
