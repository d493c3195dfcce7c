import Testing

@testable import AudienceReading
@testable import AudienceStore
@testable import AudienceKit

/// viewing-events.md, "Views": every result must be the same whatever the
/// order of lines and files, and whatever the number of threads. A mixed
/// set of lines (valid, duplicates of every kind, copies that differ, each
/// rejection reason, blanks) is shuffled by a printed seed, dealt over
/// several NDJSON and CSV files (some gzipped), the files shuffled too, and
/// read with 1 and 2 threads: the TOTAL counts and the set of kept events
/// must not change.
@Suite struct ShuffleInvarianceTests {
    static let csvHeader = "ts,event,session_id,viewer_id,title_id,from,to,position,duration,device,event_id"

    /// Per view (4 views): start, 4 progress reports, an exact duplicate,
    /// a copy with other attributes, a pause with an id copy at an earlier
    /// ts, a stop: 10 accepted lines, 3 of them duplicates. Then one line of
    /// each rejection reason and two blank lines.
    static let ndjsonPool: [String] = {
        var lines: [String] = []
        let views = [("s1", "t1", "v1"), ("s1", "t2", "v1"), ("s2", "t1", "v2"), ("s3", "t3", "v3")]
        for (index, (session, title, viewer)) in views.enumerated() {
            let t = 1_795_467_845 + index * 3600
            let base = JSONLine.start.with("session_id", "\"\(session)\"").with("title_id", "\"\(title)\"")
                .with("viewer_id", "\"\(viewer)\"").with("ts", "\(t)")
            lines.append(base.with("device", #""tv""#).with("country", #""kr""#).text)
            for k in 0..<4 {
                let progress = base.with("event", #""progress""#).with("ts", "\(t + 10 * (k + 1))")
                    .with("from", "\(k * 10)").with("to", "\((k + 1) * 10)").with("duration", "3600")
                lines.append(progress.text)
                if k == 1 { lines.append(progress.text) }
                if k == 2 { lines.append(progress.with("viewer_id", #""v9""#).with("device", #""web""#).text) }
            }
            let pause = base.with("event", #""pause""#).with("event_id", "\"p-\(index)\"")
            lines.append(pause.with("ts", "\(t + 100)").with("position", "40").text)
            lines.append(pause.with("ts", "\(t + 99)").with("position", "39").with("device", #""mobile""#).text)
            lines.append(base.with("event", #""stop""#).with("ts", "\(t + 200)").with("position", "41.5").text)
        }
        lines += [
            "{oops", JSONLine.start.with("event", #""heartbeat""#).text, JSONLine.start.without("viewer_id").text,
            JSONLine.start.with("ts", #""later""#).text, JSONLine.start.with("position", #""x""#).text,
            JSONLine.progress.with("to", "5").text, "   ", "\t",
        ]
        return lines
    }()

    /// Rows that copy NDJSON events (another format, other number forms),
    /// an id pair, each rejection reason, a blank, and a repeated header.
    static let csvPool: [String] = [
        "1795467845,start,s1,v1,t1,,,,,tv,",  // copy of view 1's start, without country: this one is kept
        "2026-11-23T21:04:15Z,progress,s1,v1,t1,0.0,1e1,,3600,,",  // copy of view 1's first progress
        "1795467845000,pause,s4,v4,t4,,,5,,console,p-9",
        "1795467846,pause,s4,v4,t4,,,6,,console,p-9",
        "bad,start,s4,v4,t4,,,,,,",
        "1795467845,start,s4,v4,t4,,,,-1,,",
        "1795467845,start,s4,v4,t4,x,,,,,",
        "1795467845,start,s4,,t4,,,,,,",
        "1795467845,bogus,s4,v4,t4,,,,,,",
        "1795467845,start,s4",
        #"1795467845,start,"s4,v4,t4,,,,,,"#,
        " ",
        csvHeader,
    ]

    /// By hand: NDJSON 4·10 accepted + 6 rejects (one per reason); CSV 4
    /// accepted + 7 rejects (2 malformed, one of each other reason).
    /// Duplicates: 3 per view (12), plus the CSV start and progress copies
    /// and the p-9 pair (3).
    static let expectedTotal = Tally(
        lines: 57, accepted: 44, ignoredEvent: 2, malformed: 3, missingField: 2, badTimestamp: 2, badNumber: 2,
        badSegment: 2)
    static let expectedDuplicates = 15

    struct Outcome: Equatable {
        var total: Tally
        var duplicates: Int
        var kept: [String]
    }

    /// Writes the files (in `order`, gzipping those whose index is in
    /// `gzipped`) and reads them.
    static func run(
        ndjson: [[String]], csv: [[String]], order: [Int], gzipped: Set<Int>, threads: Int, folder: String,
        blockSize: Int = ReadSettings.defaultBlockSize
    ) throws -> Outcome {
        var contents: [(name: String, text: String)] = []
        for (index, lines) in ndjson.enumerated() {
            contents.append(("n\(index).jsonl", lines.map { $0 + "\n" }.joined()))
        }
        for (index, lines) in csv.enumerated() {
            contents.append(("c\(index).csv", ([csvHeader] + lines).map { $0 + "\r\n" }.joined()))
        }
        var inputs: [InputFile] = []
        for index in order {
            var (name, text) = contents[index]
            var bytes = Array(text.utf8)
            if gzipped.contains(index) {
                name += ".gz"
                bytes = Gzip.member(bytes)
            }
            let path = folder + "/" + name
            try write(bytes, to: path)
            inputs.append(InputFile(name: name, path: path))
        }
        let result = Reading.read(inputs, settings: ReadSettings(threads: threads, blockSize: blockSize))
        #expect(result.files.allSatisfy { $0.damage == nil })
        return Outcome(total: Tally(result.total), duplicates: result.events.duplicates, kept: keptEvents(result))
    }

    /// Cuts `items` into `parts` consecutive runs at random places.
    static func deal(_ items: [String], into parts: Int, using generator: inout SeededGenerator) -> [[String]] {
        let cuts = (0..<(parts - 1)).map { _ in Int.random(in: 0...items.count, using: &generator) }.sorted()
        var result: [[String]] = []
        var start = 0
        for cut in cuts + [items.count] {
            result.append(Array(items[start..<cut]))
            start = cut
        }
        return result
    }

    static let seeds: [UInt64] = [1, 2, 3, 20_261_123, UInt64.random(in: 0...UInt64.max)]

    @Test func baselineTotals() throws {
        try withTemporaryFolder { folder in
            let baseline = try Self.run(
                ndjson: [Self.ndjsonPool], csv: [Self.csvPool], order: [0, 1], gzipped: [], threads: 1, folder: folder)
            #expect(baseline.total == Self.expectedTotal)
            #expect(baseline.duplicates == Self.expectedDuplicates)
            // 44 accepted − 15 duplicates.
            #expect(baseline.kept.count == 29)
        }
    }

    @Test(arguments: seeds)
    func shuffledLinesFilesAndThreads(seed: UInt64) throws {
        print("ShuffleInvarianceTests seed \(seed)")
        try withTemporaryFolder { folder in
            let baseline = try Self.run(
                ndjson: [Self.ndjsonPool], csv: [Self.csvPool], order: [0, 1], gzipped: [], threads: 1,
                folder: folder + "/baseline")
            var generator = SeededGenerator(seed: seed)
            for round in 0..<3 {
                let ndjson = Self.deal(Self.ndjsonPool.shuffled(using: &generator), into: 3, using: &generator)
                let csv = Self.deal(Self.csvPool.shuffled(using: &generator), into: 2, using: &generator)
                let order = Array(0..<5).shuffled(using: &generator)
                let gzipped = Set((0..<5).filter { _ in Bool.random(using: &generator) })
                // 5 files: read whole by 2 workers, through the block pipeline
                // by 3, in blocks of the default size and of a few bytes (every
                // line on a boundary, the header and first lines split).
                for (threads, blockSize) in [(1, ReadSettings.defaultBlockSize), (2, ReadSettings.defaultBlockSize),
                                             (3, ReadSettings.defaultBlockSize), (3, 1), (3, 7), (3, 100)] {
                    let outcome = try Self.run(
                        ndjson: ndjson, csv: csv, order: order, gzipped: gzipped, threads: threads,
                        folder: folder + "/r\(round)t\(threads)b\(blockSize)", blockSize: blockSize)
                    let context = "seed \(seed) round \(round) threads \(threads) block size \(blockSize)"
                    #expect(outcome.total == baseline.total, "\(context)")
                    #expect(outcome.duplicates == baseline.duplicates, "\(context)")
                    #expect(outcome.kept == baseline.kept, "\(context)")
                }
            }
        }
    }
}
