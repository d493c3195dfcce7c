import AudienceCore

/// `local_hours.csv`: started views by weekday and hour on the viewer's own
/// clock, where the view's country (and region) gives one time zone.
///
/// hours.csv puts every view on the report's clock: for viewers in Seoul
/// and New York at once, "Wednesday 00:00 UTC" is Wednesday morning in
/// Seoul and Tuesday evening in New York, and a peak there says nothing of
/// when people watch. Here each started view's start is read on the clock
/// of its place:
///
/// - a country that keeps one zone maps to it (`countryZones`);
/// - a country with several maps by its region (ISO 3166-2, `regionZones`),
///   to the zone most of the region's people keep;
/// - a view whose place gives no single zone (a multi-zone country without
///   a known region, `ZZ`, a country not listed) is not placed: it is
///   counted in `unplacedStartedViews`, by country in `unplacedCountries`,
///   and is in no row.
///
/// Columns as hours.csv: `weekday` (1 = Monday), `hour`, `started_views`,
/// `watch_hours`, rows by weekday then hour.
public struct ViewerLocalHours: Sendable {
    public let table: Table<HourRow>
    public let placedStartedViews: Int
    public let unplacedStartedViews: Int
    /// Countries with unplaced started views, and how many, by count
    /// descending then country bytes.
    public let unplacedCountries: [(country: String, startedViews: Int)]

    /// Countries that keep a single time zone (daylight saving included).
    public static let countryZones: [String: String] = [
        "KR": "Asia/Seoul", "JP": "Asia/Tokyo", "IN": "Asia/Kolkata", "CN": "Asia/Shanghai", "TW": "Asia/Taipei",
        "HK": "Asia/Hong_Kong", "SG": "Asia/Singapore", "TH": "Asia/Bangkok", "VN": "Asia/Ho_Chi_Minh",
        "PH": "Asia/Manila", "DE": "Europe/Berlin", "FR": "Europe/Paris", "GB": "Europe/London", "IE": "Europe/Dublin",
        "IT": "Europe/Rome", "NL": "Europe/Amsterdam", "BE": "Europe/Brussels", "CH": "Europe/Zurich",
        "AT": "Europe/Vienna", "SE": "Europe/Stockholm", "NO": "Europe/Oslo", "DK": "Europe/Copenhagen",
        "FI": "Europe/Helsinki", "PL": "Europe/Warsaw", "CZ": "Europe/Prague", "GR": "Europe/Athens",
        "TR": "Europe/Istanbul", "IL": "Asia/Jerusalem", "AE": "Asia/Dubai", "SA": "Asia/Riyadh",
        "EG": "Africa/Cairo", "NG": "Africa/Lagos", "ZA": "Africa/Johannesburg", "KE": "Africa/Nairobi",
        "AR": "America/Argentina/Buenos_Aires", "CO": "America/Bogota", "PE": "America/Lima", "NZ": "Pacific/Auckland",
    ]

    /// Regions of countries with several zones.
    public static let regionZones: [String: String] = [
        "US-NY": "America/New_York", "US-FL": "America/New_York", "US-MA": "America/New_York",
        "US-GA": "America/New_York", "US-PA": "America/New_York", "US-NJ": "America/New_York",
        "US-TX": "America/Chicago", "US-IL": "America/Chicago", "US-MN": "America/Chicago",
        "US-CO": "America/Denver", "US-AZ": "America/Phoenix", "US-CA": "America/Los_Angeles",
        "US-WA": "America/Los_Angeles", "US-OR": "America/Los_Angeles", "US-NV": "America/Los_Angeles",
        "US-HI": "Pacific/Honolulu", "US-AK": "America/Anchorage",
        "BR-SP": "America/Sao_Paulo", "BR-RJ": "America/Sao_Paulo", "BR-MG": "America/Sao_Paulo",
        "BR-AM": "America/Manaus",
        "CA-ON": "America/Toronto", "CA-QC": "America/Toronto", "CA-BC": "America/Vancouver",
        "CA-AB": "America/Edmonton",
        "AU-NSW": "Australia/Sydney", "AU-VIC": "Australia/Melbourne", "AU-QLD": "Australia/Brisbane",
        "AU-WA": "Australia/Perth",
        "MX-CMX": "America/Mexico_City", "MX-JAL": "America/Mexico_City",
        "ES-MD": "Europe/Madrid", "ES-CT": "Europe/Madrid", "ES-CN": "Atlantic/Canary",
        "RU-MOW": "Europe/Moscow", "RU-SPE": "Europe/Moscow",
        "ID-JK": "Asia/Jakarta",
    ]

    /// The zone a view's place gives, by name; nil when it gives none.
    public static func zoneName(country: String, region: String) -> String? {
        regionZones[region] ?? countryZones[country]
    }

    init(_ set: ViewSet) {
        var zones: [String: ReportTimeZone?] = [:]
        var counts = WeekHourCounts()
        var placed = 0
        var unplaced: [ByteString: Int] = [:]
        for view in set.views where view.started {
            let name = Self.zoneName(country: view.country, region: view.region)
            let zone: ReportTimeZone? = name.flatMap { name in
                if let known = zones[name] { return known }
                let made = ReportTimeZone(name)
                zones[name] = made
                return made
            }
            guard let zone else {
                unplaced[ByteString(view.country), default: 0] += 1
                continue
            }
            placed += 1
            counts.add(view, at: zone.local(view.start))
        }
        table = counts.table
        placedStartedViews = placed
        unplacedStartedViews = unplaced.values.reduce(0, +)
        unplacedCountries = unplaced.map { ($0.key.text, $0.value) }.sorted {
            $0.startedViews != $1.startedViews ? $0.startedViews > $1.startedViews : Cell.bytesAscending($0.country, $1.country)
        }
    }
}
