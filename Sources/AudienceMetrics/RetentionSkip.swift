/// Where a retention curve climbs back by 10 points or more after falling:
/// viewers who skipped a part (an intro, a recap) rather than left. The
/// report's own reading of a curve; the tables keep the spec's definitions.
public struct RetentionSkip: Sendable, Equatable {
    /// The bucket of the fall's bottom, and the curve's retention there.
    public let bottom: Int
    public let bottomRetention: Double
    /// The highest retention after the bottom.
    public let recovered: Double
    /// Where, in % of the runtime, the curve falls below 50% for good after
    /// the skip (100 when it never does); nil when the skip's bottom is not
    /// below 50%, so the half-life is not pulled into the dip.
    public let halfLifeAfter: Double?

    /// The deepest dip the curve climbs back from (the largest rise from a
    /// bucket to the highest point after it, the later bucket on a tie);
    /// nil when no rise reaches 10 points.
    public init?(_ curve: [Double]) {
        var best: (bottom: Int, recovered: Double)?
        var highestAfter = -Double.infinity
        for bucket in curve.indices.reversed() {
            let rise = highestAfter - curve[bucket]
            if rise >= 0.1, rise >= (best.map { $0.recovered - curve[$0.bottom] } ?? 0) {
                best = (bucket, highestAfter)
            }
            highestAfter = max(highestAfter, curve[bucket])
        }
        guard let best else { return nil }
        bottom = best.bottom
        bottomRetention = curve[best.bottom]
        recovered = best.recovered
        if curve[best.bottom] < 0.5 {
            let peak = curve[best.bottom...].firstIndex(of: best.recovered) ?? best.bottom
            halfLifeAfter = curve[peak...].firstIndex { $0 < 0.5 }
                .map { RetentionTable.startPercent($0, of: curve.count) } ?? 100
        } else {
            halfLifeAfter = nil
        }
    }
}
