import CZlib
import Foundation
import Testing

@testable import AudienceReading

// Helpers shared by the per-stage tests: gzip fixtures built with zlib, a
// one-call reader over in-memory bytes, tallies of a quality row, a canonical
// rendering of stored events, temp folders and a seeded generator.

// MARK: - gzip fixtures

/// Builds gzip members with zlib's deflate (windowBits 31 = gzip wrapper).
enum Gzip {
    /// One complete gzip member holding `content`.
    static func member(_ content: [UInt8], level: Int32 = 6) -> [UInt8] {
        member(content, level: level, syncFlushAt: []).bytes
    }

    static func member(_ text: String, level: Int32 = 6) -> [UInt8] {
        member(Array(text.utf8), level: level)
    }

    /// One complete gzip member holding `content`, with a `Z_SYNC_FLUSH`
    /// after each content offset in `syncFlushAt`.
    ///
    /// A sync flush ends the current deflate block and appends an empty
    /// stored block, so the compressed bytes up to that point (returned in
    /// `flushOffsets`, one per flush) decode to exactly the content before the
    /// flush, and the byte at that offset is the first byte of the next
    /// block header. That lets a test cut or corrupt a member at a place whose
    /// decoded prefix is known exactly.
    static func member(
        _ content: [UInt8], level: Int32 = 6, syncFlushAt: [Int]
    ) -> (bytes: [UInt8], flushOffsets: [Int]) {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            deflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        let status = audience_deflateInit2(stream, level, 31)
        precondition(status == Z_OK, "deflateInit2 failed: \(status)")
        var output: [UInt8] = []
        var flushOffsets: [Int] = []
        var cuts = syncFlushAt.sorted()
        cuts.append(content.count)
        var start = 0
        for (index, cut) in cuts.enumerated() {
            let isLast = index == cuts.count - 1
            deflateRun(stream, Array(content[start..<cut]), flush: isLast ? Z_FINISH : Z_SYNC_FLUSH, into: &output)
            if !isLast { flushOffsets.append(output.count) }
            start = cut
        }
        return (output, flushOffsets)
    }

    private static func deflateRun(
        _ stream: UnsafeMutablePointer<z_stream>, _ input: [UInt8], flush: Int32, into output: inout [UInt8]
    ) {
        var input = input
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.pointee.next_in = inputBuffer.baseAddress
            stream.pointee.avail_in = uInt(inputBuffer.count)
            while true {
                var status: Int32 = 0
                var produced = 0
                buffer.withUnsafeMutableBufferPointer { out in
                    stream.pointee.next_out = out.baseAddress
                    stream.pointee.avail_out = uInt(out.count)
                    status = deflate(stream, flush)
                    produced = out.count - Int(stream.pointee.avail_out)
                }
                precondition(status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR, "deflate: \(status)")
                output.append(contentsOf: buffer[0..<produced])
                if flush == Z_FINISH {
                    if status == Z_STREAM_END { break }
                } else if stream.pointee.avail_out != 0 {
                    break
                }
            }
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
        }
    }
}

// MARK: - reading in memory

/// Chunk sizes every byte-level fixture is fed at: a byte at a time, an odd
/// small size, and all at once.
let chunkSizes = [1, 7, 1 << 30]

/// The result of reading one in-memory file.
struct Read {
    var quality: FileQuality
    var samples: [RejectSample]
    var store: EventStore

    var tally: Tally { Tally(quality) }

    /// The reasons of the rejected lines, in line order (up to the sample limit).
    var reasons: [SkipReason] { samples.map(\.reason) }

    /// Stored events rendered canonically, in line order.
    var rendered: [String] { store.events.map { render($0, store) } }
}

/// Reads `contents` as one file through every stage (decoder, framer, format
/// sniffing, parsing, validation), handed over in chunks of `chunkSize`.
func read(_ contents: [UInt8], chunkSize: Int = 1 << 30, name: String = "test", gzip: GzipReading? = nil) -> Read {
    var store = EventStore()
    let outcome = FileReading.read(
        name: name, contents: contents, chunkSize: chunkSize, into: &store, sampleLimit: 1000, gzip: gzip)
    return Read(quality: outcome.quality, samples: outcome.samples, store: store)
}

