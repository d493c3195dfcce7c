/// Receives the decoded (decompressed) bytes of one file, in order.
protocol DecodedBytesSink: ~Copyable {
    mutating func consume(_ bytes: UnsafeRawBufferPointer)
}

/// A sink for a whole file's content: says when the rest is of no use, and
/// is told where the content ends.
protocol ContentSink: DecodedBytesSink, ~Copyable {
    /// False once the rest of the file is of no use (a JSON array, an
    /// unreadable header).
    var wantsMore: Bool { get }
    /// The end of the content. `keepPartialLine` false drops the text after
    /// the last line end (a line cut off by damage), uncounted.
    mutating func finish(keepPartialLine: Bool)
}

/// How gzip members are inflated; both ways give the same content and the
/// same damage (tests compare them).
package enum GzipReading: Sendable, CaseIterable {
    /// By the streaming decoder (`StreamingGzip`), zlib taking over at the
    /// first member it does not vouch for.
    case streaming
    /// By zlib alone: the reference the streaming decoder is held to.
    case zlib
}

/// Turns a file's stored bytes into its content: passes plain files through
/// and inflates every member of a gzip file, stopping at the first damage.
///
/// The decision gzip or not is made on the first two bytes (`1f 8b`),
/// whatever the file's name. A gzip file is inflated as its bytes come
/// (`StreamingGzip`), in pieces of at most 256 KiB: whatever its size, the
/// memory it takes is that of the decoder.
struct ContentDecoder: ~Copyable {
    private enum State {
        /// Fewer than two bytes seen: not yet known whether this is gzip.
        case sniffing
        case plain
        case gzip
        /// A damage was met; everything after it is ignored.
        case stopped
    }

    private var state = State.sniffing
    private var sniffed: [UInt8] = []
    private let gzipReading: GzipReading
    private var inflater: StreamingGzip?
    /// The first damage met, if any.
    private(set) var damage: FileDamage?

    init(gzip: GzipReading = .streaming) {
        self.gzipReading = gzip
    }

    mutating func consume<Sink: ContentSink & ~Copyable>(
        _ chunk: UnsafeRawBufferPointer, into sink: inout Sink
    ) {
        switch state {
        case .stopped:
            return
        case .plain:
            sink.consume(chunk)
        case .gzip:
            inflate(chunk, into: &sink)
        case .sniffing:
            // Nearly always the first chunk holds both bytes: decided on it
            // as it is, not on a copy (a whole small file, a chunk being a
            // mebibyte).
            if sniffed.isEmpty && chunk.count >= 2 { return begin(chunk, into: &sink) }
            sniffed.append(contentsOf: chunk)
            guard sniffed.count >= 2 else { return }
            let head = sniffed
            sniffed = []
            head.withUnsafeBytes { begin($0, into: &sink) }
        }
    }

    /// Decides gzip or plain on the first two bytes of `head`, then takes it.
    private mutating func begin<Sink: ContentSink & ~Copyable>(
        _ head: UnsafeRawBufferPointer, into sink: inout Sink
    ) {
        if head[0] == 0x1f && head[1] == 0x8b {
            state = .gzip
            inflater = gzipReading == .zlib ? StreamingGzip(zlibFrom: 0) : StreamingGzip()
            inflate(head, into: &sink)
        } else {
            state = .plain
            sink.consume(head)
        }
    }

    /// Signals the end of the stored bytes.
    mutating func finish<Sink: ContentSink & ~Copyable>(into sink: inout Sink) {
        switch state {
        case .sniffing:
            // A one-byte file cannot be gzip; zero bytes is an empty file.
            state = .plain
            if !sniffed.isEmpty { sniffed.withUnsafeBytes { sink.consume($0) } }
        case .gzip:
            guard var running = inflater.take() else { return }
            let problem = running.finish(into: &sink)
            inflater = consume running
            if let problem { stop(problem) }
        case .plain, .stopped:
            break
        }
    }

    private mutating func inflate<Sink: DecodedBytesSink & ~Copyable>(
        _ chunk: UnsafeRawBufferPointer, into sink: inout Sink
    ) {
        guard var running = inflater.take() else { return }
        let problem = running.inflate(chunk, into: &sink)
        inflater = consume running
        if let problem { stop(problem) }
    }

    private mutating func stop(_ problem: FileDamage) {
        damage = problem
        state = .stopped
        inflater = nil
    }
}
