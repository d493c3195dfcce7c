import CZlib
import Foundation
import Testing

@testable import AudienceReading
@testable import AudienceGenerate
@testable import AudienceKit

/// viewing-events.md, "Compression": every member is read; a truncated or
/// corrupt member is an error naming the offset where that member starts;
/// complete lines before the damage count, a cut line does not; trailing
/// bytes are an error naming their offset; NUL padding is ignored.
///
/// Every fixture is fed a byte at a time, 7 bytes at a time and whole.
@Suite struct GzipTests {
    /// A valid NDJSON line whose `event_id` is `e<id>`, without line end.
    static func line(_ id: Int) -> String {
        JSONLine.start.with("event_id", "\"e\(id)\"").text
    }

    /// Lines `ids`, each ending in `\n`.
    static func lines(_ ids: ClosedRange<Int>) -> String {
        ids.map { line($0) + "\n" }.joined()
    }

    /// The event ids of the stored events, in line order.
    static func eventIDs(_ result: Read) -> [String] {
        result.store.events.map { result.store.eventIDs.string($0.eventID) }
    }

    static func ids(_ range: ClosedRange<Int>) -> [String] { range.map { "e\($0)" } }

    /// Reads `contents` both ways gzip can be read (the streaming decoder,
    /// zlib alone), expects the same events, counts and damage from each,
    /// and returns the first.
    func read(_ contents: [UInt8], chunkSize: Int = 1 << 30) -> Read {
        let results = GzipReading.allCases.map { AudienceKitTests.read(contents, chunkSize: chunkSize, gzip: $0) }
        for (way, result) in zip(GzipReading.allCases, results).dropFirst() {
            #expect(result.rendered == results[0].rendered, "events read by \(way)")
            #expect(result.tally == results[0].tally, "counts by \(way)")
            #expect(result.quality.damage == results[0].quality.damage, "damage by \(way)")
            #expect(result.quality.bytesRead == results[0].quality.bytesRead, "bytes read by \(way)")
        }
        return results[0]
    }

    // MARK: complete members

