import AudienceCore
/// A file-level problem: the file's reading stopped (or never started) here.
///
/// The lines read before it still count; `keepsPartialLine` says whether the
/// text after the last line end before the damage counts as a line too.
public struct FileDamage: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The file could not be opened or read (permissions, a folder, EIO).
        case unreadable(errno: Int32)
        /// A folder (an input, or inside one) that could not be listed.
        case unlistableFolder(errno: Int32)
        /// A device or socket named as input: never a log, and endless.
        case notAFile(String)
        /// A gzip member ended before its trailer.
        case truncatedMember
        /// zlib rejected a member's data, header or trailer (CRC, length).
        case corruptMember(reason: String)
        /// Bytes after the last complete member that do not start another one.
        case trailingBytes
        /// The content is a JSON array, which NDJSON is not.
        case jsonArray
        /// The CSV/TSV header row cannot be read (broken quoting, a NUL
        /// byte, invalid UTF-8), so no row can be.
        case malformedHeader(line: Int)
        /// A file's error as a store recorded it when the file was
        /// ingested: only its description is kept.
        case recorded(String)
    }

    public var kind: Kind
    /// Offset in the file as stored (compressed bytes for gzip) where the
    /// damaged member or the trailing bytes start.
    public var byteOffset: Int64?

    public init(_ kind: Kind, at byteOffset: Int64? = nil) {
        self.kind = kind
        self.byteOffset = byteOffset
    }

    /// Trailing bytes follow complete members, so their last line is whole.
    public var keepsPartialLine: Bool { kind == .trailingBytes }

    public var description: String {
        let offset = byteOffset.map(String.init) ?? "?"
        switch kind {
        case .unreadable(let code):
            return "cannot read file: \(SystemError.describe(code))"
        case .unlistableFolder(let code):
            return "cannot list folder: \(SystemError.describe(code))"
        case .notAFile(let what):
            return "not a file but \(what)"
        case .truncatedMember:
            return "truncated gzip member starting at byte \(offset)"
        case .corruptMember(let reason):
            return "corrupt gzip member starting at byte \(offset) (\(reason))"
        case .trailingBytes:
            return "trailing bytes after the last gzip member at byte \(offset)"
        case .jsonArray:
            return "JSON array, not NDJSON"
        case .malformedHeader(let line):
            return "malformed header row (line \(line))"
        case .recorded(let description):
            return description
        }
    }
}
