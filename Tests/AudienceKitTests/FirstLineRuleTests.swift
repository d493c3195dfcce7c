import Foundation
import Testing

@testable import AudienceReading
@testable import AudienceKit

// Input 1.2: a first line that is not a header does not turn a file named
// as NDJSON into a table; any other name, and standard input, keep it as
// the header row.

private let good = #"{"ts":"2026-11-23T20:00:00Z","event":"start","session_id":"s","viewer_id":"v","title_id":"T"}"#

/// The quality row and reasons of `text` read as one file called `name`,
/// through the single-file path and through the block pipeline (two threads,
/// one file; blocks of the default size and of a few bytes, so that the
/// first lines are decided across blocks), which must agree.
private func readBothWays(_ text: String, name: String) throws -> Read {
    try readBothWays(Array(text.utf8), name: name)
}

private func readBothWays(_ bytes: [UInt8], name: String, blockSizes: [Int] = [ReadSettings.defaultBlockSize, 1, 3, 40]) throws -> Read {
    let single = read(bytes, name: name)
    try withTemporaryFolder { folder in
        let path = folder + "/file"
        try write(bytes, to: path)
        for blockSize in blockSizes {
            let context = "\(name), blocks of \(blockSize), content starting \(Array(bytes.prefix(120)))"
            let blocks = Reading.read(
                [InputFile(name: name, path: path)],
                settings: ReadSettings(rejectSampleLimit: 1000, threads: 2, blockSize: blockSize))
            #expect(blocks.files.count == 1)
            #expect(Tally(blocks.files[0]) == single.tally, "block pipeline disagrees: \(context)")
            #expect(blocks.files[0].damage == single.quality.damage, "\(context)")
            #expect(blocks.samples.map(\.line) == single.samples.map(\.line), "\(context)")
            #expect(blocks.samples.map(\.reason) == single.samples.map(\.reason), "\(context)")
        }
    }
    return single
}

@Test(arguments: ["a.jsonl", "a.ndjson", "a.json", "A.JSONL", "logs/a.Json.Gz", "a.ndjson.gz"])
func junkFirstLineOfNDJSONNameIsMalformed(name: String) throws {
    for first in ["oops", #"d":"x","ts":"2026-11-23T20:00:00Z"}"#, "\u{00}bad", "a,\"b", "ts_, eventx", "\u{FF}"] {
        let result = try readBothWays(first + "\n" + good + "\n" + good.replacingOccurrences(of: "\"s\"", with: "\"s2\"") + "\n", name: name)
        #expect(result.quality.damage == nil, "\(first)")
        #expect(result.tally.lines == 3, "\(first)")
        #expect(result.tally.accepted == 2, "\(first)")
        #expect(result.tally.malformed == 1, "\(first)")
        #expect(result.samples.first?.line == 1)
    }
}

@Test func blankLinesBeforeTheJunkKeepTheirNumbers() throws {
    let result = try readBothWays("\n  \n" + "cut-off\n" + good + "\n", name: "x.jsonl")
    #expect(result.tally.lines == 2)
    #expect(result.samples.map(\.line) == [3])
}

@Test(arguments: ["a.csv", "a.tsv", "a.gz", "a.jsonl.txt", "-", "ajsonl", "a.json.gz.bak"])
func otherNamesKeepTheFirstLineAsHeader(name: String) throws {
    let result = try readBothWays("oops\n" + good + "\n", name: name)
    // "oops" is the header: the JSON line has the wrong number of columns.
    #expect(result.quality.damage == nil)
    #expect(result.tally.lines == 1)
    #expect(result.tally.malformed == 1)
}

@Test(arguments: ["a.csv", "-"])
func otherNamesKeepABrokenHeaderAsFileError(name: String) throws {
    let result = try readBothWays("a,\"b\n" + good + "\n", name: name)
    #expect(result.quality.damage == FileDamage(.malformedHeader(line: 1)))
    #expect(result.tally.lines == 0)
}

