#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Gives each distinct byte string a small integer id, so events store
/// 4-byte ids instead of text.
///
/// Id 0 is the empty string, which stands for "absent". Strings live back
/// to back in one arena; an open-addressing table of ids finds them.
///
/// Invariants: `offsets.count == count + 1`; string `i` is
/// `arena[offsets[i]..<offsets[i + 1]]`; the table is at most half full.
public struct ByteInterner: Sendable {
    private(set) var arena: [UInt8] = []
    private(set) var offsets: [Int] = [0, 0]
    private var hashes: [UInt32] = [0]
    /// Slot -> hash << 32 | (id + 1); 0 marks an empty slot. Keeping the
    /// hash in the slot settles most misses without touching the strings.
    private var table = [UInt64](repeating: 0, count: 1024)

    public init() {}

    /// The number of strings, the empty one included.
    public var count: Int { offsets.count - 1 }

    public func bytes(_ id: UInt32) -> ArraySlice<UInt8> {
        arena[offsets[Int(id)]..<offsets[Int(id) + 1]]
    }

    public func string(_ id: UInt32) -> String {
        String(decoding: bytes(id), as: UTF8.self)
    }

    /// Calls `body` with the bytes of string `id`.
    @inline(__always)
    public func withBytes<R>(_ id: UInt32, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let start = offsets[Int(id)]
        let end = offsets[Int(id) + 1]
        return arena.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Whether string `id` is exactly `bytes`.
    @inline(__always)
    func matches(_ id: UInt32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        if id == 0 { return bytes.isEmpty }
        return equals(Int(id), bytes)
    }

    /// For each id, its rank when all strings are sorted by bytes (the
    /// empty string, id 0, ranks first).
    package func ranksInByteOrder() -> [UInt32] {
        var order = Array(0..<UInt32(count))
        arena.withUnsafeBytes { bytes in
            let offsets = self.offsets
            order.sort { a, b in
                let aStart = offsets[Int(a)], aCount = offsets[Int(a) + 1] - aStart
                let bStart = offsets[Int(b)], bCount = offsets[Int(b) + 1] - bStart
                let common = min(aCount, bCount)
                if common > 0, let base = bytes.baseAddress {
                    let result = memcmp(base + aStart, base + bStart, common)
                    if result != 0 { return result < 0 }
                }
                return aCount < bCount
            }
        }
        var rank = [UInt32](repeating: 0, count: count)
        for (position, id) in order.enumerated() { rank[Int(id)] = UInt32(position) }
        return rank
    }

    /// A copy whose string `rank[id]` is this one's string `id`.
    /// - Precondition: `rank` is a permutation with `rank[0] == 0`.
    func reordered(by rank: [UInt32]) -> ByteInterner {
        var inverse = [UInt32](repeating: 0, count: count)
        for (id, position) in rank.enumerated() { inverse[Int(position)] = UInt32(id) }
        var result = ByteInterner()
        for id in inverse.dropFirst() {
            _ = withBytes(id) { result.intern($0) }
        }
        result._checkInvariantsInDebug()
        return result
    }

    /// The id of `bytes`, adding it when new.
    /// - Complexity: O(length) expected.
    package mutating func intern(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        if bytes.isEmpty { return 0 }
        let hash = Self.hash(bytes)
        let (slot, found) = probe(bytes, hash: hash)
        if let found { return found }
        let id = count
        // Ids are 32 bits and the table stores id + 1.
        precondition(id < Int(UInt32.max), "ByteInterner: more than 4,294,967,294 distinct strings")
        arena.append(contentsOf: bytes)
        offsets.append(arena.count)
        hashes.append(hash)
        table[slot] = UInt64(hash) << 32 | UInt64(id + 1)
        if count * 2 > table.count { grow() }
        return UInt32(id)
    }

    @inline(__always)
    private func equals(_ id: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let start = offsets[id]
        let count = bytes.count
        guard offsets[id + 1] - start == count, let other = bytes.baseAddress else { return false }
        return arena.withUnsafeBytes { arenaBytes in
            guard let mine = arenaBytes.baseAddress.map({ $0 + start }) else { return false }
            // Most values are short: two overlapping loads from each side
            // compare up to 16 bytes, with no call and no loop.
            if count <= 8 { return Self.loadTail(mine, count) == Self.loadTail(other, count) }
            if count <= 16 {
                return mine.loadUnaligned(as: UInt64.self) == other.loadUnaligned(as: UInt64.self)
                    && mine.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                        == other.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            }
            return memcmp(mine, other, count) == 0
        }
    }

    /// Up to 8 bytes as one word, byte i in bits 8i, read with exact-length
    /// loads (never past the end): from 4 bytes on, two 4-byte loads that
    /// overlap; below, the first, middle and last bytes (the same byte more
    /// than once when there are fewer). Two length tests, not one per bit
    /// of the length: fields of every length alternate here.
    @inline(__always)
    static func loadTail(_ base: UnsafeRawPointer, _ count: Int) -> UInt64 {
        if count >= 4 {
            let head = UInt64(base.loadUnaligned(as: UInt32.self))
            let tail = UInt64(base.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            return head | tail &<< (8 &* UInt64(truncatingIfNeeded: count - 4))
        }
        guard count > 0 else { return 0 }
        let middle = count >> 1
        return UInt64(base.load(as: UInt8.self))
            | UInt64(base.load(fromByteOffset: middle, as: UInt8.self)) &<< (8 &* UInt64(truncatingIfNeeded: middle))
            | UInt64(base.load(fromByteOffset: count - 1, as: UInt8.self)) &<< (8 &* UInt64(truncatingIfNeeded: count - 1))
    }

    private mutating func grow() {
        table = [UInt64](repeating: 0, count: table.count * 2)
        let mask = table.count - 1
        for id in 1..<count {
            var slot = Int(hashes[id]) & mask
            while table[slot] != 0 { slot = (slot + 1) & mask }
            table[slot] = UInt64(hashes[id]) << 32 | UInt64(id + 1)
        }
        _checkInvariantsInDebug()
    }

    /// Checks every invariant above (O(strings + slots)): each string but
    /// the empty one found through the table, under its own hash, at the
    /// first slot its probe reaches.
    public func _checkInvariants() {
        precondition(offsets.count == hashes.count + 1 && offsets.first == 0 && offsets.last == arena.count,
                     "ByteInterner: offsets and arena disagree")
        precondition(zip(offsets, offsets.dropFirst()).allSatisfy { $0 <= $1 }, "ByteInterner: offsets decrease")
        precondition(offsets[1] == 0, "ByteInterner: id 0 is not the empty string")
        precondition(table.count.nonzeroBitCount == 1 && count * 2 <= table.count, "ByteInterner: table too full")
        var found = 0
        for entry in table where entry != 0 {
            let id = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
            precondition(id > 0 && id < count, "ByteInterner: a slot names no string")
            let hash = withBytes(UInt32(id)) { Self.hash($0) }
            precondition(hash == hashes[id] && UInt32(truncatingIfNeeded: entry >> 32) == hash, "ByteInterner: a stale hash")
            precondition(withBytes(UInt32(id)) { probe($0, hash: hash).id } == UInt32(id), "ByteInterner: a string not found")
            found += 1
        }
        precondition(found == count - 1, "ByteInterner: strings missing from the table")
    }

    /// Where `bytes` (with `hash`) is in the table: its slot and id, or the
    /// empty slot where it would go and nil.
    @inline(__always)
    private func probe(_ bytes: UnsafeRawBufferPointer, hash: UInt32) -> (slot: Int, id: UInt32?) {
        let mask = table.count - 1
        var slot = Int(hash) & mask
        while table[slot] != 0 {
            let entry = table[slot]
            if UInt32(truncatingIfNeeded: entry >> 32) == hash {
                let id = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                if equals(id, bytes) { return (slot, UInt32(id)) }
            }
            slot = (slot + 1) & mask
        }
        return (slot, nil)
    }

    @inline(__always)
    private func _checkInvariantsInDebug() {
        #if AUDIENCE_INTERNAL_CHECKS
        _checkInvariants()
        #endif
    }

    /// A fast 32-bit hash over 8-byte words (multiply-xorshift).
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress else { return 0 }
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var index = 0
        while index + 8 <= bytes.count {
            h = (h ^ base.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            index += 8
        }
        let tail = loadTail(base + index, bytes.count - index)
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 31
        return UInt32(truncatingIfNeeded: h)
    }
}
