import Foundation
import Testing

@testable import AudienceCore
@testable import AudienceReading
@testable import AudienceMetrics
@testable import AudienceStore
@testable import AudienceKit

/// store.md, "Runs split over machines": map (one store per shard), reduce
/// (one part of the view partitions as a partial result) and merge give the
/// tables of `analyze --store` over all the stores, and of a one-shot run,
/// for any N and P, a step retried or not.
@Suite struct SplitRunTests {
    typealias Same = StoreEquivalenceTests

    /// Map: shard `i` of `count` of the logs into `folder/store-i`.
    static func map(_ logs: [String], shards count: Int, into folder: String, order: [Int]) throws -> [String] {
        let inputs = try Same.inputs(logs)
        var stores: [String] = []
        for index in order {
            let store = folder + "/store-\(index)"
            var settings = IngestSettings(
                store: StoreLocation(store), inputs: Shard(index: index, count: count).select(inputs),
                runID: "map-\(index)", command: "ingest", commandLine: "test", startedAt: 0)
            settings.threads = 1 + index % 2
            _ = try Store.ingest(settings)
            stores.append(store)
        }
        return stores.sorted()
    }

    static func reduce(_ stores: [String], part: Int, of parts: Int, into folder: String, metrics: MetricSettings,
                       catalogPath: String? = nil, threads: Int = 1, sliceEvents: Int = 1 << 30) throws -> String {
        let settings = AnalysisSettings(inputs: [], read: ReadSettings(threads: threads), metrics: metrics, catalogPath: catalogPath)
        return try Analyzer.reduce(settings, stores: stores.map(StoreLocation.init), part: part, of: parts, into: folder,
                                   sliceEvents: sliceEvents)
    }

    static func merge(_ folders: [String], threads: Int = 1) throws -> AnalysisResult {
        try Analyzer.merge(folders, settings: AnalysisSettings(inputs: [], read: ReadSettings(threads: threads)))
    }

    @Test(arguments: [UInt64(11), 12, 13, 14])
    func anySplitGivesTheTablesOfOneRun(seed: UInt64) throws {
        try withTemporaryFolder { folder in
            let logs = try Same.generateLogs(into: folder + "/data", seed: seed)
            var random = SeededGenerator(seed: seed)
            let shards = Int.random(in: 1...4, using: &random)
            let stores = try Self.map(logs, shards: shards, into: folder, order: Array(0..<shards).shuffled(using: &random))
            let zone = try #require(ReportTimeZone(seed % 2 == 0 ? "Europe/Berlin" : "America/New_York"))
            let catalog = seed == 12 ? try Catalog(path: folder + "/data/catalog.csv") : nil
            let window = seed >= 13 ? try DayWindow(from: "2026-11-02", to: nil) : DayWindow.everything
            let metrics = MetricSettings(buckets: Int(seed) - 1, timeZone: zone, catalog: catalog, window: window)

            // Reduce: parts in random order into two folders, some retried.
            let parts = [1, 2, 3, 5, 8, 300][Int.random(in: 0..<6, using: &random)]
            let halves = [folder + "/partial-a", folder + "/partial-b"]
            for part in Array(0..<parts).shuffled(using: &random) {
                let into = halves[part % 2]
                let tries = Bool.random(using: &random) ? 2 : 1
                for _ in 0..<tries {
                    _ = try Self.reduce(stores, part: part, of: parts, into: into, metrics: metrics,
                                        threads: 1 + part % 2, sliceEvents: Int(seed) * 10)
                }
            }
            let merged = Same.outputs(try Self.merge(parts == 1 ? [halves[0]] : halves, threads: 2))
            let settings = AnalysisSettings(inputs: [], read: ReadSettings(threads: 2), metrics: metrics)
            let together = Same.outputs(try Analyzer.run(settings, stores: stores.map(StoreLocation.init)))
            Same.expectSame(merged, together)
            Same.expectSame(merged, try Same.oneShot(logs, metrics: metrics))
        }
    }

