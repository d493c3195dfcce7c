import AudienceReading

/// A row of quality.csv: one input file's account, or the `TOTAL` row.
public struct QualityRow: Sendable, Equatable {
    public var quality: FileQuality
    /// Only the `TOTAL` row has duplicates: they are only known across files.
    public var duplicates: Int?

    public var isTotal: Bool { duplicates != nil }

    /// Every non-blank line lands in one column: accepted or a reason.
    public static let columns: [TableColumn<QualityRow>] = {
        let counts: [TableColumn<QualityRow>] = [
            .text("file", \.quality.file), .text("bytes_read") { String($0.quality.bytesRead) },
            .integer("lines", \.quality.lines), .integer("accepted", \.quality.accepted),
        ]
        let reasons = SkipReason.allCases.map { reason in
            TableColumn<QualityRow>.integer(reason.name) { $0.quality[reason] }
        }
        let ends: [TableColumn<QualityRow>] = [
            .optionalInteger("duplicate", \.duplicates), .text("error") { $0.quality.damage?.description ?? "" },
        ]
        return counts + reasons + ends
    }()
}

/// `quality.csv`, `rejects.csv` and the line totals of `summary.json`.
public enum QualityTables {
    /// One row per input file in input order, then `TOTAL` with the
    /// duplicates (which can only be known across files).
    public static func quality(_ result: ReadResult) -> Table<QualityRow> {
        quality(files: result.files, total: result.total, duplicates: result.duplicates)
    }

    /// quality.csv of files read or written (the generator's answer key).
    package static func quality(files: [FileQuality], total: FileQuality, duplicates: Int) -> Table<QualityRow> {
        Table(
            columns: QualityRow.columns,
            rows: files.map { QualityRow(quality: $0, duplicates: nil) } + [QualityRow(quality: total, duplicates: duplicates)])
    }

    /// The sampled rejected lines: the first N of each reason, in input order.
    public static func rejects(_ result: ReadResult) -> CSVTable {
        CSVTable(
            header: ["file", "line", "reason", "detail", "text"],
            rows: result.samples.map { [$0.file, String($0.line), $0.reason.name, $0.detail, $0.text] })
    }
}

/// The line totals of a run (`summary.json`'s `lines`).
public struct LineTotals: Sendable, Equatable {
    /// Non-blank lines, headers aside.
    public let lines: Int
    public let accepted: Int
    public let ignoredEvents: Int
    /// Lines neither accepted nor ignored.
    public let rejected: Int
    private let total: FileQuality
    public let duplicates: Int
    /// Accepted lines less duplicates: the events every figure comes from.
    public let events: Int
    public let bytesRead: Int
    public let files: Int
    public let filesWithErrors: Int

    public init(_ result: ReadResult) {
        let total = result.total
        self.total = total
        lines = total.lines
        accepted = total.accepted
        ignoredEvents = total[.ignoredEvent]
        rejected = total.rejectedLines
        duplicates = result.duplicates
        events = total.accepted - result.duplicates
        bytesRead = Int(total.bytesRead)
        files = result.files.count
        filesWithErrors = result.files.filter { $0.damage != nil }.count
    }

    /// Lines rejected for `reason`.
    public func rejected(_ reason: SkipReason) -> Int { total[reason] }

    /// The share of the lines that was rejected; nil without lines.
    public var rejectedShare: Double? { lines == 0 ? nil : Double(rejected) / Double(lines) }

    public var json: JSONValue {
        .object([
            ("lines", .integer(lines)),
            ("accepted", .integer(accepted)),
            ("ignored_event", .integer(ignoredEvents)),
            ("rejected", .integer(rejected)),
            ("rejected_by_reason", .object(SkipReason.rejections.map { ($0.name, .integer(total[$0])) })),
            ("duplicates", .integer(duplicates)),
            ("events", .integer(events)),
            ("bytes_read", .integer(bytesRead)),
            ("files", .integer(files)),
            ("files_with_errors", .integer(filesWithErrors)),
        ])
    }
}
