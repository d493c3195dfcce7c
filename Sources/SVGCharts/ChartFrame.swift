/// What every chart draws around its data: the visible title and the
/// "No data" placeholder.
enum ChartFrame {
    /// The title in bold across the top; returns the y below it.
    static func drawTitle(_ title: String, into svg: inout SVGDocument) -> Double {
        let margin = ChartStyle.outerMargin
        let text = SVGText.fitted(
            title, maxWidth: ChartStyle.width - 2 * margin, fontSize: ChartStyle.titleFontSize, bold: true)
        guard !text.isEmpty else { return margin }
        svg.text(text, [
            .x: .number(margin), .y: .number(margin + ChartStyle.titleFontSize),
            .fontSize: .number(ChartStyle.titleFontSize), .fontWeight: "bold",
        ])
        return margin + ChartStyle.titleFontSize + 14
    }

    /// An outlined empty plot saying "No data": never a blank or broken image.
    static func drawNoData(in plot: PlotRect, into svg: inout SVGDocument) {
        svg.element(.rect, [
            .x: .number(plot.left), .y: .number(plot.top), .width: .number(plot.width), .height: .number(plot.height),
            .fill: "#FAFAFA", .stroke: .text(ChartStyle.gridColour),
        ])
        svg.text("No data", [
            .x: .number(plot.centerX), .y: .number(plot.centerY + 5), .textAnchor: "middle",
            .fontSize: "14", .fill: "#666666",
        ])
    }

    /// Restricts drawing to `plot` (with `bleed` to spare for markers on
    /// its edges), so values outside a fixed axis range stay off the axes.
    static func defineClip(_ plot: PlotRect, bleed: Double, into svg: inout SVGDocument) {
        svg.open(.defs)
        svg.open(.clipPath, [.id: "plot-area"])
        svg.element(.rect, [
            .x: .number(plot.left - bleed), .y: .number(plot.top - bleed),
            .width: .number(plot.width + 2 * bleed), .height: .number(plot.height + 2 * bleed),
        ])
        svg.close(.clipPath)
        svg.close(.defs)
    }
}
