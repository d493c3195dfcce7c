#if canImport(FoundationXML)
import FoundationXML
#endif
import Foundation
import Testing

@testable import SVGCharts
@testable import AudienceGenerate

// The SVG charts of the reports: well-formed, accessible, deterministic,
// and unbreakable by the text and numbers in the data.

// MARK: - Parsing what the charts write

/// What an XML parser reports about a document: its elements, attributes
/// and character data, or the error that stopped it.
final class ParsedSVG: NSObject, XMLParserDelegate {
    private(set) var elements: [String] = []
    private(set) var attributes: [(element: String, name: String, value: String)] = []
    /// Character data by element, in document order.
    private(set) var texts: [(element: String, text: String)] = []
    private(set) var error: Error?
    private(set) var succeeded = false
    private var open: [String] = []

    init(_ svg: String) {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        succeeded = parser.parse() && error == nil
    }

    var allText: String { texts.map(\.text).joined() }

    func text(of element: String) -> String {
        texts.filter { $0.element == element }.map(\.text).joined()
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        elements.append(elementName)
        open.append(elementName)
        for (name, value) in attributeDict { attributes.append((elementName, name, value)) }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        open.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        texts.append((open.last ?? "", string))
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        error = parseError
    }
}

/// The elements and attributes the chart code writes, and no others.
let allowedElements: Set<String> = [
    "svg", "title", "desc", "g", "defs", "clipPath", "pattern", "rect", "line", "polyline", "path", "circle", "text",
]
let allowedAttributes: Set<String> = Set(SVGAttributeNames.all).union([
    "xmlns", "viewBox", "role", "aria-labelledby", "font-family",
])

enum SVGAttributeNames {
    static let all = [
        "id", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height", "d", "points", "transform", "fill",
        "stroke", "fill-opacity", "stroke-opacity", "stroke-width", "stroke-dasharray", "stroke-linejoin",
        "stroke-linecap", "clip-path", "patternUnits", "patternTransform", "text-anchor", "font-size", "font-weight",
        "paint-order",
    ]
}

/// Checks what every chart must be: well-formed, announced to screen
/// readers, made of our elements only, with finite plain numbers.
func expectSound(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) -> ParsedSVG {
    let parsed = ParsedSVG(svg)
    #expect(parsed.succeeded, "not well-formed: \(String(describing: parsed.error))", sourceLocation: sourceLocation)
    #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" "), sourceLocation: sourceLocation)
    #expect(parsed.elements.first == "svg", sourceLocation: sourceLocation)
    #expect(parsed.elements.contains("title") && parsed.elements.contains("desc"), sourceLocation: sourceLocation)
    #expect(svg.contains("role=\"img\" aria-labelledby=\"chart-title chart-desc\""), sourceLocation: sourceLocation)
    let strangers = Set(parsed.elements).subtracting(allowedElements)
    #expect(strangers.isEmpty, "unexpected elements \(strangers.sorted())", sourceLocation: sourceLocation)
    let strangeAttributes = Set(parsed.attributes.map(\.name)).subtracting(allowedAttributes)
    #expect(strangeAttributes.isEmpty, "unexpected attributes \(strangeAttributes.sorted())", sourceLocation: sourceLocation)
    for word in ["NaN", "nan", "inf", "e+", "e-"] {
        #expect(!parsed.attributes.contains { $0.value.contains(word) }, "\(word) in an attribute", sourceLocation: sourceLocation)
    }
    let numeric: Set<String> = ["x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height"]
    for attribute in parsed.attributes where numeric.contains(attribute.name) {
        let value = Double(attribute.value)
        #expect(value?.isFinite == true && attribute.value != "-0", "\(attribute.name)=\(attribute.value)", sourceLocation: sourceLocation)
        let parts = attribute.value.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 1 || parts.count == 2 && parts[1].count <= 2, "\(attribute.value)", sourceLocation: sourceLocation)
    }
    for attribute in parsed.attributes where ["points", "d", "transform"].contains(attribute.name) {
        let tokens = attribute.value.split { " ,()MLHVZhvaz".contains($0) }
        #expect(!tokens.contains("-0"), "-0 in \(attribute.value)", sourceLocation: sourceLocation)
    }
    let fontSizes = parsed.attributes.filter { $0.name == "font-size" }.compactMap { Double($0.value) }
    #expect(fontSizes.allSatisfy { $0 >= 12 }, sourceLocation: sourceLocation)
    return parsed
}

