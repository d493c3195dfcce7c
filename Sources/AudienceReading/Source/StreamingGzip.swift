import CSystemShims

/// Inflates a gzip file's members as its bytes come, with the deflate
/// decoder in `inflate.c` (about 2.4 times zlib's speed, within a seventh of
/// libdeflate's, which needs whole members in memory).
///
/// It takes the members whose header it vouches for (`GzipHeader`), one
/// after another; at anything else at a member's start (a header CRC,
/// padding, trailing bytes, a header too long to hold) it hands the rest of
/// the file, from that member's start, to zlib (`GzipInflater`), which
/// judges it as it always did. Inside a member the decoder stops and fails
/// where zlib's would, in zlib's words, and the trailer is checked as
/// `GzipInflater` checks it: so the lines and the message are the same as
/// when zlib read the whole file.
///
/// Invariant: `position` is the file offset of the next byte to look at;
/// `memberStart <= position`.
struct StreamingGzip: ~Copyable {
    private enum Phase {
        /// At a member's start (`memberStart`); its first bytes in `header`.
        case header
        /// In the member's deflate stream.
        case body
        /// After it; the trailer's bytes so far in `trailer`.
        case trailer
    }

    /// A header longer than this (a long name or extra field) is left to zlib.
    private static let maxHeader = 64 << 10
    /// After a member smaller than this (compressed), zlib reads the rest of
    /// the file. At a member's end the decoder gives back what it took past
    /// it (up to its 256 KiB of input), which is copied and fed again: a
    /// cost per member that a file of thousands of tiny members (a logger
    /// that gzips each write) would pay thousands of times, where zlib
    /// pays next to nothing per member.
    private static let smallMember: Int64 = 64 << 10

    private let decoder: OpaquePointer?
    private var phase = Phase.header
    private var header: [UInt8] = []
    /// How far `header` was judged.
    private var headerScan = GzipHeader.Scan()
    private var trailer: [UInt8] = []
    private var memberStart: Int64 = 0
    private var position: Int64 = 0
    /// The member's content so far: its CRC-32 and length (mod 2^32).
    private var memberCRC: UInt32 = 0
    private var memberLength: UInt32 = 0
    /// Once set, zlib reads the rest of the file.
    private var zlib: GzipInflater?
    /// A member smaller than `smallMember` ended: zlib takes the next.
    private var smallMemberEnded = false

    /// At the start of a file.
    init() {
        decoder = audience_inflater_create()
    }

    /// zlib alone, from `offset` of a file (as `GzipInflater(resumingAt:)`).
    init(zlibFrom offset: Int64) {
        decoder = nil
        zlib = GzipInflater(resumingAt: offset)
        (memberStart, position) = (offset, offset)
    }

    deinit {
        if let decoder { audience_inflater_destroy(decoder) }
    }

    /// Feeds the file's next bytes; returns the damage that stops the file, if any.
    mutating func inflate<Sink: DecodedBytesSink & ~Copyable>(
        _ chunk: UnsafeRawBufferPointer, into sink: inout Sink
    ) -> FileDamage? {
        if zlib == nil && decoder == nil, let damage = handOver(into: &sink) { return damage }
        var rest = chunk
        // Bytes the decoder took past a member's end, looked at before `rest`.
        var carried: [UInt8] = []
        while zlib == nil {
            if !carried.isEmpty {
                let held = carried
                let step = held.withUnsafeBytes { advance($0, into: &sink) }
                if let damage = step.damage { return damage }
                // What the decoder took past another member's end, then the
                // rest of `held`. (Had zlib taken over, it took all of `held`.)
                carried = step.carried + held[step.used...]
                continue
            }
            guard !rest.isEmpty else { return nil }
            let step = advance(rest, into: &sink)
            if let damage = step.damage { return damage }
            rest = UnsafeRawBufferPointer(rebasing: rest[step.used...])
            carried = step.carried
        }
        return rest.isEmpty ? nil : feedZlib(rest, into: &sink)
    }

    /// The end of the file's bytes: a member still open is truncated,
    /// unless the trailer's CRC came whole and does not match.
    mutating func finish<Sink: DecodedBytesSink & ~Copyable>(into sink: inout Sink) -> FileDamage? {
        while zlib == nil {
            switch phase {
            case .header:
                // Nothing after the last member's trailer: the end.
                if header.isEmpty && memberStart > 0 { return nil }
                if let damage = handOver(into: &sink) { return damage }
            case .body:
                let outcome = runDecoder(final: true, into: &sink)
                if let damage = outcome.damage { return damage }
                // The stream ended: what followed it may hold more members.
                let carried = outcome.carried
                if let damage = carried.withUnsafeBytes({ inflate($0, into: &sink) }) { return damage }
            case .trailer:
                // The trailer's CRC came whole: it judges the member, as zlib did.
                if trailer.count >= 4, let damage = crcDamage(trailerCRC: littleEndian(trailer, 0)) { return damage }
                return truncated
            }
        }
        return zlib?.finish()
    }

    private var truncated: FileDamage { FileDamage(.truncatedMember, at: memberStart) }

