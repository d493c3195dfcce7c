/// A linear scale with "nice" ticks: multiples of 1, 2 or 5 × 10^k.
///
/// Ticks are kept as integers (`index × mantissa`, and the exponent `k`)
/// so their labels are exact decimals: 0.1 + 0.2 never shows as
/// 0.30000000000000004.
///
///     lower ≤ tick(first) < … < tick(last) ≤ upper,   upper - lower > 0
struct NiceScale: Sendable, Equatable {
    private(set) var lower: Double
    private(set) var upper: Double
    /// The step between ticks is `stepMantissa × 10^stepExponent`.
    private(set) var stepMantissa = 1
    private(set) var stepExponent = 0
    /// Tick `i` is at `i × step`.
    private(set) var tickIndices: Range<Int> = 0..<0

    /// A scale over `lower...upper` with at most `maxIntervals` steps
    /// between ticks, the smallest nice step that keeps within it.
    ///
    /// - Parameters:
    ///   - extendsToTicks: widen the domain out to the ticks around it (for
    ///     domains taken from the data); otherwise the domain is kept and
    ///     only the ticks inside it are shown.
    ///   - integers: steps of at least 1 (counts).
    ///
    /// Degenerate input still gives a usable scale: non-finite bounds count
    /// as 0, an empty or vanishing domain is widened to reach 0, and 0...0
    /// becomes 0...1.
    init(_ lower: Double, _ upper: Double, maxIntervals: Int = 8, extendsToTicks: Bool = true, integers: Bool = false) {
        (self.lower, self.upper) = Self.usableDomain(lower, upper)
        let limit = max(2, maxIntervals)
        let span = self.upper - self.lower
        var exponent = Self.decade(of: span / Double(limit)) - 1
        if integers { exponent = max(exponent, 0) }
        // A step of at least the span leaves at most 2 intervals, so the
        // search ends within a few decades; the bound only guards the loop.
        search: for _ in 0..<64 {
            for mantissa in [1, 2, 5] {
                let step = Double(mantissa) * ChartNumber.powerOfTen(exponent)
                let first = Self.index(self.lower / step, roundingUp: false)
                let last = Self.index(self.upper / step, roundingUp: true)
                guard let first, let last, last - first <= limit else { continue }
                stepMantissa = mantissa
                stepExponent = exponent
                if extendsToTicks {
                    tickIndices = first..<(last + 1)
                    self.lower = value(ofTick: first)
                    self.upper = value(ofTick: last)
                } else {
                    let inFirst = Self.index(self.lower / step, roundingUp: true) ?? first
                    let inLast = Self.index(self.upper / step, roundingUp: false) ?? last
                    tickIndices = inFirst..<max(inFirst, inLast + 1)
                }
                break search
            }
            exponent += 1
        }
    }

    /// The tick values, lowest first.
    var ticks: [Double] { tickIndices.map(value(ofTick:)) }

    func value(ofTick index: Int) -> Double {
        let multiple = Double(index * stepMantissa)
        // Dividing by an exact power of ten gives the double nearest the decimal.
        return stepExponent >= 0
            ? multiple * ChartNumber.powerOfTen(stepExponent)
            : multiple / ChartNumber.powerOfTen(-stepExponent)
    }

    /// The tick's label, exact: "0.2", "12,000", "40%".
    func label(ofTick index: Int, format: TickFormat) -> String {
        if format == .day { return ChartNumber.dayLabel(Int(value(ofTick: index).rounded())) }
        if format == .hours { return label(ofTick: index, format: .number) + "\u{00A0}h" }
        let shift = format == .percent ? 2 : 0
        let text = ChartNumber.fixedPoint(index * stepMantissa, decimals: -(stepExponent + shift))
        return format == .percent ? text + "%" : text
    }

    /// Where `value` falls, 0 at `lower` and 1 at `upper` (outside for values outside).
    func fraction(of value: Double) -> Double {
        (value - lower) / (upper - lower)
    }

    /// The bounds as finite numbers with room between them.
    static func usableDomain(_ a: Double, _ b: Double) -> (Double, Double) {
        // ±1e300 keeps every difference finite.
        func bounded(_ x: Double) -> Double { x.isFinite ? min(max(x, -1e300), 1e300) : 0 }
        var lower = min(bounded(a), bounded(b))
        var upper = max(bounded(a), bounded(b))
        // A domain too thin to tell from a point (5...5): show it against 0.
        if upper - lower <= max(abs(lower), abs(upper)) * 1e-9 {
            lower = min(lower, 0)
            upper = max(upper, 0)
        }
        if upper - lower < 1e-200 { upper = lower + 1 }
        return (lower, upper)
    }

    /// `k` with 10^k ≤ value < 10^(k+1), for a positive value; may be one off
    /// at exact powers of ten, which the step search absorbs.
    static func decade(of value: Double) -> Int {
        guard value > 0 && value.isFinite else { return 0 }
        var exponent = 0
        var power = 1.0
        while power > value && exponent > -400 { power /= 10; exponent -= 1 }
        while power * 10 <= value && exponent < 400 { power *= 10; exponent += 1 }
        return exponent
    }

    /// `quotient` rounded to the tick index at or below it (or above it),
    /// forgiving the rounding error of the division; nil if it would not
    /// fit an index (which the step search then skips).
    private static func index(_ quotient: Double, roundingUp: Bool) -> Int? {
        let tolerance = 1e-9 + abs(quotient) * 1e-12
        let rounded = roundingUp ? (quotient - tolerance).rounded(.up) : (quotient + tolerance).rounded(.down)
        guard abs(rounded) < 1e15 else { return nil }
        return Int(rounded)
    }
}
