import Foundation
import Testing
@testable import AudienceReading
@testable import AudienceMetrics
@testable import AudienceGenerate
@testable import AudienceKit

private func generate(_ configure: (inout GeneratorSettings) -> Void) throws -> (folder: String, summary: GenerationSummary) {
    var settings = GeneratorSettings()
    settings.viewers = 12
    settings.days = 2
    settings.titles = 6
    settings.series = 2
    configure(&settings)
    let folder = scratchFolderPath("gen")
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

// MARK: - The full answer key (issue 15)

/// The columns of `analyze`'s table that the answer key holds, rows in the key's order.
private func projected(_ table: some CSVRendering, onto header: [String]) -> String {
    let columns = header.compactMap { table.header.firstIndex(of: $0) }
    var rows = table.cells.map { row in columns.map { row[$0] } }
    rows.sort { $0[0].utf8.lexicographicallyPrecedes($1[0].utf8) }
    return CSVTable(header: header, rows: rows).rendered
}

@Test(arguments: [GeneratorSettings.Messiness.none, .heavy])
func analyzeReproducesTitlesAndCountriesOfTheAnswerKey(messiness: GeneratorSettings.Messiness) throws {
    let (folder, _) = try generate { $0.messiness = messiness; $0.format = .mixed; $0.viewers = 40; $0.seed = 11 }
    let inputs = try InputDiscovery.resolve([folder + "/logs"])
    for threads in [1, 2] {
        let report = Analyzer.run(AnalysisSettings(inputs: inputs, read: ReadSettings(threads: threads), reportLevel: nil))
        let tables: [(String, any CSVRendering)] = [("titles", report.tables.titles), ("countries", report.tables.countries)]
        for (name, table) in tables {
            let truth = try String(contentsOfFile: folder + "/truth/\(name).csv", encoding: .utf8)
            let header = truth.prefix { $0 != "\n" }.split(separator: ",").map(String.init)
            #expect(projected(table, onto: header) == truth, "\(name).csv, \(messiness), threads \(threads)")
        }
    }
}

// MARK: - Measured realism on small data (Scripts/generator-realism.py does larger runs)

/// Events of a few days of a small audience, straight from the model.
private func simulate(seed: UInt64, viewers: Int, days: Int) -> (world: World, events: [GeneratedEvent]) {
    var settings = GeneratorSettings()
    settings.seed = seed
    settings.viewers = viewers
    settings.days = days
    var random = SeededRandom(seed: seed)
    let world = World(settings, random: &random)
    var behaviour = Behaviour(world: world, settings: settings)
    var events: [GeneratedEvent] = []
    for day in 0..<days { events += behaviour.day(day, viewers: 0..<viewers, random: &random) }
    return (world, events)
}

@Test(arguments: [(UInt64(1), 150), (UInt64(9), 250)])
func theModelKeepsItsPromises(seed: UInt64, viewers: Int) {
    let (world, events) = simulate(seed: seed, viewers: viewers, days: 3)
    var views: [Int: [GeneratedEvent]] = [:]
    for event in events { views[event.session << 20 | Int(event.title), default: []].append(event) }
    let progress = events.filter { $0.kind == .progress }
    // Heartbeats: never zero-length, never longer than 10.5 s, nearly all full.
    #expect(progress.allSatisfy { $0.to > $0.from && $0.to - $0.from <= 105 })
    let full = progress.filter { $0.to - $0.from >= 95 }.count
    #expect(Double(full) / Double(progress.count) > 0.97)
    // Intros: skipped once per view at most, from inside the intro, by about 40% of views there.
    var reached = 0, skipped = 0
    var viewersThere = Set<Int32>()
    for (_, view) in views {
        let title = world.titles[Int(view[0].title)]
        guard let intro = title.intro else { continue }
        let start = Int32(intro.start * 10), end = Int32(intro.end * 10)
        let skips = view.filter { $0.kind == .seek && $0.to == end && $0.from >= start && $0.from < end }
        #expect(skips.count <= 1)
        // Nothing jumps back to the intro's end from further than a rewind goes (30 s).
        #expect(!view.contains { $0.kind == .seek && $0.to == end && $0.from > end + 300 })
        guard view.contains(where: { $0.kind == .progress && $0.to == Int32(intro.start * 10) }) else { continue }
        reached += 1
        viewersThere.insert(view[0].viewer)
        skipped += skips.isEmpty ? 0 : 1
    }
    let share = Double(skipped) / Double(max(1, reached))
    let tolerance = 0.01 + 3 * 0.37 / Double(viewersThere.count).squareRoot()
    #expect(abs(share - 0.4) <= tolerance, "intro skipped by \(share) of \(reached) views")
    // Events per view: about one per ten seconds watched, no junk.
    for (_, view) in views {
        let watched = view.filter { $0.kind == .progress }.reduce(0) { $0 + Int($1.to - $1.from) }
        #expect(view.count <= 12 + watched / 90, "\(view.count) events for \(watched / 10) s")
    }
    // Each view's events are strictly in time order.
    for (_, view) in views { #expect(zip(view, view.dropFirst()).allSatisfy { $0.ts < $1.ts }) }
}

// MARK: - Safe output folder and bounds

@Test func aFolderWithLogsIsRefusedAndForceReplacesThem() throws {
    let (folder, first) = try generate { $0.files = 4 }
    var settings = GeneratorSettings()
    settings.viewers = 5
    settings.days = 1
    settings.files = 2
    settings.seed = 7
    settings.writeTruth = false
    settings.writeCatalog = false
    #expect(throws: GenerationError.logsPresent(folder: folder + "/logs", files: first.files.map { String($0.dropFirst(5)) })) {
        try Generator.run(settings, folder: folder)
    }
    settings.replaceExisting = true
    let second = try Generator.run(settings, folder: folder)
    #expect(try contents(folder + "/logs").keys.sorted() == second.files.map { String($0.dropFirst(5)) })
    // The earlier answer key and catalog went with their logs.
    #expect(!FileManager.default.fileExists(atPath: folder + "/truth/quality.csv"))
    #expect(!FileManager.default.fileExists(atPath: folder + "/catalog.csv"))
}

@Test func settingsBeyondTheirLimitsAreRefused() {
    func problem(_ change: (inout GeneratorSettings) -> Void) -> String? {
        var settings = GeneratorSettings()
        change(&settings)
        return GeneratorLimits.problem(settings)
    }
    #expect(problem { _ in } == nil)
    #expect(problem { $0.viewers = 99_999_999_999 }?.contains("--viewers must be from 1 to 1000000") == true)
    #expect(problem { $0.days = 9_999_999_999 }?.contains("--days must be from 1 to 366") == true)
    #expect(problem { $0.files = 99_999_999 }?.contains("--files must be from 1 to 1000") == true)
    #expect(problem { $0.titles = -1 }?.contains("--titles") == true)
    #expect(problem { $0.series = Int.max }?.contains("--series") == true)
    #expect(problem { $0.startDay = Int.max }?.contains("--start") == true)
    #expect(problem { $0.startDay = Int.min }?.contains("--start") == true)
    #expect(problem { $0.titles = 0; $0.series = 0 } != nil)
    var settings = GeneratorSettings()
    settings.viewers = 0
    let folder = scratchFolderPath("gen")
    #expect(throws: GenerationError.self) { try Generator.run(settings, folder: folder) }
}

/// Local time follows each country's summer-time rules (2026: the US from
/// 8 March to 1 November, Europe from 29 March to 25 October).
@Test func summerTimeFollowsEachCountrysRules() {
    func day(_ month: Int, _ day: Int) -> Int { Timestamp.daysFromCivil(year: 2026, month: month, day: day) }
    #expect(!DaylightSaving.northAmerica.isSummer(day: day(3, 7)))
    #expect(DaylightSaving.northAmerica.isSummer(day: day(3, 8)))
    #expect(DaylightSaving.northAmerica.isSummer(day: day(10, 31)))
    #expect(!DaylightSaving.northAmerica.isSummer(day: day(11, 1)))
    #expect(!DaylightSaving.europe.isSummer(day: day(3, 28)))
    #expect(DaylightSaving.europe.isSummer(day: day(3, 29)))
    #expect(!DaylightSaving.europe.isSummer(day: day(10, 25)))
    #expect(!DaylightSaving.none.isSummer(day: day(7, 1)))
    let newYork = World.countries[0]
    #expect(newYork.offset(region: 1, localDay: day(7, 1)) == -240 && newYork.offset(region: 1, localDay: day(12, 1)) == -300)
}
