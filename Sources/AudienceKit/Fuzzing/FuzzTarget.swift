import AudienceReading

/// The checks a coverage-guided fuzzer runs on arbitrary bytes, one per
/// stage of reading, and the same checks replayed on the committed corpus by
/// the unit tests (`FuzzRegressionTests`), so a corpus file or a crash found
/// once stays a test for good.
///
/// Each check feeds the bytes through the engine's internal entry points
/// (nothing is printed, nothing touches the disk) and compares what comes out
/// with an invariant or a plain reference: the counts of a file add up, the
/// chunking of the input never shows, a gzip file reads like its content, a
/// number is what `strtod` says. A trap (overflow, index out of range) is a
/// failure by itself; a broken invariant is returned as words.
///
/// The harness in `Fuzz/` calls `run(_:)` from `LLVMFuzzerTestOneInput` and
/// traps on a non-nil answer; see `docs/fuzzing.md`.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// A file's content whose name says NDJSON: format sniffing from the
    /// first line, framing, strict JSON, validation, reject descriptions.
    case ndjson
    /// A header row and CSV/TSV lines, against a reference splitter.
    case delimited
    /// gzip members built from the input's content, then cut, padded,
    /// followed by junk or corrupted; or the input read as a gzip file.
    case gzip
    /// `ts` values and numeric fields against reference parsers.
    case numbers
    /// The `--catalog` CSV and the `--timezone` value.
    case options

    /// Runs the check on `bytes`; nil when every invariant holds, else what broke.
    public func run(_ bytes: [UInt8]) -> String? {
        switch self {
        case .ndjson: Self.checkFile(bytes, name: "fuzz.jsonl")
        case .delimited: Self.checkDelimited(bytes)
        case .gzip: Self.checkGzip(bytes)
        case .numbers: Self.checkNumbers(bytes)
        case .options: Self.checkOptions(bytes)
        }
    }
}

extension FuzzTarget {
    /// What reading some bytes as a file gave.
    struct FileResult: Equatable {
        var quality: FileQuality
        var samples: [RejectSample]
        var events: [EventRecord]
    }

    /// Reads `contents` as the file `name`, handed over `chunkSize` bytes at
    /// a time.
    static func read(_ contents: [UInt8], name: String, chunkSize: Int = ChunkReader.chunkSize) -> FileResult {
        var store = EventStore()
        let outcome = FileReading.read(
            name: name, contents: contents, chunkSize: chunkSize, into: &store, sampleLimit: 1000)
        return FileResult(quality: outcome.quality, samples: outcome.samples, events: Array(store.events))
    }

