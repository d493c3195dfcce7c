import Foundation
import Testing

@testable import AudienceConfig

// The `config` fuzz check (`ConfigFile.fuzz`) replayed on every committed
// input: the corpus in Fuzz/Corpus/config/ and every crash the fuzzer found,
// in Fuzz/Crashes/config/, as FuzzRegressionTests does for AudienceKit's
// targets. See docs/fuzzing.md.

private let fuzzFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fuzz")

/// The committed inputs of the `config` target in `folder`, by file name.
private func committedConfigInputs(in folder: String) -> [(String, [UInt8])] {
    let directory = fuzzFolder.appendingPathComponent(folder).appendingPathComponent("config")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.sorted().compactMap { name in
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else {
            return nil
        }
        return (name, Array(data))
    }
}

@Test func configFuzzCorpusStillPasses() {
    let inputs = committedConfigInputs(in: "Corpus")
    #expect(!inputs.isEmpty, "no corpus for config")
    for (name, bytes) in inputs {
        let failure = ConfigFile.fuzz(bytes)
        #expect(failure == nil, "Fuzz/Corpus/config/\(name): \(failure ?? "")")
    }
}

@Test func configFuzzCrashesStayFixed() {
    for (name, bytes) in committedConfigInputs(in: "Crashes") {
        let failure = ConfigFile.fuzz(bytes)
        #expect(failure == nil, "Fuzz/Crashes/config/\(name): \(failure ?? "")")
    }
}

/// The check itself: an accepted file's values survive being written out as
/// TOML and as JSON; a wrong type or an unknown key is a rejection, not a failure.
@Test func configFuzzCheckRoundTripsAcceptedFiles() throws {
    let file = try ConfigFile(text: "out = \"a\\\"b\\u0001\"\ncomplete_at = 1e300\nthreads = -3\n", path: "s")
    #expect(ConfigFile.tomlText(file.values) == "complete_at = 1e+300\nout = \"a\\\"b\\u0001\"\nthreads = -3\n")
    #expect(ConfigFile.jsonText(file.values) == "{\"complete_at\": 1e+300, \"out\": \"a\\\"b\\u0001\", \"threads\": -3}")
    #expect(ConfigFile.fuzz(Array("out = \"a\\\"b\\u0001\"\ncomplete_at = 1e300\n".utf8)) == nil)
    #expect(ConfigFile.jsonText(try ConfigFile(text: "complete_at = inf", path: "s").values) == nil)
    #expect(ConfigFile.fuzz(Array("buckets = true".utf8)) == nil)
    #expect(ConfigFile.fuzz(Array("{\"nope\": 1}".utf8)) == nil)
}

/// Fuzz/Crashes/config/crash-08d5…, crash-c7f6…, crash-6030…: a `[` or `[[`
/// followed by no key (a newline, CR-LF, `=`, a control character) made
/// toml++ fail an assertion in parse_key and abort the whole run. It is a
/// usage error naming the line, as every other broken TOML is.
@Test(arguments: ["[\u{11}, 2]", " [\n\"\"stio{}\"resume\"}", "# c\r\n[\n", "buckets = 5\n[[ =", "\u{FEFF}[{"])
func aHeaderWithoutAKeyIsAnErrorNotATrap(text: String) {
    #expect(throws: ConfigError.self) { try ConfigFile(text: text, path: "s") }
    #expect(ConfigFile.fuzz(Array(text.utf8)) == nil)
}

/// TOML allows no control character but tab (and CR-LF line ends); TOMLKit
/// reads the text as a C string, so a NUL would have cut the file short.
@Test func controlCharactersInTOMLAreRefusedWithTheirLine() {
    #expect(throws: ConfigError("s", "line 2: control character U+0000 is not allowed in TOML")) {
        try ConfigFile(text: "buckets = 5\n\0threads = x", path: "s")
    }
    #expect(throws: ConfigError("s", "line 1: a carriage return not followed by a newline")) {
        try ConfigFile(text: "buckets = 5\rthreads = 2", path: "s")
    }
    #expect((try? ConfigFile(text: "buckets = 5\r\n\tthreads = 2\r\n", path: "s"))?.integer("threads") == 2)
    // A line of a multi-line string may still start with a [section]-like text.
    #expect((try? ConfigFile(text: "out = \"\"\"\n[x]\n\"\"\"", path: "s"))?.string("out") == "[x]\n")
}

/// JSON can write a NUL into a string ("\u0000"); no path or zone holds one.
@Test func aNulInAJSONStringIsRefused() {
    #expect(throws: ConfigError("s", "'out' must be a string without NUL characters")) {
        try ConfigFile(text: "{\"out\": \"a\\u0000b\"}", path: "s")
    }
}

