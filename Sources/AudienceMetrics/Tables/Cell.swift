import AudienceCore

/// Formatting shared by the tables.
package enum Cell {
    /// A number in the spec's format; empty when undefined or not finite.
    package static func number(_ value: Double?) -> String {
        value.map { NumberFormat.decimal($0) } ?? ""
    }

    package static func integer(_ value: Int) -> String { String(value) }

    package static func bytesAscending(_ a: String, _ b: String) -> Bool {
        ByteString(a) < ByteString(b)
    }
}
