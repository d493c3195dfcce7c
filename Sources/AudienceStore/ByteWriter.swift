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

    /// Calls `body` with what was written.
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        storage.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    }

    /// Calls `body` with a cursor over room for at most `most` bytes after
    /// those written, and keeps what it wrote: a loop writing many values
    /// takes the storage's pointer once, not once per value.
    @inline(__always)
    mutating func withRoom<R>(atMost most: Int, _ body: (inout ByteCursor) -> R) -> R {
        // At least a byte of room, so that the slice has an address.
        let most = max(most, 1)
        if count + most > storage.count { grow(to: count + most) }
        let start = count
        var written = 0
        let result = storage.withUnsafeMutableBufferPointer { all in
            var cursor = ByteCursor(room: UnsafeMutableBufferPointer(rebasing: all[start..<(start + most)]))
            defer { written = cursor.written }
            return body(&cursor)
        }
        count += written
        return result
    }

    @inline(never)
    private mutating func grow(to needed: Int) {
        storage.append(contentsOf: repeatElement(0, count: max(needed, 2 * storage.count) - storage.count))
    }

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        withRoom(atMost: 1) { $0.byte(value) }
    }

    mutating func uint32(_ value: UInt32) { littleEndian(value) }

    mutating func uint64(_ value: UInt64) { littleEndian(value) }

    private mutating func littleEndian(_ value: some FixedWidthInteger) {
        withUnsafeBytes(of: value.littleEndian) { append($0) }
    }

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        withRoom(atMost: ByteCursor.maxVarint) { $0.varint(value) }
    }

    @inline(__always)
    mutating func varint(_ value: Int) {
        withRoom(atMost: ByteCursor.maxVarint) { $0.varint(value) }
    }

    @inline(__always)
    mutating func signed(_ value: Int64) {
        withRoom(atMost: ByteCursor.maxVarint) { $0.signed(value) }
    }

    /// Raw bytes, no length.
    mutating func append(_ raw: UnsafeRawBufferPointer) {
        withRoom(atMost: raw.count) { $0.append(raw) }
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
        withRoom(atMost: length) { $0.fill(length, fill) }
    }
}

/// Writes the store's binary forms into room a `ByteWriter` set aside
/// (`ByteWriter.withRoom`). Every write checks that it fits: the room is
/// sized for the worst case, so a failed check is a bug in the caller.
struct ByteCursor {
    /// The most bytes a varint of 64 bits takes.
    static let maxVarint = 10

    private let room: UnsafeMutableBufferPointer<UInt8>
    /// Bytes written from the start of the room.
    private(set) var written = 0

    init(room: UnsafeMutableBufferPointer<UInt8>) { self.room = room }

    @inline(__always)
    private func ensure(_ bytes: Int) {
        precondition(room.count - written >= bytes, "ByteCursor: a write past the room set aside")
    }

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        ensure(1)
        room[written] = value
        written += 1
    }

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        ensure(Self.maxVarint)
        var rest = value
        while rest >= 0x80 {
            room[written] = UInt8(truncatingIfNeeded: rest) | 0x80
            rest >>= 7
            written += 1
        }
        room[written] = UInt8(rest)
        written += 1
    }

    @inline(__always)
    mutating func varint(_ value: Int) {
        precondition(value >= 0, "a negative count")
        varint(UInt64(value))
    }

    /// Zigzag, so that small negative values take few bytes.
    @inline(__always)
    mutating func signed(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    @inline(__always)
    mutating func uint64(_ value: UInt64) {
        ensure(8)
        UnsafeMutableRawPointer(room.baseAddress.unsafelyUnwrapped + written).storeBytes(of: value.littleEndian, as: UInt64.self)
        written += 8
    }

    mutating func append(_ raw: UnsafeRawBufferPointer) {
        fill(raw.count) { $0.copyMemory(from: raw) }
    }

    mutating func fill(_ length: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) {
        ensure(length)
        fill(UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: room[written..<(written + length)])))
        written += length
    }
}
