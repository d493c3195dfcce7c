import CZlib

/// Inflates a sequence of gzip members with zlib, tracking the compressed
/// offset of each member so a damage can name where its member starts: the
/// rest of a file from the first member `StreamingGzip` does not vouch for
/// (a header CRC, padding, trailing bytes), and the reference the tests
/// hold the streaming decoder to.
///
/// Each member's CRC-32 and length are checked here rather than by zlib:
/// its table-driven CRC took a fifth of the inflating time, folding with
/// carry-less multiplication (`CRC32`) a small part of that. zlib still
/// reads the trailer; its last eight bytes consumed are the trailer when the
/// member ends. A member whose header carries a CRC of its own (`FHCRC`,
/// which gzip never writes) is left to zlib to check, header and content:
/// zlib checks either both or neither.
///
/// Invariant: `consumed` is the number of compressed bytes handed to zlib or
/// judged between members; `memberStart <= consumed`.
struct GzipInflater {
    private enum Position {
        case inMember
        /// A member just ended; the next byte decides what follows.
        case betweenMembers
        /// Saw a lone `1f` between members at this offset; the next byte decides.
        case magicByte(offset: Int64)
        /// Zero bytes since this offset: padding, unless something else follows.
        case padding(offset: Int64)
    }

    /// zlib keeps a pointer back to its stream, so the stream lives at a
    /// fixed address of its own.
    private final class Stream {
        let pointer = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
        var initialised = false

        init() {
            pointer.initialize(to: z_stream())
            // 15 + 16: a gzip wrapper with a 32 KiB window.
            initialised = audience_inflateInit2(pointer, 15 + 16) == Z_OK
            skipZlibCheck()
        }

        /// The member's CRC and length are checked by the inflater.
        func skipZlibCheck() {
            if initialised { inflateValidate(pointer, 0) }
        }

        /// zlib checks the member's header CRC, content CRC and length.
        func checkWithZlib() {
            if initialised { inflateValidate(pointer, 1) }
        }

        deinit {
            if initialised { inflateEnd(pointer) }
            pointer.deinitialize(count: 1)
            pointer.deallocate()
            output.deallocate()
        }
    }

    private let stream = Stream()
    private var position = Position.inMember
    private var consumed: Int64 = 0
    private var memberStart: Int64 = 0

    /// At `offset` of a file, where a member starts when `offset` is 0 and
    /// one just ended otherwise.
    init(resumingAt offset: Int64) {
        if offset > 0 { position = .betweenMembers }
        consumed = offset
        memberStart = offset
    }

    /// The member's content so far: its CRC-32 and length (mod 2^32, as
    /// the trailer has it).
    private var memberCRC: UInt32 = 0
    private var memberLength: UInt32 = 0
    /// The last eight compressed bytes handed to zlib, the latest in the
    /// high byte: the trailer (CRC-32, then length, little-endian) once a
    /// member ends.
    private var lastEight: UInt64 = 0
    /// Where the member's trailer starts, once its last deflate block has
    /// ended (zlib stops there: `Z_BLOCK`): a file cut after the trailer's
    /// CRC is judged by that CRC, as zlib judged it when it checked.
    private var trailerStart: Int64?
    /// How many of the member's first four bytes were looked at (the
    /// fourth holds its flags).
    private var headerSeen = 0
    /// The member's header has a CRC: zlib checks the member.
    private var zlibChecksMember = false

    /// Feeds compressed bytes; returns the damage that stops the file, if any.
    mutating func inflate<Sink: DecodedBytesSink & ~Copyable>(
        _ chunk: UnsafeRawBufferPointer, into sink: inout Sink
    ) -> FileDamage? {
        guard stream.initialised else {
            return FileDamage(.corruptMember(reason: "zlib could not start"), at: memberStart)
        }
        guard let base = chunk.baseAddress else { return nil }
        var index = 0
        while index < chunk.count {
            switch position {
            case .inMember:
                let rest = UnsafeRawBufferPointer(start: base + index, count: chunk.count - index)
                lookAtFlags(rest)
                let outcome = inflateMember(rest, into: &sink)
                index += outcome.used
                consumed += Int64(outcome.used)
                if let damage = outcome.damage { return damage }
            case .betweenMembers:
                let byte = chunk[index]
                if byte == 0x1f {
                    position = .magicByte(offset: consumed)
                } else if byte == 0 {
                    position = .padding(offset: consumed)
                } else {
                    return FileDamage(.trailingBytes, at: consumed)
                }
                index += 1
                consumed += 1
            case .magicByte(let offset):
                guard chunk[index] == 0x8b else { return FileDamage(.trailingBytes, at: offset) }
                // A new member: zlib must see the `1f` that came in an earlier step.
                position = .inMember
                memberStart = offset
                consumed = offset
                var magic: UInt8 = 0x1f
                let outcome = withUnsafeBytes(of: &magic) {
                    lookAtFlags($0)
                    return inflateMember($0, into: &sink)
                }
                if let damage = outcome.damage { return damage }
                consumed += 1
            case .padding(let offset):
                let rest = UnsafeRawBufferPointer(start: base + index, count: chunk.count - index)
                if rest.contains(where: { $0 != 0 }) {
                    return FileDamage(.trailingBytes, at: offset)
                }
                index = chunk.count
                consumed += Int64(rest.count)
            }
        }
        return nil
    }

