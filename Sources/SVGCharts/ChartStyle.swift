/// Sizes, fonts and neutral colours shared by all charts.
enum ChartStyle {
    /// GitHub's Markdown column is about 830 px wide at most; 760 leaves a
    /// margin, and narrower screens scale the whole drawing down.
    static let width = 760.0
    static let fontFamily = "Helvetica, Arial, sans-serif"
    /// The smallest text on a chart, readable once scaled down a little.
    static let fontSize = 12.0
    static let titleFontSize = 16.0
    static let textColour = "#222222"
    static let axisColour = "#444444"
    static let gridColour = "#E0E0E0"
    static let markerColour = "#555555"
    /// Second rows of labels (a title's clock under % of runtime): dark
    /// enough on white (7:1), lighter than the first row.
    static let secondaryTextColour = "#555555"
    static let outerMargin = 16.0
}

/// A rectangle on the page, in SVG pixels (y grows downwards).
struct PlotRect: Sendable, Equatable {
    var left: Double
    var top: Double
    var width: Double
    var height: Double

    var right: Double { left + width }
    var bottom: Double { top + height }
    var centerX: Double { left + width / 2 }
    var centerY: Double { top + height / 2 }
}
