import ArgumentParser
import AudienceKit
import Foundation

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read viewing-event logs; write the quality account, the tables and a course report.",
        discussion: """
            INPUT is a file, a folder (read recursively: *.jsonl, *.ndjson, \
            *.json, *.csv, *.tsv, each optionally .gz, and *.gz), a glob \
            pattern, or - for standard input. Without INPUT the bundled messy \
            sample under Datasets/ is read.
            """
    )

    @Argument(help: "Files, folders, glob patterns, or - for standard input.")
    var inputs: [String] = []

    @Option(name: .shortAndLong, help: "Folder to write the tables into, created when missing (default: out).")
    var out: String?

    @Option(help: "Retention buckets B per title (default: 100).")
    var buckets: Int?

    @Option(help: "Completion threshold c: a view that reaches c of the runtime is completed (default: 0.9).")
    var completeAt: Double?

    @Option(help: ArgumentHelp(
        "Time zone for days and hours: an IANA name such as Asia/Seoul, or an offset such as +09:00 (default: UTC).",
        valueName: "zone"))
    var timezone: String?

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

    @Option(help: "Rejected lines of each reason to keep in rejects.csv (default: 20).")
    var rejects: Int?

    @Option(help: "Worker threads, one per core by default; results never depend on it.")
    var threads: Int?

    @Option(help: ArgumentHelp(
        "Also write the cleaned events (accepted, duplicates removed) to this TSV file.",
        valueName: "file"))
    var exportEvents: String?

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    /// The settings of this run: command-line options, then the config
    /// file, then the defaults.
    struct Resolved {
        var inputs: [String]
        var out: String
        var rejects: Int
        var threads: Int
        var metrics: MetricSettings
        var catalogPath: String?
        var reportLevel: ReportLevel?
    }

    func resolve() throws -> Resolved {
        let file = try config.map { try ConfigFile(path: $0) }
        func number<T: LosslessStringConvertible>(_ option: T?, _ key: String, _ fallback: T) throws -> T {
            if let option { return option }
            guard let text = file?[key] else { return fallback }
            guard let value = T(text) else { throw ValidationError("--config: \(key) '\(text)' is not a valid value") }
            return value
        }
        let buckets = try number(buckets, "buckets", 100)
        guard buckets >= 1 else { throw ValidationError("--buckets must be 1 or more, not \(buckets).") }
        let completeAt = try number(completeAt, "complete_at", 0.9)
        guard completeAt > 0 && completeAt <= 1 else {
            throw ValidationError("--complete-at must be in (0, 1], not \(completeAt).")
        }
        let rejects = try number(rejects, "rejects", 20)
        guard rejects >= 0 else { throw ValidationError("--rejects must be 0 or more, not \(rejects).") }
        let threads = try number(threads, "threads", ProcessInfo.processInfo.activeProcessorCount)
        guard threads >= 1 else { throw ValidationError("--threads must be 1 or more, not \(threads).") }
        let zoneName = timezone ?? file?["timezone"] ?? "UTC"
        guard let zone = ReportTimeZone(zoneName) else {
            throw ValidationError("--timezone: unknown time zone '\(zoneName)' (use an IANA name such as Asia/Seoul or an offset such as +09:00)")
        }
        let levelName = level ?? file?["level"] ?? ReportLevel.standard.rawValue
        guard let reportLevel = ReportLevel(rawValue: levelName) else {
            throw ValidationError("--level must be entry, intermediate or advanced, not '\(levelName)'.")
        }
        let sample = inputs.isEmpty ? try BundledSample.folder() : nil
        let catalogPath = catalog ?? file?["catalog"] ?? sample.map { $0 + "/catalog.csv" }
        var loaded: Catalog?
        if let catalogPath {
            do {
                loaded = try Catalog(path: catalogPath)
            } catch {
                throw ValidationError("--catalog: \(error.description)")
            }
        }
        return Resolved(
            inputs: sample.map { [$0 + "/logs"] } ?? inputs,
            out: out ?? file?["out"] ?? "out", rejects: rejects, threads: threads,
            metrics: MetricSettings(buckets: buckets, completeAt: completeAt, timeZone: zone, catalog: loaded),
            catalogPath: catalogPath, reportLevel: noReport ? nil : reportLevel)
    }

    func run() throws {
        let resolved = try resolve()
        let arguments = resolved.inputs
        let files: [InputFile]
        do {
            files = try InputDiscovery.resolve(arguments.map(RawArguments.path(for:)))
        } catch {
            throw ValidationError(error.description)
        }
        if files.isEmpty {
            throw ValidationError("no log files found in \(arguments.joined(separator: ", "))")
        }
        let folder: OutputFolder
        do {
            folder = try OutputFolder(path: resolved.out)
        } catch {
            throw ValidationError("--out: \(error.description)")
        }

        for file in files where file.isFIFO && !quiet {
            Console.error("\(file.name) is a FIFO: waiting for a writer to open it.")
        }
        let settings = AnalysisSettings(
            inputs: files, read: ReadSettings(rejectSampleLimit: resolved.rejects, threads: resolved.threads),
            metrics: resolved.metrics, catalogPath: resolved.catalogPath, reportLevel: resolved.reportLevel)
        let report = Analyzer.run(settings)
        for file in report.read.files {
            if let damage = file.damage { Console.error("\(file.file): \(damage)") }
        }
        var written = try Analyzer.write(report, to: folder)
        if let exportEvents {
            do {
                try OutputFolder.writeFile(EventExport.tsv(report.read.events), to: exportEvents)
            } catch {
                throw ValidationError("--export-events: \(error.description)")
            }
            written.append(exportEvents)
        }
        if !quiet { Console.output(Summary.text(report, written: written, folder: folder.path)) }
        if report.read.hasFileErrors { throw ExitCode(1) }
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
        throw ValidationError("no INPUT given and no bundled Datasets/ folder found; name the logs to read.")
    }
}

enum Console {
    static func output(_ text: String) {
        print(text)
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(("audience: " + text + "\n").utf8))
    }
}

enum Summary {
    static func text(_ report: AnalysisReport, written: [String], folder: String) -> String {
        let total = report.read.total
        let rejected = RejectReason.allCases.filter { $0 != .ignoredEvent }.reduce(0) { $0 + total[$1] }
        let errors = report.read.files.filter { $0.damage != nil }.count
        var lines = [
            "Read \(report.read.files.count) file(s), \(total.lines) lines: \(total.accepted) accepted, "
                + "\(rejected) rejected, \(total[.ignoredEvent]) ignored events, "
                + "\(report.read.events.duplicates) duplicates removed.",
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
