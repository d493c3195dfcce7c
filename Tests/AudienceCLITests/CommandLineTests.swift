import Foundation
import Testing

/// The `audience` binary built next to this test bundle.
func binary() throws -> URL {
    let products = Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        + [URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../.build/debug").standardized]
    for folder in products {
        let candidate = folder.appendingPathComponent("audience")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    throw CLIFailure(message: "audience binary not found near \(products)")
}

struct CLIFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

struct Run {
    var status: Int32
    var output: String
    var error: String
}

func run(_ arguments: [String], in folder: URL) throws -> Run {
    try runProcess(try binary().path, arguments, in: folder)
}

/// Runs `executable` in `folder` and collects its output; `signalAfter`
/// sends it SIGTERM after that many seconds.
func runProcess(_ executable: String, _ arguments: [String], in folder: URL, environment: [String: String] = [:],
                signalAfter: Double? = nil) throws -> Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = folder
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let output = Pipe(), error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    if let signalAfter {
        Thread.sleep(forTimeInterval: signalAfter)
        kill(process.processIdentifier, SIGTERM)
    }
    let outData = output.fileHandleForReading.readDataToEndOfFile()
    let errData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
               error: String(decoding: errData, as: UTF8.self))
}

/// One folder per test process holding every test's folder; it goes when the
/// process exits, so a run of the suite leaves nothing in the temporary folder
/// (a test may still keep what it needs until the end, for a failure's message).
private let testsFolder: URL = {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("audience-cli-\(getpid())")
    try? FileManager.default.removeItem(at: folder)
    atexit { try? FileManager.default.removeItem(at: testsFolder) }
    return folder
}()

func temporaryFolder() throws -> URL {
    let folder = testsFolder.appendingPathComponent(UUID().uuidString)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

let goodLine = #"{"ts":"2026-11-23T20:00:00Z","event":"progress","session_id":"s1","viewer_id":"v1","title_id":"T1","from":0,"to":60,"duration":100}"#

@Test func everyFileReadExitsZeroAndWritesEveryTable() throws {
    let folder = try temporaryFolder()
    try (goodLine + "\n").write(to: folder.appendingPathComponent("a.jsonl"), atomically: true, encoding: .utf8)
    let result = try run(["analyze", "a.jsonl", "--out", "report"], in: folder)
    #expect(result.status == 0, "\(result.error)")
    for table in ["titles", "retention", "countries", "regions", "devices", "languages", "daily", "hours",
                  "series", "cohorts", "moments", "concurrency", "series_summary", "quality", "rejects"] {
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("report/\(table).csv").path), "\(table)")
    }
    #expect(result.output.contains("1 accepted"))
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("report/report.md").path))
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("report/charts/top-titles.svg").path))
}

@Test func levelAndNoReportChooseTheReport() throws {
    let folder = try temporaryFolder()
    try (goodLine + "\n").write(to: folder.appendingPathComponent("a.jsonl"), atomically: true, encoding: .utf8)
    try "level = \"advanced\"\n".write(to: folder.appendingPathComponent("s.toml"), atomically: true, encoding: .utf8)
    #expect(try run(["a.jsonl", "--config", "s.toml", "--out", "adv", "-q"], in: folder).status == 0)
    let advanced = try String(contentsOf: folder.appendingPathComponent("adv/report.md"), encoding: .utf8)
    #expect(advanced.contains("## Exercises") && !advanced.contains("## Answer key"))
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("adv/answers.md").path))
    #expect(try run(["a.jsonl", "--level", "entry", "--out", "entry", "-q"], in: folder).status == 0)
    let entry = try String(contentsOf: folder.appendingPathComponent("entry/report.md"), encoding: .utf8)
    #expect(entry.contains("## Glossary") && !entry.contains("## Daily trend"))
    #expect(try run(["a.jsonl", "--no-report", "--out", "tables", "-q"], in: folder).status == 0)
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("tables/report.md").path))
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("tables/titles.csv").path))
}

@Test func aFileLevelErrorExitsOneAndStillWritesEverything() throws {
    let folder = try temporaryFolder()
    try (goodLine + "\n").write(to: folder.appendingPathComponent("a.jsonl"), atomically: true, encoding: .utf8)
    try "[1, 2]\n".write(to: folder.appendingPathComponent("b.json"), atomically: true, encoding: .utf8)
    let result = try run(["a.jsonl", "b.json", "--out", "report"], in: folder)
    #expect(result.status == 1)
    #expect(result.error.contains("b.json: JSON array, not NDJSON"))
    let quality = try String(contentsOf: folder.appendingPathComponent("report/quality.csv"), encoding: .utf8)
    #expect(quality.contains("a.jsonl,\(goodLine.utf8.count + 1),1,1,"))
}