    /// Looks at the member's flags before zlib reads them (zlib takes the
    /// header CRC over the flags as it reads them, so checking must be
    /// switched on before): `next` is what zlib is about to be given.
    private mutating func lookAtFlags(_ next: UnsafeRawBufferPointer) {
        guard headerSeen < 4 else { return }
        let flagsAt = 3 - headerSeen
        guard flagsAt < next.count else {
            headerSeen += next.count
            return
        }
        headerSeen = 4
        // FHCRC, bit 1 of the flags.
        if next[flagsAt] & 0x02 != 0 {
            zlibChecksMember = true
            stream.checkWithZlib()
        }
    }

    /// A CRC in the trailer that is not the member's content's, worded as
    /// zlib words it (nil when zlib checks this member itself).
    private func crcDamage(trailerCRC: UInt32) -> FileDamage? {
        guard !zlibChecksMember, trailerCRC != memberCRC else { return nil }
        return FileDamage(.corruptMember(reason: "incorrect data check"), at: memberStart)
    }

    /// Keeps the last eight of the bytes zlib has taken, `taken` the latest.
    @inline(__always)
    private mutating func remember(_ taken: UnsafeRawBufferPointer) {
        if taken.count >= 8 {
            lastEight = UInt64(littleEndian: taken.loadUnaligned(fromByteOffset: taken.count - 8, as: UInt64.self))
        } else {
            for byte in taken { lastEight = lastEight >> 8 | UInt64(byte) << 56 }
        }
    }

    /// The end of the compressed bytes: a member still open is truncated,
    /// unless the trailer's CRC came whole and does not match.
    func finish() -> FileDamage? {
        switch position {
        case .inMember:
            if let trailerStart, case let taken = consumed - trailerStart, taken >= 4 && taken < 8 {
                // The trailer's first `taken` bytes are the last ones taken.
                if let damage = crcDamage(trailerCRC: UInt32(truncatingIfNeeded: lastEight >> (8 * UInt64(8 - taken)))) {
                    return damage
                }
            }
            return FileDamage(.truncatedMember, at: memberStart)
        case .magicByte(let offset):
            return FileDamage(.trailingBytes, at: offset)
        case .betweenMembers, .padding:
            return nil
        }
    }

    private mutating func inflateMember<Sink: DecodedBytesSink & ~Copyable>(
        _ input: UnsafeRawBufferPointer, into sink: inout Sink
    ) -> (used: Int, damage: FileDamage?) {
        let z = stream.pointer
        let output = stream.output
        z.pointee.next_in = UnsafeMutablePointer(
            mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        z.pointee.avail_in = uInt(input.count)
        var fed = 0
        while true {
            z.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
            z.pointee.avail_out = uInt(output.count)
            let status = CZlib.inflate(z, Z_BLOCK)
            let produced = output.count - Int(z.pointee.avail_out)
            if produced > 0 {
                let content = UnsafeRawBufferPointer(rebasing: output[0..<produced])
                memberCRC = CRC32.update(memberCRC, content)
                memberLength &+= UInt32(truncatingIfNeeded: produced)
                sink.consume(content)
            }
            let used = input.count - Int(z.pointee.avail_in)
            remember(UnsafeRawBufferPointer(rebasing: input[fed..<used]))
            fed = used
            // Stopped at a block boundary (128) after the last block (64):
            // the trailer starts at the next byte.
            if z.pointee.data_type & 0xC0 == 0xC0 { trailerStart = consumed + Int64(used) }
            switch status {
            case Z_STREAM_END:
                inflateReset(z)
                stream.skipZlibCheck()
                let checkedByZlib = zlibChecksMember
                defer {
                    (memberCRC, memberLength, headerSeen, zlibChecksMember) = (0, 0, 0, false)
                    trailerStart = nil
                }
                if let damage = crcDamage(trailerCRC: UInt32(truncatingIfNeeded: lastEight)) { return (used, damage) }
                if !checkedByZlib && UInt32(truncatingIfNeeded: lastEight >> 32) != memberLength {
                    return (used, FileDamage(.corruptMember(reason: "incorrect length check"), at: memberStart))
                }
                position = .betweenMembers
                return (used, nil)
            case Z_OK, Z_BUF_ERROR:
                // Z_BUF_ERROR only says no progress was possible: zlib wants more input.
                if z.pointee.avail_in == 0 && z.pointee.avail_out != 0 { return (used, nil) }
                if status == Z_BUF_ERROR && produced == 0 { return (used, nil) }
            default:
                let reason = z.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                return (used, FileDamage(.corruptMember(reason: reason), at: memberStart))
            }
        }
    }
}
