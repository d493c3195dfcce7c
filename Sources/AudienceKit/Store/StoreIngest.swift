import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How one `ingest` (or the ingest step of `analyze INPUT... --store`) runs.
public struct IngestSettings: Sendable {
    public var store: StoreLocation
    public var inputs: [InputFile]
    public var threads = 1
    /// Samples of rejected lines kept per reason per file: at least
    /// `StoreDefaults.keptSamples`.
    public var rejectSampleLimit = StoreDefaults.keptSamples
    /// A file over a limit is not added; the ledger records why.
    public var limits = BadDataLimits()
    /// Wait for another writer instead of failing with `StoreError.busy`.
    public var wait = false
    public var progress: RunProgress?
    /// The run, as the ledger's `runs` table records it.
    public var runID: String
    public var command: String
    public var commandLine: String
    /// Unix milliseconds.
    public var startedAt: Int64
    /// Called once every segment is written, before the ledger commits:
    /// tests stop a run there.
    public var beforeCommit: (@Sendable () -> Void)?

    public init(store: StoreLocation, inputs: [InputFile], runID: String, command: String, commandLine: String, startedAt: Int64) {
        self.store = store
        self.inputs = inputs
        self.runID = runID
        self.command = command
        self.commandLine = commandLine
        self.startedAt = startedAt
    }
}

/// What an ingest did with each input.
public struct IngestResult: Sendable {
    public enum Outcome: String, Sendable, CaseIterable {
        /// A name the store did not hold.
        case added
        /// A new version of a name the store held: the old one is gone.
        case replaced
        /// The same bytes as the version the store holds: nothing changed.
        case unchanged
        /// Over a bad-data limit: not added (a previous version stays).
        case refused
        /// Could not be read at all: nothing to add.
        case unreadable
    }

    public struct File: Sendable {
        public var quality: FileQuality
        public var outcome: Outcome
        /// Why it was refused.
        public var note: String?
    }

    /// In input order.
    public var files: [File]
    /// Every sample kept, in input order (each file's first per reason).
    public var samples: [RejectSample]
    /// Limits passed, by a file or by the run as a whole.
    public var breaches: [BadDataLimits.Breach]
    /// Set when the run was asked to stop: the store is as it was.
    public var stopped = false
    /// Compaction after the ingest failed (the ingest itself stands).
    public var upkeepProblem: String?

    /// The status the run ends with, as the ledger records it.
    public var exitStatus: Int32 {
        if !breaches.isEmpty { return ExitStatus.badDataLimit }
        return files.contains { $0.quality.damage != nil } ? ExitStatus.fileErrors : ExitStatus.success
    }
}

