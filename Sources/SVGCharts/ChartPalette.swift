/// How series are told apart: colour, and always a second cue.
///
/// The colours are Okabe and Ito's set, distinct under the common colour
/// vision deficiencies, without its yellow (#F0E442), too pale on white.
/// Colour is never the only cue: lines also differ by dash pattern and
/// marker shape, bars by fill pattern. There are 7 colours and 8 of each
/// other cue, so the first 56 series all differ in their combination.
enum ChartPalette {
    static let colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]

    /// Solid first: the first series is the one most read.
    static let dashes = ["", "8 4", "2 3", "10 3 2 3", "4 4", "14 4", "2 3 2 3 8 3", "1 2"]

    /// A sequential scale for heat maps, light (little) to dark (much):
    /// ColorBrewer's YlGnBu without its near-white first step, so the
    /// lightest cell still differs from an empty one. Its lightness rises
    /// steadily, so the order survives colour blindness and greyscale print.
    static let sequential = ["#EDF8B1", "#C7E9B4", "#7FCDBB", "#41B6C4", "#1D91C0", "#225EA8", "#253494", "#081D58"]
    /// The text colour with the better contrast on each step of `sequential`.
    static let sequentialText = ["#222222", "#222222", "#222222", "#222222", "#222222", "#FFFFFF", "#FFFFFF", "#FFFFFF"]

    /// The `sequential` step for bin `bin` of `bins`, spread over the
    /// whole ramp so that few bins still run from light to dark.
    static func sequentialStep(bin: Int, of bins: Int) -> Int {
        guard bins > 1 else { return sequential.count / 2 }
        let last = sequential.count - 1
        return (bin * last * 2 + (bins - 1)) / (2 * (bins - 1))
    }

    static func colour(_ series: Int) -> String { colours[series % colours.count] }
    static func dash(_ series: Int) -> String { dashes[series % dashes.count] }
    static func marker(_ series: Int) -> MarkerShape { MarkerShape.allCases[series % MarkerShape.allCases.count] }
    static func fill(_ series: Int) -> FillPattern { FillPattern.allCases[series % FillPattern.allCases.count] }
}

/// The symbol marking points of a line, different for each series.
enum MarkerShape: CaseIterable, Sendable {
    case circle, square, triangleUp, diamond, triangleDown, cross, plus, ring

    /// Draws the shape centred on (x, y), about `radius` across each way.
    func draw(x: Double, y: Double, radius r: Double, colour: String, into svg: inout SVGDocument) {
        let filled: String
        switch self {
        case .circle, .ring:
            filled = "M\(n(x - r)) \(n(y))a\(n(r)) \(n(r)) 0 1 0 \(n(2 * r)) 0a\(n(r)) \(n(r)) 0 1 0 \(n(-2 * r)) 0Z"
        case .square:
            let s = r * 0.9
            filled = "M\(n(x - s)) \(n(y - s))h\(n(2 * s))v\(n(2 * s))h\(n(-2 * s))Z"
        case .triangleUp:
            filled = "M\(n(x)) \(n(y - r * 1.2))L\(n(x + r * 1.1)) \(n(y + r * 0.8))L\(n(x - r * 1.1)) \(n(y + r * 0.8))Z"
        case .triangleDown:
            filled = "M\(n(x)) \(n(y + r * 1.2))L\(n(x + r * 1.1)) \(n(y - r * 0.8))L\(n(x - r * 1.1)) \(n(y - r * 0.8))Z"
        case .diamond:
            let s = r * 1.3
            filled = "M\(n(x)) \(n(y - s))L\(n(x + s)) \(n(y))L\(n(x)) \(n(y + s))L\(n(x - s)) \(n(y))Z"
        case .cross:
            svg.element(.path, [
                .d: .text("M\(n(x - r)) \(n(y - r))L\(n(x + r)) \(n(y + r))M\(n(x - r)) \(n(y + r))L\(n(x + r)) \(n(y - r))"),
                .stroke: .text(colour), .strokeWidth: "2", .fill: "none",
            ])
            return
        case .plus:
            let s = r * 1.2
            svg.element(.path, [
                .d: .text("M\(n(x - s)) \(n(y))H\(n(x + s))M\(n(x)) \(n(y - s))V\(n(y + s))"),
                .stroke: .text(colour), .strokeWidth: "2", .fill: "none",
            ])
            return
        }
        if self == .ring {
            svg.element(.path, [.d: .text(filled), .fill: "#FFFFFF", .stroke: .text(colour), .strokeWidth: "2"])
        } else {
            svg.element(.path, [.d: .text(filled), .fill: .text(colour), .stroke: "#FFFFFF", .strokeWidth: "1"])
        }
    }

    private func n(_ value: Double) -> String { ChartNumber.coordinate(value) }
}

/// The fill of a bar: the series colour, plain or with light lines or dots
/// over it, so grouped and stacked bars differ in texture as well as hue.
enum FillPattern: CaseIterable, Sendable {
    case solid, diagonal, dots, horizontal, crosshatch, vertical, backDiagonal, grid

    /// The `fill` value for series `series`: its colour, or its pattern
    /// (which `define` must have written).
    static func fill(series: Int) -> SVGValue {
        let pattern = ChartPalette.fill(series)
        return pattern == .solid ? .text(ChartPalette.colour(series)) : .text("url(#fill-\(series))")
    }

    /// Writes the `<pattern>` that `fill(series:)` refers to, if any.
    static func define(series: Int, into svg: inout SVGDocument) {
        let pattern = ChartPalette.fill(series)
        guard pattern != .solid else { return }
        let rotation: SVGValue
        switch pattern {
        case .diagonal, .crosshatch: rotation = "rotate(45)"
        case .backDiagonal: rotation = "rotate(-45)"
        default: rotation = "rotate(0)"
        }
        svg.open(.pattern, [
            .id: .text("fill-\(series)"), .patternUnits: "userSpaceOnUse", .width: "6", .height: "6",
            .patternTransform: rotation,
        ])
        svg.element(.rect, [.width: "6", .height: "6", .fill: .text(ChartPalette.colour(series))])
        let lines: String
        switch pattern {
        case .dots:
            svg.element(.circle, [.cx: "3", .cy: "3", .r: "1.3", .fill: "#FFFFFF", .fillOpacity: "0.8"])
            svg.close(.pattern)
            return
        case .horizontal: lines = "M0 3H6"
        case .crosshatch, .grid: lines = "M3 0V6M0 3H6"
        default: lines = "M3 0V6"
        }
        svg.element(.path, [.d: .text(lines), .stroke: "#FFFFFF", .strokeWidth: "1.5", .strokeOpacity: "0.75"])
        svg.close(.pattern)
    }
}
