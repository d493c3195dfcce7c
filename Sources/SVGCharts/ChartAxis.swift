/// How an axis writes its numbers.
package enum TickFormat: Sendable, Equatable {
    /// Decimals as the step needs them: "0.5", "12,000".
    case number
    /// A share from 0 to 1 written as 0% to 100%.
    case percent
    /// Counts: ticks at whole numbers only.
    case integer
    /// Days since 1970-01-01, written as dates ("Nov 3"); ticks at whole days.
    case day
    /// Hours, written as the report writes watch time: "52 h 43 min" for a
    /// value, "50 h" for a tick.
    case hours

    /// A data value (not a tick) as a label, precise enough to compare
    /// bars: "0.83", "12.5", "12,346", "45.7%".
    func valueLabel(_ value: Double) -> String {
        switch self {
        case .percent: return ChartNumber.decimal(value * 100, decimals: 1) + "%"
        case .integer: return ChartNumber.decimal(value, decimals: 0)
        case .day: return ChartNumber.dayLabel(Int(value.rounded(.down)))
        case .hours: return ChartNumber.hoursAndMinutes(value)
        case .number:
            let decimals = abs(value) >= 100 ? 0 : abs(value) >= 10 ? 1 : 2
            return ChartNumber.decimal(value, decimals: decimals)
        }
    }
}

/// One axis of a chart, or the colour scale of a heat map.
package struct ChartAxis: Sendable, Equatable {
    /// What is measured, with its unit: "Position in the title (% of runtime)".
    var label: String
    /// The domain; nil takes it from the data, from 0 (or below, for
    /// negative data) out to the next tick past the largest value.
    var range: ClosedRange<Double>?
    var format: TickFormat
    /// For an axis in % of a title's runtime: the runtime in seconds, so
    /// each tick also gets its position on the title's clock ("4:12")
    /// written under it.
    var runtimeSeconds: Double?

    package init(label: String, range: ClosedRange<Double>? = nil, format: TickFormat = .number, runtimeSeconds: Double? = nil) {
        self.label = label
        self.range = range
        self.format = format
        self.runtimeSeconds = runtimeSeconds.flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
    }

    /// Whole-number ticks: counts and days.
    var wholeTicks: Bool { format == .integer || format == .day }

    /// The scale for this axis over `values` (finite ones; others are ignored).
    func scale(for values: [Double], maxIntervals: Int, alwaysExtends: Bool = false) -> NiceScale {
        if let range, range.lowerBound.isFinite, range.upperBound.isFinite {
            return NiceScale(
                range.lowerBound, range.upperBound, maxIntervals: maxIntervals,
                extendsToTicks: alwaysExtends, integers: wholeTicks)
        }
        var lower = 0.0
        var upper = 0.0
        for value in values where value.isFinite {
            lower = min(lower, value)
            upper = max(upper, value)
        }
        return NiceScale(lower, upper, maxIntervals: maxIntervals, extendsToTicks: true, integers: wholeTicks)
    }
}
