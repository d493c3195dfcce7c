import ArgumentParser
import AudienceKit
import Foundation

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read viewing-event logs and write the quality account and tables.",
        discussion: """
            INPUT is a file, a folder (read recursively: *.jsonl, *.ndjson, \
            *.json, *.csv, *.tsv, each optionally .gz, and *.gz), a glob \
            pattern, or - for standard input. Without INPUT the bundled \
            sample under Datasets/ is read.
            """
    )

    @Argument(help: "Files, folders, glob patterns, or - for standard input.")
    var inputs: [String] = []

    @Option(name: .shortAndLong, help: "Folder to write the tables into (created when missing).")
    var out: String = "out"

    @Option(help: "Rejected lines of each reason to keep in rejects.csv.")
    var rejects: Int = 20

    @Option(help: "Worker threads, by default one per core; results never depend on it.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: ArgumentHelp(
        "Also write the cleaned events (accepted, duplicates removed) to this TSV file.",
        valueName: "file"))
    var exportEvents: String?

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        guard rejects >= 0 else { throw ValidationError("--rejects must be 0 or more, not \(rejects).") }
        guard threads >= 1 else { throw ValidationError("--threads must be 1 or more, not \(threads).") }
    }

    func run() throws {
        let arguments = inputs.isEmpty ? [try BundledSample.folder()] : inputs
        let files: [InputFile]
        do {
            files = try InputDiscovery.resolve(arguments)
        } catch {
            throw ValidationError(error.description)
        }
        if files.isEmpty {
            throw ValidationError("no log files found in \(arguments.joined(separator: ", "))")
        }
        let folder: OutputFolder
        do {
            folder = try OutputFolder(path: out)
        } catch {
            throw ValidationError("--out: \(error.description)")
        }

        let settings = AnalysisSettings(
            inputs: files, read: ReadSettings(rejectSampleLimit: rejects, threads: threads))
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

/// Finds the sample logs that ship with the tool.
enum BundledSample {
    static func folder() throws -> String {
        var candidates = ["Datasets"]
        // Next to the source tree the binary was built in (.build/<triple>/<config>/audience).
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("Datasets").path)
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
        lines.append("Wrote \(written.joined(separator: ", ")) to \(folder)/")
        return lines.joined(separator: "\n")
    }
}
