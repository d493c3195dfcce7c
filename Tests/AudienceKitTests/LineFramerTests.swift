import Testing

@testable import AudienceReading
@testable import AudienceKit

/// Collects what a `LineFramer` hands over.
struct CollectingConsumer: LineConsumer {
    var lines: [[UInt8]] = []
    var numbers: [Int] = []

    mutating func consume(line: UnsafeRawBufferPointer, number: Int) {
        lines.append(Array(line))
        numbers.append(number)
    }
}

/// viewing-events.md: lines end in `\n` or `\r\n` (a lone `\r` is text); a
/// BOM at the start of the content is skipped, one anywhere else belongs to
/// its line; blank lines are skipped and not counted; the last line needs no
/// final newline; a line of 8 MiB must work.
@Suite struct LineFramerTests {
    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Frames `bytes` handed over in pieces cut at `cuts`.
    static func frame(_ bytes: [UInt8], cuts: [Int] = [], keepPartialLine: Bool = true) -> CollectingConsumer {
        var framer = LineFramer(consumer: CollectingConsumer())
        bytes.withUnsafeBytes { all in
            var start = 0
            for cut in cuts.map({ min($0, bytes.count) }).sorted() + [bytes.count] where cut >= start {
                framer.consume(UnsafeRawBufferPointer(rebasing: all[start..<cut]))
                start = cut
            }
        }
        framer.finish(keepPartialLine: keepPartialLine)
        return framer.consumer
    }

    /// The plainly correct answer: drop one leading BOM, split at `\n`, drop
    /// one `\r` before each `\n`, keep an unterminated last piece as is.
    static func oracle(_ bytes: [UInt8]) -> [[UInt8]] {
        var content = bytes[...]
        if content.starts(with: bom) { content = content.dropFirst(3) }
        var pieces = content.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
        let last = pieces.removeLast()  // after the last `\n` (or everything when none)
        var lines = pieces.map { $0.last == 0x0D ? Array($0.dropLast()) : $0 }
        if !last.isEmpty { lines.append(last) }
        return lines
    }

