import ArgumentParser
import Foundation

/// Settings read from `--config FILE`: JSON (an object) or TOML (flat
/// `key = value` lines). Keys: buckets, complete_at, timezone, catalog,
/// rejects, threads, out. Options given on the command line win.
struct ConfigFile {
    var values: [String: String] = [:]

    static let keys: Set<String> = ["buckets", "complete_at", "timezone", "catalog", "level", "rejects", "threads", "out"]

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("--config: cannot read '\(path)'")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") {
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ValidationError("--config: '\(path)' is not a JSON object")
            }
            for (key, value) in object {
                if let number = value as? NSNumber {
                    values[key] = number.stringValue
                } else if let string = value as? String {
                    values[key] = string
                } else {
                    throw ValidationError("--config: key '\(key)' in '\(path)' must be a number or a string")
                }
            }
        } else {
            for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first
                    .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                if line.isEmpty || line.hasPrefix("[") { continue }
                let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, !parts[0].isEmpty else {
                    throw ValidationError("--config: line \(index + 1) of '\(path)' is not 'key = value'")
                }
                var value = parts[1]
                if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                    value = String(value.dropFirst().dropLast())
                }
                values[parts[0]] = value
            }
        }
        if let unknown = values.keys.sorted().first(where: { !Self.keys.contains($0) }) {
            throw ValidationError(
                "--config: unknown key '\(unknown)' in '\(path)' (known: \(Self.keys.sorted().joined(separator: ", ")))")
        }
    }

    subscript(key: String) -> String? { values[key] }
}
