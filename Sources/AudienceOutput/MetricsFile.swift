import AudienceReading
import AudienceMetrics

/// A run's figures in the Prometheus text exposition format, for
/// node_exporter's textfile collector (`--metrics-file`): lines by outcome
/// and reason, files, events, time by phase, the exit status, and the time
/// of the last successful run, which a failed run carries over from the
/// previous file so that an alert on "no success for 26 hours" works.
public enum MetricsFile {
    /// The figures of one finished (or failed) run.
    public struct Run: Sendable {
        public var exitStatus: Int32
        /// Unix milliseconds.
        public var endedAt: Int64
        public var seconds: Double
        /// nil when the run stopped before reading was done.
        public var read: ReadResult?
        public var phaseSeconds: [(phase: String, seconds: Double)]
        public var limitBreaches: Int

        public init(
            exitStatus: Int32, endedAt: Int64, seconds: Double, read: ReadResult?,
            phaseSeconds: [(phase: String, seconds: Double)], limitBreaches: Int
        ) {
            self.exitStatus = exitStatus
            self.endedAt = endedAt
            self.seconds = seconds
            self.read = read
            self.phaseSeconds = phaseSeconds
            self.limitBreaches = limitBreaches
        }

        /// Exit statuses 0 and 1 are successes: every output was written
        /// (1 names files with errors, whose good lines still count).
        public var succeeded: Bool { exitStatus == 0 || exitStatus == 1 }
    }

    static let lastSuccessName = "audience_last_success_timestamp_seconds"

    /// The text of the file. `previous` is the file this one replaces, if
    /// any: its last success is kept when this run failed.
    public static func text(_ run: Run, previous: String?) -> String {
        var out = ""
        func metric(_ name: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
            for sample in samples { out += name + sample.labels + " " + sample.value + "\n" }
        }
        func seconds(_ value: Double) -> String { NumberFormat.decimal(value) }
        let endSeconds = seconds(Double(run.endedAt) / 1000)
        metric("audience_run_exit_status", "Exit status of the last run (0 and 1: outputs written).",
               [("", String(run.exitStatus))])
        metric("audience_run_timestamp_seconds", "When the last run ended, Unix time.", [("", endSeconds)])
        metric("audience_run_duration_seconds", "Wall-clock time of the last run.", [("", seconds(run.seconds))])
        metric("audience_run_phase_seconds", "Time of each phase of the last run.",
               run.phaseSeconds.map { ("{phase=\"\($0.phase)\"}", seconds($0.seconds)) })
        if let read = run.read {
            let total = read.total
            var lines: [(String, String)] = [
                ("{outcome=\"accepted\"}", String(total.accepted)),
                ("{outcome=\"ignored\",reason=\"ignored_event\"}", String(total[.ignoredEvent])),
            ]
            for reason in SkipReason.rejections {
                lines.append(("{outcome=\"rejected\",reason=\"\(reason.name)\"}", String(total[reason])))
            }
            metric("audience_run_lines", "Lines of the last run by outcome and reason.", lines)
            metric("audience_run_files", "Input files of the last run.", [("", String(read.files.count))])
            metric("audience_run_files_with_errors", "Input files with a file-level error.",
                   [("", String(read.files.filter { $0.damage != nil }.count))])
            metric("audience_run_duplicates", "Accepted lines removed as duplicates.",
                   [("", String(read.duplicates))])
            metric("audience_run_events", "Events behind the metrics (accepted minus duplicates).",
                   [("", String(total.accepted - read.duplicates))])
            metric("audience_run_bytes_read", "Bytes read from the inputs.", [("", String(total.bytesRead))])
        }
        metric("audience_run_bad_data_limit_breaches", "Files (and the total) over --max-bad-rate or --max-bad-lines.",
               [("", String(run.limitBreaches))])
        let lastSuccess = run.succeeded ? endSeconds : previous.flatMap(lastSuccess(in:))
        if let lastSuccess {
            metric(lastSuccessName, "When a run last wrote its outputs (exit 0 or 1), Unix time.", [("", lastSuccess)])
        }
        return out
    }

    /// The value of the last-success gauge in an earlier file.
    static func lastSuccess(in text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix(lastSuccessName + " ") {
            let value = line.dropFirst(lastSuccessName.count + 1)
            if Double(value) != nil { return String(value) }
        }
        return nil
    }
}
