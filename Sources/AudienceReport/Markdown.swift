import AudienceMetrics
import SVGCharts

/// GitHub-flavoured Markdown, with text from the logs or the catalog made
/// inert wherever it lands.
enum Markdown {
    /// Text from data as plain text in a paragraph, a heading or a table
    /// cell: every character Markdown or HTML could read as syntax is
    /// backslash-escaped or written as an entity, line breaks become spaces,
    /// control characters go.
    /// A title named `| <script>` or `](x)` stays those characters.
    /// Past `maximumScalars` the text is cut with "…": an id of a megabyte
    /// is valid input, but the report is for people (the CSVs keep it whole).
    static func text(_ raw: String) -> String {
        var out = ""
        out.reserveCapacity(min(raw.utf8.count, 4 * maximumScalars))
        var previous: [Unicode.Scalar] = []
        for (index, scalar) in raw.unicodeScalars.enumerated() {
            if index == maximumScalars {
                out.append("…")
                break
            }
            // GitHub turns bare `www.`, `scheme://` and `name@host` into links;
            // an invisible word joiner keeps them plain text.
            if (scalar == "." && previous.suffix(3) == ["w", "w", "w"]) || (scalar == "/" && previous.last == ":")
                || scalar == "@" {
                out.unicodeScalars.append("\u{2060}")
            }
            previous.append(scalar)
            if previous.count > 3 { previous.removeFirst() }
            switch scalar {
            case "\n", "\r", "\t":
                out.append(" ")
            // Mid-line, `-`, `.`, `:`, quotes and the like are never syntax: a
            // line break is the only way to a line's start, and it is gone.
            case "\\", "`", "*", "_", "{", "}", "[", "]", "(", ")", "#", "+", "!", "|":
                out.append("\\")
                out.unicodeScalars.append(scalar)
            // HTML, strikethrough and math: as entities, which every renderer reads.
            case "&": out.append("&amp;")
            case "<": out.append("&lt;")
            case ">": out.append("&gt;")
            case "~": out.append("&#126;")
            case "$": out.append("&#36;")
            default:
                // C0 and C1 controls, and the bidirectional overrides that could
                // reorder the text around them.
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                    || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value) {
                    continue
                }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static let maximumScalars = 200

    /// A name from data for display: shortened to `limit` characters, then escaped.
    static func name(_ raw: String, limit: Int = 48) -> String {
        let clean = raw.isEmpty ? "(none)" : raw
        return text(clean.count > limit ? String(clean.prefix(limit - 1)) + "…" : clean)
    }

    /// A table: `header` and `rows` are Markdown already (escape data with
    /// `text`); `rightAligned` marks the columns of numbers.
    static func table(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        var lines = ["| " + header.joined(separator: " | ") + " |"]
        lines.append("|" + header.indices.map { rightAligned.contains($0) ? " ---: |" : " --- |" }.joined())
        for row in rows { lines.append("| " + row.joined(separator: " | ") + " |") }
        return lines.joined(separator: "\n")
    }

    /// Where a figure comes from, the file linked: `` [`titles.csv`](titles.csv) · `watch_hours` ``.
    static func source(_ file: String, _ column: String? = nil) -> String {
        let link = "[`\(file)`](\(file))"
        return column.map { link + " · `\($0)`" } ?? link
    }
}

/// Numbers written for people: thousands separators, percentages with one
/// decimal, durations in hours and minutes.
enum Human {
    static func count(_ value: Int) -> String { ChartNumber.fixedPoint(value, decimals: 0) }

    /// A number with a fixed count of decimals ("32.0" beside "38.7").
    static func number(_ value: Double?, decimals: Int = 1) -> String {
        value.map { ChartNumber.decimal($0, decimals: decimals, trimsZeros: false) } ?? "–"
    }

    /// Between a number and its unit, so "55 h 31 min" never wraps.
    static let space = "\u{00A0}"

    /// A share from 0 to 1 as "45.7%"; "–" when undefined.
    static func percent(_ share: Double?) -> String {
        share.map { ChartNumber.decimal($0 * 100, decimals: 1, trimsZeros: false) + "%" } ?? "–"
    }

    /// Hours as "1 h 05 min" below 100 hours, "1,234 h" above, "45 min" below one.
    static func hours(_ hours: Double?) -> String {
        guard let hours, hours.isFinite else { return "–" }
        return ChartNumber.hoursAndMinutes(hours)
    }

    /// A position in a title as "4:12" (or "1:04:12"), on the title's own clock.
    static func clock(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "–" }
        return ChartNumber.clock(seconds)
    }

    /// Minutes as "12 min 18 s" (or "45 s"); whole minutes alone from a
    /// billion minutes on, where seconds say nothing (and would not fit `Int`:
    /// any finite duration is valid input).
    static func minutes(_ minutes: Double?) -> String {
        guard let minutes, minutes.isFinite else { return "–" }
        if abs(minutes) >= 1e9 { return ChartNumber.decimal(minutes, decimals: 0) + space + "min" }
        let seconds = Int((minutes * 60).rounded(.toNearestOrAwayFromZero))
        if seconds < 60 { return "\(seconds)" + space + "s" }
        return count(seconds / 60) + space + "min" + space + pad(seconds % 60, 2) + space + "s"
    }

    /// Seconds of runtime as "42 min 10 s".
    static func runtime(_ seconds: Double?) -> String { minutes(seconds.map { $0 / 60 }) }

    /// `count` followed by the noun, singular for one.
    static func plural(_ value: Int, _ noun: String, _ plural: String? = nil) -> String {
        "\(count(value)) " + (value == 1 ? noun : plural ?? noun + "s")
    }
}
