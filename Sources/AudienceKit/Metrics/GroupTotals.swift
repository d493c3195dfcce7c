/// The measures shared by titles, countries, regions, devices and days,
/// accumulated over a group of views.
struct GroupTotals {
    var views = 0
    var startedViews = 0
    var completedViews = 0
    var watch = ExactSum()
    /// Distinct viewers over started views.
    var viewers = Set<UInt32>()
    /// Over started views whose title has a known runtime.
    var reachedBuckets = 0
    var viewsWithRuntime = 0
    var subtitledViews = 0
    /// Watch seconds per title, for `top_title`.
    var titleWatch: [Int: ExactSum] = [:]

    mutating func add(_ view: ViewSummary, runtimeKnown: Bool, trackTitles: Bool = false) {
        views += 1
        if trackTitles { titleWatch[view.title, default: ExactSum()].add(view.watchSeconds) }
        watch.add(view.watchSeconds)
        guard view.started else { return }
        startedViews += 1
        viewers.insert(view.viewer)
        if view.completed { completedViews += 1 }
        if view.hasSubtitles { subtitledViews += 1 }
        if runtimeKnown {
            viewsWithRuntime += 1
            reachedBuckets += view.reached
        }
    }

    var watchHours: Double { watch.value / 3600 }

    var completionRate: Double? {
        startedViews == 0 ? nil : Double(completedViews) / Double(startedViews)
    }

    func averagePercentWatched(buckets: Int) -> Double? {
        viewsWithRuntime == 0 ? nil : Double(reachedBuckets) / (Double(buckets) * Double(viewsWithRuntime))
    }

    var subtitleShare: Double? {
        startedViews == 0 ? nil : Double(subtitledViews) / Double(startedViews)
    }
}

/// Formatting shared by the tables.
enum Cell {
    static func number(_ value: Double?) -> String {
        value.map { NumberFormat.decimal($0) } ?? ""
    }

    static func integer(_ value: Int) -> String { String(value) }

    static func optional(_ value: Int32?) -> String { value.map { String($0) } ?? "" }

    /// The value as written, for ordering rows "by the value as written";
    /// an empty field (a sum that overflowed) reads as +infinity, as the
    /// spec's checker reads it.
    static func written(_ text: String) -> Double { Double(text) ?? .infinity }

    static func bytesAscending(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}

/// Text compared, hashed and ordered by its UTF-8 bytes, as the spec
/// compares text. (`String` itself treats canonically equivalent text, `é`
/// and `e` + accent, as equal, which would merge groups the spec keeps apart.)
public struct ByteString: Hashable, Comparable, Sendable {
    public let text: String

    public init(_ text: String) {
        self.text = text
    }

    public static func == (a: ByteString, b: ByteString) -> Bool {
        a.text.utf8.elementsEqual(b.text.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        for byte in text.utf8 { hasher.combine(byte) }
    }

    public static func < (a: ByteString, b: ByteString) -> Bool {
        a.text.utf8.lexicographicallyPrecedes(b.text.utf8)
    }
}
