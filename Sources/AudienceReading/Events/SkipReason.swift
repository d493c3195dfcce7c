/// Why a non-blank line was not accepted: skipped on purpose
/// (`ignoredEvent`) or rejected (every other case). The order of the cases
/// is the order of the quality table's columns.
public enum SkipReason: Int, CaseIterable, Sendable, Comparable {
    /// A known kind of line we skip on purpose: an `event` outside the list.
    case ignoredEvent
    case malformed
    case missingField
    case badTimestamp
    case badNumber
    case badSegment

    public var name: String {
        switch self {
        case .ignoredEvent: "ignored_event"
        case .malformed: "malformed"
        case .missingField: "missing_field"
        case .badTimestamp: "bad_timestamp"
        case .badNumber: "bad_number"
        case .badSegment: "bad_segment"
        }
    }

    /// A rejection: something wrong with the line, as opposed to an event
    /// the contract skips.
    public var isRejection: Bool { self != .ignoredEvent }

    /// The reasons that are rejections, in column order.
    public static let rejections = allCases.filter(\.isRejection)

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The events a player reports, in byte order of their names so that
/// comparing raw values compares names.
public enum EventKind: UInt8, CaseIterable, Sendable, Comparable, BitwiseCopyable {
    case complete, error, pause, progress, resume, seek, start, stop

    public var name: String {
        switch self {
        case .complete: "complete"
        case .error: "error"
        case .pause: "pause"
        case .progress: "progress"
        case .resume: "resume"
        case .seek: "seek"
        case .start: "start"
        case .stop: "stop"
        }
    }

    @inline(__always)
    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= 4 && bytes.count <= 8 else { return nil }
        let index = Self.nameTable.lookup(PackedKey(bytes))
        guard index >= 0 else { return nil }
        self.init(rawValue: UInt8(index))
    }

    static let nameTable = PerfectKeyTable(allCases.map(\.name))

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
