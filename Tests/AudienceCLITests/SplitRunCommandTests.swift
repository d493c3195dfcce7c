import Foundation
import Testing

// Runs split over machines, through the binary, each step in its own
// process (store.md, "Runs split over machines"): map (`ingest --shard`),
// reduce (`analyze --part --partial`) and merge give the outputs of
// `analyze --store` over all the stores and of a one-shot run, for random N
// and P, with a window and a daylight-saving zone; a retried step changes
// nothing; the usage errors name what is wrong.

/// Three nights of generated logs in mixed formats under `folder/logs`.
private func splitLogs(_ folder: URL) throws -> [String] {
    try generateLogs(seed: 31, format: "mixed", start: "2026-10-24", into: folder, prefix: "a-")
        + generateLogs(seed: 32, format: "jsonl.gz", start: "2026-10-26", into: folder, prefix: "b-")
}

private func expectSuccess(_ result: Run, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status == 0, "\(what): \(result.error)", sourceLocation: sourceLocation)
}

@Test(arguments: [(shards: 3, parts: 4, seed: UInt64(1)), (shards: 1, parts: 1, seed: 2), (shards: 5, parts: 7, seed: 3)])
func mapReduceMergeGiveTheOutputsOfOneRun(shards: Int, parts: Int, seed: UInt64) throws {
    let folder = try temporaryFolder()
    _ = try splitLogs(folder)
    let settings = ["--timezone", "America/New_York", "--from", "2026-10-25", "--buckets", "13"]
    var random = SplitRandom(seed: seed)

    // Map, shards in random order; one retried.
    for shard in (0..<shards).shuffled(using: &random) {
        expectSuccess(try run(["ingest", "logs", "--store", "s\(shard)", "--shard", "\(shard)/\(shards)", "-q"], in: folder), "map \(shard)")
    }
    expectSuccess(try run(["ingest", "logs", "--store", "s0", "--shard", "0/\(shards)", "-q"], in: folder), "map 0 again")
    let stores = (0..<shards).flatMap { ["--store", "s\($0)"] }

    // Reduce, parts in random order, the odd ones numbered by the variable
    // an indexed job sets; one retried.
    for part in (0..<parts).shuffled(using: &random) {
        let arguments = ["analyze"] + stores + ["--partial", "partials", "-q"] + settings
        let result = part % 2 == 0
            ? try run(arguments + ["--part", "\(part)/\(parts)"], in: folder)
            : try runProcess(try binary().path, arguments + ["--part", "auto/\(parts)"], in: folder,
                             environment: ["JOB_COMPLETION_INDEX": String(part)])
        expectSuccess(result, "reduce \(part)")
    }
    expectSuccess(try run(["analyze"] + stores + ["--part", "0/\(parts)", "--partial", "partials", "-q"] + settings, in: folder),
                  "reduce 0 again")
    let names = try FileManager.default.contentsOfDirectory(atPath: (folder / "partials").path).sorted()
    #expect(names == (0..<parts).map { "part-\($0)-of-\(parts).audience-partial" }.sorted(), "\(names)")

    expectSuccess(try run(["merge", "partials", "--out", "merged", "-q"], in: folder), "merge")
    expectSuccess(try run(["analyze"] + stores + ["--out", "together", "-q"] + settings, in: folder), "analyze --store")
    expectSuccess(try run(["analyze", "logs", "--out", "oneshot", "-q"] + settings, in: folder), "one-shot")
    try expectSameReport(folder / "merged", folder / "together")
    try expectSameReport(folder / "merged", folder / "oneshot")

    // A merge run again writes the same.
    expectSuccess(try run(["merge", "partials", "--out", "merged-again", "-q"], in: folder), "merge again")
    try expectSameReport(folder / "merged-again", folder / "merged")
}

@Test func aShardNumberComesFromTheEnginesVariable() throws {
    let folder = try temporaryFolder()
    let logs = try generateLogs(seed: 33, format: "jsonl", start: "2026-10-24", into: folder)
    for (variable, index) in [("JOB_COMPLETION_INDEX", 0), ("SLURM_ARRAY_TASK_ID", 1), ("AWS_BATCH_JOB_ARRAY_INDEX", 2)] {
        let result = try runProcess(try binary().path, ["ingest", "logs", "--store", "s\(index)", "--shard", "auto/3", "-q"],
                                    in: folder, environment: [variable: String(index)])
        expectSuccess(result, variable)
        let held = try storeList("s\(index)", in: folder).map { $0["file"] ?? "" }
        #expect(held == logs.enumerated().filter { $0.offset % 3 == index }.map(\.element), "\(variable): \(held)")
    }
    // A map step's ledger keeps a rollback journal (other machines read it
    // over a network file system); a plain ingest's keeps its WAL. A store
    // in folders that do not exist yet is made with them.
    expectSuccess(try run(["ingest", "logs", "--store", "deep/er/plain", "-q"], in: folder), "plain ingest")
    if hasSQLite3 {
        #expect(try query(folder / "s0" / "ledger.sqlite", "PRAGMA journal_mode") == ["delete"])
        #expect(try query(folder / "deep/er/plain" / "ledger.sqlite", "PRAGMA journal_mode") == ["wal"])
    }
    // More shards than files: the extra shard's store is made, empty.
    expectSuccess(try run(["ingest", "logs", "--store", "empty", "--shard", "9/10", "-q"], in: folder), "empty shard")
    #expect(try storeList("empty", in: folder).isEmpty)
    let missing = try runProcess(try binary().path, ["ingest", "logs", "--store", "x", "--shard", "auto/3"], in: folder,
                                 environment: ["JOB_COMPLETION_INDEX": "", "SLURM_ARRAY_TASK_ID": "7"])
    #expect(missing.status == 64 && missing.error.contains("is not a whole number from 0 to 2"), "\(missing.error)")
}

