#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// Reading with several threads: one producer reads and inflates the files
/// in order and cuts the content into blocks of whole lines
/// (`ReadSettings.blockSize`, 1 MiB by default); workers frame, parse and
/// validate blocks as they come, each into a store of its own. Line numbers
/// are resolved once earlier blocks are counted, and every result is
/// assembled in input order, so the output is the same as reading with one
/// thread. Both cores stay busy even with a single large gzipped file.
enum BlockPipeline {

    /// A stretch of one file's content that ends at a line end (or at the
    /// end of the content).
    struct Block: Sendable {
        var file: Int
        var bytes: [UInt8]
        /// Lines the producer read before this block and kept out of every
        /// block (blank lines and the header before the first block).
        var leadingLines: Int
        /// nil for NDJSON; the header line for CSV/TSV.
        var header: [UInt8]?
        /// The block begins the file's content (a byte-order mark may lead it).
        var atContentStart: Bool
    }

    struct BlockResult: Sendable {
        var file: Int
        /// Where the block's events went: which store, which of its events.
        var events: EventStore.Run
        var leadingLines: Int
        var lineCount: Int
        var quality: FileQuality
        /// Line numbers relative to the block (1 = its first line).
        var samples: [RejectSample]
    }

    /// The outcome of each file, the stores the workers filled, and where
    /// each block's events lie in them, the blocks in read order.
    static func read(
        _ inputs: [InputFile], settings: ReadSettings
    ) -> (outcomes: [FileReading.Outcome], stores: [EventStore], runs: [EventStore.Run]) {
        let results = Mutex([BlockResult?]())
        // Stores by number; a worker takes a free one for each block.
        let stores = Mutex((all: [EventStore](), free: [Int]()))
        // The producer is busy too (it inflates), so with `threads` threads
        // there are `threads - 1` workers, and the producer parses a block
        // itself whenever the workers have blocks waiting (below): two
        // workers and a producer on two cores would share them three ways,
        // slowing the producer, which alone inflates.
        let workers = max(1, settings.threads - 1)
        let group = DispatchGroup()
        let queue = DispatchQueue(label: "audience.blocks", attributes: .concurrent)
        // Blocks handed to the workers, first come first parsed; each is
        // announced by one signal of `announced`, and a signal with no
        // block tells a worker to stop.
        let handed = Mutex([@Sendable () -> Void]())
        let announced = DispatchSemaphore(value: 0)
        // Blocks in flight: twice the threads keeps them busy; at most 8
        // more than the threads bounds memory (each is about a block size)
        // and the stores made (one per block parsed at once, whatever the
        // cores: `ReadSettings.threadLimit`).
        let slots = DispatchSemaphore(value: settings.threads + min(settings.threads, 8))
        for _ in 0..<workers {
            queue.async(group: group) {
                while true {
                    announced.wait()
                    guard let parse = handed.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { return }
                    parse()
                    slots.signal()
                }
            }
        }
        var blockCount = 0

        var outcomes: [FileReading.Outcome] = []
        for (fileIndex, input) in inputs.enumerated() {
            let collector = BlockCollector(
                file: fileIndex, name: input.name, blockSize: settings.blockSize,
                sampleLimit: settings.rejectSampleLimit
            ) { block in
                let number = blockCount
                blockCount += 1
                results.withLock { $0.append(nil) }
                let work = { @Sendable in
                    var (part, store) = stores.withLock { stores in
                        guard let part = stores.free.popLast() else {
                            stores.all.append(EventStore())
                            return (stores.all.count - 1, EventStore())
                        }
                        // Taken out, so this worker holds the only reference.
                        defer { stores.all[part] = EventStore() }
                        return (part, stores.all[part])
                    }
                    let result = parse(
                        block, name: input.name, part: part, store: &store, sampleLimit: settings.rejectSampleLimit,
                        progress: settings.progress)
                    stores.withLock { stores in
                        stores.all[part] = store
                        stores.free.append(part)
                    }
                    results.withLock { $0[number] = result }
                }
                // All slots taken: the workers have blocks waiting, so the
                // producer parses this one rather than wait.
                guard slots.wait(timeout: .now()) == .success else { return work() }
                handed.withLock { $0.append(work) }
                announced.signal()
            }
            outcomes.append(FileReading.read(input, collector: collector, progress: settings.progress))
        }
        for _ in 0..<workers { announced.signal() }
        group.wait()

        // Assemble each file's row: what the producer saw (bytes, damage),
        // plus its blocks' counts in block order, resolving line numbers.
        var linesBefore = [Int](repeating: 0, count: inputs.count)
        let blocks = results.withLock { $0.compactMap { $0 } }
        for result in blocks {
            let file = result.file
            let base = linesBefore[file] + result.leadingLines
            let damage = outcomes[file].quality.damage
            outcomes[file].quality.add(result.quality)
            outcomes[file].quality.damage = damage
            outcomes[file].samples.append(contentsOf: result.samples.map { sample in
                var resolved = sample
                resolved.line += base
                return resolved
            })
            linesBefore[file] = base + result.lineCount
        }
        return (outcomes, stores.withLock { $0.all }, blocks.map(\.events))
    }

