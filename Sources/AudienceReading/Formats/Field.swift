#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The fields of a viewing event, in the order of the spec's field table.
/// That order decides which absent field a message names first and which
/// duplicate copy is kept.
public enum Field: Int, CaseIterable, Sendable {
    case ts, event, sessionID, viewerID, titleID
    case from, to, position, duration
    case seriesID, season, episode
    case country, region, device, audioLang, subtitleLang
    case eventID

    /// The JSON key and CSV/TSV column name.
    public var name: String {
        switch self {
        case .ts: "ts"
        case .event: "event"
        case .sessionID: "session_id"
        case .viewerID: "viewer_id"
        case .titleID: "title_id"
        case .from: "from"
        case .to: "to"
        case .position: "position"
        case .duration: "duration"
        case .seriesID: "series_id"
        case .season: "season"
        case .episode: "episode"
        case .country: "country"
        case .region: "region"
        case .device: "device"
        case .audioLang: "audio_lang"
        case .subtitleLang: "subtitle_lang"
        case .eventID: "event_id"
        }
    }

    public enum Kind: Sendable { case timestamp, text, number }

    public var kind: Kind {
        switch self {
        case .ts: .timestamp
        case .from, .to, .position, .duration, .season, .episode: .number
        default: .text
        }
    }

    static let required: [Field] = [.ts, .event, .sessionID, .viewerID, .titleID]

    /// The field at position `slot` of the table, without the switch of
    /// `init(rawValue:)`: the cases are laid out as tags 0..<18 in order.
    /// - Precondition: `0 <= slot < Field.allCases.count`.
    @inline(__always)
    init(slot: Int) {
        self = unsafeBitCast(UInt8(truncatingIfNeeded: slot), to: Field.self)
    }

    /// The field a key or column names, comparing bytes exactly.
    /// - Complexity: O(1): one multiply, one table slot, three comparisons.
    package static func named(_ key: UnsafeRawBufferPointer) -> Field? {
        guard key.count <= 16 else { return nil }
        let index = keyTable.lookup(PackedKey(key))
        return index < 0 ? nil : Field(slot: index)
    }

    static let keyTable = PerfectKeyTable(Field.allCases.map(\.name))
}

/// A perfect hash table for a few fixed short keys (field names, event
/// names): a multiplier is searched once so that every key has a slot of
/// its own; a lookup then costs one multiply and one comparison.
struct PerfectKeyTable: @unchecked Sendable {
    /// Slot -> (key, index); written once in `init`, then only read, so
    /// sharing it between threads needs no lock. Lives as long as the process
    /// (the tables are static).
    private let slots: UnsafeMutablePointer<(PackedKey, Int)>
    private let multiplier: UInt64
    private static let bits: UInt64 = 6

    init(_ names: [String]) {
        let packed = names.map { name in Array(name.utf8).withUnsafeBytes { PackedKey($0) } }
        var candidate: UInt64 = 0x9E37_79B9_7F4A_7C15
        while true {
            let slots = packed.map { Self.slot($0, candidate) }
            if Set(slots).count == slots.count { break }
            candidate = candidate &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407 | 1
        }
        multiplier = candidate
        slots = .allocate(capacity: 1 << Int(Self.bits))
        slots.initialize(repeating: (PackedKey(count: -1), -1), count: 1 << Int(Self.bits))
        for (index, key) in packed.enumerated() {
            slots[Self.slot(key, candidate)] = (key, index)
        }
    }

    @inline(__always)
    private static func slot(_ key: PackedKey, _ multiplier: UInt64) -> Int {
        Int(truncatingIfNeeded: ((key.low ^ (key.high &* 31) ^ UInt64(truncatingIfNeeded: key.count)) &* multiplier) >> (64 - bits))
    }

    /// The index of the key among the names given, or -1.
    @inline(__always)
    func lookup(_ key: PackedKey) -> Int {
        let entry = slots[Self.slot(key, multiplier)]
        return entry.0 == key ? entry.1 : -1
    }
}

/// Up to 16 bytes packed into two words, zero-padded, with the length, so
/// short keys compare in three integer comparisons.
struct PackedKey: Equatable, Sendable {
    var low: UInt64 = 0
    var high: UInt64 = 0
    var count: Int

    init(count: Int) {
        self.count = count
    }

    /// - Precondition: `bytes.count <= 16`.
    @inline(__always)
    init(_ bytes: UnsafeRawBufferPointer) {
        count = bytes.count
        guard let base = bytes.baseAddress else { return }
        // memcpy of a variable length compiles to a few moves; words stay
        // zero-padded.
        withUnsafeMutableBytes(of: &low) { $0.baseAddress?.copyMemory(from: base, byteCount: Swift.min(count, 8)) }
        if count > 8 {
            withUnsafeMutableBytes(of: &high) { $0.baseAddress?.copyMemory(from: base + 8, byteCount: count - 8) }
        }
    }
}

/// One field's value as it stood in the line, before validation.
package struct RawValue {
    package enum Kind: UInt8 {
        case absent
        /// A JSON string or a CSV/TSV field (unescaped).
        case text
        /// A bare JSON number; `bytes` is its literal text.
        case number
        case boolean
        case object
        case array
    }

    var kind: Kind
    /// Points into the line or into the parser's scratch space.
    var bytes: UnsafeRawBufferPointer

    package init(kind: Kind, bytes: UnsafeRawBufferPointer) {
        self.kind = kind
        self.bytes = bytes
    }

    static var absent: RawValue { RawValue(kind: .absent, bytes: UnsafeRawBufferPointer(start: nil, count: 0)) }
}

/// The known fields of one line, as the format parser found them.
/// Owns a fixed slot per field; reused from line to line.
package struct RawRecord: ~Copyable {
    private let slots: UnsafeMutableBufferPointer<RawValue>
    /// Nonzero once a slot was set to a boolean, an object or an array
    /// since the last reset, so that the check for those (a text field
    /// holding one) looks at the slots only then.
    private let nonScalarSeen: UnsafeMutablePointer<Bool>

    package init() {
        slots = .allocate(capacity: Field.allCases.count)
        slots.initialize(repeating: .absent)
        nonScalarSeen = .allocate(capacity: 1)
        nonScalarSeen.initialize(to: false)
    }

    deinit {
        slots.deallocate()
        nonScalarSeen.deallocate()
    }

    subscript(field: Field) -> RawValue {
        @inline(__always) get { slots[field.rawValue] }
        @inline(__always) nonmutating set {
            slots[field.rawValue] = newValue
            if newValue.kind.rawValue >= RawValue.Kind.boolean.rawValue { nonScalarSeen.pointee = true }
        }
    }

    /// Whether some slot may hold a boolean, an object or an array.
    var mayHoldNonScalar: Bool { nonScalarSeen.pointee }

    /// By position in the field table (`Field.rawValue`).
    subscript(slot slot: Int) -> RawValue {
        @inline(__always) get { slots[slot] }
    }

    /// Every slot absent. An absent value is all zero bytes (kind 0, no
    /// address, no length), so this is one fill, not a loop of stores.
    func reset() {
        // memset binds no type to the memory, unlike `initializeMemory`.
        nonScalarSeen.pointee = false
        guard let base = slots.baseAddress else { return }
        memset(base, 0, slots.count * MemoryLayout<RawValue>.stride)
    }
}
