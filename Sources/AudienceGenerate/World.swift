import AudienceReading
import AudienceMetrics

/// The catalog and the audience a generated log is about.
struct GeneratedTitle {
    var id: String
    var name: String
    /// Seconds.
    var runtime: Int
    var seriesID: String?
    var seriesName: String?
    var season: Int?
    var episode: Int?
    var originalLanguage: Int
    var genre: String
    var releaseDate: String
    /// Chance per second of playback that a viewer leaves: the title's hold.
    var leaveRate: Double
    /// Chance that a view samples the title and leaves in its first minutes.
    var sampleRate: Double
    /// The recap ("previously on…") from 0 to this second, on later episodes.
    var recapEnd: Int?
    /// The title sequence, skipped with a seek to its end.
    var intro: (start: Int, end: Int)?
    /// Where the end credits start (seconds).
    var creditsStart: Int
    /// A scene people go back to watch again (seconds).
    var highlight: Int
    /// The next episode of its series (title index), if any.
    var nextEpisode: Int?
    /// Index into `World.series` for episodes.
    var series: Int?
}

struct GeneratedSeries {
    var id: String
    /// Chance that a viewer who finished an episode carries on with the next,
    /// in this session or a later one.
    var carryOn: Double
    /// Title indices of its episodes, in order.
    var episodes: [Int]
}

struct Region {
    var code: String
    /// Standard-time offset from UTC in minutes.
    var offset: Int
    var weight: Double
}

enum DaylightSaving {
    case none
    /// Second Sunday of March to first Sunday of November.
    case northAmerica
    /// Last Sunday of March to last Sunday of October.
    case europe

    /// Whether a local calendar day (days since 1970-01-01) is on summer time.
    func isSummer(day: Int) -> Bool {
        guard self != .none else { return false }
        let year = Timestamp.civilFromDays(day).year
        func sunday(onOrAfter day: Int) -> Int { day + (7 - isoWeekday(ofDay: day) % 7) % 7 }
        func lastSunday(of month: Int) -> Int {
            let last = Timestamp.daysFromCivil(year: year, month: month, day: Timestamp.daysIn(month: month, year: year))
            return last - isoWeekday(ofDay: last) % 7
        }
        switch self {
        case .none:
            return false
        case .northAmerica:
            let start = sunday(onOrAfter: Timestamp.daysFromCivil(year: year, month: 3, day: 8))
            let end = sunday(onOrAfter: Timestamp.daysFromCivil(year: year, month: 11, day: 1))
            return day >= start && day < end
        case .europe:
            return day >= lastSunday(of: 3) && day < lastSunday(of: 10)
        }
    }
}

/// ISO weekday (1 = Monday … 7 = Sunday) of a day since 1970-01-01, a Thursday.
func isoWeekday(ofDay day: Int) -> Int { (day + 3).modulo(7) + 1 }

struct Country {
    var code: String
    var regions: [Region]
    var daylightSaving: DaylightSaving
    /// Index into `World.languages`.
    var language: Int
    var weight: Double
    /// Weights of `World.devices` here.
    var devices: [Double]
    /// Share of viewers who choose dubbed audio over subtitles for a title
    /// in another language.
    var dubbing: Double

    func offset(region: Int, localDay: Int) -> Int {
        regions[region].offset + (daylightSaving.isSummer(day: localDay) ? 60 : 0)
    }
}

/// One viewer's fixed traits, drawn from the seed and the viewer's number
/// alone, so none has to be kept in memory.
struct GeneratedViewer {
    var index: Int
    var country: Int
    var region: Int
    var device: Int
    var secondDevice: Int
    /// Chance of watching on an ordinary day once they have joined.
    var activity: Double
    var firstDay: Int
    var prefersDubbing: Bool
    /// Keeps subtitles on in their own language too.
    var keepsSubtitles: Bool
    /// Chance of skipping an intro (or a recap) when it plays.
    var skipsIntro: Double
    var skipsRecap: Double
}

struct World {
    var titles: [GeneratedTitle] = []
    var series: [GeneratedSeries] = []
    let seed: UInt64
    let days: Int
    /// Per country: cumulative popularity of films, and of series (by their
    /// first episode), for picking what to start.
    private(set) var filmPicks: [CumulativeWeights] = []
    private(set) var seriesPicks: [CumulativeWeights] = []

