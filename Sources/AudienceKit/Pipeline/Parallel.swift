import Dispatch

/// A buffer that several workers write at once, each in ranges no other
/// worker touches. `@unchecked Sendable` because that disjointness, which the
/// type system cannot see, is what makes it safe; every use says which
/// ranges belong to whom.
struct DisjointWrites<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
}

enum Parallel {
    /// Runs `body` on `count` items split into contiguous ranges, on up to
    /// `threads` workers. Each range is processed by one worker; results
    /// must not depend on which.
    static func forEachRange(count: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let pieces = threads <= 1 ? 1 : min(count, threads * 8)
        if pieces == 1 {
            body(0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: pieces) { piece in
            body((count * piece / pieces)..<(count * (piece + 1) / pieces))
        }
    }
}
