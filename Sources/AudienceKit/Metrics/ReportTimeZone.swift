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

public struct LocalTime: Sendable, Equatable {
    /// Days since 1970-01-01 in the report's zone.
    public var day: Int
    public var hour: Int
    /// 1 = Monday … 7 = Sunday.
    public var weekday: Int

    /// `YYYY-MM-DD`.
    public static func dayString(_ day: Int) -> String {
        let (year, month, dayOfMonth) = Timestamp.civilFromDays(day)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(dayOfMonth, 2))"
    }
}

extension BinaryInteger {
    func floorDivided(by divisor: Self) -> Self {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    func modulo(_ divisor: Self) -> Self {
        let remainder = self % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }
}
