import ArgumentParser
import AudienceKit
import Foundation

/// `audience store list|verify|remove|compact`: looking after a store.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "List, check, remove files from, or compact a store.",
        subcommands: [List.self, Verify.self, Remove.self, Compact.self]
    )

    struct Options: ParsableArguments {
        @Option(help: ArgumentHelp("The store folder.", valueName: "dir"))
        var store: String

        @Option(help: ArgumentHelp("Messages on standard error as text or as JSON lines.", valueName: "format"))
        var logFormat: LogFormat = .text

        var location: StoreLocation { StoreLocation(store) }
    }

    /// Runs `body`, turning a store error into its message and exit status.
    static func handling<T>(_ body: () throws(StoreError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            IngestMessages.logStoreError(error)
            throw ExitCode(error.exitStatus)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The files a store holds: name, size, lines, events, when and by which run they came in.",
            discussion: "Writes CSV to standard output. With --all, also the versions that were replaced, removed or refused.")

        @OptionGroup var options: Options

        @Flag(help: "Every version ever ingested, not only the current ones.")
        var all = false

        func run() throws {
            let entries = try StoreCommand.handling { () throws(StoreError) in try Store.list(options.location) }
            var table = CSVTable(header: [
                "file", "status", "size_bytes", "sha256", "lines", "accepted", "events", "error", "ingested_at", "run_id",
                "note",
            ])
            for entry in entries where all || entry.status == "current" {
                table.rows.append([
                    entry.name, entry.status, String(entry.sizeBytes), entry.sha256, String(entry.lines),
                    String(entry.accepted), String(entry.events), entry.error ?? "", entry.ingestedAt, entry.runID,
                    entry.note ?? "",
                ])
            }
            print(table.rendered(spreadsheetSafe: false), terminator: "")
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read every store file and check it against its checksum and the ledger.",
            discussion: "Exit 0 when all is well; 65 with one line per damaged file, naming the inputs to ingest again.")

        @OptionGroup var options: Options

        func run() throws {
            let problems = try StoreCommand.handling { () throws(StoreError) in try Store.verify(options.location) }
            for problem in problems {
                RunLog.error(problem.description, [
                    ("file", .string(problem.file)), ("reason", .string("store_damaged")),
                    ("inputs", .array(problem.inputs.map { .string($0) })),
                ])
            }
            guard problems.isEmpty else { throw ExitCode(ExitStatus.storeDamaged) }
            print("Store \(options.store): every file checked, all well.")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove files from a store by name (the `file` of quality.csv); the ledger keeps their history.")

        @Argument(help: "Names as `audience store list` shows them.")
        var names: [String] = []

        @OptionGroup var options: Options

        @Flag(help: "Wait for another run writing to the store instead of exiting \(ExitStatus.storeBusy).")
        var wait = false

        func run() throws {
            guard !names.isEmpty else { throw ValidationError("name the files to remove (see `audience store list`).") }
            let startedAt = AnalysisRun.nowMilliseconds()
            let removed = try StoreCommand.handling { () throws(StoreError) in
                try Store.remove(
                    names, from: options.location, wait: wait, runID: AnalysisRun.runID(startedAt),
                    commandLine: IngestMessages.commandLine, startedAt: startedAt)
            }
            print("Removed \(removed) file(s) from \(options.store).")
        }
    }

    struct Compact: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewrite small segments into larger ones (ingest does this by itself past \(StoreDefaults.segmentsBeforeCompaction) segments).")

        @OptionGroup var options: Options

        @Flag(help: "Wait for another run writing to the store instead of exiting \(ExitStatus.storeBusy).")
        var wait = false

        func run() throws {
            let startedAt = AnalysisRun.nowMilliseconds()
            let result = try StoreCommand.handling { () throws(StoreError) in
                try Store.compact(
                    options.location, wait: wait, force: true, runID: AnalysisRun.runID(startedAt),
                    commandLine: IngestMessages.commandLine, startedAt: startedAt)
            }
            print("Store \(options.store): \(result.segmentsBefore) segment(s) before, \(result.segmentsAfter) after.")
        }
    }
}
