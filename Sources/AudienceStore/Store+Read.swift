import AudienceCore
import AudienceReading
import AudienceMetrics

/// What a report from stores covered, for `summary.json`'s `store` object.
public struct StoreSummary: Sendable, Equatable {
    public var paths: [String]
    public var files: Int
    /// Accepted events stored, duplicates included.
    public var events: Int

    package var json: JSONValue {
        .object([
            ("path", paths.count == 1 ? .string(paths[0]) : .array(paths.map { .string($0) })),
            ("files", .integer(files)),
            ("events", .integer(events)),
        ])
    }
}

/// The stores as a report sees them: the current version of every name,
/// its quality row and samples, and the open segments that hold its events,
/// read a partition at a time by `StoreViews`. Holds the readers' locks,
/// so no segment it names is deleted while it lives.
public final class StoreSnapshot: Sendable {
    /// One open segment and which of its files count.
    struct Source: Sendable {
        var reader: SegmentReader
        /// Per file of the segment: 0 when current, nil when not.
        var route: [Int?]
        var name: String
        var location: StoreLocation
        /// The current files it holds, for a damage message.
        var inputs: [String]
    }

    let sources: [Source]
    package let partitions: Int
    /// Quality rows of the current files, in byte order of their names.
    public let files: [FileQuality]
    /// Their samples, in that order, each file's in the order read.
    package let samples: [RejectSample]
    public let summary: StoreSummary
    /// The titles of the current files, with their facts before duplicate
    /// removal: a report's first guess (`StoreViews`).
    let titleGuesses: [ByteString: TitleFacts]
    /// What the stores hold, in 32 bytes: the SHA-256 of every current
    /// name with its content digest, in byte order of the names. Reduce
    /// steps that saw the same identity read the same events.
    package let identity: [UInt8]
    private let locks: [StoreLock]

    init(sources: [Source], partitions: Int, files: [FileQuality], samples: [RejectSample], summary: StoreSummary,
         titleGuesses: [ByteString: TitleFacts], identity: [UInt8], locks: [StoreLock]) {
        self.titleGuesses = titleGuesses
        self.identity = identity
        self.sources = sources
        self.partitions = partitions
        self.files = files
        self.samples = samples
        self.summary = summary
        self.locks = locks
    }

    /// Events stored in each partition (duplicates included).
    var eventsPerPartition: [Int] {
        var counts = [Int](repeating: 0, count: partitions)
        for source in sources {
            for (partition, events) in source.reader.footer.eventsPerPartition.enumerated() { counts[partition] += events }
        }
        return counts
    }

    func damage(_ source: Source, _ problem: SegmentDamage) -> StoreError {
        .damaged(store: source.location.path, file: source.reader.path, problem: problem.description, inputs: source.inputs)
    }
}