    @Test(arguments: chunkSizes)
    func singleMember(chunkSize: Int) {
        let gz = Gzip.member(Self.lines(1...3))
        let result = read(gz, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 3, accepted: 3))
        #expect(result.quality.damage == nil)
        #expect(result.quality.bytesRead == Int64(gz.count))
        #expect(Self.eventIDs(result) == Self.ids(1...3))
    }

    /// `cat a.gz b.gz c.gz d.gz`: every member is read, and a line may run
    /// across a member boundary (members split bytes, not lines). Empty
    /// members in between change nothing.
    @Test(arguments: chunkSizes)
    func multipleMembers(chunkSize: Int) {
        let six = Self.line(6)
        let half = six.utf8.count / 2
        let firstHalf = String(decoding: Array(six.utf8)[..<half], as: UTF8.self)
        let secondHalf = String(decoding: Array(six.utf8)[half...], as: UTF8.self)
        let gz = Gzip.member(Self.lines(1...2))
            + Gzip.member(Self.lines(3...5))
            + Gzip.member("")
            + Gzip.member(firstHalf)
            + Gzip.member(secondHalf + "\n" + Self.line(7))  // the last line has no final newline
            + Gzip.member("", level: 0)
        let result = read(gz, chunkSize: chunkSize)
        // 2 + 3 + 1 (line 6, split over two members) + 1 (line 7) = 7 lines.
        #expect(result.tally == Tally(lines: 7, accepted: 7))
        #expect(result.quality.damage == nil)
        #expect(Self.eventIDs(result) == Self.ids(1...7))
    }

    /// Members written at different levels (0 = stored blocks, 9 = best).
    @Test(arguments: chunkSizes)
    func membersOfEveryLevel(chunkSize: Int) {
        let gz = Gzip.member(Self.lines(1...2), level: 0) + Gzip.member(Self.lines(3...4), level: 1)
            + Gzip.member(Self.lines(5...6), level: 9)
        let result = read(gz, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 6, accepted: 6))
        #expect(result.quality.damage == nil)
    }

    // MARK: truncated members

    /// Member B is cut right after a sync flush that follows line 3 and half
    /// of line 4: lines 1-2 (member A) and 3 count; the half line 4 is
    /// dropped uncounted; the error names where B starts (A.count).
    @Test(arguments: chunkSizes)
    func truncatedMember(chunkSize: Int) {
        let a = Gzip.member(Self.lines(1...2))
        let four = Array(Self.line(4).utf8)
        let content = Array((Self.line(3) + "\n").utf8) + four + Array(("\n" + Self.line(5) + "\n").utf8)
        let flushAt = Self.line(3).utf8.count + 1 + four.count / 2
        let b = Gzip.member(content, syncFlushAt: [flushAt])
        let file = a + b.bytes[..<b.flushOffsets[0]]
        let result = read(file, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 3, accepted: 3))
        #expect(Self.eventIDs(result) == Self.ids(1...3))
        #expect(result.quality.damage == FileDamage(.truncatedMember, at: Int64(a.count)))
        #expect(result.quality.damage?.description.contains("\(a.count)") == true)
        #expect(result.quality.bytesRead == Int64(file.count))
    }

    /// Only the 8-byte trailer (CRC32, ISIZE) of B is cut off, or only its
    /// last byte: every line inflated from B counts, and it is an error at B.
    @Test(arguments: chunkSizes, [1, 4, 8])
    func truncatedTrailer(chunkSize: Int, cut: Int) {
        let a = Gzip.member(Self.lines(1...2))
        let b = Gzip.member(Self.lines(3...4))
        let result = read(a + b.dropLast(cut), chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 4, accepted: 4))
        #expect(result.quality.damage == FileDamage(.truncatedMember, at: Int64(a.count)))
    }

    /// A truncated member whose content so far does not end in a newline:
    /// "after any damage but trailing bytes, the text after the last line
    /// end before it is dropped uncounted" - so line 4 is dropped even though
    /// all of its bytes were inflated.
    @Test(arguments: chunkSizes)
    func truncatedTrailerDropsUnfinishedLastLine(chunkSize: Int) {
        let a = Gzip.member(Self.lines(1...2))
        let b = Gzip.member(Self.line(3) + "\n" + Self.line(4))
        let result = read(a + b.dropLast(8), chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 3, accepted: 3))
        #expect(result.quality.damage == FileDamage(.truncatedMember, at: Int64(a.count)))
    }

    /// The first member cut inside its 10-byte header, and a file that is
    /// only the magic bytes: a truncated member at byte 0, no lines.
    @Test(arguments: chunkSizes, [2, 5, 10])
    func truncatedHeader(chunkSize: Int, keep: Int) {
        let a = Gzip.member(Self.lines(1...2))
        let result = read(Array(a.prefix(keep)), chunkSize: chunkSize)
        #expect(result.tally == Tally())
        #expect(result.quality.damage == FileDamage(.truncatedMember, at: 0))
    }

    /// A new member that starts after complete ones but is cut in its header.
    @Test(arguments: chunkSizes)
    func truncatedSecondMemberHeader(chunkSize: Int) {
        let a = Gzip.member(Self.lines(1...2))
        let b = Gzip.member(Self.lines(3...3))
        let result = read(a + b.prefix(3), chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 2, accepted: 2))
        #expect(result.quality.damage == FileDamage(.truncatedMember, at: Int64(a.count)))
    }

    // MARK: corrupt members

    /// The byte after a sync flush starts a new deflate block; 0xFF there
    /// is BFINAL=1 with the reserved block type 11, which zlib rejects at
    /// once. Lines before the flush count (1, 2 from A; 3 from B), the half
    /// line 4 is dropped, member C after the damage is never read, and the
    /// error names where B starts.
    @Test(arguments: chunkSizes)
    func corruptMember(chunkSize: Int) {
        let a = Gzip.member(Self.lines(1...2))
        let four = Array(Self.line(4).utf8)
        let content = Array((Self.line(3) + "\n").utf8) + four + [0x0A]
        var b = Gzip.member(content, syncFlushAt: [Self.line(3).utf8.count + 1 + four.count / 2])
        b.bytes[b.flushOffsets[0]] = 0xFF
        let c = Gzip.member(Self.lines(5...6))
        let result = read(a + b.bytes + c, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 3, accepted: 3))
        #expect(Self.eventIDs(result) == Self.ids(1...3))
        guard case .corruptMember = result.quality.damage?.kind else {
            Issue.record("expected a corrupt member, got \(String(describing: result.quality.damage))")
            return
        }
        #expect(result.quality.damage?.byteOffset == Int64(a.count))
        #expect(result.quality.damage?.description.contains("\(a.count)") == true)
    }

    /// The first deflate byte of the first member (right after the 10-byte
    /// header) set to 0xFF: an invalid block type, an error at byte 0.
    @Test(arguments: chunkSizes)
    func corruptFirstMember(chunkSize: Int) {
        var a = Gzip.member(Self.lines(1...2))
        a[10] = 0xFF
        let result = read(a, chunkSize: chunkSize)
        #expect(result.tally == Tally())
        guard case .corruptMember = result.quality.damage?.kind else {
            Issue.record("expected a corrupt member, got \(String(describing: result.quality.damage))")
            return
        }
        #expect(result.quality.damage?.byteOffset == 0)
    }

    /// A second member whose header is damaged: an unknown compression
    /// method (byte 2) or reserved flag bits (byte 3).
    @Test(arguments: chunkSizes, [(2, UInt8(7)), (3, UInt8(0xE0))])
    func corruptHeader(chunkSize: Int, damage: (Int, UInt8)) {
        let a = Gzip.member(Self.lines(1...2))
        var b = Gzip.member(Self.lines(3...4))
        b[damage.0] = damage.1
        let result = read(a + b, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 2, accepted: 2))
        guard case .corruptMember = result.quality.damage?.kind else {
            Issue.record("expected a corrupt member, got \(String(describing: result.quality.damage))")
            return
        }
        #expect(result.quality.damage?.byteOffset == Int64(a.count))
    }

    /// Bytes flipped in the middle of a larger member's deflate data: where
    /// zlib notices is up to zlib, but it is a corrupt member starting where
    /// B starts, only lines of B before the damage can count, and the outcome
    /// is the same however the bytes are chunked.
    @Test func corruptMemberFlippedBytesIsChunkingIndependent() {
        let a = Gzip.member(Self.lines(1...2))
        var b = Gzip.member(Self.lines(3...200))
        for offset in stride(from: b.count / 2, to: b.count / 2 + 12, by: 3) { b[offset] ^= 0x5A }
        let file = a + b
        let whole = read(file)
        guard case .corruptMember = whole.quality.damage?.kind else {
            Issue.record("expected a corrupt member, got \(String(describing: whole.quality.damage))")
            return
        }
        #expect(whole.quality.damage?.byteOffset == Int64(a.count))
        #expect(whole.quality.lines >= 2 && whole.quality.lines < 200)
        #expect(whole.quality.lines == whole.quality.accepted + whole.quality.rejected.reduce(0, +))
        for size in [1, 7, 4096] {
            let chunked = read(file, chunkSize: size)
            #expect(chunked.tally == whole.tally, "chunk size \(size)")
            #expect(chunked.quality.damage == whole.quality.damage, "chunk size \(size)")
            #expect(chunked.rendered == whole.rendered, "chunk size \(size)")
        }
    }

    // MARK: trailers that do not match

    /// B's CRC32 (first trailer byte) or ISIZE (last byte) altered: all of
    /// B's lines were inflated and count (1-4); C after it is not read.
    @Test(arguments: chunkSizes, [8, 1])
    func badTrailer(chunkSize: Int, fromEnd: Int) {
        let a = Gzip.member(Self.lines(1...2))
        var b = Gzip.member(Self.lines(3...4))
        b[b.count - fromEnd] ^= 0x01
        let c = Gzip.member(Self.lines(5...5))
        let result = read(a + b + c, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 4, accepted: 4))
        #expect(Self.eventIDs(result) == Self.ids(1...4))
        guard case .corruptMember = result.quality.damage?.kind else {
            Issue.record("expected a corrupt member, got \(String(describing: result.quality.damage))")
            return
        }
        #expect(result.quality.damage?.byteOffset == Int64(a.count))
    }

    /// A file cut inside the trailer's length: a member whose CRC came whole
    /// and is wrong is corrupt (zlib says so as soon as it has the CRC),
    /// one whose CRC is right is truncated; cut inside the CRC, truncated.
    @Test(arguments: chunkSizes, [1, 2, 3, 4, 5, 7])
    func cutInsideTheTrailer(chunkSize: Int, cut: Int) {
        let a = Gzip.member(Self.lines(1...2))
        for wrongCRC in [false, true] {
            var b = Gzip.member(Self.lines(3...4))
            if wrongCRC { b[b.count - 8] ^= 0x01 }
            let result = read(a + b.dropLast(cut), chunkSize: chunkSize)
            #expect(Self.eventIDs(result) == Self.ids(1...4))
            #expect(result.quality.damage?.byteOffset == Int64(a.count))
            let corrupt: Bool
            switch result.quality.damage?.kind {
            case .corruptMember: corrupt = true
            case .truncatedMember: corrupt = false
            default:
                Issue.record("expected a damaged member, got \(String(describing: result.quality.damage))")
                continue
            }
            #expect(corrupt == (wrongCRC && cut <= 4), "wrong CRC \(wrongCRC), cut \(cut)")
        }
    }

    /// A bad CRC after a line without final newline: that text is dropped
    /// (the damage is not trailing bytes), so only line 3 of B counts.
    @Test(arguments: chunkSizes)
    func badCRCDropsUnfinishedLastLine(chunkSize: Int) {
        let a = Gzip.member(Self.lines(1...2))
        var b = Gzip.member(Self.line(3) + "\n" + Self.line(4))
        b[b.count - 8] ^= 0xFF
        let result = read(a + b, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 3, accepted: 3))
        #expect(result.quality.damage?.byteOffset == Int64(a.count))
    }

    /// A member whose header carries its own CRC (`FHCRC`, which gzip never
    /// writes), between two plain members: read when the header CRC is
    /// right, a corrupt member where it starts when it is not; the plain
    /// members' content CRCs are still checked after it.
    @Test(arguments: chunkSizes, [true, false])
    func headerWithItsOwnCRC(chunkSize: Int, rightCRC: Bool) {
        let a = Gzip.member(Self.lines(1...2))
        let plain = Gzip.member(Self.lines(3...4))
        // The same member with FHCRC set and the CRC-16 after the 10-byte header.
        var header = Array(plain[0..<10])
        header[3] |= 0x02
        let crc16 = UInt16(truncatingIfNeeded: header.withUnsafeBufferPointer { crc32(0, $0.baseAddress, 10) })
            ^ (rightCRC ? 0 : 1)
        let b = header + [UInt8(crc16 & 0xFF), UInt8(crc16 >> 8)] + plain[10...]
        var c = Gzip.member(Self.lines(5...5))
        c[c.count - 8] ^= 0x01
        let result = read(a + b + c, chunkSize: chunkSize)
        if rightCRC {
            #expect(Self.eventIDs(result) == Self.ids(1...5))
            #expect(result.quality.damage?.byteOffset == Int64(a.count + b.count))
        } else {
            #expect(Self.eventIDs(result) == Self.ids(1...2))
            #expect(result.quality.damage?.byteOffset == Int64(a.count))
        }
        guard case .corruptMember = result.quality.damage?.kind else {
            Issue.record("expected a corrupt member, got \(String(describing: result.quality.damage))")
            return
        }
    }

    // MARK: trailing bytes and padding

    /// Garbage after the last member (even garbage that looks like a line):
    /// an error at the garbage's offset; every line of the complete members
    /// counts, the last one too although it has no final newline.
    @Test(arguments: chunkSizes)
    func trailingGarbage(chunkSize: Int) {
        let a = Gzip.member(Self.lines(1...2))
        let b = Gzip.member(Self.line(3) + "\n" + Self.line(4))
        let garbage = Array(("garbage\n" + Self.line(9) + "\n").utf8)
        let result = read(a + b + garbage, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 4, accepted: 4))
        #expect(Self.eventIDs(result) == Self.ids(1...4))
        #expect(result.quality.damage == FileDamage(.trailingBytes, at: Int64(a.count + b.count)))
        #expect(result.quality.damage?.description.contains("\(a.count + b.count)") == true)
    }

    /// Trailing bytes that begin like a member (`1f`) but are not one: a lone
    /// `1f` at the end, or `1f` followed by something other than `8b`.
    @Test(arguments: chunkSizes, [[UInt8(0x1F)], [0x1F, 0x00], [0x1F, 0x1F, 0x8B], [0x8B, 0x1F]])
    func trailingBytesThatLookLikeMagic(chunkSize: Int, tail: [UInt8]) {
        let a = Gzip.member(Self.line(1) + "\n" + Self.line(2))
        let result = read(a + tail, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 2, accepted: 2))
        #expect(result.quality.damage == FileDamage(.trailingBytes, at: Int64(a.count)))
    }

    /// NUL bytes padding the end (as written by some tools or block devices)
    /// are ignored without an error; the last line needs no newline.
    @Test(arguments: chunkSizes, [1, 512, 4096])
    func nulPadding(chunkSize: Int, padding: Int) {
        let gz = Gzip.member(Self.lines(1...2)) + Gzip.member(Self.line(3))
        let result = read(gz + [UInt8](repeating: 0, count: padding), chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 3, accepted: 3))
        #expect(result.quality.damage == nil)
    }

    // MARK: empty files

    /// A 0-byte file is empty whatever its name: no lines, no error.
    @Test func zeroByteFile() {
        let result = read([UInt8]())
        #expect(result.tally == Tally())
        #expect(result.quality.damage == nil)
        #expect(result.quality.bytesRead == 0)
    }

    @Test func zeroByteFileOnDiskNamedGz() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/empty.jsonl.gz"
            try write([UInt8](), to: path)
            let result = Reading.read([InputFile(name: "empty.jsonl.gz", path: path)], settings: ReadSettings())
            #expect(result.files.count == 1)
            #expect(Tally(result.files[0]) == Tally())
            #expect(result.files[0].damage == nil)
            #expect(result.files[0].bytesRead == 0)
        }
    }

    /// Files shorter than the two magic bytes are plain content.
    @Test func oneByteFiles() {
        #expect(read([UInt8(ascii: "{")]).tally == Tally(lines: 1, malformed: 1))
        #expect(read([UInt8(ascii: "{")]).quality.damage == nil)
        #expect(read([UInt8(ascii: " ")]).tally == Tally())
    }

    /// gzip of empty content: a complete member with nothing in it.
    @Test(arguments: chunkSizes, [1, 3])
    func gzipOfEmptyContent(chunkSize: Int, members: Int) {
        let gz = (0..<members).flatMap { _ in Gzip.member("") }
        let result = read(gz, chunkSize: chunkSize)
        #expect(result.tally == Tally())
        #expect(result.quality.damage == nil)
        #expect(result.quality.bytesRead == Int64(gz.count))
    }

    // MARK: content inside gzip

    /// Format detection happens on the decompressed content: a gzipped CSV
    /// with a byte-order mark and CRLF line ends.
    @Test(arguments: chunkSizes)
    func gzippedCSVWithBOMAndCRLF(chunkSize: Int) {
        let csv = "\u{FEFF}ts,event,session_id,viewer_id,title_id,device\r\n"
            + "2026-11-23T21:04:05Z,start,s1,v1,t1,tv\r\n"
            + "2026-11-23T21:04:06Z,pause,s1,v1,t1,tv\r\n"
        let result = read(Gzip.member(csv), chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 2, accepted: 2))
        #expect(result.store.events.map { result.store.strings.string(result.store.attributes[Int($0.attributes)].device) } == ["tv", "tv"])
    }

    /// A byte-order mark at the start of a second member is not at the start
    /// of the file: it belongs to its line, which is then malformed NDJSON.
    @Test(arguments: chunkSizes)
    func byteOrderMarkInSecondMember(chunkSize: Int) {
        let gz = Gzip.member("\u{FEFF}" + Self.lines(1...1)) + Gzip.member("\u{FEFF}" + Self.lines(2...2))
        let result = read(gz, chunkSize: chunkSize)
        #expect(result.tally == Tally(lines: 2, accepted: 1, malformed: 1))
    }

    // MARK: on disk

    /// Reading from disk: `bytes_read` is the compressed size of the whole
    /// file even when its reading stopped early at damage.
    @Test func bytesReadCountsTheWholeFileAfterDamage() throws {
        try withTemporaryFolder { folder in
            let a = Gzip.member(Self.lines(1...2))
            let b = Gzip.member(Self.lines(3...4))
            let garbage = [UInt8](repeating: 0x41, count: 3 << 20)  // more than one read chunk
            let path = folder + "/x.jsonl.gz"
            try write(a + b + garbage, to: path)
            let result = Reading.read([InputFile(name: "x.jsonl.gz", path: path)], settings: ReadSettings())
            let file = result.files[0]
            #expect(Tally(file) == Tally(lines: 4, accepted: 4))
            #expect(file.damage == FileDamage(.trailingBytes, at: Int64(a.count + b.count)))
            #expect(file.bytesRead == Int64(a.count + b.count + garbage.count))
        }
    }
}

