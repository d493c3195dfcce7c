import ArgumentParser
import AudienceConfig
import AudienceKit
import Foundation

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read viewing-event logs; write the quality account, the tables and a course report.",
        discussion: """
            INPUT is a file, a folder (read recursively: *.jsonl, *.ndjson, \
            *.json, *.csv, *.tsv, each optionally .gz, and *.gz), a glob \
            pattern, or - for standard input. --sample reads the messy sample \
            bundled under Datasets/ with its catalog.
            """
    )

    @Argument(help: "Files, folders, glob patterns, or - for standard input.")
    var inputs: [String] = []

    @Flag(help: "Read the sample logs bundled under Datasets/messy, with their catalog, instead of INPUT.")
    var sample = false

    @Option(name: .customLong("store"), help: ArgumentHelp(
        "A store (see `audience ingest`): INPUT is ingested into it first, then the report covers every file it holds. Without INPUT, may be given more than once: the stores are read as one.",
        valueName: "dir"))
    var stores: [String] = []

    @Flag(help: "With --store and INPUT: wait for another run writing to the store instead of exiting \(ExitStatus.storeBusy).")
    var wait = false

    @Option(help: ArgumentHelp(
        "A reduce step of a split run: compute part p of P (p from 0) of the stores' view partitions and write it to --partial instead of the tables; `audience merge` makes the tables of all parts. auto/P takes p from \(Shard.indexVariables.joined(separator: ", ")).",
        valueName: "p/P"))
    var part: String?

    @Option(help: ArgumentHelp(
        "With --part: the folder to write the partial result into (part-p-of-P.audience-partial, replacing a previous attempt).",
        valueName: "dir"))
    var partial: String?

    @Option(name: .shortAndLong, help: "Folder to write the tables into, created when missing (default: out).")
    var out: String?

    // Numbers and zones take the next argument whatever it is, so that
    // `--timezone -05:00` and `--buckets -1` get their own messages.
    @Option(parsing: .unconditional,
            help: "Retention buckets B per title, 1 to \(MetricSettings.bucketLimit) (default: \(MetricSettings.defaultBuckets)).")
    var buckets: Int?

    @Option(parsing: .unconditional, help: """
        Completion threshold c, above 0 and at most 1: a view that reaches c of the runtime is completed \
        (default: \(MetricSettings.defaultCompleteAt)).
        """)
    var completeAt: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Time zone for days and hours: an IANA name such as Asia/Seoul, or an offset such as +09:00 (default: UTC).",
        valueName: "zone"))
    var timezone: String?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "First day of the window (YYYY-MM-DD, in the report's time zone): the tables describe the views that start on or after it; the history before still counts for first views, runtimes, concurrency and quality.",
        valueName: "day"))
    var from: String?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Last day of the window (YYYY-MM-DD, inclusive).", valueName: "day"))
    var to: String?

    @Option(help: ArgumentHelp(
        "Title catalog (CSV with title_id and runtime_s, optionally title_name, series_id, season, episode, ...).",
        valueName: "file"))
    var catalog: String?

    @Option(help: ArgumentHelp(
        "Settings file, JSON or TOML, with any of: buckets, complete_at, timezone, catalog, level, rejects, threads, out. Options given here win.",
        valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp(
        "Depth of report.md: entry, intermediate or advanced (default: intermediate, the level to hand to a producer).",
        valueName: "level"))
    var level: String?

    @Flag(help: "Write the tables only, no report.md or charts.")
    var noReport = false

    @Option(parsing: .unconditional,
            help: "Rejected lines of each reason to keep in rejects.csv (default: \(ReadSettings.defaultRejectSampleLimit)).")
    var rejects: Int?

    @Option(parsing: .unconditional,
            help: "Worker threads, \(WorkerThreads.range), one per core by default; results never depend on it.")
    var threads: Int?

    @Option(help: ArgumentHelp(
        "Also write the cleaned events (accepted, duplicates removed) to this TSV file.",
        valueName: "file"))
    var exportEvents: String?

    @Flag(help: """
        Make the CSV tables safe to open by a double-click in a spreadsheet: text starting with = + - @ or a tab \
        gets a leading ' and control characters are shown as symbols. Off by default: values are then exact.
        """)
    var spreadsheetSafe = false

    @OptionGroup var batch: BatchOptions

    var quiet: Bool { batch.quiet }
    var progress: ProgressMode { batch.progress }
    var maxBadRate: Double? { batch.maxBadRate }
    var maxBadLines: Int? { batch.maxBadLines }
    var metricsFile: String? { batch.metricsFile }

    /// The settings of this run: command-line options, then the config
    /// file, then the defaults.
    struct Resolved {
        var inputs: [SystemPath]
        var out: String
        var rejects: Int
        var threads: Int
        var metrics: MetricSettings
        var catalogPath: String?
        var reportLevel: ReportLevel?
        var limits: BadDataLimits
        var metricsFile: String?
    }

    func resolve() throws -> Resolved {
        var file: ConfigFile?
        if let config {
            do {
                file = try ConfigFile(path: config)
            } catch {
                throw ValidationError(error.description)
            }
        }
        if sample && !inputs.isEmpty {
            throw ValidationError("--sample reads the bundled sample: give either --sample or INPUT, not both.")
        }
        if !sample && inputs.isEmpty && stores.isEmpty {
            throw ValidationError(
                "no INPUT given: name the logs to read (audience analyze logs/), or add --sample to read the bundled sample.")
        }
        if stores.count > 1 && (sample || !inputs.isEmpty) {
            throw ValidationError("--store is given \(stores.count) times: INPUT is ingested into one store; read several stores without INPUT.")
        }
        if !stores.isEmpty && exportEvents != nil {
            throw ValidationError("--export-events reads events from logs; with --store, export from a one-shot run (audience analyze LOGS --export-events FILE).")
        }
        if part != nil || partial != nil {
            guard part != nil, let partial, !partial.isEmpty else {
                throw ValidationError("--part p/P and --partial DIR go together: a reduce step writes part p of P into DIR.")
            }
            guard !stores.isEmpty, inputs.isEmpty, !sample else {
                throw ValidationError("--part reads stores only: give --store DIR (once per shard's store) and no INPUT; ingest the logs first (audience ingest LOGS --store DIR --shard i/N).")
            }
            let reportOptions: [(String, Bool)] = [
                ("--out", out != nil), ("--export-events", exportEvents != nil), ("--level", level != nil),
                ("--no-report", noReport), ("--spreadsheet-safe", spreadsheetSafe), ("--rejects", rejects != nil),
                ("--max-bad-rate", maxBadRate != nil), ("--max-bad-lines", maxBadLines != nil),
            ]
            if let (name, _) = reportOptions.first(where: { $0.1 }) {
                throw ValidationError("\(name) is an option of the report, which the merge step writes: give it to audience merge, not to a reduce step.")
            }
        }
        if let empty = stores.first(where: { $0.isEmpty }) {
            throw ValidationError("--store needs a folder name, not '\(empty)'.")
        }
        let buckets = buckets ?? file?.integer("buckets") ?? MetricSettings.defaultBuckets
        guard (1...MetricSettings.bucketLimit).contains(buckets) else {
            throw ValidationError("--buckets must be from 1 to \(MetricSettings.bucketLimit), not \(buckets).")
        }
        let completeAt = completeAt ?? file?.number("complete_at") ?? MetricSettings.defaultCompleteAt
        guard completeAt > 0 && completeAt <= 1 else {
            throw ValidationError("--complete-at must be in (0, 1], not \(completeAt).")
        }
        let rejects = rejects ?? file?.integer("rejects") ?? ReadSettings.defaultRejectSampleLimit
        guard rejects >= 0 else { throw ValidationError("--rejects must be 0 or more, not \(rejects).") }
        let threads = try WorkerThreads.resolve(threads ?? file?.integer("threads"))
        let zoneName = timezone ?? file?.string("timezone") ?? "UTC"
        guard let zone = ReportTimeZone(zoneName) else {
            throw ValidationError("--timezone: unknown time zone '\(zoneName)' (use an IANA name such as Asia/Seoul or an offset such as +09:00)")
        }
        let levelName = level ?? file?.string("level") ?? ReportLevel.standard.rawValue
        guard let reportLevel = ReportLevel(rawValue: levelName) else {
            throw ValidationError("--level must be entry, intermediate or advanced, not '\(levelName)'.")
        }
        let limits = try batch.limits()
        let window: DayWindow
        do {
            window = try DayWindow(from: from, to: to)
        } catch {
            throw ValidationError(error.description)
        }
        let bundled = sample ? try BundledSample.folder() : nil
        let catalogPath = catalog ?? file?.string("catalog") ?? bundled.map { $0 + "/catalog.csv" }
        var loaded: Catalog?
        if let catalogPath {
            do {
                loaded = try Catalog(path: catalogPath)
            } catch {
                throw ValidationError("--catalog: \(error.description)")
            }
        }
        return Resolved(
            inputs: bundled.map { [SystemPath($0 + "/logs")] } ?? inputs.map(RawArguments.path(for:)),
            out: out ?? file?.string("out") ?? "out", rejects: rejects, threads: threads,
            metrics: MetricSettings(buckets: buckets, completeAt: completeAt, timeZone: zone, catalog: loaded, window: window),
            catalogPath: catalogPath, reportLevel: noReport ? nil : reportLevel,
            limits: limits, metricsFile: metricsFile)
    }

    /// `--export-events` must not overwrite a log being read or a table of
    /// this run, and must be writable before any work is done.
    /// A file written beside `--out` (`--export-events`, `--metrics-file`)
    /// must be a regular file or not exist yet, and may not be a log being
    /// read, the catalog, the config file, the other such file, or a file of
    /// the output folder: each would be overwritten (or, for a device, a
    /// link or a pipe, written through). Also checked: that it can be written.
    private func checkSideOutput(
        _ target: String, option: String, inputs: [InputFile], outFolder: String, other: (String, String)?
    ) throws {
        if !OutputFolder.isRegularFileOrMissing(target) {
            throw ValidationError("\(option) '\(target)' is not a regular file (a folder, device, pipe or link); name a file.")
        }
        let key = SideOutput.key(target)
        if let input = inputs.first(where: { $0.path.map { SideOutput.key($0.description) } == key }) {
            throw ValidationError("\(option) '\(target)' is the input '\(input.name)'; it would overwrite that log.")
        }
        var protected: [(String, String)] = [("--catalog", catalog ?? ""), ("--config", config ?? "")]
        if let other { protected.append(other) }
        for (name, path) in protected where !path.isEmpty && SideOutput.key(path) == key {
            throw ValidationError("\(option) '\(target)' is the \(name) file; it would be overwritten.")
        }
        let chartsKey = SideOutput.key(outFolder + "charts") + "/"
        if (Analyzer.dataFileNames + CourseReport.fileNames).contains(where: { SideOutput.key(outFolder + $0) == key })
            || key.hasPrefix(chartsKey) {
            throw ValidationError("\(option) '\(target)' is an output of this run in --out; name another file.")
        }
        do {
            try OutputFolder.checkWritable(file: target)
        } catch {
            throw ValidationError("\(option): \(error.description)")
        }
    }

    func run() throws {
        do {
            try analyze()
        } catch let error as ValidationError {
            if let metricsFile, !metricsFile.isEmpty { AnalysisRun.recordUsageError(metricsFile: metricsFile) }
            throw error
        }
    }

    private func analyze() throws {
        let resolved = try resolve()
        if let part, let partial {
            let split: Shard
            do {
                split = try Shard(parsing: part, option: "--part", environment: ProcessInfo.processInfo.environment)
            } catch {
                throw ValidationError(error.description)
            }
            let (index, count) = (split.index, split.count)
            let settings = AnalysisSettings(
                inputs: [], read: ReadSettings(rejectSampleLimit: resolved.rejects, threads: resolved.threads),
                metrics: resolved.metrics, catalogPath: resolved.catalogPath, reportLevel: nil)
            try ReduceRun(
                settings: settings, stores: stores.map(StoreLocation.init), part: index, parts: count, folder: partial,
                metricsFile: resolved.metricsFile, progressMode: progress, quiet: quiet
            ).run()
            return
        }
        let arguments = resolved.inputs
        let outFolder = resolved.out.hasSuffix("/") ? resolved.out : resolved.out + "/"
        var files: [InputFile] = []
        do {
            // A previous run's tables (and export) are passed over, never read as logs.
            var outputs = Analyzer.dataFileNames.map { SystemPath(outFolder + $0) }
            if let exportEvents, EventExport.isExport(at: exportEvents) { outputs.append(SystemPath(exportEvents)) }
            if !arguments.isEmpty { files = try InputDiscovery.resolve(arguments, outputs: outputs) }
        } catch {
            throw ValidationError(error.description)
        }
        if let metricsFile = resolved.metricsFile {
            try checkSideOutput(
                metricsFile, option: "--metrics-file", inputs: files, outFolder: outFolder,
                other: exportEvents.map { ("--export-events", $0) })
        }
        if let exportEvents {
            try checkSideOutput(
                exportEvents, option: "--export-events", inputs: files, outFolder: outFolder,
                other: resolved.metricsFile.map { ("--metrics-file", $0) })
        }
        if files.isEmpty && !arguments.isEmpty {
            throw ValidationError("no log files found in \(arguments.map(\.description).joined(separator: ", "))")
        }
        let folder: OutputFolder
        do {
            folder = try OutputFolder(path: resolved.out)
        } catch {
            throw ValidationError("--out: \(error.description)")
        }

        for file in files where file.isFIFO && !quiet {
            RunLog.info("\(file.name) is a FIFO: waiting for a writer to open it.", [("file", .string(file.name))])
        }
        if files.contains(.standardInput) && isatty(STDIN_FILENO) != 0 && !quiet {
            RunLog.info("reading logs typed on standard input (a terminal); end with Ctrl-D.")
        }
        var settings = AnalysisSettings(
            inputs: files, read: ReadSettings(rejectSampleLimit: resolved.rejects, threads: resolved.threads),
            metrics: resolved.metrics, catalogPath: resolved.catalogPath, reportLevel: resolved.reportLevel)
        settings.spreadsheetSafe = spreadsheetSafe
        try AnalysisRun(
            settings: settings, folder: folder, exportEvents: exportEvents, limits: resolved.limits,
            metricsFile: resolved.metricsFile, progressMode: progress, quiet: quiet,
            stores: stores.map(StoreLocation.init), wait: wait
        ).run()
    }
}

