#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AudienceReading

/// The cleaned events (accepted, normalised, duplicates removed) as TSV, one
/// per line, sorted, for analysts who want to query them elsewhere and for
/// differential tests against other implementations.
///
/// Columns: the field table's order, with `ts` as Unix milliseconds; absent
/// values are empty. Tabs and line breaks inside text are written as `\t`,
/// `\n` and `\r`, backslashes as `\\`.
public enum EventExport {
    public static let header = [
        "session_id", "title_id", "event", "ts_ms", "from", "to", "position", "duration",
        "viewer_id", "series_id", "season", "episode", "country", "region", "device",
        "audio_lang", "subtitle_lang", "event_id",
    ]

    /// Whether the file at `path` starts with this export's header: an
    /// earlier run's export, which is output, never a log to read again.
    public static func isExport(at path: String) -> Bool {
        let expected = Array((header.joined(separator: "\t") + "\n").utf8)
        // Only a regular file: opening a pipe or a device could wait forever.
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var start = [UInt8](repeating: 0, count: expected.count)
        let count = start.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return count == expected.count && start == expected
    }

    public static func tsv(_ events: DeduplicatedEvents) -> String {
        let store = events.store
        var lines: [String] = []
        lines.reserveCapacity(events.kept.count)
        for index in events.kept {
            let event = store.events[Int(index)]
            let view = store.views[Int(event.view)]
            let a = store.attributes[Int(event.attributes)]
            let fields: [String] = [
                text(store.strings, view.session), text(store.strings, view.title), event.kind.name,
                String(event.timestamp), number(event.from), number(event.to), number(event.position),
                number(event.duration), text(store.strings, a.viewer), text(store.strings, a.series),
                a.season < 0 ? "" : String(a.season), a.episode < 0 ? "" : String(a.episode),
                text(store.strings, a.country), text(store.strings, a.region), text(store.strings, a.device),
                text(store.strings, a.audioLang), text(store.strings, a.subtitleLang),
                escaped(store.eventIDs.string(event.eventID)),
            ]
            lines.append(fields.joined(separator: "\t"))
        }
        lines.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return ([header.joined(separator: "\t")] + lines).joined(separator: "\n") + "\n"
    }

    private static func number(_ value: Double) -> String {
        value.isNaN ? "" : "\(value)"
    }

    private static func text(_ strings: ByteInterner, _ id: UInt32) -> String {
        escaped(strings.string(id))
    }

    private static func escaped(_ value: String) -> String {
        var result = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\t": result += "\\t"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\\": result += "\\\\"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