    /// Looks at `bytes` from `position` on, until they end or a member's
    /// stream ends (`carried` then holds the bytes the decoder took past its
    /// end, `used` what it took of `bytes`), or zlib takes over.
    private mutating func advance<Sink: DecodedBytesSink & ~Copyable>(
        _ bytes: UnsafeRawBufferPointer, into sink: inout Sink
    ) -> (used: Int, carried: [UInt8], damage: FileDamage?) {
        var used = 0
        while used < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[used...])
            switch phase {
            case .header where smallMemberEnded:
                if let damage = handOver(into: &sink) { return (bytes.count, [], damage) }
                return (bytes.count, [], feedZlib(rest, into: &sink))
            case .header:
                let taking = min(rest.count, Self.maxHeader + 1 - header.count)
                header.append(contentsOf: rest[..<rest.startIndex.advanced(by: taking)])
                used += taking
                let judgement = header.withUnsafeBytes { GzipHeader.judge($0, resuming: &headerScan) }
                switch judgement {
                case .content(let start) where start <= Self.maxHeader:
                    // The bytes after the header are the stream's first.
                    used -= header.count - start
                    position = memberStart + Int64(start)
                    header = []
                    headerScan = GzipHeader.Scan()
                    phase = .body
                    audience_inflater_reset(decoder)
                    (memberCRC, memberLength) = (0, 0)
                case .needsMore where header.count <= Self.maxHeader:
                    position = memberStart + Int64(header.count)
                    return (used, [], nil)
                default:
                    // zlib takes the member from its start: the header held,
                    // then what follows it.
                    if let damage = handOver(into: &sink) { return (bytes.count, [], damage) }
                    let damage = feedZlib(UnsafeRawBufferPointer(rebasing: bytes[used...]), into: &sink)
                    return (bytes.count, [], damage)
                }
            case .body:
                // `rest` is not empty here, so it has an address.
                guard let start = rest.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return (used, [], nil) }
                var fed = 0
                while fed < rest.count {
                    let taken = audience_inflater_feed(decoder, start + fed, rest.count - fed)
                    fed += taken
                    position += Int64(taken)
                    let outcome = runDecoder(final: false, into: &sink)
                    if outcome.damage != nil || phase != .body {
                        return (used + fed, outcome.carried, outcome.damage)
                    }
                }
                used += fed
            case .trailer:
                let taking = min(rest.count, 8 - trailer.count)
                trailer.append(contentsOf: rest[..<rest.startIndex.advanced(by: taking)])
                used += taking
                position += Int64(taking)
                guard trailer.count == 8 else { continue }
                if let damage = crcDamage(trailerCRC: littleEndian(trailer, 0)) { return (used, [], damage) }
                if littleEndian(trailer, 4) != memberLength {
                    return (used, [], FileDamage(.corruptMember(reason: "incorrect length check"), at: memberStart))
                }
                trailer = []
                phase = .header
                memberStart = position
            }
        }
        return (used, [], nil)
    }

    /// Runs the decoder over what it holds, handing its output to `sink`;
    /// at the stream's end, moves to the trailer and returns the bytes the
    /// decoder took past it.
    private mutating func runDecoder<Sink: DecodedBytesSink & ~Copyable>(
        final: Bool, into sink: inout Sink
    ) -> (carried: [UInt8], damage: FileDamage?) {
        while true {
            var output: UnsafePointer<UInt8>?
            var count = 0
            let status = audience_inflater_run(decoder, final ? 1 : 0, &output, &count)
            if count > 0, let output {
                let content = UnsafeRawBufferPointer(start: output, count: count)
                memberCRC = CRC32.update(memberCRC, content)
                memberLength &+= UInt32(truncatingIfNeeded: count)
                sink.consume(content)
            }
            switch Int(status) {
            case Int(AUDIENCE_INFLATE_OUTPUT_FULL):
                continue
            case Int(AUDIENCE_INFLATE_NEED_INPUT):
                return ([], final ? truncated : nil)
            case Int(AUDIENCE_INFLATE_END):
                var unused: UnsafePointer<UInt8>?
                let unusedCount = audience_inflater_unused(decoder, &unused)
                let carried = unused.map { Array(UnsafeBufferPointer(start: $0, count: unusedCount)) } ?? []
                position -= Int64(unusedCount)
                smallMemberEnded = position - memberStart < Self.smallMember
                phase = .trailer
                return (carried, nil)
            case Int(AUDIENCE_INFLATE_TRUNCATED):
                return ([], truncated)
            default:
                let reason = String(cString: audience_inflater_message(decoder))
                return ([], FileDamage(.corruptMember(reason: reason), at: memberStart))
            }
        }
    }

    /// zlib reads the rest of the file from the current member's start,
    /// beginning with the header bytes held.
    private mutating func handOver<Sink: DecodedBytesSink & ~Copyable>(into sink: inout Sink) -> FileDamage? {
        zlib = GzipInflater(resumingAt: memberStart)
        position = memberStart
        let held = header
        header = []
        headerScan = GzipHeader.Scan()
        return held.withUnsafeBytes { feedZlib($0, into: &sink) }
    }

    private mutating func feedZlib<Sink: DecodedBytesSink & ~Copyable>(
        _ bytes: UnsafeRawBufferPointer, into sink: inout Sink
    ) -> FileDamage? {
        guard !bytes.isEmpty, var running = zlib.take() else { return nil }
        let damage = running.inflate(bytes, into: &sink)
        zlib = running
        return damage
    }

    private func crcDamage(trailerCRC: UInt32) -> FileDamage? {
        guard trailerCRC != memberCRC else { return nil }
        return FileDamage(.corruptMember(reason: "incorrect data check"), at: memberStart)
    }

    private func littleEndian(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }
}
