import Testing

@testable import AudienceReading

/// viewing-events.md, "What is rejected, and what is ignored": every
/// reason, and one reason per line, the first in the order: malformed;
/// `event` absent (missing_field); `event` unknown (ignored_event, whatever
/// else is wrong); another required field absent (missing_field);
/// bad_timestamp; bad_number; bad_segment.
@Suite struct ValidationTests {
    static let start = JSONLine.start
    static let progress = JSONLine.progress

    // MARK: each reason on its own

    @Test func acceptedLines() {
        #expect(verdict(ndjson: Self.start.text) == .accepted)
        #expect(verdict(ndjson: Self.progress.text) == .accepted)
        for event in ["start", "progress", "pause", "resume", "seek", "stop", "complete", "error"] {
            let line = Self.start.with("event", "\"\(event)\"").with("from", "1").with("to", "2")
            #expect(verdict(ndjson: line.text) == .accepted, "\(event)")
        }
    }

    /// Event names are compared as bytes, case-sensitively, after trimming.
    @Test(arguments: [
        (#""Start""#, Verdict.ignoredEvent), (#""START""#, .ignoredEvent), (#""play""#, .ignoredEvent),
        (#""heartbeat""#, .ignoredEvent), (#""start ""#, .accepted), (#""\tstart""#, .accepted),
        (#""st art""#, .ignoredEvent), (#""startx""#, .ignoredEvent), (#""star""#, .ignoredEvent),
        (#""progresss""#, .ignoredEvent), (#""completed""#, .ignoredEvent), ("0", .ignoredEvent),
        (#""start\u0000""#, .ignoredEvent), (#""s\u0074art""#, .accepted),
    ])
    func eventNames(raw: String, expected: Verdict) {
        #expect(verdict(ndjson: Self.start.with("event", raw).text) == expected)
    }

    /// `null`, an empty string and a missing field all mean absent, and so
    /// does a value of spaces and tabs.
    @Test(arguments: ["ts", "event", "session_id", "viewer_id", "title_id"], [nil, "null", #""""#, #""  \t ""#])
    func requiredFieldAbsent(field: String, raw: String?) {
        let line = raw.map { Self.start.with(field, $0) } ?? Self.start.without(field)
        #expect(verdict(ndjson: line.text) == .missingField)
    }

    @Test func optionalFieldsMayBeAbsent() {
        let line = Self.start.with("position", "null").with("duration", #""""#).with("country", #"" ""#)
            .with("season", "null").with("event_id", #""""#)
        #expect(verdict(ndjson: line.text) == .accepted)
    }

    // MARK: numbers

    @Test(arguments: ["from", "to", "position", "duration", "season", "episode"])
    func badNumbers(field: String) {
        for raw in [#""abc""#, #""1e400""#, "1e400", "-1e400", #"".5""#, #""NaN""#, "true", "[]", "{}", #""1 2""#] {
            #expect(verdict(ndjson: Self.start.with(field, raw).text) == .badNumber, "\(field) = \(raw)")
        }
        let hundreds = String(repeating: "9", count: 400)
        #expect(verdict(ndjson: Self.start.with(field, hundreds).text) == .badNumber, "400 digits")
        #expect(verdict(ndjson: Self.start.with(field, "\"\(hundreds)\"").text) == .badNumber, "400 digits in a string")
    }

    /// A 400-digit number that fits a double is fine; `1e-400` is 0.
    @Test func longButFiniteNumbers() throws {
        let long = "0." + String(repeating: "5", count: 398)
        let (event, _) = try #require(acceptedEvent(ndjson: Self.start.with("position", long).with("from", "1e-400").text))
        #expect(event.position == 0.5555555555555556)
        #expect(event.from == 0)
    }

    /// `-0` is not negative.
    @Test(arguments: ["-0", #""-0""#, "-0.0", "-0e5", #""-0.000""#])
    func negativeZeroIsNotNegative(raw: String) throws {
        let line = Self.progress.with("from", raw).with("to", raw).with("position", raw)
        let (event, _) = try #require(acceptedEvent(ndjson: line.text))
        #expect(event.from == 0 && event.from.sign == .plus)
        #expect(verdict(ndjson: Self.start.with("season", raw).with("episode", raw).text) == .accepted)
        #expect(verdict(ndjson: Self.start.with("duration", raw).text) == .badSegment)  // not > 0
    }

    /// `season` and `episode`: whole numbers from 0 to 2147483647.
    @Test(arguments: [
        ("2", Int32?.some(2)), ("2.0", 2), (#""2.0""#, 2), ("2e0", 2), ("0.2e1", 2), ("0", 0),
        ("2147483647", 2_147_483_647), ("2.147483647e9", 2_147_483_647), (#"" 7 ""#, 7), (#""+7""#, 7),
        ("2.5", nil), ("1e20", nil), ("-1", nil), ("2147483648", nil), ("1e10", nil), ("0.5", nil),
        ("-0.5", nil), (#""two""#, nil), ("2147483647.5", nil),
        // Numbers are doubles throughout the contract (`1e400` overflows "a
        // double"), so wholeness is the double's: these are 2 and 2147483647.
        ("2.0000000000000001", 2),
        ("2147483647.0000000001", 2_147_483_647),
    ])
    func seasonAndEpisode(raw: String, expected: Int32?) throws {
        for field in ["season", "episode"] {
            let line = Self.start.with(field, raw).text
            if let expected {
                let (event, store) = try #require(acceptedEvent(ndjson: line), "\(field) = \(raw)")
                let attributes = store.attributes[Int(event.attributes)]
                #expect((field == "season" ? attributes.season : attributes.episode) == expected)
            } else {
                #expect(verdict(ndjson: line) == .badNumber, "\(field) = \(raw)")
            }
        }
    }

    // MARK: segments

    @Test(arguments: [
        (progress.without("from"), Verdict.badSegment),
        (progress.without("to"), .badSegment),
        (progress.with("to", "null"), .badSegment),
        (progress.with("event", #""seek""#).without("to"), .badSegment),
        (progress.with("event", #""seek""#).without("from"), .badSegment),
        (progress.with("from", "20").with("to", "10"), .badSegment),  // progress with to < from
        (progress.with("event", #""seek""#).with("from", "20").with("to", "10"), .accepted),  // a seek back
        (progress.with("from", "10").with("to", "10"), .accepted),  // empty, but not backwards
        (progress.with("from", "-1"), .badSegment),
        (progress.with("to", "-1").with("from", "-2"), .badSegment),
        (start.with("position", "-0.001"), .badSegment),
        (start.with("position", #""-3""#), .badSegment),
        (start.with("from", "-5"), .badSegment),  // negative on any event
        (start.with("to", "-5"), .badSegment),
        (start.with("from", "5"), .accepted),  // from without to: only progress and seek need both
        (start.with("duration", "0"), .badSegment),
        (start.with("duration", "-10"), .badSegment),
        (start.with("duration", "0.000001"), .accepted),
        (start.with("duration", #""0.0""#), .badSegment),
        (start.with("position", "1e300").with("duration", "1"), .accepted),  // beyond D is clamped, not rejected
        (progress.with("from", "1e-400").with("to", "0"), .accepted),
    ])
    func segments(line: JSONLine, expected: Verdict) {
        #expect(verdict(ndjson: line.text) == expected, "\(line.text)")
    }

    // MARK: the order of checks

    @Test(arguments: [
        // malformed first: a text field holding a boolean beats everything.
        (start.without("event").with("viewer_id", "true"), Verdict.malformed),
        (start.with("event", #""bogus""#).with("country", "[]"), .malformed),
        (start.with("event", "{}"), .malformed),
        // event absent beats an unknown-looking line and every later problem.
        (start.without("event").with("ts", #""soon""#).with("from", #""x""#), .missingField),
        (start.with("event", "null").without("session_id").with("position", "-1"), .missingField),
        // event unknown beats other problems (but not malformed).
        (start.with("event", #""bogus""#).without("session_id"), .ignoredEvent),
        (start.with("event", #""bogus""#).with("ts", #""soon""#), .ignoredEvent),
        (start.with("event", #""bogus""#).with("ts", "true"), .ignoredEvent),
        (start.with("event", #""bogus""#).with("from", #""x""#), .ignoredEvent),
        (start.with("event", #""bogus""#).with("from", "true"), .ignoredEvent),
        (start.with("event", #""bogus""#).with("duration", "-1"), .ignoredEvent),
        (start.with("event", #""bogus""#).without("ts").without("title_id"), .ignoredEvent),
        // another required field absent beats bad_timestamp, bad_number, bad_segment.
        (start.without("title_id").with("ts", #""soon""#), .missingField),
        (start.without("viewer_id").with("ts", "{}").with("from", #""x""#), .missingField),
        (start.without("ts").with("position", #""x""#), .missingField),
        // bad_timestamp beats bad_number and bad_segment.
        (start.with("ts", #""2026-02-30T00:00:00Z""#).with("from", #""x""#), .badTimestamp),
        (start.with("ts", "false").with("duration", "0"), .badTimestamp),
        // bad_number beats bad_segment.
        (progress.with("from", #""x""#).with("to", "-1"), .badNumber),
        (progress.with("season", "2.5").with("position", "-1"), .badNumber),
        (progress.without("to").with("episode", "true"), .badNumber),
        (start.with("duration", "0").with("episode", "-1"), .badNumber),
    ])
    func orderOfChecks(line: JSONLine, expected: Verdict) {
        #expect(verdict(ndjson: line.text) == expected, "\(line.text)")
    }

    // MARK: normalised values

    @Test func valuesAreTrimmedAndCountryUpperCased() throws {
        let line = Self.start.with("viewer_id", #"" \tv1 \t""#).with("country", #""kr""#).with("region", #"" kr-11 ""#)
            .with("device", #""TV ""#).with("subtitle_lang", #""Off""#)
        let (event, store) = try #require(acceptedEvent(ndjson: line.text))
        let attributes = store.attributes[Int(event.attributes)]
        #expect(store.strings.string(attributes.viewer) == "v1")
        #expect(store.strings.string(attributes.country) == "KR")
        #expect(store.strings.string(attributes.region) == "kr-11")  // only country is upper-cased
        #expect(store.strings.string(attributes.device) == "TV")  // text is case-sensitive
        #expect(store.strings.string(attributes.subtitleLang) == "Off")
    }

    /// Only ASCII letters are upper-cased.
    @Test func countryUpperCasingIsASCII() throws {
        let (event, store) = try #require(acceptedEvent(ndjson: Self.start.with("country", #""k\u00e9-1z""#).text))
        #expect(store.strings.string(store.attributes[Int(event.attributes)].country) == "K\u{E9}-1Z")
    }

    /// Every non-blank line lands in exactly one column.
    @Test func everyLineLandsInOneColumn() {
        let lines = [
            Self.start.text, "{", Self.start.with("event", #""bogus""#).text, Self.start.without("viewer_id").text,
            Self.start.with("ts", #""x""#).text, Self.start.with("position", #""x""#).text,
            Self.start.with("position", "-1").text, Self.progress.text, "   ", "",
        ]
        let result = read(lines.joined(separator: "\n"))
        #expect(result.tally == Tally(lines: 8, accepted: 2, ignoredEvent: 1, malformed: 1, missingField: 1,
                                      badTimestamp: 1, badNumber: 1, badSegment: 1))
    }
}
