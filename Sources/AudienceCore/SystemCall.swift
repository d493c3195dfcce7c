#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The C library calls that need care around them or a name of their own,
/// in one place. Each answers with the `errno` of a failure, or nil, and
/// retries a call `EINTR` interrupted; types elsewhere that have their own
/// `write`, `close`, `rename` or `glob` call these rather than `Glibc.…`.
package enum SystemCall {
    /// Writes all of `bytes` to `fd` at its offset (a short write goes on
    /// where it stopped).
    package static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> Int32? {
        guard let base = bytes.baseAddress else { return nil }
        var done = 0
        while done < bytes.count {
            let wrote = SystemError.retryingInterrupts { write(fd, base + done, bytes.count - done) }
            if wrote < 0 { return errno }
            done += wrote
        }
        return nil
    }

    package static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Int32? {
        bytes.withUnsafeBytes { writeAll($0, to: fd) }
    }

    /// Renames `from` to `to`, replacing `to`.
    package static func rename(_ from: String, to: String) -> Int32? {
        cRename(from, to) == 0 ? nil : errno
    }

    /// Closes `fd`; not retried (on Linux the descriptor is gone even when
    /// `close` reports `EINTR`).
    package static func close(_ fd: Int32) -> Int32? {
        cClose(fd) == 0 ? nil : errno
    }

    /// glob(3) of `pattern` into `result`; its status.
    package static func glob(
        _ pattern: UnsafePointer<CChar>, _ flags: Int32,
        _ onError: (@convention(c) (UnsafePointer<CChar>?, Int32) -> Int32)?, _ result: inout glob_t
    ) -> Int32 {
        cGlob(pattern, flags, onError, &result)
    }
}

// The C functions under names that no member of SystemCall shadows.
private func cRename(_ from: UnsafePointer<CChar>, _ to: UnsafePointer<CChar>) -> Int32 { rename(from, to) }
private func cClose(_ fd: Int32) -> Int32 { close(fd) }
private func cGlob(
    _ pattern: UnsafePointer<CChar>, _ flags: Int32,
    _ onError: (@convention(c) (UnsafePointer<CChar>?, Int32) -> Int32)?, _ result: inout glob_t
) -> Int32 {
    glob(pattern, flags, onError, &result)
}