/// Where a path leads, for telling two spellings of one file apart even
/// before it exists: the real path of its folder, then its name.
enum SideOutput {
    static func key(_ path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        guard let resolved = realpath(folder.isEmpty ? "." : folder, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved) + "/" + name
    }
}

/// The command line's own bytes. Swift decodes arguments as UTF-8 and
/// replaces what is not (a Latin-1 `café.jsonl`) with U+FFFD; a path must
/// keep its bytes to be found.
enum RawArguments {
    static func path(for argument: String) -> SystemPath {
        guard argument.unicodeScalars.contains("\u{FFFD}") else { return SystemPath(argument) }
        for index in 1..<Int(CommandLine.argc) {
            guard let raw = CommandLine.unsafeArgv[index] else { continue }
            let bytes = UnsafeRawBufferPointer(start: raw, count: strlen(raw))
            if String(decoding: bytes, as: UTF8.self).utf8.elementsEqual(argument.utf8),
               let path = SystemPath(bytes: bytes) {
                return path
            }
        }
        return SystemPath(argument)
    }
}

/// Finds the sample that ships with the tool: `Datasets/messy`, with its
/// logs and catalog.
enum BundledSample {
    static func folder() throws -> String {
        var candidates = ["Datasets/messy"]
        // Next to the source tree the binary was built in (.build/<triple>/<config>/audience).
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("Datasets/messy").path)
            directory = directory.deletingLastPathComponent()
        }
        for candidate in candidates {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isFolder), isFolder.boolValue {
                return candidate
            }
        }
        throw ValidationError("no bundled Datasets/messy folder found next to the binary or here; name the logs to read.")
    }
}

enum Console {
    static func output(_ text: String) {
        print(text)
    }

}

enum Summary {
    static func text(_ report: AnalysisResult, written: [String], folder: String) -> String {
        let total = report.read.total
        let rejected = total.rejectedLines
        let errors = report.read.files.filter { $0.damage != nil }.count
        var lines = [
            "Read \(report.read.files.count) file(s), \(total.lines) lines: \(total.accepted) accepted, "
                + "\(rejected) rejected, \(total[.ignoredEvent]) ignored events, "
                + "\(report.read.duplicates) duplicates removed.",
        ]
        if errors > 0 { lines.append("\(errors) file(s) had a file-level error: see quality.csv.") }
        let charts = written.filter { $0.hasPrefix("charts/") }.count
        let files = written.filter { !$0.hasPrefix("charts/") }
        lines.append("Wrote \(files.joined(separator: ", "))" + (charts > 0 ? " and \(charts) charts" : "")
            + " to \(folder)/")
        if written.contains("report.md") {
            lines.append("Start with \(folder.hasSuffix("/") ? folder : folder + "/")report.md: every number explained.")
        }
        return lines.joined(separator: "\n")
    }
}
