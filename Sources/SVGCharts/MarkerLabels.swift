/// A vertical dashed line across a plot at `x`, with a short label above
/// it: "intro ends", "steepest drop", "most replayed".
package struct ChartMarker: Sendable, Equatable {
    var x: Double
    package var label: String

    package init(x: Double, label: String) {
        self.x = x
        self.label = label
    }
}

/// Rows for marker labels above a plot, so that close markers do not
/// write over each other.
///
/// Row 0 is nearest the plot; a label in row r has its line pass through
/// rows 0..<r. A label takes the lowest row where it overlaps no other
/// label and crosses no other line, and no line crosses it:
///
///     row 1  | 30 s
///     row 0  |    | steepest drop
///     ───────┆────┆──────────────── plot top
struct MarkerLabels {
    static let rowHeight = 15.0
    static let maximumRows = 4
    private static let longestLabel = 170.0

    struct Placement: Sendable {
        var x: Double
        var text: String
        var row: Int
        /// The label's left and right edges.
        var from: Double
        var to: Double
        var anchorsAtEnd: Bool
    }

    private(set) var placements: [Placement] = []

    /// - Parameter positions: each marker's x on the page and its label.
    ///   They are placed right to left (ties in the given order): labels
    ///   run rightwards from their line, so close markers climb a
    ///   staircase leftwards and no line crosses a label.
    init(_ positions: [(x: Double, label: String)], right: Double) {
        let ordered = positions.enumerated().sorted { ($1.element.x, $0.offset) < ($0.element.x, $1.offset) }
        for (_, position) in ordered {
            let text = SVGText.fitted(position.label, maxWidth: Self.longestLabel)
            let width = SVGText.width(of: text)
            let anchorsAtEnd = position.x + 4 + width > right
            let from = anchorsAtEnd ? position.x - 4 - width : position.x + 4
            var candidate = Placement(
                x: position.x, text: text, row: 0, from: from, to: from + width, anchorsAtEnd: anchorsAtEnd)
            // Crowded beyond the rows, the last row takes the overlap.
            candidate.row = (0..<Self.maximumRows).first { row in
                var trial = candidate
                trial.row = row
                return placements.allSatisfy { !Self.collide(trial, $0) }
            } ?? Self.maximumRows - 1
            placements.append(candidate)
        }
    }

    /// The height of the rows in use, 0 without markers.
    var height: Double {
        guard let highest = placements.map(\.row).max() else { return 0 }
        return Double(highest + 1) * Self.rowHeight + 4
    }

    /// The baseline of row `row`, for a plot whose top is `plotTop`.
    static func baseline(row: Int, plotTop: Double) -> Double {
        plotTop - 6 - Double(row) * rowHeight
    }

    private static func collide(_ a: Placement, _ b: Placement) -> Bool {
        let gap = 6.0
        if a.row == b.row { return a.from < b.to + gap && b.from < a.to + gap }
        // The higher label's line runs through the lower label's row.
        let (low, high) = a.row < b.row ? (a, b) : (b, a)
        return low.from - gap < high.x && high.x < low.to + gap
    }
}
