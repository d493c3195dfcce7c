import Foundation

/// The check the fuzz harness (`Fuzz/`, target `config`) runs on arbitrary
/// bytes, and `ConfigFuzzRegressionTests` replays on the committed corpus.
/// AudienceKit's `FuzzTarget` cannot reach this module, so it has its own
/// entry point; see `docs/fuzzing.md`.
///
/// The bytes are read as a `--config` file's content from memory (the same
/// path as a file on disk, past the open), and the text also through the JSON
/// and the TOML parser whatever its first character. A trap is a failure by
/// itself; a broken invariant is returned as words:
///
/// - an accepted file holds only known keys, each with a value of its kind,
///   and the typed accessors agree with the values (a whole number is a
///   number; nothing else is read as another type);
/// - an accepted file's values, written out again as TOML (and as JSON when
///   every number is finite), read back the same through the accessors.
extension ConfigFile {
    public static func fuzz(_ bytes: [UInt8]) -> String? {
        let data = Data(bytes)
        // Both parsers on any text, for coverage: neither may trap.
        if let text = String(data: data, encoding: .utf8) {
            _ = try? json(text, path: "fuzz")
            _ = try? toml(text, path: "fuzz")
        }
        let file: ConfigFile
        do {
            file = try ConfigFile(data: data, path: "fuzz")
        } catch {
            return error.problem.isEmpty ? "a rejection without a reason" : nil
        }
        if let problem = file.accessorProblem() { return problem }
        guard let toml = tomlText(file.values) else { return "accepted a value of no setting's kind: \(file.values)" }
        if let problem = roundTrip(file, through: toml, as: "TOML") { return problem }
        if let json = jsonText(file.values), let problem = roundTrip(file, through: json, as: "JSON") {
            return problem
        }
        return nil
    }

    /// Every key is known and of its kind; the accessors read exactly that.
    func accessorProblem() -> String? {
        for key in Set(values.keys).union(Self.keys.keys).union(["", "bucket", "BUCKETS"]) {
            let value = values[key]
            let integer = integer(key), number = number(key), string = string(key)
            switch (Self.keys[key], value) {
            case (_, nil):
                if integer != nil || number != nil || string != nil { return "'\(key)' is absent but read as a value" }
            case (nil, _?):
                return "unknown key '\(key)' accepted"
            case (.wholeNumber?, .integer(let whole)?), (.number?, .integer(let whole)?):
                guard integer == whole, number == Double(whole), string == nil else {
                    return "'\(key)' = \(whole) read as \(String(describing: integer)), \(String(describing: number))"
                }
            case (.number?, .number(let real)?):
                guard integer == nil, string == nil, let number, number == real || (number.isNaN && real.isNaN) else {
                    return "'\(key)' = \(real) read as \(String(describing: number))"
                }
            case (.text?, .string(let text)?):
                guard integer == nil, number == nil, string == text else { return "'\(key)' = \"\(text)\" misread" }
            case (let kind?, let value?):
                return "'\(key)' holds \(value), which is not \(kind.phrase)"
            }
        }
        return nil
    }

    /// Writes `text` as a file's content and reads it back: every key must
    /// read the same through the accessor of its kind.
    static func roundTrip(_ file: ConfigFile, through text: String, as format: String) -> String? {
        let again: ConfigFile
        do {
            again = try ConfigFile(data: Data(text.utf8), path: "again")
        } catch {
            return "accepted \(file.values), but written as \(format) it is rejected: \(error.problem)\n\(text)"
        }
        for (key, kind) in keys {
            let same: Bool
            switch kind {
            case .wholeNumber: same = file.integer(key) == again.integer(key)
            case .text: same = file.string(key) == again.string(key)
            case .number:
                let before = file.number(key), after = again.number(key)
                same = before == after || (before?.isNaN == true && after?.isNaN == true)
            }
            if !same { return "'\(key)' reads \(file.values[key]!) but \(again.values[key].map(String.init(describing:)) ?? "nothing") once written as \(format)\n\(text)" }
        }
        return nil
    }

    /// The settings as TOML; nil when a value is of no setting's kind.
    static func tomlText(_ values: [String: Value]) -> String? {
        var text = ""
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            switch value {
            case .string(let string): text += "\(key) = \(quoted(string))\n"
            case .integer(let integer): text += "\(key) = \(integer)\n"
            case .number(let number):
                let literal = number.isNaN ? "nan" : number.isInfinite ? (number < 0 ? "-inf" : "inf") : "\(number)"
                text += "\(key) = \(literal)\n"
            case .boolean, .other: return nil
            }
        }
        return text
    }

    /// The settings as a JSON object; nil when a number is not finite (JSON
    /// has no literal for it) or a value is of no setting's kind.
    static func jsonText(_ values: [String: Value]) -> String? {
        var members: [String] = []
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            switch value {
            case .string(let string): members.append("\"\(key)\": \(quoted(string))")
            case .integer(let integer): members.append("\"\(key)\": \(integer)")
            case .number(let number) where number.isFinite: members.append("\"\(key)\": \(number)")
            default: return nil
            }
        }
        return "{" + members.joined(separator: ", ") + "}"
    }

    /// A double-quoted string, the same in TOML and JSON.
    static func quoted(_ string: String) -> String {
        var text = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
}
