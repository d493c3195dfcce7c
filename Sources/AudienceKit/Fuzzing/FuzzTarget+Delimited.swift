import AudienceReading

extension FuzzTarget {
    /// A CSV or TSV file: the whole-file checks, then every data line's
    /// verdict (broken quoting, column count) against `ReferenceSplitter`.
    static func checkDelimited(_ bytes: [UInt8]) -> String? {
        if let problem = checkFile(bytes, name: "fuzz.csv") { return problem }
        let lines = Lines(bytes).all
        guard let first = lines.firstIndex(where: { $0.withUnsafeBytes { FormatSniffing.verdict($0, namedAsJSON: false) } != .undecided }),
              var parser = DelimitedParser(header: lines[first])
        else { return nil }
        let reference = ReferenceSplitter(delimiter: parser.delimiter)
        let expectedColumns = reference.split(lines[first]).columns
        if expectedColumns != parser.columnNames.count {
            return "header has \(parser.columnNames.count) columns, the reference finds \(expectedColumns)"
        }
        let record = RawRecord()
        for line in lines[(first + 1)...] {
            let found = line.withUnsafeBytes { parser.parse($0, into: record) }
            let split = reference.split(line)
            let expected: Malformation? = split.brokenColumn.map { .brokenQuoting(column: $0) }
                ?? (split.columns == expectedColumns ? nil : .columnCount(found: split.columns, expected: expectedColumns))
            if found != expected {
                return "line \(line) parsed as \(String(describing: found)), the reference says \(String(describing: expected))"
            }
        }
        return nil
    }
}

/// RFC 4180 on one line, the slow and obvious way: a field is quoted when
/// its first byte is `"` (CSV only), `""` inside stands for a quote, and the
/// closing quote must end the field; a quote anywhere else breaks the line.
struct ReferenceSplitter {
    let delimiter: UInt8

    func split(_ line: [UInt8]) -> (columns: Int, brokenColumn: Int?) {
        let quoting = delimiter != 0x09
        var column = 0
        var index = 0
        while true {
            if quoting && index < line.count && line[index] == 0x22 {
                index += 1
                var closed = false
                while index < line.count {
                    if line[index] == 0x22 {
                        if index + 1 < line.count && line[index + 1] == 0x22 {
                            index += 2
                            continue
                        }
                        closed = true
                        index += 1
                        break
                    }
                    index += 1
                }
                if !closed || (index < line.count && line[index] != delimiter) { return (column + 1, column) }
            } else {
                while index < line.count && line[index] != delimiter {
                    if quoting && line[index] == 0x22 { return (column + 1, column) }
                    index += 1
                }
            }
            column += 1
            if index == line.count { return (column, nil) }
            index += 1
        }
    }
}