extension Store {
    /// Reads the inputs and adds their files to the store: new names are
    /// added, changed ones replaced whole, unchanged ones left alone. Every
    /// file's events are written to a segment of its own first; the ledger
    /// then takes them all in one transaction, so a killed run leaves the
    /// store as it was and a reader sees the store as of the last ingest.
    public static func ingest(_ settings: IngestSettings) throws(StoreError) -> IngestResult {
        let location = settings.store
        try make(location)
        let lock = try takeWriteLock(location, wait: settings.wait, runID: settings.runID, command: settings.command)
        defer { withExtendedLifetime(lock) {} }
        let ledger = try openLedger(location, mode: .write)
        try checkFormat(ledger, location: location, initialise: true)
        try removeOrphans(location, ledger: ledger)
        let partitions = try partitionCount(ledger, location: location)
        let current: [String: String]
        do {
            current = Dictionary(try ledger.currentFiles().map { ($0.name, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        } catch {
            throw ledgerFailure(error, location: location)
        }

        // Read, hash and write segments, a file per worker at a time.
        let sampleLimit = max(StoreDefaults.keptSamples, settings.rejectSampleLimit)
        let failed = Atomic<Bool>(false)
        let prepared = Parallel.map(count: settings.inputs.count, threads: settings.threads) { index -> PreparedFile in
            let input = settings.inputs[index]
            guard !failed.load(ordering: .relaxed), settings.progress?.isStopRequested != true else {
                return PreparedFile(input: input, quality: FileQuality(file: input.name), skipped: true)
            }
            let file = prepare(
                input, index: index, settings: settings, current: current, sampleLimit: sampleLimit,
                partitions: partitions)
            if file.writeError != nil { failed.store(true, ordering: .relaxed) }
            return file
        }
        let written = prepared.compactMap { $0.segment }
        if settings.progress?.isStopRequested == true {
            for segment in written { StoreFile.remove(location.segment(segment)) }
            return IngestResult(files: [], samples: [], breaches: [], stopped: true)
        }
        settings.beforeCommit?()

        // One transaction: the files, their segments, the run.
        var result = IngestResult(files: [], samples: [], breaches: [])
        var seenThisRun: [String: [UInt8]] = [:]
        var run = StoreLedger.RunRow(
            runID: settings.runID, command: settings.command, commandLine: settings.commandLine,
            startedAt: RunRecord.utcText(settings.startedAt), endedAt: "", exitStatus: 0)
        let writeError = prepared.first { $0.writeError != nil }?.writeError
        let now = RunRecord.utcText(Store.nowMilliseconds())
        do {
            try ledger.transaction {
                for file in prepared where !file.skipped {
                    var outcome = file.outcome
                    // The same name twice in one run: the later copy decides.
                    if let digest = file.stored?.digest, let earlier = seenThisRun[file.input.name] {
                        outcome = earlier == digest ? .unchanged : .replaced
                    }
                    if let digest = file.stored?.digest, outcome != .refused, outcome != .unreadable {
                        seenThisRun[file.input.name] = digest
                    }
                    result.files.append(IngestResult.File(quality: file.quality, outcome: outcome, note: file.note))
                    result.samples += file.samples
                    switch outcome {
                    case .added, .replaced:
                        guard let stored = file.stored, let segment = file.segment else { continue }
                        try ledger.addSegment(segment, bytes: file.segmentBytes, files: 1, events: stored.events, runID: settings.runID)
                        try ledger.add(StoreLedger.NewFile(
                            file: stored, runID: settings.runID, ingestedAt: now, segment: segment, status: "current", note: nil))
                        if outcome == .added { run.added += 1 } else { run.replaced += 1 }
                    case .refused:
                        guard let stored = file.stored else { continue }
                        try ledger.add(StoreLedger.NewFile(
                            file: stored, runID: settings.runID, ingestedAt: now, segment: nil, status: "refused", note: file.note))
                        run.refused += 1
                    case .unchanged:
                        run.unchanged += 1
                    case .unreadable:
                        break
                    }
                }
                result.breaches = settings.limits.breaches(result.files.map(\.quality))
                run.endedAt = RunRecord.utcText(Store.nowMilliseconds())
                run.exitStatus = writeError != nil ? ExitStatus.cannotWrite : result.exitStatus
                try ledger.addRun(run)
                try ledger.retireUnusedSegments(at: now)
            }
        } catch {
            for segment in written { StoreFile.remove(location.segment(segment)) }
            throw ledgerFailure(error, location: location)
        }
        // Segments written for files that turned out unchanged.
        let kept = Set((try? ledger.knownSegments()) ?? Set(written))
        for segment in written where !kept.contains(segment) { StoreFile.remove(location.segment(segment)) }
        deleteRetired(location, ledger: ledger)
        if writeError == nil {
            do {
                _ = try compact(location, ledger: ledger, force: false, runID: settings.runID)
            } catch {
                result.upkeepProblem = error.description
            }
        }
        if let writeError {
            throw StoreError.cannotWrite(path: writeError.path, problem: SystemError.describe(writeError.code))
        }
        return result
    }

    /// One input read and, when it is new, written to a segment.
    struct PreparedFile: Sendable {
        var input: InputFile
        var quality: FileQuality
        var samples: [RejectSample] = []
        var stored: StoredFile?
        var outcome: IngestResult.Outcome = .unreadable
        var note: String?
        var segment: String?
        var segmentBytes = 0
        var writeError: StoreIOError?
        /// Not read: the run stopped or failed first.
        var skipped = false
    }

    private static func prepare(
        _ input: InputFile, index: Int, settings: IngestSettings, current: [String: String], sampleLimit: Int,
        partitions: Int
    ) -> PreparedFile {
        var digest = SHA256()
        var events = EventStore()
        let outcome = FileReading.read(
            input, into: &events, sampleLimit: sampleLimit, progress: settings.progress,
            observe: { digest.update($0) })
        var file = PreparedFile(input: input, quality: outcome.quality, samples: outcome.samples)
        let quality = outcome.quality
        // Nothing was read: there are no bytes to know the file by.
        if quality.bytesRead == 0, quality.lines == 0, let damage = quality.damage, damage.isUnreadable {
            return file
        }
        let stored = StoredFile(name: input.name, digest: digest.finalize(), quality: quality, events: events.events.count)
        file.stored = stored
        let breaches = settings.limits.breaches([quality]).filter { $0.file != nil }
        if !breaches.isEmpty {
            file.outcome = .refused
            file.note = "not added: " + breaches.map(\.description).joined(separator: "; ")
            return file
        }
        if let known = current[input.name] {
            if known == SHA256.hex(stored.digest) {
                file.outcome = .unchanged
                return file
            }
            file.outcome = .replaced
        } else {
            file.outcome = .added
        }
        let bytes = Segment.encode(
            files: [stored], stores: [events], samples: outcome.samples, partitions: partitions, level: 1)
        let name = "\(settings.runID)-\(index).seg"
        let temporary = settings.store.segment(".tmp-" + name)
        do {
            try StoreFile.create(temporary, bytes: bytes)
            try StoreFile.rename(temporary, to: settings.store.segment(name))
            try StoreFile.syncFolder(settings.store.segments)
            file.segment = name
            file.segmentBytes = bytes.count
        } catch {
            StoreFile.remove(temporary)
            file.writeError = error
            file.outcome = .unreadable
            file.skipped = true
        }
        return file
    }
}

extension FileDamage {
    /// The file could not be opened or listed at all.
    var isUnreadable: Bool {
        switch kind {
        case .unreadable, .unlistableFolder, .notAFile: true
        default: false
        }
    }
}
