import Foundation

/// The time zone days and hours are reported in: UTC, a fixed offset
/// (`+09:00`), or an IANA zone (`Asia/Seoul`) whose offsets, daylight saving
/// included, come from the time zone database.
public struct ReportTimeZone: Sendable, CustomStringConvertible {
    private enum Kind: Sendable {
        case fixed(seconds: Int)
        case named(TimeZone)
    }

    private let kind: Kind
    public let description: String

    public static let utc = ReportTimeZone(kind: .fixed(seconds: 0), description: "UTC")

    private init(kind: Kind, description: String) {
        self.kind = kind
        self.description = description
    }

    /// Parses `UTC`, `Z`, `±hh:mm`, `±hhmm`, `±hh` or an IANA name; nil when
    /// it is none of these.
    public init?(_ text: String) {
        if text == "UTC" || text == "Z" || text == "utc" {
            self = .utc
            return
        }
        if let first = text.first, first == "+" || first == "-" {
            let digits = text.dropFirst().filter { $0 != ":" }
            guard digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
                  digits.count == 2 || digits.count == 4,
                  let hours = Int(digits.prefix(2)), let minutes = Int(digits.count == 4 ? String(digits.suffix(2)) : "0"),
                  hours <= 23, minutes <= 59,
                  text.count == (text.contains(":") ? 6 : digits.count + 1)
            else { return nil }
            let seconds = (hours * 3600 + minutes * 60) * (first == "-" ? -1 : 1)
            self.init(kind: .fixed(seconds: seconds), description: text)
            return
        }
        // A name of the time zone database (`Asia/Seoul`, `CET`, `EST5EDT`);
        // Foundation also maps spellings such as `GMT+5`, which are not.
        guard let zone = TimeZone(identifier: text), zone.identifier == text else { return nil }
        self.init(kind: .named(zone), description: text)
    }

    /// The zone's offset from UTC at an instant, in seconds.
    public func offset(atUnixMilliseconds milliseconds: Int64) -> Int {
        switch kind {
        case .fixed(let seconds):
            return seconds
        case .named(let zone):
            let date = Date(timeIntervalSince1970: Double(milliseconds.floorDivided(by: 1000)))
            return zone.secondsFromGMT(for: date)
        }
    }

    /// The earliest instant (Unix milliseconds) whose local clock reads
    /// `localMilliseconds` (milliseconds since 1970-01-01 00:00 local) or
    /// later: the first instant of a day when given its midnight, even where
    /// clocks skip midnight or fall back over it.
    public func firstInstant(atOrAfterLocal localMilliseconds: Int64) -> Int64 {
        let window: Int64 = 25 * 3_600_000  // more than any offset: `±hh:mm` goes up to 23:59
        // The stretches of constant offset around the answer, in time order;
        // within one, the local clock runs with the instant.
        var stretchStart = localMilliseconds - window
        let windowEnd = localMilliseconds + window
        while stretchStart < windowEnd {
            let offset = Int64(offset(atUnixMilliseconds: stretchStart)) * 1000
            let stretchEnd = nextOffsetChange(after: stretchStart, before: windowEnd)
            let candidate = max(stretchStart, localMilliseconds - offset)
            if candidate < stretchEnd { return candidate }
            stretchStart = stretchEnd
        }
        return localMilliseconds - Int64(offset(atUnixMilliseconds: windowEnd)) * 1000
    }

    /// The first instant after `start` (and before `limit`, else `limit`)
    /// whose offset differs from the offset at `start`. Offsets change at
    /// whole seconds, never twice within half an hour.
    private func nextOffsetChange(after start: Int64, before limit: Int64) -> Int64 {
        guard case .named = kind else { return limit }
        let offsetAtStart = offset(atUnixMilliseconds: start)
        let step: Int64 = 1_800_000
        var probe = start
        while probe < limit {
            let next = min(probe + step, limit)
            if offset(atUnixMilliseconds: next) != offsetAtStart {
                // The change is in (probe, next]: find its second.
                var low = probe.floorDivided(by: 1000), high = next.floorDivided(by: 1000)
                while high - low > 1 {
                    let middle = low + (high - low) / 2
                    if offset(atUnixMilliseconds: middle * 1000) == offsetAtStart { low = middle } else { high = middle }
                }
                return max(high * 1000, start + 1)
            }
            probe = next
        }
        return limit
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmm±hh:mm`: an instant on the report's clock,
    /// with the offset in effect then.
    public func timestamp(_ milliseconds: Int64) -> String {
        let offsetSeconds = offset(atUnixMilliseconds: milliseconds)
        return LocalTime.timestamp(
            localMilliseconds: milliseconds + Int64(offsetSeconds) * 1000, offsetMinutes: offsetSeconds / 60)
    }

    /// The local calendar day (days since 1970-01-01), hour and ISO weekday
    /// (1 = Monday) of an instant.
    public func local(_ milliseconds: Int64) -> LocalTime {
        let seconds = milliseconds.floorDivided(by: 1000) + Int64(offset(atUnixMilliseconds: milliseconds))
        let day = Int(seconds.floorDivided(by: 86_400))
        let hour = Int((seconds - Int64(day) * 86_400) / 3600)
        // 1970-01-01 was a Thursday (ISO 4).
        let weekday = (day + 3).modulo(7) + 1
        return LocalTime(day: day, hour: hour, weekday: weekday)
    }
}
