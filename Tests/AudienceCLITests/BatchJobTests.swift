import Foundation
import Testing

// `analyze` as a nightly batch job: bad-data limits and their exit status,
// JSON-lines logs, the Prometheus metrics file, clean stops, whole outputs,
// a full disk, and the progress line on a terminal only.

private let badLine = #"{"ts":"not a time","event":"start","session_id":"s","viewer_id":"v","title_id":"T"}"#

/// A folder with `good.jsonl` (4 good lines) and `bad.jsonl` (1 good, 3 bad).
private func folderWithLogs() throws -> URL {
    let folder = try temporaryFolder()
    let good = (0..<4).map { goodLine.replacingOccurrences(of: "\"s1\"", with: "\"s\($0)\"") }
    try (good.joined(separator: "\n") + "\n").write(
        to: folder.appendingPathComponent("good.jsonl"), atomically: true, encoding: .utf8)
    try ([goodLine, badLine, badLine, badLine].joined(separator: "\n") + "\n").write(
        to: folder.appendingPathComponent("bad.jsonl"), atomically: true, encoding: .utf8)
    return folder
}

@Test func aFileOverTheBadRateExitsThreeAndStillWritesEverything() throws {
    let folder = try folderWithLogs()
    let result = try run(["analyze", "good.jsonl", "bad.jsonl", "--out", "o", "--max-bad-rate", "0.5"], in: folder)
    #expect(result.status == 3, "\(result.error)")
    #expect(result.error.contains("bad.jsonl: 3 of 4 lines rejected, over --max-bad-rate"))
    #expect(!result.error.contains("good.jsonl:"))
    // Overall 3 of 8 is not over 0.5.
    #expect(!result.error.contains("all files"))
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("o/titles.csv").path))
    let summary = try JSONSerialization.jsonObject(
        with: Data(contentsOf: folder.appendingPathComponent("o/summary.json"))) as? [String: Any]
    let record = summary?["run"] as? [String: Any]
    #expect(record?["exit_status"] as? Int == 3)
    #expect((record?["limits"] as? [String: Any])?["max_bad_rate"] as? Double == 0.5)
    #expect((record?["started_at"] as? String)?.hasSuffix("+00:00") == true)
}

@Test func theRunAsAWholeOverTheBadLinesLimit() throws {
    let folder = try folderWithLogs()
    let result = try run(["analyze", ".", "--out", "o", "--max-bad-lines", "2"], in: folder)
    #expect(result.status == 3)
    #expect(result.error.contains("all files: 3 of 8 lines rejected, over --max-bad-lines"))
    let within = try run(["analyze", ".", "--out", "o", "--max-bad-lines", "3", "--max-bad-rate", "0.75"], in: folder)
    #expect(within.status == 0, "\(within.error)")
}

