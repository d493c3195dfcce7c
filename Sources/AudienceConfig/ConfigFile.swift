import Foundation
import TOMLKit

/// Settings read from `--config FILE`: a JSON object, or TOML with the keys
/// at the top level. Each key has one type, and a value of another type is
/// an error of its own ("must be a whole number, not true"), never read as
/// something else. Options given on the command line win over the file.
public struct ConfigFile: Sendable {
    /// A setting's value as the file wrote it.
    public enum Value: Sendable, Equatable, CustomStringConvertible {
        case string(String)
        case integer(Int)
        case number(Double)
        case boolean(Bool)
        /// An array, a table, a date or `null`: never a setting.
        case other(String)

        public var description: String {
            switch self {
            case .string(let text): return "\"\(text)\""
            case .integer(let value): return String(value)
            case .number(let value): return String(value)
            case .boolean(let value): return String(value)
            case .other(let what): return what
            }
        }
    }

    /// What a key holds.
    public enum Kind: Sendable {
        case wholeNumber, number, text

        var phrase: String {
            switch self {
            case .wholeNumber: return "a whole number"
            case .number: return "a number"
            case .text: return "a string"
            }
        }
    }

    /// Every key a config file may hold, with its kind.
    public static let keys: [String: Kind] = [
        "buckets": .wholeNumber, "complete_at": .number, "timezone": .text, "catalog": .text, "level": .text,
        "rejects": .wholeNumber, "threads": .wholeNumber, "out": .text,
    ]

    /// A settings file is a few lines; anything bigger is not one.
    public static let maximumSize = 1 << 20

    public let path: String
    public private(set) var values: [String: Value] = [:]

