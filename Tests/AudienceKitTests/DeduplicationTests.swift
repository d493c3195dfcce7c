import Testing

@testable import AudienceReading
@testable import AudienceMetrics
@testable import AudienceKit

/// viewing-events.md, duplicates: within a view, the same `event_id`, or,
/// when neither has one, equal `event`, `ts` (to the millisecond), `from`,
/// `to` and `position` (numbers by value, absent equal only to absent).
/// The copy kept is the smallest by `ts`, then by each field in the order
/// of the field table, so it never depends on line or file order.
@Suite struct DeduplicationTests {
    /// Reads each "file" (its lines) into a store of its own, merges them as
    /// a run does and removes duplicates.
    static func deduplicate(_ files: [[String]]) -> DeduplicatedEvents {
        var stores: [EventStore] = []
        for (index, lines) in files.enumerated() {
            let result = read(lines.joined(separator: "\n") + "\n", name: "f\(index)")
            #expect(result.quality.accepted == lines.count, "every fixture line is valid: \(result.samples.map(\.detail))")
            stores.append(result.store)
        }
        return DeduplicatedEvents(EventStore.merged(stores))
    }

    static func kept(_ events: DeduplicatedEvents) -> [String] {
        events.kept.map { render(events.store.events[Int($0)], events.store) }.sorted()
    }

