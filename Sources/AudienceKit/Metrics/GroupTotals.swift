/// The measures shared by titles, countries, regions, devices and days,
/// accumulated over a group of views.
struct GroupTotals {
    var views = 0
    var startedViews = 0
    /// Views that did not start and have an `error` event.
    var failedStarts = 0
    var completedViews = 0
    var watch = ExactSum()
    /// Distinct viewers over started views.
    var viewers = Set<UInt32>()
    /// Over started views whose title has a known runtime.
    /// The sum of each view's percent watched (reached / B), exact.
    var percentWatched = ExactSum()
    var viewsWithRuntime = 0
    var subtitledViews = 0
    /// Watch seconds per title, for `top_title`.
    var titleWatch: [Int: ExactSum] = [:]

    mutating func add(_ view: ViewSummary, runtimeKnown: Bool, buckets: Int, trackTitles: Bool = false) {
        views += 1
        if trackTitles { titleWatch[view.title, default: ExactSum()].add(view.watchSeconds) }
        watch.add(view.watchSeconds)
        if view.failed { failedStarts += 1 }
        guard view.started else { return }
        startedViews += 1
        viewers.insert(view.viewer)
        if view.completed { completedViews += 1 }
        if view.hasSubtitles { subtitledViews += 1 }
        if runtimeKnown {
            viewsWithRuntime += 1
            percentWatched.add(Double(view.reached) / Double(buckets))
        }
    }

    /// Views that neither started nor failed.
    var exitsBeforeStart: Int { views - startedViews - failedStarts }

    var watchHours: Double { watch.value / 3600 }

    var completionRate: Double? {
        startedViews == 0 ? nil : Double(completedViews) / Double(startedViews)
    }

    /// The mean of the views' percent watched, as a spreadsheet's AVERAGE
    /// of the per-view values would give it (summed exactly, then divided).
    var averagePercentWatched: Double? {
        viewsWithRuntime == 0 ? nil : percentWatched.value / Double(viewsWithRuntime)
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
