import Testing

@testable import AudienceReading

/// `ts` (viewing-events.md, field table): ISO-8601 with a required zone, or
/// Unix seconds (milliseconds above 100000000000), also in a string, also
/// with an exponent; rounded to the millisecond half away from zero on the
/// decimal digits; a real calendar date and time; from 2000-01-01T00:00:00Z
/// up to but not including 2100-01-01T00:00:00Z, checked after rounding.
@Suite struct TimestampTests {
    /// 2026-11-23T21:04:05Z in Unix milliseconds. By hand: 1970..2025 is 56
    /// years with 14 leap days = 20454 days; 2026-01-01 to 11-23 is
    /// 304 + 22 = 326 days; 20780 days · 86400 = 1795392000 s, plus
    /// 21:04:05 = 75845 s, gives 1795467845 s.
    static let x: Int64 = 1_795_467_845_000
    /// 2000-01-01T00:00:00Z and 2100-01-01T00:00:00Z.
    static let windowStart: Int64 = 946_684_800_000
    static let windowEnd: Int64 = 4_102_444_800_000

    static func parse(_ text: String) -> Int64? {
        Array(text.utf8).withUnsafeBytes { bytes in
            if case .success(let value) = Timestamp.parse(bytes) { return value }
            return nil
        }
    }

    static let acceptedCases: [(String, Int64)] = [
        ("2026-11-23T21:04:05Z", x),
        ("2026-11-23T21:04:05.1Z", x + 100),
        ("2026-11-23T21:04:05.12Z", x + 120),
        ("2026-11-23T21:04:05.123Z", x + 123),
        ("2026-11-23T21:04:05.123456789Z", x + 123),
        ("2026-11-23T21:04:05.0005Z", x + 1),  // half away from zero
        ("2026-11-23T21:04:05.00049999Z", x),
        ("2026-11-23T21:04:05.1235Z", x + 124),
        ("2026-11-23T21:04:05.9995Z", x + 1000),  // rounds into the next second
        ("2026-11-23T21:04:05.000000Z", x),
        ("2026-11-24T06:04:05+09:00", x),
        ("2026-11-23T15:34:05-05:30", x),
        ("2026-11-23T21:04:05+00:00", x),
        ("2026-11-23T21:04:05-00:00", x),
        ("2026-11-23T22:04:05.5+01:00", x + 500),
        ("2026-11-24T20:04:05+23:00", x),
        ("1795467845", x),  // Unix seconds
        ("1795467845.5", x + 500),
        ("1795467845.0005", x + 1),
        ("1795467845.00049", x),
        ("1795467845.9995", x + 1000),
        ("+1795467845", x),
        ("01795467845", x),
        ("1795467845000", x),  // milliseconds (above 100000000000)
        ("1795467845000.5", x + 1),
        ("1795467845000.4", x),
        ("1.795467845e9", x),  // exponent forms
        ("1.7954678455E9", x + 500),
        ("1795467845500e-3", x + 500),
        ("1.795467845e12", x),
        ("17954678450000e-1", x),
        ("2024-02-29T12:00:00Z", 1_709_208_000_000),  // a leap day
        ("2000-02-29T00:00:00Z", 951_782_400_000),  // 2000 is a leap year (divisible by 400)
    ]

    @Test(arguments: acceptedCases)
    func accepted(text: String, expected: Int64) {
        #expect(Self.parse(text) == expected, "\(text)")
    }

    @Test(arguments: [
        "", "2026-11-23T21:04:05",  // no zone
        "2026-11-23T21:04:05.123",
        "2026-11-23 21:04:05Z", "2026-11-23t21:04:05Z", "2026-11-23T21:04:05z",
        "2026-11-23T21:04:05.Z", "2026-11-23T21:04:05+0900", "2026-11-23T21:04:05+09",
        "2026-11-23T21:04:05+9:00", "2026-11-23T21:04:05 +09:00", "2026-11-23T21:04:05Z ",
        "2026-11-23T21:04:05ZZ", "2026-11-23T21:04Z", "26-11-23T21:04:05Z", "2026-1-23T21:04:05Z",
        "2026-11-23T21:4:05Z", "+2026-11-23T21:04:05Z", "2026/11/23T21:04:05Z", "2026-11-23",
        "20261123T210405Z", "2026-11-23T21:04:05,5Z", "2026-11-23T21:04:05.5.5Z",
        "yesterday", "NaN", "Infinity", "0x6A0D4E45", "1795467845s", "1,795,467,845", ".5", "5.",
        "2026-11-23T21:04:05+24:00", "2026-11-23T21:04:05+09:60",
    ])
    func unparseable(text: String) {
        #expect(Self.parse(text) == nil, "\(text)")
    }

