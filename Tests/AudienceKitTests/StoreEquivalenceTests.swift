import Foundation
import Testing

@testable import AudienceReading
@testable import AudienceMetrics
@testable import AudienceStore
@testable import AudienceGenerate
@testable import AudienceKit

/// store.md, "The equivalence rule": a report from a store is byte for byte
/// a one-shot run over the latest version of every file in it, in byte
/// order of their names, whatever the grouping and order of the ingests,
/// with repeats and replaced versions.
@Suite struct StoreEquivalenceTests {
    /// A messy generated set of logs in mixed formats over several days.
    static func generateLogs(into folder: String, seed: UInt64) throws -> [String] {
        var settings = GeneratorSettings()
        settings.viewers = 40
        settings.days = 4
        settings.titles = 8
        settings.series = 2
        settings.files = 7
        settings.format = .mixed
        settings.messiness = .heavy
        settings.seed = seed
        _ = try Generator.run(settings, folder: folder)
        return try FileManager.default.contentsOfDirectory(atPath: folder + "/logs").sorted().map { folder + "/logs/" + $0 }
    }

    static func inputs(_ paths: [String]) throws -> [InputFile] {
        try paths.flatMap { try InputDiscovery.resolve([$0]) }
    }

    /// Every output by name; summary.json without what may differ (times,
    /// the run, the store object).
    static func outputs(_ report: AnalysisResult) -> [String: String] {
        var result: [String: String] = [:]
        for (name, text) in Analyzer.outputs(report) { result[name] = text }
        if let summary = result["summary.json"],
           var object = try? JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any] {
            for key in ["elapsed_seconds", "phase_seconds", "store", "run"] { object[key] = nil }
            if var settings = object["settings"] as? [String: Any] {
                settings["threads"] = nil
                object["settings"] = settings
            }
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            result["summary.json"] = data.map { String(decoding: $0, as: UTF8.self) }
        }
        return result
    }

    static func oneShot(_ paths: [String], metrics: MetricSettings, threads: Int = 1) throws -> [String: String] {
        let sorted = paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let settings = AnalysisSettings(inputs: try inputs(sorted), read: ReadSettings(threads: threads), metrics: metrics)
        return outputs(Analyzer.run(settings))
    }

    /// `sliceEvents` small makes the report read partitions in slices.
    static func fromStore(_ store: String, metrics: MetricSettings, threads: Int = 1, sliceEvents: Int = 1 << 30) throws -> [String: String] {
        let settings = AnalysisSettings(inputs: [], read: ReadSettings(threads: threads), metrics: metrics)
        let report = try Analyzer.run(settings, stores: [StoreLocation(store)], sliceEvents: sliceEvents)
        #expect(report.store?.paths == [store])
        return outputs(report)
    }

    static func ingest(_ paths: [String], into store: String, threads: Int = 1, run: Int) throws -> IngestResult {
        var settings = IngestSettings(
            store: StoreLocation(store), inputs: try inputs(paths), runID: "test-run-\(run)", command: "ingest",
            commandLine: "test", startedAt: 0)
        settings.threads = threads
        // Odd runs write blocks of a few events: many blocks per segment.
        if run % 2 == 1 { settings.blockEvents = 50 + run }
        return try Store.ingest(settings)
    }

    static func expectSame(_ a: [String: String], _ b: [String: String]) {
        #expect(a.keys.sorted() == b.keys.sorted())
        for name in a.keys.sorted() where a[name] != b[name] {
            let left = a[name]?.split(separator: "\n", omittingEmptySubsequences: false) ?? []
            let right = b[name]?.split(separator: "\n", omittingEmptySubsequences: false) ?? []
            let line = zip(left, right).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(left.count, right.count)
            Issue.record("\(name) differs at line \(line + 1): \(line < left.count ? String(left[line]) : "(end)") | \(line < right.count ? String(right[line]) : "(end)")")
        }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func randomGroupingsGiveTheOneShotTables(seed: UInt64) throws {
        try withTemporaryFolder { folder in
            let logs = try Self.generateLogs(into: folder + "/data", seed: seed)
            var random = SeededGenerator(seed: seed)
            // Random groups, in random order, some files twice.
            var remaining = logs.shuffled(using: &random)
            var groups: [[String]] = []
            while !remaining.isEmpty {
                let size = Int.random(in: 1...min(3, remaining.count), using: &random)
                var group = Array(remaining.prefix(size))
                remaining.removeFirst(size)
                if Bool.random(using: &random), let again = logs.randomElement(using: &random) { group.append(again) }
                groups.append(group)
            }
            let store = folder + "/store"
            for (run, group) in groups.enumerated() {
                _ = try Self.ingest(group, into: store, threads: 1 + run % 2, run: run)
            }
            let zone = try #require(ReportTimeZone(seed == 2 ? "America/New_York" : "UTC"))
            // Seed 1 with the generated catalog, seed 3 with a window.
            let catalog = seed == 1 ? try Catalog(path: folder + "/data/catalog.csv") : nil
            let window = seed == 3 ? try DayWindow(from: "2026-11-02", to: "2026-11-03") : DayWindow.everything
            let metrics = MetricSettings(buckets: seed == 3 ? 7 : 20, timeZone: zone, catalog: catalog, window: window)
            Self.expectSame(try Self.fromStore(store, metrics: metrics, threads: Int(seed % 2) + 1, sliceEvents: Int(seed) * 40),
                            try Self.oneShot(logs, metrics: metrics))
            // Ingesting everything again changes nothing.
            let again = try Self.ingest(logs, into: store, run: 99)
            #expect(again.files.allSatisfy { $0.outcome == .unchanged })
            Self.expectSame(try Self.fromStore(store, metrics: metrics), try Self.oneShot(logs, metrics: metrics))
        }
    }

    @Test func aChangedFileReplacesItsOldVersionWhole() throws {
        try withTemporaryFolder { folder in
            let logs = try Self.generateLogs(into: folder + "/data", seed: 5)
            let store = folder + "/store"
            // The first file as it looked earlier: its first half only.
            let target = logs[0]
            let full = try Data(contentsOf: URL(fileURLWithPath: target))
            let early = folder + "/early"
            try full.write(to: URL(fileURLWithPath: early))
            let plain = target.hasSuffix(".gz") ? nil : String(decoding: full, as: UTF8.self)
            if let plain {
                let lines = plain.split(separator: "\n", omittingEmptySubsequences: false)
                try lines.prefix(lines.count / 2).joined(separator: "\n").write(toFile: target, atomically: true, encoding: .utf8)
            } else {
                try Data(full.prefix(full.count / 2)).write(to: URL(fileURLWithPath: target))
            }
            _ = try Self.ingest(logs, into: store, run: 1)
            try full.write(to: URL(fileURLWithPath: target))
            let second = try Self.ingest([target], into: store, run: 2)
            #expect(second.files.map(\.outcome) == [.replaced])
            Self.expectSame(try Self.fromStore(store, metrics: MetricSettings()), try Self.oneShot(logs, metrics: MetricSettings()))
            let listing = try Store.list(StoreLocation(store))
            #expect(listing.filter { $0.name == target }.map(\.status) == ["replaced", "current"])
        }
    }

    @Test func compactionChangesNoTable() throws {
        try withTemporaryFolder { folder in
            let logs = try Self.generateLogs(into: folder + "/data", seed: 6)
            let store = folder + "/store"
            for (run, log) in logs.enumerated() { _ = try Self.ingest([log], into: store, run: run) }
            let before = try Self.fromStore(store, metrics: MetricSettings())
            let result = try Store.compact(StoreLocation(store), wait: false, force: true, runID: "compact", commandLine: "test", startedAt: 0)
            #expect(result.segmentsBefore == logs.count)
            #expect(result.segmentsAfter == 1)
            Self.expectSame(try Self.fromStore(store, metrics: MetricSettings()), before)
            #expect(try Store.verify(StoreLocation(store)).isEmpty)
            // A file removed is gone from the report: as a one-shot run without it.
            try Store.remove([logs[2]], from: StoreLocation(store), wait: false, runID: "remove", commandLine: "test", startedAt: 0)
            var rest = logs
            rest.remove(at: 2)
            Self.expectSame(try Self.fromStore(store, metrics: MetricSettings()), try Self.oneShot(rest, metrics: MetricSettings()))
        }
    }
}

