import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AudienceCore
import AudienceMetrics

/// Why a store operation failed, with the exit status the spec gives it.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// Another run writes to the store (exit 75).
    case busy(store: String, holder: String)
    /// A store file is missing, cut or altered (exit 65): the inputs whose
    /// data it held must be ingested again.
    case damaged(store: String, file: String, problem: String, inputs: [String])
    /// Written by a newer `audience` (exit 65).
    case newerFormat(store: String, version: Int, writtenBy: String)
    /// No store at the path (exit 65: nothing to report from).
    case notAStore(String)
    /// A store file could not be written: a full disk, permissions (exit 73).
    case cannotWrite(path: String, problem: String)
    /// Options that cannot work together, such as a name held by two
    /// stores with different bytes (exit 64).
    case usage(String)
    /// Asked to stop while waiting for the store: nothing was done.
    case stopped

    public var description: String {
        switch self {
        case .busy(let store, let holder):
            return "store \(store) is in use by \(holder); try again later, or pass --wait to wait for it"
        case .damaged(let store, let file, let problem, let inputs):
            let again: String
            if file.hasSuffix("/ledger.sqlite") {
                again = "the ledger lists every file of the store: move the store aside and ingest its logs again"
                    + (inputs.isEmpty ? "" : " (its segments hold " + inputs.joined(separator: ", ") + ")")
            } else {
                again = inputs.isEmpty
                    ? "no current file's data depends on it"
                    : "ingest again (the damaged copy is replaced): " + inputs.joined(separator: ", ")
            }
            let verify = file.hasSuffix("/ledger.sqlite") ? "" : " (`audience store verify --store \(store)` lists every damaged file)"
            return "store \(store) is damaged: \(file): \(problem); \(again)\(verify)"
        case .newerFormat(let store, let version, let writtenBy):
            return "store \(store) has format \(version), written by audience \(writtenBy); this audience \(AudienceVersion.current) reads format \(StoreFormat.version) and older"
        case .notAStore(let path):
            return "no store at \(path) (a store is made by `audience ingest INPUT... --store \(path)`)"
        case .cannotWrite(let path, let problem):
            return "cannot write the store: \(path): \(problem); the store is as it was before this file"
        case .usage(let text):
            return text
        case .stopped:
            return "stopped while waiting for the store; nothing was done"
        }
    }
}

/// A store folder and the paths inside it.
///
///     DIR/ledger.sqlite     the ledger (`StoreLedger`)
///     DIR/segments/*.seg    the events, one segment per ingested file
///                           version or per compaction (`Segment`)
///     DIR/write.lock        held by the one run that writes
///     DIR/readers.lock      held (shared) by every run that reads, so that
///                           retired segments are deleted only when unread
public struct StoreLocation: Sendable, Equatable {
    public var path: String

    public init(_ path: String) { self.path = path }

    var ledger: String { path + "/ledger.sqlite" }
    var segments: String { path + "/segments" }
    var writeLock: String { path + "/write.lock" }
    var readersLock: String { path + "/readers.lock" }
    func segment(_ name: String) -> String { segments + "/" + name }
}

/// Partitions per store: fixed when the store is made, recorded in the
/// ledger and in every segment.
public enum StoreDefaults {
    public static let partitions = 256
    /// Rejected lines a store keeps of each reason of each file, at least.
    public static let keptSamples = 100
    /// Compaction merges segments once more than this many are live.
    public static let segmentsBeforeCompaction = 64
    /// Events an ingest gathers before it writes them as a block of a
    /// segment: what one worker holds at most, about 40 MB.
    public static let blockEvents = 500_000
    /// A compacted segment holds at most about this many events.
    public static let eventsPerCompactedSegment = 8_000_000
}

/// The store's operations: `ingest` (Store+Ingest.swift), `read` for a
/// report (Store+Read.swift), and upkeep (Store+Upkeep.swift).
public enum Store {
    static func nowMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// Creates the store's folders when missing, and the folders above it
    /// (`--store stores/night-4` with no `stores/` yet).
    static func make(_ location: StoreLocation) throws(StoreError) {
        do {
            try StoreFile.makeFolders(location.path)
            try StoreFile.makeFolder(location.segments)
        } catch {
            throw StoreError.cannotWrite(path: error.path, problem: SystemError.describe(error.code))
        }
    }

    /// The one writer's lock; `StoreError.busy` naming the holder when
    /// another run has it and `wait` is false.
    /// With `wait`, polls every 100 ms so that a stop request ends the
    /// wait (a blocking `flock` would outlast SIGTERM); a stopped wait is
    /// `StoreError.stopped`.
    static func takeWriteLock(
        _ location: StoreLocation, wait: Bool, runID: String, command: String, stopRequested: () -> Bool = { false }
    ) throws(StoreError) -> StoreLock {
        var lock: StoreLock?
        while true {
            do {
                lock = try StoreLock(path: location.writeLock, exclusive: true, wait: false)
            } catch {
                throw StoreError.cannotWrite(path: error.path, problem: SystemError.describe(error.code))
            }
            if lock != nil || !wait { break }
            if stopRequested() { throw StoreError.stopped }
            usleep(100_000)
        }
        guard let lock else {
            throw StoreError.busy(store: location.path, holder: StoreLock.holder(at: location.writeLock))
        }
        lock.describeHolder("process \(getpid()) (audience \(command), run \(runID), since \(ReportTimeZone.utc.timestamp(nowMilliseconds())))\n")
        return lock
    }

