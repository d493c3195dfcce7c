import AudienceCore
import AudienceReading
import AudienceMetrics

/// A course report: `report.md` and the SVG charts it links, written from
/// the tables of a run, at one of three levels of depth. The same run always
/// gives the same bytes: nothing here depends on the clock, the thread count
/// or the machine.
public enum CourseReport {
    /// The report's own files besides its charts (those are `charts/*.svg`):
    /// `answers.md` holds the exercises' answers at the advanced level, apart
    /// from `report.md` so that the report can be handed out without them.
    public static let fileNames = ["report.md", "answers.md"]

    /// The report's files by name (`report.md`, `answers.md`, `charts/….svg`),
    /// from a run's tables, its quality account and the settings the
    /// tables were made with (`catalogPath` only names the catalog).
    public static func render(
        tables: AudienceTables, read: ReadResult, metrics: MetricSettings, catalogPath: String?, level: ReportLevel
    ) -> [(name: String, text: String)] {
        let data = ReportData(tables: tables, read: read, metrics: metrics, catalogPath: catalogPath)
        var writer = ReportWriter(data: data, level: level)
        writer.writeDocument()
        let answers = writer.answersDocument().map { [("answers.md", $0)] } ?? []
        return [("report.md", writer.markdown)] + answers + writer.charts.map { ("charts/" + $0.name + ".svg", $0.svg) }
    }
}

/// The tables of a run, as the report reads them: typed rows, so every
/// number it prints is a column of a table it cites or a fact the metrics
/// compute (`ReportFacts.swift`), never text read back.
struct ReportData {
    let tables: AudienceTables
    let quality: Table<QualityRow>
    let lines: LineTotals
    let metrics: MetricSettings
    let catalogPath: String?
    /// Row positions by `title_id`: of titles.csv, of moments.csv, and of
    /// each title's curve in retention.csv.
    private let titlePositions: [ByteString: Int]
    private let momentPositions: [ByteString: Int]
    private let curvePositions: [ByteString: Int]
    /// Series names from the catalog (its first title of each series that names one).
    private let seriesNames: [ByteString: String]

    init(tables: AudienceTables, read: ReadResult, metrics: MetricSettings, catalogPath: String?) {
        self.tables = tables
        quality = QualityTables.quality(read)
        lines = LineTotals(read)
        self.metrics = metrics
        self.catalogPath = catalogPath
        titlePositions = Self.positions(tables.titles.rows.map(\.titleID))
        momentPositions = Self.positions(tables.moments.rows.map(\.titleID))
        curvePositions = Self.positions(tables.retention.curves.map(\.titleID))
        var seriesNames: [ByteString: String] = [:]
        if let catalog = metrics.catalog {
            for id in catalog.order {
                guard let entry = catalog.entries[ByteString(id)], let series = entry.seriesID,
                      let name = entry.seriesName, !name.isEmpty, seriesNames[ByteString(series)] == nil else { continue }
                seriesNames[ByteString(series)] = name
            }
        }
        self.seriesNames = seriesNames
    }

    private static func positions(_ ids: [String]) -> [ByteString: Int] {
        var positions: [ByteString: Int] = [:]
        for (index, id) in ids.enumerated() { positions[ByteString(id)] = index }
        return positions
    }

    var totals: AudienceTotals { tables.audienceTotals }
    var views: Int { totals.views }
    var titles: [TitleRow] { tables.titles.rows }
    var comparison: PeriodComparison? { tables.comparison }
    var coverage: DataCoverage { tables.coverage }

    /// A series as shown: its catalog name with its id, or its id.
    func seriesName(_ id: String) -> String {
        seriesNames[ByteString(id)].map { "\($0) (\(id))" } ?? id
    }

    /// The retention curve of one title (retention.csv's rows of it).
    func curve(of title: String) -> RetentionTable.Curve? {
        curvePositions[ByteString(title)].map { tables.retention.curves[$0] }
    }

