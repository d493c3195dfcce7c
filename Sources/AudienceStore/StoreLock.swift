#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AudienceCore

/// An advisory lock on a file (`flock`), held until released or the
/// process ends: a killed holder never leaves a store locked.
final class StoreLock: Sendable {
    private let descriptor: Int32

    /// Opens (creating) `path` and takes the lock; nil when `wait` is false
    /// and another process holds it.
    init?(path: String, exclusive: Bool, wait: Bool) throws(StoreIOError) {
        let fd = SystemError.retryingInterrupts { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
        guard fd >= 0 else { throw StoreIOError(code: errno, path: path, operation: "open") }
        let operation = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB)
        if SystemError.retryingInterrupts({ flock(fd, operation) }) != 0 {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK { return nil }
            throw StoreIOError(code: code, path: path, operation: "lock")
        }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Replaces the lock file's text (who holds it, for a waiting run's message).
    func describeHolder(_ text: String) {
        _ = ftruncate(descriptor, 0)
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    /// The text a holder left in the lock file at `path`.
    static func holder(at path: String) -> String {
        guard let file = try? StoreFile(openForReading: path), let bytes = try? file.read(at: 0, count: 4096) else {
            return "another process"
        }
        let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
        return text.isEmpty ? "another process" : text
    }
}
