import AudienceReading
import AudienceMetrics

/// How `audience generate` shapes its logs.
public struct GeneratorSettings: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case jsonl, csv, tsv
        case jsonlGz = "jsonl.gz", csvGz = "csv.gz", tsvGz = "tsv.gz"
        /// Each file its own: NDJSON, CSV and TSV in turn, gzipped.
        case mixed
    }

    public enum Messiness: String, Sendable, CaseIterable {
        case none, light, heavy

        /// The share of lines broken or made awkward, per kind of trouble.
        var rate: Double {
            switch self {
            case .none: 0
            case .light: 0.004
            case .heavy: 0.02
            }
        }
    }

    public var viewers = 300
    public var days = 7
    /// The first day, as days since 1970-01-01.
    public var startDay = Timestamp.daysFromCivil(year: 2026, month: 11, day: 1)
    /// Films in the catalog.
    public var titles = 24
    /// Series in the catalog, each with one or two seasons of 6 to 10 episodes.
    public var series = 4
    public var seed: UInt64 = 1
    public var files = 4
    public var format = Format.jsonlGz
    public var messiness = Messiness.light
    public var writeCatalog = true
    public var writeTruth = true
    /// Replace the logs already in the output folder instead of refusing it.
    public var replaceExisting = false

    public init() {}
}

/// The bounds of each option: beyond them a run would not fit in memory,
/// in the spec's years, or in a teacher's afternoon. Each is a usage error
/// at the command line, and `Generator.run` checks them again, so no
/// setting reaches arithmetic that could overflow or allocate without end.
public enum GeneratorLimits {
    /// About 240 events per viewer and active day: a million viewers for a
    /// week is some 10^9 events, an hour or more of writing.
    public static let viewers = 1...1_000_000
    /// A year of viewing.
    public static let days = 1...366
    public static let titles = 0...10_000
    /// Each series has up to 20 episodes.
    public static let series = 0...1_000
    public static let files = 1...1_000
    /// Local days may start before their UTC day and the last sessions run
    /// into the next two days, and the spec takes years 2000 to 2099 only.
    public static let firstStartDay = Timestamp.daysFromCivil(year: 2000, month: 1, day: 2)
    public static let lastDay = Timestamp.daysFromCivil(year: 2099, month: 12, day: 28)

    /// What is wrong with the settings, naming the option and its limit;
    /// nil when they are within bounds.
    public static func problem(_ settings: GeneratorSettings) -> String? {
        func outside(_ option: String, _ value: Int, _ range: ClosedRange<Int>) -> String? {
            range.contains(value) ? nil : "--\(option) must be from \(range.lowerBound) to \(range.upperBound) (got \(value))."
        }
        if let problem = outside("viewers", settings.viewers, viewers) ?? outside("days", settings.days, days)
            ?? outside("titles", settings.titles, titles) ?? outside("series", settings.series, series)
            ?? outside("files", settings.files, files)
        {
            return problem
        }
        if settings.titles + settings.series == 0 { return "--titles and --series cannot both be 0." }
        let first = LocalTime.dayString(firstStartDay), last = LocalTime.dayString(lastDay)
        let range = "--start and --days must keep every day from \(first) to \(last)"
        // One bound at a time, so a huge start day neither overflows the sum nor reaches the calendar.
        guard settings.startDay >= firstStartDay && settings.startDay <= lastDay else { return range + "." }
        if settings.startDay + settings.days - 1 > lastDay {
            return range + " (got \(LocalTime.dayString(settings.startDay)) plus \(settings.days) days)."
        }
        return nil
    }
}
