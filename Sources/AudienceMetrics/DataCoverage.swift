/// How much of their first and last day the logs cover: a day on which
/// logging starts late or stops early looks like a fall in views, new
/// viewers or return rates when it is only cut short.
///
/// The logs run from the earliest start to the latest end of any view in
/// the history (the window does not matter: the history is what was
/// recorded). The first day of the selected views is **partial** when the
/// logs begin on it at 01:00 or later (its first hour is missing); the last
/// day is partial when the logs end on it before 23:00 (its last hour is
/// missing). Both on the report's clock.
public struct DataCoverage: Sendable, Equatable {
    /// A day the logs cover only part of, and the local clock time (`HH:MM`)
    /// at which they begin or end on it.
    public struct PartialDay: Sendable, Equatable {
        /// Days since 1970-01-01.
        public var day: Int
        public var clock: String
    }

    public var partialFirstDay: PartialDay?
    public var partialLastDay: PartialDay?

    static let hourMilliseconds: Int64 = 3_600_000

    public init(partialFirstDay: PartialDay? = nil, partialLastDay: PartialDay? = nil) {
        self.partialFirstDay = partialFirstDay
        self.partialLastDay = partialLastDay
    }

    init(_ set: ViewSet) {
        let days = set.views.map(\.local.day)
        guard let first = days.min(), let last = days.max(),
              let begins = set.history.map(\.start).min(), let ends = set.history.map(\.end).max() else { return }
        let zone = set.settings.timeZone
        func local(_ instant: Int64) -> (day: Int, withinDay: Int64, clock: String) {
            let milliseconds = instant + Int64(zone.offset(atUnixMilliseconds: instant)) * 1000
            let day = Int(milliseconds.floorDivided(by: 86_400_000))
            let withinDay = milliseconds - Int64(day) * 86_400_000
            let minutes = Int(withinDay / 60_000)
            return (day, withinDay, pad(minutes / 60, 2) + ":" + pad(minutes % 60, 2))
        }
        let start = local(begins), end = local(ends)
        if start.day == first && start.withinDay >= Self.hourMilliseconds {
            partialFirstDay = PartialDay(day: first, clock: start.clock)
        }
        if end.day == last && end.withinDay < 23 * Self.hourMilliseconds {
            partialLastDay = PartialDay(day: last, clock: end.clock)
        }
    }
}