    /// A chunk size the bytes choose (1 to 16), so the fuzzer explores
    /// chunk boundaries too.
    static func chunkSize(for bytes: [UInt8]) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return 1 + Int(hash % 16)
    }

    /// Reads the bytes whole and in small chunks, checks that chunking does
    /// not show and that the counts add up; returns the whole reading.
    static func readChecked(_ bytes: [UInt8], name: String) -> Result<FileResult, FuzzFailure> {
        let whole = read(bytes, name: name)
        let chunked = read(bytes, name: name, chunkSize: chunkSize(for: bytes))
        guard whole == chunked else {
            return .failure(FuzzFailure("reading in chunks of \(chunkSize(for: bytes)) differs: \(whole) vs \(chunked)"))
        }
        if let problem = accountProblem(whole) { return .failure(FuzzFailure(problem)) }
        return .success(whole)
    }

    /// Every counted line is accepted or has one reason; every accepted
    /// line is stored once, with values the contract allows; samples are
    /// rejects of counted lines.
    static func accountProblem(_ reading: FileResult) -> String? {
        let quality = reading.quality
        if quality.lines != quality.accepted + quality.rejected.reduce(0, +) {
            return "lines \(quality.lines) != accepted \(quality.accepted) + rejected \(quality.rejected)"
        }
        if quality.accepted != reading.events.count {
            return "accepted \(quality.accepted) but \(reading.events.count) events stored"
        }
        for reason in SkipReason.allCases where reading.samples.filter({ $0.reason == reason }).count > quality[reason] {
            return "more \(reason.name) samples than \(reason.name) lines"
        }
        for event in reading.events {
            if event.timestamp < Timestamp.windowStart || event.timestamp >= Timestamp.windowEnd {
                return "accepted ts \(event.timestamp) outside the window"
            }
            for value in [event.from, event.to, event.position] where value < 0 || value.isInfinite {
                return "accepted a negative or infinite from, to or position: \(event)"
            }
            if event.duration <= 0 || event.duration.isInfinite { return "accepted duration \(event.duration)" }
            if (event.kind == .progress || event.kind == .seek) && (event.from.isNaN || event.to.isNaN) {
                return "accepted \(event.kind.name) without from and to"
            }
            if event.kind == .progress && event.to < event.from { return "accepted progress with to < from" }
        }
        return nil
    }

    /// The whole-file path (any format, as the content decides) and, when
    /// the content turns out to be NDJSON or CSV/TSV, every line fed on its
    /// own to a scanner that knows the format: both must count the same.
    static func checkFile(_ bytes: [UInt8], name: String) -> String? {
        let whole: FileResult
        switch readChecked(bytes, name: name) {
        case .failure(let failure): return failure.message
        case .success(let reading): whole = reading
        }
        guard whole.quality.damage == nil, !bytes.starts(with: [0x1F, 0x8B]) else { return nil }
        var lines = Lines(bytes).all
        let namedAsJSON = FormatSniffing.isNamedAsJSON(name)
        func verdict(_ line: [UInt8]) -> FormatSniffing.Verdict {
            line.withUnsafeBytes { FormatSniffing.verdict($0, namedAsJSON: namedAsJSON) }
        }
        guard let first = lines.firstIndex(where: { verdict($0) != .undecided }) else {
            return whole.quality.lines == 0 ? nil : "a file of blank lines counted \(whole.quality.lines) lines"
        }
        let header: [UInt8]?
        switch verdict(lines[first]) {
        case .ndjson: header = nil
        case .header where namesAField(lines[first]):
            // (A header naming no field may be NDJSON's first line, by the file's name.)
            header = lines[first]
            lines.removeSubrange(...first)
        default: return nil
        }
        var scanner = LineScanner(file: name, store: EventStore(), sampleLimit: 1000, header: header)
        for line in lines { line.withUnsafeBytes { scanner.consume(line: $0, number: 0) } }
        if scanner.quality.lines != whole.quality.lines || scanner.quality.rejected != whole.quality.rejected {
            return "line by line \(scanner.quality) but the file read \(whole.quality)"
        }
        return nil
    }
}

extension FuzzTarget {
    /// Whether a readable header row names at least one field.
    static func namesAField(_ header: [UInt8]) -> Bool {
        guard let layout = header.withUnsafeBytes(DelimitedParser.headerLayout) else { return false }
        return layout.names.contains { name in name.withUnsafeBytes { Field.named($0) != nil } }
    }
}

/// A broken invariant, in words.
struct FuzzFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// A content's lines as the framer cuts them, by a plain reference: a
/// leading byte-order mark skipped, `\n` ends a line, a `\r` before it goes
/// with the line end, the text after the last `\n` is a line when not empty.
struct Lines {
    var all: [[UInt8]] = []

    init(_ content: [UInt8]) {
        var rest = content[...]
        if rest.starts(with: [0xEF, 0xBB, 0xBF]) { rest = rest.dropFirst(3) }
        while let newline = rest.firstIndex(of: 0x0A) {
            var line = Array(rest[..<newline])
            if line.last == 0x0D { line.removeLast() }
            all.append(line)
            rest = rest[(newline + 1)...]
        }
        if !rest.isEmpty { all.append(Array(rest)) }
    }
}
