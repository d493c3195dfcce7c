/// Turns a rejection into the words of `rejects.csv`. Runs only for sampled
/// lines, so it may allocate.
enum RejectDescription {
    static let textLimit = 200
    static let valueLimit = 40

    static func detail(_ detail: RejectDetail, record: borrowing RawRecord) -> String {
        switch detail {
        case .malformed(let malformation):
            return malformation.description
        case .missingFields(let mask):
            let names = Field.required.filter { mask & (1 << UInt32($0.rawValue)) != 0 }.map(\.name)
            return "missing " + names.joined(separator: ", ")
        case .unknownEvent:
            return "event \(quoted(record[.event])) is not one of "
                + EventKind.allCases.map(\.name).joined(separator: ", ")
        case .badTimestamp(let problem):
            let value = quoted(record[.ts])
            switch problem {
            case .unparseable:
                return "ts \(value) is neither ISO-8601 with a zone nor Unix seconds or milliseconds"
            case .notACalendarTime:
                return "ts \(value) is not a real date and time"
            case .outsideWindow:
                return "ts \(value) is outside 2000-01-01T00:00:00Z to 2100-01-01T00:00:00Z"
            }
        case .badNumber(let field):
            let value = quoted(record[field])
            if field == .season || field == .episode {
                return "\(field.name) \(value) is not a whole number from 0 to 2147483647"
            }
            return "\(field.name) \(value) is not a finite number"
        case .badSegment(let problem):
            switch problem {
            case .missingBound(let field):
                return "\(EventValidator.text(record[.event]).string) without \(field.name)"
            case .negative(let field):
                return "\(field.name) \(quoted(record[field])) is negative"
            case .toBeforeFrom:
                return "progress with to \(quoted(record[.to])) before from \(quoted(record[.from]))"
            case .durationNotPositive:
                return "duration \(quoted(record[.duration])) is not greater than 0"
            }
        }
    }

    /// A value as written, shortened, in double quotes.
    static func quoted(_ value: RawValue) -> String {
        switch value.kind {
        case .absent: return "(absent)"
        case .boolean, .object, .array, .number, .text:
            let bytes = value.bytes
            let cut = utf8Prefix(bytes, limit: valueLimit)
            return "\"" + cut.string + (cut.count < bytes.count ? "…" : "") + "\""
        }
    }

    /// The line's first bytes as text.
    static func text(of line: UnsafeRawBufferPointer) -> String {
        utf8Prefix(line, limit: textLimit).string.replacingControls()
    }

    /// At most `limit` bytes, not cutting a UTF-8 sequence in two.
    static func utf8Prefix(_ bytes: UnsafeRawBufferPointer, limit: Int) -> UnsafeRawBufferPointer {
        guard bytes.count > limit else { return bytes }
        var end = limit
        // Step back over continuation bytes to the start of the cut sequence.
        while end > 0 && bytes[end] & 0xC0 == 0x80 && limit - end < 3 { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[0..<end])
    }
}

extension UnsafeRawBufferPointer {
    /// The bytes as text; invalid UTF-8 becomes U+FFFD.
    var string: String { String(decoding: self, as: UTF8.self) }
}

extension String {
    /// Control characters (but the tab) as their Control Pictures (`␀`,
    /// `␛`, `␡`), C1 controls as U+FFFD: a sample line shown in a terminal or
    /// a spreadsheet cannot move the cursor, change colours or hide text.
    public func replacingControls() -> String {
        guard utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F || $0 == 0xC2 }) else { return self }
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            switch scalar.value {
            case 0x09: out.append(scalar)
            case 0..<0x20: out.append(Unicode.Scalar(0x2400 + scalar.value) ?? "\u{FFFD}")
            case 0x7F: out.append("\u{2421}")
            case 0x80...0x9F: out.append("\u{FFFD}")
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