    /// Reads and checks the file at `path`.
    public init(path: String) throws(ConfigError) {
        // A pipe or device could keep the run waiting for ever.
        guard let type = try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType else {
            throw ConfigError(path, "cannot be read")
        }
        guard type == .typeRegular else { throw ConfigError(path, "is not a regular file") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ConfigError(path, "cannot be read") }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: Self.maximumSize + 1) ?? Data()
        } catch {
            throw ConfigError(path, "cannot be read")
        }
        try self.init(data: data, path: path)
    }

    /// Reads settings from a file's bytes (at most `maximumSize` of them,
    /// UTF-8); `path` names it in messages.
    public init(data: Data, path: String) throws(ConfigError) {
        guard data.count <= Self.maximumSize else {
            throw ConfigError(path, "is larger than \(Self.maximumSize >> 20) MiB: not a settings file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigError(path, "is not UTF-8 text") }
        try self.init(text: text, path: path)
    }

    /// Reads settings from `text`; `path` names it in messages.
    public init(text: String, path: String) throws(ConfigError) {
        self.path = path
        let first = text.drop(while: { $0.isWhitespace || $0 == "\u{FEFF}" }).first
        if first == "{" {
            values = try Self.json(text, path: path)
        } else {
            values = try Self.toml(text, path: path)
        }
        for (key, value) in values {
            guard let kind = Self.keys[key] else {
                throw ConfigError(path, "unknown key '\(key)' (known: \(Self.keys.keys.sorted().joined(separator: ", ")))")
            }
            switch (kind, value) {
            case (.text, .string(let text)) where text.contains("\0"):
                // A path or a zone name never holds one (JSON can write "\u0000").
                throw ConfigError(path, "'\(key)' must be a string without NUL characters")
            case (.wholeNumber, .integer), (.number, .integer), (.number, .number), (.text, .string):
                continue
            default:
                throw ConfigError(path, "'\(key)' must be \(kind.phrase), not \(value)")
            }
        }
    }

    /// A whole-number setting, if the file gives it.
    public func integer(_ key: String) -> Int? {
        if case .integer(let value) = values[key] { return value }
        return nil
    }

    /// A number setting, if the file gives it (a whole number is a number).
    public func number(_ key: String) -> Double? {
        switch values[key] {
        case .number(let value): return value
        case .integer(let value): return Double(value)
        default: return nil
        }
    }

    /// A text setting, if the file gives it.
    public func string(_ key: String) -> String? {
        if case .string(let value) = values[key] { return value }
        return nil
    }

    static func toml(_ text: String, path: String) throws(ConfigError) -> [String: Value] {
        if let problem = tomlTrap(in: Array(text.unicodeScalars)) { throw ConfigError(path, problem) }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(path, "line \(error.source.begin.line): \(error.description)")
        } catch {
            throw ConfigError(path, "is not valid TOML")
        }
        var values: [String: Value] = [:]
        for (key, value) in table {
            switch value.type {
            case .string: values[key] = value.string.map(Value.string) ?? .other("a string")
            case .int: values[key] = value.int.map(Value.integer) ?? .other("an integer")
            case .double: values[key] = value.double.map(Value.number) ?? .other("a number")
            case .bool: values[key] = value.bool.map(Value.boolean) ?? .other("a boolean")
            case .table: throw ConfigError(path, "[\(key)] is a section; write the settings at the top level, before any section")
            case .array: values[key] = .other("an array")
            default: values[key] = .other("a date or time")
            }
        }
        return values
    }

    /// What in `text` toml++ (inside TOMLKit) would trap on instead of
    /// reporting, found by fuzzing; nil when there is none. By scalars, with
    /// strings and comments told apart from the rest:
    ///
    /// - a control character but tab and CR-LF: TOML allows none anywhere,
    ///   and TOMLKit hands the text over as a C string, cut at a NUL;
    /// - a `[` or `[[` starting a line, not followed by a key (a line end,
    ///   `=`, `{`, …): toml++ fails an assertion in `parse_key`;
    /// - a date followed by `T` or `t` and no digit (`2026-11-23T:05Z`): an
    ///   assertion in `parse_time`; by `T`, `t` or a space and digits that
    ///   are not a time (`2026-11-23 5`): an assertion in `parse_value`;
    /// - a `}` where an array's value belongs (`[}]`, `["UTC", }]`): an
    ///   assertion in `parse_value`;
    /// - a value that starts with a digit and is neither a number nor a
    ///   well-formed date or time (`8-12-23`, `2026-11-2=`): an assertion in
    ///   `parse_value`.
    static func tomlTrap(in text: [Unicode.Scalar]) -> String? {
        enum State { case plain, basic, literal, multilineBasic, multilineLiteral, comment }
        func at(_ index: Int) -> Unicode.Scalar? { index < text.count ? text[index] : nil }
        func isDigit(_ index: Int) -> Bool { at(index).map { ("0"..."9").contains($0) } ?? false }
        func isKeyStart(_ scalar: Unicode.Scalar?) -> Bool {
            guard let scalar else { return false }
            return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || "_-\"']".unicodeScalars.contains(scalar)
        }
        func repeats(_ scalar: Unicode.Scalar, at index: Int) -> Bool { at(index) == scalar && at(index + 1) == scalar && at(index + 2) == scalar }
        var state = State.plain, line = 1, lineStart = true, index = 0
        // Outside strings and comments: the last scalar but blanks, and the open `[` and `{`.
        var last: Unicode.Scalar = "\n", open: [Unicode.Scalar] = []
        while index < text.count {
            let scalar = text[index]
            switch scalar.value {
            case 0x0A:
                line += 1
                lineStart = true
                if state != .multilineBasic && state != .multilineLiteral { state = .plain }
                index += 1
                continue
            case 0x0D:
                if at(index + 1) != "\n" { return "line \(line): a carriage return not followed by a newline" }
                index += 1
                continue
            case 0x09: break
            case 0x00..<0x20, 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                return "line \(line): control character U+\(String(repeating: "0", count: 4 - hex.count))\(hex) is not allowed in TOML"
            default: break
            }
            switch state {
            case .comment: index += 1
            case .basic, .multilineBasic:
                if scalar == "\\" {
                    index += 2
                } else if state == .multilineBasic && repeats("\"", at: index) {
                    index += 3
                    while at(index) == "\"" { index += 1 }
                    state = .plain
                } else {
                    if state == .basic && scalar == "\"" { state = .plain }
                    index += 1
                }
            case .literal, .multilineLiteral:
                if state == .multilineLiteral && repeats("'", at: index) {
                    index += 3
                    while at(index) == "'" { index += 1 }
                    state = .plain
                } else {
                    if state == .literal && scalar == "'" { state = .plain }
                    index += 1
                }
            case .plain:
                let wasLineStart = lineStart, before = last
                if scalar != " " && scalar != "\t" && !(index == 0 && scalar == "\u{FEFF}") {
                    lineStart = false
                    if scalar != "#" { last = scalar }
                }
                switch scalar {
                case "[" where !wasLineStart, "{": open.append(scalar)
                case "]": _ = open.popLast()
                case "}":
                    if open.last == "[" && (before == "[" || before == ",") {
                        return "line \(line): a '}' where a value of an array belongs"
                    }
                    _ = open.popLast()
                case "#": state = .comment
                case "\"":
                    state = repeats("\"", at: index) ? .multilineBasic : .basic
                    index += state == .basic ? 1 : 3
                    continue
                case "'":
                    state = repeats("'", at: index) ? .multilineLiteral : .literal
                    index += state == .literal ? 1 : 3
                    continue
                case "[" where wasLineStart:
                    var next = index + 1
                    if at(next) == "[" { next += 1 }
                    while at(next) == " " || at(next) == "\t" { next += 1 }
                    guard isKeyStart(at(next)) || at(next) == "]" else {
                        return "line \(line): a '[' that starts no [section]; write the settings at the top level"
                    }
                    index = next
                    continue
                case "0"..."9" where !isKeyStart(index > 0 ? text[index - 1] : nil)
                    && (before == "=" || (open.last == "[" && (before == "[" || before == ","))):
                    // A value that starts with a digit: a number, or a date or
                    // time; toml++ takes one with '-' or ':' for a date or time
                    // and fails assertions on malformed ones (`8-12-23`,
                    // `2026-11-2=`).
                    var end = index
                    while let next = at(end), !" \t\n\r#,]}".unicodeScalars.contains(next) { end += 1 }
                    let token = Array(text[index..<end])
                    // A date whose time is missing has its own message, below.
                    let dateThenT = token.count >= 11 && Self.isDateOrTime(Array(token[0..<10]))
                        && "Tt".unicodeScalars.contains(token[10]) && !isDigit(index + 11)
                    if !dateThenT && !Self.isPlainNumber(token) && !Self.isDateOrTime(token) {
                        return "line \(line): '\(String(String.UnicodeScalarView(token)))' is neither a number nor a date"
                    }
                    fallthrough
                case "0"..."9" where !isKeyStart(index > 0 ? text[index - 1] : nil):
                    // A date: four digits, '-', two, '-', two.
                    let shape = [true, true, true, true, false, true, true, false, true, true]
                    let isDate = shape.indices.allSatisfy { shape[$0] ? isDigit(index + $0) : at(index + $0) == "-" }
                    if isDate, let separator = at(index + 10), "Tt ".unicodeScalars.contains(separator) {
                        if !isDigit(index + 11) {
                            if separator != " " { return "line \(line): a date and time without the time" }
                        } else {
                            // toml++ reads the digits after the separator as a
                            // time and fails an assertion in `parse_value` on
                            // a malformed one (`2026-11-23 5`).
                            var end = index + 11
                            while let next = at(end), !" \t\n\r#,]}".unicodeScalars.contains(next) { end += 1 }
                            let dateAndTime = Array(text[index..<(index + 10)]) + ["T"] + Array(text[(index + 11)..<end])
                            if !Self.isDateOrTime(dateAndTime) {
                                return "line \(line): a date and time whose time is not HH:MM[:SS]"
                            }
                        }
                    }
                    index += isDate ? 10 : 1
                    continue
                default: break
                }
                index += 1
            }
        }
        return nil
    }

    /// A TOML number without a date's '-' or a time's ':' inside: digits,
    /// '_', '.', an exponent with its sign, or a 0x / 0o / 0b prefix.
    static func isPlainNumber(_ token: [Unicode.Scalar]) -> Bool {
        for (offset, scalar) in token.enumerated() {
            switch scalar {
            case "0"..."9", "_", ".", "a"..."f", "A"..."F", "x", "o": continue
            case "+", "-":
                guard offset > 0 && "eE".unicodeScalars.contains(token[offset - 1]) else { return false }
            default: return false
            }
        }
        return true
    }

    /// `YYYY-MM-DD`, then optionally `T`, `t` or nothing more and
    /// `HH:MM[:SS[.fraction]]` with `Z`, `z` or `±HH:MM`; or a time alone.
    static func isDateOrTime(_ token: [Unicode.Scalar]) -> Bool {
        var index = 0
        func digits(_ count: Int) -> Bool {
            guard index + count <= token.count, token[index..<(index + count)].allSatisfy({ ("0"..."9").contains($0) })
            else { return false }
            index += count
            return true
        }
        func take(_ scalars: String) -> Bool {
            guard index < token.count, scalars.unicodeScalars.contains(token[index]) else { return false }
            index += 1
            return true
        }
        func time() -> Bool {
            guard digits(2), take(":"), digits(2) else { return false }
            if take(":") {
                guard digits(2) else { return false }
                if take(".") {
                    guard digits(1) else { return false }
                    while digits(1) {}
                }
            }
            return true
        }
        if token.count >= 3 && token[2] == ":" { return time() && index == token.count }
        guard digits(4), take("-"), digits(2), take("-"), digits(2) else { return false }
        if index == token.count { return true }
        guard take("Tt"), time() else { return false }
        if index == token.count || take("Zz") { return index == token.count }
        guard take("+-"), digits(2), take(":"), digits(2) else { return false }
        return index == token.count
    }

    /// One JSON value, typed as written: `true` is a boolean, never 1.
    private struct JSONValue: Decodable {
        var value: Value

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                value = .other("null")
            } else if let boolean = try? container.decode(Bool.self) {
                value = .boolean(boolean)
            } else if let integer = try? container.decode(Int.self) {
                value = .integer(integer)
            } else if let number = try? container.decode(Double.self) {
                value = .number(number)
            } else if let text = try? container.decode(String.self) {
                value = .string(text)
            } else {
                value = .other("an array or object")
            }
        }
    }

    static func json(_ text: String, path: String) throws(ConfigError) -> [String: Value] {
        do {
            return try JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8)).mapValues(\.value)
        } catch {
            throw ConfigError(path, "is not a JSON object of settings")
        }
    }
}

/// A config file that cannot be used: a usage error naming the file.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var problem: String

    public init(_ path: String, _ problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "--config '\(path)': \(problem)" }
}