    @Test func aMergeNamesTheStoresItCovers() throws {
        try withTemporaryFolder { folder in
            let logs = try Same.generateLogs(into: folder + "/data", seed: 21)
            let stores = try Self.map(logs, shards: 2, into: folder, order: [1, 0])
            let catalogPath = folder + "/data/catalog.csv"
            let metrics = MetricSettings(catalog: try Catalog(path: catalogPath))
            for part in 0..<2 {
                _ = try Self.reduce(stores, part: part, of: 2, into: folder + "/p", metrics: metrics, catalogPath: catalogPath)
            }
            let report = try Self.merge([folder + "/p"])
            #expect(report.settings.catalogPath == catalogPath)
            #expect(report.settings.metrics.catalog?.order == metrics.catalog?.order)
            #expect(report.store?.paths == stores)
            #expect(report.store?.files == logs.count)
            #expect(report.read.files.map(\.file) == logs.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        }
    }

    /// The merge alone knows the runtime over all partitions; when a
    /// duplicate changed it, the merge measures that title again from the
    /// stores.
    @Test func aRuntimeChangedByDuplicatesIsMeasuredAgainByTheMerge() throws {
        try withTemporaryFolder { folder in
            func event(_ id: String, _ ts: Int, _ duration: Int, session: String) -> String {
                #"{"ts":\#(ts),"event":"progress","session_id":""# + session + #"","viewer_id":"v","title_id":"t","from":0,"to":90,"duration":\#(duration),"event_id":""# + id + #""}"#
            }
            let lines = [event("a", 1_790_000_000, 100, session: "s"), event("a", 1_790_000_000, 200, session: "s"),
                         event("b", 1_790_000_100, 200, session: "s"), event("c", 1_790_000_200, 100, session: "s2")]
            try write(lines[0..<2].joined(separator: "\n") + "\n", to: folder + "/one.jsonl")
            try write(lines[2...].joined(separator: "\n") + "\n", to: folder + "/two.jsonl")
            let paths = [folder + "/one.jsonl", folder + "/two.jsonl"]
            let stores = try Self.map(paths, shards: 2, into: folder, order: [0, 1])
            let metrics = MetricSettings(buckets: 4)
            for part in 0..<3 { _ = try Self.reduce(stores, part: part, of: 3, into: folder + "/p", metrics: metrics) }
            let merged = Same.outputs(try Self.merge([folder + "/p"]))
            Same.expectSame(merged, try Same.oneShot(paths, metrics: metrics))
            #expect(merged["titles.csv"]?.contains(",100,") == true, "\(merged["titles.csv"] ?? "")")

            // Had the stores changed since, the merge would say so.
            try write(event("e", 1_790_000_400, 300, session: "s4") + "\n", to: folder + "/three.jsonl")
            _ = try Same.ingest([folder + "/three.jsonl"], into: stores[0], run: 7)
            #expect { try Self.merge([folder + "/p"]) } throws: { error in
                "\(error)".contains("changed since the reduce steps")
            }
        }
    }

