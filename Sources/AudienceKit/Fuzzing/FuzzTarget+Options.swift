import AudienceReading
import AudienceMetrics

extension FuzzTarget {
    /// The first byte chooses: even, the rest is a `--catalog` file; odd, a
    /// `--timezone` value. Either may be refused (a thrown `CatalogError`, a
    /// nil zone); what is accepted must hold together.
    static func checkOptions(_ bytes: [UInt8]) -> String? {
        guard let choice = bytes.first else { return nil }
        let rest = Array(bytes.dropFirst())
        if choice & 1 == 0 {
            guard let catalog = try? Catalog(bytes: rest, path: "fuzz.csv") else { return nil }
            if catalog.entries.count != catalog.order.count { return "catalog order and entries disagree" }
            for entry in catalog.entries.values {
                if !(entry.runtime.isFinite && entry.runtime > 0) { return "catalog runtime \(entry.runtime)" }
                if (entry.season ?? 0) < 0 || (entry.episode ?? 0) < 0 { return "catalog season or episode below 0" }
                if entry.titleID.isEmpty { return "catalog title_id empty" }
            }
            return nil
        }
        guard let zone = ReportTimeZone(String(decoding: rest, as: UTF8.self)) else { return nil }
        let span = Timestamp.windowEnd - Timestamp.windowStart
        let instants = [0, 1, span / 3, span / 2, span - 1].map { Timestamp.windowStart + $0 }
        for instant in instants {
            let offset = zone.offset(atUnixMilliseconds: instant)
            if abs(offset) >= 24 * 3600 { return "offset \(offset) s at \(instant)" }
            let local = zone.local(instant)
            if !(0..<24).contains(local.hour) || !(1...7).contains(local.weekday) { return "local time \(local)" }
            let midnight = Int64(local.day) * 86_400_000
            let dayStart = zone.firstInstant(atOrAfterLocal: midnight)
            if dayStart > instant { return "day of \(instant) starts after it, at \(dayStart)" }
            if zone.local(dayStart).day != local.day || zone.local(dayStart - 1).day == local.day {
                return "day \(local.day) of \(instant) starts at \(dayStart), not its first instant"
            }
            if zone.timestamp(instant).utf8.count < 29 { return "timestamp \(zone.timestamp(instant))" }
        }
        return nil
    }
}
