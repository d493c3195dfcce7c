import CZlib
import Testing

@testable import AudienceReading

/// `CRC32` (folded with carry-less multiplication where the processor has
/// it) gives zlib's `crc32()` for every length and alignment, whole or in
/// pieces: the folded part needs 64 bytes or more, the rest goes to zlib.
@Suite struct CRC32Tests {
    static let bytes: [UInt8] = (0..<2_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }

    static func zlib(_ crc: UInt32, _ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer {
            UInt32(truncatingIfNeeded: crc32_z(uLong(crc), $0.baseAddress, z_size_t($0.count)))
        }
    }

    static func folded(_ crc: UInt32, _ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { CRC32.update(crc, $0) }
    }

    @Test func everyLengthAndAlignmentGivesZlibsAnswer() {
        for start in 0..<17 {
            for length in 0...(300 - start) {
                let slice = Self.bytes[start..<(start + length)]
                #expect(Self.folded(0, slice) == Self.zlib(0, slice), "start \(start), length \(length)")
                #expect(Self.folded(0xDEAD_BEEF, slice) == Self.zlib(0xDEAD_BEEF, slice), "start \(start), length \(length)")
            }
        }
        let all = Self.bytes[...]
        #expect(Self.folded(0, all) == Self.zlib(0, all))
    }

    @Test func piecesGiveTheWholesAnswer() {
        let whole = Self.zlib(0, Self.bytes[...])
        for split in [1, 15, 63, 64, 65, 129, 1_000, 1_999] {
            let first = Self.folded(0, Self.bytes[..<split])
            #expect(Self.folded(first, Self.bytes[split...]) == whole, "split at \(split)")
        }
    }
}