@Test func splitStepsRefuseWhatCannotWork() throws {
    let folder = try temporaryFolder()
    _ = try generateLogs(seed: 34, format: "jsonl", start: "2026-10-24", into: folder)
    expectSuccess(try run(["ingest", "logs", "--store", "s0", "--shard", "0/2", "-q"], in: folder), "map 0")
    expectSuccess(try run(["ingest", "logs", "--store", "s1", "--shard", "1/2", "-q"], in: folder), "map 1")
    let stores = ["--store", "s0", "--store", "s1"]
    func usage(_ arguments: [String], _ words: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try run(arguments, in: folder)
        #expect(result.status == 64, "\(arguments): \(result.status) \(result.error)", sourceLocation: sourceLocation)
        #expect(result.error.contains(words), "\(arguments): \(result.error)", sourceLocation: sourceLocation)
    }
    try usage(["ingest", "logs", "--store", "x", "--shard", "2/2"], "--shard must be i/N")
    try usage(["ingest", "logs", "--store", "x", "--shard", "auto/2"], "JOB_COMPLETION_INDEX")
    try usage(["analyze"] + stores + ["--part", "0/2"], "--part p/P and --partial DIR go together")
    try usage(["analyze"] + stores + ["--partial", "p"], "--part p/P and --partial DIR go together")
    try usage(["analyze", "logs", "--store", "s0", "--part", "0/2", "--partial", "p"], "--part reads stores only")
    try usage(["analyze"] + stores + ["--part", "2/2", "--partial", "p"], "--part must be i/N")
    try usage(["analyze"] + stores + ["--part", "0/2", "--partial", "p", "--out", "o"], "--out is an option of the report")
    try usage(["merge"], "no partial results given")
    try usage(["merge", "nowhere"], "no partial results at nowhere")

    expectSuccess(try run(["analyze"] + stores + ["--part", "0/2", "--partial", "p", "-q"], in: folder), "reduce 0")
    try usage(["merge", "p", "--out", "o"], "1 of 2 parts are missing (part 1)")
    expectSuccess(try run(["analyze"] + stores + ["--part", "1/2", "--partial", "q", "--buckets", "7", "-q"], in: folder), "reduce 1")
    try usage(["merge", "p", "q", "--out", "o"], "--buckets 100 and 7")
    expectSuccess(try run(["analyze"] + stores + ["--part", "0/2", "--partial", "r", "-q"], in: folder), "reduce 0 elsewhere")
    try usage(["merge", "p", "r", "--out", "o"], "part 0 of 2 is given twice")
    #expect(!FileManager.default.fileExists(atPath: (folder / "o").path), "a refused merge leaves no output folder")

    // A damaged part: exit 65, naming it and what to run again.
    expectSuccess(try run(["analyze"] + stores + ["--part", "1/2", "--partial", "p", "-q"], in: folder), "reduce 1")
    let part = folder / "p" / "part-1-of-2.audience-partial"
    var bytes = try Data(contentsOf: part)
    bytes[bytes.count / 2] ^= 1
    try bytes.write(to: part)
    let damaged = try run(["merge", "p", "--out", "o"], in: folder)
    #expect(damaged.status == 65, "\(damaged.error)")
    #expect(damaged.error.contains("part-1-of-2.audience-partial is damaged") && damaged.error.contains("run its reduce step again"),
            "\(damaged.error)")
    // A partial-results folder whose parents do not exist yet is made.
    expectSuccess(try run(["analyze"] + stores + ["--part", "0/1", "--partial", "nested/night/parts", "-q"], in: folder), "nested")
    #expect(FileManager.default.fileExists(atPath: (folder / "nested/night/parts/part-0-of-1.audience-partial").path))
    // Run again, the step replaces its file and the merge works.
    expectSuccess(try run(["analyze"] + stores + ["--part", "1/2", "--partial", "p", "-q"], in: folder), "reduce 1 again")
    expectSuccess(try run(["merge", "p", "--out", "o", "-q"], in: folder), "merge")
}

/// A seeded shuffle, so that a failure can be run again.
struct SplitRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}
