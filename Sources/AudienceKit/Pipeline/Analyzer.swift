import AudienceCore
import AudienceReading
import AudienceMetrics
import AudienceReport
import AudienceOutput
import AudienceStore

/// Settings of one `analyze` run.
public struct AnalysisSettings: Sendable {
    public var inputs: [InputFile]
    public var read = ReadSettings()
    public var metrics = MetricSettings()
    /// Where the catalog came from, for the summary.
    public var catalogPath: String?
    /// The course report's depth; nil writes no report.
    public var reportLevel: ReportLevel?
    /// Tables made safe to open by a double-click in a spreadsheet
    /// (`CSVTable.spreadsheetSafe`); off, values are exact.
    public var spreadsheetSafe = false

    public init(inputs: [InputFile], read: ReadSettings = ReadSettings(), metrics: MetricSettings = MetricSettings(),
                catalogPath: String? = nil, reportLevel: ReportLevel? = .standard) {
        self.inputs = inputs
        self.read = read
        self.metrics = metrics
        self.catalogPath = catalogPath
        self.reportLevel = reportLevel
    }
}

/// The result of one run, ready to be written.
public struct AnalysisResult: Sendable {
    public var settings: AnalysisSettings
    public var read: ReadResult
    public var tables: AudienceTables
    public var elapsedSeconds: Double
    public var metricsSeconds: Double
    /// Who ran it, when, and how it ended, for `summary.json`; set by the
    /// caller once the exit status is known.
    public var record: RunRecord?
    /// The stores a report from stores read; nil for a one-shot run.
    public var store: StoreSummary?
}

/// A run as a scheduler sees it: `summary.json`'s `run` object.
public struct RunRecord: Sendable, Equatable {
    public var id: String
    /// Unix milliseconds.
    public var startedAt: Int64
    public var endedAt: Int64
    public var exitStatus: Int32
    public var limits: BadDataLimits

    public init(id: String, startedAt: Int64, endedAt: Int64, exitStatus: Int32, limits: BadDataLimits) {
        self.id = id
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.exitStatus = exitStatus
        self.limits = limits
    }

    /// An RFC 3339 time in UTC, to the millisecond.
    public static func utcText(_ milliseconds: Int64) -> String { ReportTimeZone.utc.timestamp(milliseconds) }

    var json: JSONValue {
        .object([
            ("id", .string(id)),
            ("started_at", .string(Self.utcText(startedAt))),
            ("ended_at", .string(Self.utcText(endedAt))),
            ("exit_status", .integer(Int(exitStatus))),
            ("limits", .object([
                ("max_bad_rate", limits.maxRate.map { .number($0) } ?? .null),
                ("max_bad_lines", limits.maxLines.map { .integer($0) } ?? .null),
            ])),
        ])
    }
}

/// Runs the engine and writes its tables. Prints nothing, exits nothing.
public enum Analyzer {
    public static let version = AudienceVersion.current

    public static func run(_ settings: AnalysisSettings) -> AnalysisResult {
        let clock = ContinuousClock()
        let start = clock.now
        let read = Reading.read(settings.inputs, settings: settings.read)
        return report(settings, read: read, readSeconds: (clock.now - start).seconds)
    }

    /// A report from one or more stores: the same tables as a one-shot run
    /// over the latest version of every file they hold, in byte order of
    /// the names (the store's equivalence rule).
    public static func run(
        _ settings: AnalysisSettings, stores: [StoreLocation], sliceEvents: Int = StoreViews.defaultSliceEvents
    ) throws(StoreError) -> AnalysisResult {
        let clock = ContinuousClock()
        let start = clock.now
        let (read, views, summary) = try Store.read(stores, read: settings.read, metrics: settings.metrics, sliceEvents: sliceEvents)
        var result = report(settings, read: read, views: views, readSeconds: (clock.now - start).seconds)
        result.store = summary
        return result
    }

    static func report(
        _ settings: AnalysisSettings, read: ReadResult, views: ViewSet? = nil, readSeconds: Double
    ) -> AnalysisResult {
        let clock = ContinuousClock()
        settings.read.progress?.enter(.metrics)
        let metricsStart = clock.now
        let tables = AudienceTables(
            views ?? ViewSet(read.events, settings: settings.metrics, threads: settings.read.threads), threads: settings.read.threads)
        let end = clock.now
        return AnalysisResult(
            settings: settings, read: read, tables: tables, elapsedSeconds: readSeconds + (end - metricsStart).seconds,
            metricsSeconds: (end - metricsStart).seconds)
    }

    /// The data files every run writes into its output folder (the report
    /// and charts aside): the tables, `quality.csv`, `rejects.csv` and
    /// `summary.json`. Several have log-file names, so a folder walk must not
    /// take a previous run's as input.
    public static let dataFileNames = AudienceTables.fileNames + ["quality.csv", "rejects.csv", "summary.json"]

