/// A table of typed rows, written as CSV through its column list. Rows keep
/// their values typed (numbers already rounded as written), so they sort on
/// numbers and the report reads them by property, never by column name.
public struct Table<Row: Sendable>: Sendable, CSVRendering {
    public let columns: [TableColumn<Row>]
    public var rows: [Row]

    public init(columns: [TableColumn<Row>], rows: [Row] = []) {
        self.columns = columns
        self.rows = rows
    }

    public var header: [String] { columns.map(\.name) }

    public var cells: [[String]] { rows.map(cells(of:)) }

    func cells(of row: Row) -> [String] { columns.map { $0.cell(row) } }

    public func write<Failure: Error>(
        spreadsheetSafe: Bool, to emit: ([UInt8]) throws(Failure) -> Void
    ) throws(Failure) {
        try CSVWriter.write(header: header, rows: rows, spreadsheetSafe: spreadsheetSafe, cells: cells(of:), to: emit)
    }
}

/// A table that can be written as CSV.
public protocol CSVRendering: Sendable {
    var header: [String] { get }
    /// The rows as text: for tests and small tables (a large table is
    /// written a piece at a time instead, see `write`).
    var cells: [[String]] { get }
    /// The CSV text, handed to `emit` about a megabyte at a time, so that
    /// writing a table of millions of rows holds one piece of it at once.
    /// `spreadsheetSafe` as `CSVTable.spreadsheetSafe`.
    func write<Failure: Error>(spreadsheetSafe: Bool, to emit: ([UInt8]) throws(Failure) -> Void) throws(Failure)
}

extension CSVRendering {
    /// The whole CSV text.
    public func rendered(spreadsheetSafe: Bool) -> String {
        var all: [UInt8] = []
        write(spreadsheetSafe: spreadsheetSafe) { (piece: [UInt8]) in all.append(contentsOf: piece) }
        return String(decoding: all, as: UTF8.self)
    }

    public var rendered: String { rendered(spreadsheetSafe: false) }
}

/// Writes rows as RFC 4180 CSV in pieces.
enum CSVWriter {
    static let pieceSize = 1 << 20

    /// The header, then each row's `cells`, handed to `emit` whenever a
    /// piece passes `pieceSize` bytes, and once at the end.
    static func write<Rows: Sequence, Failure: Error>(
        header: [String], rows: Rows, spreadsheetSafe: Bool, cells: (Rows.Element) -> [String],
        to emit: ([UInt8]) throws(Failure) -> Void
    ) throws(Failure) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(pieceSize + 4096)
        CSVTable.appendRow(header, to: &bytes)
        for row in rows {
            let fields = cells(row)
            CSVTable.appendRow(spreadsheetSafe ? fields.map(CSVTable.spreadsheetSafe) : fields, to: &bytes)
            if bytes.count >= pieceSize {
                try emit(bytes)
                bytes.removeAll(keepingCapacity: true)
            }
        }
        try emit(bytes)
    }
}
