/// Appends the store's binary forms: little-endian fixed widths, LEB128
/// varints, zigzag for signed values.
///
/// Writes into room of its own (`storage` past `count`) through a
/// pointer: the encoder writes several values per event, and an array
/// append per byte checks uniqueness and capacity every time.
struct ByteWriter {
    private var storage: [UInt8]
    /// Bytes written; `storage` beyond them is room (what it holds does
    /// not matter).
    private(set) var count = 0

    init(capacity: Int = 0) { storage = [UInt8](repeating: 0, count: max(capacity, 64)) }

    /// What was written.
    var bytes: [UInt8] { Array(storage[..<count]) }

    /// Calls `write` with room for `most` bytes after those written; it
    /// returns how many it wrote.
    @inline(__always)
    private mutating func write(atMost most: Int, _ write: (UnsafeMutableBufferPointer<UInt8>) -> Int) {
        if count + most > storage.count { grow(to: count + most) }
        let start = count
        count += storage.withUnsafeMutableBufferPointer { all in
            write(UnsafeMutableBufferPointer(rebasing: all[start..<(start + most)]))
        }
    }

    @inline(never)
    private mutating func grow(to needed: Int) {
        storage.append(contentsOf: repeatElement(0, count: max(needed, 2 * storage.count) - storage.count))
    }

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        write(atMost: 1) { room in
            room[0] = value
            return 1
        }
    }

    mutating func uint32(_ value: UInt32) { littleEndian(value) }

    mutating func uint64(_ value: UInt64) { littleEndian(value) }

    private mutating func littleEndian(_ value: some FixedWidthInteger) {
        withUnsafeBytes(of: value.littleEndian) { append($0) }
    }

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        write(atMost: 10) { room in
            var rest = value, written = 0
            while rest >= 0x80 {
                room[written] = UInt8(truncatingIfNeeded: rest) | 0x80
                rest >>= 7
                written += 1
            }
            room[written] = UInt8(rest)
            return written + 1
        }
    }

    @inline(__always)
    mutating func varint(_ value: Int) {
        precondition(value >= 0, "a negative count")
        varint(UInt64(value))
    }

    @inline(__always)
    mutating func signed(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Raw bytes, no length.
    mutating func append(_ raw: UnsafeRawBufferPointer) {
        write(atMost: raw.count) { room in
            UnsafeMutableRawBufferPointer(room).copyMemory(from: raw)
            return raw.count
        }
    }

    mutating func append(_ other: [UInt8]) { other.withUnsafeBytes { append($0) } }

    /// Another writer's bytes from `offset` on.
    mutating func append(_ other: ByteWriter, from offset: Int = 0) {
        other.storage.withUnsafeBytes { append(UnsafeRawBufferPointer(rebasing: $0[offset..<other.count])) }
    }

    /// A length, then the bytes.
    mutating func data<C: Collection<UInt8>>(_ value: C) {
        varint(value.count)
        if value.withContiguousStorageIfAvailable({ append(UnsafeRawBufferPointer($0)) }) == nil { append(Array(value)) }
    }

    mutating func text(_ value: String) { data(Array(value.utf8)) }

    /// Forgets what was written, keeping the room.
    mutating func removeAll() { count = 0 }

    /// The length of the prefix this writer's bytes share with `other`'s,
    /// at most `limit`.
    func sharedPrefix(with other: ByteWriter, limit: Int) -> Int {
        let most = min(count, other.count, limit)
        var shared = 0
        while shared < most, storage[shared] == other.storage[shared] { shared += 1 }
        return shared
    }

    /// Calls `fill` with room for `length` bytes after those written, which
    /// it must fill.
    mutating func fill(_ length: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) {
        write(atMost: length) { room in
            fill(UnsafeMutableRawBufferPointer(room))
            return length
        }
    }
}
