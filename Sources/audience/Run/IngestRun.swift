import AudienceKit
import Foundation

/// Messages about an ingest: one line per file that did not simply come
/// in, and the totals.
enum IngestMessages {
    static func log(_ result: IngestResult, store: String, quiet: Bool) {
        for file in result.files {
            var fields: [(String, JSONValue)] = [("file", .string(file.quality.file)), ("outcome", .string(file.outcome.rawValue))]
            if let damage = file.quality.damage {
                fields.append(("reason", .string("file_error")))
                if let offset = damage.byteOffset { fields.append(("offset", .integer(Int(offset)))) }
                let stored = switch file.outcome {
                case .unreadable: "nothing added"
                case .refused: "not added"
                case .unchanged: "the store holds these bytes already"
                case .added, .replaced: "its good lines are stored"
                }
                RunLog.error("\(file.quality.file): \(damage) (\(stored))", fields)
            }
            switch file.outcome {
            case .refused:
                RunLog.error("\(file.quality.file): \(file.note ?? "not added")", fields + [("reason", .string("bad_data_limit"))])
            case .unreadable:
                if file.quality.damage == nil { RunLog.error("\(file.quality.file): not read; nothing added", fields) }
            case .added, .replaced, .unchanged:
                if !quiet && RunLog.format == .json { RunLog.info("\(file.quality.file): \(file.outcome.rawValue)", fields) }
            }
        }
        for breach in result.breaches where breach.file == nil {
            RunLog.error(breach.description, [("reason", .string(breach.limit)), ("rejected", .integer(breach.rejected)),
                                              ("lines", .integer(breach.lines))])
        }
        if let problem = result.upkeepProblem {
            RunLog.warning("compaction after the ingest failed (the ingest stands): \(problem)", [("reason", .string("upkeep"))])
        }
    }

    static func totals(_ result: IngestResult, store: String) -> String {
        func count(_ outcome: IngestResult.Outcome) -> Int { result.files.filter { $0.outcome == outcome }.count }
        var parts = ["\(count(.added)) added", "\(count(.replaced)) replaced", "\(count(.unchanged)) unchanged"]
        if count(.refused) > 0 { parts.append("\(count(.refused)) refused (over a bad-data limit)") }
        if count(.unreadable) > 0 { parts.append("\(count(.unreadable)) unreadable") }
        return "Store \(store): \(result.files.count) file(s) read, " + parts.joined(separator: ", ") + "."
    }

    /// A stop while waiting for the store ends as the signal says.
    static func exitStatus(_ error: StoreError) -> Int32 {
        if case .stopped = error { return ExitStatus.stopped(by: StopSignals.signal ?? SIGTERM) }
        return error.exitStatus
    }

    static func logStoreError(_ error: StoreError) {
        var fields: [(String, JSONValue)] = [("reason", .string(error.reason)), ("exit_status", .integer(Int(exitStatus(error))))]
        if case .stopped = error {
            RunLog.error("stopped by \(StopSignals.name(StopSignals.signal ?? SIGTERM)) while waiting for the store; nothing was done",
                         fields)
            return
        }
        if case .damaged(_, let file, _, let inputs) = error {
            fields.append(("file", .string(file)))
            fields.append(("inputs", .array(inputs.map { .string($0) })))
        }
        RunLog.error(error.description, fields)
    }

    /// The command line as typed, for the ledger's `runs` table.
    static var commandLine: String {
        CommandLine.arguments.map { argument in
            argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:@+,".contains($0) } && !argument.isEmpty
                ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }
}
