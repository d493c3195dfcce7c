import AudienceMetrics

/// What one generated view adds up to, by the definitions of metrics.md.
struct ViewRecord {
    var title: Int
    var viewer: Int
    var country: Int
    var hasError = false
    var hasComplete = false
    var started = false
    /// The largest `to` of its segments, in tenths of a second.
    var maxTo = -1
    var watch = ExactSum()

    init(title: Int, viewer: Int, country: Int) {
        self.title = title
        self.viewer = viewer
        self.country = country
    }

    /// A `progress` segment; positions in tenths, `to > from`.
    mutating func addSegment(from: Int, to: Int) {
        started = true
        maxTo = max(maxTo, to)
        // The same doubles the analysis parses from the written decimals.
        watch.add(Double(to) / 10 - Double(from) / 10)
    }
}

/// The metrics the generator knows by construction, kept as it plays each
/// view and written as `truth/titles.csv` and `truth/countries.csv`:
/// what `audience analyze logs` (default settings) must report in the same
/// columns of titles.csv and countries.csv. Every value is computed as the
/// analysis computes it (the same doubles, exact sums, the same rounding),
/// so the two agree to the last digit.
struct AnswerKey {
    struct Totals {
        var views = 0
        var startedViews = 0
        var failedStarts = 0
        var completedViews = 0
        var uniqueViewers = 0
        var watch = ExactSum()
    }

    private let runtimes: [Int]
    private var titles: [Totals]
    private var countries: [Totals]
    /// Viewers with a started view, counted once each in their country.
    private var counted: [Bool]

    init(world: World, viewers: Int) {
        runtimes = world.titles.map(\.runtime)
        titles = Array(repeating: Totals(), count: world.titles.count)
        countries = Array(repeating: Totals(), count: World.countries.count)
        counted = Array(repeating: false, count: viewers)
    }

    mutating func add(_ view: ViewRecord) {
        let completed = view.started
            && (view.hasComplete || Double(view.maxTo) / 10 >= Behaviour.completeAt * Double(runtimes[view.title]))
        func count(_ totals: inout Totals) {
            totals.views += 1
            totals.startedViews += view.started ? 1 : 0
            totals.failedStarts += !view.started && view.hasError ? 1 : 0
            totals.completedViews += completed ? 1 : 0
            totals.watch.add(view.watch)
        }
        count(&titles[view.title])
        count(&countries[view.country])
        if view.started && !counted[view.viewer] {
            counted[view.viewer] = true
            countries[view.country].uniqueViewers += 1
        }
    }

    static let titlesHeader = ["title_id", "views", "started_views", "failed_starts", "completed_views", "watch_hours"]
    static let countriesHeader = ["country", "views", "started_views", "unique_viewers", "watch_hours"]

    /// Titles with a view, by `title_id`.
    func titleTable(_ world: World) -> CSVTable {
        var table = CSVTable(header: Self.titlesHeader)
        for (index, totals) in titles.enumerated() where totals.views > 0 {
            table.rows.append([
                world.titles[index].id, Cell.integer(totals.views), Cell.integer(totals.startedViews),
                Cell.integer(totals.failedStarts), Cell.integer(totals.completedViews),
                Cell.number(totals.watch.value / 3600),
            ])
        }
        table.rows.sort { Cell.bytesAscending($0[0], $1[0]) }
        return table
    }

    /// Countries with a view, by code.
    func countryTable() -> CSVTable {
        var table = CSVTable(header: Self.countriesHeader)
        for (index, totals) in countries.enumerated() where totals.views > 0 {
            table.rows.append([
                World.countries[index].code, Cell.integer(totals.views), Cell.integer(totals.startedViews),
                Cell.integer(totals.uniqueViewers), Cell.number(totals.watch.value / 3600),
            ])
        }
        table.rows.sort { Cell.bytesAscending($0[0], $1[0]) }
        return table
    }
}
