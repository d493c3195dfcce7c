import Foundation
import Testing

// `audience generate` on the command line: its bounds, its output folder and
// its progress line (the helpers are in CommandLineTests.swift).

/// Issue 17, item 9: each option beyond its limit is a usage error naming
/// the option and the limit, before anything is allocated or written.
@Test(arguments: [
    (["--viewers", "99999999999"], "--viewers must be from 1 to 1000000"),
    (["--viewers", "0"], "--viewers must be from 1 to 1000000"),
    (["--days", "9999999999"], "--days must be from 1 to 366"),
    (["--files", "99999999"], "--files must be from 1 to 1000"),
    (["--titles=-1"], "--titles must be from 0 to 10000"),
    (["--series", "1001"], "--series must be from 0 to 1000"),
    (["--titles", "0", "--series", "0"], "--titles and --series cannot both be 0"),
    (["--start", "1999-12-31"], "--start and --days must keep every day from 2000-01-02 to 2099-12-28"),
    (["--start", "2099-12-25", "--days", "7"], "--start and --days must keep every day from 2000-01-02 to 2099-12-28"),
    (["--start", "99999-01-01"], "--start '99999-01-01' is not a date"),
])
func generateOptionsBeyondTheirLimitsAreUsageErrors(arguments: [String], message: String) throws {
    let folder = try temporaryFolder()
    let result = try run(["generate", "--out", "gen"] + arguments, in: folder)
    #expect(result.status == 64, "\(arguments)")
    #expect(result.error.contains(message), "\(result.error)")
    #expect(result.error.split(separator: "\n").first?.contains(message) == true)
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("gen").path))
}

@Test func generateHelpGivesEachLimit() throws {
    let result = try run(["generate", "--help"], in: try temporaryFolder())
    let help = result.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    for limit in ["1 to 1000000", "1 to 366", "0 to 10000", "0 to 1000", "1 to 1000", "2000-01-02", "2099-12-28",
                  "--force", "--progress"] {
        #expect(help.contains(limit), "\(limit)")
    }
}

/// Issue 15: generating into a folder that holds logs would mix two datasets.
@Test func generateRefusesAFolderWithLogsUnlessForced() throws {
    let folder = try temporaryFolder()
    let small = ["--viewers", "5", "--days", "1", "--progress", "never"]
    #expect(try run(["generate", "--out", "gen", "--files", "4", "--truth"] + small, in: folder).status == 0)
    let refused = try run(["generate", "--out", "gen", "--files", "2", "--seed", "7"] + small, in: folder)
    #expect(refused.status == 64)
    #expect(refused.error.contains("'gen/logs' already holds logs (events-0000.jsonl.gz and 3 more)"), "\(refused.error)")
    #expect(refused.error.contains("--force"))
    let forced = try run(["generate", "--out", "gen", "--files", "2", "--seed", "7", "--force"] + small, in: folder)
    #expect(forced.status == 0, "\(forced.error)")
    let logs = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("gen/logs").path).sorted()
    #expect(logs == ["events-0000.jsonl.gz", "events-0001.jsonl.gz"])
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("gen/truth/quality.csv").path))
}

@Test func generateProgressGoesToStandardErrorOnly() throws {
    let folder = try temporaryFolder()
    let small = ["--viewers", "5", "--days", "2"]
    let always = try run(["generate", "--out", "a", "--progress", "always"] + small, in: folder)
    #expect(always.status == 0)
    #expect(always.error.hasPrefix("generate: day 1 of 2, "), "\(always.error)")
    #expect(!always.output.contains("generate: day"))
    // Not a terminal: nothing with auto (the default) or never.
    for mode in [[], ["--progress", "never"]] {
        let quiet = try run(["generate", "--out", "q\(mode.count)"] + small + mode, in: folder)
        #expect(quiet.status == 0 && quiet.error.isEmpty, "\(mode): \(quiet.error)")
    }
}

/// The answer key is what `analyze` reports: titles and countries too.
@Test func generateAnswerKeyMatchesAnalyze() throws {
    let folder = try temporaryFolder()
    let result = try run(["generate", "--out", "gen", "--viewers", "8", "--days", "1", "--truth", "--messiness", "heavy"], in: folder)
    #expect(result.status == 0, "\(result.error)")
    let gen = folder.appendingPathComponent("gen")
    #expect(try run(["analyze", "logs", "--out", "report", "-q"], in: gen).status == 0)
    for (name, key) in [("titles", "title_id"), ("countries", "country")] {
        let truth = try String(contentsOf: gen.appendingPathComponent("truth/\(name).csv"), encoding: .utf8)
        let report = try String(contentsOf: gen.appendingPathComponent("report/\(name).csv"), encoding: .utf8)
        let header = truth.split(separator: "\n")[0].split(separator: ",").map(String.init)
        let rows = report.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let columns = header.compactMap { rows[0].firstIndex(of: $0) }
        let projected = rows.dropFirst().map { row in columns.map { row[$0] }.joined(separator: ",") }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(([header.joined(separator: ",")] + projected).joined(separator: "\n") + "\n" == truth, "\(name), key \(key)")
    }
}