/// The streaming decoder (`StreamingGzip`, inflate.c), zlib taking over at
/// the first member it does not vouch for, against zlib alone: whatever the
/// file (members, header fields, padding, trailing bytes, flipped bytes,
/// cuts, every compression level), the content, and where and why the file
/// stops, must be zlib's to the byte.
@Suite struct StreamingGzipTests {
    /// A sink that keeps every byte.
    struct Collect: ContentSink {
        var bytes: [UInt8] = []
        var finished: Bool?
        var wantsMore: Bool { true }
        mutating func consume(_ chunk: UnsafeRawBufferPointer) { bytes.append(contentsOf: chunk) }
        mutating func finish(keepPartialLine: Bool) { finished = keepPartialLine }
    }

    static func decode(_ file: [UInt8], gzip: GzipReading, chunkSize: Int) -> ([UInt8], FileDamage?) {
        var decoder = ContentDecoder(gzip: gzip)
        var sink = Collect()
        file.withUnsafeBytes { all in
            var start = 0
            while start < all.count, decoder.damage == nil {
                let end = min(all.count, start + chunkSize)
                decoder.consume(UnsafeRawBufferPointer(rebasing: all[start..<end]), into: &sink)
                start = end
            }
        }
        if decoder.damage == nil { decoder.finish(into: &sink) }
        return (sink.bytes, decoder.damage)
    }

