import Foundation
import Testing

@testable import AudienceReading
@testable import AudienceKit

/// viewing-events.md: NDJSON lines are strict JSON objects (RFC 8259);
/// unknown fields are ignored whatever they hold (256+ levels deep must
/// work, deeper may be malformed but never crash); null means absent; a key
/// given twice: the last wins (after unescaping, also when it is null).
@Suite struct NDJSONParserTests {
    static let base = JSONLine.start.text

    static func text(_ id: UInt32, _ store: EventStore) -> String { store.strings.string(id) }

    // MARK: the file's format

    /// JSON when the first non-blank byte is `{`, after blank lines and a BOM.
    @Test(arguments: chunkSizes)
    func sniffedAsNDJSON(chunkSize: Int) {
        for prefix in ["", "\n\n", "  \t\n \n", "\u{FEFF}", "\u{FEFF}\n \n"] {
            let result = read(prefix + "  " + Self.base + "\n" + Self.base + "\n", chunkSize: chunkSize)
            #expect(result.tally == Tally(lines: 2, accepted: 2), "prefix \(Array(prefix.utf8))")
        }
    }

    /// A file whose first non-blank byte is `[` is a JSON array: a file-level
    /// error, none of its lines read (even NDJSON-looking ones).
    @Test(arguments: chunkSizes, ["[", "  [", "\n \n\t[", "\u{FEFF}["])
    func jsonArrayIsAFileError(chunkSize: Int, opening: String) {
        let text = opening + "\n" + Self.base + ",\n" + Self.base + "\n]\n" + Self.base + "\n"
        for bytes in [Array(text.utf8), Gzip.member(text)] {
            let result = read(bytes, chunkSize: chunkSize)
            #expect(result.tally == Tally())
            #expect(result.quality.damage == FileDamage(.jsonArray))
            #expect(result.quality.damage?.description == "JSON array, not NDJSON")
        }
    }

    /// The same from disk, with a gzipped array larger than one read chunk
    /// (so its reading stops while the member is still open): the error is
    /// still the JSON array, not a truncated member.
    @Test func largeGzippedJSONArrayFromDisk() throws {
        try withTemporaryFolder { folder in
            var generator = SeededGenerator(seed: 7)
            var text = "[\n"
            for index in 0..<40_000 {
                let noise = (0..<4).map { _ in String(generator.next(), radix: 16) }.joined()
                text += JSONLine.start.with("event_id", "\"\(index)-\(noise)\"").text + ",\n"
            }
            text += Self.base + "\n]\n"
            let gz = Gzip.member(text)
            try #require(gz.count > 1 << 20, "the fixture must span several read chunks")
            try write(gz, to: folder + "/array.json.gz")
            let result = Reading.read([InputFile(name: "array.json.gz", path: folder + "/array.json.gz")], settings: ReadSettings())
            #expect(Tally(result.files[0]) == Tally())
            #expect(result.files[0].damage == FileDamage(.jsonArray))
            #expect(result.files[0].bytesRead == Int64(gz.count))
        }
    }

    /// NDJSON is judged line by line: every line of a pretty-printed object
    /// is malformed.
    @Test func prettyPrintedObject() {
        let text = "{\n  \"ts\": \"2026-11-23T21:04:05Z\",\n  \"event\": \"start\",\n\n  \"session_id\": \"s\", \"viewer_id\": \"v\", \"title_id\": \"t\"\n}\n"
        #expect(read(text).tally == Tally(lines: 5, malformed: 5))
    }

    // MARK: strings

    /// Every JSON escape, upper- and lower-case hex, a surrogate pair.
    @Test func allEscapes() throws {
        let line = JSONLine.start.with(
            "session_id", #""a\"b\\c\/d\b\f\n\r\te\u00e9\u00E9\u4E2D\ud83d\ude00\uD83D\uDE01z""#
        ).text
        let (event, store) = try #require(acceptedEvent(ndjson: line))
        let session = Self.text(store.views[Int(event.view)].session, store)
        #expect(session == "a\"b\\c/d\u{8}\u{C}\n\r\te\u{E9}\u{E9}\u{4E2D}\u{1F600}\u{1F601}z")
    }