/// What a review found: values at the edge of the contract, names that are
/// equal as text but not as bytes, and a ledger altered behind its back.
@Suite struct StoreEdgeTests {
    static func line(_ session: String, _ extra: String = "") -> String {
        #"{"ts":"2026-11-01T10:00:00Z","event":"progress","session_id":""# + session
            + #"","viewer_id":"v","title_id":"t","from":0,"to":10"# + extra + "}"
    }

    @Test func theLargestSeasonAndEpisodeAreStored() throws {
        try withTemporaryFolder { folder in
            try write(Self.line("s", #","season":2147483647,"episode":2147483647,"duration":60"#) + "\n", to: folder + "/m.jsonl")
            _ = try StoreEquivalenceTests.ingest([folder + "/m.jsonl"], into: folder + "/store", run: 0)
            StoreEquivalenceTests.expectSame(
                try StoreEquivalenceTests.fromStore(folder + "/store", metrics: MetricSettings()),
                try StoreEquivalenceTests.oneShot([folder + "/m.jsonl"], metrics: MetricSettings()))
        }
    }

    @Test func namesEqualAsTextButNotAsBytesAreTwoFiles() throws {
        try withTemporaryFolder { folder in
            let composed = folder + "/caf\u{E9}.jsonl", decomposed = folder + "/cafe\u{301}.jsonl"
            try write(Self.line("a") + "\n", to: composed)
            try write(Self.line("b") + "\n", to: decomposed)
            let result = try StoreEquivalenceTests.ingest([composed, decomposed], into: folder + "/store", run: 0)
            #expect(result.files.map(\.outcome) == [.added, .added])
            StoreEquivalenceTests.expectSame(
                try StoreEquivalenceTests.fromStore(folder + "/store", metrics: MetricSettings()),
                try StoreEquivalenceTests.oneShot([composed, decomposed], metrics: MetricSettings()))
        }
    }

    @Test func aRowDeletedFromTheLedgerIsFoundNotBelieved() throws {
        try withTemporaryFolder { folder in
            try write(Self.line("a") + "\n", to: folder + "/a.jsonl")
            try write(Self.line("b") + "\n", to: folder + "/b.jsonl")
            _ = try StoreEquivalenceTests.ingest([folder + "/a.jsonl", folder + "/b.jsonl"], into: folder + "/store", run: 0)
            let database = try SQLiteDatabase(path: folder + "/store/ledger.sqlite", mode: .readWrite)
            try database.execute("DELETE FROM files WHERE name LIKE '%a.jsonl'")
            #expect(throws: StoreError.self) {
                _ = try StoreEquivalenceTests.fromStore(folder + "/store", metrics: MetricSettings())
            }
        }
    }

    /// The segments' guess of a runtime counts copies; when removing them
    /// changes the most frequent duration, the views are measured again.
    @Test func aRuntimeThatDuplicatesWouldChangeIsMeasuredAgain() throws {
        try withTemporaryFolder { folder in
            func event(_ id: String, _ ts: Int, _ duration: Int, session: String = "s") -> String {
                #"{"ts":\#(ts),"event":"progress","session_id":""# + session + #"","viewer_id":"v","title_id":"t","from":0,"to":90,"duration":\#(duration),"event_id":""# + id + #""}"#
            }
            // Before removal: 100 twice, 200 twice (the larger wins: 200).
            // After: the copy of "a" with 200 goes; 100 is the runtime.
            let lines = [event("a", 1_790_000_000, 100), event("a", 1_790_000_000, 200),
                         event("b", 1_790_000_100, 200), event("c", 1_790_000_200, 100, session: "s2")]
            try write(lines[0..<2].joined(separator: "\n") + "\n", to: folder + "/one.jsonl")
            try write(lines[2...].joined(separator: "\n") + "\n", to: folder + "/two.jsonl")
            let paths = [folder + "/one.jsonl", folder + "/two.jsonl"]
            _ = try StoreEquivalenceTests.ingest(paths, into: folder + "/store", run: 0)
            let report = try StoreEquivalenceTests.fromStore(folder + "/store", metrics: MetricSettings(buckets: 4))
            StoreEquivalenceTests.expectSame(report, try StoreEquivalenceTests.oneShot(paths, metrics: MetricSettings(buckets: 4)))
            #expect(report["titles.csv"]?.contains(",100,") == true, "\(report["titles.csv"] ?? "")")
        }
    }
}

