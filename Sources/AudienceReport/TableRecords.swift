import AudienceMetrics

/// The rows of a written table read back by column name, so the report
/// shows exactly the numbers of the CSV it points to.
struct TableRecords {
    let rows: [Record]

    init(_ table: CSVTable) {
        var columns: [String: Int] = [:]
        for (index, name) in table.header.enumerated() { columns[name] = index }
        rows = table.rows.map { Record(fields: $0, columns: columns) }
    }

    struct Record {
        let fields: [String]
        fileprivate let columns: [String: Int]

        /// The field as written; empty for an unknown column.
        subscript(_ name: String) -> String {
            guard let index = columns[name], index < fields.count else { return "" }
            return fields[index]
        }

        /// The field as a number; nil when it is empty (undefined).
        func number(_ name: String) -> Double? { Double(self[name]) }

        func count(_ name: String) -> Int { Int(self[name]) ?? 0 }
    }
}
