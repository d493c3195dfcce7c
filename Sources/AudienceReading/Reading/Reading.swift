import Dispatch
import Synchronization
import AudienceCore

/// How a run reads its inputs.
public struct ReadSettings: Sendable {
    /// Rejected lines kept per reason for `rejects.csv`.
    public var rejectSampleLimit = Self.defaultRejectSampleLimit
    /// Worker threads; results do not depend on it.
    public var threads = 1
    /// Counters for a progress line, and the stop request; nil for none.
    public var progress: RunProgress?

    /// About how many bytes of whole lines the block pipeline hands a
    /// worker at a time; tests pass a few bytes, so that every line lands
    /// on a block boundary.
    public var blockSize = Self.defaultBlockSize

    public static let defaultRejectSampleLimit = 20
    public static let defaultBlockSize = 1 << 20
    /// Each worker fills a store of its own (the block pipeline at most 8
    /// more than the workers), and the event-id table numbers their parts
    /// in 6 bits (`EventIDTable`): 40 stores take 40 of the 64 part
    /// numbers, and 24 are left for stores that fill a part (2^26 ids).
    public static let threadLimit = 32

    public init(
        rejectSampleLimit: Int = Self.defaultRejectSampleLimit, threads: Int = 1, progress: RunProgress? = nil,
        blockSize: Int = Self.defaultBlockSize
    ) {
        precondition(rejectSampleLimit >= 0, "a negative sample limit")
        precondition(blockSize > 0, "an empty block")
        self.rejectSampleLimit = rejectSampleLimit
        self.blockSize = blockSize
        self.threads = min(max(1, threads), Self.threadLimit)
        self.progress = progress
    }
}

/// Everything read from the inputs: the quality account and the events.
public struct ReadResult: Sendable {
    /// One row per input file, in input order.
    public var files: [FileQuality]
    /// The first rejected lines of each reason, in input order.
    public var samples: [RejectSample]
    /// The kept events; empty for a report from a store, which reads them
    /// a partition at a time (`StoreViews`).
    public var events: DeduplicatedEvents
    /// Accepted events removed as copies of another.
    public var duplicates: Int
    /// Seconds spent reading, parsing and validating, then merging the
    /// workers' events and removing duplicates.
    public var parseSeconds: Double = 0
    public var mergeSeconds: Double = 0

    public init(
        files: [FileQuality], samples: [RejectSample], events: DeduplicatedEvents, duplicates: Int,
        parseSeconds: Double = 0, mergeSeconds: Double = 0
    ) {
        self.files = files
        self.samples = samples
        self.events = events
        self.duplicates = duplicates
        self.parseSeconds = parseSeconds
        self.mergeSeconds = mergeSeconds
    }

    /// The `TOTAL` row's counts (`bytesRead`, `lines`, `accepted`, reasons).
    public var total: FileQuality {
        var total = FileQuality(file: "TOTAL")
        for file in files {
            var counts = file
            counts.damage = nil
            total.add(counts)
        }
        return total
    }

    public var hasFileErrors: Bool { files.contains { $0.damage != nil } }
}

/// Reads every input. With one thread, file after file on the calling
/// thread. With more, and files enough to share out evenly, each worker
/// reads whole files, inflating and parsing on one core while the content is
/// still in its cache; otherwise through the block pipeline (one reader,
/// parsing spread over the workers), which keeps every core busy even on a
/// single file. Either way the parts are merged in a fixed way, so results
/// do not depend on the thread count.
public enum Reading {
    /// Whole files are shared out when each worker gets at least this many.
    static let filesPerWorker = 2

    public static func read(_ inputs: [InputFile], settings: ReadSettings) -> ReadResult {
        let clock = ContinuousClock()
        let start = clock.now
        let outcomes: [FileReading.Outcome]
        var stores: [EventStore]
        // The blocks' events in read order (the block pipeline only).
        var runs: [EventStore.Run]?
        if settings.threads <= 1 {
            var store = EventStore()
            outcomes = inputs.map {
                FileReading.read($0, into: &store, sampleLimit: settings.rejectSampleLimit, progress: settings.progress)
            }
            stores = [store]
        } else if inputs.count >= settings.threads * filesPerWorker {
            (outcomes, stores) = readWholeFiles(inputs, settings: settings)
        } else {
            let read = BlockPipeline.read(inputs, settings: settings)
            (outcomes, stores, runs) = (read.outcomes, read.stores, read.runs)
        }
        let limit = settings.rejectSampleLimit
        var samples: [RejectSample] = []
        var perReason = [Int](repeating: 0, count: SkipReason.allCases.count)
        for sample in outcomes.flatMap(\.samples) where perReason[sample.reason.rawValue] < limit {
            perReason[sample.reason.rawValue] += 1
            samples.append(sample)
        }
        let parsed = clock.now
        settings.progress?.enter(.merging)
        // A stopped run writes nothing: its events need no merging.
        if settings.progress?.isStopRequested == true { (stores, runs) = ([], nil) }
        // Handed over, not copied: `consume` ends this binding, so the merge
        // holds the only reference to each part's events, and remaps them in
        // place or frees each chunk once its events are copied over (with
        // a second reference alive, every chunk was copied: 56 more bytes
        // per event at the peak).
        let events = DeduplicatedEvents(EventStore.merged(consume stores, runs: runs), threads: settings.threads)
        return ReadResult(
            files: outcomes.map(\.quality), samples: samples, events: events, duplicates: events.duplicates,
            parseSeconds: (parsed - start).seconds, mergeSeconds: (clock.now - parsed).seconds)
    }
}

extension Reading {
    /// Workers take whole files, the largest first so they finish together,
    /// each into a store of its own.
    static func readWholeFiles(
        _ inputs: [InputFile], settings: ReadSettings
    ) -> (outcomes: [FileReading.Outcome], stores: [EventStore]) {
        let queue = InputFile.largestFirst(inputs)
        let taken = Atomic<Int>(0)
        var outcomes = [FileReading.Outcome?](repeating: nil, count: inputs.count)
        var stores = [EventStore](repeating: EventStore(), count: settings.threads)
        outcomes.withUnsafeMutableBufferPointer { outcomeSlots in
            stores.withUnsafeMutableBufferPointer { storeSlots in
                // Each file's slot is written by the worker that took it, each
                // store's by its worker.
                let outcomeWrites = DisjointWrites(buffer: outcomeSlots)
                let storeWrites = DisjointWrites(buffer: storeSlots)
                DispatchQueue.concurrentPerform(iterations: settings.threads) { worker in
                    var store = EventStore()
                    while true {
                        let next = taken.add(1, ordering: .relaxed).oldValue
                        guard next < queue.count else { break }
                        let file = queue[next]
                        outcomeWrites.buffer[file] = FileReading.read(
                            inputs[file], into: &store, sampleLimit: settings.rejectSampleLimit,
                            progress: settings.progress)
                    }
                    storeWrites.buffer[worker] = store
                }
            }
        }
        return (outcomes.compactMap { $0 }, stores)
    }
}
