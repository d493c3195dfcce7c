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

/// The tables of a run, as the report reads them.
struct ReportData {
    let titles: TableRecords
    let retention: RetentionTable
    let moments: TableRecords
    let countries: TableRecords
    let regions: TableRecords
    let devices: TableRecords
    let languages: TableRecords
    let daily: TableRecords
    let hours: TableRecords
    let concurrency: TableRecords
    let series: TableRecords
    let seriesSummary: TableRecords
    let cohorts: TableRecords
    let quality: TableRecords
    let metrics: MetricSettings
    let catalogPath: String?
    let totals: JSONValue
    let lineTotals: JSONValue
    let duplicates: Int
    let coverage: DataCoverage
    let comparison: PeriodComparison?
    let viewerLocalHours: ViewerLocalHours
    let localHours: TableRecords
    /// Row positions by `title_id`: of titles.csv, and of each title's curve
    /// in retention.csv.
    private let titlePositions: [ByteString: Int]
    private let curvePositions: [ByteString: Int]
    /// Series names from the catalog (its first title of each series that names one).
    private let seriesNames: [ByteString: String]

    init(tables: AudienceTables, read: ReadResult, metrics: MetricSettings, catalogPath: String?) {
        titles = TableRecords(tables.titles)
        retention = tables.retention
        moments = TableRecords(tables.moments)
        countries = TableRecords(tables.countries)
        regions = TableRecords(tables.regions)
        devices = TableRecords(tables.devices)
        languages = TableRecords(tables.languages)
        daily = TableRecords(tables.daily)
        hours = TableRecords(tables.hours)
        concurrency = TableRecords(tables.concurrency)
        series = TableRecords(tables.series)
        seriesSummary = TableRecords(tables.seriesSummary)
        cohorts = TableRecords(tables.cohorts)
        quality = TableRecords(QualityTables.quality(read))
        self.metrics = metrics
        self.catalogPath = catalogPath
        totals = tables.totals
        lineTotals = QualityTables.lineTotals(read)
        duplicates = read.duplicates
        coverage = tables.coverage
        comparison = tables.comparison
        viewerLocalHours = tables.viewerLocalHours
        localHours = TableRecords(tables.viewerLocalHours.table)
        var titlePositions: [ByteString: Int] = [:]
        for (index, row) in titles.rows.enumerated() { titlePositions[ByteString(row["title_id"])] = index }
        self.titlePositions = titlePositions
        var curvePositions: [ByteString: Int] = [:]
        for (index, curve) in retention.curves.enumerated() { curvePositions[ByteString(curve.titleID)] = index }
        self.curvePositions = curvePositions
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

    /// A series as shown: its catalog name with its id, or its id.
    func seriesName(_ id: String) -> String {
        seriesNames[ByteString(id)].map { "\($0) (\(id))" } ?? id
    }

    /// A total of `summary.json`'s `audience` object.
    func total(_ key: String) -> JSONValue? { totals[key] }
    func line(_ key: String) -> Int { lineTotals[key]?.integerValue ?? 0 }

    var views: Int { total("views")?.integerValue ?? 0 }

    /// The retention curve of one title (retention.csv's rows of it).
    func curve(of title: String) -> RetentionTable.Curve? {
        curvePositions[ByteString(title)].map { retention.curves[$0] }
    }

    /// The most watched titles that have a retention curve, in titles.csv order.
    func titlesWithCurves(limit: Int) -> [TableRecords.Record] {
        var withCurve = Set<ByteString>()
        for row in moments.rows { withCurve.insert(ByteString(row["title_id"])) }
        return Array(titles.rows.filter { withCurve.contains(ByteString($0["title_id"])) }.prefix(limit))
    }

    /// A title's display name: its catalog name, else its id.
    func displayName(_ row: TableRecords.Record) -> String {
        row["title_name"].isEmpty ? row["title_id"] : row["title_name"]
    }

    func titleRow(_ id: String) -> TableRecords.Record? {
        titlePositions[ByteString(id)].map { titles.rows[$0] }
    }
}

extension JSONValue {
    subscript(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    var integerValue: Int? {
        if case .integer(let value) = self { return value }
        return nil
    }

    var numberValue: Double? {
        switch self {
        case .number(let value): return value
        case .integer(let value): return Double(value)
        default: return nil
        }
    }

    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
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
        let started = data.total("started_views")?.integerValue ?? 0
        let viewers = data.total("unique_viewers")?.integerValue ?? 0
        return abs(data.views &* 31 &+ started &* 7 &+ viewers)
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