    static func text(_ lines: [[UInt8]]) -> [String] {
        lines.map { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: the framer alone

    @Test(arguments: [
        ("a\nb\r\nc", ["a", "b", "c"]),
        ("a\nb\n", ["a", "b"]),
        ("a\rb\n", ["a\rb"]),  // a lone \r is text
        ("a\r\r\n", ["a\r"]),  // only the \r right before \n belongs to the line end
        ("a\r", ["a\r"]),  // no \n follows, so the \r is text
        ("\r\n\n", ["", ""]),
        ("", []),
        ("\n", [""]),
        ("x", ["x"]),
    ])
    func lineEnds(input: String, expected: [String]) {
        let bytes = Array(input.utf8)
        for cuts in [[], Array(0...bytes.count), [1], [2]] {
            let framed = Self.frame(bytes, cuts: cuts)
            #expect(Self.text(framed.lines) == expected, "cuts \(cuts)")
            #expect(framed.numbers == Array(stride(from: 1, through: expected.count, by: 1)))
        }
    }

    /// A BOM at the start is skipped, also when it arrives a byte at a time.
    @Test(arguments: [[Int](), [1], [2], [1, 2], [3], [1, 2, 3, 4]])
    func byteOrderMarkAtStartIsSkipped(cuts: [Int]) {
        let framed = Self.frame(Self.bom + Array("ab\ncd".utf8), cuts: cuts)
        #expect(Self.text(framed.lines) == ["ab", "cd"])
    }

    /// Only the first BOM is skipped; one elsewhere belongs to its line; an
    /// incomplete mark at the start is text.
    @Test(arguments: [[Int](), [1], [2], [4], [5]])
    func byteOrderMarkElsewhereIsText(cuts: [Int]) {
        #expect(Self.frame(Self.bom + Self.bom + [0x61], cuts: cuts).lines == [Self.bom + [0x61]])
        #expect(Self.frame([0x61, 0x0A] + Self.bom + [0x62], cuts: cuts).lines == [[0x61], Self.bom + [0x62]])
        #expect(Self.frame([0xEF, 0xBB, 0x61, 0x0A], cuts: cuts).lines == [[0xEF, 0xBB, 0x61]])
        #expect(Self.frame([0xEF, 0x61], cuts: cuts).lines == [[0xEF, 0x61]])
    }

    /// `keepPartialLine: false` (after damage) drops the unterminated rest.
    @Test func partialLineDroppedOnRequest() {
        let framed = Self.frame(Array("a\nb\ncut".utf8), cuts: [5], keepPartialLine: false)
        #expect(Self.text(framed.lines) == ["a", "b"])
    }

    /// Drip feeding against the oracle: random contents over an alphabet rich
    /// in line ends and BOM bytes, cut at random places.
    @Test func randomSplitsMatchOracle() {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("LineFramerTests.randomSplitsMatchOracle seed \(seed)")
        var generator = SeededGenerator(seed: seed)
        let alphabet: [[UInt8]] = [[0x61], [0x62], [0x0A], [0x0D], [0x0D, 0x0A], [0x20], [0xEF], [0xBB], [0xBF], Self.bom]
        for round in 0..<2000 {
            var bytes: [UInt8] = Bool.random(using: &generator) ? Self.bom : []
            for _ in 0..<Int.random(in: 0...30, using: &generator) {
                bytes += alphabet.randomElement(using: &generator)!
            }
            let cuts = (0..<Int.random(in: 0...6, using: &generator)).map { _ in
                Int.random(in: 0...bytes.count, using: &generator)
            }
            // Content that is nothing but the start of a mark has its own test.
            if bytes == [0xEF] || bytes == [0xEF, 0xBB] { continue }
            let framed = Self.frame(bytes, cuts: cuts)
            #expect(framed.lines == Self.oracle(bytes), "seed \(seed) round \(round) bytes \(bytes) cuts \(cuts)")
        }
    }

    /// Content that ends inside what could have been a BOM: those bytes
    /// were no mark, so they are text (a line), not silently dropped.
    @Test(arguments: [[UInt8(0xEF)], [0xEF, 0xBB]])
    func incompleteByteOrderMarkAtEndIsText(bytes: [UInt8]) {
        #expect(Self.frame(bytes).lines == [bytes])
        #expect(Self.frame(bytes, cuts: [1]).lines == [bytes])
    }

    // MARK: through the whole reader

    static let one = JSONLine.start.with("event_id", #""e1""#).text
    static let two = JSONLine.start.with("event_id", #""e2""#).text

    @Test(arguments: chunkSizes)
    func crlfAndLfAndNoFinalNewline(chunkSize: Int) {
        let result = read(Self.one + "\r\n" + Self.two + "\n" + Self.one + "\r\n" + Self.two, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 4, accepted: 4))
    }

    /// `{...}\r{...}` is one line (a lone `\r` is no line end), and two
    /// objects on one line are malformed.
    @Test(arguments: chunkSizes)
    func loneCarriageReturnIsNoLineEnd(chunkSize: Int) {
        let result = read(Self.one + "\r" + Self.two + "\n", chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 1, malformed: 1))
    }

    /// In CSV, CRLF's `\r` is not part of the last field.
    @Test(arguments: chunkSizes)
    func crlfInCSVIsNotInTheLastField(chunkSize: Int) {
        let result = read("ts,event,session_id,viewer_id,title_id,device\r\n2026-11-23T21:04:05Z,start,s,v,t,tv\r\n", chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 1, accepted: 1))
        #expect(result.store.strings.string(result.store.attributes[0].device) == "tv")
    }

    /// Blank lines (spaces and tabs only, or empty) are skipped and not
    /// counted, before the first line too.
    @Test(arguments: chunkSizes)
    func blankLinesAreNotCounted(chunkSize: Int) {
        let text = "\n  \t \r\n\n" + Self.one + "\n\n \n\t\t\n" + Self.two + "\r\n   "
        let result = read(text, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 2, accepted: 2))
    }

