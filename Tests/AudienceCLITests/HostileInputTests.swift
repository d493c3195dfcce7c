import Foundation
import Testing

// Inputs a script or a hostile tester may hand the binary: names that are
// not UTF-8, folders it may not list, devices, its own output folder.

/// Runs `command` through `/bin/sh -c` in `folder`, with the binary as `$0`,
/// so a test can pass bytes that Foundation's `Process` cannot (`printf`).
private func shell(_ command: String, in folder: URL, asNobody: Bool = false) throws -> Run {
    let binaryPath = try binary().path
    if asNobody {
        return try run(in: folder, executable: "/usr/bin/setpriv",
                       ["--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c", command, binaryPath])
    }
    return try run(in: folder, executable: "/bin/sh", ["-c", command, binaryPath])
}

private func run(in folder: URL, executable: String, _ arguments: [String]) throws -> Run {
    try runProcess(executable, arguments, in: folder)
}

private func quality(_ folder: URL, _ out: String) throws -> String {
    try String(contentsOf: folder.appendingPathComponent(out + "/quality.csv"), encoding: .utf8)
}

@Test func aLatin1NameIsReadInAFolderAndNamedExplicitly() throws {
    let folder = try temporaryFolder()
    let result = try run(in: folder, executable: "/bin/sh", [
        "-c",
        #"mkdir -p logs2 && printf '%s\n' "$1" > "logs2/$(printf 'caf\351.jsonl')" && "$0" analyze logs2 --out walked -q --no-report && "$0" analyze "logs2/$(printf 'caf\351.jsonl')" --out named -q --no-report"#,
        try binary().path, goodLine,
    ])
    #expect(result.status == 0, "\(result.error)")
    #expect(try quality(folder, "walked").contains("logs2/caf\\xe9.jsonl,\(goodLine.utf8.count + 1),1,1,"))
    #expect(try quality(folder, "named").contains("logs2/caf\\xe9.jsonl,\(goodLine.utf8.count + 1),1,1,"))
}

@Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") && getuid() == 0))
func anUnlistableSubfolderIsARowAndExitsOne() throws {
    let folder = try temporaryFolder()
    chmod(folder.path, 0o777)
    for name in ["logs/a.jsonl", "logs/locked/b.jsonl"] {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try (goodLine + "\n").write(to: url, atomically: true, encoding: .utf8)
    }
    chmod(folder.appendingPathComponent("logs").path, 0o755)
    chmod(folder.appendingPathComponent("logs/locked").path, 0o000)
    defer { chmod(folder.appendingPathComponent("logs/locked").path, 0o755) }
    let result = try shell(#""$0" analyze logs --out out --no-report"#, in: folder, asNobody: true)
    #expect(result.status == 1, "\(result.error)")
    #expect(result.error.contains("logs/locked: cannot list folder: Permission denied"))
    let rows = try quality(folder, "out")
    #expect(rows.contains("logs/a.jsonl,\(goodLine.utf8.count + 1),1,1,"))
    #expect(rows.contains("logs/locked,0,0,0,0,0,0,0,0,0,,cannot list folder: Permission denied"))
    let globbed = try shell(#""$0" analyze 'logs/*/*.jsonl' --out globbed --no-report"#, in: folder, asNobody: true)
    #expect(globbed.status == 1, "\(globbed.error)")
    #expect(try quality(folder, "globbed").contains("logs/locked,0,0,0,0,0,0,0,0,0,,cannot list folder"))
}

@Test func aDeviceIsAFileErrorNotAnEndlessRead() throws {
    let folder = try temporaryFolder()
    let result = try shell(#""$0" analyze /dev/zero --out out --no-report"#, in: folder)
    #expect(result.status == 1)
    #expect(result.error.contains("/dev/zero: not a file but a character device"))
}

@Test func aFIFOIsAnnouncedAndRead() throws {
    let folder = try temporaryFolder()
    let result = try run(in: folder, executable: "/bin/sh", [
        "-c", #"mkfifo p.jsonl && (printf '%s\n' "$1" > p.jsonl &) && "$0" analyze p.jsonl --out out --no-report"#,
        try binary().path, goodLine,
    ])
    #expect(result.status == 0, "\(result.error)")
    #expect(result.error.contains("p.jsonl is a FIFO: waiting for a writer"))
    #expect(try quality(folder, "out").contains("p.jsonl,\(goodLine.utf8.count + 1),1,1,"))
}

@Test func aRunNeverReadsItsOwnOutputs() throws {
    let folder = try temporaryFolder()
    try (goodLine + "\n").write(to: folder.appendingPathComponent("a.jsonl"), atomically: true, encoding: .utf8)
    // `analyze . --out .`, twice: the second run reads a.jsonl only.
    for _ in 0..<2 {
        let result = try run(["analyze", ".", "--out", ".", "--export-events", "events.tsv", "-q"], in: folder)
        #expect(result.status == 0, "\(result.error)")
        let rows = try quality(folder, ".").split(separator: "\n")
        #expect(rows.count == 3, "\(rows)")  // header, ./a.jsonl, TOTAL
        #expect(rows[1].hasPrefix("./a.jsonl,"))
    }
    // Named explicitly, a table of this run is refused.
    let named = try run(["analyze", "titles.csv", "--out", "."], in: folder)
    #expect(named.status == 64)
    #expect(named.error.contains("input 'titles.csv' is an output of this run"))
}

@Test func exportEventsNeverOverwritesALogAndIsCheckedFirst() throws {
    let folder = try temporaryFolder()
    try (goodLine + "\n").write(to: folder.appendingPathComponent("a.jsonl"), atomically: true, encoding: .utf8)
    let onInput = try run(["analyze", "a.jsonl", "--export-events", "a.jsonl", "--out", "o"], in: folder)
    #expect(onInput.status == 64)
    #expect(onInput.error.contains("it would overwrite that log"))
    #expect(try String(contentsOf: folder.appendingPathComponent("a.jsonl"), encoding: .utf8) == goodLine + "\n")
    // Inside a folder being read, likewise.
    let inFolder = try run(["analyze", ".", "--export-events", "./a.jsonl", "--out", "o"], in: folder)
    #expect(inFolder.status == 64)
    let unwritable = try run(["analyze", "a.jsonl", "--export-events", "missing/x.tsv", "--out", "o2"], in: folder)
    #expect(unwritable.status == 64)
    #expect(unwritable.error.contains("--export-events: cannot write 'missing/x.tsv'"))
    // Nothing was written: the problem was found before the run.
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("o2/titles.csv").path))
}