// MARK: - Sample charts

enum SampleCharts {
    static let retention = (0...20).map { (x: Double($0) * 5, y: 1 - Double($0) * 0.03) }

    static func line(series: [LineSeries], markers: [ChartMarker] = [], title: String = "Retention") -> LineChart {
        LineChart(
            title: title, description: "Line chart: share of started views still watching.",
            x: ChartAxis(label: "Position in the title (% of runtime)", range: 0...100),
            y: ChartAxis(label: "Started views still watching (%)", range: 0...1, format: .percent),
            series: series, markers: markers)
    }

    static func bars(categories: [String], series: [BarSeries], stacked: Bool = false) -> BarChart {
        BarChart(
            title: "Watch time by country", description: "Horizontal bars: hours watched per country.",
            categories: categories, series: series, value: ChartAxis(label: "Watch time (hours)"), stacked: stacked,
            categoryLabel: "Country")
    }

    static func heat(
        rows: [String], columns: [String], values: [[Double?]], showsValues: Bool = false,
        scale: ChartAxis = ChartAxis(label: "Started views", format: .integer)
    ) -> HeatMap {
        HeatMap(
            title: "When people watch", description: "Heat map: started views by weekday and hour.",
            rows: rows, columns: columns, values: values, rowAxisLabel: "Weekday",
            columnAxisLabel: "Hour of day (UTC)", scale: scale, showsValues: showsValues)
    }

    static func scatter(_ points: [ScatterPoint]) -> ScatterChart {
        ScatterChart(
            title: "Completion rate against runtime", description: "Scatter plot: one point per title.",
            x: ChartAxis(label: "Runtime (minutes)"), y: ChartAxis(label: "Completion rate (%)", format: .percent),
            points: points)
    }

    static var weekHours: [[Double?]] {
        (0..<7).map { (day: Int) -> [Double?] in
            (0..<24).map { (hour: Int) -> Double? in
                hour == 4 && day == 2 ? nil : Double((day * 31 + hour * 17) % 97)
            }
        }
    }

    /// One chart of each kind, with ordinary data.
    static var all: [any SVGChart] {
        [
            line(series: [LineSeries(name: "Film A", points: retention)],
                 markers: [ChartMarker(x: 10, label: "30 s"), ChartMarker(x: 12, label: "steepest drop"),
                           ChartMarker(x: 85, label: "most replayed")]),
            line(series: (0..<8).map { index in
                LineSeries(name: "Title \(index)", points: retention.map { ($0.x, $0.y - Double(index) * 0.05) })
            }),
            bars(categories: ["US", "KR", "BR"], series: [BarSeries(name: "Hours", values: [12_345.6, 800, 3.25])]),
            bars(categories: ["US", "KR"], series: [
                BarSeries(name: "Audio", values: [0.6, 0.3]), BarSeries(name: "Subtitles", values: [0.4, 0.7]),
            ], stacked: true),
            bars(categories: ["US", "KR"], series: (0..<3).map { BarSeries(name: "S\($0)", values: [Double($0), 2]) }),
            heat(rows: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], columns: (0..<24).map(String.init),
                 values: weekHours),
            heat(rows: ["11-01", "11-02", "11-03"], columns: ["0", "1", "2"],
                 values: [[1, 0.5, 0.25], [1, 0.4], [1]], showsValues: true,
                 scale: ChartAxis(label: "Viewers back (% of cohort)", range: 0...1, format: .percent)),
            scatter([ScatterPoint(x: 95, y: 0.4, label: "Film A"), ScatterPoint(x: 30, y: 0.8, label: "Short"),
                     ScatterPoint(x: 120, y: 0.2)]),
        ]
    }
}

// MARK: - Every chart kind

