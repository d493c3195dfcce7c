/// One point of a `ScatterChart`, with a label when the caller wants it
/// named (label only a few, or the names hide the points).
package struct ScatterPoint: Sendable {
    var x: Double
    var y: Double
    var label: String?

    package init(x: Double, y: Double, label: String? = nil) {
        self.x = x
        self.y = y
        self.label = label
    }
}

/// Points over two numeric axes: completion rate against runtime, hours
/// viewed per runtime against started views.
///
/// Points are half transparent so that piles show darker. Labels go beside
/// their point, on the first side where they overlap no earlier label, with
/// a white halo to stay readable over grid lines and other points.
package struct ScatterChart: Sendable {
    var title: String
    package var description: String
    var x: ChartAxis
    var y: ChartAxis
    var points: [ScatterPoint]

    static let plotHeight = 300.0
    static let longestLabel = 160.0

    package init(title: String, description: String, x: ChartAxis, y: ChartAxis, points: [ScatterPoint]) {
        self.title = title
        self.description = description
        self.x = x
        self.y = y
        self.points = points
    }

    /// The chart as a complete SVG document.
    package func svg() -> String {
        var svg = SVGDocument()
        let top = ChartFrame.drawTitle(title, into: &svg)
        let drawn = points.filter { $0.x.isFinite && $0.y.isFinite }
        guard !drawn.isEmpty else {
            let plot = PlotRect(left: 56, top: top, width: ChartStyle.width - 80, height: Self.plotHeight)
            ChartFrame.drawNoData(in: plot, into: &svg)
            return svg.rendered(width: ChartStyle.width, height: plot.bottom + 16, title: title, description: description)
        }
        let xScale = x.scale(for: drawn.map(\.x), maxIntervals: 10)
        let yScale = y.scale(for: drawn.map(\.y), maxIntervals: 8)
        let plot = AxisDrawing.plot(
            top: top, x: xScale, xFormat: x.format, y: yScale, yFormat: y.format, height: Self.plotHeight)
        AxisDrawing.drawBottom(xScale, axis: x, plot: plot, into: &svg)
        AxisDrawing.drawLeft(yScale, axis: y, plot: plot, into: &svg)

        let colour = ChartPalette.colour(0)
        let positions = drawn.map {
            (plot.left + xScale.fraction(of: $0.x) * plot.width, plot.bottom - yScale.fraction(of: $0.y) * plot.height)
        }
        ChartFrame.defineClip(plot, bleed: 6, into: &svg)
        svg.open(.g, [.clipPath: "url(#plot-area)"])
        for (px, py) in positions {
            svg.element(.circle, [
                .cx: .number(px), .cy: .number(py), .r: "4.5", .fill: .text(colour), .fillOpacity: "0.7",
                .stroke: "#FFFFFF", .strokeWidth: "1",
            ])
        }
        svg.close(.g)
        drawLabels(drawn, at: positions, plot: plot, into: &svg)
        let height = plot.bottom + AxisDrawing.bottomHeight + ChartStyle.outerMargin / 2
        return svg.rendered(width: ChartStyle.width, height: height, title: title, description: description)
    }

    private struct Box {
        var left, top, right, bottom: Double
        func overlaps(_ other: Box) -> Bool {
            left < other.right && other.left < right && top < other.bottom && other.top < bottom
        }
    }

    private func drawLabels(
        _ points: [ScatterPoint], at positions: [(Double, Double)], plot: PlotRect, into svg: inout SVGDocument
    ) {
        var placed: [Box] = []
        for (point, (px, py)) in zip(points, positions) {
            guard let label = point.label, (0...1).contains((px - plot.left) / plot.width),
                (0...1).contains((plot.bottom - py) / plot.height)
            else { continue }
            let text = SVGText.fitted(label, maxWidth: Self.longestLabel)
            guard !text.isEmpty else { continue }
            let width = SVGText.width(of: text)
            // Right, left, then above and below each side.
            let candidates: [(atEnd: Bool, dy: Double)] = [
                (false, 0), (true, 0), (false, -14), (true, -14), (false, 14), (true, 14),
            ]
            func box(_ candidate: (atEnd: Bool, dy: Double)) -> Box {
                let left = candidate.atEnd ? px - 7 - width : px + 7
                return Box(left: left, top: py + candidate.dy - 9, right: left + width, bottom: py + candidate.dy + 5)
            }
            let fits = candidates.filter { box($0).left >= 4 && box($0).right <= ChartStyle.width - 4 }
            let chosen = fits.first { c in !placed.contains { $0.overlaps(box(c)) } } ?? fits.first ?? (false, 0)
            placed.append(box(chosen))
            svg.text(text, [
                .x: .number(chosen.atEnd ? px - 7 : px + 7), .y: .number(py + chosen.dy + 4),
                .textAnchor: chosen.atEnd ? "end" : "start", .stroke: "#FFFFFF", .strokeWidth: "3",
                .strokeLinejoin: "round", .paintOrder: "stroke",
            ])
        }
    }
}
