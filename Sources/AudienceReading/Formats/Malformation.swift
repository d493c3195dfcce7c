/// Why a line is `malformed`: kept small and cheap, turned into words only
/// for the lines that are sampled in `rejects.csv`.
package enum Malformation: Error, Equatable {
    /// Strict JSON broke at this byte of the line.
    case invalidJSON(offset: Int, problem: StaticString)
    case invalidUTF8(offset: Int)
    case nulByte(offset: Int)
    case columnCount(found: Int, expected: Int)
    /// A CSV quote that does not open or close a field properly.
    case brokenQuoting(column: Int)
    /// A text field holding a boolean, an object or an array.
    case nonTextValue(Field, RawValue.Kind)

    package static func == (lhs: Malformation, rhs: Malformation) -> Bool {
        switch (lhs, rhs) {
        case let (.invalidJSON(a, p), .invalidJSON(b, q)):
            return a == b && p.description == q.description
        case let (.invalidUTF8(a), .invalidUTF8(b)), let (.nulByte(a), .nulByte(b)):
            return a == b
        case let (.columnCount(a, b), .columnCount(c, d)):
            return a == c && b == d
        case let (.brokenQuoting(a), .brokenQuoting(b)):
            return a == b
        case let (.nonTextValue(f, k), .nonTextValue(g, l)):
            return f == g && k == l
        default:
            return false
        }
    }

    package var description: String {
        switch self {
        case .invalidJSON(let offset, let problem):
            return "invalid JSON at byte \(offset + 1): \(problem)"
        case .invalidUTF8(let offset):
            return "invalid UTF-8 at byte \(offset + 1)"
        case .nulByte(let offset):
            return "NUL byte at byte \(offset + 1)"
        case .columnCount(let found, let expected):
            return "\(found) columns where the header has \(expected)"
        case .brokenQuoting(let column):
            return "broken quoting in column \(column + 1)"
        case .nonTextValue(let field, let kind):
            let what = kind == .boolean ? "a boolean" : kind == .object ? "an object" : "an array"
            return "\(field.name) holds \(what), not text"
        }
    }
}
