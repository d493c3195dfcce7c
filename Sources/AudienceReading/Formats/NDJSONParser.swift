#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CSystemShims

/// Parses one NDJSON line as a strict JSON object (RFC 8259) and collects
/// the known fields into a `RawRecord`; other keys are validated and skipped.
///
/// Works on bytes. Strings without escapes are referenced in place; escaped
/// strings are decoded into `scratch`, which holds at least the line's length
/// so references into it stay valid for the whole line. Nested values are
/// walked with an explicit stack, so depth costs memory, never call stack.
struct NDJSONParser: ~Copyable {
    private var scratch: UnsafeMutableRawBufferPointer
    private var scratchUsed = 0
    /// Open containers while skipping a nested value: `{` or `[`.
    private var containers: [UInt8] = []
    /// A local copy, so the hot loop does not go through a lazy global.
    private let fieldKeys = Field.keyTable

    init() {
        scratch = .allocate(byteCount: 4096, alignment: 8)
    }

    deinit { scratch.deallocate() }

    /// Fills `record` (reset first) from `line`; `nil` when the line is a
    /// valid object. The line must already be checked for UTF-8.
    mutating func parse(_ line: UnsafeRawBufferPointer, into record: borrowing RawRecord) -> Malformation? {
        record.reset()
        guard let base = line.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return .invalidJSON(offset: 0, problem: "empty line")
        }
        if scratch.count < line.count {
            scratch.deallocate()
            scratch = .allocate(byteCount: max(line.count, scratch.count * 2), alignment: 8)
        }
        scratchUsed = 0
        var cursor = Cursor(base: base, count: line.count)
        return parseObject(&cursor, record)
    }

    // MARK: - Grammar

    /// Invariant: `0 <= index <= count + 16`, and a line is far shorter than
    /// `Int.max`, so moving the index wraps (`&+=`) without overflow checks.
    private struct Cursor {
        let base: UnsafePointer<UInt8>
        let count: Int
        var index = 0

        @inline(__always) var atEnd: Bool { index >= count }
        /// The current byte, or 0 at the end (NUL never occurs in valid JSON text).
        @inline(__always) var byte: UInt8 { index < count ? base[index] : 0 }

        @inline(__always) mutating func skipWhitespace() {
            // Compact JSON has none: one comparison settles the common case.
            if index < count && base[index] > 0x20 { return }
            while index < count {
                let b = base[index]
                guard b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D else { return }
                index &+= 1
            }
        }

        func bytes(_ start: Int, _ end: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: base + start, count: end - start)
        }
    }

    private mutating func parseObject(_ c: inout Cursor, _ record: borrowing RawRecord) -> Malformation? {
        c.skipWhitespace()
        guard c.byte == UInt8(ascii: "{") else {
            return .invalidJSON(offset: c.index, problem: "not a JSON object")
        }
        c.index &+= 1
        c.skipWhitespace()
        if c.byte == UInt8(ascii: "}") {
            c.index &+= 1
        } else {
            var key = UnsafeRawBufferPointer(start: nil, count: 0)
            var value = RawValue.absent
            guard c.byte == UInt8(ascii: "\"") else {
                return .invalidJSON(offset: c.index, problem: "expected a key in quotes")
            }
            // Each turn starts at a key's opening quote.
            while true {
                // The field the key names (-1: none): short keys without
                // escapes, whatever their order, cost two loads and a lookup.
                var slot = shortKeySlot(&c)
                if slot == Self.longKey {
                    if let problem = scanString(&c, into: &key) { return problem }
                    slot = key.count <= 16 ? fieldKeys.lookup(PackedKey(key)) : -1
                }
                // Compact JSON: the colon right after the key and the value
                // right after it, settled by one load of two bytes.
                let byte: UInt8
                if c.index &+ 2 <= c.count,
                   case let two = UnsafeRawPointer(c.base + c.index).loadUnaligned(as: UInt16.self),
                   UInt8(truncatingIfNeeded: two) == UInt8(ascii: ":"), two >> 8 > 0x20 {
                    c.index &+= 1
                    byte = UInt8(truncatingIfNeeded: two >> 8)
                } else {
                    c.skipWhitespace()
                    guard c.byte == UInt8(ascii: ":") else {
                        return .invalidJSON(offset: c.index, problem: "expected ':' after a key")
                    }
                    c.index &+= 1
                    c.skipWhitespace()
                    byte = c.byte
                }
                // The last occurrence of a key wins, `null` included. Plain
                // strings and numbers, nearly every value, go to the record
                // from registers: a value built in memory by a scanner and
                // then copied whole made the copy wait on the two halves
                // just stored (a store-forwarding stall, a fifth of this
                // loop's time).
                let start = c.index
                if byte == UInt8(ascii: "\""), let end = plainStringEnd(&c) {
                    if slot >= 0 { record[Field(slot: slot)] = RawValue(kind: .text, bytes: c.bytes(start &+ 1, end)) }
                } else if byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: "-") {
                    guard scanNumber(&c) else { return .invalidJSON(offset: c.index, problem: "invalid number") }
                    if slot >= 0 { record[Field(slot: slot)] = RawValue(kind: .number, bytes: c.bytes(start, c.index)) }
                } else {
                    if let problem = scanValue(&c, into: &value) { return problem }
                    if slot >= 0 { record[Field(slot: slot)] = value }
                }
                // Compact JSON again: a comma, then the next key's quote.
                if c.index &+ 2 <= c.count
                    && UnsafeRawPointer(c.base + c.index).loadUnaligned(as: UInt16.self)
                        == UInt16(UInt8(ascii: ",")) | UInt16(UInt8(ascii: "\"")) << 8 {
                    c.index &+= 1
                    continue
                }
                c.skipWhitespace()
                let separator = c.byte
                c.index &+= 1
                if separator == UInt8(ascii: "}") { break }
                guard separator == UInt8(ascii: ",") else {
                    return .invalidJSON(offset: c.index - 1, problem: "expected ',' or '}'")
                }
                c.skipWhitespace()
                guard c.byte == UInt8(ascii: "\"") else {
                    return .invalidJSON(offset: c.index, problem: "expected a key in quotes")
                }
            }
        }
        c.skipWhitespace()
        guard c.atEnd else {
            return .invalidJSON(offset: c.index, problem: "text after the object")
        }
        return nil
    }

    /// Scans one value at the cursor. Known fields only need scalars; nested
    /// values are validated and reported by kind.
    @inline(__always)
    private mutating func scanValue(_ c: inout Cursor, into value: inout RawValue) -> Malformation? {
        let start = c.index
        switch c.byte {
        case UInt8(ascii: "\""):
            value.kind = .text
            return scanString(&c, into: &value.bytes)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard scanNumber(&c) else { return .invalidJSON(offset: c.index, problem: "invalid number") }
            value = RawValue(kind: .number, bytes: c.bytes(start, c.index))
            return nil
        case UInt8(ascii: "t"):
            value = RawValue(kind: .boolean, bytes: c.bytes(start, start))
            return scanLiteral(&c, "true", into: &value)
        case UInt8(ascii: "f"):
            value = RawValue(kind: .boolean, bytes: c.bytes(start, start))
            return scanLiteral(&c, "false", into: &value)
        case UInt8(ascii: "n"):
            value = .absent
            return scanLiteral(&c, "null", into: &value)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let kind: RawValue.Kind = c.byte == UInt8(ascii: "{") ? .object : .array
            if let problem = skipContainer(&c) { return problem }
            value = RawValue(kind: kind, bytes: c.bytes(start, c.index))
            return nil
        default:
            return .invalidJSON(offset: c.index, problem: "expected a value")
        }
    }

    private func scanLiteral(_ c: inout Cursor, _ word: StaticString, into value: inout RawValue) -> Malformation? {
        let count = word.utf8CodeUnitCount
        guard c.index + count <= c.count,
              memcmp(c.base + c.index, word.utf8Start, count) == 0
        else { return .invalidJSON(offset: c.index, problem: "invalid literal") }
        if value.kind != .absent { value.bytes = c.bytes(c.index, c.index + count) }
        c.index &+= count
        return nil
    }

    /// JSON's number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    @inline(__always)
    private func scanNumber(_ c: inout Cursor) -> Bool {
        @inline(__always) func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
        if c.byte == UInt8(ascii: "-") { c.index &+= 1 }
        if c.byte == UInt8(ascii: "0") {
            c.index &+= 1
        } else if isDigit(c.byte) {
            while isDigit(c.byte) { c.index &+= 1 }
        } else {
            return false
        }
        if c.byte == UInt8(ascii: ".") {
            c.index &+= 1
            guard isDigit(c.byte) else { return false }
            while isDigit(c.byte) { c.index &+= 1 }
        }
        if c.byte | 0x20 == UInt8(ascii: "e") {
            c.index &+= 1
            if c.byte == UInt8(ascii: "+") || c.byte == UInt8(ascii: "-") { c.index &+= 1 }
            guard isDigit(c.byte) else { return false }
            while isDigit(c.byte) { c.index &+= 1 }
        }
        return true
    }

    /// `shortKeySlot`'s answer for a key it leaves to the general path.
    private static let longKey = Int.min

    /// The field slot of the key whose opening quote is at the cursor (-1
    /// when it names no field), moving past its closing quote; `longKey`,
    /// cursor unmoved, when the key is not under 16 bytes without escapes
    /// or the line does not hold 16 bytes after the quote.
    @inline(__always)
    private func shortKeySlot(_ c: inout Cursor) -> Int {
        let start = c.index &+ 1
        guard start + 16 <= c.count else { return Self.longKey }
        let stops = audience_json_string_stops16(c.base + start)
        guard stops != 0 else { return Self.longKey }
        let length = stops.trailingZeroBitCount
        guard c.base[start + length] == UInt8(ascii: "\"") else { return Self.longKey }
        let low = UnsafeRawPointer(c.base + start).loadUnaligned(as: UInt64.self)
        let high = UnsafeRawPointer(c.base + start).loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        c.index = start + length + 1
        var key = PackedKey(count: length)
        // Zero-pad past the closing quote, as `PackedKey` packs, in
        // arithmetic rather than branches: keys come in any order, so
        // whether the next is shorter than eight bytes cannot be guessed.
        // `lowBytes` = min(length, 8); an empty key keeps the whole low
        // word (a shift by 64 masks to 0), but with a length of 0 it names
        // no field all the same.
        let over = length &- 8
        let lowBytes = 8 &+ (over & (over >> 63))
        key.low = low & (UInt64.max &>> UInt64(truncatingIfNeeded: (8 &- lowBytes) &* 8))
        key.high = high & ((1 &<< UInt64(truncatingIfNeeded: (length &- lowBytes) &* 8)) &- 1)
        return fieldKeys.lookup(key)
    }

    /// Flags quotes, backslashes and control characters in eight bytes. The
    /// lowest flag is exact (borrows only run upward), so it marks the first
    /// special byte.
    @inline(__always)
    private static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        return (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
            | ((word &- ones &* 0x20) & ~word)) & 0x8080_8080_8080_8080
    }

    /// The offset of the closing quote of the string whose opening quote is
    /// at the cursor, moving past it, when the string holds no escape and no
    /// control character; nil, cursor unmoved, otherwise (`scanString`
    /// decodes it, or names what is wrong).
    @inline(__always)
    private func plainStringEnd(_ c: inout Cursor) -> Int? {
        var index = c.index &+ 1
        while index &+ 16 <= c.count {
            let stops = audience_json_string_stops16(c.base + index)
            if stops != 0 {
                index &+= stops.trailingZeroBitCount
                guard c.base[index] == UInt8(ascii: "\"") else { return nil }
                c.index = index &+ 1
                return index
            }
            index &+= 16
        }
        while index < c.count {
            let b = c.base[index]
            if b == UInt8(ascii: "\"") {
                c.index = index &+ 1
                return index
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { return nil }
            index &+= 1
        }
        return nil
    }

    /// Scans a string at its opening quote into `text`, decoded.
    @inline(__always)
    private mutating func scanString(_ c: inout Cursor, into text: inout UnsafeRawBufferPointer) -> Malformation? {
        c.index &+= 1
        let start = c.index
        while true {
            if c.index &+ 16 <= c.count {
                // Sixteen bytes at a time, jumping to the first special byte.
                let stops = audience_json_string_stops16(c.base + c.index)
                if stops == 0 {
                    c.index &+= 16
                    continue
                }
                c.index &+= stops.trailingZeroBitCount
            } else if c.index &+ 8 <= c.count {
                let special = Self.specialBytes(UnsafeRawPointer(c.base + c.index).loadUnaligned(as: UInt64.self))
                if special == 0 {
                    c.index &+= 8
                    continue
                }
                c.index &+= special.trailingZeroBitCount >> 3
            } else {
                guard c.index < c.count else {
                    return .invalidJSON(offset: c.count, problem: "unterminated string")
                }
                let b = c.base[c.index]
                if b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") && b >= 0x20 {
                    c.index &+= 1
                    continue
                }
            }
            let b = c.base[c.index]
            if b == UInt8(ascii: "\"") {
                c.index &+= 1
                text = c.bytes(start, c.index - 1)
                return nil
            }
            if b == UInt8(ascii: "\\") { return decodeEscapedString(&c, from: start, into: &text) }
            return .invalidJSON(offset: c.index, problem: "control character in a string")
        }
    }

    /// Finishes a string that holds escapes, decoding it into `scratch`.
    private mutating func decodeEscapedString(
        _ c: inout Cursor, from start: Int, into text: inout UnsafeRawBufferPointer
    ) -> Malformation? {
        guard let scratchBase = scratch.baseAddress else { return .invalidJSON(offset: start, problem: "no memory") }
        let out = scratchBase.assumingMemoryBound(to: UInt8.self) + scratchUsed
        var written = c.index - start
        // Invariant: decoded output never outgrows its input, and `scratch`
        // holds at least the line's length, so `out` stays in bounds.
        out.update(from: c.base + start, count: written)
        while c.index < c.count {
            let b = c.base[c.index]
            if b == UInt8(ascii: "\"") {
                c.index &+= 1
                text = UnsafeRawBufferPointer(start: out, count: written)
                scratchUsed += written
                return nil
            }
            if b < 0x20 { return .invalidJSON(offset: c.index, problem: "control character in a string") }
            guard b == UInt8(ascii: "\\") else {
                out[written] = b
                written += 1
                c.index &+= 1
                continue
            }
            let escapeAt = c.index
            c.index &+= 1
            let decoded: UInt8
            switch c.byte {
            case UInt8(ascii: "\""): decoded = 0x22
            case UInt8(ascii: "\\"): decoded = 0x5C
            case UInt8(ascii: "/"): decoded = 0x2F
            case UInt8(ascii: "b"): decoded = 0x08
            case UInt8(ascii: "f"): decoded = 0x0C
            case UInt8(ascii: "n"): decoded = 0x0A
            case UInt8(ascii: "r"): decoded = 0x0D
            case UInt8(ascii: "t"): decoded = 0x09
            case UInt8(ascii: "u"):
                c.index &+= 1
                guard var scalar = hex4(c) else {
                    return .invalidJSON(offset: escapeAt, problem: "invalid \\u escape")
                }
                c.index &+= 4
                if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    return .invalidJSON(offset: escapeAt, problem: "lone surrogate escape")
                }
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    guard c.index + 1 < c.count, c.base[c.index] == UInt8(ascii: "\\"),
                          c.base[c.index + 1] == UInt8(ascii: "u")
                    else { return .invalidJSON(offset: escapeAt, problem: "lone surrogate escape") }
                    c.index &+= 2
                    guard let low = hex4(c), low >= 0xDC00 && low <= 0xDFFF else {
                        return .invalidJSON(offset: escapeAt, problem: "lone surrogate escape")
                    }
                    c.index &+= 4
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                // 6 or 12 escape bytes become at most 4 UTF-8 bytes.
                written += encodeUTF8(scalar, into: out + written)
                continue
            default:
                return .invalidJSON(offset: escapeAt, problem: "invalid escape")
            }
            out[written] = decoded
            written += 1
            c.index &+= 1
        }
        return .invalidJSON(offset: c.count, problem: "unterminated string")
    }

    private func hex4(_ c: Cursor) -> UInt32? {
        guard c.index + 4 <= c.count else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let b = c.base[c.index + offset]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - 0x30
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - 0x57
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - 0x37
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private func encodeUTF8(_ scalar: UInt32, into out: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            out[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            out[0] = UInt8(0xC0 | scalar >> 6)
            out[1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case 0x800..<0x10000:
            out[0] = UInt8(0xE0 | scalar >> 12)
            out[1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            out[0] = UInt8(0xF0 | scalar >> 18)
            out[1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            out[2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }

    /// Validates a nested object or array at the cursor and moves past it.
    /// - Complexity: O(length); depth is bounded only by the line.
    private mutating func skipContainer(_ c: inout Cursor) -> Malformation? {
        containers.removeAll(keepingCapacity: true)
        containers.append(c.byte)
        c.index &+= 1
        // Each turn starts right after an opening bracket or a value.
        var justOpened = true
        while let top = containers.last {
            c.skipWhitespace()
            let closing = top == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            if c.byte == closing {
                c.index &+= 1
                containers.removeLast()
                justOpened = false
                continue
            }
            if !justOpened {
                guard c.byte == UInt8(ascii: ",") else {
                    return .invalidJSON(offset: c.index, problem: "expected ',' or a closing bracket")
                }
                c.index &+= 1
                c.skipWhitespace()
            }
            if top == UInt8(ascii: "{") {
                guard c.byte == UInt8(ascii: "\"") else {
                    return .invalidJSON(offset: c.index, problem: "expected a key in quotes")
                }
                var ignored = UnsafeRawBufferPointer(start: nil, count: 0)
                if let problem = scanString(&c, into: &ignored) { return problem }
                c.skipWhitespace()
                guard c.byte == UInt8(ascii: ":") else {
                    return .invalidJSON(offset: c.index, problem: "expected ':' after a key")
                }
                c.index &+= 1
                c.skipWhitespace()
            }
            let next = c.byte
            if next == UInt8(ascii: "{") || next == UInt8(ascii: "[") {
                containers.append(next)
                c.index &+= 1
                justOpened = true
                continue
            }
            var ignored = RawValue.absent
            if let problem = scanValue(&c, into: &ignored) { return problem }
            justOpened = false
        }
        return nil
    }
}