    static func openLedger(
        _ location: StoreLocation, mode: StoreLedger.OpenMode, journal: LedgerJournal? = nil
    ) throws(StoreError) -> StoreLedger {
        if !StoreFile.exists(location.ledger) {
            if let lost = lostLedger(location) { throw lost }
            if mode == .read { throw StoreError.notAStore(location.path) }
        }
        do {
            return try StoreLedger(path: location.ledger, mode: mode, journal: journal)
        } catch {
            throw ledgerFailure(error, location: location)
        }
    }

    /// An error met in the ledger, as the store error it means.
    static func ledgerFailure(_ error: any Error, location: StoreLocation) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? SQLiteError {
            if error.isFull || error.isReadOnly {
                return .cannotWrite(path: location.ledger, problem: error.message)
            }
            if error.isBusy {
                return .busy(store: location.path, holder: StoreLock.holder(at: location.writeLock))
            }
            return .damaged(store: location.path, file: location.ledger, problem: error.message, inputs: [])
        }
        if let error = error as? StoreIOError {
            return .cannotWrite(path: error.path, problem: SystemError.describe(error.code))
        }
        return .damaged(store: location.path, file: location.ledger, problem: String(describing: error), inputs: [])
    }

    /// A store whose ledger is gone but whose segments are not: never made
    /// anew over them (that would throw their events away as leftovers).
    /// Segments describe themselves, so the message names their files.
    static func lostLedger(_ location: StoreLocation) -> StoreError? {
        guard let names = try? StoreFile.names(in: location.segments) else { return nil }
        let segments = names.filter { $0.hasSuffix(".seg") && !$0.hasPrefix(".tmp-") }.sorted()
        guard !segments.isEmpty else { return nil }
        var inputs: Set<ByteString> = []
        for segment in segments {
            if let reader = try? SegmentReader(path: location.segment(segment)) {
                for file in reader.footer.files { inputs.insert(ByteString(file.name)) }
            }
        }
        return .damaged(
            store: location.path, file: location.ledger,
            problem: "the file is missing, but \(segments.count) segment(s) remain", inputs: inputs.sorted().map(\.text))
    }

    /// Refuses a store of a newer format; records the format in a new one.
    static func checkFormat(_ ledger: StoreLedger, location: StoreLocation, initialise: Bool) throws(StoreError) {
        do {
            // A first ingest killed before its first commit leaves a ledger
            // without tables, or tables without a format: no store yet.
            if !initialise, try !ledger.hasTables() { throw StoreError.notAStore(location.path) }
            if let text = try ledger.value("format_version") {
                guard let version = Int(text) else {
                    throw StoreError.damaged(store: location.path, file: location.ledger, problem: "its format version reads \(text)", inputs: [])
                }
                if version > StoreFormat.version {
                    throw StoreError.newerFormat(
                        store: location.path, version: version, writtenBy: (try ledger.value("written_by")) ?? "unknown")
                }
            } else if initialise {
                try ledger.transaction {
                    try ledger.setValue(String(StoreFormat.version), for: "format_version")
                    try ledger.setValue(String(StoreDefaults.partitions), for: "partitions")
                    try ledger.setValue(ReportTimeZone.utc.timestamp(nowMilliseconds()), for: "created_at")
                }
            } else if try !ledger.hasFiles() {
                throw StoreError.notAStore(location.path)
            } else {
                throw StoreError.damaged(store: location.path, file: location.ledger, problem: "it records no format version", inputs: [])
            }
            if initialise { try ledger.setValue(AudienceVersion.current, for: "written_by") }
        } catch {
            throw ledgerFailure(error, location: location)
        }
    }

    static func partitionCount(_ ledger: StoreLedger, location: StoreLocation) throws(StoreError) -> Int {
        do {
            guard let text = try ledger.value("partitions"), let count = Int(text), count > 0, count <= 1 << 16 else {
                throw StoreError.damaged(store: location.path, file: location.ledger, problem: "its partition count is missing or wrong", inputs: [])
            }
            return count
        } catch {
            throw ledgerFailure(error, location: location)
        }
    }

    /// Removes what killed runs left: temporary files and segments the
    /// ledger never took. Only the writer calls it, holding the write lock;
    /// readers read only segments the ledger names.
    static func removeOrphans(_ location: StoreLocation, ledger: StoreLedger) throws(StoreError) {
        do {
            let known = try ledger.knownSegments()
            for name in try StoreFile.names(in: location.segments) where !known.contains(name) {
                StoreFile.remove(location.segment(name))
            }
        } catch {
            throw ledgerFailure(error, location: location)
        }
    }

    /// Deletes the files of retired segments when no report is reading the
    /// store; otherwise a later writer does.
    static func deleteRetired(_ location: StoreLocation, ledger: StoreLedger) {
        guard let retired = try? ledger.retiredSegments(), !retired.isEmpty,
              let readers = try? StoreLock(path: location.readersLock, exclusive: true, wait: false)
        else { return }
        for segment in retired {
            StoreFile.remove(location.segment(segment))
            try? ledger.forgetSegment(segment)
        }
        withExtendedLifetime(readers) {}
    }
}

extension StoreError {
    /// The exit status the spec gives this error.
    public var exitStatus: Int32 {
        switch self {
        case .busy: ExitStatus.storeBusy
        case .damaged, .newerFormat, .notAStore: ExitStatus.storeDamaged
        case .cannotWrite: ExitStatus.cannotWrite
        case .usage: ExitStatus.usage
        case .stopped: ExitStatus.stopped(by: SIGTERM)
        }
    }

    /// A short name for structured logs.
    public var reason: String {
        switch self {
        case .busy: "store_busy"
        case .damaged: "store_damaged"
        case .newerFormat: "store_newer_format"
        case .notAStore: "not_a_store"
        case .cannotWrite: "cannot_write"
        case .usage: "usage"
        case .stopped: "stopped"
        }
    }
}
