import ArgumentParser
import AudienceKit
import Foundation

/// One `analyze` run as a batch job: progress while it works, a clean stop
/// on SIGINT or SIGTERM, bad-data limits, outputs written whole (staged,
/// then moved into place together), a metrics file for monitoring, and an
/// exit status that says what happened (`ExitStatus`).
struct AnalysisRun {
    var settings: AnalysisSettings
    var folder: OutputFolder
    var exportEvents: String?
    var limits: BadDataLimits
    var metricsFile: String?
    var progressMode: ProgressMode
    var quiet: Bool
    /// `--store`: the inputs (if any) are ingested into the one store, then
    /// the report covers every store given.
    var stores: [StoreLocation] = []
    /// `--wait`: wait for another writer of the store.
    var wait = false
    /// `audience merge`: the partial results (folders or files) to report
    /// from, in place of inputs or stores.
    var partials: [String] = []

    /// The report covers a history (stores, or the partial results of
    /// stores) rather than the inputs of this run.
    private var fromHistory: Bool { !stores.isEmpty || !partials.isEmpty }

    func run() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let startedAt = Self.nowMilliseconds()
        let runID = Self.runID(startedAt)
        let progress = RunProgress(files: settings.inputs)
        var settings = settings
        settings.read.progress = progress
        StopSignals.install(progress)
        let display = AnalysisProgress(progress, mode: quiet ? .never : progressMode)
        display.start()
        var ingest: IngestResult?
        var report: AnalysisResult
        if !partials.isEmpty {
            switch Result(catching: { () throws(SplitRunError) in try Analyzer.merge(partials, settings: settings) }) {
            case .success(let merged):
                report = merged
            case .failure(let error):
                display.stop()
                folder.removeIfUnused()
                let status = SplitMessages.exitStatus(error)
                SplitMessages.log(error, status: status)
                writeMetrics(status: status, read: nil, report: nil, elapsed: (clock.now - start).seconds,
                             writeSeconds: 0, breaches: 0)
                throw ExitCode(status)
            }
        } else if stores.isEmpty {
            report = Analyzer.run(settings)
        } else {
            do {
                if let store = stores.first, !settings.inputs.isEmpty {
                    var ingestSettings = IngestSettings(
                        store: store, inputs: settings.inputs, runID: runID, command: "analyze",
                        commandLine: IngestMessages.commandLine, startedAt: startedAt)
                    ingestSettings.threads = settings.read.threads
                    ingestSettings.rejectSampleLimit = max(StoreDefaults.keptSamples, settings.read.rejectSampleLimit)
                    ingestSettings.limits = limits
                    ingestSettings.wait = wait
                    ingestSettings.progress = progress
                    ingestSettings.beforeCommit = StorePause.beforeCommit
                    let result = try Store.ingest(ingestSettings)
                    if let signal = StopSignals.signal ?? (result.stopped ? SIGTERM : nil) {
                        display.stop()
                        try stop(signal, read: nil, elapsed: (clock.now - start).seconds, store: store.path)
                    }
                    IngestMessages.log(result, store: store.path, quiet: quiet)
                    ingest = result
                }
                report = try Analyzer.run(settings, stores: stores)
            } catch let error as StoreError {
                display.stop()
                folder.removeIfUnused()
                IngestMessages.logStoreError(error)
                let status = IngestMessages.exitStatus(error)
                writeMetrics(status: status, read: nil, report: nil, elapsed: (clock.now - start).seconds,
                             writeSeconds: 0, breaches: 0)
                throw ExitCode(status)
            }
        }
        if let signal = StopSignals.signal {
            display.stop()
            try stop(signal, read: nil, elapsed: (clock.now - start).seconds)
        }