    @Test func partsThatDoNotMakeOneRunAreUsageErrors() throws {
        try withTemporaryFolder { folder in
            let logs = try Same.generateLogs(into: folder + "/data", seed: 22)
            let stores = try Self.map(logs, shards: 2, into: folder, order: [0, 1])
            let metrics = MetricSettings()
            func usage(_ folders: [String], _ words: String) {
                #expect {
                    try Self.merge(folders)
                } throws: { error in
                    guard let error = error as? SplitRunError, case .usage(let text) = error else { return false }
                    return text.contains(words)
                }
            }
            for part in [0, 2] { _ = try Self.reduce(stores, part: part, of: 3, into: folder + "/missing", metrics: metrics) }
            usage([folder + "/missing"], "part 1")
            _ = try Self.reduce(stores, part: 0, of: 3, into: folder + "/again", metrics: metrics)
            usage([folder + "/missing", folder + "/again"], "given twice")
            _ = try Self.reduce(stores, part: 0, of: 2, into: folder + "/other-split", metrics: metrics)
            usage([folder + "/missing", folder + "/other-split"], "different splits")
            _ = try Self.reduce(stores, part: 1, of: 3, into: folder + "/buckets", metrics: MetricSettings(buckets: 9))
            usage([folder + "/missing", folder + "/buckets"], "--buckets 100 and 9")
            let window = try DayWindow(from: "2026-11-02", to: nil)
            _ = try Self.reduce(stores, part: 1, of: 3, into: folder + "/window", metrics: MetricSettings(window: window))
            usage([folder + "/missing", folder + "/window"], "--from (none) and 2026-11-02")
            _ = try Self.reduce([stores[0]], part: 1, of: 3, into: folder + "/fewer-stores", metrics: metrics)
            usage([folder + "/missing", folder + "/fewer-stores"], "read different stores")
            try FileManager.default.createDirectory(atPath: folder + "/empty", withIntermediateDirectories: true)
            usage([folder + "/empty"], "no partial results in")
            // With part 1 the set is whole.
            _ = try Self.reduce(stores, part: 1, of: 3, into: folder + "/missing", metrics: metrics)
            _ = try Self.merge([folder + "/missing"])
        }
    }

    @Test func aNameHeldWithOtherBytesByTwoStoresNamesBoth() throws {
        try withTemporaryFolder { folder in
            try write(StoreEdgeTests.line("a") + "\n", to: folder + "/x.jsonl")
            _ = try Same.ingest([folder + "/x.jsonl"], into: folder + "/s0", run: 0)
            try write(StoreEdgeTests.line("b") + "\n", to: folder + "/x.jsonl")
            _ = try Same.ingest([folder + "/x.jsonl"], into: folder + "/s1", run: 0)
            #expect {
                try Self.reduce([folder + "/s0", folder + "/s1"], part: 0, of: 1, into: folder + "/p", metrics: MetricSettings())
            } throws: { error in
                "\(error)".contains(folder + "/s0") && "\(error)".contains(folder + "/s1")
                    && (error as? SplitRunError)?.exitStatus == ExitStatus.usage
            }
        }
    }

    @Test func aDamagedOrNewerPartialResultIsRefused() throws {
        try withTemporaryFolder { folder in
            try write(StoreEdgeTests.line("a") + "\n" + StoreEdgeTests.line("b") + "\n", to: folder + "/x.jsonl")
            _ = try Same.ingest([folder + "/x.jsonl"], into: folder + "/s", run: 0)
            let path = try Self.reduce([folder + "/s"], part: 0, of: 1, into: folder + "/p", metrics: MetricSettings())
            #expect(path == folder + "/p/part-0-of-1.audience-partial")
            let good = try Data(contentsOf: URL(fileURLWithPath: path))
            _ = try PartialResult.decode(Array(good), path: path)
            // Every flipped byte, and every cut, is damage that names the file.
            var bytes = Array(good)
            for offset in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
                bytes[offset] ^= 0x20
                #expect(throws: SplitRunError.self) { try PartialResult.decode(bytes, path: path) }
                bytes[offset] ^= 0x20
            }
            for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 31)) {
                #expect { try PartialResult.decode(Array(bytes[0..<length]), path: path) } throws: { error in
                    (error as? SplitRunError)?.exitStatus == ExitStatus.storeDamaged && "\(error)".contains(path)
                }
            }
            // A newer format, checksum and all, is refused by version.
            var newer = Array(bytes[0..<(bytes.count - 32)])
            newer[16] = 9
            var digest = SHA256()
            digest.update(newer)
            newer += digest.finalize()
            #expect { try PartialResult.decode(newer, path: path) } throws: { error in
                guard let error = error as? SplitRunError, case .newerFormat(_, 9, let writtenBy) = error else { return false }
                return writtenBy == Analyzer.version
            }
        }
    }

    /// Texts equal as Unicode but not as bytes (a device written NFC and
    /// NFD) are two groups in every table, split or not.
    @Test func twoSpellingsOfOneTextStayTwo() throws {
        try withTemporaryFolder { folder in
            let composed = StoreEdgeTests.line("a", #","device":"caf\#u{E9}""#)
            let decomposed = StoreEdgeTests.line("b", #","device":"cafe\#u{301}""#)
            try write(composed + "\n" + decomposed + "\n", to: folder + "/x.jsonl")
            let stores = try Self.map([folder + "/x.jsonl"], shards: 1, into: folder, order: [0])
            _ = try Self.reduce(stores, part: 0, of: 1, into: folder + "/p", metrics: MetricSettings())
            let merged = Same.outputs(try Self.merge([folder + "/p"]))
            Same.expectSame(merged, try Same.oneShot([folder + "/x.jsonl"], metrics: MetricSettings()))
            #expect(merged["devices.csv"]?.split(separator: "\n").count == 3, "\(merged["devices.csv"] ?? "")")
        }
    }

    /// The checksum proves a file whole, not honest: a body written with
    /// impossible values, checksum and all, is damage, never a trap or a
    /// huge allocation.
    @Test func aCraftedPartialResultIsDamageNotATrap() throws {
        try withTemporaryFolder { folder in
            try write(StoreEdgeTests.line("a") + "\n", to: folder + "/x.jsonl")
            _ = try Same.ingest([folder + "/x.jsonl"], into: folder + "/s", run: 0)
            let path = try Self.reduce([folder + "/s"], part: 0, of: 1, into: folder + "/p", metrics: MetricSettings())
            let good = try PartialResult.read(path: path)
            var crafted: [PartialResult] = []
            var many = good
            many.parts = Int(Int32.max)
            crafted.append(many)
            var early = good
            early.views.views[0].start = Int64.min
            crafted.append(early)
            var late = good
            late.views.views[0].end = Int64.max
            crafted.append(late)
            var farDay = good
            farDay.views.views[0].local.day = 1 << 40
            crafted.append(farDay)
            var hugeCount = good
            hugeCount.views.duplicates = Int(Int64.max / 2)
            crafted.append(hugeCount)
            var lowest = good
            lowest.views.reach = [0: [Int](repeating: Int(Int64.min), count: 100)]
            crafted.append(lowest)
            var steps = good
            steps.views.playSteps = [0: [Int](repeating: Int(Int64.max), count: 101)]
            crafted.append(steps)
            for (index, result) in crafted.enumerated() {
                #expect(throws: SplitRunError.self, "crafted \(index)") {
                    try PartialResult.decode(result.fileBytes(), path: path)
                }
            }
            // A file that is no partial result is refused by its head.
            try write(String(repeating: "not a partial result\n", count: 1000), to: folder + "/p/part-1-of-1.audience-partial")
            #expect { try PartialResult.read(path: folder + "/p/part-1-of-1.audience-partial") } throws: { error in
                "\(error)".contains("not a partial result")
            }
        }
    }

    @Test func aShardIsEveryNthInputInByteOrder() throws {
        let names = ["b", "a", "c", "e", "d"].map { InputFile(name: $0, path: $0) }
        #expect(Shard(index: 0, count: 2).select(names).map(\.name) == ["a", "c", "e"])
        #expect(Shard(index: 1, count: 2).select(names).map(\.name) == ["b", "d"])
        #expect(Shard(index: 4, count: 6).select(names).map(\.name) == ["e"])
        #expect(Shard(index: 5, count: 6).select(names).isEmpty)

        #expect(try Shard(parsing: "2/4", option: "--shard", environment: [:]) == Shard(index: 2, count: 4))
        #expect(try Shard(parsing: "auto/4", option: "--shard", environment: ["SLURM_ARRAY_TASK_ID": "3"]) == Shard(index: 3, count: 4))
        #expect(try Shard(parsing: "auto/4", option: "--shard", environment: ["JOB_COMPLETION_INDEX": "1", "SLURM_ARRAY_TASK_ID": "3"])
            == Shard(index: 1, count: 4))
        #expect(try Shard(parsing: "auto/2", option: "--shard", environment: ["AWS_BATCH_JOB_ARRAY_INDEX": "0"]) == Shard(index: 0, count: 2))
        for bad in ["4/4", "-1/4", "1/0", "1", "1/2/3", "a/2", " 1/2", "1/ 2", "/2", "1/", "99999999999999999999/2"] {
            #expect(throws: ShardError.self) { try Shard(parsing: bad, option: "--shard", environment: [:]) }
        }
        #expect { try Shard(parsing: "auto/4", option: "--shard", environment: [:]) } throws: { error in
            "\(error)".contains("JOB_COMPLETION_INDEX")
        }
        #expect { try Shard(parsing: "auto/4", option: "--shard", environment: ["SLURM_ARRAY_TASK_ID": "4"]) } throws: { error in
            "\(error)".contains("SLURM_ARRAY_TASK_ID=4")
        }
    }

    @Test func partsCoverEveryPartitionOnce() {
        for total in [1, 7, 256] {
            for parts in [1, 2, 3, 8, 255, 256, 257, 1000] {
                var covered: [Int] = []
                for part in 0..<parts { covered += Array(StoreViews.partitions(part: part, of: parts, total: total)) }
                #expect(covered == Array(0..<total), "total \(total), parts \(parts)")
            }
        }
    }
}
