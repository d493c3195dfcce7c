/// One column of a typed table: its name in the header, and how a row's
/// value is written in it. A table's column list is the one place that ties
/// a name to a value, so the CSV writer and the report cannot disagree on
/// what a column holds.
public struct TableColumn<Row>: Sendable {
    public let name: String
    private let value: Value

    private enum Value: Sendable {
        case text(@Sendable (Row) -> String)
        case integer(@Sendable (Row) -> Int?)
        /// A row's number is as written already (`NumberFormat.written`), so
        /// writing it again gives the same digits.
        case number(@Sendable (Row) -> Double?)
        /// Days since 1970-01-01, written `YYYY-MM-DD`.
        case day(@Sendable (Row) -> Int)
    }

    public static func text(_ name: String, _ value: @escaping @Sendable (Row) -> String) -> Self {
        Self(name: name, value: .text(value))
    }

    public static func integer(_ name: String, _ value: @escaping @Sendable (Row) -> Int) -> Self {
        Self(name: name, value: .integer { value($0) })
    }

    /// An integer that may be absent: an empty field.
    public static func optionalInteger(_ name: String, _ value: @escaping @Sendable (Row) -> Int?) -> Self {
        Self(name: name, value: .integer(value))
    }

    /// A number in the spec's format; an empty field when undefined.
    public static func number(_ name: String, _ value: @escaping @Sendable (Row) -> Double?) -> Self {
        Self(name: name, value: .number(value))
    }

    public static func day(_ name: String, _ value: @escaping @Sendable (Row) -> Int) -> Self {
        Self(name: name, value: .day(value))
    }

    /// The row's field as CSV text (before quoting).
    public func cell(_ row: Row) -> String {
        switch value {
        case .text(let text): text(row)
        case .integer(let integer): integer(row).map { String($0) } ?? ""
        case .number(let number): Cell.number(number(row))
        case .day(let day): LocalTime.dayString(day(row))
        }
    }

    /// The row's number, for the check that rows hold numbers as written;
    /// nil for a column of another kind.
    package func number(_ row: Row) -> Double?? {
        guard case .number(let number) = value else { return nil }
        return .some(number(row))
    }
}