    static let pause = JSONLine.start.with("event", #""pause""#).with("position", "30")

    // MARK: which events are copies

    @Test func sameEventIDInAView() {
        let a = Self.pause.with("event_id", #""x""#)
        let b = a.with("ts", #""2026-11-23T21:04:06Z""#).with("event", #""stop""#).with("position", "99")
        #expect(Self.deduplicate([[a.text, b.text]]).duplicates == 1)
    }

    /// The same id in two views (another session, another title) is not a copy.
    @Test func sameEventIDInOtherViews() {
        let a = Self.pause.with("event_id", #""x""#)
        let events = Self.deduplicate([[a.text, a.with("session_id", #""s2""#).text, a.with("title_id", #""t2""#).text]])
        #expect(events.duplicates == 0)
    }

    /// One with an `event_id` and one without are never copies.
    @Test func eventIDAndNoEventID() {
        let a = Self.pause
        let events = Self.deduplicate([[a.text, a.with("event_id", #""x""#).text, a.with("event_id", #""y""#).text]])
        #expect(events.duplicates == 0)
        // An empty event_id is absent.
        #expect(Self.deduplicate([[a.text, a.with("event_id", #""""#).text, a.with("event_id", #"" ""#).text]]).duplicates == 2)
    }

    /// Without ids: equal event, ts, from, to and position are copies, even
    /// when other fields differ; ts compared after rounding to the
    /// millisecond, numbers by value.
    @Test func sameKeyWithoutIDs() {
        let a = JSONLine.progress.with("position", "30")
        let copies = [
            a,
            a.with("viewer_id", #""other""#).with("device", #""tv""#).with("duration", "100"),
            a.with("ts", "1795467845"),
            a.with("ts", #""1795467845000""#),
            a.with("ts", #""2026-11-23T21:04:05.0004Z""#),
            a.with("ts", #""2026-11-24T06:04:05+09:00""#),
            a.with("ts", "1.795467845e9"),
            a.with("from", #""10.0""#),
            a.with("from", "1e1"),
            a.with("from", #"" +10 ""#).with("to", "2e1"),
            a.with("position", "30.000").with("to", #""20.0""#),
            a.with("from", "10.00000000000000000000"),
        ]
        #expect(Self.deduplicate([copies.map(\.text)]).duplicates == copies.count - 1)
    }

    /// Absent is not 0; a millisecond apart is another event; another
    /// event kind is another event.
    @Test func differentKeys() {
        let a = Self.pause
        let others = [
            a, a.without("position"), a.with("position", "0"), a.with("position", "30.001"),
            a.with("ts", #""2026-11-23T21:04:05.001Z""#), a.with("ts", #""2026-11-23T21:04:05.0005Z""#),
            a.with("event", #""stop""#), a.with("from", "0"), a.with("to", "0"),
            a.with("from", "0").with("to", "0"), a.with("from", "30").without("position"),
        ]
        // `.0005Z` rounds to .001: the same as the line before it.
        #expect(Self.deduplicate([others.map(\.text)]).duplicates == 1)
    }

    /// `-0` and `0` are the same value.
    @Test func negativeZeroEqualsZero() {
        let a = Self.pause.with("position", "0")
        #expect(Self.deduplicate([[a.text, a.with("position", "-0").text, a.with("position", #""-0.0""#).text]]).duplicates == 2)
    }

    /// Copies spread over files are found, and counted in TOTAL alone.
    @Test func acrossFiles() throws {
        try withTemporaryFolder { folder in
            let a = Self.pause.text
            let b = Self.pause.with("event_id", #""id-1""#).text
            let c = Self.pause.with("event_id", #""id-1""#).with("ts", "1795467999").text
            var inputs: [InputFile] = []
            for (index, lines) in [[a, b], [a], [c, a]].enumerated() {
                let path = folder + "/f\(index).jsonl"
                try write(lines.joined(separator: "\n") + "\n", to: path)
                inputs.append(InputFile(name: "f\(index).jsonl", path: path))
            }
            for threads in [1, 2, 3] {
                let result = Reading.read(inputs, settings: ReadSettings(threads: threads))
                // a ×3 (2 copies), b and c share an id (1 copy).
                #expect(result.events.duplicates == 3)
                #expect(result.total.accepted == 5)
                let table = QualityTables.quality(result).rendered
                let rows = table.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
                #expect(rows.count == 5)
                #expect(rows[1...3].allSatisfy { $0[10] == "" }, "file rows leave duplicate empty")
                #expect(rows[4][0] == "TOTAL" && rows[4][10] == "3")
            }
        }
    }

    // MARK: which copy is kept

    /// Copies without ids sharing (pause, ts, -, -, 30), differing elsewhere.
    /// By the field table: viewer v1 < v2 leaves c2, c3, c4; duration absent
    /// first leaves c3, c4; series, season, episode absent in both; country
    /// `kr` and `KR` are both `KR` once normalised; region absent first
    /// leaves c3.
    static let keyCopies: [String] = [
        pause.with("viewer_id", #""v2""#).with("duration", "100").with("device", #""tv""#).text,  // c1
        pause.with("viewer_id", #""v1""#).with("duration", "100").with("device", #""web""#).text,  // c2
        pause.with("viewer_id", #""v1""#).with("country", #""kr""#).with("device", #""mobile""#).text,  // c3
        pause.with("viewer_id", #""v1""#).with("country", #""KR""#).with("region", #""KR-11""#).with("device", #""console""#).text,  // c4
    ]
    static let keptKeyCopy = ["1795467845000", "pause", "s1", "v1", "t1", "-", "-", "30.0", "-", "", "-1", "-1",
                              "KR", "", "mobile", "", "", ""].joined(separator: "|")

    /// Copies sharing the id `e`. Smallest ts (.001) leaves d2..d5; then
    /// the event: `complete` < `pause` in byte order leaves d5, whatever its
    /// viewer.
    static let idCopies: [String] = [
        pause.with("event_id", #""e""#).with("ts", #""2026-11-23T21:04:05.005Z""#).with("viewer_id", #""a""#).text,  // d1
        pause.with("event_id", #""e""#).with("ts", #""2026-11-23T21:04:05.001Z""#).with("viewer_id", #""z""#).text,  // d2
        pause.with("event_id", #""e""#).with("ts", #""2026-11-23T21:04:05.001Z""#).with("viewer_id", #""m""#).with("from", "5").text,  // d3
        pause.with("event_id", #""e""#).with("ts", "1795467845.001").with("viewer_id", #""m""#).text,  // d4
        JSONLine.start.with("event", #""complete""#).with("event_id", #""e""#).with("ts", #""2026-11-23T21:04:05.001Z""#)
            .with("viewer_id", #""zz""#).text,  // d5
    ]
    static let keptIDCopy = ["1795467845001", "complete", "s1", "zz", "t1", "-", "-", "-", "-", "", "-1", "-1",
                             "", "", "", "", "", "e"].joined(separator: "|")

    /// Without d5, d2..d4 remain: viewer m < z leaves d3, d4; `from` absent
    /// first leaves d4.
    static let keptIDCopyWithoutD5 = ["1795467845001", "pause", "s1", "m", "t1", "-", "-", "30.0", "-", "", "-1", "-1",
                                      "", "", "", "", "", "e"].joined(separator: "|")

    @Test func keptCopyWhateverTheOrder() {
        for permutation in Self.permutations(Array(0..<Self.keyCopies.count)) {
            let lines = permutation.map { Self.keyCopies[$0] }
            for files in [[lines], lines.map { [$0] }, [Array(lines.prefix(2)), Array(lines.dropFirst(2))]] {
                let events = Self.deduplicate(files)
                #expect(events.duplicates == 3)
                #expect(Self.kept(events) == [Self.keptKeyCopy], "order \(permutation)")
            }
        }
    }

    @Test func keptCopyByIDWhateverTheOrder() {
        for permutation in Self.permutations(Array(0..<Self.idCopies.count)) {
            let lines = permutation.map { Self.idCopies[$0] }
            for files in [[lines], lines.map { [$0] }] {
                let events = Self.deduplicate(files)
                #expect(events.duplicates == 4)
                #expect(Self.kept(events) == [Self.keptIDCopy], "order \(permutation)")
            }
            let withoutD5 = permutation.filter { $0 != 4 }.map { Self.idCopies[$0] }
            #expect(Self.kept(Self.deduplicate([withoutD5])) == [Self.keptIDCopyWithoutD5], "order \(permutation)")
        }
    }

    /// The same through `Reading.read` with files and threads.
    @Test(arguments: [1, 2, 4])
    func keptCopyThroughFilesAndThreads(threads: Int) throws {
        try withTemporaryFolder { folder in
            var inputs: [InputFile] = []
            let lines = Self.keyCopies.reversed() + Self.idCopies.reversed()
            for (index, line) in lines.enumerated() {
                let path = folder + "/f\(index).jsonl"
                try write(line + "\n", to: path)
                inputs.append(InputFile(name: "f\(index).jsonl", path: path))
            }
            let result = Reading.read(inputs, settings: ReadSettings(threads: threads))
            #expect(result.events.duplicates == 7)
            #expect(keptEvents(result) == [Self.keptKeyCopy, Self.keptIDCopy].sorted())
        }
    }

    static func permutations(_ items: [Int]) -> [[Int]] {
        guard items.count > 1 else { return [items] }
        var result: [[Int]] = []
        for (index, item) in items.enumerated() {
            var rest = items
            rest.remove(at: index)
            for tail in permutations(rest) { result.append([item] + tail) }
        }
        return result
    }
}
