import CZlib
import CSystemShims

/// gzip's CRC-32, as zlib's `crc32()` computes it: folded with carry-less
/// multiplication where the processor has it (several times faster than
/// zlib 1.2's tables), zlib for the bytes left over and elsewhere.
package enum CRC32 {
    /// `crc` continued over `bytes`.
    @inline(__always)
    package static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), !bytes.isEmpty else { return crc }
        var crc = crc
        var done = 0
        if bytes.count >= 64 && audience_crc32_folding_available() != 0 {
            done = bytes.count & ~15
            crc = audience_crc32_fold(crc, base, done)
        }
        guard done < bytes.count else { return crc }
        // crc32_z takes a length of any size (crc32 a 32-bit one).
        return UInt32(truncatingIfNeeded: crc32_z(uLong(crc), base + done, z_size_t(bytes.count - done)))
    }
}