    /// Expects the streaming decoder to read `file` as zlib alone does
    /// (a difference is reported by where it starts, not by dumping both).
    static func expectAsZlib(_ file: [UInt8], chunkSize: Int, _ context: String) {
        let streamed = decode(file, gzip: .streaming, chunkSize: chunkSize)
        let zlib = decode(file, gzip: .zlib, chunkSize: chunkSize)
        let differsAt = zip(streamed.0, zlib.0).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(streamed.0.count, zlib.0.count)
        let sameContent = streamed.0 == zlib.0
        #expect(sameContent, "content: \(context), chunks of \(chunkSize): \(streamed.0.count) bytes against zlib's \(zlib.0.count), first difference at \(differsAt)")
        #expect(streamed.1 == zlib.1, "damage: \(context), chunks of \(chunkSize)")
    }

    /// A member with the header fields `flags` asks for (FEXTRA, FNAME,
    /// FCOMMENT, FHCRC with its right CRC), rebuilt around zlib's deflate.
    static func member(_ content: [UInt8], flags: UInt8) -> [UInt8] {
        let plain = Gzip.member(content)
        var header: [UInt8] = [0x1f, 0x8b, 8, flags, 1, 2, 3, 4, 0, 3]
        if flags & 0x04 != 0 { header += [3, 0, 7, 8, 9] }
        if flags & 0x08 != 0 { header += Array("log.jsonl".utf8) + [0] }
        if flags & 0x10 != 0 { header += Array("a comment".utf8) + [0] }
        if flags & 0x02 != 0 {
            let crc = header.withUnsafeBytes { CRC32.update(0, $0) }
            header += [UInt8(crc & 0xff), UInt8(crc >> 8 & 0xff)]
        }
        return header + plain[10...]
    }

