/// The `event_id` values of the accepted events. They only need to be told
/// equal or not within a view, so they are stored once per event, back to
/// back, with no hash table: a fraction of what interning costs with
/// millions of distinct ids. Duplicate removal compares them by their hash,
/// then by their bytes.
///
/// An id is `part << 26 | (index + 1)`; 0 means absent. Parts come from
/// merging the workers' tables (and a part that fills up starts another).
public struct EventIDTable: Sendable {
    struct Part: Sendable {
        var bytes: [UInt8] = []
        /// End offset of each value in `bytes`.
        var ends: [Int] = []
        var hashes: [UInt32] = []
    }

    static let indexBits: UInt32 = 26
    static let indexMask: UInt32 = (1 << indexBits) - 1
    static let maxParts = 1 << (32 - Int(indexBits))

    private var parts: [Part] = [Part()]

    public init() {}

    /// Stores `bytes`; returns its id (0 when empty).
    mutating func append(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        if bytes.isEmpty { return 0 }
        if parts[parts.count - 1].ends.count >= Int(Self.indexMask) - 1 && parts.count < Self.maxParts {
            parts.append(Part())
        }
        let part = parts.count - 1
        // 64 parts of 2^26 ids: more would need over 300 GB of event ids.
        precondition(parts[part].ends.count < Int(Self.indexMask), "EventIDTable: every id is taken")
        parts[part].bytes.append(contentsOf: bytes)
        parts[part].ends.append(parts[part].bytes.count)
        parts[part].hashes.append(ByteInterner.hash(bytes))
        return UInt32(part) << Self.indexBits | UInt32(parts[part].ends.count)
    }

    /// Moves `other`'s values in; returns how to renumber its ids.
    mutating func absorb(_ other: consuming EventIDTable) -> (UInt32) -> UInt32 {
        let base = UInt32(parts.count)
        // Each worker holds one part until it has 2^26 ids; threads are capped
        // (ReadSettings.threadLimit) so that part numbers fit their 6 bits.
        precondition(parts.count + other.parts.count <= Self.maxParts, "EventIDTable: too many parts to merge")
        parts.append(contentsOf: other.parts)
        return { id in id == 0 ? 0 : (id >> Self.indexBits + base) << Self.indexBits | id & Self.indexMask }
    }

    @inline(__always)
    private func locate(_ id: UInt32) -> (part: Int, index: Int) {
        (Int(id >> Self.indexBits), Int(id & Self.indexMask) - 1)
    }

    func hash(_ id: UInt32) -> UInt32 {
        let (part, index) = locate(id)
        return parts[part].hashes[index]
    }

    func bytes(_ id: UInt32) -> ArraySlice<UInt8> {
        let (part, index) = locate(id)
        let start = index == 0 ? 0 : parts[part].ends[index - 1]
        return parts[part].bytes[start..<parts[part].ends[index]]
    }

    public func string(_ id: UInt32) -> String {
        id == 0 ? "" : String(decoding: bytes(id), as: UTF8.self)
    }

    /// Whether two present ids hold the same bytes.
    @inline(__always)
    func same(_ a: UInt32, _ b: UInt32) -> Bool {
        if a == b { return true }
        return hash(a) == hash(b) && bytes(a).elementsEqual(bytes(b))
    }

    /// A total order on the values: by hash, then by bytes.
    @inline(__always)
    func precedes(_ a: UInt32, _ b: UInt32) -> Bool {
        if a == b { return false }
        let x = hash(a), y = hash(b)
        if x != y { return x < y }
        return bytes(a).lexicographicallyPrecedes(bytes(b))
    }
}
