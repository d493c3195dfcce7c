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
    /// end of the content, `lastLineUnterminated`).
    struct Block: Sendable {
        var file: Int
        var bytes: [UInt8]
        /// Lines the producer read before this block and kept out of every
        /// block (blank lines and the header before the first block).
        var leadingLines: Int
        /// nil for NDJSON; the header line for CSV/TSV.
        var header: [UInt8]?
        var lastLineUnterminated: Bool
    }

    struct BlockResult: Sendable {
        var file: Int
        var leadingLines: Int
        var lineCount: Int
        var quality: FileQuality
        /// Line numbers relative to the block (1 = its first line).
        var samples: [RejectSample]
    }

    static func read(_ inputs: [InputFile], settings: ReadSettings) -> (outcomes: [FileReading.Outcome], stores: [EventStore]) {
        let results = Mutex([BlockResult?]())
        let freeStores = Mutex([EventStore]())
        let group = DispatchGroup()
        let queue = DispatchQueue(label: "audience.blocks", attributes: .concurrent)
        // Blocks in flight: twice the workers keeps them busy; at most 8
        // more than the workers bounds memory (each is about a block size)
        // and the stores made (one per block parsed at once, whatever the
        // cores: `ReadSettings.threadLimit`).
        let slots = DispatchSemaphore(value: settings.threads + min(settings.threads, 8))
        var blockCount = 0

        var outcomes: [FileReading.Outcome] = []
        for (fileIndex, input) in inputs.enumerated() {
            let collector = BlockCollector(file: fileIndex, name: input.name, blockSize: settings.blockSize) { block in
                let number = blockCount
                blockCount += 1
                results.withLock { $0.append(nil) }
                slots.wait()
                queue.async(group: group) {
                    var store = freeStores.withLock { $0.popLast() } ?? EventStore()
                    let result = parse(
                        block, name: input.name, store: &store, sampleLimit: settings.rejectSampleLimit,
                        progress: settings.progress)
                    freeStores.withLock { $0.append(store) }
                    results.withLock { $0[number] = result }
                    slots.signal()
                }
            }
            outcomes.append(FileReading.read(input, collector: collector, progress: settings.progress))
        }
        group.wait()

        // Assemble each file's row: what the producer saw (bytes, damage),
        // plus its blocks' counts in block order, resolving line numbers.
        var linesBefore = [Int](repeating: 0, count: inputs.count)
        for result in results.withLock({ $0.compactMap { $0 } }) {
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
        return (outcomes, freeStores.withLock { $0 })
    }

    private static func parse(
        _ block: Block, name: String, store: inout EventStore, sampleLimit: Int, progress: RunProgress?
    ) -> BlockResult {
        var scanner = LineScanner(file: name, store: store, sampleLimit: sampleLimit, header: block.header)
        scanner.progress = progress
        defer { scanner.reportRemainingLines() }
        store = EventStore()
        var number = 0
        block.bytes.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            var start = 0
            while start < bytes.count {
                number += 1
                guard let newline = memchr(base + start, 0x0A, bytes.count - start) else {
                    // The content's last line, with no line end: a `\r` here is text.
                    scanner.consume(line: UnsafeRawBufferPointer(start: base + start, count: bytes.count - start), number: number)
                    break
                }
                var end = UnsafeRawPointer(newline) - base
                let next = end + 1
                if end > start && bytes[end - 1] == 0x0D { end -= 1 }
                scanner.consume(line: UnsafeRawBufferPointer(start: base + start, count: end - start), number: number)
                start = next
            }
        }
        store = scanner.store
        scanner.store = EventStore()
        return BlockResult(
            file: block.file, leadingLines: block.leadingLines, lineCount: number,
            quality: scanner.quality, samples: scanner.samples)
    }
}

/// Cuts a file's decoded content into blocks for the workers, without
/// looking at each line: only the first lines are framed here, to skip a
/// byte-order mark and decide the format (NDJSON, or CSV/TSV and its header)
/// as `LineScanner` does; after that, content goes into blocks as it comes,
/// each cut at a line end (`emitWholeLines`).
struct BlockCollector: ~Copyable, ContentSink {
    private let file: Int
    private let blockSize: Int
    private let namedAsJSON: Bool
    private let emit: (BlockPipeline.Block) -> Void
    private var header: [UInt8]?
    private var decided = false
    private(set) var damage: FileDamage?
    /// Content not yet handed on: before the format is decided, the first
    /// lines; after, the current block.
    private var pending: [UInt8] = []
    private var atContentStart = true
    private var leadingLines = 0
    /// While the format is undecided: where the next line to look at starts
    /// in `pending`, and how many lines were looked at.
    private var scanOffset = 0
    private var examinedLines = 0
    /// `pending[..<searchedEnd]` after `scanOffset` (undecided) or after the
    /// last cut (decided) holds no line end: a long line arriving chunk by
    /// chunk is searched once, not once per chunk.
    private var searchedEnd = 0
    /// Whether an undecided line that is not blank (spaces and a carriage
    /// return) was kept; until then blank lines are dropped as they are met,
    /// so a file of nothing but blank lines is never held whole.
    private var keptUndecidedLine = false

