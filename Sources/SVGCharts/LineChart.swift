/// One line of a `LineChart`: points joined in the order given.
package struct LineSeries: Sendable {
    var name: String
    /// Points that are not finite are left out, and the line breaks there.
    var points: [(x: Double, y: Double)]

    package init(name: String, points: [(x: Double, y: Double)]) {
        self.name = name
        self.points = points
    }
}

/// Lines over a numeric x axis: retention curves, views per day.
///
/// Each series has its own colour, dash pattern and marker shape; a
/// legend names them when there are several. Markers draw dashed vertical
/// lines with a label above the plot.
package struct LineChart: Sendable {
    var title: String
    package var description: String
    var x: ChartAxis
    var y: ChartAxis
    var series: [LineSeries]
    var markers: [ChartMarker]

    static let plotHeight = 280.0
    /// Point markers per series: enough to match a line to the legend,
    /// few enough not to hide the line.
    static let markersPerSeries = 10

    package init(
        title: String, description: String, x: ChartAxis, y: ChartAxis, series: [LineSeries],
        markers: [ChartMarker] = []
    ) {
        self.title = title
        self.description = description
        self.x = x
        self.y = y
        self.series = series
        self.markers = markers
    }

    /// The chart as a complete SVG document.
    package func svg() -> String {
        var svg = SVGDocument()
        let top = ChartFrame.drawTitle(title, into: &svg)
        let drawn = series.map { $0.points.filter { $0.x.isFinite && $0.y.isFinite } }
        guard drawn.contains(where: { !$0.isEmpty }) else {
            let plot = PlotRect(left: 56, top: top, width: ChartStyle.width - 80, height: Self.plotHeight)
            ChartFrame.drawNoData(in: plot, into: &svg)
            return svg.rendered(width: ChartStyle.width, height: plot.bottom + 16, title: title, description: description)
        }
        let xScale = x.scale(for: drawn.flatMap { $0.map(\.x) } + markers.map(\.x), maxIntervals: 10)
        let yScale = y.scale(for: drawn.flatMap { $0.map(\.y) }, maxIntervals: 8)
        var plot = AxisDrawing.plot(
            top: top, x: xScale, xFormat: x.format, y: yScale, yFormat: y.format, height: Self.plotHeight)

        let legend = ChartLegend(
            series.count > 1 ? series.enumerated().map { ($0.element.name, .line(series: $0.offset)) } : [],
            width: plot.width)
        let visibleMarkers = markers.filter { $0.x.isFinite && (0...1).contains(xScale.fraction(of: $0.x)) }
        let labels = MarkerLabels(
            visibleMarkers.map { (plot.left + xScale.fraction(of: $0.x) * plot.width, $0.label) },
            right: ChartStyle.width - 8)
        legend.draw(left: plot.left, top: plot.top, into: &svg)
        plot.top += (legend.height > 0 ? legend.height + 6 : 0) + labels.height

        AxisDrawing.drawBottom(xScale, axis: x, plot: plot, into: &svg)
        AxisDrawing.drawLeft(yScale, axis: y, plot: plot, into: &svg)
        drawMarkers(labels, plot: plot, into: &svg)
        ChartFrame.defineClip(plot, bleed: 6, into: &svg)
        svg.open(.g, [.clipPath: "url(#plot-area)"])
        for index in series.indices {
            drawSeries(index, plot: plot, x: xScale, y: yScale, into: &svg)
        }
        svg.close(.g)
        let height = plot.bottom + AxisDrawing.bottomHeight(for: x) + ChartStyle.outerMargin / 2
        return svg.rendered(width: ChartStyle.width, height: height, title: title, description: description)
    }

    private func drawSeries(_ index: Int, plot: PlotRect, x: NiceScale, y: NiceScale, into svg: inout SVGDocument) {
        let colour = ChartPalette.colour(index)
        func position(_ point: (x: Double, y: Double)) -> (Double, Double) {
            (plot.left + x.fraction(of: point.x) * plot.width, plot.bottom - y.fraction(of: point.y) * plot.height)
        }
        // Runs of finite points, each its own polyline.
        var runs: [[(Double, Double)]] = [[]]
        for point in series[index].points {
            if point.x.isFinite && point.y.isFinite {
                runs[runs.count - 1].append(position(point))
            } else if runs[runs.count - 1].count > 0 {
                runs.append([])
            }
        }
        for run in runs where run.count > 1 {
            let points = run.map { ChartNumber.coordinate($0.0) + "," + ChartNumber.coordinate($0.1) }
            svg.element(.polyline, [
                .points: .text(points.joined(separator: " ")), .fill: "none", .stroke: .text(colour),
                .strokeWidth: "2.5", .strokeDasharray: .text(ChartPalette.dash(index)), .strokeLinejoin: "round",
            ])
        }
        // A few markers per line, shifted per series so that lines sharing
        // their x values do not stack their markers on the same spots.
        let all = runs.flatMap { $0 }
        let stride = max(1, (all.count + Self.markersPerSeries - 1) / Self.markersPerSeries)
        let offset = stride > 1 ? (index * stride / max(1, series.count)) % stride : 0
        for (position, point) in all.enumerated() where position % stride == offset {
            ChartPalette.marker(index).draw(x: point.0, y: point.1, radius: 4, colour: colour, into: &svg)
        }
    }

    private func drawMarkers(_ labels: MarkerLabels, plot: PlotRect, into svg: inout SVGDocument) {
        for placement in labels.placements {
            let baseline = MarkerLabels.baseline(row: placement.row, plotTop: plot.top)
            svg.element(.line, [
                .x1: .number(placement.x), .y1: .number(baseline - 10), .x2: .number(placement.x),
                .y2: .number(plot.bottom), .stroke: .text(ChartStyle.markerColour), .strokeWidth: "1.2",
                .strokeDasharray: "4 3",
            ])
            svg.text(placement.text, [
                .x: .number(placement.anchorsAtEnd ? placement.x - 4 : placement.x + 4), .y: .number(baseline),
                .textAnchor: placement.anchorsAtEnd ? "end" : "start", .fill: "#333333",
            ])
        }
    }
}
