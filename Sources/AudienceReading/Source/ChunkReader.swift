#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AudienceCore

/// Reads a file (or standard input) in fixed-size chunks, so memory does not
/// grow with the file. Owns its descriptor and its buffer.
package struct ChunkReader: ~Copyable {
    package static let chunkSize = 1 << 20

    private let descriptor: Int32
    private let ownsDescriptor: Bool
    /// A pipe, FIFO or terminal: a read may wait for ever, so it first waits
    /// in short polls that a stop request can end.
    private let mayWait: Bool
    private let buffer: UnsafeMutableRawBufferPointer
    /// Bytes read from the file so far.
    private(set) var bytesRead: Int64 = 0

    /// Opens `path`, or standard input when `path` is nil. Regular files and
    /// pipes (FIFOs, `<(zcat ...)`) are read; a device such as `/dev/zero`
    /// is refused: it never ends, so reading it could never finish.
    package init(path: SystemPath?) throws(FileDamage) {
        if let path {
            let fd = SystemError.retryingInterrupts { path.withCString { open($0, O_RDONLY | O_CLOEXEC) } }
            guard fd >= 0 else { throw FileDamage(.unreadable(errno: errno)) }
            var info = stat()
            if fstat(fd, &info) == 0 {
                let type = info.st_mode & S_IFMT
                if type == S_IFDIR {
                    close(fd)
                    throw FileDamage(.unreadable(errno: EISDIR))
                }
                if type != S_IFREG && type != S_IFIFO {
                    close(fd)
                    throw FileDamage(.notAFile(type == S_IFCHR ? "a character device" : type == S_IFBLK ? "a block device" : "a socket"))
                }
            }
            descriptor = fd
            ownsDescriptor = true
        } else {
            descriptor = STDIN_FILENO
            ownsDescriptor = false
        }
        var info = stat()
        mayWait = fstat(descriptor, &info) != 0 || (info.st_mode & S_IFMT) != S_IFREG
        buffer = .allocate(byteCount: Self.chunkSize, alignment: 16)
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
        buffer.deallocate()
    }

    /// The next chunk, empty at the end of the file or when `stopRequested`
    /// turns true while waiting for a pipe. The bytes stay valid until the
    /// next call.
    package mutating func next(stopRequested: () -> Bool = { false }) throws(FileDamage) -> UnsafeRawBufferPointer {
        if mayWait {
            var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            while true {
                if stopRequested() { return UnsafeRawBufferPointer(rebasing: buffer[0..<0]) }
                let ready = poll(&request, 1, 200)
                // Data, the end, or an error: the read tells which.
                if ready > 0 || (ready < 0 && errno != EINTR) { break }
            }
        }
        let base = buffer.baseAddress
        let fd = descriptor
        let count = SystemError.retryingInterrupts { read(fd, base, Self.chunkSize) }
        guard count >= 0 else { throw FileDamage(.unreadable(errno: errno), at: bytesRead) }
        bytesRead += Int64(count)
        return UnsafeRawBufferPointer(rebasing: buffer[0..<count])
    }

    /// Reads to the end without looking, so `bytesRead` is the file's size
    /// even when its content stopped making sense early.
    mutating func drain(_ observe: ((UnsafeRawBufferPointer) -> Void)? = nil) {
        while let chunk = try? next(), !chunk.isEmpty { observe?(chunk) }
    }
}
