/// An accepted line's values, normalised: text trimmed (`country`
/// upper-cased), numbers parsed, `ts` in Unix milliseconds. Text slices point
/// into the line or the validator's scratch and live until the next line.
struct ValidEvent {
    var kind: EventKind = .start
    var timestamp: Int64 = 0
    /// NaN where absent; `-0` is stored as `0`.
    var from = Double.nan, to = Double.nan, position = Double.nan, duration = Double.nan
    /// -1 where absent.
    var season: Int32 = -1, episode: Int32 = -1
    var sessionID = empty, viewerID = empty, titleID = empty, seriesID = empty
    var country = empty, region = empty, device = empty
    var audioLang = empty, subtitleLang = empty, eventID = empty

    static var empty: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }
}

/// Why a line was rejected, precisely enough to explain it in `rejects.csv`.
enum RejectDetail: Equatable {
    case malformed(Malformation)
    /// Bit `field.rawValue` set for each absent required field.
    case missingFields(mask: UInt32)
    case unknownEvent
    case badTimestamp(Timestamp.Problem)
    case badNumber(Field)
    case badSegment(SegmentProblem)

    enum SegmentProblem: Equatable {
        case missingBound(Field)
        case negative(Field)
        case toBeforeFrom
        case durationNotPositive
    }

    var reason: RejectReason {
        switch self {
        case .malformed: .malformed
        case .missingFields: .missingField
        case .unknownEvent: .ignoredEvent
        case .badTimestamp: .badTimestamp
        case .badNumber: .badNumber
        case .badSegment: .badSegment
        }
    }
}

/// Applies the spec's checks, in the spec's order, to a parsed line.
struct EventValidator: ~Copyable {
    /// Holds the upper-cased `country` of the current line.
    private var countryScratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 8)

    init() {}

    deinit { countryScratch.deallocate() }

    /// Validates `record`; on success fills `event`.
    mutating func validate(_ record: borrowing RawRecord, into event: inout ValidEvent) -> RejectDetail? {
        // 1. A text field holding a boolean, an object or an array.
        for field in Self.textFields {
            let kind = record[field].kind
            if kind == .boolean || kind == .object || kind == .array {
                return .malformed(.nonTextValue(field, kind))
            }
        }
        // 2-4. `event` absent; `event` unknown; other required fields absent.
        var missing: UInt32 = 0
        for field in Field.required where Self.text(record[field]).isEmpty {
            missing |= 1 << UInt32(field.rawValue)
        }
        if missing & (1 << UInt32(Field.event.rawValue)) != 0 { return .missingFields(mask: missing) }
        guard let kind = EventKind(Self.text(record[.event])) else { return .unknownEvent }
        if missing != 0 { return .missingFields(mask: missing) }
        event.kind = kind

        // 5. The timestamp.
        let ts = record[.ts]
        guard ts.kind == .text || ts.kind == .number else { return .badTimestamp(.unparseable) }
        switch Timestamp.parse(Self.text(ts)) {
        case .failure(let problem): return .badTimestamp(problem)
        case .success(let milliseconds): event.timestamp = milliseconds
        }

        // 6. Numbers.
        for field in [Field.from, .to, .position, .duration] {
            guard let value = Self.number(record[field]) else { return .badNumber(field) }
            switch field {
            case .from: event.from = value
            case .to: event.to = value
            case .position: event.position = value
            default: event.duration = value
            }
        }
        for field in [Field.season, .episode] {
            guard let value = Self.number(record[field]) else { return .badNumber(field) }
            var whole: Int32 = -1
            if !value.isNaN {
                guard value >= 0 && value <= 2_147_483_647 && value == value.rounded(.towardZero) else {
                    return .badNumber(field)
                }
                whole = Int32(value)
            }
            if field == .season { event.season = whole } else { event.episode = whole }
        }

        // 7. Segments.
        if kind == .progress || kind == .seek {
            if event.from.isNaN { return .badSegment(.missingBound(.from)) }
            if event.to.isNaN { return .badSegment(.missingBound(.to)) }
        }
        if event.from < 0 { return .badSegment(.negative(.from)) }
        if event.to < 0 { return .badSegment(.negative(.to)) }
        if event.position < 0 { return .badSegment(.negative(.position)) }
        if kind == .progress && event.to < event.from { return .badSegment(.toBeforeFrom) }
        if event.duration <= 0 { return .badSegment(.durationNotPositive) }

        event.sessionID = Self.text(record[.sessionID])
        event.viewerID = Self.text(record[.viewerID])
        event.titleID = Self.text(record[.titleID])
        event.seriesID = Self.text(record[.seriesID])
        event.region = Self.text(record[.region])
        event.device = Self.text(record[.device])
        event.audioLang = Self.text(record[.audioLang])
        event.subtitleLang = Self.text(record[.subtitleLang])
        event.eventID = Self.text(record[.eventID])
        event.country = upperCased(Self.text(record[.country]))
        return nil
    }

    private static let textFields: [Field] = Field.allCases.filter { $0.kind == .text }

    /// A value's trimmed text; empty when absent.
    @inline(__always)
    static func text(_ value: RawValue) -> UnsafeRawBufferPointer {
        value.kind == .absent ? ValidEvent.empty : TextCheck.trimmed(value.bytes)
    }

    /// NaN when absent, nil when present but not a finite number.
    @inline(__always)
    static func number(_ value: RawValue) -> Double? {
        switch value.kind {
        case .absent: return .nan
        case .text, .number:
            let text = TextCheck.trimmed(value.bytes)
            if text.isEmpty { return .nan }
            guard let number = DecimalNumber(text) else { return nil }
            let double = number.doubleValue
            return double.isFinite ? double : nil
        case .boolean, .object, .array:
            return nil
        }
    }

    private mutating func upperCased(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard bytes.contains(where: { $0 >= 0x61 && $0 <= 0x7A }) else { return bytes }
        if countryScratch.count < bytes.count {
            countryScratch.deallocate()
            countryScratch = .allocate(byteCount: bytes.count, alignment: 8)
        }
        for (index, byte) in bytes.enumerated() {
            countryScratch[index] = byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte
        }
        // Overwritten only by the next line, after this event is stored.
        return UnsafeRawBufferPointer(rebasing: countryScratch[0..<bytes.count])
    }
}
