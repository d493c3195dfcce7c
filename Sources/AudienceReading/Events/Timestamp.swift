/// Parses `ts` values into Unix milliseconds.
///
/// Accepted forms: ISO-8601 `YYYY-MM-DDTHH:MM:SS[.f+](Z|±hh:mm)` with a real
/// calendar date and time, or a number of Unix seconds (milliseconds when
/// above 100000000000). Fractions are rounded to the millisecond, half away
/// from zero, on the decimal digits. The result must lie in
/// [2000-01-01T00:00:00Z, 2100-01-01T00:00:00Z).
public enum Timestamp {
    package static let windowStart: Int64 = 946_684_800_000
    package static let windowEnd: Int64 = 4_102_444_800_000
    package static let millisecondThreshold: Int64 = 100_000_000_000

    package enum Problem: Error, Equatable {
        case unparseable
        case notACalendarTime
        case outsideWindow
    }

    package static func parse(_ text: UnsafeRawBufferPointer) -> Result<Int64, Problem> {
        let milliseconds: Int64
        if let iso = parseISOMillisecondsZ(text) {
            switch iso {
            case .failure(let problem): return .failure(problem)
            case .success(let value): milliseconds = value
            }
        } else if let simple = simpleNumber(text) {
            milliseconds = simple
        } else if let iso = parseISO(text) {
            switch iso {
            case .failure(let problem): return .failure(problem)
            case .success(let value): milliseconds = value
            }
        } else if let number = DecimalNumber(text) {
            guard let value = number.isAbove(millisecondThreshold)
                ? number.rounded(scaledBy: 0) : number.rounded(scaledBy: 3)
            else { return .failure(.outsideWindow) }
            milliseconds = value
        } else {
            return .failure(.unparseable)
        }
        guard milliseconds >= windowStart && milliseconds < windowEnd else { return .failure(.outsideWindow) }
        return .success(milliseconds)
    }

    /// The common numeric shape, `digits[.digits]` with at most 13 digits
    /// before the point, in milliseconds, rounded half away from zero on
    /// the fourth fraction digit; nil for anything else (the general path).
    @inline(__always)
    private static func simpleNumber(_ text: UnsafeRawBufferPointer) -> Int64? {
        var whole: Int64 = 0
        var index = 0
        let count = text.count
        while index < count, text[index] &- 0x30 < 10 {
            whole = whole * 10 + Int64(text[index] &- 0x30)
            index += 1
            if index > 13 { return nil }
        }
        guard index > 0 else { return nil }
        var fraction: Int64 = 0
        var roundUp = false
        if index < count {
            guard text[index] == UInt8(ascii: "."), index + 1 < count else { return nil }
            index += 1
            var digits = 0
            while index < count {
                let digit = text[index] &- 0x30
                guard digit < 10 else { return nil }
                if digits < 3 { fraction = fraction * 10 + Int64(digit) } else if digits == 3 { roundUp = digit >= 5 }
                digits += 1
                index += 1
            }
            for _ in digits..<max(digits, 3) { fraction *= 10 }
        }
        // Above 100000000000 the number is already in milliseconds.
        if whole > millisecondThreshold || (whole == millisecondThreshold && (fraction > 0 || roundUp)) {
            var rounded = whole
            if fraction >= 500 { rounded += 1 }
            return rounded
        }
        return whole * 1000 + fraction + (roundUp ? 1 : 0)
    }