@Test(arguments: [
    (["nothing-here.jsonl"], "input 'nothing-here.jsonl' does not exist"),
    (["zz*.gz"], "pattern 'zz*.gz' matches no file"),
    (["--bogus"], "Unknown option '--bogus'"),
    (["a.jsonl", "--buckets", "0"], "--buckets must be from 1 to 10000, not 0."),
    (["a.jsonl", "--complete-at", "1.5"], "--complete-at must be in (0, 1]"),
    (["a.jsonl", "--timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
    (["a.jsonl", "--catalog", "missing.csv"], "catalog missing.csv: cannot be read"),
    (["a.jsonl", "--config", "bad.toml"], "unknown key 'bukets'"),
    (["a.jsonl", "--level", "expert"], "--level must be entry, intermediate or advanced, not 'expert'"),
])
func usageErrorsExit64NamingTheCulprit(arguments: [String], message: String) throws {
    let folder = try temporaryFolder()
    try (goodLine + "\n").write(to: folder.appendingPathComponent("a.jsonl"), atomically: true, encoding: .utf8)
    try "bukets = 3\n".write(to: folder.appendingPathComponent("bad.toml"), atomically: true, encoding: .utf8)
    let result = try run(arguments, in: folder)
    #expect(result.status == 64)
    #expect(result.error.contains(message), "\(result.error)")
}

@Test func configFileSettingsAndCommandLineWins() throws {
    let folder = try temporaryFolder()
    try (goodLine + "\n").write(to: folder.appendingPathComponent("a.jsonl"), atomically: true, encoding: .utf8)
    try "buckets = 4 # four\ntimezone = \"Asia/Seoul\"\n".write(
        to: folder.appendingPathComponent("settings.toml"), atomically: true, encoding: .utf8)
    try #"{"buckets": 5, "complete_at": 0.5}"#.write(
        to: folder.appendingPathComponent("settings.json"), atomically: true, encoding: .utf8)
    #expect(try run(["a.jsonl", "--config", "settings.toml", "--out", "t", "-q"], in: folder).status == 0)
    #expect(try run(["a.jsonl", "--config", "settings.json", "--buckets", "2", "--out", "j", "-q"], in: folder).status == 0)
    let toml = try String(contentsOf: folder.appendingPathComponent("t/retention.csv"), encoding: .utf8)
    let json = try String(contentsOf: folder.appendingPathComponent("j/retention.csv"), encoding: .utf8)
    #expect(toml.split(separator: "\n").count == 1 + 4)
    #expect(json.split(separator: "\n").count == 1 + 2)  // the command line's 2 beats the file's 5
    // 20:00 UTC is 05:00 the next day in Seoul (Tuesday).
    let hours = try String(contentsOf: folder.appendingPathComponent("t/hours.csv"), encoding: .utf8)
    #expect(hours.contains("\n2,5,1,"))
    // c = 0.5 from the file: 60 of 100 seconds completes the view.
    let titles = try String(contentsOf: folder.appendingPathComponent("j/titles.csv"), encoding: .utf8)
    #expect(titles.contains(",1,1,"))
}

@Test func helpListsEveryOptionWithItsDefault() throws {
    let result = try run(["analyze", "--help"], in: try temporaryFolder())
    // Help wraps lines; compare with every run of white space as one space.
    let text = result.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    for option in ["--out", "--buckets", "--complete-at", "--timezone", "--catalog", "--config", "--rejects",
                   "--threads", "--export-events", "--quiet"] {
        #expect(text.contains(option), "\(option)")
    }
    for fallback in ["(default: out)", "(default: 100)", "(default: 0.9)", "(default: UTC)", "(default: 20)"] {
        #expect(text.contains(fallback), "\(fallback)")
    }
}

@Test func generateWritesLogsCatalogAndAnswerKey() throws {
    let folder = try temporaryFolder()
    let result = try run(["generate", "--out", "gen", "--viewers", "5", "--days", "1", "--titles", "2",
                          "--series", "1", "--catalog", "--truth", "--messiness", "heavy"], in: folder)
    #expect(result.status == 0, "\(result.error)")
    for path in ["gen/catalog.csv", "gen/truth/quality.csv", "gen/logs/events-0000.jsonl.gz"] {
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path), "\(path)")
    }
    let analysis = try run(["analyze", "logs", "--out", "report", "-q"], in: folder.appendingPathComponent("gen"))
    #expect(analysis.status == 0)
    let truth = try String(contentsOf: folder.appendingPathComponent("gen/truth/quality.csv"), encoding: .utf8)
    let quality = try String(contentsOf: folder.appendingPathComponent("gen/report/quality.csv"), encoding: .utf8)
    #expect(quality == truth)
}

@Test func generateRejectsABadStartDate() throws {
    let result = try run(["generate", "--start", "2026-02-30"], in: try temporaryFolder())
    #expect(result.status == 64)
    #expect(result.error.contains("--start '2026-02-30' is not a date"))
}