/// Fuzz/Crashes/config/crash-7fc8…: a date followed by `T` and no time
/// (`2026-11-23T:05Z`) made toml++ fail an assertion in parse_time, also
/// inside an array. No setting is a date: a usage error naming the line.
@Test(arguments: ["outnull =2026-11-23T:05Z", "out = [2026-11-23T:05]", "out = 2026-11-23t"])
func aDateWithoutItsTimeIsAnErrorNotATrap(text: String) {
    #expect(throws: ConfigError("s", "line 1: a date and time without the time")) {
        try ConfigFile(text: text, path: "s")
    }
}

/// Fuzz/Crashes/config/crash-11b7… and crash-d842…: a value that starts
/// with a digit and has a date's '-' without being a date made toml++ fail
/// an assertion in parse_value. Numbers and real dates and times still read.
@Test(arguments: ["uI=10=8-12-23 3 S", "rejds =2026-11-2= 5", "out = 8-12-23", "out = [1, 2026-1-02]"])
func aValueThatIsNeitherANumberNorADateIsAnErrorNotATrap(text: String) {
    #expect { try ConfigFile(text: text, path: "s") } throws: { error in
        "\(error)".contains("is neither a number nor a date")
    }
}

/// Fuzz/Crashes/config/crash-9d02…: a date, a space and digits that are no
/// time (`jerds =2026-11-23 5`) made toml++ fail an assertion in
/// parse_value; inside an array too (with `T`, the token is no date: the
/// message of the test above).
@Test(arguments: ["jerds =2026-11-23 5", "out = 2026-11-23 12", "out = [2026-11-23 7:00]",
                  "out = 2026-11-23 12:6"])
func aDateWithAMalformedTimeIsAnErrorNotATrap(text: String) {
    #expect(throws: ConfigError("s", "line 1: a date and time whose time is not HH:MM[:SS]")) {
        try ConfigFile(text: text, path: "s")
    }
}

@Test func numbersDatesAndTimesStillRead() throws {
    let file = try ConfigFile(text: "buckets = 1_000\ncomplete_at = 9e-1\nthreads = 0x1F\nrejects = 0o17\n", path: "s")
    #expect(file.integer("buckets") == 1000)
    #expect(file.number("complete_at") == 0.9)
    #expect(file.integer("threads") == 31)
    #expect(file.integer("rejects") == 15)
    // Dates and times pass the screen (and then are refused as no setting's type).
    for value in ["1979-05-27T07:32:00.5-07:00", "07:32:00", "1979-05-27 07:32:00Z", "[1979-05-27, 2]", "1979-05-27t07:32Z",
                  "1979-05-27 07:32", "[1979-05-27 07:32:00, 1]"] {
        #expect(ConfigFile.tomlTrap(in: Array("out = \(value)\n".unicodeScalars)) == nil, "\(value)")
    }
}

/// What looks like a trap inside a string or a comment is text.
@Test func stringsAndCommentsAreNotScannedForTraps() throws {
    let file = try ConfigFile(text: "out = \"2026-11-23T:05 [\\\"\" # [\n# 2026-11-23T:\nlevel = '''\n[\n'''", path: "s")
    #expect(file.string("out") == "2026-11-23T:05 [\"")
    #expect(file.string("level") == "[\n")
    #expect(throws: ConfigError("s", "'out' must be a string, not a date or time")) {
        try ConfigFile(text: "out = 2026-11-23 # a date", path: "s")
    }
}

/// Fuzz/Crashes/config/crash-8b1a…, crash-1d54…: a `}` where an array's
/// value belongs made toml++ fail an assertion in parse_value.
@Test(arguments: ["timezone = [\"UTC\",}]\n", "timezonfalsee = [ }]\"", "x = [ # c\n }]", "x = {a=[}]}", "x = [[}]]"])
func aBraceInAnArrayIsAnErrorNotATrap(text: String) {
    #expect(throws: ConfigError.self) { try ConfigFile(text: text, path: "s") }
    #expect(ConfigFile.tomlTrap(in: Array(text.unicodeScalars)) != nil)
}

/// Arrays and inline tables that toml++ reports itself are left to it.
@Test(arguments: ["x = {a=1,}", "x = [1, ]", "x = {,}", "x = }", "x = [{a = 1}, {}]", "[t]\nx = [1]"])
func otherBracketsAreLeftToTOMLKit(text: String) {
    #expect(ConfigFile.tomlTrap(in: Array(text.unicodeScalars)) == nil)
}