    static let languages = ["en", "ko", "ja", "fr", "de", "pt-BR", "hi", "es"]
    /// Original languages of titles: a catalog mostly in English, with
    /// Korean, Japanese, European and Indian productions.
    static let originalLanguages: [(Int, Double)] = [(0, 10), (1, 3), (2, 2), (3, 1.5), (4, 1.5), (6, 1), (7, 2)]
    static let devices = ["tv", "mobile", "web", "tablet", "console"]
    static let countries: [Country] = [
        Country(
            code: "US",
            regions: [
                Region(code: "US-CA", offset: -480, weight: 3), Region(code: "US-NY", offset: -300, weight: 2),
                Region(code: "US-TX", offset: -360, weight: 2), Region(code: "US-FL", offset: -300, weight: 2),
            ],
            daylightSaving: .northAmerica, language: 0, weight: 4, devices: [55, 15, 12, 10, 8], dubbing: 0.45),
        Country(
            code: "KR",
            regions: [
                Region(code: "KR-11", offset: 540, weight: 3), Region(code: "KR-26", offset: 540, weight: 1),
                Region(code: "KR-41", offset: 540, weight: 2),
            ],
            daylightSaving: .none, language: 1, weight: 3, devices: [35, 40, 15, 7, 3], dubbing: 0.3),
        Country(
            code: "BR", regions: [Region(code: "BR-SP", offset: -180, weight: 2), Region(code: "BR-RJ", offset: -180, weight: 1)],
            daylightSaving: .none, language: 5, weight: 2, devices: [45, 35, 10, 7, 3], dubbing: 0.6),
        Country(
            code: "DE",
            regions: [
                Region(code: "DE-BE", offset: 60, weight: 1), Region(code: "DE-BY", offset: 60, weight: 2),
                Region(code: "DE-HH", offset: 60, weight: 1),
            ],
            daylightSaving: .europe, language: 4, weight: 2, devices: [50, 18, 17, 10, 5], dubbing: 0.75),
        Country(
            code: "JP", regions: [Region(code: "JP-13", offset: 540, weight: 2), Region(code: "JP-27", offset: 540, weight: 1)],
            daylightSaving: .none, language: 2, weight: 2, devices: [45, 30, 12, 8, 5], dubbing: 0.5),
        Country(
            code: "FR", regions: [Region(code: "FR-IDF", offset: 60, weight: 2), Region(code: "FR-ARA", offset: 60, weight: 1)],
            daylightSaving: .europe, language: 3, weight: 1, devices: [48, 20, 17, 11, 4], dubbing: 0.65),
        Country(
            code: "IN",
            regions: [
                Region(code: "IN-MH", offset: 330, weight: 2), Region(code: "IN-DL", offset: 330, weight: 2),
                Region(code: "IN-KA", offset: 330, weight: 1),
            ],
            daylightSaving: .none, language: 6, weight: 1, devices: [25, 60, 10, 4, 1], dubbing: 0.5),
    ]
    static let countryPicks = countries.indices.map { ($0, countries[$0].weight) }
    static let regionPicks = countries.map { country in country.regions.indices.map { ($0, country.regions[$0].weight) } }
    static let devicePicks = countries.map { country in devices.indices.map { ($0, country.devices[$0]) } }
    /// Light, regular and heavy viewers.
    static let activityPicks: [(Int, Double)] = [(0, 3), (1, 5), (2, 2)]
    static let genres = ["drama", "comedy", "thriller", "documentary", "animation", "romance", "sci-fi"]
    static let words = ["Silent", "Harbor", "Midnight", "Garden", "Paper", "Moon", "River", "Glass", "North",
                        "Signal", "Winter", "Echo", "Golden", "Last", "Hidden", "City"]
    /// A title's own language counts this much more in its country.
    static let homeLanguageAffinity = 2.5