func read(_ text: String, chunkSize: Int = 1 << 30, name: String = "test") -> Read {
    read(Array(text.utf8), chunkSize: chunkSize, name: name)
}

/// The counts of a quality row, with a readable description for failures.
struct Tally: Equatable, CustomStringConvertible {
    var lines = 0
    var accepted = 0
    var ignoredEvent = 0
    var malformed = 0
    var missingField = 0
    var badTimestamp = 0
    var badNumber = 0
    var badSegment = 0

    init(
        lines: Int = 0, accepted: Int = 0, ignoredEvent: Int = 0, malformed: Int = 0, missingField: Int = 0,
        badTimestamp: Int = 0, badNumber: Int = 0, badSegment: Int = 0
    ) {
        self.lines = lines
        self.accepted = accepted
        self.ignoredEvent = ignoredEvent
        self.malformed = malformed
        self.missingField = missingField
        self.badTimestamp = badTimestamp
        self.badNumber = badNumber
        self.badSegment = badSegment
    }

    init(_ quality: FileQuality) {
        lines = quality.lines
        accepted = quality.accepted
        ignoredEvent = quality[.ignoredEvent]
        malformed = quality[.malformed]
        missingField = quality[.missingField]
        badTimestamp = quality[.badTimestamp]
        badNumber = quality[.badNumber]
        badSegment = quality[.badSegment]
    }

    var description: String {
        "lines \(lines) accepted \(accepted) ignored \(ignoredEvent) malformed \(malformed) missing \(missingField)"
            + " bad_ts \(badTimestamp) bad_number \(badNumber) bad_segment \(badSegment)"
    }
}

/// What became of one line.
enum Verdict: Equatable, CustomStringConvertible {
    case accepted
    case rejected(SkipReason)
    /// The fixture did not produce the expected number of counted lines.
    case lineCount(Int)

    static let malformed = Verdict.rejected(.malformed)
    static let missingField = Verdict.rejected(.missingField)
    static let ignoredEvent = Verdict.rejected(.ignoredEvent)
    static let badTimestamp = Verdict.rejected(.badTimestamp)
    static let badNumber = Verdict.rejected(.badNumber)
    static let badSegment = Verdict.rejected(.badSegment)

    var description: String {
        switch self {
        case .accepted: "accepted"
        case .rejected(let reason): reason.name
        case .lineCount(let count): "\(count) counted lines"
        }
    }
}

/// A plainly valid NDJSON line, put first so the file is sniffed as NDJSON
/// whatever the line under test starts with.
let leadingValidLine = #"{"ts":"2026-01-01T00:00:00Z","event":"start","session_id":"lead","viewer_id":"v","title_id":"t"}"#

/// The verdict on one NDJSON line (bytes), read after `leadingValidLine`.
func verdict(ndjson line: [UInt8]) -> Verdict {
    let result = read(Array(leadingValidLine.utf8) + [0x0A] + line + [0x0A])
    return verdict(of: result, expectedLines: 2, alsoAccepted: 1)
}

func verdict(ndjson line: String) -> Verdict { verdict(ndjson: Array(line.utf8)) }

/// The verdict on one CSV/TSV data row under `header`.
func verdict(header: String, row: String) -> Verdict {
    verdict(of: read(header + "\n" + row + "\n"), expectedLines: 1, alsoAccepted: 0)
}

private func verdict(of result: Read, expectedLines: Int, alsoAccepted: Int) -> Verdict {
    guard result.quality.lines == expectedLines, result.quality.accepted >= alsoAccepted else {
        return .lineCount(result.quality.lines)
    }
    if result.quality.accepted == expectedLines { return .accepted }
    return result.samples.first.map { .rejected($0.reason) } ?? .lineCount(result.quality.lines)
}

/// The stored events of a single accepted NDJSON line (read alone).
func acceptedEvent(ndjson line: String) -> (event: EventRecord, store: EventStore)? {
    let result = read(line + "\n")
    guard result.quality.accepted == 1, let event = result.store.events.first else { return nil }
    return (event, result.store)
}

