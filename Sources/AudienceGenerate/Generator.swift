#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AudienceReading
import AudienceMetrics
import AudienceOutput

/// What `audience generate` wrote.
public struct GenerationSummary: Sendable {
    public var files: [String]
    public var lines: Int
    public var events: Int
    public var duplicates: Int
}

/// How far a run is, reported after each batch of viewers.
public struct GenerationProgress: Sendable {
    /// Days of the period done, and begun (1-based while one is under way).
    public var day: Int
    public var days: Int
    /// Share of the work done, from 0 to 1.
    public var fraction: Double
    /// Events written so far.
    public var events: Int
}

/// Why `audience generate` could not run.
public enum GenerationError: Error, Equatable, CustomStringConvertible {
    /// A setting beyond its limit (`GeneratorLimits`); the message names it.
    case settings(String)
    /// The logs folder already holds logs of an earlier run: writing beside
    /// them would mix two datasets. `files` lists them (relative paths).
    case logsPresent(folder: String, files: [String])
    case output(OutputError)

    public var description: String {
        switch self {
        case .settings(let message):
            return message
        case .logsPresent(let folder, let files):
            let more = files.count > 1 ? " and \(files.count - 1) more" : ""
            return "'\(folder)' already holds logs (\(files.first ?? "")\(more))"
        case .output(let error):
            return error.description
        }
    }
}

/// Writes synthetic viewing logs: `logs/` with the events, `catalog.csv`
/// and `truth/` beside it (never in it, so reading `logs/` reads logs only).
/// Deterministic: the same settings and seed give the same bytes.
///
/// Memory holds one batch of viewers' day of events, the catalog, and a few
/// bytes per viewer (the episode each follows, whether each is counted yet),
/// whatever the number of days or events.
public enum Generator {
    /// Viewers whose day is generated and written at once.
    static let viewersPerBatch = 64

    /// The files of an earlier run that `replaceExisting` removes besides the logs.
    static let ownFiles = ["catalog.csv", "truth/quality.csv", "truth/titles.csv", "truth/countries.csv"]

    public static func run(
        _ settings: GeneratorSettings, folder: String, progress: ((GenerationProgress) -> Void)? = nil
    ) throws(GenerationError) -> GenerationSummary {
        if let problem = GeneratorLimits.problem(settings) { throw .settings(problem) }
        let output: OutputFolder, logs: OutputFolder
        do {
            output = try OutputFolder(path: folder)
            try clearEarlierRun(output, replace: settings.replaceExisting)
            logs = try OutputFolder(path: output.joined("logs"))
        } catch let error as GenerationError {
            throw error
        } catch {
            throw .output(error as? OutputError ?? OutputError(path: folder, errno: EIO))
        }
        do {
            return try write(settings, output: output, logs: logs, progress: progress)
        } catch {
            throw .output(error)
        }
    }

    /// Refuses a folder whose `logs/` holds logs, or, when asked to replace
    /// them, removes them with the catalog and answer key that went with them.
    private static func clearEarlierRun(_ output: OutputFolder, replace: Bool) throws {
        let logsPath = output.joined("logs")
        let existing = (try? InputDiscovery.resolve([logsPath])) ?? []
        guard !existing.isEmpty else { return }
        guard replace else {
            let prefix = logsPath.hasSuffix("/") ? logsPath : logsPath + "/"
            throw GenerationError.logsPresent(
                folder: logsPath,
                files: existing.map { $0.name.hasPrefix(prefix) ? String($0.name.dropFirst(prefix.count)) : $0.name })
        }
        for file in existing {
            guard let path = file.path, path.withCString({ unlink($0) }) == 0 || errno == ENOENT else {
                throw OutputError(path: file.name, errno: errno)
            }
        }
        for name in ownFiles where unlink(output.joined(name)) != 0 && errno != ENOENT {
            throw OutputError(path: output.joined(name), errno: errno)
        }
    }

    private static func write(
        _ settings: GeneratorSettings, output: OutputFolder, logs: OutputFolder,
        progress: ((GenerationProgress) -> Void)?
    ) throws(OutputError) -> GenerationSummary {
        var random = SeededRandom(seed: settings.seed)
        let world = World(settings, random: &random)
        var behaviour = Behaviour(world: world, settings: settings)
        var writer = try LogWriter(world: world, settings: settings, folder: logs.path, random: &random)
        var events = 0
        let batches = (settings.viewers + viewersPerBatch - 1) / viewersPerBatch
        for day in 0..<settings.days {
            for batch in 0..<batches {
                let first = batch * viewersPerBatch
                let batchEvents = behaviour.day(
                    day, viewers: first..<min(settings.viewers, first + viewersPerBatch), random: &random)
                events += batchEvents.count
                writer.write(batchEvents, random: &random)
                progress?(GenerationProgress(
                    day: day + 1, days: settings.days,
                    fraction: Double(day * batches + batch + 1) / Double(settings.days * batches), events: events))
            }
        }
        try writer.close()
        if settings.writeCatalog { try output.write(catalog(world), to: "catalog.csv") }
        var qualities = writer.files.map(\.quality)
        for index in qualities.indices {
            qualities[index].bytesRead = FileIdentity.size(logs.joined(writer.files[index].name)) ?? 0
        }
        if settings.writeTruth {
            var total = FileQuality(file: "TOTAL")
            for quality in qualities { total.add(quality) }
            let table = QualityTables.quality(files: qualities, total: total, duplicates: writer.duplicates)
            try output.write(table.rendered, to: "truth/quality.csv")
            try output.write(behaviour.answerKey.titleTable(world).rendered, to: "truth/titles.csv")
            try output.write(behaviour.answerKey.countryTable().rendered, to: "truth/countries.csv")
        }
        return GenerationSummary(
            files: writer.files.map { "logs/" + $0.name }, lines: qualities.reduce(0) { $0 + $1.lines },
            events: events, duplicates: writer.duplicates)
    }

    /// The catalog, with the markers a player's skip buttons use (recap and
    /// intro, start of the end credits), in seconds.
    static func catalog(_ world: World) -> String {
        var table = CSVTable(header: [
            "title_id", "title_name", "series_id", "series_name", "season", "episode", "runtime_s",
            "original_language", "genre", "release_date", "recap_end_s", "intro_start_s", "intro_end_s",
            "credits_start_s",
        ])
        func text(_ value: Int?) -> String { value.map(String.init) ?? "" }
        for title in world.titles {
            table.rows.append([
                title.id, title.name, title.seriesID ?? "", title.seriesName ?? "", text(title.season),
                text(title.episode), String(title.runtime), World.languages[title.originalLanguage], title.genre,
                title.releaseDate, text(title.recapEnd), text(title.intro?.start), text(title.intro?.end),
                String(title.creditsStart),
            ])
        }
        return table.rendered
    }
}
