#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AudienceReading

extension FuzzTarget {
    /// The input as a numeric field, a `season` and a `ts`, each against
    /// a reference: `strtod` for values, exact decimal arithmetic on the
    /// digits for timestamps, a plain calendar for ISO-8601.
    static func checkNumbers(_ bytes: [UInt8]) -> String? {
        let trimmed = bytes.withUnsafeBytes { Array(TextCheck.trimmed($0)) }
        let decimal = ReferenceDecimal(trimmed)
        let number = bytes.withUnsafeBytes { EventValidator.number(AudienceReading.RawValue(kind: .text, bytes: $0)) }
        if trimmed.isEmpty {
            if number.map({ !$0.isNaN }) ?? true { return "an empty value is not absent: \(String(describing: number))" }
        } else if let decimal {
            let expected = decimal.strtodValue
            if expected.isFinite {
                guard let number, number == expected, number != 0 || number.sign == .plus else {
                    return "number \(String(describing: number)), strtod says \(expected)"
                }
            } else if number != nil {
                return "number \(String(describing: number)) for a value that overflows"
            }
            let general = trimmed.withUnsafeBytes { DecimalNumber($0)?.doubleValue }
            if general.map({ $0 != expected || ($0 == 0 && $0.sign == .minus) }) ?? true {
                return "DecimalNumber \(String(describing: general)), strtod says \(expected)"
            }
            let whole = bytes.withUnsafeBytes { EventValidator.wholeNumber(AudienceReading.RawValue(kind: .text, bytes: $0)) }
            let isWhole = expected >= 0 && expected <= 2_147_483_647 && expected.rounded(.towardZero) == expected
            if (whole != nil) != isWhole || (isWhole && Double(whole ?? -1) != expected) {
                return "wholeNumber \(String(describing: whole)) for \(expected)"
            }
        } else if number != nil {
            return "number \(String(describing: number)) for text that is not a decimal"
        }
        let found = trimmed.withUnsafeBytes { text -> Int64? in
            guard case .success(let milliseconds) = Timestamp.parse(text) else { return nil }
            return milliseconds
        }
        let expected = decimal.map { $0.timestampMilliseconds } ?? ReferenceISOTime(trimmed)?.milliseconds
        if found != expected {
            return "ts parsed as \(String(describing: found)), the reference says \(String(describing: expected))"
        }
        return nil
    }
}

/// A decimal in the contract's grammar, `[+-]digits[.digits][(e|E)[+-]digits]`,
/// kept as its digits: value = 0.d1d2d3... × 10^point (digits without
/// leading zeros).
struct ReferenceDecimal {
    var negative = false
    var digits: [UInt8] = []
    var point = 0
    var text: [UInt8]

    init?(_ text: [UInt8]) {
        self.text = text
        var index = 0
        if index < text.count && (text[index] == 0x2B || text[index] == 0x2D) {
            negative = text[index] == 0x2D
            index += 1
        }
        func run() -> [UInt8] {
            let start = index
            while index < text.count && text[index] >= 0x30 && text[index] <= 0x39 { index += 1 }
            return text[start..<index].map { $0 - 0x30 }
        }
        let integer = run()
        guard !integer.isEmpty else { return nil }
        var fraction: [UInt8] = []
        if index < text.count && text[index] == 0x2E {
            index += 1
            fraction = run()
            guard !fraction.isEmpty else { return nil }
        }
        var exponent = 0
        if index < text.count && (text[index] == 0x65 || text[index] == 0x45) {
            index += 1
            var sign = 1
            if index < text.count && (text[index] == 0x2B || text[index] == 0x2D) {
                sign = text[index] == 0x2D ? -1 : 1
                index += 1
            }
            let digits = run()
            guard !digits.isEmpty else { return nil }
            for digit in digits { exponent = min(exponent * 10 + Int(digit), 1_000_000_000) }
            exponent *= sign
        }
        guard index == text.count else { return nil }
        digits = integer + fraction
        point = integer.count + exponent
        while digits.first == 0 {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == 0 { digits.removeLast() }
    }

    var strtodValue: Double {
        let value = (text + [0]).withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { strtod($0, nil) }
        }
        return value == 0 ? 0 : value
    }

