/// Where the parts of a title's retention curve lie on the title's own
/// clock, in seconds from its start: a producer thinks "people leave at
/// 12:40", not "at 31% of the runtime".
///
/// Bucket i of B covers [i·D/B, (i+1)·D/B) of the runtime D and is
/// measured at its midpoint (2i+1)·D/(2B), the formula of `metrics.md`
/// evaluated in that order, so `middle(i)` is exactly the instant a
/// `progress` segment must cover for the view to reach bucket i.
public struct BucketClock: Sendable, Equatable {
    /// D, in seconds.
    public let runtime: Double
    /// B.
    public let buckets: Int

    /// nil when the runtime is unknown, not finite or not positive, or B < 1.
    public init?(runtime: Double?, buckets: Int) {
        guard let runtime, runtime.isFinite, runtime > 0, buckets >= 1 else { return nil }
        self.runtime = runtime
        self.buckets = buckets
    }

    /// i·D/B: where bucket i begins.
    public func start(_ bucket: Int) -> Double { Double(bucket) * runtime / Double(buckets) }

    /// (i+1)·D/B: where bucket i ends (and the next begins).
    public func end(_ bucket: Int) -> Double { start(bucket + 1) }

    /// (2i+1)·D/(2B): the instant bucket i is measured at.
    public func middle(_ bucket: Int) -> Double { Double(2 * bucket + 1) * runtime / Double(2 * buckets) }

    /// A position given in % of the runtime (`start_pct`, `half_life_pct`), in seconds.
    public func seconds(atPercent percent: Double) -> Double { percent / 100 * runtime }
}
