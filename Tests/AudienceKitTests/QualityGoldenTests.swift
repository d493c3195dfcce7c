import Foundation
import Testing

@testable import AudienceReading
@testable import AudienceMetrics
@testable import AudienceKit

/// metrics.md, "quality.csv": one row per input file in input order, then
/// TOTAL; `duplicate` only in TOTAL; `error` the file-level error. Compared
/// byte for byte with tables written by hand.
@Suite struct QualityGoldenTests {
    static let header = "file,bytes_read,lines,accepted,ignored_event,malformed,missing_field,bad_timestamp,bad_number,bad_segment,duplicate,error\n"

    /// logs/a.jsonl: 6 counted lines (a blank one is not):
    ///   start s1            accepted
    ///   progress s1 0→60    accepted
    ///   start s1 again      accepted (a duplicate, counted in TOTAL)
    ///   `{"ts":`            malformed
    ///   event heartbeat     ignored_event
    ///   no viewer_id        missing_field
    static let a = [
        #"{"ts":"2026-11-23T21:04:05Z","event":"start","session_id":"s1","viewer_id":"v1","title_id":"t1"}"#,
        #"{"ts":"2026-11-23T21:04:35Z","event":"progress","session_id":"s1","viewer_id":"v1","title_id":"t1","from":0,"to":60}"#,
        #"{"ts":"2026-11-23T21:04:05Z","event":"start","session_id":"s1","viewer_id":"v1","title_id":"t1"}"#,
        "  ",
        #"{"ts":"#,
        #"{"ts":"2026-11-23T21:04:05Z","event":"heartbeat","session_id":"s1","viewer_id":"v1","title_id":"t1"}"#,
        #"{"ts":"2026-11-23T21:04:05Z","event":"start","session_id":"s1","title_id":"t1"}"#,
    ].joined(separator: "\n") + "\n"

    /// logs/b.csv.gz (CRLF, a BOM, a repeated header): 4 counted lines:
    ///   progress 60→120                 accepted
    ///   pause with position `abc`       bad_number
    ///   progress 120→100                bad_segment
    ///   (the header again: skipped)
    ///   start s1 at the same ts as a.jsonl's start, no from/to/position:
    ///                                   accepted (a duplicate across files)
    static let b = "\u{FEFF}" + [
        "ts,event,session_id,viewer_id,title_id,from,to,position",
        "2026-11-23T21:05:05Z,progress,s1,v1,t1,60,120,",
        "2026-11-23T21:06:05Z,pause,s1,v1,t1,,,abc",
        "2026-11-23T21:06:05Z,progress,s1,v1,t1,120,100,",
        "ts,event,session_id,viewer_id,title_id,from,to,position",
        "1795467845,start,s1,v1,t1,,,",
    ].joined(separator: "\r\n") + "\r\n"

    /// logs/c.tsv: 3 counted lines:
    ///   start s2 (device `"tv"`)        accepted
    ///   ts `not-a-time`                 bad_timestamp
    ///   5 columns where the header has 6: malformed
    static let c = [
        "ts\tevent\tsession_id\tviewer_id\ttitle_id\tdevice",
        "1795467965\tstart\ts2\tv2\tt2\t\"tv\"",
        "not-a-time\tstart\ts2\tv2\tt2\ttv",
        "1795467965\tstart\ts2\tv2\tt2",
    ].joined(separator: "\n")

    /// logs/d.json: a JSON array, a file-level error; no line is read.
    static let d = "[\n" + #"{"ts":"2026-11-23T21:04:05Z","event":"start","session_id":"s9","viewer_id":"v9","title_id":"t9"}"# + "\n]\n"

    /// With 4 threads the four files go through the block pipeline: in
    /// blocks of the default size, and of a few bytes (every line, the BOM
    /// and the headers cut across blocks).
    @Test(arguments: [(1, ReadSettings.defaultBlockSize), (2, ReadSettings.defaultBlockSize),
                      (4, ReadSettings.defaultBlockSize), (4, 1), (4, 13)])
    func mixedFormats(threads: Int, blockSize: Int) throws {
        try withTemporaryFolder { folder in
            let bGz = Gzip.member(Self.b)
            try write(Self.a, to: folder + "/logs/a.jsonl")
            try write(bGz, to: folder + "/logs/b.csv.gz")
            try write(Self.c, to: folder + "/logs/c.tsv")
            try write(Self.d, to: folder + "/logs/d.json")
            let inputs = ["a.jsonl", "b.csv.gz", "c.tsv", "d.json"].map {
                InputFile(name: "logs/" + $0, path: folder + "/logs/" + $0)
            }
            let result = Reading.read(inputs, settings: ReadSettings(threads: threads, blockSize: blockSize))
            // Sizes of the plain files, by counting the literals above:
            // a.jsonl 96 + 1 + 116 + 1 + 96 + 1 + 2 + 1 + 6 + 1 + 100 + 1 + 79 + 1 = 502;
            // c.tsv 45 + 1 + 30 + 1 + 28 + 1 + 25 = 131 (no final newline);
            // d.json 2 + 96 + 1 + 2 = 101. The gzip size is whatever zlib wrote.
            let gz = bGz.count
            let expected = Self.header
                + "logs/a.jsonl,502,6,3,1,1,1,0,0,0,,\n"
                + "logs/b.csv.gz,\(gz),4,2,0,0,0,0,1,1,,\n"
                + "logs/c.tsv,131,3,1,0,1,0,1,0,0,,\n"
                + "logs/d.json,101,0,0,0,0,0,0,0,0,,\"JSON array, not NDJSON\"\n"
                + "TOTAL,\(502 + gz + 131 + 101),13,6,1,2,1,1,1,1,2,\n"
            let rendered = QualityTables.quality(result).rendered
            #expect(rendered == expected, "\n\(rendered)")
        }
    }

