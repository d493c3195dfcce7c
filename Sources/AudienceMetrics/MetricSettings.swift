import AudienceReading

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
    /// The days the tables describe (`--from`, `--to`).
    public var window = DayWindow.everything

    public init(
        buckets: Int = Self.defaultBuckets, completeAt: Double = Self.defaultCompleteAt, timeZone: ReportTimeZone = .utc,
        catalog: Catalog? = nil, window: DayWindow = .everything
    ) {
        self.buckets = buckets
        self.completeAt = completeAt
        self.timeZone = timeZone
        self.catalog = catalog
        self.window = window
    }
}

/// `--from DAY` / `--to DAY`: the days (both inclusive, in the report's time
/// zone) whose views the tables describe. Either end may be open. The
/// history behind them still counts where the contract says so: duplicates,
/// title facts, a viewer's first view, concurrency and the quality account.
public struct DayWindow: Sendable, Equatable {
    /// Day numbers since 1970-01-01; nil is open.
    public let first: Int?
    public let last: Int?
    /// The bounds as given, for `summary.json`.
    public let fromText: String?
    public let toText: String?

    /// No window: every view is selected.
    public static let everything = DayWindow(first: nil, last: nil, fromText: nil, toText: nil)

    private init(first: Int?, last: Int?, fromText: String?, toText: String?) {
        self.first = first
        self.last = last
        self.fromText = fromText
        self.toText = toText
    }

    /// The window from `--from` and `--to` as written.
    public init(from: String?, to: String?) throws(WindowError) {
        let first = try from.map { text throws(WindowError) in try Self.day(text, option: "--from") }
        let last = try to.map { text throws(WindowError) in try Self.day(text, option: "--to") }
        if let first, let last, first > last, let from, let to {
            throw WindowError(message: "--from \(from) is after --to \(to)")
        }
        self.init(first: first, last: last, fromText: from, toText: to)
    }

    public var isEverything: Bool { first == nil && last == nil }

    @inline(__always)
    public func contains(_ day: Int) -> Bool {
        (first.map { day >= $0 } ?? true) && (last.map { day <= $0 } ?? true)
    }

    /// A real date written `YYYY-MM-DD`: four-digit year, two-digit month and day.
    static func day(_ text: String, option: String) throws(WindowError) -> Int {
        guard let day = Timestamp.day(written: text) else {
            throw WindowError(message: "\(option) '\(text)' is not a date written YYYY-MM-DD")
        }
        return day
    }
}

/// A `--from` or `--to` that cannot be a window: a usage error.
public struct WindowError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