    @Test(arguments: [1, 2, 3, 7, 1 << 30])
    func byteOrderMarkAtStartOfNDJSON(chunkSize: Int) {
        let result = read(Self.bom + Array((Self.one + "\n" + Self.two).utf8), chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 2, accepted: 2))
    }

    /// A BOM at the start of a line other than the first: it belongs to the
    /// line, and an NDJSON line starting with it is malformed.
    @Test(arguments: chunkSizes)
    func byteOrderMarkOnALaterLineIsMalformedNDJSON(chunkSize: Int) {
        let bytes = Array((Self.one + "\n").utf8) + Self.bom + Array((Self.two + "\n").utf8)
        let result = read(bytes, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 2, accepted: 1, malformed: 1))
    }

    /// Two BOMs at the start: the second one belongs to the first line.
    @Test(arguments: chunkSizes)
    func secondByteOrderMarkAtStartIsText(chunkSize: Int) {
        let bytes = Self.bom + Self.bom + Array((Self.one + "\n" + Self.two + "\n").utf8)
        let result = read(bytes, chunkSize: chunkSize)
        // The first line starts with a BOM, so its first byte is 0xEF, not
        // `{`: the file is not NDJSON but a header row (with quotes inside
        // unquoted fields). Whether that header is then an error of the
        // file or the next line a malformed row, nothing is accepted; had
        // the second mark been skipped too, both lines would have been
        // accepted NDJSON.
        #expect(result.quality.accepted == 0)
        #expect(result.tally == Tally(lines: 1, malformed: 1) || (result.tally == Tally() && result.quality.damage != nil))
    }

    /// In a CSV data row a BOM is text of the first field (here `ts`).
    @Test(arguments: chunkSizes)
    func byteOrderMarkOnACSVRowIsText(chunkSize: Int) {
        let bytes = Array("ts,event,session_id,viewer_id,title_id\n".utf8) + Self.bom
            + Array("2026-11-23T21:04:05Z,start,s,v,t\n2026-11-23T21:04:05Z,start,s,v,t\n".utf8)
        let result = read(bytes, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 2, accepted: 1, badTimestamp: 1))
    }

    /// A line of more than 8 MiB (a huge unknown string field) is accepted.
    @Test(arguments: [7, 1 << 16, 1 << 30])
    func eightMebibyteLine(chunkSize: Int) {
        let padding = String(repeating: "x", count: 8 << 20)
        let long = JSONLine.start.with("padding", "\"\(padding)\"").with("event_id", #""long""#).text
        let result = read(Self.one + "\n" + long + "\n" + Self.two, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 3, accepted: 3))
        #expect(result.store.eventIDs.string(result.store.events[1].eventID) == "long")
    }

    /// From disk, lines cross the reader's 1 MiB chunks: a BOM, CRLF, blank
    /// lines, and no final newline; plain and gzipped.
    @Test(arguments: [false, true])
    func largeFileFromDisk(gzipped: Bool) throws {
        try withTemporaryFolder { folder in
            var text = "\u{FEFF}"
            var expected = 0
            var index = 0
            while text.utf8.count < 3 << 20 {
                text += JSONLine.start.with("event_id", "\"\(index)\"").with("pad", "\"\(String(repeating: "z", count: index % 997))\"").text
                text += index % 5 == 0 ? "\r\n \t\n" : "\n"
                expected += 1
                index += 1
            }
            text += JSONLine.start.with("event_id", #""last""#).text
            expected += 1
            let bytes = gzipped ? Gzip.member(text) : Array(text.utf8)
            let path = folder + (gzipped ? "/big.jsonl.gz" : "/big.jsonl")
            try write(bytes, to: path)
            let result = Reading.read([InputFile(name: "big", path: path)], settings: ReadSettings())
            #expect(Tally(result.files[0]) == Tally(lines: expected, accepted: expected))
            #expect(result.files[0].damage == nil)
            #expect(result.files[0].bytesRead == Int64(bytes.count))
        }
    }

    /// The same through gzip, and as an 8 MiB CSV row.
    @Test func eightMebibyteLineInGzippedCSV() {
        let padding = String(repeating: "y", count: 8 << 20)
        let csv = "ts,event,session_id,viewer_id,title_id,junk\n2026-11-23T21:04:05Z,start,s,v,t,\(padding)\n"
            + "2026-11-23T21:04:05Z,stop,s,v,t,\"\(padding)\"\n"
        let result = read(Gzip.member(csv), chunkSize: 1 << 16)
        #expect(result.tally == Tally(lines: 2, accepted: 2))
    }
}
