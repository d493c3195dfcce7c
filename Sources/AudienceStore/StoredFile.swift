import AudienceCore
import AudienceReading
import AudienceMetrics

/// One version of one input file as a segment holds it: its identity, its
/// row of `quality.csv` and how many accepted events it stored.
public struct StoredFile: Sendable, Equatable {
    /// The `file` value of `quality.csv`.
    public var name: String
    /// SHA-256 of the file's bytes as read (compressed bytes for gzip).
    public var digest: [UInt8]
    public var quality: FileQuality
    /// Accepted events stored (duplicates included: they are only known
    /// across files).
    public var events: Int
    /// Per title of its events, the facts of all of them, duplicates not
    /// removed: a report's first guess at each title's runtime, checked
    /// against the facts of the kept events (`StoreViews`).
    var titles: [ByteString: TitleFacts] = [:]

    public init(name: String, digest: [UInt8], quality: FileQuality, events: Int) {
        self.name = name
        self.digest = digest
        self.quality = quality
        self.events = events
    }

    public static func == (a: StoredFile, b: StoredFile) -> Bool {
        a.name.sameBytes(b.name) && a.digest == b.digest && a.quality == b.quality && a.events == b.events
    }
}

/// Why a segment cannot be read.
public enum SegmentDamage: Error, Sendable, Equatable, CustomStringConvertible {
    case missing
    case unreadable(errno: Int32)
    /// Shorter than its own description says, or without its end marker.
    case cut
    case checksumMismatch(String)
    /// The checksums hold but the content does not decode: written wrong.
    case undecodable(String)
    case newerFormat(Int)

    public var description: String {
        switch self {
        case .missing: "the file is missing"
        case .unreadable(let code): "cannot read it: \(SystemError.describe(code))"
        case .cut: "the file is cut short"
        case .checksumMismatch(let part): "the checksum of its \(part) does not match"
        case .undecodable(let part): "its \(part) does not decode"
        case .newerFormat(let version): "it has store format \(version), newer than this audience reads (\(StoreFormat.version))"
        }
    }
}
