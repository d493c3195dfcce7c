/// A table of text written as RFC 4180 CSV: a header row, `\n` line ends,
/// and a field quoted only when it holds a comma, a quote or a line break.
/// For the files the report never reads (rejects.csv, `store list`, the
/// generator's catalog and answer key); the metric tables are typed (`Table`).
public struct CSVTable: Sendable, Equatable, CSVRendering {
    public var header: [String]
    public var rows: [[String]] = []

    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    public var cells: [[String]] { rows }

    public func write<Failure: Error>(
        spreadsheetSafe: Bool, to emit: ([UInt8]) throws(Failure) -> Void
    ) throws(Failure) {
        var csv = CSVPieces(header: header, spreadsheetSafe: spreadsheetSafe)
        for row in rows {
            csv.append(row)
            try csv.handOnIfFull(to: emit)
        }
        try emit(csv.bytes)
    }

    /// A cell made safe to open by a double-click in a spreadsheet (off by
    /// default, since the contract's values are exact), as OWASP advises: a
    /// cell that is not a number and starts with `=`, `+`, `-`, `@` or a tab
    /// gets a leading `'`, so it is never run as a formula, and control
    /// characters are shown as their pictures (`␀`).
    static func spreadsheetSafe(_ cell: String) -> String {
        // A carriage return becomes its picture, so only a tab is left to check.
        let cleaned = cell.replacingControls()
        guard let first = cleaned.utf8.first, [0x3D, 0x2B, 0x2D, 0x40, 0x09].contains(first),
              Double(cleaned) == nil else { return cleaned }
        return "'" + cleaned
    }

    static func appendRow(_ fields: [String], to bytes: inout [UInt8]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { bytes.append(0x2C) }
            appendField(field, to: &bytes)
        }
        bytes.append(0x0A)
    }

    /// One field as CSV text.
    package static func field(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return text }
        var bytes: [UInt8] = []
        appendField(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A field, in double quotes (inner quotes doubled) only when it holds a
    /// comma, a quote or a line break.
    static func appendField(_ field: String, to bytes: inout [UInt8]) {
        let utf8 = field.utf8
        guard utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else {
            bytes.append(contentsOf: utf8)
            return
        }
        bytes.append(0x22)
        for byte in utf8 {
            if byte == 0x22 { bytes.append(0x22) }
            bytes.append(byte)
        }
        bytes.append(0x22)
    }
}

