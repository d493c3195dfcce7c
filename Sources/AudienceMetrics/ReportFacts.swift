import AudienceCore

// Figures the course report states that are in no table, computed here from
// the tables' typed rows so that each is defined and tested once (the report
// only words them). `RetentionSkip`, `LineTotals.rejectedShare`,
// `AudienceTotals.shareOfViews`, `DayRow.returningViewers` and
// `TitleRow.runtimeViewsPerStartedView` are the others.

/// Whether longer titles are finished less: Pearson's r between `runtime_s`
/// and `completion_rate` over the titles of titles.csv that have both, each
/// title counting once.
public struct RuntimeCompletion: Sendable {
    /// Started views from which a title's completion rate counts as
    /// established rather than chance.
    public static let establishedStarts = 5

    /// The titles with a runtime and a completion rate, in titles.csv order.
    public let titles: [TitleRow]
    /// r over `titles`; nil with fewer than two or when either side is constant.
    public let correlation: Double?
    /// The titles with at least `establishedStarts` started views, and r over them.
    public let establishedTitles: Int
    public let establishedCorrelation: Double?

    public init(_ rows: [TitleRow]) {
        titles = rows.filter { $0.runtimeSeconds != nil && $0.completionRate != nil }
        correlation = Self.correlation(titles)
        let established = titles.filter { $0.startedViews >= Self.establishedStarts }
        establishedTitles = established.count
        establishedCorrelation = Self.correlation(established)
    }

    private static func correlation(_ rows: [TitleRow]) -> Double? {
        Statistics.correlation(rows.map { $0.runtimeSeconds ?? 0 }, rows.map { $0.completionRate ?? 0 })
    }
}

/// The most common audio and subtitle pairs of each country, from
/// languages.csv.
public struct LocalisationMix: Sendable {
    public struct Pair: Sendable, Equatable {
        public var row: LanguageRow
        /// The pair's share of the country's started views.
        public var share: Double
    }

    public struct Country: Sendable, Equatable {
        public var country: String
        public var startedViews: Int
        /// The country's most common pairs, most started views first (then
        /// audio and subtitle language bytes), at most `pairsPerCountry`.
        public var pairs: [Pair]
    }

    /// Countries by started views, most first, then country bytes.
    public let countries: [Country]

    public init(_ rows: [LanguageRow], pairsPerCountry: Int) {
        var byCountry: [ByteString: [LanguageRow]] = [:]
        for row in rows { byCountry[ByteString(row.country), default: []].append(row) }
        countries = byCountry.map { key, rows in
            let started = rows.reduce(0) { $0 + $1.measures.startedViews }
            let ordered = rows.sorted(by: LanguageRow.comesFirstInCountry)
            let pairs = started == 0 ? [] : ordered.prefix(pairsPerCountry).map {
                Pair(row: $0, share: Double($0.measures.startedViews) / Double(started))
            }
            return Country(country: key.text, startedViews: started, pairs: pairs)
        }
        .sorted { a, b in
            a.startedViews != b.startedViews ? a.startedViews > b.startedViews : Cell.bytesAscending(a.country, b.country)
        }
    }
}

/// How often each weekday occurs from one day to another, both included: a
/// weekday that occurs twice has twice the chance to be busy.
public struct WeekdayCounts: Sendable, Equatable {
    /// Monday first.
    public let counts: [Int]

    /// nil when `last` is before `first`.
    public init?(from first: Int, to last: Int) {
        guard last >= first else { return nil }
        var counts = [Int](repeating: 0, count: 7)
        for day in first...last { counts[(day + 3).modulo(7)] += 1 }  // 1970-01-01 was a Thursday
        self.counts = counts
    }

    /// Whether every weekday occurs equally often.
    public var isEven: Bool { Set(counts).count == 1 }
}

/// The busiest hours of the week in hours.csv or local_hours.csv.
public struct BusiestHours: Sendable {
    /// The most started views of any hour of the week (0 without any).
    public let startedViews: Int
    /// Each hour with that many, by weekday (Monday first), then hour.
    public let hours: [(weekday: Int, hour: Int)]

    public init(_ rows: [HourRow]) {
        let valid = rows.filter { (1...7).contains($0.weekday) && (0...23).contains($0.hour) }
        let most = valid.map(\.startedViews).max() ?? 0
        startedViews = most
        hours = most == 0 ? [] : valid.filter { $0.startedViews == most }.map { (weekday: $0.weekday, hour: $0.hour) }
            .sorted { $0.weekday != $1.weekday ? $0.weekday < $1.weekday : $0.hour < $1.hour }
    }
}