@Test func aRealHeaderInAJSONNamedFileIsStillAHeader() throws {
    let csv = "ts,event,session_id,viewer_id,title_id\n2026-11-23T20:00:00Z,start,s,v,T\n"
    let result = try readBothWays(csv, name: "mislabelled.jsonl")
    #expect(result.tally.accepted == 1)
    #expect(result.tally.lines == 1)
    // One known name among unknown ones is enough to be a header.
    let partly = try readBothWays("junk, event ,more\nx,start,y\n", name: "partly.jsonl")
    #expect(partly.tally.lines == 1)
    #expect(partly.tally.missingField == 1)
}

@Test func nameRule() {
    #expect(FormatSniffing.isNamedAsJSON("x.JSON"))
    #expect(FormatSniffing.isNamedAsJSON("dir.csv/x.ndjson.GZ"))
    #expect(!FormatSniffing.isNamedAsJSON("x.gz"))
    #expect(!FormatSniffing.isNamedAsJSON("x.json.gz.gz"))
    #expect(!FormatSniffing.isNamedAsJSON("-"))
    #expect(!FormatSniffing.isNamedAsJSON("x.jsonl/"))
}

/// Shapes that used to cost memory or time out of proportion in the block
/// pipeline: many blank lines before the first line, and a first line of
/// several MiB arriving chunk by chunk. Both paths must count alike.
@Test(arguments: ["x.jsonl", "x.csv"])
func blankLinesAndLongFirstLinesThroughBothPaths(name: String) throws {
    let blanks = String(repeating: "\n  \t\n", count: 700_000)  // 3.4 MB of blank lines
    let withBlanks = try readBothWays(blanks + good + "\n" + good + "\n", name: name)
    #expect(withBlanks.tally.accepted == 2)
    #expect(withBlanks.tally.lines == 2)
    let junk = try readBothWays(blanks + "cut\n" + good + "\n", name: name)
    #expect(junk.samples.map(\.line) == [name == "x.jsonl" ? 1_400_001 : 1_400_002])
    let long = #"{"ts":"2026-11-23T20:00:00Z","event":"start","session_id":"s","viewer_id":"v","title_id":"T","x":""#
        + String(repeating: "a", count: 9 << 20) + #""}"#
    let withLong = try readBothWays("\n \r \n" + long + "\n" + good + "\n", name: name)
    // `{` decides whatever the name; the line with a carriage return counts.
    #expect(withLong.tally.lines == 3)
    #expect(withLong.tally.accepted == 2)
}

/// Random starts of files through both paths: byte-order marks (whole and
/// cut), blank lines, lines of carriage returns, headers, junk, JSON lines
/// and arrays, repeated headers, with and without a last line end. The
/// block pipeline frames and decides with the same types as a file read
/// whole; this proves the blocks cut around them change nothing.
@Test func randomFileStartsReadAlikeThroughBothPaths() throws {
    let seed = UInt64.random(in: 0...UInt64.max)
    print("randomFileStartsReadAlikeThroughBothPaths seed \(seed)")
    var generator = SeededGenerator(seed: seed)
    let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    let header = "ts,event,session_id,viewer_id,title_id"
    let lines: [[UInt8]] = [
        [], Array("  \t".utf8), [0x0D], [0x0D, 0x20, 0x0D], Array(good.utf8), Array(header.utf8),
        bom + Array(header.utf8), Array("2026-11-23T20:00:00Z,start,s,v,T".utf8), Array("oops".utf8),
        Array("[1,".utf8), Array(" [".utf8), Array("a,\"b".utf8), [0xFF], bom, [0xEF, 0xBB],
    ]
    for name in ["x.jsonl", "x.csv"] {
        for _ in 0..<150 {
            var bytes: [UInt8] = Int.random(in: 0..<4, using: &generator) == 0 ? bom : []
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                bytes += lines.randomElement(using: &generator) ?? []
                bytes += Bool.random(using: &generator) ? [0x0A] : [0x0D, 0x0A]
            }
            if Bool.random(using: &generator) { bytes += lines.randomElement(using: &generator) ?? [] }
            _ = try readBothWays(bytes, name: name, blockSizes: [1, 2, 5, 17, ReadSettings.defaultBlockSize])
        }
    }
}