    /// A header judged again as it grows (`judge(_:resuming:)`) is judged
    /// as it would be whole, at every length: long and short extra fields,
    /// names and comments, odd flags, bytes flipped, grown in steps of any
    /// size.
    @Test func aHeaderJudgedAsItGrowsIsJudgedAsWhole() {
        var random = SeededGenerator(seed: 2026_12_04)
        for _ in 0..<300 {
            var header: [UInt8] = [0x1f, 0x8b, 8, UInt8.random(in: 0...0x1F, using: &random) & ~0x02, 0, 0, 0, 0, 0, 3]
            let flags = header[3]
            if flags & 0x04 != 0 {
                let length = Int.random(in: 0...300, using: &random)
                header += [UInt8(length & 0xff), UInt8(length >> 8)]
                header += (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            }
            for field: UInt8 in [0x08, 0x10] where flags & field != 0 {
                header += (0..<Int.random(in: 0...200, using: &random)).map { _ in UInt8.random(in: 1...255, using: &random) } + [0]
            }
            header += [0x4b, 0x03, 0x00]  // the deflate stream's first bytes
            if Bool.random(using: &random) { header[Int.random(in: 0..<header.count, using: &random)] ^= 0xff }
            var scan = GzipHeader.Scan()
            var length = 0
            while length < header.count {
                length = min(header.count, length + [1, 1, 2, 5, 64][Int.random(in: 0..<5, using: &random)])
                let (resumed, whole) = header[..<length].withUnsafeBytes {
                    (GzipHeader.judge($0, resuming: &scan), GzipHeader.judge($0))
                }
                #expect(resumed == whole, "header \(header.prefix(16))... at \(length) of \(header.count) bytes")
                if resumed != .needsMore { break }
            }
        }
    }

    /// Members large enough to stay with the streaming decoder, each with
    /// other header fields than the one before, so each header has another
    /// length: each judged afresh.
    @Test(arguments: [1, 7, 4096])
    func largeMembersWithHeadersOfEveryLength(chunkSize: Int) {
        var random = SeededGenerator(seed: 2026_12_05)
        var file: [UInt8] = []
        for flags: UInt8 in [0x1C, 0, 0x08, 0x04, 0x10, 0] {
            // Random digits: about 80 KiB compressed, over the small-member bound.
            let content = Array((0..<1_500).map { _ in
                (0..<100).map { _ in String(Int.random(in: 0...9, using: &random)) }.joined() + "\n"
            }.joined().utf8)
            file += Self.member(content, flags: flags)
        }
        Self.expectAsZlib(file, chunkSize: chunkSize, "six large members")
    }

    /// A name of nearly 64 KiB, the header coming a byte per read (as on a
    /// pipe): read as zlib reads it (and judged in one pass, not once per
    /// byte: 0.55 s before, for this one header).
    @Test func aLongNameComingByteByByte() {
        var file = Self.member(Array("a line\n".utf8), flags: 0x08)
        let name = Array(repeating: UInt8(ascii: "n"), count: 60_000)
        file.insert(contentsOf: name, at: 10)
        Self.expectAsZlib(file, chunkSize: 1, "a 60,000-byte name")
        #expect(Self.decode(file, gzip: .streaming, chunkSize: 1).0 == Array("a line\n".utf8))
    }

    /// Small files of 1-3 members with every header field, padding and
    /// trailing bytes, flipped bytes anywhere, cuts.
    @Test func everySmallFileReadsAsZlibAloneReadsIt() {
        var random = SeededGenerator(seed: 2026_12_03)
        var cases = 0
        for _ in 0..<400 {
            var file: [UInt8] = []
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let lines = Int.random(in: 0...40, using: &random)
                let content = Array((0..<lines).map { "line \($0) \(Int.random(in: 0...999, using: &random))\n" }.joined().utf8)
                let flags = [0, 0, 0x04, 0x08, 0x10, 0x1C, 0x02, 0x0A][Int.random(in: 0..<8, using: &random)]
                file += Self.member(content, flags: UInt8(flags))
            }
            switch Int.random(in: 0..<10, using: &random) {
            case 0: file += [UInt8](repeating: 0, count: Int.random(in: 1...9, using: &random))
            case 1: file += [0x1f]
            case 2: file += [0x1f, 0x00, 0x41]
            case 3: file += Array("trailing".utf8)
            default: break
            }
            // Flipped bytes anywhere (header, data, trailer), or a cut.
            switch Int.random(in: 0..<4, using: &random) {
            case 0:
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    file[Int.random(in: 0..<file.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
                }
            case 1: file.removeLast(Int.random(in: 1..<file.count, using: &random))
            default: break
            }
            for chunkSize in [1, 7, 4096] {
                Self.expectAsZlib(file, chunkSize: chunkSize, "file \(file.prefix(64))... of \(file.count) bytes")
                cases += 1
            }
        }
        #expect(cases == 1200)
    }

    /// A fixed-code length symbol 286, which RFC 1951 forbids, in a member
    /// whose trailer matches what a lenient decoder (libdeflate) makes of
    /// it: refused, as zlib refuses it.
    @Test func aForbiddenCodeIsRefusedAsZlibRefusesIt() {
        let hex = "1f8b0800000000000003ab18035c00bafb479a04010000"
        let file = stride(from: 0, to: hex.count, by: 2).map { offset in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16) ?? 0
        }
        let streamed = Self.decode(file, gzip: .streaming, chunkSize: 1 << 20)
        #expect(streamed.1 == FileDamage(.corruptMember(reason: "invalid literal/length code"), at: 0))
        Self.expectAsZlib(file, chunkSize: 1 << 20, "a forbidden code")
    }

