import CZlib

/// Appends the store's binary forms: little-endian fixed widths, LEB128
/// varints, zigzag for signed values.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func uint32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func uint64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func varint(_ value: Int) {
        precondition(value >= 0, "a negative count")
        varint(UInt64(value))
    }

    mutating func signed(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// A length, then the bytes.
    mutating func data<C: Collection<UInt8>>(_ value: C) {
        varint(value.count)
        bytes.append(contentsOf: value)
    }

    mutating func text(_ value: String) { data(Array(value.utf8)) }

    mutating func append(_ other: [UInt8]) { bytes.append(contentsOf: other) }
}

/// Reads what `ByteWriter` wrote, checking every bound: a cut or altered
/// store file is an error, never a trap or a huge allocation.
struct ByteReader {
    struct Overrun: Error {}

    private let bytes: [UInt8]
    private(set) var offset: Int
    private let end: Int

    init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        offset = range?.lowerBound ?? 0
        end = range?.upperBound ?? bytes.count
    }

    var isAtEnd: Bool { offset == end }
    var remaining: Int { end - offset }

    @inline(__always)
    mutating func byte() throws(Overrun) -> UInt8 {
        guard offset < end else { throw Overrun() }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func uint32() throws(Overrun) -> UInt32 {
        guard remaining >= 4 else { throw Overrun() }
        var value: UInt32 = 0
        for shift in 0..<4 { value |= UInt32(bytes[offset + shift]) << (8 * shift) }
        offset += 4
        return value
    }

    mutating func uint64() throws(Overrun) -> UInt64 {
        guard remaining >= 8 else { throw Overrun() }
        var value: UInt64 = 0
        for shift in 0..<8 { value |= UInt64(bytes[offset + shift]) << (8 * shift) }
        offset += 8
        return value
    }

    @inline(__always)
    mutating func varint() throws(Overrun) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var index = offset
        while index < end {
            let next = bytes[index]
            index += 1
            value |= UInt64(next & 0x7F) << shift
            if next < 0x80 {
                offset = index
                return value
            }
            shift += 7
            guard shift < 64 else { throw Overrun() }
        }
        throw Overrun()
    }

    /// A varint that counts something held in memory: at most `limit`.
    @inline(__always)
    mutating func count(atMost limit: Int) throws(Overrun) -> Int {
        let value = try varint()
        guard limit >= 0, value <= UInt64(limit) else { throw Overrun() }
        return Int(value)
    }

    @inline(__always)
    mutating func signed() throws(Overrun) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// `count` values read one after another by `read`, in an array
    /// filled in place (appending would check the array's uniqueness at
    /// every value). `count` must be bounded by the input's size.
    @inline(__always)
    mutating func column<Value>(
        _ count: Int, _ read: (inout ByteReader) throws(Overrun) -> Value
    ) throws(Overrun) -> [Value] {
        var failed = false
        let values = [Value](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                do throws(Overrun) {
                    buffer.initializeElement(at: index, to: try read(&self))
                } catch {
                    failed = true
                    return
                }
                initialized = index + 1
            }
        }
        if failed { throw Overrun() }
        return values
    }

    /// The range of a length-prefixed value, which must lie in the buffer.
    mutating func dataRange() throws(Overrun) -> Range<Int> {
        let length = try count(atMost: remaining)
        defer { offset += length }
        return offset..<(offset + length)
    }

    func bytes(_ range: Range<Int>) throws(Overrun) -> ArraySlice<UInt8> {
        guard range.upperBound <= end else { throw Overrun() }
        return bytes[range]
    }

    mutating func text() throws(Overrun) -> String {
        let range = try dataRange()
        return String(decoding: bytes[range], as: UTF8.self)
    }
}

/// zlib's CRC-32 (the one `gzip` uses), over whole buffers.
enum Checksum {
    static func crc32(_ bytes: [UInt8], range: Range<Int>? = nil) -> UInt32 {
        let range = range ?? 0..<bytes.count
        return bytes.withUnsafeBufferPointer { buffer in
            var crc = CZlib.crc32(0, nil, 0)
            var start = range.lowerBound
            // zlib takes a 32-bit length.
            while start < range.upperBound {
                let length = min(range.upperBound - start, 1 << 30)
                crc = CZlib.crc32(crc, buffer.baseAddress.map { $0 + start }, uInt(length))
                start += length
            }
            return UInt32(crc)
        }
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