@Test func jsonLogLinesParseBack() throws {
    let folder = try folderWithLogs()
    try "[1]\n".write(to: folder.appendingPathComponent("array.json"), atomically: true, encoding: .utf8)
    let result = try run(["analyze", ".", "--out", "o", "--log-format", "json", "--max-bad-rate", "0.5"], in: folder)
    #expect(result.status == 3)
    #expect(result.output.isEmpty)
    let objects = try result.error.split(separator: "\n").map {
        try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
    for object in objects {
        #expect(object["time"] is String && object["level"] is String && object["message"] is String)
        #expect((object["time"] as? String)?.hasSuffix("+00:00") == true)
    }
    #expect(objects.contains { $0["file"] as? String == "./array.json" && $0["reason"] as? String == "file_error" })
    #expect(objects.contains { $0["file"] as? String == "./bad.jsonl" && $0["reason"] as? String == "max-bad-rate" })
    let last = try #require(objects.last)
    #expect(last["message"] as? String == "finished")
    #expect(last["exit_status"] as? Int == 3)
    #expect(last["lines"] as? Int == 8)
    // A usage error too.
    let usage = try run(["analyze", "--log-format", "json", "--buckets", "0", "x.jsonl"], in: folder)
    #expect(usage.status == 64)
    let object = try JSONSerialization.jsonObject(with: Data(usage.error.utf8)) as? [String: Any]
    #expect(object?["level"] as? String == "error")
    #expect((object?["message"] as? String)?.contains("--buckets") == true)
}

/// A strict reader of the Prometheus text format: HELP and TYPE lines, then
/// `name{label="value",...} number` samples; anything else fails the test.
private func prometheusSamples(_ text: String) throws -> [String: Double] {
    var samples: [String: Double] = [:]
    let name = "[a-zA-Z_:][a-zA-Z0-9_:]*"
    let sample = try Regex("^(\(name))(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"[^\"\\\\]*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"\\\\]*\")*)\\})? (-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)$")
    let comment = try Regex("^# (HELP \(name) .*|TYPE \(name) (gauge|counter|untyped))$")
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.isEmpty { continue }
        if line.hasPrefix("#") {
            #expect(try comment.wholeMatch(in: line) != nil, "\(line)")
            continue
        }
        #expect(try sample.wholeMatch(in: line) != nil, "\(line)")
        let space = line.lastIndex(of: " ") ?? line.endIndex
        samples[String(line[..<space])] = Double(line[line.index(after: space)...])
    }
    #expect(text.hasSuffix("\n"))
    return samples
}

@Test func theMetricsFileKeepsTheLastSuccessThroughAFailure() throws {
    let folder = try folderWithLogs()
    let ok = try run(["analyze", "good.jsonl", "--out", "o", "--metrics-file", "m.prom", "-q"], in: folder)
    #expect(ok.status == 0)
    let first = try prometheusSamples(try String(contentsOf: folder.appendingPathComponent("m.prom"), encoding: .utf8))
    #expect(first["audience_run_exit_status"] == 0)
    #expect(first["audience_run_lines{outcome=\"accepted\"}"] == 4)
    #expect(first["audience_run_lines{outcome=\"rejected\",reason=\"bad_timestamp\"}"] == 0)
    #expect(first["audience_run_phase_seconds{phase=\"read\"}"] != nil)
    let success = try #require(first["audience_last_success_timestamp_seconds"])
    #expect(success == first["audience_run_timestamp_seconds"])
    let failed = try run(["analyze", ".", "--out", "o", "--metrics-file", "m.prom", "--max-bad-lines", "0", "-q"], in: folder)
    #expect(failed.status == 3)
    let second = try prometheusSamples(try String(contentsOf: folder.appendingPathComponent("m.prom"), encoding: .utf8))
    #expect(second["audience_run_exit_status"] == 3)
    #expect(second["audience_run_lines{outcome=\"rejected\",reason=\"bad_timestamp\"}"] == 3)
    #expect(second["audience_last_success_timestamp_seconds"] == success)
    #expect(second["audience_run_bad_data_limit_breaches"] == 2)
}

@Test func sigtermWhileReadingWritesNothingAndExits143() throws {
    let folder = try folderWithLogs()
    #expect(try run(["analyze", "good.jsonl", "--out", "o", "-q"], in: folder).status == 0)
    let before = try String(contentsOf: folder.appendingPathComponent("o/titles.csv"), encoding: .utf8)
    // A FIFO that gets one line, then stays open: the run is reading when stopped.
    let script = #"mkfifo p.jsonl; (printf '%s\n' "$1"; sleep 5) > p.jsonl & exec "$0" analyze bad.jsonl p.jsonl --out o --metrics-file m.prom"#
    let result = try runProcess("/bin/sh", ["-c", script, try binary().path, goodLine], in: folder, signalAfter: 1.5)
    #expect(result.status == 143, "\(result.error)")
    #expect(result.error.contains("stopped by SIGTERM: nothing written"))
    #expect(try String(contentsOf: folder.appendingPathComponent("o/titles.csv"), encoding: .utf8) == before)
    #expect(!(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("o").path))
        .contains { $0.hasPrefix(".audience-staging") })
    let metrics = try String(contentsOf: folder.appendingPathComponent("m.prom"), encoding: .utf8)
    #expect(metrics.contains("audience_run_exit_status 143"))
}

