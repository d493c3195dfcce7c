import AudienceReading
import CDeflate

/// zlib's CRC-32 (the one `gzip` uses), over whole buffers.
enum Checksum {
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { CRC32.update(0, $0) }
    }
}

/// Whole-buffer deflate and inflate for the store's chunks and the
/// partial results of split runs, in zlib's format (RFC 1950: a 2-byte
/// head, the deflate stream, an Adler-32 tail), through libdeflate: a
/// chunk's length is known before it is read, so nothing needs zlib's
/// streaming, and libdeflate inflates these chunks in less than half of
/// zlib's time. zlib writes the same format, so segments written by zlib
/// before read the same.
enum Deflate {
    /// One buffer at a level, with a compressor made for it alone.
    static func compress(_ bytes: [UInt8], level: Int32) -> [UInt8] {
        Compressor(level: level).compress(bytes)
    }

    /// A libdeflate compressor, kept by a writer of many chunks: making one
    /// allocates its match finder's tables, which costs more than
    /// compressing a small chunk.
    final class Compressor {
        private let compressor: OpaquePointer

        init(level: Int32) {
            // libdeflate's levels 1...12 (0 would store without
            // compressing); zlib's 1...9 mean much the same.
            guard let compressor = libdeflate_alloc_compressor(min(max(level, 1), 12)) else {
                preconditionFailure("libdeflate could not allocate a compressor (out of memory)")
            }
            self.compressor = compressor
        }

        deinit { libdeflate_free_compressor(compressor) }

        func compress(_ bytes: [UInt8]) -> [UInt8] {
            bytes.withUnsafeBytes { compress($0) }
        }

        func compress(_ input: UnsafeRawBufferPointer) -> [UInt8] {
            let bound = libdeflate_zlib_compress_bound(compressor, input.count)
            var written = 0
            let output = [UInt8](unsafeUninitializedCapacity: bound) { out, count in
                written = libdeflate_zlib_compress(compressor, input.baseAddress, input.count, out.baseAddress, bound)
                count = written
            }
            // 0 means it did not fit, which the bound rules out.
            precondition(written > 0, "libdeflate_zlib_compress failed with a bound-sized buffer")
            return output
        }
    }

    /// Inflates exactly `expected` bytes, checking the Adler-32; nil when
    /// the data does not inflate to that length or the check fails.
    static func decompress(_ bytes: [UInt8], range: Range<Int>, expected: Int) -> [UInt8]? {
        inflate(bytes, range: range, expected: expected) { decompressor, input, output, written in
            libdeflate_zlib_decompress(decompressor, input.baseAddress, input.count, output.baseAddress, output.count, written)
        }
    }

    /// The same for data whose integrity a checksum of its own has proved
    /// (a segment's chunks carry a CRC-32 of their deflated bytes): the
    /// deflate stream inside the zlib wrapper is inflated raw, which skips
    /// computing the Adler-32.
    static func decompressChecked(_ bytes: [UInt8], range: Range<Int>, expected: Int) -> [UInt8]? {
        guard range.count >= 6 else { return decompress(bytes, range: range, expected: expected) }
        return inflate(bytes, range: (range.lowerBound + 2)..<(range.upperBound - 4), expected: expected) {
            decompressor, input, output, written in
            libdeflate_deflate_decompress(decompressor, input.baseAddress, input.count, output.baseAddress, output.count, written)
        }
    }

    /// Runs `body` on `bytes[range]` with an output of `expected` bytes;
    /// the output only when `body` succeeded and wrote all of it.
    private static func inflate(
        _ bytes: [UInt8], range: Range<Int>, expected: Int,
        _ body: (OpaquePointer, UnsafeRawBufferPointer, UnsafeMutableRawBufferPointer, UnsafeMutablePointer<Int>) -> libdeflate_result
    ) -> [UInt8]? {
        // A decompressor per call, unlike the compressors writers keep:
        // making one is a plain allocation (its tables are built per block
        // as it inflates), and readers on several threads share nothing.
        guard range.lowerBound >= 0, range.upperBound <= bytes.count, expected >= 0,
              let decompressor = libdeflate_alloc_decompressor()
        else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        var result = LIBDEFLATE_BAD_DATA
        // Not zeroed first: every byte kept is written by the inflate.
        let output = [UInt8](unsafeUninitializedCapacity: expected) { out, count in
            var written = 0
            result = bytes.withUnsafeBytes { input in
                body(decompressor, UnsafeRawBufferPointer(rebasing: input[range]), UnsafeMutableRawBufferPointer(out), &written)
            }
            count = result == LIBDEFLATE_SUCCESS ? min(written, expected) : 0
        }
        guard result == LIBDEFLATE_SUCCESS, output.count == expected else { return nil }
        return output
    }
}
