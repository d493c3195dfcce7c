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
        var report = Analyzer.run(settings)
        if let signal = StopSignals.signal {
            display.stop()
            try stop(signal, read: nil, elapsed: (clock.now - start).seconds)
        }

        for file in report.read.files {
            guard let damage = file.damage else { continue }
            var fields: [(String, JSONValue)] = [("file", .string(file.file)), ("reason", .string("file_error"))]
            if let offset = damage.byteOffset { fields.append(("offset", .integer(Int(offset)))) }
            RunLog.error("\(file.file): \(damage)", fields)
        }
        let breaches = limits.breaches(report.read.files)
        for breach in breaches {
            var fields: [(String, JSONValue)] = [
                ("reason", .string(breach.limit)), ("rejected", .integer(breach.rejected)),
                ("lines", .integer(breach.lines)),
            ]
            if let file = breach.file { fields.insert(("file", .string(file)), at: 0) }
            RunLog.error(breach.description, fields)
        }
        let status = !breaches.isEmpty
            ? ExitStatus.badDataLimit : report.read.hasFileErrors ? ExitStatus.fileErrors : ExitStatus.success
        report.record = RunRecord(
            id: runID, startedAt: startedAt, endedAt: Self.nowMilliseconds(), exitStatus: status, limits: limits)

        // Everything is staged first; the output folder changes only once
        // every file is whole, in one quick round of renames.
        progress.enter(.writing)
        let writeStart = clock.now
        var written: [String] = []
        do {
            let staged = try StagedOutputs(in: folder)
            do {
                written = try Analyzer.write(report, to: staged.staging)
                if let exportEvents {
                    try OutputFolder.writeFile(EventExport.tsv(report.read.events), to: exportEvents)
                }
                Self.pauseForTests()
                if let signal = StopSignals.signal {
                    staged.discard()
                    display.stop()
                    try stop(signal, read: report.read, elapsed: (clock.now - start).seconds)
                }
                try staged.commit(written, ownNames: Analyzer.dataFileNames + CourseReport.fileNames)
            } catch {
                staged.discard()
                throw error
            }
        } catch let error as OutputError {
            display.stop()
            RunLog.error("cannot write the outputs: \(error.description); \(folder.path) keeps the previous run's files",
                         [("file", .string(error.path)), ("reason", .string("cannot_write"))])
            writeMetrics(status: ExitStatus.cannotWrite, read: report.read, report: report,
                         elapsed: (clock.now - start).seconds, writeSeconds: (clock.now - writeStart).seconds,
                         breaches: breaches.count)
            throw ExitCode(ExitStatus.cannotWrite)
        }
        display.stop()
        if exportEvents != nil { written.append(exportEvents ?? "") }
        writeMetrics(status: status, read: report.read, report: report, elapsed: (clock.now - start).seconds,
                     writeSeconds: (clock.now - writeStart).seconds, breaches: breaches.count)
        if RunLog.format == .json {
            RunLog.info("finished", summaryFields(report, status: status, breaches: breaches))
        } else if !quiet {
            Console.output(Summary.text(report, written: written, folder: folder.path))
            if !breaches.isEmpty {
                Console.output("\(breaches.count) bad-data limit(s) passed: see the messages above; exit status \(status).")
            }
        }
        if status != ExitStatus.success { throw ExitCode(status) }
    }

    /// Ends a stopped run: nothing written but the metrics file.
    private func stop(_ signal: Int32, read: ReadResult?, elapsed: Double) throws -> Never {
        let status = ExitStatus.stopped(by: signal)
        RunLog.error("stopped by \(StopSignals.name(signal)): nothing written; \(folder.path) is as it was",
                     [("reason", .string("stopped")), ("exit_status", .integer(Int(status)))])
        writeMetrics(status: status, read: read, report: nil, elapsed: elapsed, writeSeconds: 0, breaches: 0)
        throw ExitCode(status)
    }

    private func writeMetrics(
        status: Int32, read: ReadResult?, report: AnalysisReport?, elapsed: Double, writeSeconds: Double, breaches: Int
    ) {
        guard let metricsFile else { return }
        var phases: [(phase: String, seconds: Double)] = []
        if let read {
            phases = [("read", read.parseSeconds), ("merge", read.mergeSeconds)]
        }
        if let report { phases += [("metrics", report.metricsSeconds), ("write", writeSeconds)] }
        let previous = try? String(contentsOfFile: metricsFile, encoding: .utf8)
        let run = MetricsFile.Run(
            exitStatus: status, endedAt: Self.nowMilliseconds(), seconds: elapsed, read: read, phaseSeconds: phases,
            limitBreaches: breaches)
        do {
            try OutputFolder.writeFile(MetricsFile.text(run, previous: previous), to: metricsFile)
        } catch {
            RunLog.error("--metrics-file: \(error.description)", [("file", .string(metricsFile))])
        }
    }

    private func summaryFields(_ report: AnalysisReport, status: Int32, breaches: [BadDataLimits.Breach]) -> [(String, JSONValue)] {
        let total = report.read.total
        let rejected = RejectReason.allCases.filter { $0 != .ignoredEvent }.reduce(0) { $0 + total[$1] }
        return [
            ("exit_status", .integer(Int(status))),
            ("run_id", .string(report.record?.id ?? "")),
            ("files", .integer(report.read.files.count)),
            ("files_with_errors", .integer(report.read.files.filter { $0.damage != nil }.count)),
            ("lines", .integer(total.lines)),
            ("accepted", .integer(total.accepted)),
            ("rejected", .integer(rejected)),
            ("ignored_event", .integer(total[.ignoredEvent])),
            ("duplicates", .integer(report.read.events.duplicates)),
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

    /// The start time to the second, in UTC, and the process id: unique on
    /// one machine, and sorted by time.
    static func runID(_ startedAt: Int64) -> String {
        let text = RunRecord.utcText(startedAt)  // 2026-11-23T21:04:05.123+00:00
        let compact = text.prefix(19).filter { $0 != "-" && $0 != ":" }
        return compact + "Z-" + String(getpid())
    }
}
