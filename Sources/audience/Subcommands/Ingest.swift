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

    @Option(help: ArgumentHelp(
        "A map step of a split run: ingest only the inputs whose position in the byte-sorted list of INPUT files is i modulo N (i from 0), into this shard's own store. auto/N takes i from \(Shard.indexVariables.joined(separator: ", ")).",
        valueName: "i/N"))
    var shard: String?

    @Option(parsing: .unconditional,
            help: "Rejected lines of each reason of each file to keep (at least \(StoreDefaults.keptSamples)).")
    var rejects: Int?

    @Option(parsing: .unconditional,
            help: "Worker threads, \(WorkerThreads.range), one per core by default; the store never depends on it.")
    var threads: Int?

    @OptionGroup var batch: BatchOptions

    func run() throws {
        guard !inputs.isEmpty else { throw ValidationError("no INPUT given: name the logs to ingest.") }
        guard !store.isEmpty else { throw ValidationError("--store needs a folder name.") }
        let rejects = rejects ?? StoreDefaults.keptSamples
        guard rejects >= 0 else { throw ValidationError("--rejects must be 0 or more, not \(rejects).") }
        let threads = try WorkerThreads.resolve(threads)
        let limits = try batch.limits()
        if let metricsFile = batch.metricsFile, !OutputFolder.isRegularFileOrMissing(metricsFile) {
            throw ValidationError("--metrics-file '\(metricsFile)' is not a regular file (a folder, device, pipe or link); name a file.")
        }
        let shard: Shard?
        do {
            shard = try self.shard.map { text throws(ShardError) in
                try Shard(parsing: text, option: "--shard", environment: ProcessInfo.processInfo.environment)
            }
        } catch {
            throw ValidationError(error.description)
        }
        var files: [InputFile]
        do {
            files = try InputDiscovery.resolve(inputs.map(RawArguments.path(for:)), outputs: [])
        } catch {
            throw ValidationError(error.description)
        }
        if files.isEmpty { throw ValidationError("no log files found in \(inputs.joined(separator: ", "))") }
        if let shard {
            if files.contains(.standardInput) {
                throw ValidationError("--shard splits files by name; standard input (-) cannot be shared among shards.")
            }
            // A shard with no file still makes its store: the reduce steps read every shard's.
            files = shard.select(files)
            if !batch.quiet && RunLog.format == .text {
                RunLog.info("shard \(shard.index)/\(shard.count): \(files.count) of the inputs")
            }
        }

        let startedAt = AnalysisRun.nowMilliseconds()
        let runID = AnalysisRun.runID(startedAt)
        let quiet = batch.quiet
        let clock = ContinuousClock()
        let start = clock.now
        let runProgress = RunProgress(files: files)
        StopSignals.install(runProgress)
        let display = AnalysisProgress(runProgress, mode: quiet ? .never : batch.progress)
        var settings = IngestSettings(
            store: StoreLocation(store), inputs: files, runID: runID, command: "ingest",
            commandLine: IngestMessages.commandLine, startedAt: startedAt)
        settings.threads = threads
        // A map step's store is read by reduce steps on other machines.
        if shard != nil { settings.journal = .rollback }
        settings.rejectSampleLimit = max(StoreDefaults.keptSamples, rejects)
        settings.limits = limits
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
            let status = IngestMessages.exitStatus(error)
            writeMetrics(status: status, result: nil, seconds: (clock.now - start).seconds)
            throw ExitCode(status)
        }
        display.stop()
        let seconds = (clock.now - start).seconds
        if result.stopped || StopSignals.signal != nil {
            let signal = StopSignals.signal ?? SIGTERM
            // A signal after the ledger's commit stops nothing: the files are in.
            let state = result.stopped
                ? "the store \(store) is as it was" : "it came after the store \(store) took this run's files"
            RunLog.error("stopped by \(StopSignals.name(signal)): \(state)", [("reason", .string("stopped"))])
            writeMetrics(status: ExitStatus.stopped(by: signal), result: nil, seconds: seconds)
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
        let recorded = writeMetrics(status: result.exitStatus, result: result, seconds: seconds)
        let status = recorded ? result.exitStatus : ExitStatus.cannotWrite
        if status != ExitStatus.success { throw ExitCode(status) }
    }

    /// `--metrics-file`: the ingest's figures, as `analyze` writes them.
    @discardableResult
    private func writeMetrics(status: Int32, result: IngestResult?, seconds: Double) -> Bool {
        guard let metricsFile = batch.metricsFile else { return true }
        let read = result.map { result in
            ReadResult(
                files: result.files.map(\.quality), samples: result.samples, events: DeduplicatedEvents(EventStore()),
                duplicates: 0)
        }
        let run = MetricsFile.Run(
            exitStatus: status, endedAt: AnalysisRun.nowMilliseconds(), seconds: seconds, read: read,
            phaseSeconds: [("ingest", seconds)], limitBreaches: result?.breaches.count ?? 0)
        return AnalysisRun.record(run, inMetricsFile: metricsFile)
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
