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

/// Reads every input in parallel: each worker takes the next file, keeps its
/// own events, and the parts are merged in a fixed way at the end.
public enum Reading {
    public static func read(_ inputs: [InputFile], settings: ReadSettings) -> ReadResult {
        let workers = max(1, min(settings.threads, inputs.count))
        let outcomes = Mutex([FileReading.Outcome?](repeating: nil, count: inputs.count))
        let stores = Mutex([EventStore?](repeating: nil, count: workers))
        let nextFile = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var store = EventStore()
            while true {
                let index = nextFile.add(1, ordering: .relaxed).oldValue
                guard index < inputs.count else { break }
                let outcome = FileReading.read(inputs[index], into: &store, sampleLimit: settings.rejectSampleLimit)
                outcomes.withLock { $0[index] = outcome }
            }
            stores.withLock { $0[worker] = store }
        }
        let finished = outcomes.withLock { $0.compactMap { $0 } }
        let limit = settings.rejectSampleLimit
        var samples: [RejectSample] = []
        var perReason = [Int](repeating: 0, count: RejectReason.allCases.count)
        for sample in finished.flatMap(\.samples) where perReason[sample.reason.rawValue] < limit {
            perReason[sample.reason.rawValue] += 1
            samples.append(sample)
        }
        let merged = EventStore.merged(stores.withLock { $0.compactMap { $0 } })
        return ReadResult(
            files: finished.map(\.quality),
            samples: samples,
            events: DeduplicatedEvents(merged, threads: settings.threads))
    }
}
