import ArgumentParser
import AudienceKit
import Foundation

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read viewing-event logs into a store, for reports over any stretch of days later.",
        discussion: """
            Reads INPUT as `analyze` would and adds each file to the store DIR \
            (created when missing): a new name is added, a name the store holds \
            with other bytes is replaced whole, the same bytes change nothing. \
            Then `audience analyze --store DIR` reports from everything stored. \
            Exit codes: 0 done; 1 a file had a file-level error (its good lines \
            are stored); 3 a bad-data limit was passed (such a file is not \
            added); 64 usage error; 65 the store is damaged or newer; 73 the \
            store cannot be written (it is as it was before the file being \
            written); 75 another run is writing to the store; 130/143 stopped \
            (the store is as it was).
            """
    )

    @Argument(help: "Files, folders, glob patterns, or - for standard input.")
    var inputs: [String] = []

    @Option(help: ArgumentHelp("The store folder, created when missing.", valueName: "dir"))
    var store: String

    @Flag(help: "Wait for another run writing to the store instead of exiting \(ExitStatus.storeBusy).")
    var wait = false

    @Option(parsing: .unconditional,
            help: "Rejected lines of each reason of each file to keep (at least \(StoreDefaults.keptSamples)).")
    var rejects: Int?

    @Option(parsing: .unconditional,
            help: "Worker threads, 1 to \(ReadSettings.threadLimit), one per core by default; the store never depends on it.")
    var threads: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Largest share of rejected lines among lines, 0 to 1: a file past it is not added, and the run exits \(ExitStatus.badDataLimit).",
        valueName: "rate"))
    var maxBadRate: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Largest number of rejected lines in a file: a file past it is not added, and the run exits \(ExitStatus.badDataLimit).",
        valueName: "lines"))
    var maxBadLines: Int?

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    @Option(help: ArgumentHelp("A progress line on standard error: auto, always or never.", valueName: "when"))
    var progress: ProgressMode = .auto

    @Option(help: ArgumentHelp("Messages on standard error as text or as JSON lines.", valueName: "format"))
    var logFormat: LogFormat = .text

    func run() throws {
        guard !inputs.isEmpty else { throw ValidationError("no INPUT given: name the logs to ingest.") }
        guard !store.isEmpty else { throw ValidationError("--store needs a folder name.") }
        let rejects = rejects ?? StoreDefaults.keptSamples
        guard rejects >= 0 else { throw ValidationError("--rejects must be 0 or more, not \(rejects).") }
        let threads = threads ?? min(ProcessInfo.processInfo.activeProcessorCount, ReadSettings.threadLimit)
        guard (1...ReadSettings.threadLimit).contains(threads) else {
            throw ValidationError("--threads must be from 1 to \(ReadSettings.threadLimit), not \(threads).")
        }
        if let maxBadRate, !(maxBadRate >= 0 && maxBadRate <= 1) {
            throw ValidationError("--max-bad-rate must be from 0 to 1, not \(maxBadRate).")
        }
        if let maxBadLines, maxBadLines < 0 {
            throw ValidationError("--max-bad-lines must be 0 or more, not \(maxBadLines).")
        }
        let files: [InputFile]
        do {
            files = try InputDiscovery.resolve(inputs.map(RawArguments.path(for:)), outputs: [])
        } catch {
            throw ValidationError(error.description)
        }
        if files.isEmpty { throw ValidationError("no log files found in \(inputs.joined(separator: ", "))") }

        let startedAt = AnalysisRun.nowMilliseconds()
        let runID = AnalysisRun.runID(startedAt)
        let runProgress = RunProgress(files: files)
        StopSignals.install(runProgress)
        let display = AnalysisProgress(runProgress, mode: quiet ? .never : progress)
        var settings = IngestSettings(
            store: StoreLocation(store), inputs: files, runID: runID, command: "ingest",
            commandLine: IngestMessages.commandLine, startedAt: startedAt)
        settings.threads = threads
        settings.rejectSampleLimit = max(StoreDefaults.keptSamples, rejects)
        settings.limits = BadDataLimits(maxRate: maxBadRate, maxLines: maxBadLines)
        settings.wait = wait
        settings.progress = runProgress
        settings.beforeCommit = StorePause.beforeCommit
        display.start()
        let result: IngestResult
        do {
            result = try Store.ingest(settings)
        } catch {
            display.stop()
            IngestMessages.logStoreError(error)
            throw ExitCode(IngestMessages.exitStatus(error))
        }
        display.stop()
        if result.stopped || StopSignals.signal != nil {
            let signal = StopSignals.signal ?? SIGTERM
            // A signal after the ledger's commit stops nothing: the files are in.
            let state = result.stopped
                ? "the store \(store) is as it was" : "it came after the store \(store) took this run's files"
            RunLog.error("stopped by \(StopSignals.name(signal)): \(state)", [("reason", .string("stopped"))])
            throw ExitCode(ExitStatus.stopped(by: signal))
        }
        IngestMessages.log(result, store: store, quiet: quiet)
        if RunLog.format == .json {
            RunLog.info("finished", [
                ("exit_status", .integer(Int(result.exitStatus))), ("run_id", .string(runID)), ("store", .string(store)),
                ("files", .integer(result.files.count)),
            ] + IngestResult.Outcome.allCases.map { outcome in
                (outcome.rawValue, .integer(result.files.filter { $0.outcome == outcome }.count))
            })
        } else if !quiet {
            Console.output(IngestMessages.totals(result, store: store))
        }
        if result.exitStatus != ExitStatus.success { throw ExitCode(result.exitStatus) }
    }
}

/// `AUDIENCE_TEST_PAUSE_BEFORE_STORE_COMMIT=SECONDS` holds an ingest after
/// its segments are written and before the ledger takes them, so that tests
/// can kill it there; unset, it costs nothing.
enum StorePause {
    static var beforeCommit: (@Sendable () -> Void)? {
        guard let text = ProcessInfo.processInfo.environment["AUDIENCE_TEST_PAUSE_BEFORE_STORE_COMMIT"],
              let seconds = Double(text), seconds > 0, seconds < 60 else { return nil }
        return { Thread.sleep(forTimeInterval: seconds) }
    }
}