    /// Not a real calendar date and time.
    @Test(arguments: [
        "2026-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-32T00:00:00Z",
        "2026-01-01T24:00:00Z", "2026-01-01T25:00:00Z", "2026-01-01T23:60:00Z", "2026-01-01T23:59:60Z",
        "2026-01-01T23:59:60.5Z", "2016-12-31T23:59:60Z",
    ])
    func notACalendarTime(text: String) {
        #expect(Self.parse(text) == nil, "\(text)")
    }

    /// The window [2000-01-01, 2100-01-01), checked after rounding.
    static let insideWindowCases: [(String, Int64)] = [
        ("2000-01-01T00:00:00Z", windowStart),
        ("1999-12-31T23:59:59.9995Z", windowStart),  // rounds up into the window
        ("2000-01-01T01:00:00+01:00", windowStart),
        ("946684800", windowStart),
        ("946684799.9995", windowStart),
        ("946684800000", windowStart),
        ("2099-12-31T23:59:59.999Z", windowEnd - 1),
        ("2099-12-31T23:59:59.9994Z", windowEnd - 1),
        ("2100-01-01T00:59:59.999+01:00", windowEnd - 1),
        ("4102444799999", windowEnd - 1),
        ("4102444799.999", windowEnd - 1),
    ]

    @Test(arguments: insideWindowCases)
    func insideWindow(text: String, expected: Int64) {
        #expect(Self.parse(text) == expected, "\(text)")
    }

    @Test(arguments: [
        "1999-12-31T23:59:59.999Z", "1999-12-31T23:59:59.9994Z", "2000-01-01T00:59:59+01:00",
        "1999-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "0000-01-01T00:00:00Z",
        "2099-12-31T23:59:59.9995Z",  // rounds to 2100-01-01T00:00:00.000Z
        "2100-01-01T00:00:00Z", "2099-12-31T23:30:00-01:00", "9999-12-31T23:59:59Z",
        "946684799", "946684799.9994", "946684799999", "4102444800000", "4102444799.9995", "4102444800",
        "0", "-1", "-1795467845", "100000000000",  // seconds: year 5138
        "99999999999", "1e400", "1e-400", "1" + String(repeating: "0", count: 399),
        "0." + String(repeating: "0", count: 399) + "1",
    ])
    func outsideWindow(text: String) {
        #expect(Self.parse(text) == nil, "\(text)")
    }

    // MARK: through validation

    /// The forms a line may give `ts` in: string or bare JSON number, with
    /// surrounding spaces trimmed.
    static let formsInALineCases: [(String, Int64)] = [
        (#""2026-11-23T21:04:05Z""#, x), (#"" 2026-11-23T21:04:05Z\t""#, x), ("1795467845", x),
        ("1795467845.5", x + 500), (#""1795467845""#, x), (#"" 1795467845000 ""#, x), ("1795467845000", x),
        ("1.795467845e9", x), (#""1.795467845E+12""#, x), ("17954678455e-1", x + 500),
    ]

    @Test(arguments: formsInALineCases)
    func formsInALine(raw: String, expected: Int64) throws {
        let (event, _) = try #require(acceptedEvent(ndjson: JSONLine.start.with("ts", raw).text))
        #expect(event.timestamp == expected)
    }

    @Test(arguments: [
        #""2026-02-30T00:00:00Z""#, #""2099-12-31T23:59:59.9995Z""#, #""soon""#, "0", "-5", "1e400",
        #""1795467845 s""#, "true", "[1795467845]", #"{"s":1795467845}"#, #""2026-11-23T21:04:05""#,
    ])
    func badTimestampInALine(raw: String) {
        #expect(verdict(ndjson: JSONLine.start.with("ts", raw).text) == .badTimestamp)
    }

    /// A bare JSON number for ts still follows JSON's grammar.
    @Test(arguments: ["01795467845", "+1795467845", ".5"])
    func bareNumberGrammar(raw: String) {
        #expect(verdict(ndjson: JSONLine.start.with("ts", raw).text) == .malformed)
    }
}

/// The one reader of `YYYY-MM-DD` days (window options, the generator's start).
@Test func dayWrittenAsISODate() {
    #expect(Timestamp.day(written: "1970-01-01") == 0)
    #expect(Timestamp.day(written: "2024-02-29") == Timestamp.daysFromCivil(year: 2024, month: 2, day: 29))
    #expect(Timestamp.day(written: "1969-12-31") == -1)
    for wrong in ["2023-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "2026-01-1", "26-01-01", "2026/01/01",
                  "2026-01-01 ", "+026-01-01", "２０２６-01-01", "", "2026-04-31"] {
        #expect(Timestamp.day(written: wrong) == nil, "\(wrong)")
    }
}