    /// The key moments of one title (its row of moments.csv).
    func moments(of title: String) -> MomentRow? {
        momentPositions[ByteString(title)].map { tables.moments.rows[$0] }
    }

    /// The most watched titles that have a retention curve, in titles.csv order.
    func titlesWithCurves(limit: Int) -> [TitleRow] {
        Array(titles.lazy.filter { momentPositions[ByteString($0.titleID)] != nil }.prefix(limit))
    }

    func titleRow(_ id: String) -> TitleRow? {
        titlePositions[ByteString(id)].map { titles[$0] }
    }
}

/// Accumulates the Markdown and the charts of one report.
struct ReportWriter {
    let data: ReportData
    let level: ReportLevel
    private(set) var blocks: [String] = []
    private(set) var charts: [(name: String, svg: String)] = []
    /// Questions and their answers, for the exercises at the advanced level.
    var exercises: [(question: String, answer: String)] = []

    /// A number of this data that picks which title, country or day an
    /// exercise asks about: another data set asks about others, and the
    /// same data always about the same (no clock, no randomness).
    var exerciseSeed: Int {
        abs(data.views &* 31 &+ data.totals.startedViews &* 7 &+ data.totals.uniqueViewers)
    }

    /// One of `items`, chosen by `exerciseSeed` (`salt` makes exercises
    /// choose independently); nil when there are none.
    func pick<T>(_ items: [T], salt: Int) -> T? {
        items.isEmpty ? nil : items[abs(exerciseSeed &+ salt &* 7_919) % items.count]
    }

    init(data: ReportData, level: ReportLevel) {
        self.data = data
        self.level = level
    }

    var markdown: String { blocks.joined(separator: "\n\n") + "\n" }

    mutating func heading(_ text: String, depth: Int = 2) {
        blocks.append(String(repeating: "#", count: depth) + " " + text)
    }

    mutating func paragraph(_ text: String) { blocks.append(text) }

    mutating func table(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) {
        blocks.append(Markdown.table(header, rows, rightAligned: rightAligned))
    }

    /// A table cut to its first `limit` rows, with a pointer to the full CSV;
    /// `what` names the rows when they are not all of the CSV's.
    mutating func table(
        _ header: [String], _ rows: [[String]], rightAligned: Set<Int> = [], limit: Int, csv: String,
        what: String? = nil
    ) {
        table(header, Array(rows.prefix(limit)), rightAligned: rightAligned)
        guard rows.count > limit else { return }
        if let what {
            paragraph("The first \(limit) of the \(Human.count(rows.count)) \(what); [\(csv)](\(csv)) has them all.")
        } else {
            paragraph("The first \(limit) of \(Human.count(rows.count)) rows; all of them are in [\(csv)](\(csv)).")
        }
    }

    /// Writes `charts/<name>.svg` and shows it, with `alt` for readers who
    /// cannot see it.
    mutating func chart(_ name: String, svg: String, alt: String) {
        charts.append((name, svg))
        blocks.append("![\(Markdown.text(alt))](charts/\(name).svg)")
    }

    mutating func source(_ text: String) { blocks.append("<sub>Source: \(text)</sub>") }

    mutating func writeDocument() {
        writeTitle()
        writeDataParagraph()
        guard data.views > 0 else {
            writeNothingToMeasure()
            writeGlossary()
            return
        }
        writeHeadline()
        writeStartFunnel()
        writeTopTitles()
        writeMostWatchedRetention()
        writeCountries()
        writeDevices()
        if level >= .intermediate {
            writeComparedRetention()
            writeCompletionAgainstRuntime()
            writeRegions()
            writeLocalisation()
            writeDailyTrend()
            writeWhenPeopleWatch()
        }
        if level >= .advanced {
            writeSeries()
            writeCohorts()
            writeHoursPerRuntime()
            writeRewatchCurve()
            writeQualityAccount()
            writeMethodology()
            writeExercises()
        }
        writeGlossary()
    }
}
