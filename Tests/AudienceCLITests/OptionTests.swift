import Foundation
import Testing

// Option values a script can produce by accident, and what each gets: a
// one-line usage error naming the option and the limit, never a crash, and
// never the wrong data read with exit 0.

private func analyzeOne(_ options: [String]) throws -> Run {
    let folder = try temporaryFolder()
    try (goodLine + "\n").write(to: folder.appendingPathComponent("a.jsonl"), atomically: true, encoding: .utf8)
    return try run(["analyze", "a.jsonl", "--out", "o", "-q"] + options, in: folder)
}

@Test(arguments: [
    (["--buckets", "9223372036854775807"], "--buckets must be from 1 to 10000, not 9223372036854775807."),
    (["--buckets", "100000000"], "--buckets must be from 1 to 10000"),
    (["--buckets", "-1"], "--buckets must be from 1 to 10000, not -1."),
    (["--threads", "0"], "--threads must be from 1 to 32, not 0."),
    (["--threads", "1000"], "--threads must be from 1 to 32, not 1000."),
    (["--rejects", "-5"], "--rejects must be 0 or more, not -5."),
    (["--complete-at", "-0.5"], "--complete-at must be in (0, 1], not -0.5."),
    (["--complete-at", "nan"], "--complete-at must be in (0, 1]"),
    (["--timezone", "-25:00"], "unknown time zone '-25:00'"),
    (["--sample"], "give either --sample or INPUT, not both"),
    (["--from", "2026-13-01"], "--from '2026-13-01' is not a date written YYYY-MM-DD"),
    (["--from", "2026-11-24", "--to", "2026-11-23"], "--from 2026-11-24 is after --to 2026-11-23"),
])
func impossibleValuesAreOneLineUsageErrors(options: [String], message: String) throws {
    let result = try analyzeOne(options)
    #expect(result.status == 64)
    #expect(result.error.hasPrefix("audience: "), "\(result.error)")
    #expect(result.error.contains(message), "\(result.error)")
    #expect(result.error.split(separator: "\n").count == 1, "\(result.error)")
}

@Test func aWindowSelectsDays() throws {
    let result = try analyzeOne(["--from", "2026-11-24", "--to", "2026-11-30"])
    #expect(result.status == 0, "\(result.error)")
}

@Test func aNegativeOffsetIsAZoneNotAnOption() throws {
    let result = try analyzeOne(["--timezone", "-05:00"])
    #expect(result.status == 0, "\(result.error)")
}

@Test func analyzeWithoutInputIsAUsageError() throws {
    let folder = try temporaryFolder()
    // What `INPUT=""; audience analyze $INPUT --out report` runs.
    let result = try run(["analyze", "--out", "report"], in: folder)
    #expect(result.status == 64)
    #expect(result.error.contains("no INPUT given"))
    #expect(result.error.contains("--sample"))
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("report").path))
    // The default subcommand, likewise.
    #expect(try run(["--out", "report"], in: folder).status == 64)
}

@Test func bareAudienceReadsTheSampleAndSaysSo() throws {
    let folder = try temporaryFolder()
    let result = try run([], in: folder)
    #expect(result.status == 0, "\(result.error)")
    #expect(result.error.contains("reading the bundled sample"))
    let quality = try String(contentsOf: folder.appendingPathComponent("out/quality.csv"), encoding: .utf8)
    #expect(quality.contains("Datasets/messy/logs/"))
}

@Test func configValuesOfTheWrongTypeAreNamed() throws {
    let folder = try temporaryFolder()
    try (goodLine + "\n").write(to: folder.appendingPathComponent("a.jsonl"), atomically: true, encoding: .utf8)
    try #"{"buckets": true}"#.write(to: folder.appendingPathComponent("s.json"), atomically: true, encoding: .utf8)
    try "catalog = \"c#1.csv\"\n".write(to: folder.appendingPathComponent("s.toml"), atomically: true, encoding: .utf8)
    let json = try run(["a.jsonl", "--config", "s.json"], in: folder)
    #expect(json.status == 64)
    #expect(json.error.contains("--config 's.json': 'buckets' must be a whole number, not true"))
    // The whole quoted value is the catalog's name, '#' included.
    let toml = try run(["a.jsonl", "--config", "s.toml"], in: folder)
    #expect(toml.status == 64)
    #expect(toml.error.contains("c#1.csv"), "\(toml.error)")
}
