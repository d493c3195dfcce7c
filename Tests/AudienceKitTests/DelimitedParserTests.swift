import Foundation
import Testing

@testable import AudienceReading
@testable import AudienceKit

/// viewing-events.md, CSV (RFC 4180, one record per line) and TSV (no
/// quoting): header row, columns in any order, unknown columns ignored, the
/// last of two same-named columns wins, broken quoting and wrong column
/// counts are malformed, repeated header lines are skipped uncounted.
@Suite struct DelimitedParserTests {
    static let header = "ts,event,session_id,viewer_id,title_id,device"
    static let row = "2026-11-23T21:04:05Z,start,s1,v1,t1,tv"

    /// Reads `text` (one file) and returns the stored events' values of
    /// session, viewer and device.
    static func values(_ result: Read) -> [[String]] {
        let store = result.store
        return store.events.map { event in
            let view = store.views[Int(event.view)]
            let attributes = store.attributes[Int(event.attributes)]
            return [store.strings.string(view.session), store.strings.string(attributes.viewer),
                    store.strings.string(attributes.device)]
        }
    }

    @Test(arguments: chunkSizes)
    func plainRows(chunkSize: Int) {
        let result = read(Self.header + "\n" + Self.row + "\n" + Self.row, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 2, accepted: 2))
        #expect(Self.values(result) == [["s1", "v1", "tv"], ["s1", "v1", "tv"]])
    }

    /// Quoted fields may hold commas and doubled quotes; an empty quoted
    /// field is absent; values are trimmed inside the quotes too.
    @Test func quotedFields() {
        let text = Self.header + "\n" + #""2026-11-23T21:04:05Z","start","s,1","v""1","t1"," tv ""s""""# + "\n"
        let result = read(text)
        #expect(result.tally == Tally(lines: 1, accepted: 1))
        #expect(Self.values(result) == [["s,1", "v\"1", "tv \"s\""]])
        #expect(verdict(header: Self.header, row: #"2026-11-23T21:04:05Z,start,s1,"",t1,tv"#) == .missingField)
    }

    /// Columns in any order, unknown columns (whatever they hold) ignored.
    @Test func columnsInAnyOrderAndUnknownColumns() {
        let header = "device,junk,title_id,Event,viewer_id,event,x y,ts,session_id"
        let row = #"tv,[1,2],t1,bogus,v1,start,{"a":true},2026-11-23T21:04:05Z,s1"#
        // Unquoted, `[1,2]` is two fields (10 where the header has 9) and
        // `{"a":true}` has quotes inside an unquoted field: malformed.
        #expect(verdict(header: header, row: row) == .malformed)
        let fitting = #"tv,"[1,2]",t1,bogus,v1,start,"{""a"":true}",2026-11-23T21:04:05Z,s1"#
        let result = read(header + "\n" + fitting + "\n")
        #expect(result.tally == Tally(lines: 1, accepted: 1))  // `Event` is not `event`: names are case-sensitive
        #expect(Self.values(result) == [["s1", "v1", "tv"]])
    }

    /// In CSV every value is text: `true` is the text "true".
    @Test func textThatLooksLikeJSONIsText() {
        let result = read(Self.header + "\n2026-11-23T21:04:05Z,start,s1,v1,t1,true\n")
        #expect(Self.values(result) == [["s1", "v1", "true"]])
    }

    /// Column names are trimmed; a BOM before the header is skipped.
    @Test(arguments: chunkSizes)
    func headerWithByteOrderMarkAndSpaces(chunkSize: Int) {
        let text = "\u{FEFF} ts , event,  session_id ,viewer_id,title_id,device\r\n" + Self.row + "\r\n"
        let result = read(text, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 1, accepted: 1))
        #expect(Self.values(result) == [["s1", "v1", "tv"]])
    }

    /// A header naming a column twice: the last such column wins, even when
    /// the earlier one holds something invalid.
    @Test func duplicateHeaderColumnLastWins() {
        let header = "device,ts,event,session_id,viewer_id,title_id,device,position,position"
        let result = read(header + "\nweb,2026-11-23T21:04:05Z,start,s1,v1,t1,tv,abc,5\n")
        #expect(result.tally == Tally(lines: 1, accepted: 1))
        #expect(Self.values(result) == [["s1", "v1", "tv"]])
        #expect(result.store.events.first?.position == 5)
        #expect(verdict(header: header, row: "web,2026-11-23T21:04:05Z,start,s1,v1,t1,tv,5,abc") == .badNumber)
        #expect(verdict(header: header, row: "web,2026-11-23T21:04:05Z,start,s1,v1,t1,,5,") == .accepted)
    }

    /// A header without a required column: every row lacks that field, so it
    /// is missing_field unless an earlier check of the order decides.
    @Test func headerLacksRequiredColumn() {
        let header = "ts,event,session_id,title_id"
        let rows = [
            "2026-11-23T21:04:05Z,start,s1,t1",  // missing viewer_id
            "2026-11-23T21:04:05Z,bogus,s1,t1",  // unknown event comes first: ignored_event
            "garbage,start,s1,t1",  // missing_field before bad_timestamp
            "2026-11-23T21:04:05Z,,s1,t1",  // event absent: missing_field
            "2026-11-23T21:04:05Z,start,s1",  // wrong column count: malformed first
        ]
        let result = read(header + "\n" + rows.joined(separator: "\n") + "\n")
        #expect(result.tally == Tally(lines: 5, ignoredEvent: 1, malformed: 1, missingField: 3))
    }

    @Test(arguments: [
        "2026-11-23T21:04:05Z,start,s1,v1,t1",  // too few
        "2026-11-23T21:04:05Z,start,s1,v1,t1,tv,",  // too many (a trailing delimiter)
        "2026-11-23T21:04:05Z,start,s1,v1,t1,tv,extra",
        "2026-11-23T21:04:05Z",
        ",,,,,,",
    ])
    func wrongColumnCount(row: String) {
        #expect(verdict(header: Self.header, row: row) == .malformed)
    }

    /// Broken quoting: unclosed, a quote inside an unquoted field, text after
    /// a closing quote, spaces outside the quotes; and NUL bytes.
    @Test(arguments: [
        #"2026-11-23T21:04:05Z,start,s1,v1,t1,"tv"#,  // unclosed
        #""2026-11-23T21:04:05Z,start,s1,v1,t1,tv"#,  // unclosed, swallowing the rest
        #"2026-11-23T21:04:05Z,start,s1,v1,t1,t"v"#,  // quote inside an unquoted field
        #"2026-11-23T21:04:05Z,start,s1,v1,t1,tv""#,
        #"2026-11-23T21:04:05Z,start,s1,v1,t1,"tv"x"#,  // text after the closing quote
        #"2026-11-23T21:04:05Z,start,s1,v1,t1,"t"v""#,
        #"2026-11-23T21:04:05Z,start,s1,v1,t1, "tv""#,  // ` "tv"`
        #"2026-11-23T21:04:05Z,start,s1,v1,t1,"tv" "#,  // `"tv" `
        #"2026-11-23T21:04:05Z,start,s1, "v1",t1,tv"#,
        #"2026-11-23T21:04:05Z,start,s1,"v1" ,t1,tv"#,
        "2026-11-23T21:04:05Z,start,s1,v1,t1,t\u{0}v",  // NUL
        "2026-11-23T21:04:05Z,start,s1,v1\u{0},t1,tv",
    ])
    func brokenQuotingAndNUL(row: String) {
        #expect(verdict(header: Self.header, row: row) == .malformed)
    }

    @Test func invalidUTF8InARow() {
        let bytes = Array((Self.header + "\n2026-11-23T21:04:05Z,start,s1,v1,t1,t").utf8) + [0xC3, 0x28, 0x0A]
        #expect(read(bytes).tally == Tally(lines: 1, malformed: 1))
    }

    /// An unknown column's broken quoting breaks the whole line too.
    @Test func brokenQuotingInAnUnknownColumn() {
        #expect(verdict(header: Self.header + ",junk", row: Self.row + #",a"b"#) == .malformed)
    }

    /// A quoted field cannot hold a line break: the quote is never closed on
    /// its line, and the next line is a record of its own.
    @Test func quotedFieldCannotSpanLines() {
        let text = Self.header + "\n" + #"2026-11-23T21:04:05Z,start,s1,v1,t1,"t"# + "\n" + #"v""# + "\n" + Self.row + "\n"
        // Line 1: unclosed quote, malformed. Line 2 `v"`: one field (and a
        // quote inside an unquoted field), malformed. Line 3: accepted.
        #expect(read(text).tally == Tally(lines: 3, accepted: 1, malformed: 2))
    }

    /// Empty fields are absent; surrounding spaces and tabs are trimmed.
    @Test func emptyAndPaddedFields() {
        let header = Self.header + ",position,country"
        let result = read(header + "\n 2026-11-23T21:04:05Z ,\tstart\t, s1 ,v1,t1, tv ,, kr \n")
        #expect(result.tally == Tally(lines: 1, accepted: 1))
        #expect(Self.values(result) == [["s1", "v1", "tv"]])
        let event = result.store.events[0]
        #expect(event.position.isNaN)
        #expect(result.store.strings.string(result.store.attributes[Int(event.attributes)].country) == "KR")
    }

    /// Any CSV field is a string: numbers follow the string grammar.
    @Test(arguments: [("1830.5", Verdict.accepted), ("01", .accepted), ("+5", .accepted), ("-0", .accepted),
                      ("1.5e3", .accepted), (".5", .badNumber), ("5.", .badNumber), ("NaN", .badNumber),
                      (#""1,5""#, .badNumber), ("12 s", .badNumber), ("0x10", .badNumber), ("-5", .badSegment)])
    func numbersInCSV(value: String, expected: Verdict) {
        #expect(verdict(header: Self.header + ",position", row: Self.row + "," + value) == expected)
    }

    // MARK: TSV

    static let tsvHeader = "ts\tevent\tsession_id\tviewer_id\ttitle_id\tdevice"

    /// TSV has no quoting: `"tv"` is the four characters, commas are text.
    @Test(arguments: chunkSizes)
    func tsvHasNoQuoting(chunkSize: Int) {
        let text = Self.tsvHeader + "\n2026-11-23T21:04:05Z\tstart\t\"s,1\"\tv\"1\tt1\t\"tv\"\n"
        let result = read(text, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 1, accepted: 1))
        #expect(Self.values(result) == [["\"s,1\"", "v\"1", "\"tv\""]])
    }

    @Test func tsvWrongColumnCountAndNUL() {
        let text = Self.tsvHeader + "\n2026-11-23T21:04:05Z\tstart\ts1\tv1\tt1\n"
            + "2026-11-23T21:04:05Z\tstart\ts1\tv1\tt1\ttv\textra\n"
            + "2026-11-23T21:04:05Z\tstart\ts1\tv1\tt1\tt\u{0}v\n"
            + "2026-11-23T21:04:05Z\tstart\ts1\tv1\tt1\ttv\n"
        #expect(read(text).tally == Tally(lines: 4, accepted: 1, malformed: 3))
    }

    /// A header with a tab is TSV even when it has commas too.
    @Test func tabInHeaderMeansTSV() {
        let text = "ts\tevent\tsession_id\tviewer_id\ttitle_id\tdevice,x\n2026-11-23T21:04:05Z\tstart\ts1\tv1\tt1\ta,b\n"
        let result = read(text)
        #expect(result.tally == Tally(lines: 1, accepted: 1))
    }

    // MARK: repeated headers

    /// Lines identical to the header (with or without a BOM, also with CRLF)
    /// are skipped and not counted; a line that merely resembles it is a
    /// counted line (here: event "event" is unknown).
    @Test(arguments: chunkSizes, [",", "\t"])
    func repeatedHeadersAreSkipped(chunkSize: Int, delimiter: String) {
        let header = Self.header.replacingOccurrences(of: ",", with: delimiter)
        let row = Self.row.replacingOccurrences(of: ",", with: delimiter)
        let bom = "\u{FEFF}"
        let text = bom + header + "\r\n" + row + "\n" + header + "\n" + row + "\r\n" + bom + header + "\n"
            + row + "\n" + header + "\r\n" + header + " \n" + row
        // Counted: the 4 rows and `header + " "` (trimmed values: event
        // "event" is not a known event).
        let result = read(text, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 5, accepted: 4, ignoredEvent: 1))
    }

    /// A BOM before a line that is not the header is text of that line.
    @Test func byteOrderMarkBeforeARowIsNotAHeader() {
        let text = Self.header + "\n\u{FEFF}" + Self.row + "\n"
        // The BOM is part of `ts`: it does not parse.
        #expect(read(text).tally == Tally(lines: 1, badTimestamp: 1))
    }

    /// A header-only file has no lines.
    @Test func headerOnly() {
        #expect(read(Self.header + "\n").tally == Tally())
        #expect(read(Self.header).tally == Tally())
    }
}
