/// Reads the lines of one file: decides its format from the first
/// non-blank line, skips headers and blank lines, parses and validates each
/// line, counts it in the file's quality row and stores accepted events.
///
/// Owned by the framer for the length of one file (a value, so the hot
/// loop pays no dynamic exclusivity checks).
package struct LineScanner: ~Copyable, LineConsumer {
    private enum Format {
        case pending
        case ndjson
        case delimited
        /// A JSON array or an unreadable header: a file-level error; no
        /// line is read.
        case unreadable
    }

    private var format = Format.pending
    /// Decides the format while `format` is `.pending`.
    private var detector: FormatDetector
    private var json = NDJSONParser()
    private var delimited: DelimitedParser?
    private var header: [UInt8] = []
    private let record = RawRecord()
    private var validator = EventValidator()
    private var event = ValidEvent()

    package var quality: FileQuality
    var store: EventStore
    private(set) var samples: [RejectSample] = []
    private(set) var sampledPerReason = [Int](repeating: 0, count: SkipReason.allCases.count)
    private let sampleLimit: Int
    /// Told of the lines read, a batch at a time; nil for no progress line.
    var progress: RunProgress?
    /// Handed the events gathered so far, and `store` emptied, each time it
    /// holds `spillEvents` (a store's ingest writes them as a block).
    var spill: ((consuming EventStore) -> Void)?
    var spillEvents = Int.max

    init(file: String, store: consuming EventStore, sampleLimit: Int) {
        quality = FileQuality(file: file)
        self.store = store
        self.sampleLimit = sampleLimit
        detector = FormatDetector(fileName: file, keptLineLimit: sampleLimit)
    }

    /// A scanner for a stretch of a file whose format is already known: an
    /// NDJSON file (`header` nil) or a CSV/TSV file with this header line.
    package init(file: String, store: consuming EventStore, sampleLimit: Int, header: [UInt8]?) {
        self.init(file: file, store: store, sampleLimit: sampleLimit)
        if let header {
            self.header = header
            delimited = DelimitedParser(header: header)
            format = .delimited
        } else {
            format = .ndjson
        }
    }

    /// False once the content turned out to be a JSON array.
    var wantsLines: Bool {
        if case .unreadable = format { return false }
        return true
    }

    package mutating func consume(line: UnsafeRawBufferPointer, number: Int) {
        switch format {
        case .ndjson:
            scan(line, number: number)
        case .delimited:
            if isRepeatedHeader(line) { return }
            scan(line, number: number)
        case .pending:
            detector.consume(line: line, number: number)
            // A deciding line that is data is read as the format now decided
            // has it (in a table, a repeat of the header is skipped).
            if applyDecision() { consume(line: line, number: number) }
        case .unreadable:
            return
        }
    }

    mutating func consumeDroppedTail(_ tail: UnsafeRawBufferPointer) {
        guard case .pending = format else { return }
        detector.consumeDroppedTail(tail)
        applyDecision()
    }

    /// Takes on the detector's decision, if it made one, and reads the
    /// lines it kept when the file is NDJSON.
    /// - Returns: whether the deciding line is data (NDJSON).
    @discardableResult
    private mutating func applyDecision() -> Bool {
        guard let decided = detector.decision?.format else { return false }
        let undecided = detector
        detector = FormatDetector(fileName: "", keptLineLimit: 0)
        switch decided {
        case .ndjson:
            format = .ndjson
            readUndecidedLines(of: undecided)
            return true
        case .delimited(let line):
            format = .delimited
            header = line
            delimited = DelimitedParser(header: line)
        case .delimitedFromFirstLine(let table):
            format = .delimited
            header = table.header
            delimited = DelimitedParser(header: table.header)
            let before = quality.lines
            quality.add(table.rows.quality)
            samples = table.rows.samples
            sampledPerReason = table.rows.sampledPerReason
            reportBatches(since: before)
            return true
        case .damaged(let damage):
            format = .unreadable
            quality.damage = damage
        }
        return false
    }

    /// Counts the lines a detector looked at before it decided on NDJSON:
    /// all malformed; the kept ones are read (and sampled) as any line, the
    /// others, which the sample limit would not show, only counted.
    private mutating func readUndecidedLines(of detector: FormatDetector) {
        for line in detector.undecidedLines {
            line.bytes.withUnsafeBytes { scan($0, number: line.number) }
        }
        let unkept = detector.undecidedCount - detector.undecidedLines.count
        guard unkept > 0 else { return }
        let before = quality.lines
        quality.lines += unkept
        quality[.malformed] += unkept
        reportBatches(since: before)
    }

    /// Hands on the full batches of lines counted past `before` lines at
    /// once (the rest goes with the next batch or `reportRemainingLines`).
    private func reportBatches(since before: Int) {
        progress?.add(lines: (quality.lines / RunProgress.lineBatch - before / RunProgress.lineBatch) * RunProgress.lineBatch)
    }

    /// The counts and samples of the lines `detector` looked at before it
    /// decided on NDJSON, for the block pipeline, whose reader frames them
    /// before any block is cut.
    static func undecidedLines(
        of detector: FormatDetector, file: String, sampleLimit: Int
    ) -> (quality: FileQuality, samples: [RejectSample]) {
        var scanner = LineScanner(file: file, store: EventStore(), sampleLimit: sampleLimit, header: nil)
        scanner.readUndecidedLines(of: detector)
        return (scanner.quality, scanner.samples)
    }

    /// Hands on the lines counted since the last full batch.
    func reportRemainingLines() {
        progress?.add(lines: quality.lines & (RunProgress.lineBatch - 1))
    }

    /// A line equal to the header, with or without a byte-order mark.
    @inline(__always)
    private func isRepeatedHeader(_ line: UnsafeRawBufferPointer) -> Bool {
        let extra = line.count - header.count
        guard extra == 0 || extra == 3 else { return false }
        if extra == 3 && !(line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF) { return false }
        return UnsafeRawBufferPointer(rebasing: line[extra...]).elementsEqual(header)
    }

    @inline(__always)
    private mutating func scan(_ line: UnsafeRawBufferPointer, number: Int) {
        if TextCheck.isBlank(line) { return }
        quality.lines += 1
        if quality.lines & (RunProgress.lineBatch - 1) == 0 { progress?.add(lines: RunProgress.lineBatch) }
        let problem = parseAndValidate(line)
        guard let problem else {
            quality.accepted += 1
            store.append(event)
            if store.events.count >= spillEvents, let spill {
                let full = store
                store = EventStore()
                spill(full)
            }
            return
        }
        let reason = problem.reason
        quality[reason] += 1
        if sampledPerReason[reason.rawValue] < sampleLimit {
            sampledPerReason[reason.rawValue] += 1
            samples.append(RejectSample(
                file: quality.file, line: number, reason: reason,
                detail: RejectDescription.detail(problem, record: record).replacingControls(),
                text: RejectDescription.text(of: line)))
        }
    }

    @inline(__always)
    private mutating func parseAndValidate(_ line: UnsafeRawBufferPointer) -> RejectDetail? {
        if let problem = TextCheck.firstProblem(in: line) {
            record.reset()
            return .malformed(problem)
        }
        let malformation: Malformation?
        if case .ndjson = format {
            malformation = json.parse(line, into: record)
        } else {
            malformation = delimited?.parse(line, into: record)
        }
        if let malformation { return .malformed(malformation) }
        // No reset: an accepted line sets every field of `event`.
        return validator.validate(record, into: &event)
    }
}
