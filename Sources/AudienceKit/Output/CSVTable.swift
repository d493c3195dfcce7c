/// A table written as RFC 4180 CSV: a header row, `\n` line ends, and a
/// field quoted only when it holds a comma, a quote or a line break.
public struct CSVTable: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]] = []

    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    public var rendered: String {
        var text = ""
        Self.appendRow(header, to: &text)
        for row in rows { Self.appendRow(row, to: &text) }
        return text
    }

    static func appendRow(_ fields: [String], to text: inout String) {
        for (index, field) in fields.enumerated() {
            if index > 0 { text.append(",") }
            text.append(quoted(field))
        }
        text.append("\n")
    }

    static func quoted(_ field: String) -> String {
        let needsQuotes = field.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else { return field }
        var result = "\""
        for character in field.unicodeScalars {
            if character == "\"" { result.append("\"") }
            result.unicodeScalars.append(character)
        }
        return result + "\""
    }
}
