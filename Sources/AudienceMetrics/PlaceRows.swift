import AudienceCore

/// A row of countries.csv (`region` nil) or regions.csv.
public struct PlaceRow: MeasuredRow, Equatable {
    public var country: String
    /// nil in countries.csv; empty is a group of its own in regions.csv.
    public var region: String?
    public var measures: GroupMeasures
    /// The group's share of all watch hours, as written.
    public var shareOfWatchHours: Double?
    public var subtitleShare: Double?
    /// The title with the most watch hours (a tie goes to the smaller
    /// `title_id`); empty when no view has any.
    public var topTitle: String

    private static let measureColumns: [TableColumn<PlaceRow>] = [
        .views, .startedViews, .uniqueViewers, .watchHours, .completionRate, .avgPctWatched,
        .number("share_of_watch_hours", \.shareOfWatchHours), .number("subtitle_share", \.subtitleShare),
        .text("top_title", \.topTitle),
    ]
    public static let countryColumns: [TableColumn<PlaceRow>] = [.text("country", \.country)] + measureColumns
    public static let regionColumns: [TableColumn<PlaceRow>] =
        [.text("country", \.country), .text("region") { $0.region ?? "" }] + measureColumns

    /// countries.csv, or regions.csv with `byRegion`: by watch hours as
    /// written, most first, then the key's bytes.
    static func table(_ set: ViewSet, byRegion: Bool, totalHours: Double, runtimeKnown: [Bool]) -> Table<PlaceRow> {
        let groups = GroupTotals.grouped(set, runtimeKnown: runtimeKnown, trackTitles: true) {
            byRegion ? GroupKey($0.country, $0.region) : GroupKey($0.country)
        }
        var rows: [PlaceRow] = []
        rows.reserveCapacity(groups.count)
        for (key, totals) in groups {
            let hours = totals.watchHours
            rows.append(PlaceRow(
                country: key.first.text, region: byRegion ? key.second.text : nil, measures: GroupMeasures(totals),
                shareOfWatchHours: NumberFormat.written(totalHours == 0 ? nil : hours / totalHours),
                subtitleShare: NumberFormat.written(totals.subtitleShare), topTitle: topTitle(totals, set) ?? ""))
        }
        rows.sort { a, b in
            if let order = GroupMeasures.byWatchHours(a.measures, b.measures) { return order }
            if !a.country.utf8.elementsEqual(b.country.utf8) { return Cell.bytesAscending(a.country, b.country) }
            return Cell.bytesAscending(a.region ?? "", b.region ?? "")
        }
        return Table(columns: byRegion ? regionColumns : countryColumns, rows: rows)
    }

    /// The title with the most watch hours; a tie goes to the smaller title_id.
    private static func topTitle(_ totals: GroupTotals, _ set: ViewSet) -> String? {
        var top: (title: String, seconds: Double)?
        for (title, sum) in totals.titleWatch {
            let id = set.titles[title].id
            let seconds = sum.value
            if let best = top, !(seconds > best.seconds || (seconds == best.seconds && Cell.bytesAscending(id, best.title))) {
                continue
            }
            top = (id, seconds)
        }
        return top?.title
    }
}

/// A row of devices.csv.
public struct DeviceRow: MeasuredRow, Equatable {
    public var device: String
    public var measures: GroupMeasures

    public static let columns: [TableColumn<DeviceRow>] = [
        .text("device", \.device), .views, .startedViews, .uniqueViewers, .watchHours, .completionRate, .avgPctWatched,
    ]

    /// devices.csv: by watch hours as written, most first, then device bytes.
    static func table(_ set: ViewSet, runtimeKnown: [Bool]) -> Table<DeviceRow> {
        var rows = GroupTotals.grouped(set, runtimeKnown: runtimeKnown) { GroupKey($0.device) }.map { key, totals in
            DeviceRow(device: key.first.text, measures: GroupMeasures(totals))
        }
        rows.sort { a, b in
            GroupMeasures.byWatchHours(a.measures, b.measures) ?? Cell.bytesAscending(a.device, b.device)
        }
        return Table(columns: columns, rows: rows)
    }
}

/// A row of languages.csv: the started views of one country with one
/// audio language and one subtitle language.
public struct LanguageRow: MeasuredRow, Equatable {
    public var country: String
    public var audioLang: String
    /// `off` when subtitles were off or not reported.
    public var subtitleLang: String
    /// Over started views only, so `views` equals `startedViews`.
    public var measures: GroupMeasures

    public static let columns: [TableColumn<LanguageRow>] = [
        .text("country", \.country), .text("audio_lang", \.audioLang), .text("subtitle_lang", \.subtitleLang),
        .startedViews, .watchHours, .completionRate, .avgPctWatched,
    ]

    /// languages.csv: by country bytes, then started views, most first,
    /// then audio and subtitle language bytes.
    static func table(_ set: ViewSet, runtimeKnown: [Bool]) -> Table<LanguageRow> {
        let groups = GroupTotals.grouped(set, runtimeKnown: runtimeKnown, where: \.started) { view in
            GroupKey(view.country, view.audioLang, view.subtitleLang.isEmpty ? "off" : view.subtitleLang)
        }
        var rows = groups.map { key, totals in
            LanguageRow(country: key.first.text, audioLang: key.second.text, subtitleLang: key.third.text,
                        measures: GroupMeasures(totals))
        }
        rows.sort { a, b in
            a.country.utf8.elementsEqual(b.country.utf8)
                ? comesFirstInCountry(a, b) : Cell.bytesAscending(a.country, b.country)
        }
        return Table(columns: columns, rows: rows)
    }

    /// The order of one country's pairs: started views, most first, then
    /// audio and subtitle language bytes.
    static func comesFirstInCountry(_ a: LanguageRow, _ b: LanguageRow) -> Bool {
        let x = a.measures.startedViews, y = b.measures.startedViews
        if x != y { return x > y }
        if !a.audioLang.utf8.elementsEqual(b.audioLang.utf8) { return Cell.bytesAscending(a.audioLang, b.audioLang) }
        return Cell.bytesAscending(a.subtitleLang, b.subtitleLang)
    }
}
