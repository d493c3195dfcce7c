import CSystemShims

/// An append-only array kept in fixed-size chunks, so growing never copies
/// what is stored and memory grows in small steps instead of doubling.
///
/// Invariant: every chunk but the last holds exactly `chunkSize` elements.
public struct ChunkedArray<Element>: Sendable, RandomAccessCollection where Element: Sendable {
    // Inlinable, with what they touch: the metrics and the store read the
    // events through this subscript from other targets, once per event.
    @usableFromInline static var chunkShift: Int { 16 }
    @usableFromInline static var chunkSize: Int { 1 << chunkShift }

    @usableFromInline var chunks: [[Element]] = []
    public private(set) var count = 0

    public init() {}

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }

    @inline(__always)
    public mutating func append(_ element: Element) {
        if count & (Self.chunkSize - 1) == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }

    /// Appends `elements`, copied a chunk's worth at a time: the checks
    /// `append` makes per element (uniqueness, room) are made per chunk.
    public mutating func append(contentsOf elements: UnsafeBufferPointer<Element>) {
        var done = 0
        while done < elements.count {
            if count & (Self.chunkSize - 1) == 0 {
                var chunk: [Element] = []
                chunk.reserveCapacity(Self.chunkSize)
                chunks.append(chunk)
            }
            let piece = Swift.min(Self.chunkSize - count & (Self.chunkSize - 1), elements.count - done)
            chunks[chunks.count - 1].append(contentsOf: UnsafeBufferPointer(rebasing: elements[done..<(done + piece)]))
            count += piece
            done += piece
        }
    }

    @inlinable
    public subscript(index: Int) -> Element {
        @inline(__always) get { chunks[index >> Self.chunkShift][index & (Self.chunkSize - 1)] }
        @inline(__always) set { chunks[index >> Self.chunkShift][index & (Self.chunkSize - 1)] = newValue }
    }

    /// Starts loading element `index` into the cache, for a loop that will
    /// read it soon in an order the processor cannot guess.
    @inlinable @inline(__always)
    public func prefetch(_ index: Int) {
        guard index >= 0 && index < count else { return }
        // The address only, never read through: a hint needs no lifetime
        // guarantee, and `withUnsafeBufferPointer` retained and released
        // the chunk around every prefetch (two atomic operations an event
        // where the store's encoder gathers a view).
        let base = chunks[index >> Self.chunkShift]._baseAddressIfContiguous
        audience_prefetch(base.map { UnsafeRawPointer($0 + (index & (Self.chunkSize - 1))) })
    }

    /// Appends all of `other`. A large `other` moves its chunks over
    /// without copying its elements: the last chunk here is first filled up
    /// with `padding` (less than one chunk's worth), which readers must know
    /// to skip. A small one, not worth a chunk of padding, is copied.
    public mutating func append(contentsOf other: consuming ChunkedArray<Element>, padding: Element) {
        var other = other
        if other.count < Self.chunkSize {
            for element in other { append(element) }
            return
        }
        while count & (Self.chunkSize - 1) != 0 { append(padding) }
        chunks.append(contentsOf: other.chunks)
        count += other.count
        other.chunks = []
        #if AUDIENCE_INTERNAL_CHECKS
        _checkInvariants()
        #endif
    }

    /// `count` elements whose memory is claimed but not written: the
    /// system gives a page only when it is first written, so an array
    /// filled in any order grows in memory as it is filled. The caller
    /// writes every element before any is read.
    package init(unwrittenCount count: Int) where Element: BitwiseCopyable {
        var left = count
        while left > 0 {
            let size = Swift.min(left, Self.chunkSize)
            chunks.append([Element](unsafeUninitializedCapacity: Self.chunkSize) { _, initialized in initialized = size })
            left -= size
        }
        self.count = count
    }

    /// Calls `body` with the elements of `range`, a chunk's share at a time:
    /// a loop over many elements without a lookup and checks per element.
    @inline(__always)
    public func forEachPiece(of range: Range<Int>, _ body: (UnsafeBufferPointer<Element>) -> Void) {
        var start = range.lowerBound
        while start < range.upperBound {
            let chunk = start >> Self.chunkShift, offset = start & (Self.chunkSize - 1)
            let end = Swift.min(range.upperBound, (chunk + 1) << Self.chunkShift)
            chunks[chunk].withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[offset..<(offset + end - start)])) }
            start = end
        }
    }

    /// Frees chunk `chunk` (elements `chunk << chunkShift` on), for a copy
    /// that has read it; reading an element there afterwards traps. The
    /// array is left only to be read elsewhere or thrown away: `count`
    /// still counts the freed elements, so the invariant above no longer
    /// holds (`_checkInvariants` would fail) and nothing may be appended.
    public mutating func releaseChunk(_ chunk: Int) {
        guard chunk < chunks.count else { return }
        chunks[chunk] = []
    }

    /// Checks the invariant above and that `count` is the elements held.
    public func _checkInvariants() {
        for chunk in chunks.dropLast() {
            precondition(chunk.count == Self.chunkSize, "ChunkedArray: a chunk before the last is not full")
        }
        precondition((chunks.last?.count ?? 0) <= Self.chunkSize, "ChunkedArray: an overfull last chunk")
        precondition(count == Swift.max(0, chunks.count - 1) * Self.chunkSize + (chunks.last?.count ?? 0),
                     "ChunkedArray: count is not the elements held")
        precondition(count == 0 || chunks.last?.isEmpty == false, "ChunkedArray: an empty last chunk")
    }

    /// Reorders the elements in place so that the one at `source[i]` moves to
    /// `i`, following each cycle of the permutation once.
    /// - Precondition: `source` is a permutation of `0..<count`.
    /// - Complexity: O(count) moves; `count / 8` bytes of bookkeeping.
    public mutating func permute(by source: [UInt32]) {
        precondition(source.count == count, "ChunkedArray.permute: not a permutation of the elements")
        var placed = [UInt64](repeating: 0, count: (count + 63) / 64)
        for start in 0..<count where placed[start >> 6] & (1 << UInt64(start & 63)) == 0 {
            let first = self[start]
            var position = start
            while true {
                placed[position >> 6] |= 1 << UInt64(position & 63)
                let from = Int(source[position])
                if from == start {
                    self[position] = first
                    break
                }
                self[position] = self[from]
                position = from
            }
        }
    }

    /// Calls `body` on each element in place, chunk by chunk.
    public mutating func updateEach(_ body: (inout Element) -> Void) {
        for chunk in chunks.indices {
            chunks[chunk].withUnsafeMutableBufferPointer { buffer in
                for index in buffer.indices { body(&buffer[index]) }
            }
        }
    }
}
