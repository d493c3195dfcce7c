import ArgumentParser
import AudienceKit
import Foundation

extension GeneratorSettings.Format: ExpressibleByArgument {}
extension GeneratorSettings.Messiness: ExpressibleByArgument {}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write realistic synthetic viewing logs, with a catalog and an answer key on request.",
        discussion: """
            Writes DIR/logs/ (the logs), and beside it DIR/catalog.csv (--catalog) and DIR/truth/ \
            (--truth: quality.csv, titles.csv and countries.csv, what 'audience analyze logs' run \
            inside DIR must report). The same options and seed give the same bytes. A folder whose \
            logs/ already holds logs is refused unless --force replaces them.
            """
    )

    @Option(name: .shortAndLong, help: "Folder to write into.")
    var out: String = "generated"

    @Option(parsing: .unconditional, help: "Viewers in the audience, \(Self.range(GeneratorLimits.viewers)).")
    var viewers: Int = 300

    @Option(parsing: .unconditional, help: "Days of viewing, \(Self.range(GeneratorLimits.days)).")
    var days: Int = 7

    @Option(help: ArgumentHelp(
        "The first day, YYYY-MM-DD; every day must lie from \(LocalTime.dayString(GeneratorLimits.firstStartDay)) "
            + "to \(LocalTime.dayString(GeneratorLimits.lastDay)).",
        valueName: "date"))
    var start: String = "2026-11-01"

    @Option(parsing: .unconditional, help: "Films in the catalog, \(Self.range(GeneratorLimits.titles)).")
    var titles: Int = 24

    @Option(parsing: .unconditional, help: "Series in the catalog, \(Self.range(GeneratorLimits.series)), each with one or two seasons of 6 to 10 episodes.")
    var series: Int = 4

    @Option(help: "Seed for the random choices.")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Log files to spread the events over, \(Self.range(GeneratorLimits.files)).")
    var files: Int = 4

    @Option(help: "File format: \(GeneratorSettings.Format.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: GeneratorSettings.Format = .jsonlGz

    @Option(help: "Trouble in the logs: none, light or heavy.")
    var messiness: GeneratorSettings.Messiness = .light

    @Flag(help: "Also write DIR/catalog.csv with names, series, runtimes, languages, genres, release dates and skip markers.")
    var catalog = false

    @Flag(help: "Also write DIR/truth/: quality.csv, titles.csv and countries.csv, the answer key.")
    var truth = false

    @Flag(help: "Replace the logs (and catalog and answer key) already in DIR instead of refusing it.")
    var force = false

    @Option(help: "A progress line on standard error: auto (redrawn in place on a terminal, else none), always, never.")
    var progress: ProgressMode = .auto

    static func range(_ range: ClosedRange<Int>) -> String { "\(range.lowerBound) to \(range.upperBound)" }

    func validate() throws {
        guard let startDay else { throw ValidationError("--start '\(start)' is not a date like 2026-11-01.") }
        if let problem = GeneratorLimits.problem(settings(startDay: startDay)) { throw ValidationError(problem) }
    }

    private var startDay: Int? { Timestamp.day(written: start) }

    private func settings(startDay: Int) -> GeneratorSettings {
        var settings = GeneratorSettings()
        settings.viewers = viewers
        settings.days = days
        settings.startDay = startDay
        settings.titles = titles
        settings.series = series
        settings.seed = seed
        settings.files = files
        settings.format = format
        settings.messiness = messiness
        settings.writeCatalog = catalog
        settings.writeTruth = truth
        settings.replaceExisting = force
        return settings
    }

    func run() throws {
        guard let startDay else { throw ValidationError("--start '\(start)' is not a date like 2026-11-01.") }
        var line = ProgressLine(mode: progress)
        let summary: GenerationSummary
        do throws(GenerationError) {
            summary = try Generator.run(settings(startDay: startDay), folder: out) { progress in
                line.show("generate: day \(progress.day) of \(progress.days), \(Int(progress.fraction * 100))%, "
                    + "\(progress.events) events")
            }
        } catch .logsPresent(let folder, let files) {
            let more = files.count > 1 ? " and \(files.count - 1) more" : ""
            throw ValidationError(
                "--out: '\(folder)' already holds logs (\(files.first ?? "")\(more)); "
                    + "choose another folder, or add --force to replace them.")
        } catch .settings(let message) {
            throw ValidationError(message)
        } catch .output(let error) {
            line.finish()
            throw ValidationError("--out: \(error.description)")
        }
        line.finish()
        Console.output(
            "Wrote \(summary.lines) lines (\(summary.events) events, \(summary.duplicates) duplicate copies) "
                + "in \(summary.files.count) files to \(out)/logs/")
    }
}
