import CDeflate
import Synchronization

/// Inflates the members of a gzip file held whole in memory with
/// libdeflate, which decodes a deflate stream in about half of zlib's time
/// but only whole, not in pieces: what a gzipped log of a few megabytes
/// allows. It takes only what it can vouch for: a member with a plain
/// header (no header CRC, no reserved flags) whose content inflates within
/// the output buffer and matches its trailer's CRC-32 and length. At
/// anything else (damage, a header CRC, padding or bytes between members,
/// a member too big) it stops at the start of that member and says where,
/// and zlib's streaming inflater (`GzipInflater`) takes the rest from
/// there: so a damaged file gives the same lines and the same message as
/// when zlib read all of it. (Except for codes RFC 1951 forbids that
/// libdeflate accepts and zlib refuses, in a member whose trailer matches
/// what libdeflate made of it: no encoder writes them, damage cannot make
/// them match, and docs/design.md says why they are let be.)
enum WholeGzip {
    /// A file's compressed bytes are gathered up to this size; a bigger
    /// one is streamed through zlib.
    static let maxGathered = 12 << 20
    /// The room for one member's content; a member that inflates to more
    /// is streamed through zlib.
    static let outputCapacity = 48 << 20
    /// Files gathered at once, whatever the thread count, each with its
    /// output buffer (`Room`): they bound the memory this costs. A file
    /// that finds no room is streamed through zlib. A buffer is given back
    /// to the system after its file (only the pages written were ever
    /// taken), so that a run's peak, when its events are all held, does
    /// not count them.
    static let maxBuffers = 2

    /// The right to gather one file and inflate it whole, with the output
    /// buffer for it: taken before the file's bytes are gathered, freed
    /// when it is let go.
    final class Room {
        /// Rooms out now, at most `maxBuffers`.
        private static let taken = Mutex(0)

        let output: UnsafeMutableRawBufferPointer

        /// nil when `maxBuffers` files hold one.
        init?() {
            let granted = Self.taken.withLock { taken in
                guard taken < WholeGzip.maxBuffers else { return false }
                taken += 1
                return true
            }
            guard granted else { return nil }
            output = .allocate(byteCount: WholeGzip.outputCapacity, alignment: 64)
        }

        deinit {
            output.deallocate()
            Self.taken.withLock { $0 -= 1 }
        }
    }

    /// Inflates the members of `file` into `sink`, in pieces of at most a
    /// mebibyte, until one it cannot vouch for; returns where zlib must
    /// take over (the end of the file when there is nothing left for it,
    /// or when the sink wanted no more). At 0 that is a fresh start; past 0
    /// it is just after a member, where zlib would be in its stream: it
    /// then judges what follows as it always did (another member, padding,
    /// trailing bytes).
    static func inflate<Sink: ContentSink & ~Copyable>(
        _ file: UnsafeRawBufferPointer, in room: Room, into sink: inout Sink
    ) -> Int {
        // The last member's length (mod 2^32) ends the file: a last member
        // that would not fit is not tried (most files are one member).
        guard file.count >= 4, UInt32(littleEndian: file.loadUnaligned(fromByteOffset: file.count - 4, as: UInt32.self))
            < outputCapacity else { return 0 }
        let output = room.output
        guard let decompressor = libdeflate_alloc_decompressor() else { return 0 }
        defer { libdeflate_free_decompressor(decompressor) }
        var offset = 0
        while offset < file.count {
            guard sink.wantsMore else { return file.count }
            guard let start = contentStart(file, member: offset) else { return offset }
            var used = 0, produced = 0
            let result = libdeflate_deflate_decompress_ex(
                decompressor, file.baseAddress.map { $0 + start }, file.count - start,
                output.baseAddress, output.count, &used, &produced)
            let trailer = start + used
            guard result == LIBDEFLATE_SUCCESS, trailer + 8 <= file.count else { return offset }
            let content = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(output)[0..<produced])
            let crc = UInt32(littleEndian: file.loadUnaligned(fromByteOffset: trailer, as: UInt32.self))
            let length = UInt32(littleEndian: file.loadUnaligned(fromByteOffset: trailer + 4, as: UInt32.self))
            guard crc == CRC32.update(0, content), length == UInt32(truncatingIfNeeded: produced) else { return offset }
            var piece = 0
            while piece < produced {
                guard sink.wantsMore else { return file.count }
                let end = min(produced, piece + (1 << 20))
                sink.consume(UnsafeRawBufferPointer(rebasing: content[piece..<end]))
                piece = end
            }
            offset = trailer + 8
        }
        return file.count
    }

    /// Where the deflate stream of the member at `member` starts, when its
    /// header is one this path takes; nil otherwise.
    static func contentStart(_ file: UnsafeRawBufferPointer, member: Int) -> Int? {
        guard case .content(let start) = GzipHeader.judge(UnsafeRawBufferPointer(rebasing: file[member...])),
            member + start < file.count else { return nil }
        return member + start
    }
}
