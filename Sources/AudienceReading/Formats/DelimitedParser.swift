#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses CSV (RFC 4180, one record per line) and TSV (no quoting) lines
/// against the file's header.
///
/// A record must have exactly as many fields as the header. In CSV a field
/// is quoted only when its first byte is `"`; inside, `""` is a quote; the
/// closing quote must end the field. A quote anywhere else is broken quoting.
package struct DelimitedParser: ~Copyable {
    package let delimiter: UInt8
    /// The header's names, trimmed, in column order.
    package let columnNames: [[UInt8]]
    /// The field each column fills; a name given twice fills from its last column.
    private let columnFields: [Field?]
    private var scratch: UnsafeMutableRawBufferPointer

    var isTSV: Bool { delimiter == 0x09 }

    /// Reads the header line, which may be quoted like a record; nil when
    /// its quoting is broken.
    package init?(header: [UInt8]) {
        guard let layout = header.withUnsafeBytes({ Self.headerLayout($0) }) else { return nil }
        self.init(delimiter: layout.delimiter, names: layout.names)
    }

    private init(delimiter: UInt8, names: [[UInt8]]) {
        self.delimiter = delimiter
        scratch = .allocate(byteCount: 4096, alignment: 8)
        columnNames = names
        var fields = [Field?](repeating: nil, count: names.count)
        var seen = [Int?](repeating: nil, count: Field.allCases.count)
        for (column, name) in names.enumerated() {
            guard let field = name.withUnsafeBytes({ Field.named($0) }) else { continue }
            if let earlier = seen[field.rawValue] { fields[earlier] = nil }
            seen[field.rawValue] = column
            fields[column] = field
        }
        columnFields = fields
    }

    /// The delimiter (tab when the header holds one, else comma) and the
    /// trimmed column names; nil when the header's quoting is broken.
    package static func headerLayout(_ headerLine: UnsafeRawBufferPointer) -> (delimiter: UInt8, names: [[UInt8]])? {
        let delimiter: UInt8 = headerLine.contains(0x09) ? 0x09 : 0x2C
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, headerLine.count), alignment: 8)
        defer { scratch.deallocate() }
        var names: [[UInt8]] = []
        var broken = false
        _ = splitFields(headerLine, delimiter: delimiter, scratch: scratch) { _, bytes in
            names.append(Array(TextCheck.trimmed(bytes)))
        } onBrokenQuote: { _ in broken = true }
        return broken ? nil : (delimiter, names)
    }

    deinit { scratch.deallocate() }

    /// Fills `record` (reset first) from a data line; nil when well formed.
    /// The line must already be checked for UTF-8 and NUL bytes.
    package mutating func parse(_ line: UnsafeRawBufferPointer, into record: borrowing RawRecord) -> Malformation? {
        record.reset()
        if scratch.count < line.count {
            scratch.deallocate()
            scratch = .allocate(byteCount: max(line.count, scratch.count * 2), alignment: 8)
        }
        var brokenColumn: Int?
        let fields = columnFields
        let found = Self.splitFields(line, delimiter: delimiter, scratch: scratch) { column, bytes in
            if column < fields.count, let field = fields[column] {
                record[field] = RawValue(kind: .text, bytes: bytes)
            }
        } onBrokenQuote: { column in brokenColumn = column }
        if let brokenColumn { return .brokenQuoting(column: brokenColumn) }
        if found != fields.count { return .columnCount(found: found, expected: fields.count) }
        return nil
    }

    /// Splits `line` into fields, calling `onField(column, bytes)` for each,
    /// and returns the number of fields. Stops at the first broken quote.
    /// - Complexity: O(line length); `memchr` finds delimiters.
    @inline(__always)
    private static func splitFields(
        _ line: UnsafeRawBufferPointer,
        delimiter: UInt8,
        scratch: UnsafeMutableRawBufferPointer,
        onField: (Int, UnsafeRawBufferPointer) -> Void,
        onBrokenQuote: (Int) -> Void
    ) -> Int {
        guard let base = line.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            onField(0, line)
            return 1
        }
        let quoting = delimiter != 0x09
        let end = base + line.count
        var cursor = base
        var column = 0
        var scratchUsed = 0
        while true {
            if quoting && cursor < end && cursor.pointee == 0x22 {
                // Quoted field: copy it into scratch, turning `""` into `"`.
                guard let out = scratch.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return column }
                let start = scratchUsed
                cursor += 1
                var closed = false
                while cursor < end {
                    let byte = cursor.pointee
                    if byte == 0x22 {
                        if cursor + 1 < end && cursor[1] == 0x22 {
                            out[scratchUsed] = 0x22
                            scratchUsed += 1
                            cursor += 2
                            continue
                        }
                        closed = true
                        cursor += 1
                        break
                    }
                    out[scratchUsed] = byte
                    scratchUsed += 1
                    cursor += 1
                }
                // Unclosed, or text between the closing quote and the delimiter.
                guard closed, cursor == end || cursor.pointee == delimiter else {
                    onBrokenQuote(column)
                    return column + 1
                }
                onField(column, UnsafeRawBufferPointer(start: out + start, count: scratchUsed - start))
            } else {
                let next = memchr(cursor, Int32(delimiter), end - cursor)
                let fieldEnd: UnsafePointer<UInt8> = next.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) } ?? end
                let field = UnsafeRawBufferPointer(start: cursor, count: fieldEnd - cursor)
                if quoting && memchr(cursor, 0x22, fieldEnd - cursor) != nil {
                    onBrokenQuote(column)
                    return column + 1
                }
                onField(column, field)
                cursor = fieldEnd
            }
            column += 1
            if cursor == end { return column }
            cursor += 1  // the delimiter
        }
    }
}