    /// Log-like text with long repeats (distances near and far) and runs of
    /// one byte (distance 1), `size` bytes.
    static func content(_ size: Int, using random: inout SeededGenerator) -> [UInt8] {
        var text: [UInt8] = []
        let words = ["start", "progress", "\"title_id\":", "2026-12-03T18:", "viewer_", "{\"event\":", "pause", "\n"]
        while text.count < size {
            switch Int.random(in: 0..<10, using: &random) {
            case 0: text += [UInt8](repeating: UInt8.random(in: 32...126, using: &random), count: Int.random(in: 1...300, using: &random))
            case 1: text += (0..<Int.random(in: 1...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            case 2 where text.count > 100:
                let start = Int.random(in: 0..<text.count - 50, using: &random)
                text += text[start..<min(text.count, start + Int.random(in: 3...400, using: &random))]
            default: text += Array(words[Int.random(in: 0..<words.count, using: &random)].utf8) + Array(String(Int.random(in: 0...99_999, using: &random)).utf8)
            }
        }
        return Array(text.prefix(size))
    }

    /// Members long enough that the decoder stops for input and for output
    /// room in the middle of blocks: every level (stored, fixed and dynamic
    /// blocks), flipped bits (block headers most often), cuts, in chunks of
    /// every size.
    @Test func everyDamagedLongMemberStopsWhereZlibStops() {
        var random = SeededGenerator(seed: 2026_12_04)
        var damaged = 0
        for round in 0..<160 {
            var file: [UInt8] = []
            for _ in 0..<Int.random(in: 1...2, using: &random) {
                let size = [Int.random(in: 0...3000, using: &random), Int.random(in: 20_000...700_000, using: &random)][round % 2]
                file += Gzip.member(Self.content(size, using: &random), level: Int32(Int.random(in: 0...9, using: &random)))
            }
            switch Int.random(in: 0..<5, using: &random) {
            case 0, 1:
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    // Flips near the start hit block headers most often.
                    let limit = Bool.random(using: &random) ? min(file.count, 400) : file.count
                    file[Int.random(in: 0..<limit, using: &random)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
                }
            case 2: file.removeLast(Int.random(in: 1..<file.count, using: &random))
            default: break
            }
            if Self.decode(file, gzip: .zlib, chunkSize: 1 << 20).1 != nil { damaged += 1 }
            for chunkSize in [1 << 20, Int.random(in: 1...5000, using: &random)] {
                Self.expectAsZlib(file, chunkSize: chunkSize, "round \(round)")
            }
        }
        // The damage must be varied enough to mean something.
        #expect(damaged > 40)
    }

    /// Many small members (zlib takes over after the first), small members
    /// after a big one, a big one after small ones; with padding, trailing
    /// bytes or a cut at the end.
    @Test func manySmallMembersReadAsZlibReadsThem() {
        var random = SeededGenerator(seed: 2026_12_05)
        let small = (0..<3000).flatMap { line in Gzip.member(Array("line \(line)\n".utf8)) }
        let big = Gzip.member(Self.content(400_000, using: &random), level: 1)
        let ends: [[UInt8]] = [[], [0, 0, 0], Array("trailing".utf8)]
        for (index, body) in [small, big + small, small + big, big + small + big].enumerated() {
            for end in ends {
                var file = body + end
                if index == 3 && end.isEmpty { file.removeLast(1000) }
                for chunkSize in [1 << 20, Int.random(in: 1...5000, using: &random)] {
                    Self.expectAsZlib(file, chunkSize: chunkSize, "case \(index), end \(end)")
                }
            }
        }
    }
}
