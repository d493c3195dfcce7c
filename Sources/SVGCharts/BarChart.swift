/// One series of a `BarChart`: a value for each category, in the order of
/// the categories. A missing (the array is shorter) or non-finite value
/// draws no bar.
package struct BarSeries: Sendable {
    var name: String
    var values: [Double]

    package init(name: String, values: [Double]) {
        self.name = name
        self.values = values
    }
}

/// Horizontal bars, one row per category with its label on the left:
/// top titles, countries, devices.
///
/// One series writes its value at the end of each bar. Several are drawn
/// side by side (in legend order, top to bottom) or, when `stacked`, end to
/// end (in legend order, left to right) for shares that add up; each has
/// its own colour and fill pattern, and a legend names them.
package struct BarChart: Sendable {
    var title: String
    package var description: String
    var categories: [String]
    var series: [BarSeries]
    var value: ChartAxis
    var stacked: Bool
    /// What the categories are ("Country"), written above their labels.
    var categoryLabel: String

    static let longestCategory = 200.0

    package init(
        title: String, description: String, categories: [String], series: [BarSeries], value: ChartAxis,
        stacked: Bool = false, categoryLabel: String = ""
    ) {
        self.title = title
        self.description = description
        self.categories = categories
        self.series = series
        self.value = value
        self.stacked = stacked
        self.categoryLabel = categoryLabel
    }

    /// The chart as a complete SVG document.
    package func svg() -> String {
        var svg = SVGDocument()
        let top = ChartFrame.drawTitle(title, into: &svg)
        guard series.contains(where: { $0.values.prefix(categories.count).contains(where: \.isFinite) }) else {
            let plot = PlotRect(left: 56, top: top, width: ChartStyle.width - 80, height: 160)
            ChartFrame.drawNoData(in: plot, into: &svg)
            return svg.rendered(width: ChartStyle.width, height: plot.bottom + 16, title: title, description: description)
        }
        let scale = value.scale(for: extents(), maxIntervals: 8)
        let grouped = series.count > 1 && !stacked
        let writesValues = series.count == 1 && !stacked
        let labels = categories.map { SVGText.fitted($0, maxWidth: Self.longestCategory) }
        let header = SVGText.fitted(categoryLabel, maxWidth: Self.longestCategory, bold: true)
        let labelWidth = max(labels.map { SVGText.width(of: $0) }.max() ?? 0, SVGText.width(of: header) * 1.1)
        let left = ChartStyle.outerMargin + labelWidth + 10
        let valueRoom = writesValues ? widestValueLabel() + 12 : 0
        let lastTick = scale.tickIndices.last.map { SVGText.width(of: scale.label(ofTick: $0, format: value.format)) }
        let right = ChartStyle.width - max(24, valueRoom, (lastTick ?? 0) / 2 + 8)
        var plot = PlotRect(left: left, top: top, width: right - left, height: 0)

        let legend = ChartLegend(
            series.count > 1 ? series.enumerated().map { ($0.element.name, .bar(series: $0.offset)) } : [],
            width: plot.width)
        legend.draw(left: plot.left, top: plot.top, into: &svg)
        plot.top += legend.height > 0 ? legend.height + 6 : 0
        if !header.isEmpty {
            svg.text(header, [
                .x: .number(plot.left - 8), .y: .number(plot.top + 12), .textAnchor: "end", .fontWeight: "bold",
            ])
            plot.top += 18
        }
        let band = grouped ? Double(series.count) * 12 + 10 : 26
        plot.height = band * Double(categories.count)

        if series.indices.contains(where: { ChartPalette.fill($0) != .solid }) {
            svg.open(.defs)
            for index in series.indices { FillPattern.define(series: index, into: &svg) }
            svg.close(.defs)
        }
        AxisDrawing.drawBottom(scale, axis: value, plot: plot, into: &svg)
        for (row, label) in labels.enumerated() {
            let bandTop = plot.top + Double(row) * band
            svg.text(label, [.x: .number(plot.left - 8), .y: .number(bandTop + band / 2 + 4), .textAnchor: "end"])
            if stacked {
                drawStack(row, top: bandTop + 4, thickness: band - 8, plot: plot, scale: scale, into: &svg)
            } else {
                for index in series.indices {
                    guard let v = valueOf(index, row) else { continue }
                    let barTop = grouped ? bandTop + 5 + Double(index) * 12 : bandTop + 4
                    drawBar(index, from: 0, to: v, top: barTop, thickness: grouped ? 12 : band - 8,
                            plot: plot, scale: scale, into: &svg)
                    if writesValues {
                        drawValueLabel(v, top: barTop, thickness: band - 8, plot: plot, scale: scale, into: &svg)
                    }
                }
            }
        }
        // The zero line again, over the bars that start on it.
        if (0...1).contains(scale.fraction(of: 0)) {
            let x = plot.left + scale.fraction(of: 0) * plot.width
            svg.element(.line, [
                .x1: .number(x), .y1: .number(plot.top), .x2: .number(x), .y2: .number(plot.bottom),
                .stroke: .text(ChartStyle.axisColour), .strokeWidth: "1",
            ])
        }
        let height = plot.bottom + AxisDrawing.bottomHeight + ChartStyle.outerMargin / 2
        return svg.rendered(width: ChartStyle.width, height: height, title: title, description: description)
    }

    /// The value of series `index` for category `row`, if it is drawn.
    private func valueOf(_ index: Int, _ row: Int) -> Double? {
        let values = series[index].values
        guard row < values.count, values[row].isFinite else { return nil }
        return values[row]
    }

    /// The values the axis must reach: each value, or each stack's ends.
    private func extents() -> [Double] {
        var result: [Double] = []
        for row in categories.indices {
            var positive = 0.0
            var negative = 0.0
            for index in series.indices {
                guard let v = valueOf(index, row) else { continue }
                if stacked {
                    if v >= 0 { positive += v } else { negative += v }
                } else {
                    result.append(v)
                }
            }
            if stacked { result += [positive, negative] }
        }
        return result
    }

    private func widestValueLabel() -> Double {
        var widest = 0.0
        for row in categories.indices {
            if let v = valueOf(0, row) { widest = max(widest, SVGText.width(of: value.format.valueLabel(v))) }
        }
        return widest
    }

    /// Positive values stack rightwards from 0, negative ones leftwards.
    private func drawStack(
        _ row: Int, top: Double, thickness: Double, plot: PlotRect, scale: NiceScale, into svg: inout SVGDocument
    ) {
        var positive = 0.0
        var negative = 0.0
        for index in series.indices {
            guard let v = valueOf(index, row) else { continue }
            let start = v >= 0 ? positive : negative
            drawBar(index, from: start, to: start + v, top: top, thickness: thickness, plot: plot, scale: scale, into: &svg)
            if v >= 0 { positive += v } else { negative += v }
        }
    }

    private func drawBar(
        _ index: Int, from start: Double, to end: Double, top: Double, thickness: Double, plot: PlotRect,
        scale: NiceScale, into svg: inout SVGDocument
    ) {
        func x(_ v: Double) -> Double {
            plot.left + min(max(scale.fraction(of: v), 0), 1) * plot.width
        }
        let from = x(min(start, end))
        svg.element(.rect, [
            .x: .number(from), .y: .number(top), .width: .number(x(max(start, end)) - from), .height: .number(thickness),
            .fill: FillPattern.fill(series: index), .stroke: stacked ? "#FFFFFF" : "", .strokeWidth: stacked ? "1" : "",
        ])
    }

    private func drawValueLabel(
        _ v: Double, top: Double, thickness: Double, plot: PlotRect, scale: NiceScale, into svg: inout SVGDocument
    ) {
        let x = plot.left + min(max(scale.fraction(of: v), 0), 1) * plot.width
        svg.text(value.format.valueLabel(v), [
            .x: .number(v < 0 ? x - 4 : x + 4), .y: .number(top + thickness / 2 + 4),
            .textAnchor: v < 0 ? "end" : "start",
        ])
    }
}
