#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Receives the lines of a file, in order, with their 1-based line numbers.
protocol LineConsumer: ~Copyable {
    /// `line` excludes its line end (`\n` or `\r\n`); valid during the call only.
    mutating func consume(line: UnsafeRawBufferPointer, number: Int)
    /// False once the consumer wants no more lines: the rest of the file is
    /// of no use (a JSON array, an unreadable header), or the format is
    /// decided (`FormatDetector`). Framing stops after the current line.
    var wantsLines: Bool { get }
    /// The text after the last line end, dropped because damage cut it.
    mutating func consumeDroppedTail(_ tail: UnsafeRawBufferPointer)
}

extension LineConsumer where Self: ~Copyable {
    var wantsLines: Bool { true }
    mutating func consumeDroppedTail(_ tail: UnsafeRawBufferPointer) {}
}

/// Cuts decoded bytes into lines: the one place that knows what a line is,
/// for a file read whole and for the blocks the block pipeline cuts.
///
/// Lines end in `\n`; a `\r` right before it belongs to the line end. A lone
/// `\r` is text. A UTF-8 byte-order mark at the very start of the content is
/// skipped. Complete lines are handed over straight from the caller's buffer;
/// only a line split across chunks is copied into `carry`, and each byte is
/// scanned for `\n` once, so a line of any length costs linear time. Framing
/// stops at the line after which the consumer wants no more.
struct LineFramer<Consumer: LineConsumer & ~Copyable>: ~Copyable, ContentSink {
    var consumer: Consumer
    /// Bytes of the unfinished line that started in an earlier chunk.
    private var carry: [UInt8] = []
    /// Lines handed over so far; the last one's number.
    private(set) var lineNumber = 0
    /// Bytes still to check against the byte-order mark at the content's start.
    private var bomState: Int
    /// Bytes fed before the current chunk.
    private var offset = 0
    /// The offset in the content right after the last line end framed.
    private(set) var offsetAfterLastLineEnd = 0
    /// Where the last line handed over starts in the content (at the
    /// content's start, before a byte-order mark).
    private(set) var lastLineStart = 0

    /// - Parameter atContentStart: the bytes begin the content, so a
    ///   byte-order mark is skipped; false for a block from the middle.
    init(consumer: consuming Consumer, atContentStart: Bool = true) {
        self.consumer = consumer
        bomState = atContentStart ? 0 : 3
    }

    mutating func consume(_ bytes: UnsafeRawBufferPointer) {
        guard let start = bytes.baseAddress, !bytes.isEmpty else { return }
        defer { offset += bytes.count }
        var cursor = start
        let end = cursor + bytes.count
        if bomState < 3 {
            cursor = skipByteOrderMark(cursor, end)
            if cursor == end { return }
        }
        while cursor < end {
            guard consumer.wantsLines else { return }
            guard let newline = memchr(cursor, 0x0A, end - cursor) else {
                carry.append(contentsOf: UnsafeRawBufferPointer(start: cursor, count: end - cursor))
                return
            }
            let lineEnd = UnsafeRawPointer(newline)
            if carry.isEmpty {
                emit(UnsafeRawBufferPointer(start: cursor, count: lineEnd - cursor))
            } else {
                carry.append(contentsOf: UnsafeRawBufferPointer(start: cursor, count: lineEnd - cursor))
                emitCarry()
            }
            cursor = lineEnd + 1
            offsetAfterLastLineEnd = offset + (cursor - start)
        }
    }

    /// The end of the content. `keepPartialLine` false drops the text after
    /// the last line end (a line cut off by damage), uncounted.
    mutating func finish(keepPartialLine: Bool) {
        if bomState > 0 && bomState < 3 {
            // Content that ends inside what looked like a byte-order mark: text.
            carry.append(contentsOf: [0xEF, 0xBB][0..<bomState])
            bomState = 3
        }
        if !keepPartialLine && !carry.isEmpty {
            carry.withUnsafeBytes { consumer.consumeDroppedTail($0) }
        }
        if keepPartialLine && !carry.isEmpty {
            // No line end follows, so a trailing `\r` is a lone `\r`: text.
            lineNumber += 1
            lastLineStart = offsetAfterLastLineEnd
            let number = lineNumber
            carry.withUnsafeBytes { consumer.consume(line: $0, number: number) }
        }
        carry.removeAll()
    }

    var wantsMore: Bool { consumer.wantsLines }

    /// Ends framing and hands the consumer back.
    consuming func takeConsumer() -> Consumer {
        consumer
    }

    private mutating func emitCarry() {
        // Swapped out so `emit` may mutate self while the line is borrowed.
        var line: [UInt8] = []
        swap(&line, &carry)
        line.withUnsafeBytes { emit($0) }
        line.removeAll(keepingCapacity: line.capacity <= 1 << 20)
        swap(&line, &carry)
    }

    @inline(__always)
    private mutating func emit(_ line: UnsafeRawBufferPointer) {
        lineNumber += 1
        lastLineStart = offsetAfterLastLineEnd
        var count = line.count
        if count > 0 && line[count - 1] == 0x0D { count -= 1 }
        consumer.consume(line: UnsafeRawBufferPointer(rebasing: line[0..<count]), number: lineNumber)
    }

    /// Skips as much of a leading byte-order mark as `cursor..<end` holds. A
    /// mark split across chunks is remembered in `bomState`; a mismatch
    /// hands the bytes matched so far on as text.
    private mutating func skipByteOrderMark(
        _ start: UnsafeRawPointer, _ end: UnsafeRawPointer
    ) -> UnsafeRawPointer {
        let mark: [UInt8] = [0xEF, 0xBB, 0xBF]
        var cursor = start
        while bomState < 3 && cursor < end {
            if cursor.load(as: UInt8.self) == mark[bomState] {
                bomState += 1
                cursor += 1
            } else {
                let matched = bomState
                bomState = 3
                if matched > 0 {
                    // Bytes that looked like a mark's start are text after all.
                    carry.append(contentsOf: mark[0..<matched])
                }
            }
        }
        return cursor
    }
}
