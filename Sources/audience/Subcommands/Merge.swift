import ArgumentParser
import AudienceKit
import Foundation

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The last step of a split run: the tables and report of every part's partial result.",
        discussion: """
            A run split over machines is three kinds of step, each a plain \
            process: map (audience ingest LOGS --store S_i --shard i/N, one store \
            per shard), reduce (audience analyze --store S_0 ... --store S_N-1 \
            --part p/P --partial DIR, one part of the view partitions each) and \
            merge. DIR is a folder of partial results (every \
            part-p-of-P.audience-partial in it) or one such file; give several. \
            The outputs are those of `audience analyze --store S_0 ... --store \
            S_N-1` with the settings the reduce steps were given. Exit codes: 0 \
            done; 64 the parts do not make one run (mixed settings, missing or \
            repeated parts); 65 a partial result is damaged or of a newer format \
            (run its reduce step again), or a store it needs again is damaged; 73 \
            an output could not be written; 130/143 stopped (nothing written).
            """
    )

    @Argument(help: ArgumentHelp("Folders of partial results, or partial result files.", valueName: "dir"))
    var partials: [String] = []

    @Option(name: .shortAndLong, help: "Folder to write the tables into, created when missing.")
    var out: String = "out"

    @Option(help: ArgumentHelp(
        "Depth of report.md: entry, intermediate or advanced.", valueName: "level"))
    var level: String = ReportLevel.standard.rawValue

    @Flag(help: "Write the tables only, no report.md or charts.")
    var noReport = false

    @Option(parsing: .unconditional,
            help: "Rejected lines of each reason to keep in rejects.csv.")
    var rejects: Int = ReadSettings.defaultRejectSampleLimit

    @Option(parsing: .unconditional,
            help: "Worker threads, \(WorkerThreads.range), one per core by default; results never depend on it.")
    var threads: Int?

    @Flag(help: "Make the CSV tables safe to open by a double-click in a spreadsheet (see `audience analyze --help`).")
    var spreadsheetSafe = false

    @OptionGroup var batch: BatchOptions

    func run() throws {
        do {
            try merge()
        } catch let error as ValidationError {
            if let metricsFile = batch.metricsFile, !metricsFile.isEmpty { AnalysisRun.recordUsageError(metricsFile: metricsFile) }
            throw error
        }
    }

    private func merge() throws {
        guard !partials.isEmpty else {
            throw ValidationError("no partial results given: name the folders the reduce steps wrote (audience merge DIR --out OUT).")
        }
        if batch.maxBadRate != nil || batch.maxBadLines != nil {
            throw ValidationError("bad-data limits are checked when logs are read: give them to the map steps (audience ingest).")
        }
        _ = try batch.limits()
        guard rejects >= 0 else { throw ValidationError("--rejects must be 0 or more, not \(rejects).") }
        let threads = try WorkerThreads.resolve(threads)
        guard let reportLevel = ReportLevel(rawValue: level) else {
            throw ValidationError("--level must be entry, intermediate or advanced, not '\(level)'.")
        }
        if let metricsFile = batch.metricsFile, !OutputFolder.isRegularFileOrMissing(metricsFile) {
            throw ValidationError("--metrics-file '\(metricsFile)' is not a regular file (a folder, device, pipe or link); name a file.")
        }
        let folder: OutputFolder
        do {
            folder = try OutputFolder(path: out)
        } catch {
            throw ValidationError("--out: \(error.description)")
        }
        var settings = AnalysisSettings(
            inputs: [], read: ReadSettings(rejectSampleLimit: rejects, threads: threads),
            reportLevel: noReport ? nil : reportLevel)
        settings.spreadsheetSafe = spreadsheetSafe
        var run = AnalysisRun(
            settings: settings, folder: folder, exportEvents: nil, limits: BadDataLimits(maxRate: nil, maxLines: nil),
            metricsFile: batch.metricsFile, progressMode: batch.progress, quiet: batch.quiet)
        run.partials = partials
        try run.run()
    }
}
