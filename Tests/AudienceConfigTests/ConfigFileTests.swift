import AudienceConfig
import Foundation
import Testing

// --config files: each key has one type, a wrong type is named, TOML is
// read by a real parser (quotes, comments, duplicates, sections), and the
// file's size is bounded.

private func config(_ text: String) throws(ConfigError) -> ConfigFile {
    try ConfigFile(text: text, path: "s")
}

private func problem(_ text: String) -> String? {
    do {
        _ = try config(text)
        return nil
    } catch {
        return error.problem
    }
}

@Test func tomlValuesKeepTheirTypes() throws {
    let file = try config("""
        # a comment
        buckets = 50 # trailing comment
        complete_at = 0.75
        timezone = "Asia/Seoul"
        catalog = "titles#2024.csv"
        out = 'C:\\reports'
        threads = 2
        """)
    #expect(file.integer("buckets") == 50)
    #expect(file.number("complete_at") == 0.75)
    #expect(file.string("timezone") == "Asia/Seoul")
    #expect(file.string("catalog") == "titles#2024.csv")  // a # inside quotes is text
    #expect(file.string("out") == "C:\\reports")
    #expect(file.number("threads") == 2)  // a whole number is a number too
    #expect(file.string("level") == nil)
}

@Test func jsonValuesKeepTheirTypes() throws {
    let file = try config(#"{"buckets": 5, "complete_at": 1, "level": "entry"}"#)
    #expect(file.integer("buckets") == 5)
    #expect(file.number("complete_at") == 1)
    #expect(file.string("level") == "entry")
}

@Test(arguments: [
    (#"{"buckets": true}"#, "'buckets' must be a whole number, not true"),
    (#"{"buckets": 2.5}"#, "'buckets' must be a whole number, not 2.5"),
    (#"{"buckets": "5"}"#, #"'buckets' must be a whole number, not "5""#),
    (#"{"timezone": 9}"#, "'timezone' must be a string, not 9"),
    (#"{"complete_at": null}"#, "'complete_at' must be a number, not null"),
    (#"{"out": ["a"]}"#, "'out' must be a string, not an array or object"),
    ("threads = false", "'threads' must be a whole number, not false"),
    ("level = 3", "'level' must be a string, not 3"),
    ("out = [1, 2]", "'out' must be a string, not an array"),
    ("out = 1979-05-27", "'out' must be a string, not a date or time"),
    ("bukets = 3", "unknown key 'bukets'"),
])
func wrongTypesAreNamed(text: String, expected: String) {
    let found = problem(text)
    #expect(found?.hasPrefix(expected) == true, "\(found ?? "accepted")")
}

@Test func brokenTOMLNamesItsLine() {
    #expect(problem("buckets = 5\nbuckets = 6")?.hasPrefix("line 2:") == true)
    #expect(problem("buckets = 5\n\nthreads =")?.hasPrefix("line 3:") == true)
    #expect(problem("[settings]\nbuckets = 5")?.hasPrefix("[settings] is a section") == true)
    #expect(problem("{ not json") == "is not a JSON object of settings")
    #expect(problem("[1, 2]") != nil)
}

@Test func aHugeFileIsRefusedWithoutReadingIt() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString).toml").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(FileManager.default.createFile(atPath: path, contents: Data(count: ConfigFile.maximumSize + 1)))
    #expect(throws: ConfigError(path, "is larger than 1 MiB: not a settings file")) { try ConfigFile(path: path) }
    #expect(throws: ConfigError("/nonexistent/x.toml", "cannot be read")) { try ConfigFile(path: "/nonexistent/x.toml") }
}