    private static func parse(
        _ block: Block, name: String, part: Int, store: inout EventStore, sampleLimit: Int, progress: RunProgress?
    ) -> BlockResult {
        let firstEvent = store.events.count
        var scanner = LineScanner(file: name, store: store, sampleLimit: sampleLimit, header: block.header)
        scanner.progress = progress
        store = EventStore()
        var framer = LineFramer(consumer: scanner, atContentStart: block.atContentStart)
        block.bytes.withUnsafeBytes { framer.consume($0) }
        // A block ends at a line end, or at the content's end: what follows
        // the last line end is the content's last line.
        framer.finish(keepPartialLine: true)
        let lineCount = framer.lineNumber
        scanner = framer.takeConsumer()
        scanner.reportRemainingLines()
        store = scanner.store
        scanner.store = EventStore()
        return BlockResult(
            file: block.file, events: EventStore.Run(part: part, events: firstEvent..<store.events.count),
            leadingLines: block.leadingLines, lineCount: lineCount,
            quality: scanner.quality, samples: scanner.samples)
    }
}

/// Cuts a file's decoded content into blocks for the workers, without
/// looking at each line: only the first lines are framed here, by the same
/// `LineFramer` and `FormatDetector` a file read whole goes through, to
/// decide the format (NDJSON, or CSV/TSV and its header); after that,
/// content goes into blocks as it comes, each cut at a line end
/// (`emitWholeLines`), and the workers frame them.
struct BlockCollector: ~Copyable, ContentSink {
    private let file: Int
    private let name: String
    private let blockSize: Int
    private let sampleLimit: Int
    private let emit: (BlockPipeline.Block) -> Void
    /// Frames the first lines until the format is decided.
    private var detection: LineFramer<FormatDetector>
    private var header: [UInt8]?
    private var decided = false
    private(set) var damage: FileDamage?
    /// The lines before the first block that count (those of spaces, tabs
    /// and carriage returns before the first line of an NDJSON file).
    private(set) var undecided: (quality: FileQuality, samples: [RejectSample])?
    /// Content not yet handed on: before the format is decided, the first
    /// lines; after, the current block.
    private var pending: [UInt8] = []
    /// The content offset of `pending[0]`: above 0 once leading blank lines
    /// or a header left.
    private var pendingOffset = 0
    /// Lines kept out of the next block (blank lines and the header before
    /// the first block).
    private var leadingLines = 0
    /// `pending[..<searchedEnd]` after the last cut holds no line end: a
    /// long line arriving chunk by chunk is searched once, not once per chunk.
    private var searchedEnd = 0

    init(file: Int, name: String, blockSize: Int, sampleLimit: Int, emit: @escaping (BlockPipeline.Block) -> Void) {
        self.file = file
        self.name = name
        self.blockSize = blockSize
        self.sampleLimit = sampleLimit
        self.emit = emit
        detection = LineFramer(consumer: FormatDetector(fileName: name, keptLineLimit: sampleLimit))
        pending.reserveCapacity(Self.capacity(blockSize))
    }

    /// A block's buffer: room for the block and most of the line it is cut
    /// in (1.25 MiB for the default size).
    private static func capacity(_ blockSize: Int) -> Int { min(blockSize, 1 << 24) + min(blockSize / 4, 256 << 10) }

    var wantsMore: Bool { damage == nil }

    mutating func consume(_ bytes: UnsafeRawBufferPointer) {
        guard damage == nil else { return }
        pending.append(contentsOf: bytes)
        if !decided {
            detection.consume(bytes)
            takeDecision()
        }
        if decided && damage == nil && pending.count >= blockSize { emitWholeLines() }
    }

    mutating func finish(keepPartialLine: Bool) {
        guard damage == nil else { return }
        if !decided {
            detection.finish(keepPartialLine: keepPartialLine)
            takeDecision(atEnd: true)
        }
        guard decided, damage == nil else { return }
        emitWholeLines(all: true)
        if keepPartialLine && !pending.isEmpty {
            emit(nextBlock(pending))
        }
        pending.removeAll()
    }

