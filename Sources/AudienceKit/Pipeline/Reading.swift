import Dispatch
import Synchronization

/// How a run reads its inputs.
public struct ReadSettings: Sendable {
    /// Rejected lines kept per reason for `rejects.csv`.
    public var rejectSampleLimit = 20
    /// Worker threads; results do not depend on it.
    public var threads = 1

    public init(rejectSampleLimit: Int = 20, threads: Int = 1) {
        self.rejectSampleLimit = rejectSampleLimit
        self.threads = max(1, threads)
    }
}

/// Everything read from the inputs: the quality account and the events.
public struct ReadResult: Sendable {
    /// One row per input file, in input order.
    public var files: [FileQuality]
    /// The first rejected lines of each reason, in input order.
    public var samples: [RejectSample]
    public var events: DeduplicatedEvents
    /// Seconds spent reading, parsing and validating, then merging the
    /// workers' events and removing duplicates.
    public var parseSeconds: Double = 0
    public var mergeSeconds: Double = 0

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
/// thread; with more, through the block pipeline (one reader, parsing
/// spread over the workers). Either way the parts are merged in a fixed
/// way, so results do not depend on the thread count.
public enum Reading {
    public static func read(_ inputs: [InputFile], settings: ReadSettings) -> ReadResult {
        let clock = ContinuousClock()
        let start = clock.now
        let outcomes: [FileReading.Outcome]
        let stores: [EventStore]
        if settings.threads <= 1 {
            var store = EventStore()
            outcomes = inputs.map { FileReading.read($0, into: &store, sampleLimit: settings.rejectSampleLimit) }
            stores = [store]
        } else {
            (outcomes, stores) = BlockPipeline.read(inputs, settings: settings)
        }
        let limit = settings.rejectSampleLimit
        var samples: [RejectSample] = []
        var perReason = [Int](repeating: 0, count: RejectReason.allCases.count)
        for sample in outcomes.flatMap(\.samples) where perReason[sample.reason.rawValue] < limit {
            perReason[sample.reason.rawValue] += 1
            samples.append(sample)
        }
        let parsed = clock.now
        let merged = EventStore.merged(stores)
        let events = DeduplicatedEvents(merged, threads: settings.threads)
        return ReadResult(
            files: outcomes.map(\.quality), samples: samples, events: events,
            parseSeconds: (parsed - start).seconds, mergeSeconds: (clock.now - parsed).seconds)
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