extension Store {
    /// Opens the stores for a report: the ledger's current files, checked
    /// against the footers of the segments that hold them. Names held by
    /// several stores must hold the same bytes, and count once.
    public static func snapshot(_ locations: [StoreLocation]) throws(StoreError) -> StoreSnapshot {
        var locks: [StoreLock] = []
        var rows: [(location: StoreLocation, row: StoreLedger.FileRow)] = []
        var partitions: Int?
        for location in locations {
            guard StoreFile.exists(location.ledger) else { throw lostLedger(location) ?? StoreError.notAStore(location.path) }
            // Readers hold the readers lock (shared) from the ledger's
            // snapshot to the last segment read. A store that cannot hold
            // it (read-only media) is read all the same: nothing deletes there.
            if let lock = try? StoreLock(path: location.readersLock, exclusive: false, wait: true) { locks.append(lock) }
            let ledger = try openLedger(location, mode: .read)
            try checkFormat(ledger, location: location, initialise: false)
            let count = try partitionCount(ledger, location: location)
            guard partitions == nil || partitions == count else {
                throw StoreError.usage("the stores have different partition counts (\(partitions ?? 0) and \(count) in \(location.path)); they cannot be read as one")
            }
            partitions = count
            do {
                let current = try ledger.snapshot { try ledger.currentFiles() }
                rows += current.map { (location, $0) }
            } catch {
                throw ledgerFailure(error, location: location)
            }
        }
        rows.sort { a, b in
            !a.row.name.sameBytes(b.row.name)
                ? a.row.name.utf8.lexicographicallyPrecedes(b.row.name.utf8) : a.location.path < b.location.path
        }
        var unique: [(location: StoreLocation, row: StoreLedger.FileRow)] = []
        for entry in rows {
            if let last = unique.last, last.row.name.sameBytes(entry.row.name) {
                guard last.row.sha256 == entry.row.sha256 else {
                    throw StoreError.usage(
                        "\(entry.row.name) is held with different bytes by the stores \(last.location.path) and \(entry.location.path)")
                }
                continue
            }
            unique.append(entry)
        }

        // Each segment once, with the files that count in it.
        var bySegment: [String: Int] = [:]
        var groups: [(location: StoreLocation, segment: String, files: [Int])] = []
        for (index, entry) in unique.enumerated() {
            let key = entry.location.path + "\u{0}" + entry.row.segment
            if let known = bySegment[key] {
                groups[known].files.append(index)
            } else {
                bySegment[key] = groups.count
                groups.append((entry.location, entry.row.segment, [index]))
            }
        }
        var sources: [StoreSnapshot.Source] = []
        var qualities = [FileQuality?](repeating: nil, count: unique.count)
        var samplesByFile = [[RejectSample]](repeating: [], count: unique.count)
        var titleGuesses: [ByteString: TitleFacts] = [:]
        for group in groups {
            let path = group.location.segment(group.segment)
            let inputs = group.files.map { unique[$0].row.name }
            do throws(SegmentDamage) {
                let reader = try SegmentReader(path: path)
                let footer = reader.footer
                guard footer.partitions == partitions else { throw SegmentDamage.undecodable("partition count") }
                var route = [Int?](repeating: nil, count: footer.files.count)
                var positions: [Int: Int] = [:]
                for index in group.files {
                    let row = unique[index].row
                    guard let position = footer.files.firstIndex(where: { $0.name.sameBytes(row.name) && SHA256.hex($0.digest) == row.sha256 }),
                          footer.files[position].events == row.events
                    else { throw SegmentDamage.undecodable("list of files (it does not hold \(row.name) as the ledger says)") }
                    route[position] = 0
                    positions[position] = index
                    qualities[index] = footer.files[position].quality
                    for (title, facts) in footer.files[position].titles { titleGuesses[title, default: TitleFacts()].merge(facts) }
                }
                for (position, sample) in try reader.samples(keep: route.map { $0 != nil }) {
                    if let index = positions[position] { samplesByFile[index].append(sample) }
                }
                sources.append(StoreSnapshot.Source(reader: reader, route: route, name: group.segment, location: group.location, inputs: inputs))
            } catch {
                throw StoreError.damaged(store: group.location.path, file: path, problem: error.description, inputs: inputs)
            }
        }
        let summary = StoreSummary(
            paths: locations.map(\.path), files: unique.count, events: unique.reduce(0) { $0 + $1.row.events })
        var identity = SHA256()
        identity.update(Array("partitions \(partitions ?? StoreDefaults.partitions)\n".utf8))
        for entry in unique {
            identity.update(Array(entry.row.name.utf8) + [0] + Array(entry.row.sha256.utf8) + [0x0A])
        }
        return StoreSnapshot(
            sources: sources, partitions: partitions ?? StoreDefaults.partitions, files: qualities.compactMap { $0 },
            samples: Array(samplesByFile.joined()), summary: summary, titleGuesses: titleGuesses,
            identity: identity.finalize(), locks: locks)
    }

    /// The first `limit` samples of each reason, as `--rejects` asks.
    package static func limitSamples(_ samples: [RejectSample], to limit: Int) -> [RejectSample] {
        var kept: [RejectSample] = []
        var perReason = [Int](repeating: 0, count: SkipReason.allCases.count)
        for sample in samples where perReason[sample.reason.rawValue] < limit {
            perReason[sample.reason.rawValue] += 1
            kept.append(sample)
        }
        return kept
    }

    /// Everything a report needs from the stores: what a one-shot run over
    /// the latest version of every file would have read, and the views,
    /// built a partition at a time.
    public static func read(
        _ locations: [StoreLocation], read settings: ReadSettings, metrics: MetricSettings,
        sliceEvents: Int = StoreViews.defaultSliceEvents
    ) throws(StoreError) -> (ReadResult, ViewSet, StoreSummary) {
        let clock = ContinuousClock()
        let start = clock.now
        let snapshot = try snapshot(locations)
        let samples = limitSamples(snapshot.samples, to: settings.rejectSampleLimit)
        let (views, duplicates) = try StoreViews.build(snapshot, metrics: metrics, threads: settings.threads, progress: settings.progress, sliceEvents: sliceEvents)
        let read = ReadResult(
            files: snapshot.files, samples: samples, events: DeduplicatedEvents(EventStore()), duplicates: duplicates,
            parseSeconds: (clock.now - start).seconds, mergeSeconds: 0)
        return (read, views, snapshot.summary)
    }
}