@Test func everyChartIsWellFormedAndAccessible() {
    for chart in SampleCharts.all {
        let parsed = expectSound(chart.svg())
        #expect(!parsed.text(of: "title").isEmpty)
        #expect(!parsed.text(of: "desc").isEmpty)
        #expect(!parsed.allText.contains("No data") || chart is HeatMap)
    }
}

@Test func sameInputGivesTheSameBytes() {
    let first = SampleCharts.all.map { $0.svg() }
    let second = SampleCharts.all.map { $0.svg() }
    #expect(first == second)
}

@Test func lineChartDrawsEachSeriesWithItsOwnDashAndALegend() {
    let svg = SampleCharts.all[1].svg()
    let parsed = expectSound(svg)
    for name in (0..<8).map({ "Title \($0)" }) { #expect(parsed.text(of: "text").contains(name)) }
    let dashes = parsed.attributes.filter { $0.element == "polyline" && $0.name == "stroke-dasharray" }.map(\.value)
    #expect(Set(dashes).count == 7)  // the eighth series is solid, like the first, but black
    #expect(svg.contains("#0072B2") && !svg.contains("#F0E442"))
}

/// Computed attributes are never cut like labels: every point of a long line is drawn.
@Test func longLinesKeepEveryPoint() {
    let points = (0..<5_000).map { (x: Double($0), y: Double($0 % 7)) }
    let parsed = expectSound(SampleCharts.line(series: [LineSeries(name: "long", points: points)]).svg())
    let drawn = parsed.attributes.first { $0.name == "points" }?.value.split(separator: " ")
    #expect(drawn?.count == 5_000)
}

@Test func markersAreDashedLinesWithTheirLabels() {
    let parsed = expectSound(SampleCharts.all[0].svg())
    let text = parsed.text(of: "text")
    #expect(text.contains("30 s") && text.contains("steepest drop") && text.contains("most replayed"))
    #expect(parsed.attributes.filter { $0.element == "line" && $0.value == "4 3" }.count == 3)
}

@Test func singleSeriesBarsShowTheirValues() {
    let parsed = expectSound(SampleCharts.all[2].svg())
    let text = parsed.text(of: "text")
    #expect(text.contains("12,346") && text.contains("800") && text.contains("3.25"))
    #expect(text.contains("Country") && text.contains("Watch time (hours)"))
}

@Test func heatMapShowsItsScaleAndMissingCells() {
    let parsed = expectSound(SampleCharts.all[5].svg())
    #expect(parsed.text(of: "text").contains("No data"))
    #expect(parsed.attributes.filter { $0.name == "fill" && $0.value == "url(#no-data)" }.count == 2)  // cell, legend
    #expect(parsed.attributes.contains { $0.name == "fill" && $0.value == "#081D58" })
    // The triangle: 3 + 2 + 1 cells, values written in them.
    let triangle = expectSound(SampleCharts.all[6].svg())
    let cells = triangle.attributes.filter { $0.element == "rect" && $0.name == "stroke" && $0.value == "#FFFFFF" }
    #expect(cells.count == 6)
    #expect(triangle.text(of: "text").contains("50%") && triangle.text(of: "text").contains("100%"))
}

// MARK: - Hostile text

let hostileTexts = [
    "| <script>alert(1)</script>", "](x)", "\"quotes\" and 'apostrophes'", "&amp; &lt; &#0; &",
    "line\nbreak\ttab\r\nend", "bell\u{07}nul\u{00}esc\u{1B}del\u{7F}c1\u{85}", "\u{FFFE}\u{FFFF}nonchars",
    "\"/><script>x</script><g onload=\"alert(1)", "]]><!-- --><?xml version=\"1.0\"?><![CDATA[x]]>",
    "\u{202E}evil\u{2066}", "日本語のタイトル 🎬🍿 ñandú 👩🏽‍💻", String(repeating: "very long title ", count: 2_000), "",
]

@Test(arguments: hostileTexts.indices)
func hostileTextStaysText(_ index: Int) {
    let hostile = hostileTexts[index]
    let charts: [any SVGChart] = [
        SampleCharts.line(series: [LineSeries(name: hostile, points: SampleCharts.retention),
                                   LineSeries(name: hostile, points: [(0, 0.5), (100, 0.5)])],
                          markers: [ChartMarker(x: 50, label: hostile)], title: hostile),
        BarChart(title: hostile, description: hostile, categories: [hostile, "KR"],
                 series: [BarSeries(name: hostile, values: [1, 2]), BarSeries(name: hostile, values: [2, 1])],
                 value: ChartAxis(label: hostile), categoryLabel: hostile),
        HeatMap(title: hostile, description: hostile, rows: [hostile], columns: [hostile, "b"], values: [[1, nil]],
                rowAxisLabel: hostile, columnAxisLabel: hostile, scale: ChartAxis(label: hostile), showsValues: true),
        ScatterChart(title: hostile, description: hostile, x: ChartAxis(label: hostile), y: ChartAxis(label: hostile),
                     points: [ScatterPoint(x: 1, y: 2, label: hostile), ScatterPoint(x: 2, y: 1, label: hostile)]),
    ]
    for chart in charts {
        let svg = chart.svg()
        let parsed = expectSound(svg)
        // Markup in the data is character data, never an element or an
        // attribute (expectSound checks both against the allow-lists): the
        // title reads back exactly, cleaned of what XML cannot hold.
        #expect(parsed.text(of: "title") == SVGText.shortened(hostile, limit: 300))
        #expect(!parsed.attributes.contains { $0.value.contains("<") || $0.value.contains("alert") })
        #expect(!svg.contains("<script") && !svg.contains("<!--") && !svg.contains("<?") && !svg.contains("<![CDATA["))
        // One line per element: no line break from the data.
        #expect(svg.split(separator: "\n").allSatisfy { $0.hasPrefix("<") })
        #expect(!svg.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(!svg.unicodeScalars.contains { (0x7F...0x9F).contains($0.value) || $0.value >= 0xFFFE && $0.value <= 0xFFFF })
        #expect(!svg.unicodeScalars.contains { (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) })
        #expect(svg.utf8.count < 40_000, "long text is cut")
        if hostile.hasPrefix("| <script>") {
            #expect(parsed.text(of: "title") == hostile)
            #expect(parsed.text(of: "text").contains("| <script>alert(1)</script>"))
        }
    }
}

@Test func cleaningKeepsTheTextAndDropsWhatXMLForbids() {
    #expect(SVGText.cleaned("  a\n\tb\r\nc  ") == "a b c")
    #expect(SVGText.cleaned("a\u{0}\u{7}\u{1B}b\u{FFFE}\u{7F}c") == "abc")
    #expect(SVGText.escaped("<a href='x'>&\"</a>") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;")
    #expect(SVGText.cleaned("日本 🎬 ñ") == "日本 🎬 ñ")
}

@Test func longLabelsAreCutByCharactersWithAnEllipsis() {
    let long = String(repeating: "👩🏽‍💻é", count: 100)
    let fitted = SVGText.fitted(long, maxWidth: 120)
    #expect(fitted.hasSuffix("…"))
    #expect(SVGText.width(of: fitted) <= 120)
    #expect(long.hasPrefix(fitted.dropLast()))  // whole characters: no emoji split from its modifiers
    #expect(SVGText.fitted("short", maxWidth: 120) == "short")
    #expect(SVGText.fitted("anything", maxWidth: 1) == "…")
    #expect(SVGText.shortened(String(repeating: "x", count: 500), limit: 300).count == 300)
}

// MARK: - Empty and degenerate data

@Test func emptyChartsSayNoData() {
    let charts: [any SVGChart] = [
        SampleCharts.line(series: []),
        SampleCharts.line(series: [LineSeries(name: "empty", points: [])]),
        SampleCharts.line(series: [LineSeries(name: "nan", points: [(.nan, 1), (1, .infinity)])]),
        SampleCharts.bars(categories: [], series: []),
        SampleCharts.bars(categories: ["US"], series: []),
        SampleCharts.bars(categories: ["US"], series: [BarSeries(name: "x", values: [.nan])]),
        SampleCharts.heat(rows: [], columns: [], values: []),
        SampleCharts.heat(rows: ["a"], columns: [], values: [[]]),
        SampleCharts.scatter([]),
        SampleCharts.scatter([ScatterPoint(x: .nan, y: 1, label: "lost")]),
    ]
    for chart in charts {
        let parsed = expectSound(chart.svg())
        #expect(parsed.text(of: "text").contains("No data"))
    }
}

@Test func degenerateDataGivesSensibleAxes() {
    let charts: [any SVGChart] = [
        SampleCharts.line(series: [LineSeries(name: "one", points: [(50, 0.5)])]),
        LineChart(title: "zeros", description: "all zero", x: ChartAxis(label: "x"), y: ChartAxis(label: "y"),
                  series: [LineSeries(name: "z", points: [(0, 0), (0, 0)])]),
        LineChart(title: "gaps", description: "gaps", x: ChartAxis(label: "x"), y: ChartAxis(label: "y"),
                  series: [LineSeries(name: "g", points: [(0, 1), (1, .nan), (2, 3), (.infinity, 4), (4, 5), (5, -.infinity)])],
                  markers: [ChartMarker(x: .nan, label: "lost"), ChartMarker(x: 1e9, label: "far")]),
        LineChart(title: "huge", description: "extremes", x: ChartAxis(label: "x"), y: ChartAxis(label: "y", format: .integer),
                  series: [LineSeries(name: "h", points: [(-1e300, .greatestFiniteMagnitude), (1e-300, -1e300),
                                                         (.leastNonzeroMagnitude, 1)])]),
        LineChart(title: "thin", description: "a domain too thin", x: ChartAxis(label: "x"), y: ChartAxis(label: "y"),
                  series: [LineSeries(name: "t", points: [(1e6, 1e6), (1e6 + 1e-6, 1e6)])]),
        SampleCharts.bars(categories: ["a", "b"], series: [BarSeries(name: "zero", values: [0, 0])]),
        SampleCharts.bars(categories: ["a", "b", "c"], series: [BarSeries(name: "neg", values: [-5, 3, .infinity])]),
        SampleCharts.bars(categories: ["a", "b"], series: [BarSeries(name: "p", values: [0.5, -0.2]),
                                                           BarSeries(name: "q", values: [1e300, 2])], stacked: true),
        SampleCharts.heat(rows: ["a", "b"], columns: ["x", "y"], values: [[0, 0], [0, nil]], showsValues: true),
        SampleCharts.heat(rows: ["a"], columns: ["x"], values: [[.nan]]),
        SampleCharts.heat(rows: ["a", "b"], columns: ["x"], values: [[5], [1e300], [7]]),
        SampleCharts.scatter([ScatterPoint(x: 0, y: 0, label: "origin")]),
        SampleCharts.scatter([ScatterPoint(x: 3, y: 3, label: "a"), ScatterPoint(x: 3, y: 3, label: "b"),
                              ScatterPoint(x: 3, y: 3, label: "c")]),
        BarChart(title: "fixed", description: "range narrower than data", categories: ["a"],
                 series: [BarSeries(name: "x", values: [250])], value: ChartAxis(label: "v", range: 0...100)),
    ]
    for chart in charts {
        let svg = chart.svg()
        let parsed = expectSound(svg)
        #expect(!parsed.text(of: "text").contains("No data") || chart is HeatMap)
        #expect(!svg.contains("NaN") && !svg.contains("inf") && !svg.contains("e+"))
        #expect(svg == chart.svg())
    }
}

// MARK: - Scales and numbers

@Test(arguments: [
    (0.0, 1.0, [0, 0.2, 0.4, 0.6, 0.8, 1], ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
    (0.0, 7.3, [0, 1, 2, 3, 4, 5, 6, 7, 8], ["0", "1", "2", "3", "4", "5", "6", "7", "8"]),
    (0.0, 12_345, [0, 2_000, 4_000, 6_000, 8_000, 10_000, 12_000, 14_000],
     ["0", "2,000", "4,000", "6,000", "8,000", "10,000", "12,000", "14,000"]),
    (0.0, 0.0, [0, 0.2, 0.4, 0.6, 0.8, 1], ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
    (-3.0, 0.0, [-3, -2.5, -2, -1.5, -1, -0.5, 0], ["-3.0", "-2.5", "-2.0", "-1.5", "-1.0", "-0.5", "0.0"]),
    (0.1, 0.3, [0.1, 0.125, 0.15, 0.175, 0.2, 0.225, 0.25, 0.275, 0.3].prefix(0) + [0.1, 0.15, 0.2, 0.25, 0.3],
     ["0.10", "0.15", "0.20", "0.25", "0.30"]),
    (5.0, 5.0, [0, 1, 2, 3, 4, 5], ["0", "1", "2", "3", "4", "5"]),
] as [(Double, Double, [Double], [String])])
func niceTicks(lower: Double, upper: Double, ticks: [Double], labels: [String]) {
    let scale = NiceScale(lower, upper, maxIntervals: 8)
    #expect(scale.ticks == ticks)
    #expect(scale.tickIndices.map { scale.label(ofTick: $0, format: .number) } == labels)
    #expect(scale.lower == ticks.first && scale.upper == ticks.last)
}

@Test func niceTicksKeepAFixedRangeAndFormatPercentAndCounts() {
    let percent = NiceScale(0, 1, maxIntervals: 8, extendsToTicks: false)
    #expect(percent.tickIndices.map { percent.label(ofTick: $0, format: .percent) } == ["0%", "20%", "40%", "60%", "80%", "100%"])
    let inside = NiceScale(0, 7.3, maxIntervals: 4, extendsToTicks: false)
    #expect(inside.lower == 0 && inside.upper == 7.3 && inside.ticks == [0, 2, 4, 6])
    let counts = NiceScale(0, 3, maxIntervals: 8, integers: true)
    #expect(counts.ticks == [0, 1, 2, 3])
    #expect(NiceScale(0, 0, integers: true).ticks == [0, 1])
    let large = NiceScale(0, 1e20)
    #expect(large.label(ofTick: large.tickIndices.upperBound - 1, format: .number) == "100,000,000,000,000,000,000")
    for (a, b) in [(Double.nan, 1.0), (-.infinity, .infinity), (1e-250, 2e-250), (-1e300, 1e300), (1e18, 1e18 + 4096)] {
        let scale = NiceScale(a, b)
        #expect(scale.lower.isFinite && scale.upper.isFinite && scale.upper > scale.lower)
        #expect(!scale.tickIndices.isEmpty && scale.ticks.allSatisfy(\.isFinite))
    }
}

@Test(arguments: [
    (0.0, "0"), (-0.0, "0"), (-0.004, "0"), (1.006, "1.01"), (1.005, "1"), (12.5, "12.5"), (-7.25, "-7.25"), (760, "760"),
    (1e20, "1000000"), (-1e20, "-1000000"), (0.1 + 0.2, "0.3"), (Double.nan, "0"),
] as [(Double, String)])
func coordinates(value: Double, expected: String) {
    #expect(ChartNumber.coordinate(value) == expected)
}

@Test func valueLabels() {
    #expect(TickFormat.percent.valueLabel(0.4567) == "45.7%")
    #expect(TickFormat.percent.valueLabel(1) == "100%")
    #expect(TickFormat.number.valueLabel(12_345.6) == "12,346")
    #expect(TickFormat.number.valueLabel(0.8333) == "0.83")
    #expect(TickFormat.number.valueLabel(-0.001) == "0")
    #expect(TickFormat.integer.valueLabel(1_234_567.5) == "1,234,568")
    #expect(TickFormat.number.valueLabel(1e20) == "100,000,000,000,000,000,000")
    #expect(TickFormat.number.valueLabel(-2.5e16) == "-25,000,000,000,000,000")
    #expect(ChartNumber.decimal(.greatestFiniteMagnitude, decimals: 2).count > 300)
    #expect(!ChartNumber.decimal(.greatestFiniteMagnitude, decimals: 2).contains("e"))
}
