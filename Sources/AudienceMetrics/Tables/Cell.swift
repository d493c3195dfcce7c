/// Formatting shared by the tables.
package enum Cell {
    package static func number(_ value: Double?) -> String {
        value.map { NumberFormat.decimal($0) } ?? ""
    }

    package static func integer(_ value: Int) -> String { String(value) }

    static func optional(_ value: Int32?) -> String { value.map { String($0) } ?? "" }

    /// The value as written, for ordering rows "by the value as written";
    /// an empty field (a sum that overflowed) reads as +infinity, as the
    /// spec's checker reads it.
    package static func written(_ text: String) -> Double { Double(text) ?? .infinity }

    package static func bytesAscending(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