    /// Acts on the detector's decision, if it made one; until then drops
    /// the lines it looked at (it counts what NDJSON would count of them),
    /// so that no shape of first lines is held whole.
    /// - Parameter atEnd: the content has ended, so a header decided now
    ///   was its last line.
    private mutating func takeDecision(atEnd: Bool = false) {
        let detector = detection.consumer
        guard let (format, deciding) = detector.decision else {
            dropContent(upTo: detection.offsetAfterLastLineEnd, lines: detection.lineNumber)
            return
        }
        decided = true
        switch format {
        case .ndjson:
            // The deciding line starts the first block; the workers skip
            // the blank lines after it and count the rest.
            undecided = LineScanner.undecidedLines(of: detector, file: name, sampleLimit: sampleLimit)
            dropContent(upTo: detection.lastLineStart, lines: deciding - 1)
        case .damaged(let damaged):
            damage = damaged
        case .delimitedFromFirstLine(let table):
            // As for NDJSON: the deciding line starts the first block, the
            // rows before it were read by the detector.
            header = table.header
            undecided = (table.rows.quality, table.rows.samples)
            dropContent(upTo: detection.lastLineStart, lines: deciding - 1)
        case .delimited(let line):
            header = line
            dropContent(upTo: detection.offsetAfterLastLineEnd, lines: deciding)
            if atEnd {
                // The header was the content's last line, with no line end.
                pending.removeAll()
            }
        }
        detection = LineFramer(consumer: FormatDetector(fileName: "", keptLineLimit: 0))
    }

    /// Takes the content before `offset` (`lines` lines from the content's
    /// start) out of `pending`: it goes into no block.
    private mutating func dropContent(upTo offset: Int, lines: Int) {
        leadingLines = lines
        guard offset > pendingOffset else { return }
        pending.removeSubrange(0..<(offset - pendingOffset))
        pendingOffset = offset
    }

    /// The next block, of `bytes`, which come right after the last block.
    private mutating func nextBlock(_ bytes: [UInt8]) -> BlockPipeline.Block {
        let made = BlockPipeline.Block(
            file: file, bytes: bytes, leadingLines: leadingLines, header: header,
            atContentStart: pendingOffset == 0)
        leadingLines = 0
        pendingOffset += bytes.count
        return made
    }

    /// Hands on blocks of whole lines, each cut at the last line end within
    /// `blockSize` bytes, or after the line that is longer than that (with
    /// the default size and 1 MiB reads, one block per read); with `all`
    /// (the content's end), the whole lines left over too.
    private mutating func emitWholeLines(all: Bool = false) {
        // `pending[..<handed]` is in blocks already; it leaves at the end.
        var handed = 0
        while handed < pending.count {
            var cut: Int?
            if pending.count - handed >= blockSize {
                let window = handed..<(handed + blockSize)
                if let last = pending[window].lastIndex(of: 0x0A) {
                    cut = last + 1
                } else {
                    // `searchedEnd`: no line end from the window's end on
                    // before it (a long line arriving chunk by chunk is
                    // searched once past the window).
                    let from = max(window.upperBound, searchedEnd)
                    cut = Self.firstLineEnd(in: pending, from: from).map { $0 + 1 }
                    if cut == nil { searchedEnd = pending.count }
                }
            }
            if cut == nil && all { cut = pending[handed...].lastIndex(of: 0x0A).map { $0 + 1 } }
            guard let cut else { break }
            let bytes: [UInt8]
            if handed == 0 && pending.count - cut <= cut {
                // The block takes the buffer itself; only the rest is copied.
                var rest: [UInt8] = []
                rest.reserveCapacity(Self.capacity(blockSize))
                rest.append(contentsOf: pending[cut...])
                pending.removeSubrange(cut...)
                swap(&rest, &pending)
                bytes = rest
            } else {
                bytes = Array(pending[handed..<cut])
                handed = cut
            }
            searchedEnd = handed
            emit(nextBlock(bytes))
        }
        if handed > 0 {
            pending.removeSubrange(0..<handed)
            searchedEnd = max(0, searchedEnd - handed)
        }
    }

    /// The index of the first `\n` in `bytes` at or after `start`.
    private static func firstLineEnd(in bytes: [UInt8], from start: Int) -> Int? {
        bytes.withUnsafeBytes { raw in
            guard start < raw.count, let base = raw.baseAddress,
                  let found = memchr(base + start, 0x0A, raw.count - start) else { return nil }
            return UnsafeRawPointer(found) - base
        }
    }
}
