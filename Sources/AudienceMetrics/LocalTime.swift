import AudienceReading

/// A moment as the report's time zone shows it: its day, hour and weekday.
public struct LocalTime: Sendable, Equatable {
    /// Days since 1970-01-01 in the report's zone.
    public var day: Int
    public var hour: Int
    /// 1 = Monday … 7 = Sunday.
    public var weekday: Int

    @inlinable
    package init(day: Int, hour: Int, weekday: Int) {
        self.day = day
        self.hour = hour
        self.weekday = weekday
    }

    /// `YYYY-MM-DD`.
    public static func dayString(_ day: Int) -> String {
        let (year, month, dayOfMonth) = Timestamp.civilFromDays(day)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(dayOfMonth, 2))"
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmm` of a local clock reading, then `±hh:mm`, or
    /// `Z` when `offsetMinutes` is nil.
    static func timestamp(localMilliseconds: Int64, offsetMinutes: Int?) -> String {
        let day = Int(localMilliseconds.floorDivided(by: 86_400_000))
        let withinDay = Int(localMilliseconds - Int64(day) * 86_400_000)
        let seconds = withinDay / 1000
        var text = dayString(day)
            + "T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(withinDay % 1000, 3))"
        if let offsetMinutes {
            text += (offsetMinutes < 0 ? "-" : "+") + pad(abs(offsetMinutes) / 60, 2) + ":" + pad(abs(offsetMinutes) % 60, 2)
        } else {
            text += "Z"
        }
        return text
    }
}

/// `value` in decimal, zero-padded on the left to `width` digits.
package func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: "0", count: max(0, width - text.count)) + text
}

extension BinaryInteger {
    package func floorDivided(by divisor: Self) -> Self {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    package func modulo(_ divisor: Self) -> Self {
        let remainder = self % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }
}
