/// What a file's first significant line says about its format: the first
/// byte that is not a space, a tab or a carriage return decides.
enum FormatSniffing {
    enum Verdict: Equatable {
        /// Only spaces, tabs and carriage returns: no sign yet.
        case undecided
        /// `{`: NDJSON; this line is data.
        case ndjson
        /// `[`: a JSON array, a file-level error.
        case jsonArray
        /// Anything else: this line is the CSV/TSV header.
        case header
        /// A header that cannot be read (invalid UTF-8, a NUL byte, broken
        /// quoting): a file-level error.
        case malformedHeader
    }

    static func verdict(_ line: UnsafeRawBufferPointer) -> Verdict {
        guard let first = TextCheck.firstSignificantByte(line) else { return .undecided }
        if first == UInt8(ascii: "{") { return .ndjson }
        if first == UInt8(ascii: "[") { return .jsonArray }
        guard TextCheck.firstProblem(in: line) == nil, DelimitedParser.headerLayout(line) != nil else {
            return .malformedHeader
        }
        return .header
    }
}