@Test func sigtermWhileWritingLeavesTheOldOutputsWhole() throws {
    let folder = try folderWithLogs()
    #expect(try run(["analyze", "good.jsonl", "--out", "o", "-q"], in: folder).status == 0)
    let before = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("o").path).sorted()
    let quality = try String(contentsOf: folder.appendingPathComponent("o/quality.csv"), encoding: .utf8)
    let result = try runProcess(try binary().path, ["analyze", "good.jsonl", "bad.jsonl", "--out", "o"], in: folder,
                                environment: ["AUDIENCE_TEST_PAUSE_BEFORE_COMMIT": "3"], signalAfter: 1.5)
    #expect(result.status == 143, "\(result.error)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("o").path).sorted() == before)
    #expect(try String(contentsOf: folder.appendingPathComponent("o/quality.csv"), encoding: .utf8) == quality)
}

/// Stale outputs go: charts a run no longer draws, report.md under --no-report.
@Test func aRerunLeavesNothingStale() throws {
    let folder = try folderWithLogs()
    #expect(try run(["analyze", "good.jsonl", "--out", "o", "-q"], in: folder).status == 0)
    try "keep me".write(to: folder.appendingPathComponent("o/notes.txt"), atomically: true, encoding: .utf8)
    #expect(try run(["analyze", "good.jsonl", "--out", "o", "-q", "--no-report"], in: folder).status == 0)
    let left = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("o").path)
    #expect(!left.contains("report.md"))
    #expect(left.contains("notes.txt"))
    let charts = (try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("o/charts").path)) ?? []
    #expect(charts.isEmpty)
}

/// Issue 16: an advanced run writes answers.md; an intermediate run into the
/// same folder removes it, so no answer key is left looking current.
@Test func anIntermediateRunAfterAnAdvancedOneLeavesNoAnswers() throws {
    let folder = try folderWithLogs()
    #expect(try run(["analyze", "good.jsonl", "--out", "o", "-q", "--level", "advanced"], in: folder).status == 0)
    let answers = folder.appendingPathComponent("o/answers.md").path
    #expect(FileManager.default.fileExists(atPath: answers))
    #expect(try run(["analyze", "good.jsonl", "--out", "o", "-q", "--level", "intermediate"], in: folder).status == 0)
    #expect(!FileManager.default.fileExists(atPath: answers))
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("o/report.md").path))
}

/// Whether this process may mount a tmpfs (root, and a kernel that lets it).
let canMountTmpfs: Bool = {
    guard getuid() == 0, let folder = try? temporaryFolder() else { return false }
    // Mounted on a folder inside, so that umount (run in `folder`) is not
    // refused for a busy mount point.
    let point = folder.appendingPathComponent("probe")
    guard (try? FileManager.default.createDirectory(at: point, withIntermediateDirectories: true)) != nil,
          let mounted = try? runProcess("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", point.path], in: folder),
          mounted.status == 0 else { return false }
    _ = try? runProcess("/usr/bin/umount", [point.path], in: folder)
    return true
}()

