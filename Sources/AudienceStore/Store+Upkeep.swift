import AudienceCore
import AudienceReading
import AudienceMetrics

/// A problem `store verify` found.
public struct StoreProblem: Sendable, Equatable, CustomStringConvertible {
    /// The store file.
    public var file: String
    public var problem: String
    /// The inputs whose current data it held: ingest them again.
    public var inputs: [String]

    public var description: String {
        "\(file): \(problem)" + (inputs.isEmpty ? "" : "; ingest again: " + inputs.joined(separator: ", "))
    }
}

/// What `store compact` did.
public struct CompactionResult: Sendable, Equatable {
    public var segmentsBefore: Int
    public var segmentsAfter: Int
}

extension Store {
    /// Every file version the store has seen, current or not, by name.
    public static func list(_ location: StoreLocation) throws(StoreError) -> [StoreListing.Entry] {
        let ledger = try openLedger(location, mode: .read)
        try checkFormat(ledger, location: location, initialise: false)
        do {
            return try ledger.snapshot { try ledger.allFiles() }
        } catch {
            throw ledgerFailure(error, location: location)
        }
    }

    /// Reads every store file and checks it against its checksum and the
    /// ledger; empty when all is well.
    public static func verify(_ location: StoreLocation) throws(StoreError) -> [StoreProblem] {
        guard StoreFile.exists(location.ledger) else { throw lostLedger(location) ?? StoreError.notAStore(location.path) }
        let readers = try? StoreLock(path: location.readersLock, exclusive: false, wait: true)
        defer { withExtendedLifetime(readers) {} }
        let ledger = try openLedger(location, mode: .read)
        try checkFormat(ledger, location: location, initialise: false)
        var problems: [StoreProblem] = []
        let rows: [StoreLedger.FileRow]
        do {
            if let problem = try ledger.integrityProblem() { throw LedgerDamage(detail: problem) }
            rows = try ledger.snapshot { try ledger.currentFiles() }
        } catch {
            throw ledgerFailure(error, location: location)
        }
        var bySegment: [String: [StoreLedger.FileRow]] = [:]
        for row in rows { bySegment[row.segment, default: []].append(row) }
        for (segment, files) in bySegment.sorted(by: { $0.key < $1.key }) {
            let path = location.segment(segment)
            do throws(SegmentDamage) {
                let reader = try SegmentReader(path: path)
                for row in files where !reader.footer.files.contains(where: {
                    $0.name.sameBytes(row.name) && SHA256.hex($0.digest) == row.sha256 && $0.events == row.events
                }) {
                    throw SegmentDamage.undecodable("list of files (it does not hold \(row.name) as the ledger says)")
                }
                try reader.verify()
            } catch {
                problems.append(StoreProblem(file: path, problem: error.description, inputs: files.map(\.name)))
            }
        }
        return problems
    }

    /// Removes names from the store: their current versions no longer
    /// count; the ledger keeps their history. Throws `.usage` for a name
    /// the store does not hold.
    /// - Returns: how many files were removed (a name given twice is one).
    @discardableResult
    public static func remove(
        _ names: [String], from location: StoreLocation, wait: Bool, runID: String, commandLine: String, startedAt: Int64
    ) throws(StoreError) -> Int {
        guard StoreFile.exists(location.ledger) else { throw lostLedger(location) ?? StoreError.notAStore(location.path) }
        let lock = try takeWriteLock(location, wait: wait, runID: runID, command: "store remove")
        defer { withExtendedLifetime(lock) {} }
        let ledger = try openLedger(location, mode: .write)
        try checkFormat(ledger, location: location, initialise: false)
        do {
            let current = Set(try ledger.currentFiles().map { ByteString($0.name) })
            let unknown = names.filter { !current.contains(ByteString($0)) }
            guard unknown.isEmpty else {
                throw StoreError.usage("the store \(location.path) holds no file named " + unknown.joined(separator: ", ")
                    + " (`audience store list --store \(location.path)` shows its names)")
            }
            let now = ReportTimeZone.utc.timestamp(nowMilliseconds())
            try ledger.transaction {
                for name in names {
                    try ledger.setStatus(of: name, except: nil, to: "removed", replacedBy: nil, note: "removed by run \(runID)")
                }
                try ledger.addRun(StoreLedger.RunRow(
                    runID: runID, command: "store remove", commandLine: commandLine, startedAt: ReportTimeZone.utc.timestamp(startedAt),
                    endedAt: now, exitStatus: ExitStatus.success))
                try ledger.retireUnusedSegments(at: now)
            }
        } catch {
            throw ledgerFailure(error, location: location)
        }
        deleteRetired(location, ledger: ledger)
        return Set(names.map { ByteString($0) }).count
    }

    /// Rewrites the current files of small segments into fewer, larger
    /// ones, so that the number of store files stays bounded however many
    /// nights were ingested; segments whose files were all replaced or
    /// removed go too. `force` compacts however few segments there are.
    public static func compact(
        _ location: StoreLocation, wait: Bool, force: Bool, runID: String, commandLine: String, startedAt: Int64
    ) throws(StoreError) -> CompactionResult {
        guard StoreFile.exists(location.ledger) else { throw lostLedger(location) ?? StoreError.notAStore(location.path) }
        let lock = try takeWriteLock(location, wait: wait, runID: runID, command: "store compact")
        defer { withExtendedLifetime(lock) {} }
        let ledger = try openLedger(location, mode: .write)
        try checkFormat(ledger, location: location, initialise: false)
        try removeOrphans(location, ledger: ledger)
        let result = try compact(location, ledger: ledger, force: force, runID: runID)
        do {
            try ledger.addRun(StoreLedger.RunRow(
                runID: runID, command: "store compact", commandLine: commandLine, startedAt: ReportTimeZone.utc.timestamp(startedAt),
                endedAt: ReportTimeZone.utc.timestamp(nowMilliseconds()), exitStatus: ExitStatus.success))
        } catch {
            throw ledgerFailure(error, location: location)
        }
        return result
    }

