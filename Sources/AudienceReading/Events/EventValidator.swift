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

    var reason: SkipReason {
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
package struct EventValidator: ~Copyable {
    /// Holds the upper-cased `country` of the current line.
    private var countryScratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 8)

    init() {}

    deinit { countryScratch.deallocate() }

    /// Validates `record`; on success sets every field of `event` (its
    /// reader does not reset it between lines).
    mutating func validate(_ record: borrowing RawRecord, into event: inout ValidEvent) -> RejectDetail? {
        // 1. A text field holding a boolean, an object or an array.
        if record.mayHoldNonScalar {
            for index in 0..<Field.allCases.count
            where record[slot: index].kind.rawValue >= RawValue.Kind.boolean.rawValue {
                let field = Field(slot: index)
                if field.kind == .text { return .malformed(.nonTextValue(field, record[field].kind)) }
            }
        }
        // 2-4. `event` absent; `event` unknown; other required fields absent.
        var missing: UInt32 = 0
        // The required fields are the first five of the field table.
        for index in 0..<5 where Self.text(record[slot: index]).isEmpty {
            missing |= 1 << UInt32(index)
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

        // 6. Numbers, in the field table's order.
        guard let from = Self.number(record[.from]) else { return .badNumber(.from) }
        guard let to = Self.number(record[.to]) else { return .badNumber(.to) }
        guard let position = Self.number(record[.position]) else { return .badNumber(.position) }
        guard let duration = Self.number(record[.duration]) else { return .badNumber(.duration) }
        guard let season = Self.wholeNumber(record[.season]) else { return .badNumber(.season) }
        guard let episode = Self.wholeNumber(record[.episode]) else { return .badNumber(.episode) }
        event.from = from
        event.to = to
        event.position = position
        event.duration = duration
        event.season = season
        event.episode = episode

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

    /// A value's trimmed text; empty when absent.
    @inline(__always)
    static func text(_ value: RawValue) -> UnsafeRawBufferPointer {
        value.kind == .absent ? ValidEvent.empty : TextCheck.trimmed(value.bytes)
    }

    /// NaN when absent, nil when present but not a finite number.
    @inline(__always)
    package static func number(_ value: RawValue) -> Double? {
        switch value.kind {
        case .absent: return .nan
        case .text, .number:
            let text = TextCheck.trimmed(value.bytes)
            if text.isEmpty { return .nan }
            if let simple = simpleDecimal(text) { return simple }
            guard let number = DecimalNumber(text) else { return nil }
            let double = number.doubleValue
            return double.isFinite ? double : nil
        case .boolean, .object, .array:
            return nil
        }
    }

    /// The common shape `[-+]digits[.digits]` with at most 15 significant
    /// digits, converted in one pass; nil for anything else, which takes
    /// the general path (that one also rejects what is not a number).
    @inline(__always)
    static func simpleDecimal(_ text: UnsafeRawBufferPointer) -> Double? {
        guard let base = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let count = text.count
        var index = 0
        var negative = false
        if base[0] == UInt8(ascii: "-") || base[0] == UInt8(ascii: "+") {
            negative = base[0] == UInt8(ascii: "-")
            index = 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        // The point's offset, or `count` without one: the digits after it
        // are counted once at the end, not with a branch at every digit.
        var point = count
        let firstDigit = index
        while index < count {
            let byte = base[index]
            let digit = byte &- 0x30
            if digit < 10 {
                mantissa = mantissa &* 10 &+ UInt64(digit)
                digits &+= 1
            } else if byte == UInt8(ascii: ".") && point == count && index > firstDigit {
                point = index
            } else {
                return nil
            }
            index &+= 1
        }
        let fractionDigits = point == count ? 0 : count &- point &- 1
        let seenPoint = point != count
        // Digits on both sides of a point, and few enough to be exact.
        guard digits > 0, digits <= 15, !seenPoint || fractionDigits > 0 else { return nil }
        var value = Double(mantissa)
        if fractionDigits > 0 { value /= exactPowersOfTen[fractionDigits] }
        return negative && value != 0 ? -value : value
    }

    private static let exactPowersOfTen: [Double] = [
        1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ]

    /// -1 when absent, nil when not a whole number from 0 to 2147483647.
    @inline(__always)
    package static func wholeNumber(_ value: RawValue) -> Int32? {
        guard let number = number(value) else { return nil }
        if number.isNaN { return -1 }
        guard number >= 0 && number <= 2_147_483_647 && number == number.rounded(.towardZero) else { return nil }
        return Int32(number)
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