    /// The files written, by name, with their contents: the tables, then
    /// the course report and its charts.
    public static func outputs(_ report: AnalysisResult) -> [(name: String, text: String)] {
        let safe = report.settings.spreadsheetSafe
        return report.tables.all.map { ($0.name, $0.table.rendered(spreadsheetSafe: safe)) } + otherOutputs(report)
    }

    /// Everything but the metric tables: the quality account, the summary,
    /// the course report and its charts.
    private static func otherOutputs(_ report: AnalysisResult) -> [(name: String, text: String)] {
        let safe = report.settings.spreadsheetSafe
        return [
            ("quality.csv", QualityTables.quality(report.read).rendered(spreadsheetSafe: safe)),
            ("rejects.csv", QualityTables.rejects(report.read).rendered(spreadsheetSafe: safe)),
            ("summary.json", summary(report).rendered() + "\n"),
        ] + (report.settings.reportLevel.map { CourseReport.render(report, level: $0) } ?? [])
    }

    /// Writes every output into `folder`, each atomically, on up to the
    /// run's `--threads` workers (the files are independent; the tables and
    /// the course report are a fifth of a report from a store, which would
    /// otherwise run on one core). A table is written a piece at a time, so
    /// the largest (retention.csv) is never held whole as text.
    /// - Returns: the names written, tables first, in the order of
    ///   `outputs`.
    @discardableResult
    public static func write(
        _ report: AnalysisResult, to folder: OutputFolder, while continuing: @Sendable () -> Bool = { true }
    ) throws(OutputError) -> [String] {
        let safe = report.settings.spreadsheetSafe
        let tableCount = report.tables.all.count
        // Task 0 renders and writes the quality account, the summary and the
        // course report (the longest task, so it starts first); task i the
        // table i - 1. A stop request ends the writing between two files.
        let outcomes = Parallel.map(count: tableCount + 1, threads: report.settings.read.threads) {
            task -> Result<[String], OutputError> in
            do throws(OutputError) {
                guard continuing() else { return .success([]) }
                guard task > 0 else {
                    var names: [String] = []
                    for output in otherOutputs(report) {
                        guard continuing() else { break }
                        try folder.write(output.text, to: output.name)
                        names.append(output.name)
                    }
                    return .success(names)
                }
                let (name, table) = report.tables.all[task - 1]
                try folder.write(to: name) { (emit: ([UInt8]) throws(OutputError) -> Void) throws(OutputError) in
                    try table.write(spreadsheetSafe: safe, to: emit)
                }
                return .success([name])
            } catch {
                return .failure(error)
            }
        }
        var names: [String] = []
        for outcome in outcomes.dropFirst() + outcomes.prefix(1) { names += try outcome.get() }
        return names
    }

    static func summary(_ report: AnalysisResult) -> JSONValue {
        let settings = report.settings
        var fields: [(String, JSONValue)] = [
            ("tool", .string("audience")),
            ("version", .string(version)),
            ("run", report.record?.json ?? .null),
        ]
        fields.append(("settings", .object([
            ("buckets", .integer(settings.metrics.buckets)),
            ("complete_at", .number(settings.metrics.completeAt)),
            ("timezone", .string(settings.metrics.timeZone.description)),
            ("catalog", settings.catalogPath.map { .string($0) } ?? .null),
            ("threads", .integer(settings.read.threads)),
            ("rejects", .integer(settings.read.rejectSampleLimit)),
            ("level", settings.reportLevel.map { .string($0.rawValue) } ?? .null),
        ])))
        fields.append(("window", .object([
            ("from", settings.metrics.window.fromText.map { .string($0) } ?? .null),
            ("to", settings.metrics.window.toText.map { .string($0) } ?? .null),
        ])))
        // From a store, the files it holds: what a one-shot run would be given.
        let inputs = report.store == nil ? settings.inputs.map(\.name) : report.read.files.map(\.file)
        fields.append(("inputs", .array(inputs.map { .string($0) })))
        if let store = report.store { fields.append(("store", store.json)) }
        fields.append(("lines", LineTotals(report.read).json))
        fields.append(("audience", report.tables.totals))
        fields.append(("elapsed_seconds", .number(report.elapsedSeconds)))
        fields.append(("phase_seconds", .object([
            ("read_parse_validate", .number(report.read.parseSeconds)),
            ("merge_and_duplicates", .number(report.read.mergeSeconds)),
            ("metrics", .number(report.metricsSeconds)),
        ])))
        return .object(fields)
    }
}

extension CourseReport {
    /// The course report of a run. The report itself knows only tables and
    /// settings, not runs, so that it sits below the code that makes runs.
    public static func render(_ report: AnalysisResult, level: ReportLevel) -> [(name: String, text: String)] {
        render(
            tables: report.tables, read: report.read, metrics: report.settings.metrics,
            catalogPath: report.settings.catalogPath, level: level)
    }
}
