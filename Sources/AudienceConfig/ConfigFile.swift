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

    private static func toml(_ text: String, path: String) throws(ConfigError) -> [String: Value] {
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

    private static func json(_ text: String, path: String) throws(ConfigError) -> [String: Value] {
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
