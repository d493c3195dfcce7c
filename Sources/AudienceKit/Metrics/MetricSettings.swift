/// The settings the metrics depend on (`metrics.md`).
public struct MetricSettings: Sendable {
    /// B: the number of retention buckets.
    public var buckets: Int = 100
    /// c: the share of the runtime a view must reach to count as completed.
    public var completeAt: Double = 0.9
    public var timeZone: ReportTimeZone = .utc
    public var catalog: Catalog?

    public init(buckets: Int = 100, completeAt: Double = 0.9, timeZone: ReportTimeZone = .utc, catalog: Catalog? = nil) {
        self.buckets = buckets
        self.completeAt = completeAt
        self.timeZone = timeZone
        self.catalog = catalog
    }
}
