import AudienceReading

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

    /// An event id as data; absent (0) as empty data.
    mutating func eventID(_ id: UInt32, of table: EventIDTable) {
        guard id != 0 else { return varint(0) }
        varint(table.byteCount(id))
        table.appendBytes(id, to: &bytes)
    }

    mutating func text(_ value: String) { data(Array(value.utf8)) }

    mutating func append(_ other: [UInt8]) { bytes.append(contentsOf: other) }
}
