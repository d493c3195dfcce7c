#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The spec's number format: rounded from the exact value of the double,
/// half away from zero, to at most 6 digits after the point, with no
/// exponent, no trailing zeros and no `-0`.
public enum NumberFormat {
    public static func decimal(_ value: Double, digits: Int = 6) -> String {
        guard value.isFinite else { return "" }
        if digits == 6, let fast = fastDecimal(value) { return fast }
        return exactDecimal(value, digits: digits)
    }

    /// The value as the tables write it, read back: rounded once to the
    /// written precision, so that rows sort "by the value as written" and the
    /// report reads exactly the number a reader of the CSV sees; nil when
    /// nothing is written (infinite or NaN). Writing the result again gives
    /// the same digits.
    public static func written(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        // units · 10⁻⁶ divided as doubles is the correctly rounded value of
        // the written decimal, as parsing its text would give (units < 2⁵³).
        if let units = fastUnits(value) { return units == 0 ? 0 : (value < 0 ? -1 : 1) * (Double(units) / 1_000_000) }
        return Double(exactDecimal(value, digits: 6))
    }

    /// `written` of an optional value.
    public static func written(_ value: Double?) -> Double? { value.flatMap { written($0) } }

    /// The common case without printf.
    @inline(__always)
    static func fastDecimal(_ value: Double) -> String? {
        guard let units = fastUnits(value) else { return nil }
        if units == 0 { return "0" }
        let whole = units / 1_000_000
        var fractionDigits = units % 1_000_000
        var text = value < 0 ? "-" + String(whole) : String(whole)
        guard fractionDigits != 0 else { return text }
        var width = 6
        while fractionDigits % 10 == 0 {
            fractionDigits /= 10
            width -= 1
        }
        let digitsText = String(fractionDigits)
        text += "." + String(repeating: "0", count: width - digitsText.count) + digitsText
        return text
    }

    /// `|value|` in millionths, rounded: when `value · 10^6` is well away
    /// from a tie (and small enough to hold exactly), rounding it as a double
    /// gives the same integer the exact decimal expansion would; nil otherwise.
    @inline(__always)
    static func fastUnits(_ value: Double) -> UInt64? {
        let scaled = abs(value) * 1_000_000
        guard scaled < 1e15 else { return nil }
        let floor = scaled.rounded(.down)
        let fraction = scaled - floor
        // The product's rounding error is far below 1e-6 at this size.
        guard abs(fraction - 0.5) > 1e-6 else { return nil }
        return UInt64(fraction > 0.5 ? floor + 1 : floor)
    }

    static func exactDecimal(_ value: Double, digits: Int) -> String {
        // printf gives the exact binary value's decimal digits (60 after the
        // point decide every tie a double can hold); rounding is ours, since
        // printf would round ties to even.
        var buffer = [CChar](repeating: 0, count: 400)
        let length = withVaList([abs(value)]) { arguments in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, 400, "%.60f", arguments) }
        }
        guard length > 0 && length < 400 else { return "" }
        var text = Array(buffer[0..<Int(length)].map { UInt8(bitPattern: $0) })
        guard let point = text.firstIndex(of: 0x2E) else { return "" }
        let roundUp = text[point + digits + 1] >= 0x35
        text.removeSubrange((point + digits + 1)...)
        if roundUp {
            var index = text.count - 1
            while true {
                if index < 0 {
                    text.insert(0x31, at: 0)
                    break
                }
                if text[index] == 0x2E { index -= 1; continue }
                if text[index] == 0x39 {
                    text[index] = 0x30
                    index -= 1
                } else {
                    text[index] += 1
                    break
                }
            }
        }
        while text.last == 0x30 { text.removeLast() }
        if text.last == 0x2E { text.removeLast() }
        let isZero = text.allSatisfy { $0 == 0x30 || $0 == 0x2E }
        let result = String(decoding: text, as: UTF8.self)
        return value < 0 && !isZero ? "-" + result : result
    }
}