        // With a store, the file errors and limits are those of this run's
        // inputs (logged by the ingest); the store's older files were
        // reported when they came in.
        for file in report.read.files where ingest == nil && !fromHistory {
            guard let damage = file.damage else { continue }
            var fields: [(String, JSONValue)] = [("file", .string(file.file)), ("reason", .string("file_error"))]
            if let offset = damage.byteOffset { fields.append(("offset", .integer(Int(offset)))) }
            RunLog.error("\(file.file): \(damage)", fields)
        }
        let breaches = !fromHistory ? limits.breaches(report.read.files) : ingest?.breaches ?? []
        for breach in breaches where !fromHistory {
            var fields: [(String, JSONValue)] = [
                ("reason", .string(breach.limit)), ("rejected", .integer(breach.rejected)),
                ("lines", .integer(breach.lines)),
            ]
            if let file = breach.file { fields.insert(("file", .string(file)), at: 0) }
            RunLog.error(breach.description, fields)
        }
        let hasFileErrors = !fromHistory
            ? report.read.hasFileErrors : ingest?.files.contains { $0.quality.damage != nil } ?? false
        let status = !breaches.isEmpty
            ? ExitStatus.badDataLimit : hasFileErrors ? ExitStatus.fileErrors : ExitStatus.success
        report.record = RunRecord(
            id: runID, startedAt: startedAt, endedAt: Self.nowMilliseconds(), exitStatus: status, limits: limits)

