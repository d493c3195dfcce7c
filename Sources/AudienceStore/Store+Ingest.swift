import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AudienceCore
import AudienceReading
import AudienceMetrics

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
    /// Makes this run's segment names unique whatever its run id.
    let segmentToken = String(UInt32.random(in: 0...UInt32.max) | 0x1000_0000, radix: 16)
    /// Events written as one block (tests make it small to have many).
    public var blockEvents = StoreDefaults.blockEvents
    /// Wait for another writer instead of failing with `StoreError.busy`.
    public var wait = false
    /// The ledger's journal when this ingest makes the store (an existing
    /// store keeps its own): WAL by default; the rollback journal for a
    /// map step's store, which other machines read over a network file
    /// system, where WAL does not work (`LedgerJournal`).
    public var journal = LedgerJournal.wal
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
        SystemMemory.keepFreedForReuse()
        let location = settings.store
        try make(location)
        if !StoreFile.exists(location.ledger), let lost = lostLedger(location) { throw lost }
        let lock = try takeWriteLock(
            location, wait: settings.wait, runID: settings.runID, command: settings.command,
            stopRequested: { settings.progress?.isStopRequested == true })
        defer { withExtendedLifetime(lock) {} }
        let isNew = !StoreFile.exists(location.ledger)
        let ledger = try openLedger(location, mode: .write, journal: isNew ? settings.journal : nil)
        try checkFormat(ledger, location: location, initialise: true)
        try removeOrphans(location, ledger: ledger)
        let partitions = try partitionCount(ledger, location: location)
        let current: [ByteString: StoreLedger.FileRow]
        do {
            current = Dictionary(try ledger.currentFiles().map { (ByteString($0.name), $0) }, uniquingKeysWith: { a, _ in a })
        } catch {
            throw ledgerFailure(error, location: location)
        }

        // Read, hash and write segments, a file per worker at a time, the
        // largest first.
        let sampleLimit = max(StoreDefaults.keptSamples, settings.rejectSampleLimit)
        let failed = Atomic<Bool>(false)
        let health = SegmentHealth(location)
        let order = InputFile.largestFirst(settings.inputs)
        let prepared = Parallel.map(count: settings.inputs.count, threads: settings.threads, order: order) {
            index -> PreparedFile in
            let input = settings.inputs[index]
            guard !failed.load(ordering: .relaxed), settings.progress?.isStopRequested != true else {
                return PreparedFile(input: input, quality: FileQuality(file: input.name), skipped: true)
            }
            let file = prepare(
                input, index: index, settings: settings, current: current, health: health, sampleLimit: sampleLimit,
                partitions: partitions)
            if file.writeError != nil { failed.store(true, ordering: .relaxed) }
            return file
        }
        let written = prepared.compactMap { $0.segment }
        settings.beforeCommit?()
        // The last moment a stop request undoes the run: after the commit
        // the files are in.
        if settings.progress?.isStopRequested == true {
            for segment in written { StoreFile.remove(location.segment(segment)) }
            return IngestResult(files: [], samples: [], breaches: [], stopped: true)
        }

        // One transaction: the files, their segments, the run.
        var result = IngestResult(files: [], samples: [], breaches: [])
        var seenThisRun: [ByteString: [UInt8]] = [:]
        var run = StoreLedger.RunRow(
            runID: settings.runID, command: settings.command, commandLine: settings.commandLine,
            startedAt: ReportTimeZone.utc.timestamp(settings.startedAt), endedAt: "", exitStatus: 0)
        let writeError = prepared.first { $0.writeError != nil }?.writeError
        let now = ReportTimeZone.utc.timestamp(Store.nowMilliseconds())
        do {
            try ledger.transaction {
                for file in prepared where !file.skipped {
                    var outcome = file.outcome
                    // The same name twice in one run: the later copy decides.
                    if let digest = file.stored?.digest, let earlier = seenThisRun[ByteString(file.input.name)] {
                        outcome = earlier == digest ? .unchanged : .replaced
                    }
                    if let digest = file.stored?.digest, outcome != .refused, outcome != .unreadable {
                        seenThisRun[ByteString(file.input.name)] = digest
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
                run.endedAt = ReportTimeZone.utc.timestamp(Store.nowMilliseconds())
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
        _ input: InputFile, index: Int, settings: IngestSettings, current: [ByteString: StoreLedger.FileRow],
        health: SegmentHealth, sampleLimit: Int, partitions: Int
    ) -> PreparedFile {
        // A name the store holds: its bytes are hashed first, and the same
        // bytes are not parsed at all (a nightly run over all history reads
        // each old log once, at the speed of SHA-256).
        if let known = current[ByteString(input.name)], input.isRegularFile, let digest = digest(of: input),
           known.sha256 == SHA256.hex(digest), let stored = health.stored(known) {
            settings.progress?.fileDone()
            return PreparedFile(input: input, quality: stored.quality, outcome: .unchanged)
        }
        let name = "\(settings.runID)-\(settings.segmentToken)-\(index).seg"
        let temporary = settings.store.segment(".tmp-" + name)
        let writer: SegmentWriter
        do {
            writer = try SegmentWriter(path: temporary, partitions: partitions, level: 1)
        } catch {
            return PreparedFile(input: input, quality: FileQuality(file: input.name), writeError: error, skipped: true)
        }
        // Events go to the segment a block at a time while the file is read.
        var blockError: StoreIOError?
        var titles: [ByteString: TitleFacts] = [:]
        func gather(_ block: EventStore) {
            for (title, facts) in TitleFacts.perTitle(block) { titles[title, default: TitleFacts()].merge(facts) }
        }
        var digest = SHA256()
        var events = EventStore()
        let outcome = FileReading.read(
            input, into: &events, sampleLimit: sampleLimit, progress: settings.progress,
            observe: { digest.update($0) },
            spill: { (block: consuming EventStore) in
                guard blockError == nil else { return }
                gather(block)
                do throws(StoreIOError) { try writer.addBlock([(0, block)]) } catch { blockError = error }
            },
            spillEvents: max(1, settings.blockEvents))
        var file = PreparedFile(input: input, quality: outcome.quality, samples: outcome.samples)
        let quality = outcome.quality
        // Nothing was read: there are no bytes to know the file by.
        if quality.bytesRead == 0, quality.lines == 0, let damage = quality.damage, damage.isUnreadable {
            writer.discard()
            return file
        }
        gather(events)
        var stored = StoredFile(name: input.name, digest: digest.finalize(), quality: quality, events: quality.accepted)
        stored.titles = titles
        file.stored = stored
        let breaches = settings.limits.breaches([quality]).filter { $0.file != nil }
        if !breaches.isEmpty {
            writer.discard()
            file.outcome = .refused
            file.note = "not added: " + breaches.map { "\($0.rejected) of \($0.lines) lines rejected, over --\($0.limit)" }
                .joined(separator: "; ")
            return file
        }
        if let known = current[ByteString(input.name)] {
            // The same bytes change nothing, unless the copy the store holds
            // is damaged: then this one replaces it (the repair that a
            // damaged-store message asks for).
            if known.sha256 == SHA256.hex(stored.digest), health.stored(known) != nil {
                writer.discard()
                file.outcome = .unchanged
                return file
            }
            file.outcome = .replaced
        } else {
            file.outcome = .added
        }
        do throws(StoreIOError) {
            if let blockError { throw blockError }
            try writer.addBlock([(0, events)])
            file.segmentBytes = try writer.finish(files: [stored], samples: outcome.samples)
            try StoreFile.rename(temporary, to: settings.store.segment(name))
            try StoreFile.syncFolder(settings.store.segments)
            file.segment = name
        } catch {
            writer.discard()
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

extension Store {
    /// SHA-256 of a file's bytes; nil when it cannot be read whole.
    static func digest(of input: InputFile) -> [UInt8]? {
        guard input.listingError == nil, let path = input.path, var reader = try? ChunkReader(path: path) else { return nil }
        var hash = SHA256()
        while true {
            guard let chunk = try? reader.next() else { return nil }
            if chunk.isEmpty { return hash.finalize() }
            hash.update(chunk)
        }
    }
}

/// Whether segments can be read whole, each checked once per run.
final class SegmentHealth: Sendable {
    private let location: StoreLocation
    private let verdicts = Mutex<[String: Bool]>([:])

    init(_ location: StoreLocation) { self.location = location }

    /// The row's file as its segment holds it, when the segment reads
    /// whole; nil when it does not.
    func stored(_ row: StoreLedger.FileRow) -> StoredFile? {
        if let known = verdicts.withLock({ $0[row.segment] }), !known { return nil }
        guard let reader = try? SegmentReader(path: location.segment(row.segment)) else {
            verdicts.withLock { $0[row.segment] = false }
            return nil
        }
        guard let file = reader.footer.files.first(where: {
            $0.name.sameBytes(row.name) && SHA256.hex($0.digest) == row.sha256 && $0.events == row.events
        }) else { return nil }
        if let known = verdicts.withLock({ $0[row.segment] }) { return known ? file : nil }
        let whole = (try? reader.verify()) != nil
        verdicts.withLock { $0[row.segment] = whole }
        return whole ? file : nil
    }
}