    /// An escape at every position of strings of many lengths (word-at-a-
    /// time scanning must find the first special byte exactly).
    @Test func escapeAtEveryPosition() throws {
        for length in 0..<40 {
            for position in 0...length {
                let raw = String(repeating: "x", count: position) + #"\""# + String(repeating: "y", count: length - position)
                let decoded = String(repeating: "x", count: position) + "\"" + String(repeating: "y", count: length - position)
                let (event, store) = try #require(acceptedEvent(ndjson: JSONLine.start.with("viewer_id", "\"\(raw)\"").text))
                #expect(Self.text(store.attributes[Int(event.attributes)].viewer, store) == decoded)
                let control = String(repeating: "x", count: position) + "\u{1}" + String(repeating: "y", count: length - position)
                #expect(verdict(ndjson: JSONLine.start.with("viewer_id", "\"\(control)\"").text) == .malformed)
            }
        }
    }

    /// Keys are matched exactly: a known name with a byte more, a byte
    /// less or one byte changed is an unknown key (here holding `true`,
    /// which a known text field may not hold); the name spelled with
    /// escapes is the name.
    @Test(arguments: ["session_id", "viewer_id", "title_id", "series_id", "country", "region", "device", "audio_lang", "subtitle_lang", "event_id"])
    func keysMatchExactly(name: String) {
        let variants = [name + "x", name + "\\u0000", String(name.dropLast()), String(name.dropLast()) + "X",
                        "X" + name.dropFirst(), name.uppercased(), " " + name, name + " "]
        for key in variants {
            #expect(verdict(ndjson: JSONLine.start.with(key, "true").text) == .accepted, "key \(key)")
        }
        let escaped = name.unicodeScalars.map { String(format: "\\u%04x", $0.value) }.joined()
        #expect(verdict(ndjson: JSONLine.start.with(escaped, "true").text) == .malformed, "key \(escaped)")
        #expect(verdict(ndjson: JSONLine.start.with(name, "true").text) == .malformed, "key \(name)")
    }

    /// Raw (unescaped) multi-byte UTF-8 and DEL are fine in strings.
    @Test func rawUnicodeInStrings() throws {
        let line = JSONLine.start.with("viewer_id", "\"v\u{E9}\u{1F600}\u{7F}\"").text
        let (event, store) = try #require(acceptedEvent(ndjson: line))
        #expect(Self.text(store.attributes[Int(event.attributes)].viewer, store) == "v\u{E9}\u{1F600}\u{7F}")
    }

    /// Keys are compared after unescaping: `"\u0074s"` is `ts`.
    @Test func escapedKeys() throws {
        let line = #"{"\u0074s":"2026-11-23T21:04:05Z","\u0065vent":"start","session\u005fid":"s","viewer_id":"v","title\u005Fid":"t","\u0064evice":"tv"}"#
        let (event, store) = try #require(acceptedEvent(ndjson: line))
        #expect(event.timestamp == 1_795_467_845_000)
        #expect(Self.text(store.attributes[Int(event.attributes)].device, store) == "tv")
    }

    /// A key given twice, once escaped: the last one wins.
    @Test func repeatedKeyAfterUnescaping() {
        let earlierBad = JSONLine.start.without("ts").text.dropLast()
            + #","ts":"garbage","\u0074s":"2026-11-23T21:04:05Z"}"#
        #expect(verdict(ndjson: String(earlierBad)) == .accepted)
        let laterBad = JSONLine.start.text.dropLast() + #","\u0074s":"garbage"}"#
        #expect(verdict(ndjson: String(laterBad)) == .badTimestamp)
    }

    /// Whitespace (space, tab) anywhere JSON allows it.
    @Test func whitespaceBetweenTokens() {
        let line = " \t{ \"ts\" :\t\"2026-11-23T21:04:05Z\" , \"event\":\"start\",\"session_id\":\"s\",\"viewer_id\":\"v\",\"title_id\":\"t\" , \"x\" : [ 1 , { } ] }\t "
        #expect(verdict(ndjson: line) == .accepted)
    }

    /// Every line length over several 8- and 16-byte words: a scan that
    /// works a word at a time must stop exactly at the line's end, and must
    /// see a bad byte wherever it sits.
    @Test func everyLineLength() {
        for n in 0..<80 {
            let padding = String(repeating: "x", count: n)
            let line = JSONLine.start.with("pad", "\"\(padding)\"").text
            #expect(verdict(ndjson: line) == .accepted, "padding \(n)")
            #expect(verdict(ndjson: JSONLine.start.with("pad", "\"\(padding)\u{E9}\"").text) == .accepted, "padding \(n) + é")
            #expect(verdict(ndjson: line + String(repeating: " ", count: n % 17)) == .accepted, "padding \(n), spaces")
            let bytes = Array(line.utf8)
            // The pad's value starts after `"pad":"`; put a bad byte at each place in it.
            let valueStart = bytes.count - 2 - n
            for k in 0..<n where k % 3 == 0 || k == n - 1 {
                for bad: UInt8 in [0xFF, 0x00, 0x01, 0x80] {
                    var broken = bytes
                    broken[valueStart + k] = bad
                    #expect(verdict(ndjson: broken) == .malformed, "padding \(n), byte \(bad) at \(k)")
                }
            }
        }
    }

