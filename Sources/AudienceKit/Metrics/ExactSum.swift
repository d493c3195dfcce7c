/// A sum of doubles without rounding error until it is read (Shewchuk's
/// partials, as in Python's `math.fsum`): the result is the exact sum
/// rounded once, so it does not depend on the order of the terms, which is
/// what keeps watch hours identical for any line, file or thread order.
public struct ExactSum: Sendable {
    /// Non-overlapping partials, increasing in magnitude; their exact sum is
    /// the running total.
    fileprivate var partials: [Double] = []
    /// Set once a term or a partial sum is not finite: the sum is then this
    /// (+inf, -inf or NaN), like a plain sum that overflowed.
    fileprivate var nonFinite: Double?

    public init() {}

    public mutating func add(_ value: Double) {
        if let special = nonFinite {
            nonFinite = special + value
            return
        }
        guard value.isFinite else {
            nonFinite = value
            return
        }
        var x = value
        var kept = 0
        for index in partials.indices {
            var y = partials[index]
            if abs(x) < abs(y) { swap(&x, &y) }
            let high = x + y
            guard high.isFinite else {
                nonFinite = high
                partials = []
                return
            }
            let low = y - (high - x)
            if low != 0 {
                partials[kept] = low
                kept += 1
            }
            x = high
        }
        partials.removeSubrange(kept...)
        partials.append(x)
    }

    public mutating func add(_ other: ExactSum) {
        if let special = other.nonFinite { add(special) }
        for partial in other.partials { add(partial) }
    }

    /// The exact sum, correctly rounded to a double.
    public var value: Double {
        if let nonFinite { return nonFinite }
        guard var index = partials.indices.last else { return 0 }
        var high = partials[index]
        var low = 0.0
        while index > 0 {
            index -= 1
            let x = high
            let y = partials[index]
            high = x + y
            let yr = high - x
            low = y - yr
            if low != 0 { break }
        }
        // Round half to even correctly when the rest would tip the balance.
        if index > 0 && ((low < 0 && partials[index - 1] < 0) || (low > 0 && partials[index - 1] > 0)) {
            let y = low * 2
            let x = high + y
            if y == x - high { high = x }
        }
        return high
    }
}

extension ExactSum {
    /// The state, for a partial result written to disk: merged again, it
    /// gives the same sum to the last bit.
    var storedForm: (partials: [Double], nonFinite: Double?) { (partials, nonFinite) }

    init(storedPartials: [Double], nonFinite: Double?) {
        self.partials = storedPartials
        self.nonFinite = nonFinite
    }
}
