import AudienceKit
import Foundation
import Synchronization

/// SIGINT and SIGTERM ask a run to stop: reading ends at the next chunk,
/// nothing is written (the staged outputs are removed, the output folder
/// stays as it was) and the run exits 130 or 143. A second signal ends the
/// process at once.
enum StopSignals {
    private static let received = Atomic<Int32>(0)
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    /// What a second signal must still clean up (the staging folder) before
    /// the process ends; set by the run while it writes.
    nonisolated(unsafe) static var onSecondSignal: (@Sendable () -> Void)?

    /// The signal that asked the run to stop, if one did.
    static var signal: Int32? {
        let value = received.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }

    /// Installs the handlers; call once, before the work starts.
    static func install(_ progress: RunProgress) {
        for number in [SIGINT, SIGTERM] {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global(qos: .userInitiated))
            source.setEventHandler {
                if received.compareExchange(expected: 0, desired: number, ordering: .relaxed).exchanged {
                    progress.requestStop()
                } else {
                    RunLog.error("stopped at once by a second \(name(number)): nothing written",
                                 [("reason", .string("stopped")), ("exit_status", .integer(Int(128 + number)))])
                    onSecondSignal?()
                    _exit(128 + number)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    static func name(_ number: Int32) -> String { number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)" }
}
