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

    public init() {}
}
