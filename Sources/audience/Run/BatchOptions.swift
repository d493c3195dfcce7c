import ArgumentParser
import AudienceKit

/// The options of a run that nobody watches, shared by `analyze` and
/// `ingest`: messages, progress, bad-data limits and monitoring.
struct BatchOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    @Option(help: ArgumentHelp(
        "A progress line on standard error: auto (redrawn in place on a terminal, else none), always (also to a file or pipe, every few seconds), never.",
        valueName: "when"))
    var progress: ProgressMode = .auto

    @Option(help: ArgumentHelp(
        "Messages on standard error as text or as JSON lines (time, level, message, file, line, offset, reason).",
        valueName: "format"))
    var logFormat: LogFormat = .text

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Largest share of rejected lines among lines, 0 to 1, for each file and overall; past it the run exits \(ExitStatus.badDataLimit) (outputs still written; with a store, such a file is not added).",
        valueName: "rate"))
    var maxBadRate: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Largest number of rejected lines, for each file and overall; past it the run exits \(ExitStatus.badDataLimit) (outputs still written; with a store, such a file is not added).",
        valueName: "lines"))
    var maxBadLines: Int?

    @Option(help: ArgumentHelp(
        "Also write the run's figures to this file in the Prometheus text format (for node_exporter's textfile collector), atomically.",
        valueName: "file"))
    var metricsFile: String?

    /// The limits, checked.
    func limits() throws -> BadDataLimits {
        if let maxBadRate, !(maxBadRate >= 0 && maxBadRate <= 1) {
            throw ValidationError("--max-bad-rate must be from 0 to 1, not \(maxBadRate).")
        }
        if let maxBadLines, maxBadLines < 0 {
            throw ValidationError("--max-bad-lines must be 0 or more, not \(maxBadLines).")
        }
        if metricsFile?.isEmpty == true { throw ValidationError("--metrics-file needs a file name.") }
        return BadDataLimits(maxRate: maxBadRate, maxLines: maxBadLines)
    }
}
