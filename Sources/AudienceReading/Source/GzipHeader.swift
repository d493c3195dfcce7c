/// A gzip member's header (RFC 1952) as the streaming decoder takes it: a
/// header it vouches for, or one it leaves to zlib, which judges every
/// other (a header CRC, reserved flags, another method, not gzip at all).
enum GzipHeader {
    enum Judgement: Equatable {
        /// The member's deflate stream starts this many bytes in.
        case content(at: Int)
        /// The bytes end inside the header.
        case needsMore
        /// Not a header the streaming decoder takes.
        case leftToZlib
    }

    /// How far the bytes of a header judged `needsMore` were looked at, so
    /// that judging it again, longer, looks only at what was added: on a
    /// pipe a header may come a byte per read, and judged whole each time a
    /// 64 KiB name cost 0.55 s (zlib: 0.005 s).
    struct Scan {
        fileprivate enum Stage { case fixed, extraLength, name, comment, done }
        fileprivate var stage = Stage.fixed
        fileprivate var flags: UInt8 = 0
        /// The next byte to look at; past the bytes while an extra field
        /// has not all come.
        fileprivate var position = 0
    }

    /// Judges the header at the start of `bytes`: deflate, no header CRC,
    /// no reserved flag; extra field, name and comment skipped.
    static func judge(_ bytes: UnsafeRawBufferPointer) -> Judgement {
        var scan = Scan()
        return judge(bytes, resuming: &scan)
    }

    /// `judge`, going on from `scan`.
    /// - Precondition: `bytes` begin with the bytes `scan` was left by.
    static func judge(_ bytes: UnsafeRawBufferPointer, resuming scan: inout Scan) -> Judgement {
        if scan.stage == .fixed {
            // The magic bytes and deflate, compared as far as they came.
            let expected: (UInt8, UInt8, UInt8) = (0x1f, 0x8b, 8)
            for index in 0..<3 {
                guard index < bytes.count else { return .needsMore }
                let byte = index == 0 ? expected.0 : index == 1 ? expected.1 : expected.2
                guard bytes[index] == byte else { return .leftToZlib }
            }
            guard bytes.count >= 10 else { return .needsMore }
            // FHCRC (2) and the reserved bits (0xE0): zlib's to judge.
            guard bytes[3] & 0xE2 == 0 else { return .leftToZlib }
            scan = Scan(stage: .extraLength, flags: bytes[3], position: 10)
        }
        if scan.stage == .extraLength {
            if scan.flags & 0x04 != 0 {
                guard bytes.count - scan.position >= 2 else { return .needsMore }
                scan.position += 2 + Int(bytes[scan.position]) + Int(bytes[scan.position + 1]) << 8
            }
            scan.stage = .name
        }
        // FNAME (8), then FCOMMENT (16): each ends at a zero byte.
        func skipped(_ field: UInt8) -> Bool {
            guard scan.flags & field != 0 else { return true }
            while scan.position < bytes.count && bytes[scan.position] != 0 { scan.position += 1 }
            guard scan.position < bytes.count else { return false }
            scan.position += 1
            return true
        }
        if scan.stage == .name {
            guard skipped(0x08) else { return .needsMore }
            scan.stage = .comment
        }
        if scan.stage == .comment {
            guard skipped(0x10) else { return .needsMore }
            scan.stage = .done
        }
        return scan.position <= bytes.count ? .content(at: scan.position) : .needsMore
    }
}
