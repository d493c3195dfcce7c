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

    /// Judges the header at the start of `bytes`: deflate, no header CRC,
    /// no reserved flag; extra field, name and comment skipped.
    static func judge(_ bytes: UnsafeRawBufferPointer) -> Judgement {
        // The magic bytes and deflate, compared as far as they came.
        let expected: (UInt8, UInt8, UInt8) = (0x1f, 0x8b, 8)
        for index in 0..<3 {
            guard index < bytes.count else { return .needsMore }
            let byte = index == 0 ? expected.0 : index == 1 ? expected.1 : expected.2
            guard bytes[index] == byte else { return .leftToZlib }
        }
        guard bytes.count >= 10 else { return .needsMore }
        let flags = bytes[3]
        // FHCRC (2) and the reserved bits (0xE0): zlib's to judge.
        guard flags & 0xE2 == 0 else { return .leftToZlib }
        var position = 10
        if flags & 0x04 != 0 {
            guard bytes.count - position >= 2 else { return .needsMore }
            position += 2 + Int(bytes[position]) + Int(bytes[position + 1]) << 8
        }
        // FNAME (8), then FCOMMENT (16): each ends at a zero byte.
        for field: UInt8 in [0x08, 0x10] where flags & field != 0 {
            while position < bytes.count && bytes[position] != 0 { position += 1 }
            position += 1
        }
        return position <= bytes.count ? .content(at: position) : .needsMore
    }
}
