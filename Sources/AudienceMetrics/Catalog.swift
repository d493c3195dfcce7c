import Foundation
import AudienceCore
import AudienceReading

/// What a catalog says about one title. Absent fields are nil.
public struct CatalogEntry: Sendable, Equatable {
    public var titleID: String
    public var runtime: Double
    public var name: String?
    public var seriesID: String?
    public var seriesName: String?
    public var season: Int32?
    public var episode: Int32?
    public var originalLanguage: String?
    public var genre: String?
    public var releaseDate: String?
}

/// A problem with the catalog file: a usage error that names the line.
public struct CatalogError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var message: String

    public var description: String {
        if let line { return "catalog \(path), line \(line): \(message)" }
        return "catalog \(path): \(message)"
    }
}

/// The optional title catalog: full RFC 4180 CSV with a header (a quoted
/// field may hold commas, quotes and line breaks). `title_id` and
/// `runtime_s` are required columns.
public struct Catalog: Sendable {
    /// By `title_id`, compared as bytes.
    public private(set) var entries: [ByteString: CatalogEntry] = [:]
    /// Titles in file order.
    public private(set) var order: [String] = []
    /// The file's bytes as read: a reduce step records them in its partial
    /// result, so that the merge describes titles exactly as it did.
    public let source: [UInt8]

    public init(path: String) throws(CatalogError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CatalogError(path: path, line: nil, message: "cannot be read")
        }
        try self.init(bytes: Array(data), path: path)
    }

    public init(bytes: [UInt8], path: String) throws(CatalogError) {
        source = bytes
        let content = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        if let problem = content.withUnsafeBytes({ TextCheck.firstProblem(in: $0) }) {
            let offset: Int
            switch problem {
            case .invalidUTF8(let at), .nulByte(let at): offset = at
            default: offset = 0
            }
            let line = content[0..<offset].filter { $0 == 0x0A }.count + 1
            throw CatalogError(path: path, line: line, message: "is not valid UTF-8 text")
        }
        var records: [(line: Int, fields: [String])]
        switch Self.records(content) {
        case .failure(let problem): throw CatalogError(path: path, line: problem.line, message: problem.message)
        case .success(let parsed): records = parsed
        }
        records.removeAll { $0.fields.count == 1 && $0.fields[0].utf8.allSatisfy(TextCheck.isSpaceOrTab) }
        guard let header = records.first else {
            throw CatalogError(path: path, line: nil, message: "is empty; it needs a header with title_id and runtime_s")
        }
        if let short = records.first(where: { $0.fields.count != header.fields.count }) {
            throw CatalogError(
                path: path, line: short.line,
                message: "has \(short.fields.count) fields where the header has \(header.fields.count)")
        }
        var columns: [String: Int] = [:]
        for (index, name) in header.fields.enumerated() {
            columns[name.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))] = index
        }
        for required in ["title_id", "runtime_s"] where columns[required] == nil {
            throw CatalogError(path: path, line: header.line, message: "has no \(required) column")
        }
        for record in records.dropFirst() {
            func value(_ column: String) -> String? {
                guard let index = columns[column], index < record.fields.count else { return nil }
                let text = record.fields[index].trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
                return text.isEmpty ? nil : text
            }
            func fail(_ message: String) -> CatalogError {
                CatalogError(path: path, line: record.line, message: message)
            }
            guard let titleID = value("title_id") else { throw fail("title_id is empty") }
            guard entries[ByteString(titleID)] == nil else { throw fail("title_id \(titleID) is given again") }
            let runtimeText = value("runtime_s") ?? ""
            let runtime = Array(runtimeText.utf8).withUnsafeBytes { bytes in
                DecimalNumber(bytes).map(\.doubleValue)
            }
            guard let runtime, runtime.isFinite, runtime > 0 else {
                throw fail("runtime_s '\(runtimeText)' is not a finite number > 0")
            }
            func whole(_ column: String) throws(CatalogError) -> Int32? {
                guard let text = value(column) else { return nil }
                let number = Array(text.utf8).withUnsafeBytes { DecimalNumber($0).map(\.doubleValue) }
                guard let number, number >= 0, number <= 2_147_483_647, number == number.rounded(.towardZero) else {
                    throw fail("\(column) '\(text)' is not a whole number")
                }
                return Int32(number)
            }
            entries[ByteString(titleID)] = CatalogEntry(
                titleID: titleID, runtime: runtime, name: value("title_name"),
                seriesID: value("series_id"), seriesName: value("series_name"),
                season: try whole("season"), episode: try whole("episode"),
                originalLanguage: value("original_language"), genre: value("genre"),
                releaseDate: value("release_date"))
            order.append(titleID)
        }
    }

    struct SyntaxProblem: Error {
        var line: Int
        package var message: String
    }

    /// Splits RFC 4180 text into records, each with the line it starts on.
    /// A quoted field may hold commas, quotes (doubled) and line breaks; a
    /// quote anywhere else, text after a closing quote or a quote never
    /// closed is an error naming the line.
    static func records(_ bytes: [UInt8]) -> Result<[(line: Int, fields: [String])], SyntaxProblem> {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var quoted = false
        var closedQuote = false
        var fieldStarted = false
        var index = 0
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll()
            closedQuote = false
            fieldStarted = false
        }
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == 0x22 {
                    if index + 1 < bytes.count && bytes[index + 1] == 0x22 {
                        field.append(0x22)
                        index += 1
                    } else {
                        quoted = false
                        closedQuote = true
                    }
                } else {
                    if byte == 0x0A { line += 1 }
                    field.append(byte)
                }
            } else if byte == 0x2C {
                endField()
            } else if byte == 0x0A {
                if !closedQuote, field.last == 0x0D { field.removeLast() }
                endField()
                records.append((recordLine, fields))
                fields = []
                line += 1
                recordLine = line
            } else if closedQuote {
                if byte == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A {
                    index += 1
                    continue
                }
                return .failure(SyntaxProblem(line: line, message: "text after a closing quote"))
            } else if byte == 0x22 {
                guard !fieldStarted else {
                    return .failure(SyntaxProblem(line: line, message: "a quote inside an unquoted field"))
                }
                quoted = true
                fieldStarted = true
            } else {
                field.append(byte)
                fieldStarted = true
            }
            index += 1
        }
        if quoted { return .failure(SyntaxProblem(line: recordLine, message: "a quote that is never closed")) }
        if fieldStarted || closedQuote || !fields.isEmpty {
            if !closedQuote, field.last == 0x0D { field.removeLast() }
            endField()
            records.append((recordLine, fields))
        }
        return .success(records)
    }
}