    /// The digits standing before the point once it moves `scale` places
    /// right, as an integer; nil from 10^17 on.
    private func whole(_ scale: Int) -> Int64? {
        let end = point + scale
        if end > 17 { return digits.isEmpty ? 0 : nil }
        var value: Int64 = 0
        for index in 0..<max(end, 0) { value = value * 10 + Int64(index < digits.count ? digits[index] : 0) }
        return value
    }

    private func digit(afterPointScaledBy scale: Int) -> UInt8 {
        let at = point + scale
        return at >= 0 && at < digits.count ? digits[at] : 0
    }

    /// As a `ts`: seconds, or milliseconds above 100000000000, rounded half
    /// away from zero on the digits; nil outside the window.
    var timestampMilliseconds: Int64? {
        let threshold = Timestamp.millisecondThreshold
        let wholeSeconds = whole(0)
        let above = !negative && !digits.isEmpty
            && (wholeSeconds.map { $0 > threshold || ($0 == threshold && digits.count > point) } ?? true)
        let scale = above ? 0 : 3
        guard let magnitude = whole(scale) else { return nil }
        let rounded = magnitude + (digit(afterPointScaledBy: scale) >= 5 ? 1 : 0)
        let milliseconds = negative ? -rounded : rounded
        return milliseconds >= Timestamp.windowStart && milliseconds < Timestamp.windowEnd ? milliseconds : nil
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f+](Z|±hh:mm)` read field by field, with a plain
/// proleptic Gregorian calendar.
struct ReferenceISOTime {
    var milliseconds: Int64?

    init?(_ text: [UInt8]) {
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= text.count, text[range].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            return text[range].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        func byte(_ at: Int, _ expected: Character) -> Bool { at < text.count && text[at] == expected.asciiValue }
        guard text.count >= 20, byte(4, "-") else { return nil }
        guard let year = number(0..<4), let month = number(5..<7), byte(7, "-"), let day = number(8..<10),
              byte(10, "T"), let hour = number(11..<13), byte(13, ":"), let minute = number(14..<16),
              byte(16, ":"), let second = number(17..<19)
        else { return }
        var index = 19
        var fraction: [Int] = []
        if byte(index, ".") {
            index += 1
            while let digit = number(index..<(index + 1)) {
                fraction.append(digit)
                index += 1
            }
            guard !fraction.isEmpty else { return }
        }
        var offset = 0
        if byte(index, "Z") {
            index += 1
        } else if byte(index, "+") || byte(index, "-") {
            guard let hours = number((index + 1)..<(index + 3)), byte(index + 3, ":"),
                  let minutes = number((index + 4)..<(index + 6)), hours <= 23, minutes <= 59
            else { return }
            offset = (hours * 60 + minutes) * (byte(index, "-") ? -1 : 1)
            index += 6
        } else {
            return
        }
        guard index == text.count else { return }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), day >= 1, day <= monthDays[month - 1], hour <= 23, minute <= 59, second <= 59
        else { return }
        var days = 0
        if year >= 1970 {
            for y in 1970..<year { days += y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 366 : 365 }
        } else {
            for y in year..<1970 { days -= y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 366 : 365 }
        }
        days += monthDays[0..<(month - 1)].reduce(0, +) + day - 1
        var millis = 0
        for place in 0..<3 { millis = millis * 10 + (place < fraction.count ? fraction[place] : 0) }
        if fraction.count > 3 && fraction[3] >= 5 { millis += 1 }
        let total = Int64(((days * 24 + hour) * 60 + minute - offset) * 60 + second) * 1000 + Int64(millis)
        if total >= Timestamp.windowStart && total < Timestamp.windowEnd { milliseconds = total }
    }
}
