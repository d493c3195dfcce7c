import ArgumentParser
import AudienceKit
import Foundation

/// How messages on standard error look (`--log-format`).
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Every message on standard error goes through here: one line of text
/// (`audience: ...`), or with `--log-format json` one JSON object per line
/// with `time` (RFC 3339, UTC), `level` and `message`, and `file`, `line`,
/// `offset` and `reason` where they apply. Nothing here writes to standard
/// output, which is for the run's summary alone.
enum RunLog {
    enum Level: String {
        case info, warning, error
    }

    /// Set once, from the command line, before any other thread starts.
    nonisolated(unsafe) static var format = LogFormat.text

    /// Finds `--log-format json` among the raw arguments, so that even a
    /// usage error found while parsing them is logged as asked.
    static func configure(from arguments: [String]) {
        for (index, argument) in arguments.enumerated() {
            if argument == "--log-format=json" || (argument == "--log-format" && arguments.dropFirst(index + 1).first == "json") {
                format = .json
            }
        }
    }

    static func error(_ message: String, _ fields: [(String, JSONValue)] = []) { write(.error, message, fields) }
    static func warning(_ message: String, _ fields: [(String, JSONValue)] = []) { write(.warning, message, fields) }
    static func info(_ message: String, _ fields: [(String, JSONValue)] = []) { write(.info, message, fields) }

    static func write(_ level: Level, _ message: String, _ fields: [(String, JSONValue)] = []) {
        switch format {
        case .text:
            emit("audience: " + message.replacingControls())
        case .json:
            let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
            let object = JSONValue.object(
                [("time", .string(RunRecord.utcText(now))), ("level", .string(level.rawValue)),
                 ("message", .string(message))] + fields)
            emit(object.compact)
        }
    }

    /// One whole line on standard error (a progress line comes through here too).
    static func emit(_ line: String, newline: Bool = true) {
        FileHandle.standardError.write(Data((newline ? line + "\n" : line).utf8))
    }
}
