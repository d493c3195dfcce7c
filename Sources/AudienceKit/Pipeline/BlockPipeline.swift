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
/// in order and cuts their lines into blocks of about 1 MiB; workers parse
/// and validate blocks as they come, each into a store of its own. Every
/// result is kept by block number and assembled in input order, so the
/// output is the same as reading with one thread. Both cores stay busy even
/// with a single large gzipped file.
enum BlockPipeline {
    static let blockSize = 1 << 20

    /// A stretch of whole lines of one file, each followed by `\n`.
    struct Block: Sendable {
        var file: Int
        var bytes: [UInt8]
        var firstLine: Int
        /// nil for NDJSON; the header line for CSV/TSV.
        var header: [UInt8]?
    }

    struct BlockResult: Sendable {
        var file: Int
        var quality: FileQuality
        var samples: [RejectSample]
    }

    static func read(_ inputs: [InputFile], settings: ReadSettings) -> (outcomes: [FileReading.Outcome], stores: [EventStore]) {
        let results = Mutex([BlockResult?]())
        let freeStores = Mutex([EventStore]())
        let group = DispatchGroup()
        let queue = DispatchQueue(label: "audience.blocks", attributes: .concurrent)
        // Blocks in flight: enough to keep every worker busy, few enough to
        // bound memory (each is about 1 MiB).
        let slots = DispatchSemaphore(value: settings.threads * 2)
        var blockCount = 0

        var outcomes: [FileReading.Outcome] = []
        for (fileIndex, input) in inputs.enumerated() {
            var emitted = 0
            let outcome = FileReading.read(input, collector: BlockCollector(file: fileIndex) { block in
                let number = blockCount
                blockCount += 1
                emitted += 1
                results.withLock { $0.append(nil) }
                slots.wait()
                queue.async(group: group) {
                    var store = freeStores.withLock { $0.popLast() } ?? EventStore()
                    let result = parse(block, name: input.name, store: &store, sampleLimit: settings.rejectSampleLimit)
                    freeStores.withLock { $0.append(store) }
                    results.withLock { $0[number] = result }
                    slots.signal()
                }
            })
            _ = emitted
            outcomes.append(outcome)
        }
        group.wait()

        // Assemble each file's row: what the producer saw (bytes, damage),
        // plus its blocks' counts, in block order.
        let finished = results.withLock { $0.compactMap { $0 } }
        for result in finished {
            let damage = outcomes[result.file].quality.damage
            outcomes[result.file].quality.add(result.quality)
            outcomes[result.file].quality.damage = damage
            outcomes[result.file].samples.append(contentsOf: result.samples)
        }
        return (outcomes, freeStores.withLock { $0 })
    }

    private static func parse(_ block: Block, name: String, store: inout EventStore, sampleLimit: Int) -> BlockResult {
        var scanner = LineScanner(file: name, store: store, sampleLimit: sampleLimit, header: block.header)
        store = EventStore()
        block.bytes.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            var start = 0
            var number = block.firstLine
            while start < bytes.count {
                guard let newline = memchr(base + start, 0x0A, bytes.count - start) else { break }
                let end = UnsafeRawPointer(newline) - base
                scanner.consume(line: UnsafeRawBufferPointer(start: base + start, count: end - start), number: number)
                number += 1
                start = end + 1
            }
        }
        store = scanner.store
        scanner.store = EventStore()
        return BlockResult(file: block.file, quality: scanner.quality, samples: scanner.samples)
    }
}

/// Collects a file's lines into blocks for the workers. Decides the format
/// from the first non-blank line, as `LineScanner` does, so the workers know
/// it before they see any line.
struct BlockCollector: ~Copyable, LineConsumer {
    private let file: Int
    private let emit: (BlockPipeline.Block) -> Void
    private var header: [UInt8]?
    private var decided = false
    private(set) var damage: FileDamage?
    private var bytes: [UInt8] = []
    private var firstLine = 0

    init(file: Int, emit: @escaping (BlockPipeline.Block) -> Void) {
        self.file = file
        self.emit = emit
        bytes.reserveCapacity(BlockPipeline.blockSize + 4096)
    }

    var wantsLines: Bool { damage == nil }

    mutating func consume(line: UnsafeRawBufferPointer, number: Int) {
        guard damage == nil else { return }
        if !decided {
            guard let first = line.first(where: { !TextCheck.isSpaceOrTab($0) }) else { return }
            decided = true
            if first == UInt8(ascii: "[") {
                damage = FileDamage(.jsonArray)
                return
            }
            if first != UInt8(ascii: "{") {
                let readable = TextCheck.firstProblem(in: line) == nil
                    && DelimitedParser.headerLayout(line) != nil
                guard readable else {
                    damage = FileDamage(.malformedHeader(line: number))
                    return
                }
                header = Array(line)
                firstLine = number + 1
                return
            }
        }
        if bytes.isEmpty { firstLine = number }
        bytes.append(contentsOf: line)
        bytes.append(0x0A)
        if bytes.count >= BlockPipeline.blockSize { flush() }
    }

    mutating func flush() {
        guard !bytes.isEmpty else { return }
        emit(BlockPipeline.Block(file: file, bytes: bytes, firstLine: firstLine, header: header))
        bytes.removeAll(keepingCapacity: true)
    }
}