/// A full output disk: exit 73, the previous outputs untouched. Needs to
/// mount a small tmpfs (root); skipped where that cannot be done.
@Test(.enabled(if: canMountTmpfs)) func aFullDiskExits73AndKeepsThePreviousOutputs() throws {
    let folder = try folderWithLogs()
    let disk = folder.appendingPathComponent("disk")
    try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
    let mount = try runProcess("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=96k", "tmpfs", disk.path], in: folder)
    try #require(mount.status == 0, "\(mount.error)")
    defer { _ = try? runProcess("/usr/bin/umount", [disk.path], in: folder) }
    #expect(try run(["analyze", "good.jsonl", "--out", "disk/o", "-q", "--no-report"], in: folder).status == 0)
    let before = try String(contentsOf: disk.appendingPathComponent("o/titles.csv"), encoding: .utf8)
    // Fill the disk to the last block.
    let filler = open(disk.appendingPathComponent("filler").path, O_WRONLY | O_CREAT, 0o644)
    let block = [UInt8](repeating: 0, count: 1024)
    while block.withUnsafeBytes({ Glibc.write(filler, $0.baseAddress, $0.count) }) > 0 {}
    close(filler)
    let result = try run(["analyze", "good.jsonl", "bad.jsonl", "--out", "disk/o"], in: folder)
    #expect(result.status == 73, "\(result.error)")
    #expect(result.error.contains("cannot write the outputs"))
    #expect(try String(contentsOf: disk.appendingPathComponent("o/titles.csv"), encoding: .utf8) == before)
}

@Test func progressOnATerminalOnly() throws {
    let folder = try folderWithLogs()
    // `script` gives the command a pseudo-terminal.
    let command = "'\(try binary().path)' analyze good.jsonl --out o --progress auto 2>&1 >/dev/null; true"
    let terminal = try runProcess("/usr/bin/script", ["-qec", command, "/dev/null"], in: folder)
    // Drawn in place (a carriage return, then the line, then erase-to-end), and cleared at the end.
    #expect(terminal.output.contains("\r"), "\(terminal.output.debugDescription)")
    #expect(terminal.output.contains(" elapsed\u{1B}[K"), "\(terminal.output.debugDescription)")
    #expect(terminal.output.contains("\r\u{1B}[K"))
    let plain = try run(["analyze", "good.jsonl", "--out", "o2"], in: folder)
    #expect(!plain.error.contains("reading:"))
    #expect(!plain.output.contains("reading:"))
    let always = try run(["analyze", "good.jsonl", "--out", "o3", "--progress", "always"], in: folder)
    #expect(always.error.contains(" elapsed"), "\(always.error)")
    #expect(!always.error.contains("\u{1B}"))
    #expect(!always.output.contains("reading:"))
}

/// A nightly folder that holds only outputs is swapped whole (a new folder
/// takes its place); one with other files keeps them, and its own inode.
@Test func outputsAreSwappedInWhole() throws {
    let folder = try folderWithLogs()
    func inode(_ path: String) throws -> UInt64 {
        try #require(try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(path).path)[.systemFileNumber] as? UInt64)
    }
    #expect(try run(["analyze", "good.jsonl", "--out", "o", "-q"], in: folder).status == 0)
    let first = try inode("o")
    #expect(try run(["analyze", "good.jsonl", "bad.jsonl", "--out", "o", "-q"], in: folder).status == 0)
    #expect(try inode("o") != first, "swapped as a whole")
    #expect(try String(contentsOf: folder.appendingPathComponent("o/quality.csv"), encoding: .utf8).contains("bad.jsonl"))
    let hidden = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("audience-staging") }
    #expect(hidden.isEmpty, "\(hidden)")
    try "mine".write(to: folder.appendingPathComponent("o/notes.txt"), atomically: true, encoding: .utf8)
    let withNotes = try inode("o")
    #expect(try run(["analyze", "good.jsonl", "--out", "o", "-q"], in: folder).status == 0)
    #expect(try inode("o") == withNotes)
    #expect(try String(contentsOf: folder.appendingPathComponent("o/notes.txt"), encoding: .utf8) == "mine")
    #expect(!(try String(contentsOf: folder.appendingPathComponent("o/quality.csv"), encoding: .utf8)).contains("bad.jsonl"))
}

