/// A sum of doubles without rounding error until it is read: the result is
/// the exact sum rounded once, so it does not depend on the order of the
/// terms, which is what keeps watch hours identical for any line, file or
/// thread order.
///
/// Two exact accumulators, whose sum is the running total:
/// - `fixed`, an integer count of 2⁻⁶⁴: every finite double from 2⁻¹² up to
///   2⁶³ in magnitude is a whole multiple of 2⁻⁶⁴, so almost every term (a
///   watched span in seconds) is added with one integer addition, no
///   allocation;
/// - `partials`, Shewchuk's non-overlapping partials (as in Python's
///   `math.fsum`) for the other terms, and for `fixed` when another addition
///   would overflow it.
public struct ExactSum: Sendable {
    /// The fixed-point part, in units of 2⁻⁶⁴.
    fileprivate var fixed: Int128 = 0
    /// Non-overlapping partials, increasing in magnitude.
    fileprivate var partials: [Double] = []
    /// Set once a term or a partial sum is not finite: the sum is then this
    /// (+inf, -inf or NaN), like a plain sum that overflowed.
    fileprivate var nonFinite: Double?

    public init() {}

    /// `value` in units of 2⁻⁶⁴, when that is a whole number that fits.
    @inline(__always)
    private static func fixedPoint(_ value: Double) -> Int128? {
        guard value.isNormal else { return value == 0 ? 0 : nil }
        let exponent = Int(value.exponent)
        // The lowest significand bit weighs 2^(exponent - 52) ≥ 2⁻⁶⁴, and
        // the 53 bits shifted by exponent + 12 ≤ 74 stay below 2¹²⁷.
        guard exponent >= -12 && exponent <= 62 else { return nil }
        let magnitude = Int128(value.significandBitPattern | (1 << 52)) << (exponent + 12)
        return value < 0 ? -magnitude : magnitude
    }

    public mutating func add(_ value: Double) {
        if nonFinite == nil, let units = Self.fixedPoint(value) {
            addFixed(units)
        } else {
            addPartial(value)
        }
    }

    public mutating func add(_ other: ExactSum) {
        if let special = other.nonFinite { addPartial(special) }
        addFixed(other.fixed)
        for partial in other.partials { addPartial(partial) }
    }

    @inline(__always)
    private mutating func addFixed(_ units: Int128) {
        let (sum, overflow) = fixed.addingReportingOverflow(units)
        if !overflow {
            fixed = sum
            return
        }
        spillFixed()
        fixed = units
    }

    /// Moves `fixed` into the partials, exactly: three pieces of at most 43
    /// bits each are doubles without rounding.
    private mutating func spillFixed() {
        let units = fixed
        fixed = 0
        guard units != 0 else { return }
        let mask: Int128 = (1 << 43) - 1
        addPartial(Double(units >> 86) * 0x1p22)
        addPartial(Double((units >> 43) & mask) * 0x1p-21)
        addPartial(Double(units & mask) * 0x1p-64)
    }

    private mutating func addPartial(_ value: Double) {
        if let special = nonFinite {
            nonFinite = special + value
            return
        }
        guard value.isFinite else {
            nonFinite = value
            fixed = 0
            partials = []
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
                fixed = 0
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

    /// The exact sum, correctly rounded to a double.
    public var value: Double {
        if let nonFinite { return nonFinite }
        if partials.isEmpty, fixed.magnitude <= 1 << 53 {
            // Exact as a double; scaling by a power of two is exact too.
            return Double(fixed) * 0x1p-64
        }
        var all = self
        all.spillFixed()
        return all.partialsValue
    }

    /// The partials' exact sum, correctly rounded.
    private var partialsValue: Double {
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
    /// The state, for a partial result written to disk, as partials: merged
    /// again, it gives the same sum to the last bit.
    package var storedForm: (partials: [Double], nonFinite: Double?) {
        var all = self
        all.spillFixed()
        return (all.partials, all.nonFinite)
    }

    package init(storedPartials: [Double], nonFinite: Double?) {
        for partial in storedPartials { add(partial) }
        if let nonFinite { addPartial(nonFinite) }
    }
}
