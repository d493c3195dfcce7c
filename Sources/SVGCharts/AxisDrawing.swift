/// Grid lines, ticks and axis labels along the bottom and left of a plot.
enum AxisDrawing {
    /// Room kept below the plot for tick labels and the axis label.
    static let bottomHeight = 44.0
    /// The extra room for a second row of tick labels (the title's clock).
    static let clockRowHeight = 15.0

    /// The room below the plot for `axis`: a second row for its clock labels.
    static func bottomHeight(for axis: ChartAxis) -> Double {
        bottomHeight + (axis.runtimeSeconds == nil ? 0 : clockRowHeight)
    }
    /// Where the rotated y-axis label sits, from the left edge.
    static let leftLabelX = 22.0

    /// The widest tick label the left margin makes room for; wider ones
    /// (absurd magnitudes) are cut.
    static let widestLeftLabel = 150.0

    /// The plot of an x–y chart: starting at `top`, left margin wide enough
    /// for the y tick labels, right margin for half the last x tick label.
    static func plot(top: Double, x: NiceScale, xFormat: TickFormat, y: NiceScale, yFormat: TickFormat, height: Double)
        -> PlotRect
    {
        let yLabels = y.tickIndices.map { SVGText.width(of: y.label(ofTick: $0, format: yFormat)) }
        let left = leftLabelX + 14 + min(widestLeftLabel, yLabels.max() ?? 0) + 8
        let lastX = x.tickIndices.last.map { SVGText.width(of: x.label(ofTick: $0, format: xFormat)) } ?? 0
        let right = ChartStyle.width - max(24, lastX / 2 + 8)
        // 8 px above for the top tick label, which is centred on its line.
        return PlotRect(left: left, top: top + 8, width: right - left, height: height)
    }

    /// Vertical grid lines at the ticks of `scale`, their labels below the
    /// plot (every second or fifth one when they would collide), and the
    /// axis label centred under them.
    static func drawBottom(_ scale: NiceScale, axis: ChartAxis, plot: PlotRect, into svg: inout SVGDocument) {
        let indices = Array(scale.tickIndices)
        let labels = indices.map { scale.label(ofTick: $0, format: axis.format) }
        // Under a tick in % of a runtime, its position on the title's clock.
        let clocks = axis.runtimeSeconds.map { runtime in
            indices.map { ChartNumber.clock(scale.value(ofTick: $0) / 100 * runtime) }
        }
        let spacing = plot.width / Double(max(1, indices.count - 1))
        let widest = (labels + (clocks ?? [])).map { SVGText.width(of: $0) }.max() ?? 0
        let every = Self.labelStride(labelWidth: widest + 8, spacing: spacing)
        for (position, index) in indices.enumerated() {
            let x = plot.left + scale.fraction(of: scale.value(ofTick: index)) * plot.width
            let isZero = index == 0
            svg.element(.line, [
                .x1: .number(x), .y1: .number(plot.top), .x2: .number(x), .y2: .number(plot.bottom),
                .stroke: .text(isZero ? ChartStyle.axisColour : ChartStyle.gridColour), .strokeWidth: "1",
            ])
            guard position % every == 0 else { continue }
            svg.text(labels[position], [.x: .number(x), .y: .number(plot.bottom + 17), .textAnchor: "middle"])
            if let clocks {
                svg.text(clocks[position], [
                    .x: .number(x), .y: .number(plot.bottom + 17 + clockRowHeight), .textAnchor: "middle",
                    .fill: .text(ChartStyle.secondaryTextColour),
                ])
            }
        }
        svg.element(.line, [
            .x1: .number(plot.left), .y1: .number(plot.bottom), .x2: .number(plot.right), .y2: .number(plot.bottom),
            .stroke: .text(ChartStyle.axisColour), .strokeWidth: "1",
        ])
        svg.text(SVGText.fitted(axis.label, maxWidth: ChartStyle.width - 2 * ChartStyle.outerMargin, bold: true), [
            .x: .number(plot.centerX), .y: .number(plot.bottom + 38 + (clocks == nil ? 0 : clockRowHeight)),
            .textAnchor: "middle", .fontWeight: "bold",
        ])
    }

    /// Horizontal grid lines at the ticks of `scale`, their labels left of
    /// the plot, and the axis label turned to read upwards.
    static func drawLeft(_ scale: NiceScale, axis: ChartAxis, plot: PlotRect, into svg: inout SVGDocument) {
        let indices = Array(scale.tickIndices)
        let spacing = plot.height / Double(max(1, indices.count - 1))
        let every = Self.labelStride(labelWidth: ChartStyle.fontSize + 4, spacing: spacing)
        for (position, index) in indices.enumerated() {
            let y = plot.bottom - scale.fraction(of: scale.value(ofTick: index)) * plot.height
            svg.element(.line, [
                .x1: .number(plot.left), .y1: .number(y), .x2: .number(plot.right), .y2: .number(y),
                .stroke: .text(index == 0 ? ChartStyle.axisColour : ChartStyle.gridColour), .strokeWidth: "1",
            ])
            guard position % every == 0 else { continue }
            let label = SVGText.fitted(scale.label(ofTick: index, format: axis.format), maxWidth: widestLeftLabel)
            svg.text(label, [
                .x: .number(plot.left - 6), .y: .number(y + 4), .textAnchor: "end",
            ])
        }
        svg.element(.line, [
            .x1: .number(plot.left), .y1: .number(plot.top), .x2: .number(plot.left), .y2: .number(plot.bottom),
            .stroke: .text(ChartStyle.axisColour), .strokeWidth: "1",
        ])
        let x = leftLabelX
        svg.text(SVGText.fitted(axis.label, maxWidth: plot.height + 40, bold: true), [
            .x: .number(x), .y: .number(plot.centerY), .textAnchor: "middle", .fontWeight: "bold",
            .transform: .text("rotate(-90 \(ChartNumber.coordinate(x)) \(ChartNumber.coordinate(plot.centerY)))"),
        ])
    }

    /// 1, 2, 5, 10… : label every n-th tick so labels `labelWidth` wide
    /// never overlap at `spacing`.
    static func labelStride(labelWidth: Double, spacing: Double) -> Int {
        guard spacing > 0, labelWidth > spacing else { return 1 }
        for stride in [2, 5, 10, 20, 50, 100] where Double(stride) * spacing >= labelWidth { return stride }
        return 1_000
    }
}