@Test func aStopBeforeTheSwitchLeavesTheExportAsItWas() throws {
    let folder = try folderWithLogs()
    #expect(try run(["analyze", "good.jsonl", "--out", "o", "--export-events", "ev.tsv", "-q"], in: folder).status == 0)
    let export = try String(contentsOf: folder.appendingPathComponent("ev.tsv"), encoding: .utf8)
    let result = try runProcess(try binary().path, ["analyze", "good.jsonl", "bad.jsonl", "--out", "o", "--export-events", "ev.tsv"],
                                in: folder, environment: ["AUDIENCE_TEST_PAUSE_BEFORE_COMMIT": "3"], signalAfter: 1.5)
    #expect(result.status == 143)
    #expect(try String(contentsOf: folder.appendingPathComponent("ev.tsv"), encoding: .utf8) == export)
    let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("audience-staging") }
    #expect(left.isEmpty, "\(left)")
}

@Test func aUsageErrorStillTellsMonitoring() throws {
    let folder = try folderWithLogs()
    #expect(try run(["analyze", "good.jsonl", "--out", "o", "--metrics-file", "m.prom", "-q"], in: folder).status == 0)
    let missing = try run(["analyze", "logs/2026-11-30", "--out", "o", "--metrics-file", "m.prom"], in: folder)
    #expect(missing.status == 64)
    let metrics = try String(contentsOf: folder.appendingPathComponent("m.prom"), encoding: .utf8)
    #expect(metrics.contains("audience_run_exit_status 64"))
    #expect(metrics.contains("audience_last_success_timestamp_seconds "))
}

@Test func sideOutputsNeverOverwriteWhatTheRunReadsOrWrites() throws {
    let folder = try folderWithLogs()
    try "title_id,runtime_s\nT1,100\n".write(to: folder.appendingPathComponent("cat.csv"), atomically: true, encoding: .utf8)
    for (options, message) in [
        (["--metrics-file", "good.jsonl"], "is the input 'good.jsonl'"),
        (["--catalog", "cat.csv", "--export-events", "cat.csv"], "is the --catalog file"),
        (["--metrics-file", "o/titles.csv"], "is an output of this run"),
        (["--export-events", "o/charts/x.svg"], "is an output of this run"),
        (["--export-events", "m.prom", "--metrics-file", "m.prom"], "is the --export-events file"),
        (["--metrics-file", "/dev/null"], "is not a regular file"),
    ] {
        let result = try run(["analyze", "good.jsonl", "bad.jsonl", "--out", "o"] + options, in: folder)
        #expect(result.status == 64, "\(options)")
        #expect(result.error.contains(message), "\(options): \(result.error)")
    }
    #expect(try String(contentsOf: folder.appendingPathComponent("cat.csv"), encoding: .utf8) == "title_id,runtime_s\nT1,100\n")
}

/// Issue 12 with a store: an ingest tells monitoring too, and a file over a
/// limit is named there as a breach.
@Test func anIngestWritesTheMetricsFile() throws {
    let folder = try folderWithLogs()
    let result = try run(["ingest", "good.jsonl", "bad.jsonl", "--store", "s", "--max-bad-rate", "0.5",
                          "--metrics-file", "m.prom", "-q"], in: folder)
    #expect(result.status == 3, "\(result.error)")
    let metrics = try String(contentsOf: folder.appendingPathComponent("m.prom"), encoding: .utf8)
    #expect(metrics.contains("audience_run_exit_status 3"))
    #expect(metrics.contains("phase=\"ingest\""))
    let again = try run(["ingest", "good.jsonl", "--store", "s", "--metrics-file", "m.prom", "-q"], in: folder)
    #expect(again.status == 0, "\(again.error)")
    let after = try String(contentsOf: folder.appendingPathComponent("m.prom"), encoding: .utf8)
    #expect(after.contains("audience_run_exit_status 0"))
    #expect(after.contains("audience_last_success_timestamp_seconds "))
}
