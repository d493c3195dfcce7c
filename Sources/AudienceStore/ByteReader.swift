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

    mutating func uint32() throws(Overrun) -> UInt32 { try littleEndian() }

    mutating func uint64() throws(Overrun) -> UInt64 { try littleEndian() }

    /// A fixed-width unsigned integer, least significant byte first.
    private mutating func littleEndian<Value: FixedWidthInteger & UnsignedInteger>() throws(Overrun) -> Value {
        let width = Value.bitWidth / 8
        guard remaining >= width else { throw Overrun() }
        var value: Value = 0
        for byte in 0..<width { value |= Value(bytes[offset + byte]) << (8 * byte) }
        offset += width
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

    mutating func skip(_ count: Int) throws(Overrun) {
        guard count >= 0, count <= remaining else { throw Overrun() }
        offset += count
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
        // What remains after the length is read: `count(atMost: remaining)`
        // measured it before, so a length could reach past the end by the
        // length's own bytes (a review's fuzzing found the trap).
        let value = try varint()
        guard value <= UInt64(remaining) else { throw Overrun() }
        let length = Int(value)
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
