#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Text compared, hashed and ordered by its UTF-8 bytes, as the spec
/// compares text. (`String` itself treats canonically equivalent text, `é`
/// and `e` + accent, as equal, which would merge groups the spec keeps apart.)
public struct ByteString: Hashable, Comparable, Sendable {
    public let text: String

    @inlinable
    public init(_ text: String) {
        self.text = text
    }

    @inlinable
    public static func == (a: ByteString, b: ByteString) -> Bool {
        let count = a.text.utf8.count
        guard count == b.text.utf8.count else { return false }
        if count == 0 { return true }
        return a.withBytes { left in
            b.withBytes { right in
                guard let l = left.baseAddress, let r = right.baseAddress else { return false }
                return memcmp(l, r, count) == 0
            }
        }
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        // One call for the bytes, not one per byte; the length ends the
        // bytes, so "ab" + "c" and "a" + "bc" hash apart in a composite key.
        withBytes { hasher.combine(bytes: $0) }
        hasher.combine(text.utf8.count)
    }

    @inlinable
    public static func < (a: ByteString, b: ByteString) -> Bool {
        a.withBytes { left in
            b.withBytes { right in
                var order: Int32 = 0
                if let l = left.baseAddress, let r = right.baseAddress {
                    order = memcmp(l, r, min(left.count, right.count))
                }
                return order != 0 ? order < 0 : left.count < right.count
            }
        }
    }

    /// The UTF-8 bytes, in place for a native string (nearly always), else
    /// copied once.
    @inlinable
    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        if let result = text.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(text.utf8).withUnsafeBytes(body)
    }
}