    init(file: Int, name: String, blockSize: Int, emit: @escaping (BlockPipeline.Block) -> Void) {
        self.file = file
        self.blockSize = blockSize
        namedAsJSON = FormatSniffing.isNamedAsJSON(name)
        self.emit = emit
        pending.reserveCapacity(Self.capacity(blockSize))
    }

    /// A block's buffer: room for the block and most of the line it is cut
    /// in (1.25 MiB for the default size).
    private static func capacity(_ blockSize: Int) -> Int { min(blockSize, 1 << 24) + min(blockSize / 4, 256 << 10) }

    var wantsMore: Bool { damage == nil }

    mutating func consume(_ bytes: UnsafeRawBufferPointer) {
        guard damage == nil else { return }
        pending.append(contentsOf: bytes)
        if atContentStart {
            // A byte-order mark may still be arriving a byte at a time.
            if pending.count < 3 && [0xEF, 0xBB, 0xBF].starts(with: pending) { return }
            if pending.starts(with: [0xEF, 0xBB, 0xBF]) { pending.removeFirst(3) }
            atContentStart = false
        }
        if !decided { decideFormat(final: false) }
        if decided && damage == nil && pending.count >= blockSize { emitWholeLines() }
    }

    mutating func finish(keepPartialLine: Bool) {
        guard damage == nil else { return }
        if atContentStart { atContentStart = false }
        if !decided && keepPartialLine { decideFormat(final: true) }
        if !decided && !keepPartialLine && TextCheck.firstSignificantByte(pending) == UInt8(ascii: "[") {
            // As `LineScanner.consumeDroppedTail`: the cut text still shows a JSON array.
            damage = FileDamage(.jsonArray)
        }
        guard decided, damage == nil else { return }
        emitWholeLines(all: true)
        if keepPartialLine && !pending.isEmpty {
            emit(BlockPipeline.Block(
                file: file, bytes: pending, leadingLines: leadingLines, header: header, lastLineUnterminated: true))
            leadingLines = 0
        }
        pending.removeAll()
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
            emit(BlockPipeline.Block(
                file: file, bytes: bytes, leadingLines: leadingLines, header: header, lastLineUnterminated: false))
            leadingLines = 0
        }
        if handed > 0 {
            pending.removeSubrange(0..<handed)
            searchedEnd = max(0, searchedEnd - handed)
        }
    }

    /// Looks at the first lines until one shows the format. `final`: the
    /// last of them may lack a line end. For NDJSON every line stays in the
    /// blocks (the workers skip the blank ones and count the rest); for
    /// CSV/TSV the lines up to the header are taken out.
    private mutating func decideFormat(final: Bool) {
        while !decided && damage == nil {
            var lineEnd = Self.firstLineEnd(in: pending, from: max(scanOffset, searchedEnd))
            if lineEnd == nil {
                searchedEnd = pending.count
                guard final, scanOffset < pending.count else {
                    dropBlankLinesLookedAt()
                    return
                }
                lineEnd = pending.count
            }
            guard let end = lineEnd else { return }
            var line = pending[scanOffset..<end]
            if end < pending.count, line.last == 0x0D { line = line.dropLast() }
            examinedLines += 1
            var next = min(end + 1, pending.count)
            // Blank lines are looked at without copying: a file may hold a billion.
            let isBlank = line.allSatisfy(TextCheck.isSpaceOrTab)
            if isBlank && !keptUndecidedLine {
                leadingLines += 1
                scanOffset = next
                searchedEnd = next
                continue
            }
            let verdict = isBlank
                ? .undecided : Array(line).withUnsafeBytes { FormatSniffing.verdict($0, namedAsJSON: namedAsJSON) }
            // From here on every line counts: the blank ones before leave.
            next -= dropBlankLinesLookedAt()
            if verdict == .undecided {
                keptUndecidedLine = true
                scanOffset = next
                searchedEnd = next
                continue
            }
            decided = true
            scanOffset = 0
            searchedEnd = 0
            switch verdict {
            case .ndjson, .undecided:
                return
            case .jsonArray:
                damage = FileDamage(.jsonArray)
                return
            case .malformedHeader:
                damage = FileDamage(.malformedHeader(line: examinedLines))
                return
            case .header:
                break
            }
            header = Array(line)
            leadingLines = examinedLines
            pending.removeSubrange(0..<next)
            scanOffset = 0
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

    /// Takes the blank lines looked at (all of them, while no other line
    /// was kept) out of `pending`: they count in `leadingLines` instead.
    /// - Returns: how many bytes left.
    @discardableResult
    private mutating func dropBlankLinesLookedAt() -> Int {
        guard !keptUndecidedLine, scanOffset > 0 else { return 0 }
        let dropped = scanOffset
        pending.removeSubrange(0..<dropped)
        searchedEnd = max(0, searchedEnd - dropped)
        scanOffset = 0
        return dropped
    }
}
