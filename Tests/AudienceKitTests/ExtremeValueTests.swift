import Foundation
import Testing

@testable import AudienceReading
@testable import AudienceMetrics
@testable import AudienceReport
@testable import AudienceOutput
@testable import AudienceKit

// Values the contract accepts, however extreme, never stop a run: every
// table and every report level is written for each.

/// One view of `title` played from 0 to `to` with the given duration, and a
/// second viewer's view, so correlations and charts have something to draw.
private func lines(duration: String, to: String) -> [String] {
    ["a", "b"].map { viewer in
        #"{"ts":"2026-11-23T20:00:00Z","event":"progress","session_id":"s-\#(viewer)","viewer_id":"\#(viewer)","title_id":"T","from":0,"to":\#(to),"duration":\#(duration)}"#
    }
}

private func writeEveryOutput(_ lines: [String], catalog: String?) throws -> [String: String] {
    try withTemporaryFolder { folder in
        let path = folder + "/events.jsonl"
        try write(lines.joined(separator: "\n") + "\n", to: path)
        let loaded = try catalog.map { try Catalog(bytes: Array($0.utf8), path: "catalog.csv") }
        var files: [String: String] = [:]
        for level in ReportLevel.allCases {
            let settings = AnalysisSettings(
                inputs: [InputFile(name: "events.jsonl", path: path)], read: ReadSettings(threads: 1),
                metrics: MetricSettings(buckets: 10, catalog: loaded), reportLevel: level)
            for output in Analyzer.outputs(Analyzer.run(settings)) { files[output.name] = output.text }
        }
        return files
    }
}

@Test(arguments: [("1e25", "1e25"), ("1e308", "1e308"), ("1.7976931348623157e308", "60"), ("5e-324", "1"),
                  ("0.001", "1e300"), ("1e15", "9007199254740993")])
func extremeDurationsAreReported(duration: String, to: String) throws {
    let files = try writeEveryOutput(lines(duration: duration, to: to), catalog: nil)
    let report = try #require(files["report.md"])
    #expect(report.contains("T"))
    #expect(files["titles.csv"]?.split(separator: "\n").count == 2)
}

@Test(arguments: ["1e25", "1e308", "5e-324"])
func extremeCatalogRuntimesAreReported(runtime: String) throws {
    let catalog = "title_id,runtime_s,title_name\nT,\(runtime),Long one\nU,\(runtime),Nobody watched\n"
    let files = try writeEveryOutput(lines(duration: "60", to: "30"), catalog: catalog)
    #expect(files["report.md"]?.contains("Long one") == true)
    #expect(files["titles.csv"]?.split(separator: "\n").count == 3)
}

@Test func largeMinutesAreWholeMinutes() {
    #expect(Human.minutes(1e25 / 60).hasSuffix("min"))
    #expect(!Human.minutes(1e25 / 60).contains("s"))
    #expect(Human.minutes(2.5) == "2\u{00A0}min\u{00A0}30\u{00A0}s")
    #expect(Human.hours(1e300).hasSuffix("h"))
}

/// An id of a megabyte is valid input: the tables keep it whole, the report
/// and its charts cut it for people, so they stay small.
@Test func hugeIdsStayOutOfTheReport() throws {
    let id = String(repeating: "T", count: 1 << 20)
    let line = #"{"ts":"2026-11-23T20:00:00Z","event":"progress","session_id":"s","viewer_id":"v","title_id":"\#(id)","series_id":"\#(id)","season":1,"episode":1,"from":0,"to":50,"duration":100}"#
    let files = try writeEveryOutput([line], catalog: nil)
    #expect(files["titles.csv"]?.contains(id) == true)
    let report = try #require(files["report.md"])
    #expect(report.utf8.count < 200_000, "report.md is \(report.utf8.count) bytes")
    for (name, text) in files where name.hasPrefix("charts/") {
        #expect(text.utf8.count < 100_000, "\(name) is \(text.utf8.count) bytes")
    }
}

/// retention.csv is written a piece at a time; the file must be the text
/// the table renders whole (here a few megabytes, so several pieces).
@Test func streamedTablesMatchRenderedOnes() throws {
    let lines = (0..<3000).map { index in
        #"{"ts":"2026-11-23T20:00:00Z","event":"progress","session_id":"s\#(index)","viewer_id":"v","title_id":"T\#(index)","from":0,"to":\#(10 + index % 90),"duration":100}"#
    }
    try withTemporaryFolder { folder in
        let path = folder + "/events.jsonl"
        try write(lines.joined(separator: "\n") + "\n", to: path)
        let settings = AnalysisSettings(inputs: [InputFile(name: "events.jsonl", path: path)], reportLevel: nil)
        let report = Analyzer.run(settings)
        let out = try OutputFolder(path: folder + "/out")
        try Analyzer.write(report, to: out)
        for (name, text) in Analyzer.outputs(report) where name != "summary.json" {
            let written = try String(contentsOfFile: folder + "/out/" + name, encoding: .utf8)
            #expect(written == text, "\(name)")
        }
        #expect(report.tables.retention.rendered.utf8.count > 3 << 20)
    }
}

/// The files are written by several workers at once: the same files, bytes
/// and returned names whatever the thread count, and a stop request written
/// between files leaves only whole files.
@Test func filesWrittenInParallelAreTheSameAsOneByOne() throws {
    let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Datasets/messy").standardized.path
    let inputs = try InputDiscovery.resolve([sample + "/logs"])
    try withTemporaryFolder { folder in
        var written: [[String]] = []
        for threads in [1, 3] {
            let settings = AnalysisSettings(inputs: inputs, read: ReadSettings(threads: threads), reportLevel: .advanced)
            let report = Analyzer.run(settings)
            written.append(try Analyzer.write(report, to: OutputFolder(path: folder + "/out\(threads)")))
            for (name, text) in Analyzer.outputs(report) where name != "summary.json" {
                let file = try String(contentsOfFile: folder + "/out\(threads)/" + name, encoding: .utf8)
                #expect(file == text, "\(name), \(threads) threads")
            }
        }
        #expect(written[0] == written[1])
        #expect(written[0] == Analyzer.outputs(Analyzer.run(AnalysisSettings(inputs: inputs, reportLevel: .advanced))).map(\.name))
        // Asked to stop at once: nothing written, nothing half written.
        let report = Analyzer.run(AnalysisSettings(inputs: inputs, read: ReadSettings(threads: 2)))
        #expect(try Analyzer.write(report, to: OutputFolder(path: folder + "/stopped")) { false }.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/stopped").isEmpty)
    }
}
