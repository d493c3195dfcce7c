/// What a file's first significant line says about its format: the first
/// byte that is not a space, a tab or a carriage return decides, and for a
/// file named as JSON, whether the line is a real header (input 1.2).
package enum FormatSniffing {
    package enum Verdict: Equatable {
        /// Only spaces, tabs and carriage returns: no sign yet.
        case undecided
        /// `{`, or a file named as NDJSON whose first line is no header:
        /// NDJSON; this line is data.
        case ndjson
        /// `[`: a JSON array, a file-level error.
        case jsonArray
        /// Anything else: this line is the CSV/TSV header.
        case header
        /// A header that cannot be read (invalid UTF-8, a NUL byte, broken
        /// quoting): a file-level error.
        case malformedHeader
    }

    /// - Parameter namedAsJSON: the file's name says NDJSON
    ///   (`isNamedAsJSON`); then a first line that is not a well-formed
    ///   header (one that parses and names at least one field) is the first
    ///   line of an NDJSON file, as log rotation leaves it when it cuts a
    ///   line, instead of turning the file into a table.
    package static func verdict(_ line: UnsafeRawBufferPointer, namedAsJSON: Bool) -> Verdict {
        guard let first = TextCheck.firstSignificantByte(line) else { return .undecided }
        if first == UInt8(ascii: "{") { return .ndjson }
        if first == UInt8(ascii: "[") { return .jsonArray }
        guard TextCheck.firstProblem(in: line) == nil, let layout = DelimitedParser.headerLayout(line) else {
            return namedAsJSON ? .ndjson : .malformedHeader
        }
        if namedAsJSON && !layout.names.contains(where: { name in name.withUnsafeBytes { Field.named($0) != nil } }) {
            return .ndjson
        }
        return .header
    }

    /// Whether a file's name ends in `.jsonl`, `.ndjson` or `.json`, before
    /// an optional `.gz`, in any letter case. Standard input (`-`) is not.
    package static func isNamedAsJSON(_ name: String) -> Bool {
        var lower = Substring(name.lowercased())
        if lower.hasSuffix(".gz") { lower = lower.dropLast(3) }
        return lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json")
    }
}
