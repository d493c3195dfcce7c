import Testing

@testable import AudienceKit

/// Duplicate removal moves each view's events together in place (issue 14):
/// the move must be exactly the permutation asked for, across chunks.
struct ChunkedArrayTests {
    @Test(arguments: [0, 1, 5, 65_536, 150_001])
    func permuteMovesEachElementWhereAsked(count: Int) {
        var array = ChunkedArray<Int>()
        for value in 0..<count { array.append(value * 7) }
        var random = SplitMix(seed: UInt64(count))
        var source = (0..<UInt32(count)).map { $0 }
        for index in source.indices.reversed() where index > 0 {
            source.swapAt(index, Int(random.next() % UInt64(index + 1)))
        }
        array.permute(by: source)
        #expect(array.count == count)
        #expect(Array(array) == source.map { Int($0) * 7 })
    }

    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
