import Testing
@testable import AudienceReading
@testable import AudienceMetrics
@testable import AudienceKit

/// Every table is byte-identical for any order of lines and files and any
/// thread count.
@Test(arguments: [11, 12, 13] as [UInt64])
func tablesDoNotDependOnOrderOrThreads(seed: UInt64) throws {
    var random = SeededGenerator(seed: seed)
    var lines: [String] = []
    let countries = ["KR", "kr", "US", "DE", ""]
    for session in 0..<60 {
        let viewer = "v\(Int.random(in: 0..<15, using: &random))"
        let title = "T\(Int.random(in: 0..<6, using: &random))"
        let duration = [600, 1200, 1800][Int.random(in: 0..<3, using: &random)]
        let day = Int.random(in: 1...4, using: &random)
        let country = countries[Int.random(in: 0..<countries.count, using: &random)]
        var extra = #","duration":\#(duration),"series_id":"S\#(title.last ?? "0")","episode":\#(session % 4)"#
        if !country.isEmpty { extra += #","country":"\#(country)""# }
        var position = 0
        for step in 0..<Int.random(in: 0...8, using: &random) {
            let to = position + Int.random(in: 0...300, using: &random)
            let ts = "2026-11-0\(day)T\(10 + step):0\(step % 6):00Z"
            lines.append(event("s\(session)", "progress", ts, viewer: viewer, title: title,
                               extra + #","from":\#(position),"to":\#(to)"#))
            if Int.random(in: 0..<5, using: &random) == 0 { lines.append(lines[lines.count - 1]) }  // a duplicate
            position = to
        }
        lines.append(event("s\(session)", Bool.random(using: &random) ? "complete" : "stop",
                           "2026-11-0\(day)T23:00:00Z", viewer: viewer, title: title, extra))
    }
    func render(_ lines: [String], files: Int, threads: Int) throws -> [String] {
        try withTemporaryFolder { folder in
            var inputs: [InputFile] = []
            for file in 0..<files {
                let path = folder + "/part\(file).jsonl"
                let share = lines.enumerated().filter { $0.offset % files == file }.map(\.element)
                try write(share.joined(separator: "\n") + "\n", to: path)
                inputs.append(InputFile(name: "part\(file).jsonl", path: path))
            }
            let read = Reading.read(inputs, settings: ReadSettings(threads: threads))
            let result = AudienceTables(ViewSet(read.events, settings: MetricSettings(buckets: 10), threads: threads), threads: threads)
            return result.all.map(\.table.rendered)
        }
    }
    let reference = try render(lines, files: 1, threads: 1)
    // 3 files are too few to share out whole: the block pipeline; 6 files
    // with 2 or 3 threads are read whole, a worker per file.
    for (files, threads) in [(3, 1), (3, 2), (3, 4), (6, 2), (6, 3), (6, 4)] {
        var shuffled = lines
        shuffled.shuffle(using: &random)
        #expect(try render(shuffled, files: files, threads: threads) == reference,
                "seed \(seed), \(files) files, threads \(threads)")
    }
}

/// The quality account and the rejected samples (file, line, reason) are the
/// same whether files are read one after another, shared out whole between
/// workers, or cut into blocks.
@Test func qualityAndRejectsDoNotDependOnTheReadingPath() throws {
    try withTemporaryFolder { folder in
        var inputs: [InputFile] = []
        for file in 0..<6 {
            var lines: [String] = []
            for line in 0..<40 {
                switch (file + line) % 7 {
                case 0: lines.append("{broken \(line)")
                case 1: lines.append(#"{"event":"progress","ts":"2026-11-23T20:00:00Z"}"#)
                case 2: lines.append(event("s\(line)", "progress", "yesterday", #","from":0,"to":5"#))
                default: lines.append(event("s\(line)", "progress", "2026-11-23T20:00:0\(line % 10)Z", #","from":0,"to":5"#))
                }
            }
            let path = folder + "/f\(file).jsonl"
            try write(lines.joined(separator: "\n") + "\n", to: path)
            inputs.append(InputFile(name: "f\(file).jsonl", path: path))
        }
        func account(threads: Int) -> [String] {
            let read = Reading.read(inputs, settings: ReadSettings(rejectSampleLimit: 5, threads: threads))
            return [QualityTables.quality(read).rendered, QualityTables.rejects(read).rendered]
        }
        let sequential = account(threads: 1)
        #expect(sequential[1].split(separator: "\n").count == 16)  // header + 5 of each of 3 reasons
        for threads in [2, 3, 4] { #expect(account(threads: threads) == sequential, "threads \(threads)") }
    }
}
