import Testing
@testable import AudienceMetrics

/// The sum is the exact sum of the terms rounded once, whatever their order
/// and whichever of its two accumulators (fixed point, partials) they take.
@Suite struct ExactSumTests {
    /// Shewchuk's partials alone, the algorithm of Python's `math.fsum`, as
    /// the reference.
    static func reference(_ terms: [Double]) -> Double {
        var partials: [Double] = []
        for term in terms {
            var x = term
            var kept: [Double] = []
            for var y in partials {
                if abs(x) < abs(y) { swap(&x, &y) }
                let high = x + y
                let low = y - (high - x)
                if low != 0 { kept.append(low) }
                x = high
            }
            partials = kept + [x]
        }
        guard var index = partials.indices.last else { return 0 }
        var high = partials[index]
        var low = 0.0
        while index > 0 {
            index -= 1
            let x = high
            high = x + partials[index]
            low = partials[index] - (high - x)
            if low != 0 { break }
        }
        if index > 0 && ((low < 0 && partials[index - 1] < 0) || (low > 0 && partials[index - 1] > 0)) {
            let y = low * 2
            let x = high + y
            if y == x - high { high = x }
        }
        return high
    }

    static func sum(_ terms: [Double]) -> Double {
        var sum = ExactSum()
        for term in terms { sum.add(term) }
        return sum.value
    }

    /// The same double; a zero of either sign for zero (a sum of terms
    /// that cancel, or of `-0.0` alone, is `+0.0`, as in Python's fsum).
    static func same(_ a: Double, _ b: Double) -> Bool {
        a.bitPattern == b.bitPattern || (a == 0 && b == 0)
    }

    @Test func matchesTheReferenceInAnyOrder() {
        var generator = SeededGenerator(seed: 20_261_202)
        let magnitudes: [ClosedRange<Double>] = [0.001...0.1, 1...5_000, 1e9...1e12, 1e-20...1e-10, 1e17...1e19, 1e30...1e40]
        for round in 0..<2_000 {
            var terms: [Double] = []
            for _ in 0..<Int.random(in: 1...60, using: &generator) {
                let range = magnitudes[Int.random(in: 0..<(round % 3 == 0 ? magnitudes.count : 2), using: &generator)]
                var term = Double.random(in: range, using: &generator)
                if Bool.random(using: &generator) { term = -term }
                if Int.random(in: 0..<10, using: &generator) == 0 { term = term.rounded() }
                terms.append(term)
            }
            let expected = Self.reference(terms)
            #expect(Self.same(Self.sum(terms), expected), "\(terms)")
            #expect(Self.same(Self.sum(terms.shuffled(using: &generator)), expected), "\(terms)")
            // Split in two sums merged: the same.
            let cut = Int.random(in: 0...terms.count, using: &generator)
            var first = ExactSum()
            var second = ExactSum()
            for term in terms[..<cut] { first.add(term) }
            for term in terms[cut...] { second.add(term) }
            first.add(second)
            #expect(Self.same(first.value, expected), "\(terms) cut at \(cut)")
            // Stored and read back (a partial result): the same.
            let stored = first.storedForm
            #expect(Self.same(ExactSum(storedPartials: stored.partials, nonFinite: stored.nonFinite).value, expected))
        }
    }

    @Test func cancellationAndRoundingAreExact() {
        #expect(Self.sum([0.1, 0.2, 0.3, -0.6]) == Self.reference([0.1, 0.2, 0.3, -0.6]))
        #expect(Self.sum([1e18, 1, -1e18]) == 1)
        #expect(Self.sum([0x1p62, 0x1p62, -0x1p63, 0x1p-60]) == 0x1p-60)
        // Half an ulp of 1 plus a tiny term rounds up; without it, to even.
        #expect(Self.sum([1, 0x1p-53, 0x1p-100]) == 1 + 0x1p-52)
        #expect(Self.sum([1, 0x1p-53]) == 1)
        #expect(Self.sum([]) == 0)
        #expect(Self.sum([-0.0]) == 0)
    }

    @Test func overflowingTheFixedPointMovesItToThePartials() {
        // Each term is 2^62 · 2^64 units: the fixed part overflows on the second.
        let terms = [Double](repeating: 0x1.fffffffffffffp62, count: 100) + [0.25, -0x1.fffffffffffffp62]
        #expect(Self.sum(terms) == Self.reference(terms))
        #expect(Self.sum(terms.reversed()) == Self.reference(terms))
    }

    @Test func nonFiniteTermsWin() {
        #expect(Self.sum([1, .infinity, 2]) == .infinity)
        #expect(Self.sum([1, -.infinity]) == -.infinity)
        #expect(Self.sum([.infinity, -.infinity]).isNaN)
        #expect(Self.sum([1e308, 1e308]) == .infinity)
        var sum = ExactSum()
        sum.add(3)
        var other = ExactSum()
        other.add(.nan)
        sum.add(other)
        #expect(sum.value.isNaN)
    }
}