    init(_ settings: GeneratorSettings, random: inout SeededRandom) {
        seed = settings.seed
        days = settings.days
        func name() -> String { random.pick(Self.words) + " " + random.pick(Self.words) }
        func date() -> String { LocalTime.dayString(settings.startDay - random.int(30...3000)) }
        for index in 0..<settings.titles {
            let runtime = random.int(80...150) * 60 + random.int(0...59)
            titles.append(GeneratedTitle(
                id: "F\(pad(index + 1, 4))", name: name(), runtime: runtime, originalLanguage: random.pick(Self.originalLanguages),
                genre: random.pick(Self.genres), releaseDate: date(),
                leaveRate: Behaviour.filmLeaveRate * random.uniform(0.6, 1.4), sampleRate: Behaviour.filmSampleRate,
                creditsStart: runtime - random.int(240...540), highlight: runtime * random.int(20...85) / 100))
        }
        for index in 0..<settings.series {
            let seriesID = "S\(pad(index + 1, 3))"
            let seriesName = name()
            let language = random.pick(Self.originalLanguages)
            let genre = random.pick(Self.genres)
            let runtime = random.int(20...60) * 60
            let leaveRate = Behaviour.episodeLeaveRate * random.uniform(0.6, 1.4)
            let hasRecaps = random.chance(0.6)
            let introLength = random.int(30...90)
            var episodes: [Int] = []
            for season in 1...random.int(1...2) {
                for episode in 1...random.int(6...10) {
                    let recapEnd = hasRecaps && !episodes.isEmpty ? random.int(30...90) : nil
                    let introStart = (recapEnd ?? 0) + random.int(0...180)
                    let length = runtime + random.int(-120...120)
                    episodes.append(titles.count)
                    titles.append(GeneratedTitle(
                        id: "\(seriesID)E\(pad(season, 2))\(pad(episode, 2))", name: "\(seriesName) \(season)x\(episode)",
                        runtime: length, seriesID: seriesID, seriesName: seriesName, season: season, episode: episode,
                        originalLanguage: language, genre: genre, releaseDate: date(),
                        leaveRate: leaveRate * random.uniform(0.85, 1.15),
                        sampleRate: episodes.count == 1 ? Behaviour.pilotSampleRate : Behaviour.episodeSampleRate,
                        recapEnd: recapEnd, intro: (introStart, introStart + introLength),
                        creditsStart: length - random.int(40...120), highlight: length * random.int(25...85) / 100,
                        series: series.count))
                }
            }
            for (position, episode) in episodes.enumerated().dropLast() {
                titles[episode].nextEpisode = episodes[position + 1]
            }
            series.append(GeneratedSeries(id: seriesID, carryOn: random.uniform(0.45, 0.9), episodes: episodes))
        }
        // Popularity falls with rank (1/(rank + 2), a long tail), ranks
        // shuffled so the catalog's order says nothing.
        func popularity(_ count: Int) -> [Double] {
            var weights = (0..<count).map { 1 / Double($0 + 2) }
            random.shuffle(&weights)
            return weights
        }
        let films = popularity(settings.titles)
        let shows = popularity(series.count)
        for country in Self.countries {
            func affinity(_ title: Int) -> Double {
                titles[title].originalLanguage == country.language ? Self.homeLanguageAffinity : 1
            }
            filmPicks.append(CumulativeWeights(films.enumerated().map { $0.element * affinity($0.offset) }))
            seriesPicks.append(CumulativeWeights(shows.enumerated().map { $0.element * affinity(series[$0.offset].episodes[0]) }))
        }
    }

    /// Viewer number `index` (from 0), the same whenever it is asked for.
    func viewer(_ index: Int) -> GeneratedViewer {
        var random = SeededRandom(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03) ^ 0x5EED_0F_5EED)
        let countryIndex = random.pick(Self.countryPicks)
        let country = Self.countries[countryIndex]
        let devices = Self.devicePicks[countryIndex]
        let activity: Double
        switch random.pick(Self.activityPicks) {
        case 0: activity = random.uniform(0.08, 0.25)
        case 1: activity = random.uniform(0.25, 0.55)
        default: activity = random.uniform(0.55, 0.85)
        }
        let habitualSkipper = random.chance(Behaviour.habitualSkipperShare)
        return GeneratedViewer(
            index: index, country: countryIndex, region: random.pick(Self.regionPicks[countryIndex]),
            device: random.pick(devices), secondDevice: random.pick(devices),
            activity: activity,
            // Most are there from the start; others join later, so cohorts differ.
            firstDay: random.chance(0.6) ? 0 : random.int(0..<days),
            prefersDubbing: random.chance(country.dubbing), keepsSubtitles: random.chance(Behaviour.ownSubtitleShare),
            skipsIntro: habitualSkipper ? Behaviour.habitualIntroSkip : Behaviour.occasionalIntroSkip,
            skipsRecap: habitualSkipper ? Behaviour.habitualRecapSkip : Behaviour.occasionalRecapSkip)
    }
}

/// Weights summed once, so an item is picked by a binary search.
struct CumulativeWeights {
    private var sums: [Double] = []

    init(_ weights: [Double]) {
        var total = 0.0
        for weight in weights {
            total += weight
            sums.append(total)
        }
    }

    var isEmpty: Bool { sums.isEmpty || sums[sums.count - 1] <= 0 }

    /// An index drawn in proportion to its weight.
    /// - Precondition: not `isEmpty`.
    func pick(_ random: inout SeededRandom) -> Int {
        let target = random.unit() * sums[sums.count - 1]
        var low = 0, high = sums.count - 1
        while low < high {
            let middle = (low + high) / 2
            if sums[middle] > target { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
