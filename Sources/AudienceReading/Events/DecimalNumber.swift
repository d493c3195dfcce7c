#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A decimal number as written: `[+-]digits[.digits][(e|E)[+-]digits]`.
///
/// This is the grammar of numbers held in strings and CSV/TSV fields (`01`
/// and `+5` are numbers; `.5`, `5.`, `NaN`, hex and `1,5` are not). Bare
/// JSON numbers were already checked against JSON's stricter grammar.
/// Keeps the digits so timestamps can be rounded on their decimal digits.
package struct DecimalNumber {
    var negative: Bool
    /// All digits, integer part then fraction, as written.
    var digits: UnsafeRawBufferPointer
    /// How many of `digits` stand before the decimal point.
    var integerDigits: Int
    /// The exponent after `e`, saturated to ±1_000_000 (past that any value
    /// is 0 or overflows anyway).
    var exponent: Int
    /// The first 19 significant digits as an integer, and the power of ten
    /// that scales it; `exact` when no non-zero digit was left out.
    var mantissa: UInt64 = 0
    var mantissaExponent = 0
    var significantDigits = 0
    var exact = true

    /// Parses the whole of `text`; nil when it is not a number.
    package init?(_ text: UnsafeRawBufferPointer) {
        guard let base = text.baseAddress?.assumingMemoryBound(to: UInt8.self), !text.isEmpty else { return nil }
        let count = text.count
        var index = 0
        negative = false
        if base[0] == UInt8(ascii: "-") || base[0] == UInt8(ascii: "+") {
            negative = base[0] == UInt8(ascii: "-")
            index = 1
        }
        @inline(__always) func isDigit(_ at: Int) -> Bool { at < count && base[at] &- 0x30 < 10 }
        let digitStart = index
        while isDigit(index) { index += 1 }
        integerDigits = index - digitStart
        guard integerDigits > 0 else { return nil }
        var digitEnd = index
        if index < count && base[index] == UInt8(ascii: ".") {
            // The fraction's digits are moved next to the integer's in spirit:
            // `digits` spans both and skips the point when read via `digit(at:)`.
            index += 1
            let fractionStart = index
            while isDigit(index) { index += 1 }
            guard index > fractionStart else { return nil }
            digitEnd = index
        }
        exponent = 0
        if index < count && base[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < count && (base[index] == UInt8(ascii: "-") || base[index] == UInt8(ascii: "+")) {
                exponentNegative = base[index] == UInt8(ascii: "-")
                index += 1
            }
            let exponentStart = index
            while isDigit(index) {
                if exponent < 1_000_000 { exponent = exponent * 10 + Int(base[index] &- 0x30) }
                index += 1
            }
            guard index > exponentStart else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        guard index == count else { return nil }
        digits = UnsafeRawBufferPointer(start: base + digitStart, count: digitEnd - digitStart)
        // The significant digits, in one pass over integer and fraction.
        var power = exponent
        for position in digitStart..<digitEnd {
            let d = base[position] &- 0x30
            if d >= 10 { continue }  // the point
            let inFraction = position >= digitStart + integerDigits
            if significantDigits == 0 && d == 0 {
                if inFraction { power -= 1 }
                continue
            }
            if significantDigits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                significantDigits += 1
                if inFraction { power -= 1 }
            } else {
                if d != 0 { exact = false }
                if !inFraction { power += 1 }
            }
        }
        mantissaExponent = power
    }

    /// The number of digits, not counting the point.
    var digitCount: Int { integerDigits == digits.count ? digits.count : digits.count - 1 }

    /// The i-th digit, skipping the decimal point.
    @inline(__always)
    func digit(at i: Int) -> UInt8 {
        digits[i < integerDigits ? i : i + 1] &- 0x30
    }

    /// The value as the nearest double (correctly rounded); infinite when it
    /// overflows. `-0` becomes `0`, since the two are the same value.
    package var doubleValue: Double {
        if mantissa == 0 && exact { return 0 }
        // Fast path (Clinger): an integer below 2^53 times an exact power of
        // ten is correctly rounded by one operation.
        let power = mantissaExponent
        if exact && mantissa < 1 << 53 && power >= -22 && power <= 22 {
            let scale = Self.powersOfTen[abs(power)]
            let value = power < 0 ? Double(mantissa) / scale : Double(mantissa) * scale
            return negative ? -value : value
        }
        return slowDoubleValue
    }

    private static let powersOfTen: [Double] = (0...22).map { (p: Int) -> Double in
        var value = 1.0
        for _ in 0..<p { value *= 10 }
        return value
    }

    /// `strtod` on a NUL-terminated copy: correctly rounded for any length.
    private var slowDoubleValue: Double {
        var text = [CChar]()
        text.reserveCapacity(digits.count + 16)
        if negative { text.append(0x2D) }
        for byte in digits { text.append(CChar(bitPattern: byte)) }
        if exponent != 0 {
            text.append(0x65)
            text.append(contentsOf: String(exponent).utf8.map { CChar(bitPattern: $0) })
        }
        text.append(0)
        let value = text.withUnsafeBufferPointer { buffer in buffer.baseAddress.map { strtod($0, nil) } ?? 0 }
        return value == 0 ? 0 : value
    }

    /// The value times 10^`scale`, rounded to an integer half away from zero
    /// on the decimal digits; nil when its magnitude reaches 10^17.
    func rounded(scaledBy scale: Int) -> Int64? {
        guard let parts = scaledParts(scale) else { return nil }
        let magnitude = parts.whole + (parts.firstDropped >= 5 ? 1 : 0)
        return negative ? -magnitude : magnitude
    }

    /// Whether the value is above `limit` (a positive whole number).
    func isAbove(_ limit: Int64) -> Bool {
        guard !negative else { return false }
        guard let parts = scaledParts(0) else { return true }
        return parts.whole > limit || (parts.whole == limit && parts.hasFraction)
    }

    /// The whole part of the value times 10^`scale`, the first digit after
    /// its point and whether any digit after the point is non-zero; nil when
    /// the whole part reaches 10^17.
    /// - Complexity: O(digits), whatever the exponent.
    private func scaledParts(_ scale: Int) -> (whole: Int64, firstDropped: UInt8, hasFraction: Bool)? {
        if exact {
            if mantissa == 0 { return (0, 0, false) }
            let power = mantissaExponent + scale
            if power >= 0 {
                var whole = mantissa
                for _ in 0..<power {
                    guard whole < 10_000_000_000_000_000 else { return nil }
                    whole *= 10
                }
                guard whole < 100_000_000_000_000_000 else { return nil }
                return (Int64(whole), 0, false)
            }
            if power < -19 { return (0, 0, true) }  // mantissa < 10^19 <= 10^-power
            // mantissa = whole * 10^-power + rest, and rest's first digit is dropped first.
            var divisor: UInt64 = 1
            for _ in 0..<(-power - 1) { divisor *= 10 }
            let (whole, rest) = mantissa.quotientAndRemainder(dividingBy: divisor * 10)
            return (Int64(whole), UInt8(rest / divisor), rest != 0)
        }
        let count = digitCount
        guard let first = (0..<count).first(where: { digit(at: $0) != 0 }) else {
            return (0, 0, false)
        }
        // The point sits after `pointAt` digits once scaled.
        let pointAt = integerDigits + exponent + scale
        guard pointAt - first <= 17 else { return nil }
        var whole: Int64 = 0
        if pointAt > first {
            for i in first..<pointAt {
                whole = whole * 10 + Int64(i < count ? digit(at: i) : 0)
            }
        }
        guard whole < 100_000_000_000_000_000 else { return nil }
        let firstDropped: UInt8 = pointAt >= 0 && pointAt < count ? digit(at: pointAt) : 0
        let hasFraction = (min(max(pointAt, 0), count)..<count).contains { digit(at: $0) != 0 }
        return (whole, firstDropped, hasFraction)
    }
}
