/// Text from data, made safe and short enough to stand in an SVG.
///
/// A title, a country or a language code can hold anything: markup
/// (`<script>`), quotes, line breaks, characters XML 1.0 forbids, text that
/// would fill the page. `SVGDocument` passes every string through `cleaned`
/// and `escaped`, so no input can open an element or an attribute; charts
/// call `fitted` to keep a label inside its room.
enum SVGText {
    /// Longer input is cut here before any other work, so a megabyte of
    /// title costs no more than a long one.
    static let maximumScalars = 4_000

    /// `text` on one line, with only characters XML 1.0 allows.
    ///
    /// Line breaks, tabs and runs of spaces become one space, and the ends
    /// are trimmed. Dropped: C0 controls (forbidden in XML 1.0), U+FFFE and
    /// U+FFFF (forbidden), C1 controls (allowed but invisible), and the bidi
    /// embeddings, overrides and isolates, which would let a label display
    /// its characters in another order than they are stored.
    ///
    /// - Parameter limit: scalars read at most; `Int.max` for values the
    ///   charts compute (a long line's points), which must never be cut.
    static func cleaned(_ text: String, limit: Int = maximumScalars) -> String {
        var result = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars.prefix(limit) {
            switch scalar.value {
            case 0x09...0x0D, 0x20, 0x85, 0x2028, 0x2029:
                pendingSpace = !result.isEmpty
            case 0x00...0x1F, 0x7F...0x9F, 0xFFFE, 0xFFFF, 0x202A...0x202E, 0x2066...0x2069:
                continue
            default:
                if pendingSpace { result.append(" ") }
                pendingSpace = false
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// `text` with the five XML special characters written as references,
    /// fit for character data and for attribute values in either quote.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `text` cleaned and, when wider than `maxWidth` pixels at `fontSize`,
    /// cut after a whole character and ended with "…".
    static func fitted(
        _ text: String, maxWidth: Double, fontSize: Double = ChartStyle.fontSize, bold: Bool = false
    ) -> String {
        let size = bold ? fontSize * 1.1 : fontSize
        let clean = cleaned(text)
        guard width(of: clean, fontSize: size) > maxWidth else { return clean }
        let room = maxWidth - width(of: "…", fontSize: size)
        var kept = ""
        var used = 0.0
        for character in clean {
            let next = used + width(of: character, fontSize: size)
            guard next <= room else { break }
            kept.append(character)
            used = next
        }
        while kept.last == " " { kept.removeLast() }
        return kept + "…"
    }

    /// `text` cut to at most `limit` characters, ended with "…" when cut:
    /// for `<title>` and `<desc>`, which need no room on the page.
    static func shortened(_ text: String, limit: Int) -> String {
        let clean = cleaned(text)
        guard clean.count > limit else { return clean }
        return String(clean.prefix(max(0, limit - 1))) + "…"
    }

    /// An estimate of the width of `text` in a sans-serif font, on the
    /// generous side so that a label said to fit does fit. SVG has no text
    /// metrics before rendering, and the fonts differ between readers: the
    /// widths are DejaVu Sans's (Linux's default, wider than Helvetica and
    /// Arial), rounded up.
    static func width(of text: String, fontSize: Double = ChartStyle.fontSize) -> Double {
        var total = 0.0
        for character in text { total += width(of: character, fontSize: fontSize) }
        return total
    }

    static func width(of character: Character, fontSize: Double) -> Double {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        return emWidth(scalar) * fontSize
    }

    /// Width in ems.
    private static func emWidth(_ scalar: Unicode.Scalar) -> Double {
        switch scalar.value {
        case 0x20, 0x21, 0x27, 0x2C, 0x2E, 0x3A, 0x3B, 0x49, 0x4A, 0x69, 0x6A, 0x6C, 0x7C: return 0.33
        case 0x22, 0x28, 0x29, 0x2D, 0x2F, 0x5B...0x5D, 0x60, 0x66, 0x72, 0x74, 0x7B, 0x7D: return 0.43
        case 0x25, 0x40, 0x4D, 0x57, 0x6D: return 1.0
        case 0x77: return 0.83
        case 0x30...0x39, 0x61...0x7A: return 0.64
        case 0x41...0x5A: return 0.77
        case 0x00...0x7F: return 0.84
        case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F,
            0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F000...0x1FAFF, 0x20000...0x3FFFD:
            return 1.05
        default: return scalar.properties.isEmojiPresentation ? 1.05 : 0.75
        }
    }
}
