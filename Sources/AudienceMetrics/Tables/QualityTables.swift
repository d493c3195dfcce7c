import AudienceReading

/// `quality.csv`, `rejects.csv` and the line totals of `summary.json`.
public enum QualityTables {
    public static let qualityHeader = [
        "file", "bytes_read", "lines", "accepted",
        "ignored_event", "malformed", "missing_field", "bad_timestamp", "bad_number", "bad_segment",
        "duplicate", "error",
    ]

    /// One row per input file in input order, then `TOTAL` with the
    /// duplicates (which can only be known across files).
    public static func quality(_ result: ReadResult) -> CSVTable {
        var table = CSVTable(header: qualityHeader)
        for file in result.files {
            table.rows.append(row(file, duplicates: nil))
        }
        table.rows.append(row(result.total, duplicates: result.duplicates))
        return table
    }

    package static func row(_ file: FileQuality, duplicates: Int?) -> [String] {
        [file.file, String(file.bytesRead), String(file.lines), String(file.accepted)]
            + RejectReason.allCases.map { String(file[$0]) }
            + [duplicates.map(String.init) ?? "", file.damage?.description ?? ""]
    }

    /// The sampled rejected lines: the first N of each reason, in input order.
    public static func rejects(_ result: ReadResult) -> CSVTable {
        CSVTable(
            header: ["file", "line", "reason", "detail", "text"],
            rows: result.samples.map { [$0.file, String($0.line), $0.reason.name, $0.detail, $0.text] })
    }

    /// The line totals, by reason, for `summary.json`.
    public static func lineTotals(_ result: ReadResult) -> JSONValue {
        let total = result.total
        let rejected = RejectReason.allCases.filter { $0 != .ignoredEvent }
        return .object([
            ("lines", .integer(total.lines)),
            ("accepted", .integer(total.accepted)),
            ("ignored_event", .integer(total[.ignoredEvent])),
            ("rejected", .integer(rejected.reduce(0) { $0 + total[$1] })),
            ("rejected_by_reason", .object(rejected.map { ($0.name, .integer(total[$0])) })),
            ("duplicates", .integer(result.duplicates)),
            ("events", .integer(total.accepted - result.duplicates)),
            ("bytes_read", .integer(Int(total.bytesRead))),
            ("files", .integer(result.files.count)),
            ("files_with_errors", .integer(result.files.filter { $0.damage != nil }.count)),
        ])
    }
}