// MARK: - building lines

/// A JSON object built member by member, so a test can replace or drop one
/// field of an otherwise valid event. Values are raw JSON text.
struct JSONLine {
    var members: [(key: String, value: String)]

    /// A valid `start` event.
    static var start: JSONLine {
        JSONLine(members: [
            ("ts", #""2026-11-23T21:04:05Z""#),
            ("event", #""start""#),
            ("session_id", #""s1""#),
            ("viewer_id", #""v1""#),
            ("title_id", #""t1""#),
        ])
    }

    /// A valid `progress` event over [10, 20).
    static var progress: JSONLine {
        start.with("event", #""progress""#).with("from", "10").with("to", "20")
    }

    /// Replaces the member named `key`, or appends it.
    func with(_ key: String, _ raw: String) -> JSONLine {
        var copy = self
        if let index = copy.members.firstIndex(where: { $0.key == key }) {
            copy.members[index].value = raw
        } else {
            copy.members.append((key, raw))
        }
        return copy
    }

    /// Appends a member even when the key is there already.
    func appending(_ key: String, _ raw: String) -> JSONLine {
        var copy = self
        copy.members.append((key, raw))
        return copy
    }

    func without(_ key: String) -> JSONLine {
        var copy = self
        copy.members.removeAll { $0.key == key }
        return copy
    }

    var text: String {
        "{" + members.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
    }
}

// MARK: - canonical rendering of events

/// Renders a stored event with every field resolved to text, so events of
/// different stores (different ids) can be compared.
func render(_ event: EventRecord, _ store: EventStore) -> String {
    let view = store.views[Int(event.view)]
    let attributes = store.attributes[Int(event.attributes)]
    let strings = store.strings
    func number(_ value: Double) -> String { value.isNaN ? "-" : "\(value)" }
    return [
        String(event.timestamp), event.kind.name,
        strings.string(view.session), strings.string(attributes.viewer), strings.string(view.title),
        number(event.from), number(event.to), number(event.position), number(event.duration),
        strings.string(attributes.series), String(attributes.season), String(attributes.episode),
        strings.string(attributes.country), strings.string(attributes.region), strings.string(attributes.device),
        strings.string(attributes.audioLang), strings.string(attributes.subtitleLang),
        store.eventIDs.string(event.eventID),
    ].joined(separator: "|")
}

/// The kept events of a run, rendered and sorted.
func keptEvents(_ result: ReadResult) -> [String] {
    let events = result.events
    return events.kept.map { render(events.store.events[Int($0)], events.store) }.sorted()
}

// MARK: - files

/// A fresh folder for one test (tests run in parallel), removed afterwards.
func withTemporaryFolder<T>(_ body: (String) throws -> T) throws -> T {
    var base = NSTemporaryDirectory()
    while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
    var template = Array((base + "/audience-tests-XXXXXX").utf8CString)
    let path = template.withUnsafeMutableBufferPointer { buffer -> String? in
        guard let made = mkdtemp(buffer.baseAddress!) else { return nil }
        return String(cString: made)
    }
    guard let path else { throw TestFailure("mkdtemp failed") }
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// A new folder's path (not made) under one folder per test process, which
/// goes when the process exits: for tests whose folder outlives one closure.
func scratchFolderPath(_ prefix: String) -> String {
    scratchRoot + "/" + prefix + "-" + UUID().uuidString
}

private let scratchRoot: String = {
    let root = NSTemporaryDirectory() + "/audience-tests-\(getpid())"
    try? FileManager.default.removeItem(atPath: root)
    atexit { try? FileManager.default.removeItem(atPath: scratchRoot) }
    return root
}()

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Writes `bytes` to `path`, creating parent folders.
func write(_ bytes: [UInt8], to path: String) throws {
    let parent = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
        throw TestFailure("cannot write \(path)")
    }
}

func write(_ text: String, to path: String) throws {
    try write(Array(text.utf8), to: path)
}

// MARK: - randomness

/// SplitMix64: a small seeded generator, so a failing shuffle can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
