/// The settings the metrics depend on (`metrics.md`).
public struct MetricSettings: Sendable {
    /// B: the number of retention buckets.
    public var buckets: Int = Self.defaultBuckets
    /// c: the share of the runtime a view must reach to count as completed.
    public var completeAt: Double = Self.defaultCompleteAt

    public static let defaultBuckets = 100
    public static let defaultCompleteAt = 0.9
    /// B beyond this resolves finer than a hundredth of a percent of the
    /// runtime, which no player reports, and costs a retention row per bucket
    /// and title (and B bits per view) for nothing.
    public static let bucketLimit = 10_000
    public var timeZone: ReportTimeZone = .utc
    public var catalog: Catalog?

    public init(buckets: Int = Self.defaultBuckets, completeAt: Double = Self.defaultCompleteAt, timeZone: ReportTimeZone = .utc, catalog: Catalog? = nil) {
        self.buckets = buckets
        self.completeAt = completeAt
        self.timeZone = timeZone
        self.catalog = catalog
    }
}
