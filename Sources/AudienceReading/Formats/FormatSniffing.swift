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

/// Decides a file's format from its first lines, the one place both ways of
/// reading (a file at a time, or in blocks over several threads) apply the
/// rules: blank lines (spaces and tabs) are skipped, lines of spaces, tabs
/// and carriage returns are undecided (they count as NDJSON lines once the
/// file shows it is NDJSON: counted all, the first few kept for samples),
/// and the first significant line decides.
struct FormatDetector: LineConsumer {
    /// An undecided line kept for a sample, in as little as gives the same
    /// sample: its first `RejectDescription.textLimit` bytes and its length.
    /// Every byte of it is a space, a tab or a carriage return, all of them
    /// JSON whitespace, so past the sample's text its bytes change nothing
    /// (the line reads as malformed at its end either way): `bytes` gives
    /// the rest back as carriage returns.
    struct UndecidedLine {
        var number: Int
        private var head: [UInt8]
        private var length: Int

        init(number: Int, _ line: UnsafeRawBufferPointer) {
            self.number = number
            head = Array(line.prefix(RejectDescription.textLimit))
            length = line.count
        }

        var bytes: [UInt8] { head + repeatElement(0x0D, count: length - head.count) }
    }

    enum Format {
        /// The deciding line and the undecided lines kept before it are data.
        case ndjson
        /// The deciding line is this header (without its line end).
        case delimited(header: [UInt8])
        /// The first non-blank line was undecided (it holds a carriage
        /// return), and the first significant byte is no `{` or `[`: that
        /// line is the header, the undecided lines after it are rows (read
        /// by `rows`), and so is the deciding line.
        case delimitedFromFirstLine(UndecidedTable)
        /// A file-level error; no line is read.
        case damaged(FileDamage)
    }

    /// A file's first non-blank line when it is undecided, whole, with a
    /// scanner that reads the undecided lines after it as rows of the table
    /// it would head: the spec's header row is the first non-blank line,
    /// and a blank one holds only spaces and tabs, so a line of carriage
    /// returns heads the table when no `{` or `[` decides first.
    final class UndecidedTable {
        let header: [UInt8]
        var rows: LineScanner

        init(header: [UInt8], file: String, sampleLimit: Int) {
            self.header = header
            rows = LineScanner(file: file, store: EventStore(), sampleLimit: sampleLimit, header: header)
        }
    }

    private let fileName: String
    private let namedAsJSON: Bool
    /// Set by the first undecided line of a file not named as JSON (one so
    /// named is NDJSON when its first non-blank line heads no table).
    private(set) var undecidedTable: UndecidedTable?
    /// The format and the number of the line that decided it.
    private(set) var decision: (format: Format, line: Int)?
    /// Lines before the decision that are not blank (they hold a carriage
    /// return), the first `keptLineLimit` of them. An NDJSON file counts
    /// every one as a malformed line, and samples only the first few: the
    /// others need only be counted (`undecidedCount`), so that a file of a
    /// million such lines costs no memory.
    private(set) var undecidedLines: [UndecidedLine] = []
    /// All the lines before the decision that are not blank.
    private(set) var undecidedCount = 0
    private let keptLineLimit: Int

    /// - Parameter keptLineLimit: how many undecided lines to keep (the
    ///   reject samples per reason: the rest are never sampled).
    init(fileName: String, keptLineLimit: Int) {
        self.fileName = fileName
        namedAsJSON = FormatSniffing.isNamedAsJSON(fileName)
        self.keptLineLimit = keptLineLimit
    }

    /// Stops the framer right after the deciding line.
    var wantsLines: Bool { decision == nil }

    mutating func consume(line: UnsafeRawBufferPointer, number: Int) {
        guard decision == nil else { return }
        switch FormatSniffing.verdict(line, namedAsJSON: namedAsJSON) {
        case .undecided:
            // Spaces, tabs and at least one carriage return: no JSON
            // object, so a malformed line wherever it is counted.
            guard !TextCheck.isBlank(line) else { return }
            undecidedCount += 1
            if undecidedLines.count < keptLineLimit { undecidedLines.append(UndecidedLine(number: number, line)) }
            if let undecidedTable {
                undecidedTable.rows.consume(line: line, number: number)
            } else if undecidedCount == 1 && !namedAsJSON {
                undecidedTable = UndecidedTable(header: Array(line), file: fileName, sampleLimit: keptLineLimit)
            }
        case .ndjson:
            decision = (.ndjson, number)
        case .jsonArray:
            decision = (.damaged(FileDamage(.jsonArray)), number)
        case .malformedHeader where undecidedCount > 0, .header where undecidedCount > 0:
            // The first non-blank line came before this one: it heads the
            // table, or, in a file named as JSON, is no header (input 1.2).
            decision = undecidedTable.map { (.delimitedFromFirstLine($0), number) } ?? (.ndjson, number)
        case .malformedHeader:
            decision = (.damaged(FileDamage(.malformedHeader(line: number))), number)
        case .header:
            decision = (.delimited(header: Array(line)), number)
        }
    }

    /// The text after the last line end, dropped because damage cut it: it
    /// counts as no line, but when nothing came before it, its first byte
    /// still tells a JSON array (a property of the file's content).
    mutating func consumeDroppedTail(_ tail: UnsafeRawBufferPointer) {
        guard decision == nil, TextCheck.firstSignificantByte(tail) == UInt8(ascii: "[") else { return }
        decision = (.damaged(FileDamage(.jsonArray)), 0)
    }
}
