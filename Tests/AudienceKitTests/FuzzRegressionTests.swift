import Foundation
import Testing

@testable import AudienceMetrics
@testable import AudienceKit

// The fuzz harness's checks (`FuzzTarget`) replayed on every committed input:
// the corpus in Fuzz/Corpus/<target>/ and every crash the fuzzer found, in
// Fuzz/Crashes/<target>/. Then one named test per crash, saying what was wrong.
// See docs/fuzzing.md.

private let fuzzFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fuzz")

/// The committed inputs of one target, by file name.
private func committedInputs(_ target: FuzzTarget, in folder: String) -> [(String, [UInt8])] {
    let directory = fuzzFolder.appendingPathComponent(folder).appendingPathComponent(target.rawValue)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.sorted().compactMap { name in
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else {
            return nil
        }
        return (name, Array(data))
    }
}

@Test(arguments: FuzzTarget.allCases)
func fuzzCorpusStillPasses(_ target: FuzzTarget) {
    let inputs = committedInputs(target, in: "Corpus")
    #expect(!inputs.isEmpty, "no corpus for \(target.rawValue)")
    for (name, bytes) in inputs {
        let failure = target.run(bytes)
        #expect(failure == nil, "Fuzz/Corpus/\(target.rawValue)/\(name): \(failure ?? "")")
    }
}

@Test(arguments: FuzzTarget.allCases)
func fuzzCrashesStayFixed(_ target: FuzzTarget) {
    for (name, bytes) in committedInputs(target, in: "Crashes") {
        let failure = target.run(bytes)
        #expect(failure == nil, "Fuzz/Crashes/\(target.rawValue)/\(name): \(failure ?? "")")
    }
}

/// Fuzz/Crashes/options/crash-9de5…: `--timezone +19:00` is accepted, but a
/// day's first instant was searched only 18 hours either side of local
/// midnight, so every day started 18 hours before its local midnight, not 19.
@Test func dayStartsAtLocalMidnightForOffsetsBeyondEighteenHours() throws {
    for (text, hours) in [("+19:00", 19), ("-23:59", -23), ("+23", 23)] {
        let zone = try #require(ReportTimeZone(text))
        let midnight: Int64 = 10_957 * 86_400_000  // 2000-01-01 on the local clock
        let minutes = text.hasSuffix(":59") ? -59 : 0
        let offset = Int64(hours * 60 + minutes) * 60_000
        #expect(zone.firstInstant(atOrAfterLocal: midnight) == midnight - offset, "\(text)")
    }
}

/// Fuzz/Crashes/gzip/crash-13b2…: a gzip member whose content starts with
/// gzip's own magic. The engine reads what a member inflates to as text (one
/// malformed line) and never inflates it again; the check's reference, the
/// content read on its own, was sniffed as gzip, so the check compared the
/// two wrongly. The reading itself is right.
@Test func aMemberHoldingGzipMagicIsReadAsText() throws {
    let inner: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0xBD, 0xBD, 0xA8, 0xFF] + Array(" ts\nKp".utf8)
    let file = FuzzTarget.gzipMember(inner[...], level: 6)
    let reading = FuzzTarget.read(file, name: "fuzz.jsonl.gz")
    #expect(reading.quality.damage == nil)
    #expect(reading.quality.lines == 2)
    #expect(reading.quality.accepted == 0)
    #expect(FuzzTarget.gzip.run([0x81, 0x00, 0x07] + inner) == nil)
}
