import CZlib
import AudienceReading

/// zlib's CRC-32 (the one `gzip` uses), over whole buffers.
enum Checksum {
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { CRC32.update(0, $0) }
    }
}

/// Whole-buffer deflate and inflate for the store's chunks.
enum Deflate {
    static func compress(_ bytes: [UInt8], level: Int32) -> [UInt8] {
        var bound = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(bound))
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                compress2(out.baseAddress, &bound, input.baseAddress, uLong(input.count), level)
            }
        }
        precondition(status == Z_OK, "compress2 failed with a bound-sized buffer")
        output.removeLast(output.count - Int(bound))
        return output
    }

    /// Inflates exactly `expected` bytes; nil when the data does not
    /// inflate to that length.
    static func decompress(_ bytes: [UInt8], range: Range<Int>, expected: Int) -> [UInt8]? {
        var status = Z_DATA_ERROR
        // Not zeroed first: every byte kept is written by inflate.
        let output = [UInt8](unsafeUninitializedCapacity: expected) { out, count in
            var length = uLong(expected)
            status = bytes.withUnsafeBufferPointer { input in
                uncompress(out.baseAddress, &length, input.baseAddress.map { $0 + range.lowerBound }, uLong(range.count))
            }
            count = status == Z_OK ? min(Int(length), expected) : 0
        }
        guard status == Z_OK, output.count == expected else { return nil }
        return output
    }

    /// The same for data whose integrity a checksum of its own has proved
    /// (a segment's chunks carry a CRC-32 of their deflated bytes): the
    /// deflate stream inside the zlib wrapper (a 2-byte head, a 4-byte
    /// Adler-32 tail) is inflated raw, which skips computing the Adler-32,
    /// a sixth of the time inflating takes.
    static func decompressChecked(_ bytes: [UInt8], range: Range<Int>, expected: Int) -> [UInt8]? {
        guard range.count >= 6 else { return decompress(bytes, range: range, expected: expected) }
        var stream = z_stream()
        guard audience_inflateInit2(&stream, -15) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var status = Z_DATA_ERROR
        // Not zeroed first: every byte kept is written by inflate.
        let output = [UInt8](unsafeUninitializedCapacity: expected) { out, count in
            status = bytes.withUnsafeBufferPointer { input -> Int32 in
                // zlib's lengths are 32-bit: a chunk is far smaller.
                guard let base = input.baseAddress, range.count - 6 <= Int(UInt32.max), expected <= Int(UInt32.max)
                else { return Z_DATA_ERROR }
                stream.next_in = UnsafeMutablePointer(mutating: base + range.lowerBound + 2)
                stream.avail_in = uInt(range.count - 6)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(expected)
                return inflate(&stream, Z_FINISH)
            }
            count = status == Z_STREAM_END ? min(Int(stream.total_out), expected) : 0
        }
        guard status == Z_STREAM_END, output.count == expected else { return nil }
        return output
    }
}
