/// A grid of coloured cells: viewing by weekday and hour, the return rate
/// of each cohort by day.
///
/// The colour scale is `ChartPalette.sequential` cut into nice bins (at
/// most 8), with a legend giving each bin's bounds and the unit. A nil or
/// non-finite value is "no data": a hatched white cell, named in the
/// legend. A row shorter than `columns` leaves its last cells out
/// entirely, for the triangle of a cohort table (later days not yet seen).
package struct HeatMap: Sendable {
    var title: String
    package var description: String
    var rows: [String]
    var columns: [String]
    /// `values[row][column]`.
    var values: [[Double?]]
    /// What the rows are ("Weekday") and the columns ("Hour of day (UTC)").
    var rowAxisLabel: String
    var columnAxisLabel: String
    /// The colour scale: its label (with the unit), range and number format.
    var scale: ChartAxis
    /// Writes each value in its cell, where it fits (`unlabelledCells`
    /// says where it does not).
    var showsValues: Bool
    /// The tallest a row may be; lower keeps a grid of many rows short.
    var maximumCellHeight: Double

    static let longestRowLabel = 140.0
    static let maximumBins = 8
    static let widestCell = 72.0

    package init(
        title: String, description: String, rows: [String], columns: [String], values: [[Double?]],
        rowAxisLabel: String, columnAxisLabel: String, scale: ChartAxis, showsValues: Bool = false,
        maximumCellHeight: Double = 28
    ) {
        self.maximumCellHeight = maximumCellHeight
        self.title = title
        self.description = description
        self.rows = rows
        self.columns = columns
        self.values = values
        self.rowAxisLabel = rowAxisLabel
        self.columnAxisLabel = columnAxisLabel
        self.scale = scale
        self.showsValues = showsValues
    }

    /// The chart as a complete SVG document.
    package func svg() -> String {
        var svg = SVGDocument()
        let top = ChartFrame.drawTitle(title, into: &svg)
        guard !rows.isEmpty, !columns.isEmpty else {
            let plot = PlotRect(left: 56, top: top, width: ChartStyle.width - 80, height: 160)
            ChartFrame.drawNoData(in: plot, into: &svg)
            return svg.rendered(width: ChartStyle.width, height: plot.bottom + 16, title: title, description: description)
        }
        let bins = scale.scale(for: cells().compactMap(\.value), maxIntervals: Self.maximumBins, alwaysExtends: true)
        let rowLabels = rows.map { SVGText.fitted($0, maxWidth: Self.longestRowLabel) }
        let (left, cellWidth, cellHeight) = layout()
        let plot = PlotRect(
            left: left, top: top + 4, width: cellWidth * Double(columns.count), height: cellHeight * Double(rows.count))

        let hasNoData = cells().contains { $0.value == nil }
        if hasNoData { Self.defineNoDataPattern(into: &svg) }
        for cell in cells() {
            drawCell(cell, bins: bins, x: plot.left + Double(cell.column) * cellWidth,
                     y: plot.top + Double(cell.row) * cellHeight, width: cellWidth, height: cellHeight, into: &svg)
        }
        for (row, label) in rowLabels.enumerated() {
            svg.text(label, [
                .x: .number(plot.left - 6), .y: .number(plot.top + (Double(row) + 0.5) * cellHeight + 4),
                .textAnchor: "end",
            ])
        }
        drawColumnLabels(plot: plot, cellWidth: cellWidth, into: &svg)
        if !rowAxisLabel.isEmpty {
            let x = AxisDrawing.leftLabelX
            svg.text(SVGText.fitted(rowAxisLabel, maxWidth: plot.height + 60, bold: true), [
                .x: .number(x), .y: .number(plot.centerY), .textAnchor: "middle", .fontWeight: "bold",
                .transform: .text("rotate(-90 \(ChartNumber.coordinate(x)) \(ChartNumber.coordinate(plot.centerY)))"),
            ])
        }
        var legendTop = plot.bottom + 26
        if !columnAxisLabel.isEmpty {
            let label = SVGText.fitted(
                columnAxisLabel, maxWidth: ChartStyle.width - 2 * ChartStyle.outerMargin, bold: true)
            svg.text(label, [
                .x: .number(plot.centerX), .y: .number(plot.bottom + 38), .textAnchor: "middle", .fontWeight: "bold",
            ])
            legendTop += 24
        }
        let bottom = drawLegend(bins, hasNoData: hasNoData, left: plot.left, top: legendTop, into: &svg)
        return svg.rendered(
            width: ChartStyle.width, height: bottom + ChartStyle.outerMargin, title: title, description: description)
    }

    /// The grid's left edge and cell size.
    private func layout() -> (left: Double, cellWidth: Double, cellHeight: Double) {
        let rowLabels = rows.map { SVGText.fitted($0, maxWidth: Self.longestRowLabel) }
        let axisRoom = rowAxisLabel.isEmpty ? ChartStyle.outerMargin : AxisDrawing.leftLabelX + 14
        let left = axisRoom + (rowLabels.map { SVGText.width(of: $0) }.max() ?? 0) + 8
        // Wide enough for "100%"; wider cells only stretch a short grid.
        let cellWidth = min(Self.widestCell, (ChartStyle.width - 20 - left) / Double(max(1, columns.count)))
        let cellHeight = min(maximumCellHeight, max(16, cellWidth))
        return (left, cellWidth, cellHeight)
    }

    /// Cells with a value whose label does not fit, so is not written
    /// (0 when `showsValues` is off). A report that says "each cell shows
    /// its value" needs this to be 0.
    package var unlabelledCells: Int {
        guard showsValues else { return 0 }
        let width = layout().cellWidth
        return cells().filter { cell in
            cell.value.map { SVGText.width(of: scale.format.valueLabel($0)) > width - 4 } ?? false
        }.count
    }

    private struct Cell {
        var row: Int
        var column: Int
        var value: Double?
    }

    /// The cells to draw, row by row; non-finite values count as no data.
    private func cells() -> [Cell] {
        var result: [Cell] = []
        for row in rows.indices where row < values.count {
            for (column, value) in values[row].prefix(columns.count).enumerated() {
                result.append(Cell(row: row, column: column, value: value.flatMap { $0.isFinite ? $0 : nil }))
            }
        }
        return result
    }

    /// The bin of `value`: bins are [a, b) but the last, which is closed.
    private func bin(of value: Double, in bins: NiceScale) -> Int {
        let count = max(1, bins.tickIndices.count - 1)
        let position = (bins.fraction(of: value) * Double(count) + 1e-9).rounded(.down)
        return Int(min(max(position, 0), Double(count - 1)))
    }

    private func drawCell(
        _ cell: Cell, bins: NiceScale, x: Double, y: Double, width: Double, height: Double,
        into svg: inout SVGDocument
    ) {
        guard let value = cell.value else {
            svg.element(.rect, [
                .x: .number(x + 0.5), .y: .number(y + 0.5), .width: .number(width - 1), .height: .number(height - 1),
                .fill: "url(#no-data)", .stroke: "#BBBBBB", .strokeWidth: "1",
            ])
            return
        }
        let step = ChartPalette.sequentialStep(bin: bin(of: value, in: bins), of: max(1, bins.tickIndices.count - 1))
        svg.element(.rect, [
            .x: .number(x), .y: .number(y), .width: .number(width), .height: .number(height),
            .fill: .text(ChartPalette.sequential[step]), .stroke: "#FFFFFF", .strokeWidth: "1",
        ])
        guard showsValues else { return }
        let label = scale.format.valueLabel(value)
        guard SVGText.width(of: label) <= width - 4 else { return }
        svg.text(label, [
            .x: .number(x + width / 2), .y: .number(y + height / 2 + 4), .textAnchor: "middle",
            .fill: .text(ChartPalette.sequentialText[step]),
        ])
    }

    /// Column labels under the grid, thinned out when they would collide.
    private func drawColumnLabels(plot: PlotRect, cellWidth: Double, into svg: inout SVGDocument) {
        let labels = columns.map { SVGText.fitted($0, maxWidth: max(cellWidth - 4, 80)) }
        let widest = labels.map { SVGText.width(of: $0) }.max() ?? 0
        let every = AxisDrawing.labelStride(labelWidth: widest + 6, spacing: cellWidth)
        for (column, label) in labels.enumerated() where column % every == 0 {
            svg.text(label, [
                .x: .number(plot.left + (Double(column) + 0.5) * cellWidth), .y: .number(plot.bottom + 16),
                .textAnchor: "middle",
            ])
        }
    }

    /// The scale: its label, one swatch per bin with the bounds beneath,
    /// and the no-data swatch when some cell has none. Returns its bottom.
    private func drawLegend(_ bins: NiceScale, hasNoData: Bool, left: Double, top: Double, into svg: inout SVGDocument)
        -> Double
    {
        svg.text(SVGText.fitted(scale.label, maxWidth: ChartStyle.width - left - ChartStyle.outerMargin, bold: true), [
            .x: .number(left), .y: .number(top + 12), .fontWeight: "bold",
        ])
        let bounds = bins.tickIndices.map { bins.label(ofTick: $0, format: scale.format) }
        let count = max(1, bounds.count - 1)
        let widest = bounds.map { SVGText.width(of: $0) }.max() ?? 0
        let swatch = min(max(36, widest + 8), (ChartStyle.width - left - 140) / Double(count))
        let every = AxisDrawing.labelStride(labelWidth: widest + 6, spacing: swatch)
        let swatchTop = top + 20
        for bin in 0..<count {
            let step = ChartPalette.sequentialStep(bin: bin, of: count)
            svg.element(.rect, [
                .x: .number(left + Double(bin) * swatch), .y: .number(swatchTop), .width: .number(swatch),
                .height: "14", .fill: .text(ChartPalette.sequential[step]),
            ])
        }
        for (position, bound) in bounds.enumerated() where position % every == 0 {
            svg.text(bound, [
                .x: .number(left + Double(position) * swatch), .y: .number(swatchTop + 28), .textAnchor: "middle",
            ])
        }
        if hasNoData {
            let x = left + Double(count) * swatch + 24
            svg.element(.rect, [
                .x: .number(x + 0.5), .y: .number(swatchTop + 0.5), .width: "21", .height: "13",
                .fill: "url(#no-data)", .stroke: "#BBBBBB", .strokeWidth: "1",
            ])
            svg.text("No data", [.x: .number(x + 28), .y: .number(swatchTop + 11)])
        }
        return swatchTop + 34
    }

    /// Light grey hatching on white: unlike any step of the scale.
    private static func defineNoDataPattern(into svg: inout SVGDocument) {
        svg.open(.defs)
        svg.open(.pattern, [
            .id: "no-data", .patternUnits: "userSpaceOnUse", .width: "6", .height: "6",
            .patternTransform: "rotate(45)",
        ])
        svg.element(.rect, [.width: "6", .height: "6", .fill: "#FFFFFF"])
        svg.element(.path, [.d: "M3 0V6", .stroke: "#BBBBBB", .strokeWidth: "1.2"])
        svg.close(.pattern)
        svg.close(.defs)
    }
}