        // Everything is staged first; the output folder changes only once
        // every file is whole, in one quick round of renames.
        progress.enter(.writing)
        let writeStart = clock.now
        var written: [String] = []
        // The export is staged too: beside its target, moved in after the tables.
        let exportTemporary = exportEvents.map { $0 + ".audience-staging-\(getpid())" }
        var committing = false
        do {
            let staged = try StagedOutputs(in: folder)
            StopSignals.onSecondSignal = {
                staged.discard()
                if let exportTemporary { unlink(exportTemporary) }
            }
            do {
                written = try Analyzer.write(report, to: staged.staging) { StopSignals.signal == nil }
                if let exportTemporary, StopSignals.signal == nil {
                    try OutputFolder.writeFile(EventExport.tsv(report.read.events), to: exportTemporary)
                }
                Self.pauseForTests()
                if let signal = StopSignals.signal {
                    staged.discard()
                    if let exportTemporary { unlink(exportTemporary) }
                    display.stop()
                    try stop(signal, read: report.read, elapsed: (clock.now - start).seconds)
                }
                committing = true
                try staged.commit(written, ownNames: Analyzer.dataFileNames + CourseReport.fileNames)
                if let exportEvents, let exportTemporary, rename(exportTemporary, exportEvents) != 0 {
                    throw OutputError(path: exportEvents, errno: errno)
                }
                StopSignals.onSecondSignal = nil
            } catch {
                staged.discard()
                if let exportTemporary { unlink(exportTemporary) }
                throw error
            }
        } catch let error as OutputError {
            display.stop()
            let state = committing
                ? "the outputs could not all be moved into place; see \(folder.path) and run again"
                : "\(folder.path) keeps the previous run's files"
            RunLog.error("cannot write the outputs: \(error.description); \(state)",
                         [("file", .string(error.path)), ("reason", .string("cannot_write"))])
            writeMetrics(status: ExitStatus.cannotWrite, read: report.read, report: report,
                         elapsed: (clock.now - start).seconds, writeSeconds: (clock.now - writeStart).seconds,
                         breaches: breaches.count)
            throw ExitCode(ExitStatus.cannotWrite)
        }
        display.stop()
        if let exportEvents { written.append(exportEvents) }
        let recorded = writeMetrics(
            status: status, read: report.read, report: report, elapsed: (clock.now - start).seconds,
            writeSeconds: (clock.now - writeStart).seconds, breaches: breaches.count)
        // Monitoring that silently stops is worse than a failed run.
        let finalStatus = recorded ? status : ExitStatus.cannotWrite
        if RunLog.format == .json {
            RunLog.info("finished", summaryFields(report, status: status, breaches: breaches))
        } else if !quiet {
            if let ingest, let store = stores.first { Console.output(IngestMessages.totals(ingest, store: store.path)) }
            Console.output(Summary.text(report, written: written, folder: folder.path))
            if !breaches.isEmpty {
                Console.output("\(breaches.count) bad-data limit(s) passed: see the messages above; exit status \(status).")
            }
        }
        if finalStatus != ExitStatus.success { throw ExitCode(finalStatus) }
    }

    /// Ends a stopped run: nothing written but the metrics file.
    private func stop(_ signal: Int32, read: ReadResult?, elapsed: Double, store: String? = nil) throws -> Never {
        let status = ExitStatus.stopped(by: signal)
        let storeState = store.map { "; the store \($0) is as it was" } ?? ""
        RunLog.error("stopped by \(StopSignals.name(signal)): nothing written; \(folder.path) is as it was\(storeState)",
                     [("reason", .string("stopped")), ("exit_status", .integer(Int(status)))])
        writeMetrics(status: status, read: read, report: nil, elapsed: elapsed, writeSeconds: 0, breaches: 0)
        throw ExitCode(status)
    }

    /// Writes `--metrics-file` if asked; false when it could not be written.
    @discardableResult
    private func writeMetrics(
        status: Int32, read: ReadResult?, report: AnalysisResult?, elapsed: Double, writeSeconds: Double, breaches: Int
    ) -> Bool {
        guard let metricsFile else { return true }
        var phases: [(phase: String, seconds: Double)] = []
        if let read {
            phases = [("read", read.parseSeconds), ("merge", read.mergeSeconds)]
        }
        if let report { phases += [("metrics", report.metricsSeconds), ("write", writeSeconds)] }
        let run = MetricsFile.Run(
            exitStatus: status, endedAt: Self.nowMilliseconds(), seconds: elapsed, read: read, phaseSeconds: phases,
            limitBreaches: breaches)
        return Self.record(run, inMetricsFile: metricsFile)
    }

    /// Writes `run` into the metrics file at `path`, after the runs it
    /// already records (`MetricsFile.text`); false when it could not be
    /// written (the error is logged).
    static func record(_ run: MetricsFile.Run, inMetricsFile path: String) -> Bool {
        let previous = try? String(contentsOfFile: path, encoding: .utf8)
        do {
            try OutputFolder.writeFile(MetricsFile.text(run, previous: previous), to: path)
            return true
        } catch {
            RunLog.error("--metrics-file: \(error.description)", [("file", .string(path)), ("reason", .string("cannot_write"))])
            return false
        }
    }

    /// A run that ends in a usage error after its options were read (an
    /// input folder that is missing tonight) still tells monitoring.
    static func recordUsageError(metricsFile: String) {
        guard OutputFolder.isRegularFileOrMissing(metricsFile) else { return }
        let run = MetricsFile.Run(
            exitStatus: ExitStatus.usage, endedAt: nowMilliseconds(), seconds: 0, read: nil, phaseSeconds: [],
            limitBreaches: 0)
        _ = record(run, inMetricsFile: metricsFile)
    }

    private func summaryFields(_ report: AnalysisResult, status: Int32, breaches: [BadDataLimits.Breach]) -> [(String, JSONValue)] {
        let total = report.read.total
        let rejected = total.rejectedLines
        return [
            ("exit_status", .integer(Int(status))),
            ("run_id", .string(report.record?.id ?? "")),
            ("files", .integer(report.read.files.count)),
            ("files_with_errors", .integer(report.read.files.filter { $0.damage != nil }.count)),
            ("lines", .integer(total.lines)),
            ("accepted", .integer(total.accepted)),
            ("rejected", .integer(rejected)),
            ("ignored_event", .integer(total[.ignoredEvent])),
            ("duplicates", .integer(report.read.duplicates)),
            ("bad_data_limits_passed", .integer(breaches.count)),
            ("out", .string(folder.path)),
        ]
    }

    /// `AUDIENCE_TEST_PAUSE_BEFORE_COMMIT=SECONDS` holds a run between
    /// staging its outputs and moving them into place, so that tests can
    /// stop it there; unset, it costs nothing.
    private static func pauseForTests() {
        guard let text = ProcessInfo.processInfo.environment["AUDIENCE_TEST_PAUSE_BEFORE_COMMIT"],
              let seconds = Double(text), seconds > 0, seconds < 60 else { return }
        Thread.sleep(forTimeInterval: seconds)
    }

    static func nowMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// The start time to the second, in UTC, the process id and four random
    /// hex digits: sorted by time, and unique even for two runs started in
    /// one second by containers that each are process 1.
    static func runID(_ startedAt: Int64) -> String {
        let text = RunRecord.utcText(startedAt)  // 2026-11-23T21:04:05.123+00:00
        let compact = text.prefix(19).filter { $0 != "-" && $0 != ":" }
        let token = String(UInt16.random(in: 0...UInt16.max) | 0x1000, radix: 16)
        return compact + "Z-" + String(getpid()) + "-" + token
    }
}
