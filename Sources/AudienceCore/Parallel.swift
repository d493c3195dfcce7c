import Dispatch
import Synchronization

/// A buffer that several workers write at once, each in ranges no other
/// worker touches. `@unchecked Sendable` because that disjointness, which the
/// type system cannot see, is what makes it safe; every use says which
/// ranges belong to whom.
package struct DisjointWrites<Element>: @unchecked Sendable {
    package let buffer: UnsafeMutableBufferPointer<Element>

    package init(buffer: UnsafeMutableBufferPointer<Element>) {
        self.buffer = buffer
    }
}

package enum Parallel {
    /// Runs `body` on `count` items split into contiguous ranges, on up to
    /// `threads` workers. Each range is processed by one worker; results
    /// must not depend on which.
    package static func forEachRange(count: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) {
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

extension Parallel {
    /// `body(i)` for every i in `0..<count`, on up to `threads` workers that
    /// each take the next item when done with one (items of uneven size
    /// stay balanced); results in item order.
    ///
    /// `order`, when given, is the order in which items are taken (a
    /// permutation of `0..<count`: the largest first, say, so that the
    /// workers finish together); results are in item order all the same.
    package static func map<T: Sendable>(
        count: Int, threads: Int, order: [Int]? = nil, _ body: @Sendable (Int) -> T
    ) -> [T] {
        precondition(order.map { $0.count == count && Set($0).count == count && $0.allSatisfy((0..<count).contains) } ?? true,
                     "order must be a permutation of the items")
        var results = [T?](repeating: nil, count: count)
        guard count > 0 else { return [] }
        let order = order ?? Array(0..<count)
        if threads <= 1 || count == 1 {
            for index in order { results[index] = body(index) }
        } else {
            let taken = Atomic<Int>(0)
            results.withUnsafeMutableBufferPointer { slots in
                // Each item's slot is written by the worker that took it.
                let writes = DisjointWrites(buffer: slots)
                DispatchQueue.concurrentPerform(iterations: min(threads, count)) { _ in
                    while true {
                        let next = taken.add(1, ordering: .relaxed).oldValue
                        guard next < count else { break }
                        writes.buffer[order[next]] = body(order[next])
                    }
                }
            }
        }
        return results.compactMap { $0 }
    }
}
