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

    @Test func aReleasedChunkIsEmptiedAndTheRestKept() {
        var array = ChunkedArray<Int>()
        for value in 0..<200_000 { array.append(value) }
        array.releaseChunk(1)
        array.releaseChunk(7)  // past the last: nothing
        #expect(array.chunks[1].isEmpty)
        #expect(array[65_535] == 65_535 && array[131_072] == 131_072 && array[199_999] == 199_999)
    }
}
