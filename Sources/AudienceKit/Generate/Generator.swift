/// What `audience generate` wrote.
public struct GenerationSummary: Sendable {
    public var files: [String]
    public var lines: Int
    public var events: Int
    public var duplicates: Int
}

/// Writes synthetic viewing logs: `logs/` with the events, `catalog.csv`
/// and `truth/quality.csv` beside it (never in it, so reading `logs/` reads
/// logs only). Deterministic: the same settings and seed give the same bytes.
/// Memory holds the events of one day of a few hundred viewers at a time.
public enum Generator {
    /// Viewers whose day is generated and written at once: memory holds
    /// their events only, whatever the size of the audience or the period.
    static let viewersPerBatch = 256

    public static func run(_ settings: GeneratorSettings, folder: String) throws(OutputError) -> GenerationSummary {
        let output = try OutputFolder(path: folder)
        let logs = try OutputFolder(path: output.joined("logs"))
        var random = SeededRandom(seed: settings.seed)
        let world = World(settings, random: &random)
        var behaviour = Behaviour(world: world, settings: settings)
        var writer = try LogWriter(world: world, settings: settings, folder: logs.path, random: &random)
        var events = 0
        for day in 0..<max(0, settings.days) {
            for first in stride(from: 0, to: world.viewers.count, by: viewersPerBatch) {
                let batch = first..<min(world.viewers.count, first + viewersPerBatch)
                let batchEvents = behaviour.day(day, viewers: batch, random: &random)
                events += batchEvents.count
                writer.write(batchEvents, random: &random)
            }
        }
        try writer.close()
        if settings.writeCatalog { try output.write(catalog(world), to: "catalog.csv") }
        var qualities = writer.files.map(\.quality)
        for index in qualities.indices {
            qualities[index].bytesRead = FileIdentity.size(logs.joined(writer.files[index].name)) ?? 0
        }
        if settings.writeTruth {
            var table = CSVTable(header: QualityTables.qualityHeader)
            var total = FileQuality(file: "TOTAL")
            for quality in qualities {
                table.rows.append(QualityTables.row(quality, duplicates: nil))
                total.add(quality)
            }
            table.rows.append(QualityTables.row(total, duplicates: writer.duplicates))
            try output.write(table.rendered, to: "truth/quality.csv")
        }
        return GenerationSummary(
            files: writer.files.map { "logs/" + $0.name }, lines: qualities.reduce(0) { $0 + $1.lines },
            events: events, duplicates: writer.duplicates)
    }

    static func catalog(_ world: World) -> String {
        var table = CSVTable(header: [
            "title_id", "title_name", "series_id", "series_name", "season", "episode", "runtime_s",
            "original_language", "genre", "release_date",
        ])
        for title in world.titles {
            table.rows.append([
                title.id, title.name, title.seriesID ?? "", title.seriesName ?? "", title.season.map(String.init) ?? "",
                title.episode.map(String.init) ?? "", String(title.runtime), title.originalLanguage, title.genre,
                title.releaseDate,
            ])
        }
        return table.rendered
    }
}
