import CSystemShims
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AudienceCore

/// A failed system call on a store path.
public struct StoreIOError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int32
    public var path: String
    public var operation: String

    public var isFull: Bool { code == ENOSPC || code == EDQUOT }

    public var description: String { "cannot \(operation) \(path): \(SystemError.describe(code))" }
}

/// A store file open for reading at offsets (`pread`, so threads may share
/// it), or the system calls that write one whole. Owns its descriptor.
package final class StoreFile: Sendable {
    private let descriptor: Int32
    let path: String
    let size: Int

    init(openForReading path: String) throws(StoreIOError) {
        let fd = SystemError.retryingInterrupts { open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw StoreIOError(code: errno, path: path, operation: "open") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw StoreIOError(code: code, path: path, operation: "stat")
        }
        descriptor = fd
        self.path = path
        size = Int(info.st_size)
    }

    deinit { close(descriptor) }

    /// Up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(at offset: Int, count: Int) throws(StoreIOError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        let fd = descriptor
        while done < count {
            // `done < count`, so the buffer is not empty and has an address.
            let got = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return SystemError.retryingInterrupts { pread(fd, base + done, count - done, off_t(offset + done)) }
            }
            guard got >= 0 else { throw StoreIOError(code: errno, path: path, operation: "read") }
            if got == 0 { break }
            done += got
        }
        bytes.removeLast(count - done)
        return bytes
    }

    /// Moves a finished file to its name, never over another file: a
    /// store file, once named, is never replaced.
    static func rename(_ from: String, to: String) throws(StoreIOError) {
        if link(from, to) == 0 {
            unlink(from)
            return
        }
        // A file system without hard links: a plain rename, after a check.
        let code = errno
        guard code == EPERM || code == EOPNOTSUPP || code == ENOSYS, !exists(to) else {
            throw StoreIOError(code: code, path: to, operation: "name")
        }
        if let code = SystemCall.rename(from, to: to) { throw StoreIOError(code: code, path: to, operation: "name") }
    }

    /// Writes `bytes` to `target` whole or not at all, replacing what is
    /// there: a temporary file beside it (named with a random token, so that
    /// two attempts of one step on two machines never share it), flushed to
    /// disk, renamed over the target, and the folder flushed.
    package static func replace(_ target: String, with bytes: [UInt8]) throws(StoreIOError) {
        let folder = target.lastIndex(of: "/").map { String(target[..<$0]) } ?? "."
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let temporary = target + ".tmp-\(getpid())-\(token)"
        let fd = SystemError.retryingInterrupts { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        guard fd >= 0 else { throw StoreIOError(code: errno, path: temporary, operation: "create") }
        var failure = SystemCall.writeAll(bytes, to: fd).map { (code: $0, operation: "write") }
        if failure == nil && fsync(fd) != 0 { failure = (errno, "flush") }
        if close(fd) != 0 && failure == nil { failure = (errno, "close") }
        if failure == nil, let code = SystemCall.rename(temporary, to: target) { failure = (code, "name") }
        if let failure {
            unlink(temporary)
            throw StoreIOError(code: failure.code, path: target, operation: failure.operation)
        }
        try syncFolder(folder)
    }

    /// Flushes a folder's entries (a rename or a new file in it) to disk.
    static func syncFolder(_ path: String) throws(StoreIOError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreIOError(code: errno, path: path, operation: "open") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw StoreIOError(code: errno, path: path, operation: "flush") }
    }

    static func makeFolder(_ path: String) throws(StoreIOError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw StoreIOError(code: errno, path: path, operation: "create folder")
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw StoreIOError(code: errno, path: path, operation: "open") }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw StoreIOError(code: ENOTDIR, path: path, operation: "use") }
    }

    /// `makeFolder` for the path and every folder above it that is missing.
    package static func makeFolders(_ path: String) throws(StoreIOError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            try makeFolder(prefix)
            prefix += "/"
        }
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    static func remove(_ path: String) { unlink(path) }

    /// Whether `path` is a file of at least one byte.
    static func holdsBytes(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_size > 0
    }

    /// Whether `path` lies on a file system mounted read-only.
    static func isOnReadOnlyFileSystem(_ path: String) -> Bool {
        var info = statvfs()
        return statvfs(path, &info) == 0 && info.f_flag & UInt(ST_RDONLY) != 0
    }

    /// The names in a folder (not `.` or `..`).
    static func names(in folder: String) throws(StoreIOError) -> [String] {
        guard let names = FolderListing.names(in: folder) else {
            throw StoreIOError(code: errno, path: folder, operation: "list")
        }
        return names
    }
}

extension String {
    /// Names compare as bytes, as the store knows files: `String`'s `==`
    /// would take a composed `é` and `e` + accent for one name.
    func sameBytes(_ other: String) -> Bool { utf8.elementsEqual(other.utf8) }

    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}

/// The process's heap, as the C library keeps it.
enum SystemMemory {
    private static let calls = Atomic<Int>(0)

    /// Returns the free pages of the heap to the system, on every
    /// `interval`-th call. A report keeps freed memory in the heap for its
    /// next unit (`keepFreedForReuse`), and blocks freed between
    /// neighbours still in use keep their pages resident: without a
    /// release now and then, a report grew with the number of units it read
    /// (10 → 50 million events: 176 → 289 MiB, 1.64x, before the setting;
    /// releasing after every fourth unit: 175 → 232 MiB, 1.33x, in the same
    /// time). Each release costs page faults when the pages are used again:
    /// after every unit, 20% longer. Since units add what they find per
    /// title to shared totals, every 16th unit is enough (51.5M events: 145
    /// MiB as with every 4th, 179 MiB never; page faults 365,000 → 179,000,
    /// system time 1.33 → 0.65 s). With `keepFreedForReuse`, every 64th:
    /// 157 MiB as with every 16th, page faults 128,000 → 66,000, system
    /// time 0.61 → 0.33 s (10.4M events: 121 → 124 MiB, 38,000 → 26,000).
    static func releaseFreed(interval: Int = 64) {
        guard calls.add(1, ordering: .relaxed).newValue % max(1, interval) == 0 else { return }
        audience_release_free_memory()
    }

    /// For work that allocates and frees blocks of the same large sizes
    /// over and over (an ingest's blocks, a report's units): glibc hands a
    /// freed block of a few MiB back to the system at once (its own `mmap`,
    /// or the top of a thread's heap), and the next block's pages fault in
    /// again, zeroed. Kept in the heap they are reused: page faults 48,000
    /// -> 16,000 for an ingest of 2.8M events, 74,000 -> 37,000 for a
    /// report of 10.4M (system time halved); the report's peak grows by
    /// 4-15 MiB (its `releaseFreed` still trims every 64th unit). The
    /// setting is the process's: every call makes the same one.
    static func keepFreedForReuse() {
        audience_keep_freed_memory()
    }
}
