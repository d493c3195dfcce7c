/// Numbers as chart text, written digit by digit: the same bytes on every
/// machine and locale, never an exponent, never "-0".
package enum ChartNumber {
    /// A coordinate or length in the SVG, to at most 2 decimals.
    ///
    /// Clamped to ±1,000,000 px: far outside any viewBox, yet far inside
    /// `Int`, so the conversion below cannot trap.
    static func coordinate(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let clamped = min(max(value, -1_000_000), 1_000_000)
        let hundredths = Int((clamped * 100).rounded(.toNearestOrAwayFromZero))
        return fixedPoint(hundredths, decimals: 2, trimsZeros: true, grouped: false)
    }

    /// `units × 10^-decimals` in decimal, a negative `decimals` adding
    /// zeros: `fixedPoint(12345, decimals: 2)` is "123.45",
    /// `fixedPoint(5, decimals: -3)` is "5,000".
    package static func fixedPoint(_ units: Int, decimals: Int, trimsZeros: Bool = false, grouped: Bool = true) -> String {
        var digits = String(units.magnitude)
        if decimals < 0 && units != 0 {
            digits += String(repeating: "0", count: -decimals)
        } else if digits.count <= decimals {
            digits = String(repeating: "0", count: decimals + 1 - digits.count) + digits
        }
        let places = max(0, decimals)
        var whole = String(digits.dropLast(places))
        var fraction = String(digits.suffix(places))
        if trimsZeros {
            while fraction.last == "0" { fraction.removeLast() }
        }
        if grouped { whole = groupedThousands(whole) }
        // `units` is non-zero whenever it is negative, so this is never "-0".
        let sign = units < 0 ? "-" : ""
        return fraction.isEmpty ? sign + whole : sign + whole + "." + fraction
    }

    /// `value` rounded half away from zero to `decimals` places, with
    /// thousands separators.
    package static func decimal(_ value: Double, decimals: Int, trimsZeros: Bool = true) -> String {
        guard value.isFinite else { return "" }
        // Below 2^53 every integer is exact, so the scaled value fits `Int`
        // and rounds as decimal arithmetic would; give up decimals to stay there.
        var places = max(0, decimals)
        while places > 0 && abs(value * powerOfTen(places)) >= 9e15 { places -= 1 }
        let scaled = value * powerOfTen(places)
        if abs(scaled) < 9e15 {
            return fixedPoint(Int(scaled.rounded(.toNearestOrAwayFromZero)), decimals: places, trimsZeros: trimsZeros)
        }
        return wholeNumber(value)
    }

    /// A double of at least 9e15 in magnitude (an integer) in plain digits,
    /// from Swift's shortest round-trip description with its exponent undone.
    private static func wholeNumber(_ value: Double) -> String {
        let description = value.magnitude.description
        let parts = description.split(separator: "e", maxSplits: 1)
        let mantissa = parts.first.map(String.init) ?? ""
        let exponent = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
        let point = mantissa.firstIndex(of: ".")
        let wholeDigits = point.map { String(mantissa[..<$0]) } ?? mantissa
        var fractionDigits = point.map { String(mantissa[mantissa.index(after: $0)...]) } ?? ""
        if parts.count == 1 { fractionDigits = "" }  // "9000000000000000.0"
        var digits = wholeDigits + fractionDigits
        let zeros = exponent - fractionDigits.count
        if zeros >= 0 {
            digits += String(repeating: "0", count: zeros)
        } else {
            digits = String(digits.dropLast(-zeros))
        }
        while digits.count > 1 && digits.first == "0" { digits.removeFirst() }
        return (value < 0 ? "-" : "") + groupedThousands(digits)
    }

    /// "1234567" as "1,234,567".
    static func groupedThousands(_ digits: String) -> String {
        guard digits.count > 3 else { return digits }
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }

    /// 10^exponent: exact up to 10^22 (so `n / 10^k` is the double nearest
    /// the decimal for the exponents charts use), a few ulps off beyond.
    static func powerOfTen(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<min(abs(exponent), 400) { result *= 10 }
        return exponent < 0 ? 1 / result : result
    }

    /// Hours as "1 h 05 min" below 100 hours, "1,234 h" from 100 on, "45 min"
    /// below one: the report's way to write watch time, in its tables and
    /// its charts alike.
    package static func hoursAndMinutes(_ hours: Double) -> String {
        guard hours.isFinite else { return "" }
        let space = "\u{00A0}"
        if hours >= 100 || hours <= -100 { return decimal(hours, decimals: 0) + space + "h" }
        let minutes = Int((hours * 60).rounded(.toNearestOrAwayFromZero))
        if abs(minutes) < 60 { return "\(minutes)" + space + "min" }
        let sign = minutes < 0 ? "-" : ""
        return sign + "\(abs(minutes) / 60)" + space + "h" + space + pad(abs(minutes) % 60, 2) + space + "min"
    }

    /// A position on a title's clock: "m:ss" below an hour, "h:mm:ss" from
    /// one hour on; whole seconds, rounded half up. Empty when not finite
    /// or beyond a million hours.
    package static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, abs(seconds) < 3.6e9 else { return "" }
        let whole = Int(abs(seconds).rounded(.toNearestOrAwayFromZero))
        let sign = seconds < 0 && whole > 0 ? "-" : ""
        if whole < 3600 { return sign + "\(whole / 60):" + pad(whole % 60, 2) }
        return sign + "\(whole / 3600):" + pad(whole / 60 % 60, 2) + ":" + pad(whole % 60, 2)
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// A day (days since 1970-01-01) as "Nov 3".
    static func dayLabel(_ day: Int) -> String {
        let (month, dayOfMonth) = monthAndDay(day)
        return monthNames[max(0, min(11, month - 1))] + "\u{00A0}" + String(dayOfMonth)
    }

    /// The month (1...12) and day of the month of a day since 1970-01-01
    /// in the proleptic Gregorian calendar (Howard Hinnant's
    /// `civil_from_days`). The engine's `Timestamp` has the same algorithm;
    /// the charts keep their own copy so that they depend on nothing else.
    static func monthAndDay(_ days: Int) -> (month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        return (mp < 10 ? mp + 3 : mp - 9, dayOfYear - (153 * mp + 2) / 5 + 1)
    }

    /// `value` in decimal, zero-padded on the left to `width` digits.
    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
