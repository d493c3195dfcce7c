/// What identifies a series in the legend: the same line, marker or fill
/// as in the plot, so a reader matches shape and texture, not only hue.
enum LegendSample: Sendable {
    case line(series: Int)
    case bar(series: Int)
}

/// Series names with their samples, laid out left to right and wrapped
/// into rows across the width available.
struct ChartLegend {
    static let rowHeight = 20.0
    private static let sampleWidth = 30.0
    private static let gap = 18.0
    private static let longestName = 220.0

    private struct Placement {
        var sample: LegendSample
        var name: String
        var x: Double
        var row: Int
    }

    private var placements: [Placement] = []

    init(_ entries: [(name: String, sample: LegendSample)], width: Double) {
        var x = 0.0
        var row = 0
        for entry in entries {
            let name = SVGText.fitted(entry.name, maxWidth: min(Self.longestName, width - Self.sampleWidth - 6))
            let itemWidth = Self.sampleWidth + 6 + SVGText.width(of: name)
            if x > 0 && x + itemWidth > width {
                x = 0
                row += 1
            }
            placements.append(Placement(sample: entry.sample, name: name, x: x, row: row))
            x += itemWidth + Self.gap
        }
    }

    /// The height the legend takes, 0 when it has no entries.
    var height: Double {
        guard let last = placements.last else { return 0 }
        return Double(last.row + 1) * Self.rowHeight
    }

    func draw(left: Double, top: Double, into svg: inout SVGDocument) {
        for placement in placements {
            let x = left + placement.x
            let middle = top + Double(placement.row) * Self.rowHeight + Self.rowHeight / 2
            switch placement.sample {
            case .line(let series):
                svg.element(.line, [
                    .x1: .number(x), .y1: .number(middle), .x2: .number(x + Self.sampleWidth), .y2: .number(middle),
                    .stroke: .text(ChartPalette.colour(series)), .strokeWidth: "2.5",
                    .strokeDasharray: .text(ChartPalette.dash(series)),
                ])
                ChartPalette.marker(series).draw(
                    x: x + Self.sampleWidth / 2, y: middle, radius: 4, colour: ChartPalette.colour(series), into: &svg)
            case .bar(let series):
                svg.element(.rect, [
                    .x: .number(x + Self.sampleWidth - 16), .y: .number(middle - 7), .width: "16", .height: "14",
                    .fill: FillPattern.fill(series: series), .stroke: .text(ChartPalette.colour(series)),
                    .strokeWidth: "1",
                ])
            }
            svg.text(placement.name, [.x: .number(x + Self.sampleWidth + 6), .y: .number(middle + 4)])
        }
    }
}
