import ArgumentParser
import AudienceKit

extension GeneratorSettings.Format: ExpressibleByArgument {}
extension GeneratorSettings.Messiness: ExpressibleByArgument {}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write realistic synthetic viewing logs, with a catalog and an answer key on request.",
        discussion: """
            Writes DIR/logs/ (the logs), and beside it DIR/catalog.csv (--catalog) and \
            DIR/truth/quality.csv (--truth: what 'audience analyze logs' run inside DIR must \
            report, line for line). The same options and seed give the same bytes.
            """
    )

    @Option(name: .shortAndLong, help: "Folder to write into (default: generated).")
    var out: String = "generated"

    @Option(help: "Viewers in the audience.")
    var viewers: Int = 300

    @Option(help: "Days of viewing.")
    var days: Int = 7

    @Option(help: ArgumentHelp("The first day, YYYY-MM-DD.", valueName: "date"))
    var start: String = "2026-11-01"

    @Option(help: "Films in the catalog.")
    var titles: Int = 24

    @Option(help: "Series in the catalog, each with one or two seasons of 6 to 10 episodes.")
    var series: Int = 4

    @Option(help: "Seed for the random choices.")
    var seed: UInt64 = 1

    @Option(help: "Log files to spread the events over.")
    var files: Int = 4

    @Option(help: "File format: \(GeneratorSettings.Format.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: GeneratorSettings.Format = .jsonlGz

    @Option(help: "Trouble in the logs: none, light or heavy.")
    var messiness: GeneratorSettings.Messiness = .light

    @Flag(help: "Also write DIR/catalog.csv with names, series, runtimes, languages, genres and release dates.")
    var catalog = false

    @Flag(help: "Also write DIR/truth/quality.csv, the answer key.")
    var truth = false

    func validate() throws {
        guard viewers >= 0, days >= 1, titles >= 0, series >= 0, files >= 1 else {
            throw ValidationError("--viewers, --titles and --series must be 0 or more; --days and --files 1 or more.")
        }
        guard titles + series > 0 else { throw ValidationError("--titles and --series cannot both be 0.") }
        guard startDay != nil else { throw ValidationError("--start '\(start)' is not a date like 2026-11-01.") }
    }

    private var startDay: Int? {
        let parts = start.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, start.count == 10, (1...12).contains(parts[1]),
              (1...Timestamp.daysIn(month: parts[1], year: parts[0])).contains(parts[2])
        else { return nil }
        return Timestamp.daysFromCivil(year: parts[0], month: parts[1], day: parts[2])
    }

    func run() throws {
        var settings = GeneratorSettings()
        settings.viewers = viewers
        settings.days = days
        settings.startDay = startDay ?? settings.startDay
        settings.titles = titles
        settings.series = series
        settings.seed = seed
        settings.files = files
        settings.format = format
        settings.messiness = messiness
        settings.writeCatalog = catalog
        settings.writeTruth = truth
        let summary: GenerationSummary
        do {
            summary = try Generator.run(settings, folder: out)
        } catch {
            throw ValidationError("--out: \(error.description)")
        }
        Console.output(
            "Wrote \(summary.lines) lines (\(summary.events) events, \(summary.duplicates) duplicate copies) "
                + "in \(summary.files.count) files to \(out)/logs/")
    }
}
