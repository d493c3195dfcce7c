/// The catalog and the audience a generated log is about.
struct GeneratedTitle {
    var id: String
    var name: String
    var runtime: Int
    var seriesID: String?
    var seriesName: String?
    var season: Int?
    var episode: Int?
    var originalLanguage: String
    var genre: String
    var releaseDate: String
    /// How fast the audience leaves: 1 is an even spread of stopping points,
    /// higher values lose people sooner.
    var dropRate: Double
    /// Share of the viewers past the first minute who watch to the credits.
    var finishRate: Double
    /// Where the intro starts and ends (episodes), skipped with a seek.
    var intro: (start: Int, end: Int)?
    /// Where the credits start, as a share of the runtime.
    var credits: Double
}

struct GeneratedSeries {
    var id: String
    /// Chance that a viewer who finished an episode plays the next.
    var carryOn: Double
    /// Title indices of its episodes, in order.
    var episodes: [Int]
}

struct Country {
    var code: String
    var regions: [String]
    /// Offset from UTC in minutes (standard time all year).
    var offset: Int
    var language: String
    var weight: Double
}

struct GeneratedViewer {
    var id: String
    var country: Country
    var region: String
    var device: String
    var secondDevice: String
    /// Chance of watching on a given day once they have joined.
    var activity: Double
    var firstDay: Int
    /// Prefers dubbing (audio in their language) to subtitles.
    var prefersDubbing: Bool
}

struct World {
    var titles: [GeneratedTitle] = []
    var series: [GeneratedSeries] = []
    var viewers: [GeneratedViewer] = []

    static let countries: [Country] = [
        Country(code: "US", regions: ["US-CA", "US-NY", "US-TX", "US-FL"], offset: -300, language: "en", weight: 4),
        Country(code: "KR", regions: ["KR-11", "KR-26", "KR-41"], offset: 540, language: "ko", weight: 3),
        Country(code: "BR", regions: ["BR-SP", "BR-RJ"], offset: -180, language: "pt-BR", weight: 2),
        Country(code: "DE", regions: ["DE-BE", "DE-BY", "DE-HH"], offset: 60, language: "de", weight: 2),
        Country(code: "JP", regions: ["JP-13", "JP-27"], offset: 540, language: "ja", weight: 2),
        Country(code: "FR", regions: ["FR-IDF", "FR-ARA"], offset: 60, language: "fr", weight: 1),
        Country(code: "IN", regions: ["IN-MH", "IN-DL", "IN-KA"], offset: 330, language: "hi", weight: 1),
    ]
    static let devices: [(String, Double)] = [("tv", 45), ("mobile", 25), ("web", 15), ("tablet", 10), ("console", 5)]
    static let genres = ["drama", "comedy", "thriller", "documentary", "animation", "romance", "sci-fi"]
    static let languages: [(String, Double)] = [("en", 5), ("ko", 2), ("ja", 1), ("fr", 1), ("de", 1)]
    static let words = ["Silent", "Harbor", "Midnight", "Garden", "Paper", "Moon", "River", "Glass", "North",
                        "Signal", "Winter", "Echo", "Golden", "Last", "Hidden", "City"]

    init(_ settings: GeneratorSettings, random: inout SeededRandom) {
        func name() -> String { random.pick(Self.words) + " " + random.pick(Self.words) }
        func date() -> String {
            let day = settings.startDay - random.int(30...3000)
            return LocalTime.dayString(day)
        }
        for index in 0..<max(0, settings.titles) {
            titles.append(GeneratedTitle(
                id: "F\(pad(index + 1, 4))", name: name(), runtime: random.int(80...150) * 60 + random.int(0...59),
                originalLanguage: random.pick(Self.languages), genre: random.pick(Self.genres), releaseDate: date(),
                dropRate: random.uniform(0.4, 3.0), finishRate: random.uniform(0.2, 0.6), intro: nil,
                credits: random.uniform(0.93, 0.97)))
        }
        for index in 0..<max(0, settings.series) {
            let seriesID = "S\(pad(index + 1, 3))"
            let seriesName = name()
            let language: String = random.pick(Self.languages)
            let genre = random.pick(Self.genres)
            let runtime = random.int(20...60) * 60
            let dropRate = random.uniform(0.4, 2.5)
            let finishRate = random.uniform(0.35, 0.75)
            var episodes: [Int] = []
            for season in 1...random.int(1...2) {
                for episode in 1...random.int(6...10) {
                    let introStart = random.int(0...120)
                    episodes.append(titles.count)
                    titles.append(GeneratedTitle(
                        id: "\(seriesID)E\(pad(season, 2))\(pad(episode, 2))", name: "\(seriesName) \(season)x\(episode)",
                        runtime: runtime + random.int(-120...120), seriesID: seriesID, seriesName: seriesName,
                        season: season, episode: episode, originalLanguage: language, genre: genre,
                        releaseDate: date(), dropRate: dropRate * random.uniform(0.8, 1.2),
                        finishRate: min(0.95, finishRate * random.uniform(0.85, 1.15)),
                        intro: (introStart, introStart + random.int(30...90)), credits: random.uniform(0.94, 0.98)))
                }
            }
            series.append(GeneratedSeries(id: seriesID, carryOn: random.uniform(0.35, 0.9), episodes: episodes))
        }
        let countries = Self.countries.map { ($0, $0.weight) }
        for index in 0..<max(0, settings.viewers) {
            let country = random.pick(countries)
            // Most viewers are there from the start; others join later, so cohorts differ.
            let firstDay = random.chance(0.6) ? 0 : random.int(0..<max(1, settings.days))
            viewers.append(GeneratedViewer(
                id: "v\(pad(index + 1, 6))", country: country, region: random.pick(country.regions),
                device: random.pick(Self.devices), secondDevice: random.pick(Self.devices),
                activity: random.uniform(0.15, 0.8), firstDay: firstDay, prefersDubbing: random.chance(0.4)))
        }
    }
}