    /// The UTF-8/NUL check must look at the line's bytes only, whatever
    /// follows them in memory: every length of valid ASCII, followed by a
    /// byte that would be invalid (0xFF), a NUL, or a lead byte.
    @Test func utf8CheckStopsAtTheLineEnd() {
        for length in 0..<100 {
            for after: UInt8 in [0xFF, 0x00, 0xC3, 0x80] {
                let buffer = [UInt8](repeating: 0x61, count: length) + [after, after]
                let problem = buffer.withUnsafeBytes { TextCheck.firstProblem(in: UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
                #expect(problem == nil, "length \(length), followed by \(after)")
            }
        }
    }

    /// The same through the reader: fed a byte at a time, lines are
    /// assembled in a reused buffer, where the bytes after a short line are
    /// left over from a longer one. Line A holds `é` at byte 112; line B is
    /// 112 ASCII bytes; both are valid.
    @Test(arguments: [1, 7, 1 << 30])
    func validLineAfterALongerNonASCIILine(chunkSize: Int) throws {
        let a = JSONLine.start.with("pad", "\"xxxxxxxxx\u{E9}\"").text
        let b = JSONLine.start.with("event_id", #""ab""#).text
        try #require(Array(a.utf8)[112] == 0xC3)
        try #require(b.utf8.count == 112)
        let result = read(a + "\n" + b + "\n" + a + "\n" + b, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 4, accepted: 4))
    }

    // MARK: unknown fields

    @Test(arguments: [
        #"{"a":[1,2.5e3,-0,true,false,null,"s\u00e9",{"b":{}}],"c":[],"d":{}}"#,
        #""\u0000 is a valid escape""#,
        "-0.0e-0",
        "null",
        #"{"":""}"#,
        #"[[],[[]],{"x":[{"y":null}]}]"#,
    ])
    func unknownFieldsAreIgnored(value: String) {
        #expect(verdict(ndjson: JSONLine.start.with("unknown", value).text) == .accepted)
        // Also under an empty key and a key that only looks like a known one.
        #expect(verdict(ndjson: JSONLine.start.with("", value).with("TS", value).with("ts ", value).text) == .accepted)
    }

    /// 300 levels of arrays, objects, and both mixed: must work (256+).
    @Test(arguments: ["[]", "{}", "mixed"])
    func nestingThreeHundredDeep(kind: String) {
        let depth = 300
        let value: String
        switch kind {
        case "[]": value = String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
        case "{}": value = String(repeating: #"{"k":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        default:
            value = String(repeating: #"[{"k":"#, count: depth / 2) + "[]" + String(repeating: "}]", count: depth / 2)
        }
        #expect(verdict(ndjson: JSONLine.start.with("deep", value).text) == .accepted)
    }

    /// 100000 levels: accepted or malformed, but counted and no crash.
    @Test(arguments: [true, false])
    func nestingHundredThousandDeepDoesNotCrash(balanced: Bool) {
        let depth = 100_000
        let value = String(repeating: "[", count: depth) + (balanced ? String(repeating: "]", count: depth) : "")
        let result = read(leadingValidLine + "\n" + JSONLine.start.with("deep", value).text + "\n")
        #expect(result.quality.lines == 2)
        if balanced {
            #expect(result.quality.accepted + result.quality[.malformed] == 2)
        } else {
            #expect(result.tally == Tally(lines: 2, accepted: 1, malformed: 1))
        }
    }

    @Test(arguments: [
        "[1,]", #"{"a":1,}"#, "[1 2]", #"{"a"}"#, "{1:2}", "[", "]", #"{"a":1"#, "[1,,2]", "[,1]",
        #"{"a":1 "b":2}"#, #"{'a':1}"#, "[01]", "[.5]", "[+1]", "[NaN]", "[tru]", "[nulll]", #"["\x"]"#,
        #"{"a":[}]"#, "[}",
    ])
    func brokenUnknownFieldsAreMalformed(value: String) {
        #expect(verdict(ndjson: JSONLine.start.with("unknown", value).text) == .malformed)
    }

    // MARK: numbers

    @Test func numbersWithSignFractionExponent() throws {
        let line = JSONLine.progress.with("from", "-0").with("to", "1.5e3").with("position", "2E+3")
            .with("duration", "0.5e-1").text
        let (event, _) = try #require(acceptedEvent(ndjson: line))
        #expect(event.from == 0)
        #expect(event.from.sign == .plus)  // -0 is 0
        #expect(event.to == 1500)
        #expect(event.position == 2000)
        #expect(event.duration == 0.05)
    }

    /// A numeric field may be a string holding a number, with the string
    /// grammar (which allows `01` and `+5`) and trimmed.
    @Test(arguments: [
        (#""1830.5""#, 1830.5), (#""01""#, 1), (#""+5""#, 5), (#"" 12 ""#, 12), (#""\t7\t""#, 7),
        (#""-0""#, 0), (#""1.5e3""#, 1500), (#""1E-1""#, 0.1), ("1830.5", 1830.5),
    ])
    func numbersInStrings(raw: String, expected: Double) throws {
        let (event, _) = try #require(acceptedEvent(ndjson: JSONLine.start.with("position", raw).text))
        #expect(event.position == expected)
    }

    @Test(arguments: [
        #"".5""#, #""5.""#, #""NaN""#, #""Infinity""#, #""-Infinity""#, #""0x10""#, #""1,5""#, #""12 s""#,
        #""1e""#, #""--1""#, #""1.2.3""#, #""five""#, #""1e5.5""#, #""+""#, #""\u0031\u0032a""#,
    ])
    func notNumbersInStrings(raw: String) {
        #expect(verdict(ndjson: JSONLine.start.with("position", raw).text) == .badNumber)
    }

    /// A bare JSON number follows JSON's grammar: these make the line malformed.
    @Test(arguments: ["01", "+5", ".5", "5.", "1e", "1e+", "-", "--1", "0x10", "1.5.5", "NaN", "Infinity", "-Infinity", "00", "-01", "1.e5"])
    func bareNumbersOutsideJSONGrammar(raw: String) {
        #expect(verdict(ndjson: JSONLine.start.with("position", raw).text) == .malformed)
    }

    // MARK: null and repeated keys

    @Test func nullIsAbsent() throws {
        let (event, _) = try #require(acceptedEvent(ndjson: JSONLine.start.with("position", "null").with("country", "null").text))
        #expect(event.position.isNaN)
        #expect(verdict(ndjson: JSONLine.start.with("viewer_id", "null").text) == .missingField)
        #expect(verdict(ndjson: JSONLine.progress.with("to", "null").text) == .badSegment)
    }

    @Test(arguments: [
        // (earlier value, later value, verdict)
        ("viewer_id", #""a""#, #""b""#, Verdict.accepted),
        ("viewer_id", #""a""#, "null", .missingField),
        ("viewer_id", "true", #""v""#, .accepted),  // an earlier invalid value is ignored
        ("viewer_id", #""v""#, "true", .malformed),  // the later one counts, invalid or not
        ("viewer_id", "{}", #""v""#, .accepted),
        ("ts", #""garbage""#, #""2026-11-23T21:04:05Z""#, .accepted),
        ("ts", #""2026-11-23T21:04:05Z""#, "null", .missingField),
        ("event", #""bogus""#, #""start""#, .accepted),
        ("event", #""start""#, #""bogus""#, .ignoredEvent),
        ("event", #""start""#, "null", .missingField),
        ("position", #""abc""#, "5", .accepted),
        ("position", "-5", "3", .accepted),
        ("position", "{}", "null", .accepted),
        ("position", "3", #""abc""#, .badNumber),
        ("season", "2.5", "2", .accepted),
    ])
    func repeatedKeyLastWins(key: String, earlier: String, later: String, expected: Verdict) {
        let line = JSONLine.start.with(key, earlier).appending(key, later).text
        #expect(verdict(ndjson: line) == expected)
    }

    @Test func repeatedKeyValueIsTheLast() throws {
        let line = JSONLine.start.with("viewer_id", #""a""#).appending("viewer_id", #""b""#).appending("position", "1")
            .appending("position", "2").text
        let (event, store) = try #require(acceptedEvent(ndjson: line))
        #expect(Self.text(store.attributes[Int(event.attributes)].viewer, store) == "b")
        #expect(event.position == 2)
    }

    // MARK: strict JSON failures

    /// Lines that are not strict JSON objects: malformed.
    static let notStrictJSON: [String] = {
        let base = NDJSONParserTests.base
        let open = String(base.dropLast())
        return [
            open + ",}",  // trailing comma
            open + ",,}",
            base.replacingOccurrences(of: #""ts""#, with: "'ts'"),  // single quotes
            JSONLine.start.with("viewer_id", "'v1'").text,
            JSONLine.start.with("position", "NaN").text,
            open + "/* comment */}",
            "/* c */" + base,
            base + " // comment",
            JSONLine.start.with("viewer_id", "\"v\u{1}1\"").text,  // raw control characters
            JSONLine.start.with("viewer_id", "\"v\t1\"").text,
            JSONLine.start.with("viewer_id", "\"v\u{1F}1\"").text,
            JSONLine.start.with("unknown", "\"a\u{8}b\"").text,
            JSONLine.start.with("viewer_id", #""\ud800""#).text,  // lone surrogates
            JSONLine.start.with("viewer_id", #""\udc00""#).text,
            JSONLine.start.with("viewer_id", #""\ud800\u0041""#).text,
            JSONLine.start.with("viewer_id", #""\ud800x""#).text,
            JSONLine.start.with("viewer_id", #""x\uDBFF""#).text,
            JSONLine.start.with("unknown", #""\udfff\ud800""#).text,
            JSONLine.start.with("viewer_id", #""\x41""#).text,  // invalid escapes
            JSONLine.start.with("viewer_id", #""\u12""#).text,
            JSONLine.start.with("viewer_id", #""\u12G4""#).text,
            JSONLine.start.with("viewer_id", #""\U0041""#).text,
            JSONLine.start.with("viewer_id", #""\'""#).text,
            JSONLine.start.with("viewer_id", #""v\""#).text,  // unterminated
            base + " x",  // text after the object
            base + base,
            base + ",",
            base + "}",
            base + " null",
            base.replacingOccurrences(of: #""ts":"#, with: #""ts""#),  // missing colon
            base.replacingOccurrences(of: #""ts""#, with: "ts"),  // unquoted key
            base.replacingOccurrences(of: #","event""#, with: #" "event""#),  // missing comma
            "{", "}", "{}}", #"{"ts"}"#, #"{"ts":}"#, "{,}",
            JSONLine.start.with("unknown", "tru").text,  // bad literals
            JSONLine.start.with("unknown", "True").text,
            JSONLine.start.with("unknown", "nul").text,
            JSONLine.start.with("unknown", "falsey").text,
            JSONLine.start.with("unknown", "undefined").text,
            "[1]", #""a string""#, "42", "null", "true",  // not an object
        ]
    }()

    @Test(arguments: notStrictJSON)
    func strictJSONFailures(line: String) {
        #expect(verdict(ndjson: line) == .malformed)
    }

    /// Invalid UTF-8 anywhere in the line, and NUL bytes: malformed.
    @Test(arguments: [
        [UInt8(0xC3), 0x28],  // bad continuation
        [0xC0, 0xAF],  // overlong
        [0xE0, 0x80, 0xAF],  // overlong
        [0xED, 0xA0, 0x80],  // an encoded surrogate
        [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
        [0xF5, 0x80, 0x80, 0x80],
        [0xFF],
        [0x80],  // a lone continuation byte
        [0xE2, 0x82],  // cut short
        [0x00],  // NUL
    ])
    func invalidBytes(bad: [UInt8]) {
        let (head, tail) = (Array(#"{"ts":"2026-11-23T21:04:05Z","event":"start","session_id":"s","viewer_id":"v"#.utf8),
                            Array(#"","title_id":"t"}"#.utf8))
        #expect(verdict(ndjson: head + bad + tail) == .malformed, "in a known field")
        let unknown = Array((String(Self.base.dropLast()) + #","x":""#).utf8) + bad + Array(#""}"#.utf8)
        #expect(verdict(ndjson: unknown) == .malformed, "in an unknown field")
        let key = Array((String(Self.base.dropLast()) + #",""#).utf8) + bad + Array(#"":1}"#.utf8)
        #expect(verdict(ndjson: key) == .malformed, "in a key")
        let outside = Array(Self.base.utf8) + bad
        #expect(verdict(ndjson: outside) == .malformed, "after the object")
    }

    // MARK: value kinds in fields of each type

    /// true/false/object/array: in a text field malformed, in a numeric field
    /// bad_number, in `ts` bad_timestamp.
    @Test(arguments: ["true", "false", "{}", #"{"a":1}"#, "[]", #"["x"]"#])
    func nonScalarValues(value: String) {
        for field in ["viewer_id", "session_id", "title_id", "event", "country", "device", "series_id", "event_id", "subtitle_lang"] {
            #expect(verdict(ndjson: JSONLine.start.with(field, value).text) == .malformed, "\(field)")
        }
        for field in ["from", "to", "position", "duration", "season", "episode"] {
            #expect(verdict(ndjson: JSONLine.start.with(field, value).text) == .badNumber, "\(field)")
        }
        #expect(verdict(ndjson: JSONLine.start.with("ts", value).text) == .badTimestamp)
    }

    /// A JSON number in a text field stands for its literal text.
    @Test(arguments: ["4242", "4.20", "-0", "1E5", "0.5e-3"])
    func numberInTextFieldIsItsLiteralText(number: String) throws {
        let line = JSONLine.start.with("viewer_id", number).with("device", number).with("event_id", number).text
        let (event, store) = try #require(acceptedEvent(ndjson: line))
        let attributes = store.attributes[Int(event.attributes)]
        #expect(Self.text(attributes.viewer, store) == number)
        #expect(Self.text(attributes.device, store) == number)
        #expect(store.eventIDs.string(event.eventID) == number)
    }

    /// `"event": 5` is the text "5": not a known event.
    @Test func numberAsEventIsIgnored() {
        #expect(verdict(ndjson: JSONLine.start.with("event", "5").text) == .ignoredEvent)
    }
}

/// `RawRecord.reset` fills the slots with zero bytes, which is only right
/// while an absent value is all zero bytes.
struct RawRecordResetTests {
    @Test func anAbsentValueIsZeroBytesAndResetClearsEverySlot() {
        var absent = RawValue.absent
        let zero = withUnsafeBytes(of: &absent) { bytes in
            (0..<MemoryLayout<RawValue>.size).allSatisfy { bytes[$0] == 0 }
        }
        #expect(zero)
        let record = RawRecord()
        let text = Array("x".utf8)
        text.withUnsafeBytes { bytes in
            for field in Field.allCases { record[field] = RawValue(kind: .number, bytes: bytes) }
        }
        record.reset()
        #expect(Field.allCases.allSatisfy { record[$0].kind == .absent && record[$0].bytes.count == 0 })
    }
}

/// The line scanner keeps one `ValidEvent` from line to line without
/// resetting it, which is right only while `validate` sets every field of
/// an accepted event. Checked through `Mirror`, so a field added later is
/// checked too: validating a sparse line after a full one must give what
/// validating it alone gives.
struct ValidEventReuseTests {
    static func validate(_ line: String, into event: inout ValidEvent) -> Bool {
        var parser = NDJSONParser()
        var validator = EventValidator()
        let record = RawRecord()
        let bytes = Array(line.utf8)
        return bytes.withUnsafeBytes { raw in
            parser.parse(raw, into: record) == nil && validator.validate(record, into: &event) == nil
        }
    }

    /// Each field as text (buffers by their bytes, numbers by their bits).
    static func fields(_ event: ValidEvent) -> [String] {
        Mirror(reflecting: event).children.map { child in
            if let bytes = child.value as? UnsafeRawBufferPointer { return "\(child.label ?? ""): \(Array(bytes))" }
            if let number = child.value as? Double { return "\(child.label ?? ""): \(number.bitPattern)" }
            return "\(child.label ?? ""): \(child.value)"
        }
    }

    @Test func aSparseLineAfterAFullOneLeavesNothingBehind() {
        let full = #"{"ts":"2026-11-23T21:04:05Z","event":"progress","session_id":"s1","viewer_id":"v1","title_id":"t1","from":1,"to":2,"position":2,"duration":90,"series_id":"sr","season":1,"episode":2,"country":"de","region":"DE-BE","device":"tv","audio_lang":"de","subtitle_lang":"en","event_id":"e1"}"#
        let sparse = #"{"ts":"2026-11-23T21:04:06Z","event":"start","session_id":"s2","viewer_id":"v2","title_id":"t2"}"#
        var reused = ValidEvent()
        #expect(Self.validate(full, into: &reused))
        #expect(Self.validate(sparse, into: &reused))
        var alone = ValidEvent()
        #expect(Self.validate(sparse, into: &alone))
        #expect(Self.fields(reused) == Self.fields(alone))
        #expect(Self.fields(alone).count >= 18)
    }
}
