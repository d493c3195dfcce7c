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
        var csv = CSVPieces(header: header, spreadsheetSafe: spreadsheetSafe)
        for row in rows {
            csv.append(row, columns)
            try csv.handOnIfFull(to: emit)
        }
        try emit(csv.bytes)
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

/// RFC 4180 CSV made a row at a time and handed on in pieces of about a
/// megabyte, so that a table of millions of rows is never held whole. (A
/// loop over the rows in each writer, not a generic one over sequences: the
/// retention table's rows would go through unspecialised iterators.)
struct CSVPieces {
    static let pieceSize = 1 << 20

    private(set) var bytes: [UInt8] = []
    private let spreadsheetSafe: Bool

    /// The header is written as it is, never made spreadsheet-safe.
    init(header: [String], spreadsheetSafe: Bool) {
        self.spreadsheetSafe = spreadsheetSafe
        bytes.reserveCapacity(Self.pieceSize + 4096)
        CSVTable.appendRow(header, to: &bytes)
    }

    mutating func append(_ fields: [String]) {
        CSVTable.appendRow(spreadsheetSafe ? fields.map(CSVTable.spreadsheetSafe) : fields, to: &bytes)
    }

    /// A typed row through its column list, each field appended as it is
    /// made (no array of the row's fields).
    mutating func append<Row>(_ row: Row, _ columns: [TableColumn<Row>]) {
        for index in columns.indices {
            if index > 0 { bytes.append(0x2C) }
            let field = columns[index].cell(row)
            CSVTable.appendField(spreadsheetSafe ? CSVTable.spreadsheetSafe(field) : field, to: &bytes)
        }
        bytes.append(0x0A)
    }

    /// Hands the bytes so far to `emit` once they pass a piece's size.
    mutating func handOnIfFull<Failure: Error>(to emit: ([UInt8]) throws(Failure) -> Void) throws(Failure) {
        guard bytes.count >= Self.pieceSize else { return }
        try emit(bytes)
        bytes.removeAll(keepingCapacity: true)
    }
}
