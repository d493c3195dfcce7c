import ArgumentParser
import AudienceKit
import Foundation

/// A reduce step (`analyze --store ... --part p/P --partial DIR`) as a
/// batch job: a clean stop on SIGINT or SIGTERM (nothing written), the
/// partial result written whole or not at all, a message and an exit
/// status that say what happened.
struct ReduceRun {
    var settings: AnalysisSettings
    var stores: [StoreLocation]
    var part: Int
    var parts: Int
    var folder: String
    var metricsFile: String?
    var progressMode: ProgressMode
    var quiet: Bool

    func run() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let progress = RunProgress(files: [])
        var settings = settings
        settings.read.progress = progress
        StopSignals.install(progress)
        let display = AnalysisProgress(progress, mode: quiet ? .never : progressMode)
        display.start()
        progress.enter(.metrics)
        let path: String
        do {
            path = try Analyzer.reduce(settings, stores: stores, part: part, of: parts, into: folder)
        } catch {
            display.stop()
            let status = SplitMessages.exitStatus(error)
            SplitMessages.log(error, status: status)
            SplitMessages.writeMetrics(metricsFile, status: status, phase: "reduce", seconds: (clock.now - start).seconds)
            throw ExitCode(status)
        }
        display.stop()
        let seconds = (clock.now - start).seconds
        let recorded = SplitMessages.writeMetrics(metricsFile, status: ExitStatus.success, phase: "reduce", seconds: seconds)
        if RunLog.format == .json {
            RunLog.info("finished", [
                ("exit_status", .integer(0)), ("part", .integer(part)), ("parts", .integer(parts)), ("partial", .string(path)),
            ])
        } else if !quiet {
            Console.output("Wrote part \(part) of \(parts) to \(path) in \(String(format: "%.1f", seconds)) s.")
        }
        if !recorded { throw ExitCode(ExitStatus.cannotWrite) }
    }
}

/// Messages, exit statuses and the metrics file of the split-run steps.
enum SplitMessages {
    static func exitStatus(_ error: SplitRunError) -> Int32 {
        switch error {
        case .stopped: return ExitStatus.stopped(by: StopSignals.signal ?? SIGTERM)
        case .store(let store): return IngestMessages.exitStatus(store)
        default: return error.exitStatus
        }
    }

    static func log(_ error: SplitRunError, status: Int32) {
        switch error {
        case .store(let store):
            IngestMessages.logStoreError(store)
        case .stopped:
            RunLog.error("stopped by \(StopSignals.name(StopSignals.signal ?? SIGTERM)): nothing written",
                         [("reason", .string("stopped")), ("exit_status", .integer(Int(status)))])
        case .damaged(let path, _), .newerFormat(let path, _, _), .cannotWrite(let path, _):
            RunLog.error(error.description, [("file", .string(path)), ("reason", .string(error.reason)),
                                             ("exit_status", .integer(Int(status)))])
        case .usage:
            RunLog.error(error.description, [("reason", .string("usage")), ("exit_status", .integer(Int(status)))])
        }
    }

    /// Writes `--metrics-file` if asked; false when it could not be written.
    @discardableResult
    static func writeMetrics(_ path: String?, status: Int32, phase: String, seconds: Double) -> Bool {
        guard let path else { return true }
        let run = MetricsFile.Run(
            exitStatus: status, endedAt: AnalysisRun.nowMilliseconds(), seconds: seconds, read: nil,
            phaseSeconds: [(phase, seconds)], limitBreaches: 0)
        return AnalysisRun.record(run, inMetricsFile: path)
    }
}
