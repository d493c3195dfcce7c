/// The elements a chart may write. `<svg>`, `<title>`, `<desc>` and
/// `<text>` are written by `SVGDocument` itself.
enum SVGTag: String, Sendable {
    case g, defs, clipPath, pattern, rect, line, polyline, path, circle
}

/// The attributes a chart may write.
enum SVGAttribute: String, Sendable {
    case id, x, y, x1, y1, x2, y2, cx, cy, r, width, height, d, points, transform
    case fill, stroke
    case fillOpacity = "fill-opacity"
    case strokeOpacity = "stroke-opacity"
    case strokeWidth = "stroke-width"
    case strokeDasharray = "stroke-dasharray"
    case strokeLinejoin = "stroke-linejoin"
    case strokeLinecap = "stroke-linecap"
    case clipPath = "clip-path"
    case patternUnits, patternTransform
    case textAnchor = "text-anchor"
    case fontSize = "font-size"
    case fontWeight = "font-weight"
    case paintOrder = "paint-order"
}

/// An attribute value: a constant of the chart code, a number, or text
/// that may come from data (cleaned and escaped on the way out).
enum SVGValue: Sendable, ExpressibleByStringLiteral {
    case text(String)
    case number(Double)

    init(stringLiteral value: String) { self = .text(value) }

    var written: String {
        switch self {
        case .text(let text): return SVGText.escaped(SVGText.cleaned(text, limit: .max))
        case .number(let number): return ChartNumber.coordinate(number)
        }
    }
}

/// An SVG document built element by element.
///
/// The one place markup is written: element and attribute names come from
/// the closed sets above, every value and every piece of character data is
/// cleaned and escaped here, so whatever the data holds it can only ever be
/// text. Elements are written in call order, one per line, so the same
/// calls give the same bytes.
struct SVGDocument {
    private var body = ""

    /// An empty element: `<rect x="1" … />`.
    mutating func element(_ tag: SVGTag, _ attributes: KeyValuePairs<SVGAttribute, SVGValue>) {
        body += "<" + tag.rawValue + Self.written(attributes) + "/>\n"
    }

    mutating func open(_ tag: SVGTag, _ attributes: KeyValuePairs<SVGAttribute, SVGValue> = [:]) {
        body += "<" + tag.rawValue + Self.written(attributes) + ">\n"
    }

    mutating func close(_ tag: SVGTag) {
        body += "</" + tag.rawValue + ">\n"
    }

    /// A `<text>` element holding `content` as character data.
    mutating func text(_ content: String, _ attributes: KeyValuePairs<SVGAttribute, SVGValue>) {
        body += "<text" + Self.written(attributes) + ">" + SVGText.escaped(SVGText.cleaned(content)) + "</text>\n"
    }

    /// The whole document: the root element sized for GitHub's page
    /// (scaled down by the reader, never up), the title and description
    /// screen readers announce, a white background (so dark page themes
    /// keep the dark text readable), then the elements written so far.
    func rendered(width: Double, height: Double, title: String, description: String) -> String {
        let w = ChartNumber.coordinate(width)
        let h = ChartNumber.coordinate(height)
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(w) \(h)\" width=\"\(w)\" height=\"\(h)\""
            + " role=\"img\" aria-labelledby=\"chart-title chart-desc\""
            + " font-family=\"\(ChartStyle.fontFamily)\" font-size=\"\(ChartNumber.coordinate(ChartStyle.fontSize))\""
            + " fill=\"\(ChartStyle.textColour)\">\n"
            + "<title id=\"chart-title\">" + SVGText.escaped(SVGText.shortened(title, limit: 300)) + "</title>\n"
            + "<desc id=\"chart-desc\">" + SVGText.escaped(SVGText.shortened(description, limit: 3_000)) + "</desc>\n"
            + "<rect width=\"\(w)\" height=\"\(h)\" fill=\"#FFFFFF\"/>\n"
            + body
            + "</svg>\n"
    }

    private static func written(_ attributes: KeyValuePairs<SVGAttribute, SVGValue>) -> String {
        var result = ""
        for (name, value) in attributes {
            // An empty value leaves the attribute out (a solid line's dash pattern).
            if case .text(let text) = value, text.isEmpty { continue }
            result += " " + name.rawValue + "=\"" + value.written + "\""
        }
        return result
    }
}
