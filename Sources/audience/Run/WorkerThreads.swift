import ArgumentParser
import AudienceKit
import Foundation

/// `--threads`, the same for `analyze`, `ingest` and `merge`: one worker
/// per core unless told, within what the engine allows.
enum WorkerThreads {
    /// The help text's range, `1 to N`.
    static let range = "1 to \(ReadSettings.threadLimit)"

    /// `given` (from the option or a settings file) checked, or one per
    /// core.
    static func resolve(_ given: Int?) throws -> Int {
        let threads = given ?? min(ProcessInfo.processInfo.activeProcessorCount, ReadSettings.threadLimit)
        guard (1...ReadSettings.threadLimit).contains(threads) else {
            throw ValidationError("--threads must be from \(range), not \(threads).")
        }
        return threads
    }
}
