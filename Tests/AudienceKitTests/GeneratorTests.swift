import Foundation
import Testing
@testable import AudienceKit

private func generate(_ configure: (inout GeneratorSettings) -> Void) throws -> (folder: String, summary: GenerationSummary) {
    var settings = GeneratorSettings()
    settings.viewers = 12
    settings.days = 2
    settings.titles = 6
    settings.series = 2
    configure(&settings)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gen-\(UUID().uuidString)").path
    return (folder, try Generator.run(settings, folder: folder))
}

private func contents(_ folder: String) throws -> [String: Data] {
    var result: [String: Data] = [:]
    for name in try FileManager.default.subpathsOfDirectory(atPath: folder).sorted() {
        var isFolder: ObjCBool = false
        let path = folder + "/" + name
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue {
            result[name] = FileManager.default.contents(atPath: path)
        }
    }
    return result
}

/// `analyze logs`, run inside the generated folder, as the answer key says.
private func analyzeQuality(_ folder: String, threads: Int) throws -> String {
    let logs = try InputDiscovery.resolve([folder + "/logs"]).map {
        InputFile(name: "logs/" + ($0.name.split(separator: "/").last.map(String.init) ?? $0.name), path: $0.path)
    }
    let read = Reading.read(logs, settings: ReadSettings(threads: threads))
    return QualityTables.quality(read).rendered
}

@Test func sameSeedSameBytes() throws {
    let a = try generate { $0.messiness = .heavy; $0.format = .mixed; $0.seed = 7 }
    let b = try generate { $0.messiness = .heavy; $0.format = .mixed; $0.seed = 7 }
    let c = try generate { $0.messiness = .heavy; $0.format = .mixed; $0.seed = 8 }
    #expect(try contents(a.folder) == contents(b.folder))
    #expect(try contents(a.folder) != contents(c.folder))
}

@Test(arguments: GeneratorSettings.Messiness.allCases)
func analyzeReproducesTheAnswerKey(messiness: GeneratorSettings.Messiness) throws {
    for format in [GeneratorSettings.Format.mixed, .jsonl, .csv, .tsvGz] {
        let (folder, summary) = try generate { $0.messiness = messiness; $0.format = format; $0.seed = 3 }
        let truth = try String(contentsOfFile: folder + "/truth/quality.csv", encoding: .utf8)
        for threads in [1, 2] {
            #expect(try analyzeQuality(folder, threads: threads) == truth, "\(messiness) \(format) threads \(threads)")
        }
        #expect(summary.lines > 1000)
        if messiness == .none { #expect(summary.duplicates == 0) }
    }
}

/// Each kind of trouble shows up in heavy logs.
@Test func heavyMessinessHasEveryKind() throws {
    let (folder, _) = try generate { $0.messiness = .heavy; $0.format = .mixed; $0.viewers = 30 }
    let truth = try String(contentsOfFile: folder + "/truth/quality.csv", encoding: .utf8)
    let total = truth.split(separator: "\n").last?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) ?? []
    // ignored_event, malformed, missing_field, bad_timestamp, bad_number, bad_segment, duplicate
    for column in 4...10 { #expect((Int(total[column]) ?? 0) > 0, "column \(column)") }
    let logs = try contents(folder + "/logs")
    #expect(logs.keys.contains { $0.hasSuffix(".jsonl.gz") } && logs.keys.contains { $0.hasSuffix(".csv.gz") }
        && logs.keys.contains { $0.hasSuffix(".tsv.gz") })
    // Several gzip members in some file, and a byte-order mark at the start of some file.
    let members = logs.values.map { data in
        zip(data, data.dropFirst()).filter { $0 == 0x1F && $1 == 0x8B }.count
    }
    #expect(members.contains { $0 > 1 })
}

/// The plain-text forms of trouble, checked on an uncompressed NDJSON log.
@Test func plainLogsShowEveryForm() throws {
    let (folder, _) = try generate { $0.messiness = .heavy; $0.format = .jsonl; $0.viewers = 30; $0.files = 2 }
    let text = try contents(folder + "/logs").values.map { String(decoding: $0, as: UTF8.self) }.joined()
    #expect(text.contains("\r\n") || text.contains("\n"))
    #expect(text.contains(#""ts":"2026-"#))                     // ISO in UTC
    #expect(text.range(of: #""ts":"[0-9T:.-]+[+-][0-9]{2}:[0-9]{2}""#, options: .regularExpression) != nil)  // offsets
    #expect(text.range(of: #""ts":"?1[0-9]{12}[",}]"#, options: .regularExpression) != nil)      // Unix milliseconds
    #expect(text.range(of: #""ts":"?1[0-9]{9}\.[0-9]{3}"#, options: .regularExpression) != nil)  // Unix seconds
    #expect(text.range(of: #""(from|to|position|duration)":"[0-9.]+""#, options: .regularExpression) != nil)  // numbers as strings
    #expect(text.range(of: #""country":"[a-z]{2}""#, options: .regularExpression) != nil)     // lower case
    #expect(text.contains(#""device":" "#))                      // padded
    #expect(text.contains(#""player":{"#))                       // unknown nested fields
    #expect(text.contains("bitrate_change"))                     // unknown events
    #expect(text.contains(#""event":"progress""#) && text.contains(#""event":"seek""#) && text.contains(#""event":"complete""#))
}

@Test func catalogDescribesEveryTitle() throws {
    let (folder, _) = try generate { $0.writeCatalog = true }
    let catalog = try Catalog(path: folder + "/catalog.csv")
    #expect(catalog.entries.count == 6 + catalog.entries.values.filter { $0.seriesID != nil }.count)
    #expect(catalog.entries.values.allSatisfy { $0.runtime > 0 && $0.name != nil })
    #expect(!FileManager.default.fileExists(atPath: folder + "/logs/catalog.csv"))
}

/// The samples shipped in Datasets/ match their answer keys.
@Test(arguments: ["clean", "messy"])
func shippedSamplesMatchTheirAnswerKeys(sample: String) throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Datasets/\(sample)").standardized.path
    let truth = try String(contentsOfFile: folder + "/truth/quality.csv", encoding: .utf8)
    #expect(try analyzeQuality(folder, threads: 2) == truth)
}
