import Testing

@testable import AudienceReading

/// The number grammar of strings and CSV/TSV fields (viewing-events.md,
/// "Fields"): a decimal with an optional sign, fraction and exponent, digits
/// on both sides of a point; the value is the correctly rounded double; for
/// timestamps the value is rounded on its decimal digits.
@Suite struct DecimalNumberTests {
    static func withNumber<R>(_ text: String, _ body: (DecimalNumber?) -> R) -> R {
        Array(text.utf8).withUnsafeBytes { body(DecimalNumber($0)) }
    }

    static let fourHundredDigits = "1" + String(repeating: "0", count: 399)

    @Test(arguments: [
        "0", "-0", "+0", "+5", "01", "007", "1.5e3", "1E+3", "1e-3", "123.456", "0.000", "-0.0e-0",
        "00000000000000000000001", "1e0001", "99999999999999999999999999999999", fourHundredDigits,
        "0." + String(repeating: "3", count: 399),
    ])
    func numbers(text: String) {
        #expect(Self.withNumber(text) { $0 != nil })
    }

    @Test(arguments: [
        "", "-", "+", ".5", "-.5", "5.", "5.e3", "NaN", "nan", "Infinity", "inf", "-Infinity", "0x10", "1,5",
        "12 s", " 5", "5 ", "1e", "1e+", "1E-", "--1", "+-1", "1.2.3", "1e5.5", "1e5e5", "e5", "1_000",
        "\u{661}\u{662}", "\u{FF15}", "1\u{0}", "٫5",
    ])
    func notNumbers(text: String) {
        #expect(Self.withNumber(text) { $0 == nil })
    }

    /// The correctly rounded double, whatever the path taken.
    @Test(arguments: [
        ("0", 0.0), ("1.5e3", 1500), ("0.1", 0.1), ("-2.5", -2.5), ("+7", 7), ("8.5e-1", 0.85),
        ("123456789012345678", 123_456_789_012_345_678.0),
        ("9007199254740993", 9_007_199_254_740_992),  // 2^53 + 1: the tie goes to even
        ("9007199254740995", 9_007_199_254_740_996),
        ("0.30000000000000004", 0.30000000000000004),
        ("12345678901234567890e-10", 1_234_567_890.123456789),
        ("3.14159265358979323846264338327950288", Double.pi),
        ("1e23", 1e23), ("1e22", 1e22), ("1e-22", 1e-22), ("4.35e-23", 4.35e-23),
        ("2.2250738585072011e-308", 2.2250738585072011e-308),
        ("4.9e-324", 5e-324),
        ("1.7976931348623157e308", Double.greatestFiniteMagnitude),
        ("1e-400", 0), ("0e999999999", 0), ("1e-99999999999", 0),
        ("10.000", 10), ("1e1", 10), ("100e-1", 10), ("0000000000000000000000010", 10),
        ("0.1000000000000000055511151231257827021181583404541015625", 0.1),
    ])
    func doubleValue(text: String, expected: Double) {
        let value = Self.withNumber(text) { $0?.doubleValue }
        #expect(value == expected)
    }

    /// `-0` is the value 0 (not negative).
    @Test(arguments: ["-0", "-0.0", "-0e5", "-0.000e-3", "-1e-400"])
    func negativeZeroIsZero(text: String) {
        let value = Self.withNumber(text) { $0?.doubleValue }
        #expect(value == 0)
        #expect(value?.sign == .plus)
    }

    /// Values past the largest double are infinite (then `bad_number`);
    /// a 400-digit number does not crash.
    @Test(arguments: ["1e400", "-1e400", "1e99999999999", fourHundredDigits, "1.8e308"])
    func overflow(text: String) {
        let value = Self.withNumber(text) { $0?.doubleValue }
        #expect(value?.isInfinite == true)
    }

    @Test func fourHundredDigitFraction() {
        let value = Self.withNumber("0." + String(repeating: "3", count: 399)) { $0?.doubleValue }
        #expect(value == 1.0 / 3.0)
    }

    /// Rounded to an integer after scaling by 10^scale, half away from zero
    /// on the decimal digits (never through a double); nil from 10^17 on.
    @Test(arguments: [
        ("0.0005", 3, Int64?.some(1)), ("0.0004999", 3, 0), ("0.00049999999999999999999999", 3, 0),
        ("0.00050000000000000000000001", 3, 1), ("-0.0005", 3, -1), ("-0.0004", 3, 0),
        ("1.2345", 3, 1235), ("1.2344", 3, 1234),
        ("1795467845", 3, 1_795_467_845_000), ("1795467845.9995", 3, 1_795_467_846_000),
        ("1795467845.0005", 3, 1_795_467_845_001), ("1795467845.00049", 3, 1_795_467_845_000),
        ("1795467845000", 0, 1_795_467_845_000), ("1795467845000.5", 0, 1_795_467_845_001),
        ("1795467845000.4999", 0, 1_795_467_845_000),
        ("1.7954678455e9", 3, 1_795_467_845_500), ("17954678455e-1", 3, 1_795_467_845_500),
        ("1795467845500e-3", 3, 1_795_467_845_500),
        ("12345678901234567890123e-10", 3, 1_234_567_890_123_457),
        ("0.99949999999999999999999", 3, 999), ("0.99950000000000000000001", 3, 1000),
        ("5e-4", 3, 1), ("4.9999999999999999999999e-4", 3, 0), ("1e-99999999", 3, 0),
        ("0", 3, 0), ("-0", 3, 0), ("0e99999999", 0, 0),
        ("99999999999999999", 0, 99_999_999_999_999_999), ("1e17", 0, nil), ("1e16", 3, nil),
        ("1e99999999", 0, nil), (fourHundredDigits, 0, nil), (fourHundredDigits, -500, 0),
    ])
    func rounded(text: String, scale: Int, expected: Int64?) {
        let value = Self.withNumber(text) { $0?.rounded(scaledBy: scale) }
        #expect(value == expected, "\(text) × 10^\(scale)")
    }

    /// Whether a timestamp number counts as milliseconds: above 100000000000.
    @Test(arguments: [
        ("100000000000", false), ("100000000000.0", false), ("100000000000.5", true),
        ("100000000000.000000000000000000001", true), ("100000000001", true), ("99999999999.9", false),
        ("1e11", false), ("1.00000000001e11", true), ("-200000000000", false), ("0", false),
        (fourHundredDigits, true), ("1795467845000", true), ("1795467845", false),
    ])
    func isAboveMillisecondThreshold(text: String, expected: Bool) {
        let value = Self.withNumber(text) { $0?.isAbove(100_000_000_000) }
        #expect(value == expected, "\(text)")
    }
}