    /// A gzip file with trailing garbage: its error names the offset, and
    /// TOTAL's error stays empty.
    @Test func fileErrorInItsRowOnly() throws {
        try withTemporaryFolder { folder in
            let member = Gzip.member(JSONLine.start.text + "\n")
            try write(member + Array("junk".utf8), to: folder + "/e.jsonl.gz")
            let result = Reading.read([InputFile(name: "e.jsonl.gz", path: folder + "/e.jsonl.gz")], settings: ReadSettings())
            let rows = QualityTables.quality(result).rendered.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(rows.count == 4)  // header, file, TOTAL, and the empty string after the final newline
            #expect(rows[1].hasPrefix("e.jsonl.gz,\(member.count + 4),1,1,0,0,0,0,0,0,,"))
            #expect(rows[1].contains("\(member.count)"))
            #expect(rows[2] == "TOTAL,\(member.count + 4),1,1,0,0,0,0,0,0,0,")
            #expect(rows[3] == "")
        }
    }

    /// A file that cannot be read (here: gone since it was listed) is a row
    /// with an error and no lines, and the other files still count.
    @Test func unreadableFileIsReported() throws {
        try withTemporaryFolder { folder in
            try write(JSONLine.start.text + "\n", to: folder + "/ok.jsonl")
            let inputs = [
                InputFile(name: "gone.jsonl", path: folder + "/gone.jsonl"),
                InputFile(name: "ok.jsonl", path: folder + "/ok.jsonl"),
            ]
            let result = Reading.read(inputs, settings: ReadSettings(threads: 2))
            #expect(result.files.map(\.file) == ["gone.jsonl", "ok.jsonl"])
            #expect(Tally(result.files[0]) == Tally())
            #expect(result.files[0].damage != nil)
            #expect(Tally(result.files[1]) == Tally(lines: 1, accepted: 1))
            #expect(result.files[1].damage == nil)
            let rows = QualityTables.quality(result).rendered.split(separator: "\n")
            #expect(rows[1].hasPrefix("gone.jsonl,0,0,0,0,0,0,0,0,0,,") && rows[1].count > "gone.jsonl,0,0,0,0,0,0,0,0,0,,".count)
            #expect(rows[3] == "TOTAL,\(JSONLine.start.text.utf8.count + 1),1,1,0,0,0,0,0,0,0,")
        }
    }

    /// No input at all: just the header and TOTAL.
    @Test func noFiles() {
        let result = Reading.read([], settings: ReadSettings())
        #expect(QualityTables.quality(result).rendered == Self.header + "TOTAL,0,0,0,0,0,0,0,0,0,0,\n")
    }

    // MARK: the worked example

    /// `Tests/Fixtures/worked-example`: four messy logs and the tables an
    /// independent implementation computed for them.
    static let exampleFolder: String = {
        var root = URL(fileURLWithPath: #filePath)
        root.deleteLastPathComponent()  // …/Tests/AudienceKitTests/<file> → …/Tests/AudienceKitTests
        return root.appendingPathComponent("../Fixtures/worked-example").standardized.path
    }()

    /// Every expected table, every expected column of every expected row,
    /// cell for cell, read as `audience analyze logs` inside that folder
    /// names its files (`logs/<file>`).
    @Test(arguments: [1, 2])
    func workedExample(threads: Int) throws {
        let folder = Self.exampleFolder
        let names = try FileManager.default.contentsOfDirectory(atPath: folder + "/logs")
            .filter { !$0.hasPrefix(".") && InputDiscovery.isLogFileName($0) }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(names.count == 4)
        let inputs = names.map { InputFile(name: "logs/" + $0, path: folder + "/logs/" + $0) }
        let settings = AnalysisSettings(inputs: inputs, read: ReadSettings(threads: threads), reportLevel: nil)
        var written: [String: String] = [:]
        for output in Analyzer.outputs(Analyzer.run(settings)) { written[output.name] = output.text }
        let expectedTables = try FileManager.default.contentsOfDirectory(atPath: folder + "/expected")
            .filter { $0.hasSuffix(".csv") }.sorted()
        #expect(expectedTables.count == 11)
        for table in expectedTables {
            let expected = try String(contentsOfFile: folder + "/expected/" + table, encoding: .utf8)
            let got = try #require(written[table], "\(table) not written")
            let want = Self.rows(expected), have = Self.rows(got)
            #expect(want.count == have.count, "\(table): \(have.count) rows, expected \(want.count)")
            for (index, (wantRow, haveRow)) in zip(want, have).enumerated() {
                for (column, value) in wantRow where haveRow[column] != value {
                    Issue.record("\(table) row \(index + 1) \(column): \(haveRow[column] ?? "missing"), expected \(value)")
                }
            }
        }
    }

    /// A table's rows by column name (the example's cells hold no commas or quotes).
    static func rows(_ csv: String) -> [[String: String]] {
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: true)
        guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) else {
            return []
        }
        return lines.dropFirst().map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Dictionary(zip(header, cells), uniquingKeysWith: { _, last in last })
        }
    }
}
