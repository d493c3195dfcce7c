import Testing

@testable import AudienceMetrics

/// metrics.md: numbers are rounded from the exact value of the double, half
/// away from zero, to 6 digits after the point, and written without
/// exponent, trailing zeros or `-0`.
@Suite struct NumberFormatTests {
    @Test(arguments: [
        (0.5, "0.5"), (12, "12"), (1.0 / 3.0, "0.333333"), (2.0 / 3.0, "0.666667"),
        (-0.0000001, "0"), (-0.0, "0"), (0, "0"),
        (0.0078125, "0.007813"),  // 2^-7 = 0.0078125 exactly: a tie, away from zero
        (-0.0078125, "-0.007813"),
        (1.9921875, "1.992188"),  // 255/128, also an exact tie
        (2.5e-7, "0"),  // below half of the last digit
        (5e-7, "0"),  // the double is 4.99999999999999977e-7, below the tie
        (1e20, "100000000000000000000"),
        (-1e20, "-100000000000000000000"),
        (0.1 + 0.2, "0.3"), (100, "100"), (-2.5, "-2.5"), (1e-6, "0.000001"), (-1e-6, "-0.000001"),
        (0.9999996, "1"), (-0.9999996, "-1"), (999999.9999996, "1000000"), (123456.1234564, "123456.123456"),
        (1.0000005, "1.000001"),  // the double is 1.00000050000000003, above the tie
        (0.000000499, "0"), (1e22, "10000000000000000000000"),
        (1e23, "99999999999999991611392"),  // the exact value of the double nearest 10^23
        (Double.greatestFiniteMagnitude, "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368"),
    ])
    func decimal(value: Double, expected: String) {
        #expect(NumberFormat.decimal(value) == expected, "\(value)")
    }

    /// Undefined values are empty fields.
    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func notFinite(value: Double) {
        #expect(NumberFormat.decimal(value) == "")
    }
}

/// The fast path must agree with the exact one wherever it answers.
@Test func fastPathAgreesWithExactFormatting() {
    var generator = SystemRandomNumberGenerator()
    var values: [Double] = [0.5, 0.0078125, 1e-7, 5e-7, 0.0000005, 2.5e-6, 1234567.8900005, -0.0000004]
    for _ in 0..<20_000 {
        let numerator = Double(Int.random(in: -1_000_000...1_000_000, using: &generator))
        let denominator = [3.0, 7.0, 60.0, 100.0, 3600.0, 1024.0, 1e6, 2e6][Int.random(in: 0..<8, using: &generator)]
        values.append(numerator / denominator)
        values.append(Double.random(in: -1e9...1e9, using: &generator))
    }
    for value in values {
        if let fast = NumberFormat.fastDecimal(value) {
            #expect(fast == NumberFormat.exactDecimal(value, digits: 6), "\(value)")
        }
    }
}