    /// nil when the text does not have the ISO shape at all (it may still
    /// be a number); a failure when it has the shape but is not a real time.
    private static func parseISO(_ text: UnsafeRawBufferPointer) -> Result<Int64, Problem>? {
        let count = text.count
        guard count >= 20, text[4] == UInt8(ascii: "-") else { return nil }
        @inline(__always) func digits(_ at: Int, _ length: Int) -> Int? {
            var value = 0
            for i in at..<(at + length) {
                let d = text[i] &- 0x30
                guard d < 10 else { return nil }
                value = value * 10 + Int(d)
            }
            return value
        }
        guard let year = digits(0, 4), text[4] == UInt8(ascii: "-"),
              let month = digits(5, 2), text[7] == UInt8(ascii: "-"),
              let day = digits(8, 2), text[10] == UInt8(ascii: "T"),
              let hour = digits(11, 2), text[13] == UInt8(ascii: ":"),
              let minute = digits(14, 2), text[16] == UInt8(ascii: ":"),
              let second = digits(17, 2)
        else { return .failure(.unparseable) }
        var index = 19
        var fractionMillis = 0
        if index < count && text[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < count && text[index] &- 0x30 < 10 { index += 1 }
            let fractionDigits = index - fractionStart
            guard fractionDigits > 0 else { return .failure(.unparseable) }
            for i in 0..<3 {
                fractionMillis = fractionMillis * 10 + (i < fractionDigits ? Int(text[fractionStart + i] &- 0x30) : 0)
            }
            if fractionDigits > 3 && text[fractionStart + 3] &- 0x30 >= 5 { fractionMillis += 1 }
        }
        guard index < count else { return .failure(.unparseable) }
        var offsetMinutes = 0
        if text[index] == UInt8(ascii: "Z") {
            index += 1
        } else if text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
            guard index + 6 == count, let hours = digits(index + 1, 2), text[index + 3] == UInt8(ascii: ":"),
                  let minutes = digits(index + 4, 2)
            else { return .failure(.unparseable) }
            guard hours <= 23 && minutes <= 59 else { return .failure(.notACalendarTime) }
            offsetMinutes = (hours * 60 + minutes) * (text[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        } else {
            return .failure(.unparseable)
        }
        guard index == count else { return .failure(.unparseable) }
        return civil(year, month, day, hour, minute, second, fractionMillis, offsetMinutes: offsetMinutes)
    }

    /// The usual form, `YYYY-MM-DDTHH:MM:SS.sssZ`, at fixed offsets: one
    /// check for all seventeen digits instead of one per field; nil for
    /// any other text (the general path decides it).
    @inline(__always)
    private static func parseISOMillisecondsZ(_ text: UnsafeRawBufferPointer) -> Result<Int64, Problem>? {
        guard text.count == 24, let base = text.baseAddress?.assumingMemoryBound(to: UInt8.self),
              base[4] == UInt8(ascii: "-"), base[7] == UInt8(ascii: "-"), base[10] == UInt8(ascii: "T"),
              base[13] == UInt8(ascii: ":"), base[16] == UInt8(ascii: ":"), base[19] == UInt8(ascii: "."),
              base[23] == UInt8(ascii: "Z")
        else { return nil }
        var notDigit: UInt8 = 0
        @inline(__always) func digit(_ at: Int) -> Int {
            let d = base[at] &- 0x30
            notDigit |= d > 9 ? 1 : 0
            return Int(d)
        }
        let year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3)
        let month = digit(5) * 10 + digit(6)
        let day = digit(8) * 10 + digit(9)
        let hour = digit(11) * 10 + digit(12)
        let minute = digit(14) * 10 + digit(15)
        let second = digit(17) * 10 + digit(18)
        let millis = digit(20) * 100 + digit(21) * 10 + digit(22)
        guard notDigit == 0 else { return nil }
        return civil(year, month, day, hour, minute, second, millis, offsetMinutes: 0)
    }

    /// Unix milliseconds of a civil time at an offset from UTC, or
    /// `notACalendarTime`.
    @inline(__always)
    private static func civil(
        _ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int, _ millis: Int,
        offsetMinutes: Int
    ) -> Result<Int64, Problem> {
        guard month >= 1 && month <= 12, day >= 1 && day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 59
        else { return .failure(.notACalendarTime) }
        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetMinutes * 60)
        return .success(seconds * 1000 + Int64(millis))
    }

    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date
    /// (Howard Hinnant's `days_from_civil`).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Days from 1970-01-01 of a real date written `YYYY-MM-DD` (four-digit
    /// year, two-digit month and day, as options and tables write days);
    /// nil for any other text.
    public static func day(written text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D else { return nil }
        func digits(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard bytes[index] >= 0x30 && bytes[index] <= 0x39 else { return nil }
                value = value * 10 + Int(bytes[index] - 0x30)
            }
            return value
        }
        guard let year = digits(0..<4), let month = digits(5..<7), let day = digits(8..<10),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        return daysFromCivil(year: year, month: month, day: day)
    }

    /// The civil date of a day count from 1970-01-01 (`civil_from_days`).
    package static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