    /// Compaction under a held write lock (also run after an ingest that
    /// leaves more than `StoreDefaults.segmentsBeforeCompaction` segments).
    static func compact(
        _ location: StoreLocation, ledger: StoreLedger, force: Bool, runID: String
    ) throws(StoreError) -> CompactionResult {
        let partitions = try partitionCount(ledger, location: location)
        let live: [(name: String, bytes: Int, events: Int)]
        let rows: [StoreLedger.FileRow]
        do {
            live = try ledger.liveSegments()
            rows = try ledger.currentFiles()
        } catch {
            throw ledgerFailure(error, location: location)
        }
        guard force || live.count > StoreDefaults.segmentsBeforeCompaction else {
            return CompactionResult(segmentsBefore: live.count, segmentsAfter: live.count)
        }
        // Small segments, smallest first, grouped up to the size of a compacted one.
        let limit = StoreDefaults.eventsPerCompactedSegment
        let small = live.filter { $0.events < limit / 2 }.sorted { $0.events != $1.events ? $0.events < $1.events : $0.name < $1.name }
        var groups: [[String]] = []
        var group: [String] = []
        var size = 0
        for segment in small {
            if size + segment.events > limit && !group.isEmpty {
                groups.append(group)
                group = []
                size = 0
            }
            group.append(segment.name)
            size += segment.events
        }
        if !group.isEmpty { groups.append(group) }
        groups.removeAll { $0.count < 2 }
        var rowsBySegment: [String: [StoreLedger.FileRow]] = [:]
        for row in rows { rowsBySegment[row.segment, default: []].append(row) }
        let now = ReportTimeZone.utc.timestamp(nowMilliseconds())
        // Segment names unique whatever the run id.
        let token = String(UInt32.random(in: 0...UInt32.max) | 0x1000_0000, radix: 16)

        for (number, members) in groups.enumerated() {
            // Block by block from each member into one new segment: memory
            // holds one block of events.
            let name = "\(runID)-\(token)-compact-\(number).seg"
            let temporary = location.segment(".tmp-" + name)
            var files: [StoredFile] = []
            var samples: [RejectSample] = []
            var moved: [StoreLedger.FileRow] = []
            var writeFailure: StoreIOError?
            let writer: SegmentWriter
            do {
                writer = try SegmentWriter(path: temporary, partitions: partitions, level: 6)
            } catch {
                throw ledgerFailure(error, location: location)
            }
            for segment in members {
                let current = rowsBySegment[segment] ?? []
                guard !current.isEmpty else { continue }
                let path = location.segment(segment)
                do throws(SegmentDamage) {
                    let reader = try SegmentReader(path: path)
                    var route = [Int?](repeating: nil, count: reader.footer.files.count)
                    var targets: [Int] = []
                    for row in current {
                        guard let position = reader.footer.files.firstIndex(where: { $0.name.sameBytes(row.name) && SHA256.hex($0.digest) == row.sha256 })
                        else { throw SegmentDamage.undecodable("list of files (it does not hold \(row.name) as the ledger says)") }
                        route[position] = targets.count
                        targets.append(files.count)
                        files.append(reader.footer.files[position])
                        moved.append(row)
                    }
                    samples += try reader.samples(keep: route.map { $0 != nil }).map(\.sample)
                    for block in reader.footer.blocks.indices {
                        var stores = [EventStore](repeating: EventStore(), count: targets.count)
                        for partition in 0..<reader.footer.partitions {
                            try reader.events(block: block, partition: partition, route: route, into: &stores)
                        }
                        do throws(StoreIOError) {
                            try writer.addBlock(Array(zip(targets, stores)))
                        } catch {
                            writeFailure = error
                            break
                        }
                    }
                } catch {
                    writer.discard()
                    throw StoreError.damaged(store: location.path, file: path, problem: error.description, inputs: current.map(\.name))
                }
                if let writeFailure {
                    writer.discard()
                    throw ledgerFailure(writeFailure, location: location)
                }
            }
            guard !files.isEmpty else {
                writer.discard()
                continue
            }
            do {
                let bytes = try writer.finish(files: files, samples: samples)
                try StoreFile.rename(temporary, to: location.segment(name))
                try StoreFile.syncFolder(location.segments)
                try ledger.transaction {
                    try ledger.addSegment(name, bytes: bytes, files: files.count, events: files.reduce(0) { $0 + $1.events }, runID: runID)
                    for row in moved {
                        try ledger.move(versionID: row.versionID, name: row.name, sha256: row.sha256, events: row.events, to: name)
                    }
                    try ledger.retireUnusedSegments(at: now)
                }
            } catch {
                writer.discard()
                StoreFile.remove(temporary)
                StoreFile.remove(location.segment(name))
                throw ledgerFailure(error, location: location)
            }
        }
        do {
            try ledger.transaction { try ledger.retireUnusedSegments(at: now) }
        } catch {
            throw ledgerFailure(error, location: location)
        }
        deleteRetired(location, ledger: ledger)
        let after = (try? ledger.liveSegments().count) ?? live.count
        return CompactionResult(segmentsBefore: live.count, segmentsAfter: after)
    }
}
