import AudienceReading
import AudienceMetrics
import AudienceOutput

/// Writes generated events as log files, messy on request, and keeps the
/// answer key of the data-quality table: what each line is and which lines
/// are copies.
///
/// Lines are rendered straight into bytes (no `String` per value), because
/// writing is most of a run's work: a batch's lines go into one scratch
/// buffer, then to their files in order, so nothing is allocated per line.
struct LogWriter {
    struct File {
        var name: String
        var syntax: Syntax
        var writer: GzipWriter
        var crlf: Bool
        var quality: FileQuality
        var linesSinceMember = 0
        var memberEvery: Int?
        /// This batch's bytes for the file, handed to the writer at its end.
        var pending: [UInt8] = []
    }

    enum Syntax { case json, csv, tsv }

    let world: World
    let settings: GeneratorSettings
    var files: [File] = []
    var duplicates = 0
    private let rate: Double
    private let messy: Bool
    /// Each value once as bytes: ids, codes and names.
    private let titleIDs: [[UInt8]], seriesIDs: [[UInt8]?], seasons: [[UInt8]?], episodes: [[UInt8]?],
                durations: [[UInt8]]
    private let countryCodes: [[UInt8]], lowerCountryCodes: [[UInt8]], regions: [[[UInt8]]]
    private let devices: [[UInt8]], languages: [[UInt8]]
    private static let kinds = EventKind.allCases.map { Array($0.name.utf8) }
    /// "YYYY-MM-DD" of each day met so far.
    private var dayTexts: [Int: [UInt8]] = [:]
    /// This batch's lines: which file, and where in `scratch` its bytes are.
    private var lines: [(file: Int, range: Range<Int>)] = []
    private var scratch: [UInt8] = []

    init(world: World, settings: GeneratorSettings, folder: String, random: inout SeededRandom) throws(OutputError) {
        self.world = world
        self.settings = settings
        rate = settings.messiness.rate
        messy = settings.messiness != .none
        func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
        titleIDs = world.titles.map { bytes($0.id) }
        seriesIDs = world.titles.map { $0.seriesID.map(bytes) }
        seasons = world.titles.map { $0.season.map { bytes(String($0)) } }
        episodes = world.titles.map { $0.episode.map { bytes(String($0)) } }
        durations = world.titles.map { bytes(String($0.runtime)) }
        countryCodes = World.countries.map { bytes($0.code) }
        lowerCountryCodes = World.countries.map { bytes($0.code.lowercased()) }
        regions = World.countries.map { $0.regions.map { bytes($0.code) } }
        devices = World.devices.map(bytes)
        languages = World.languages.map(bytes)
        for index in 0..<settings.files {
            let format: GeneratorSettings.Format
            if settings.format == .mixed {
                format = [GeneratorSettings.Format.jsonlGz, .csvGz, .tsvGz][index % 3]
            } else {
                format = settings.format
            }
            let name = "events-\(pad(index, 4)).\(format.rawValue)"
            let writer = try GzipWriter(path: folder + "/" + name, gzip: format.rawValue.hasSuffix(".gz"))
            let syntax: Syntax = format.rawValue.hasPrefix("jsonl") ? .json : format.rawValue.hasPrefix("tsv") ? .tsv : .csv
            var file = File(
                name: name, syntax: syntax, writer: writer, crlf: messy && random.chance(0.3),
                quality: FileQuality(file: "logs/" + name))
            if messy && random.chance(0.5) {
                writer.write([0xEF, 0xBB, 0xBF])
            }
            if messy && format.rawValue.hasSuffix(".gz") && random.chance(0.5) {
                file.memberEvery = random.int(500...5000)
            }
            if syntax != .json {
                writer.write(Field.allCases.map(\.name).joined(separator: syntax == .tsv ? "\t" : ","))
                writer.write(file.crlf ? "\r\n" : "\n")
            }
            files.append(file)
        }
    }

    /// Writes one batch of events (in time order), mixing in trouble.
    mutating func write(_ events: [GeneratedEvent], random: inout SeededRandom) {
        scratch.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
        for event in events {
            var file = Int(splitMix(UInt64(event.session)) % UInt64(files.count))
            if messy && random.chance(rate * 5) { file = random.int(0..<files.count) }  // views split across files
            if messy && random.chance(rate) {
                let reason = appendBrokenLine(event, file: file, random: &random)
                files[file].quality.lines += 1
                files[file].quality[reason] += 1
            }
            appendLine(event, file: file, random: &random)
            files[file].quality.lines += 1
            files[file].quality.accepted += 1
            if messy && random.chance(rate * 2) {
                // A copy, in this file or another: the same key, so the same event.
                let copyFile = random.chance(0.5) ? file : random.int(0..<files.count)
                appendLine(event, file: copyFile, random: &random)
                files[copyFile].quality.lines += 1
                files[copyFile].quality.accepted += 1
                duplicates += 1
            }
        }
        if messy {
            // Lines out of order: small windows shuffled.
            var start = 0
            while start < lines.count {
                let end = min(lines.count, start + 16)
                if random.chance(rate * 20) {
                    for index in stride(from: end - 1, to: start, by: -1) {
                        lines.swapAt(index, start + random.int(0...(index - start)))
                    }
                }
                start = end
            }
        }
        for (file, range) in lines {
            files[file].pending.append(contentsOf: scratch[range])
            if files[file].crlf { files[file].pending.append(0x0D) }
            files[file].pending.append(0x0A)
            files[file].linesSinceMember += 1
            if let every = files[file].memberEvery, files[file].linesSinceMember >= every {
                handOver(file)
                files[file].writer.startMember()
                files[file].linesSinceMember = 0
            }
        }
        for file in files.indices { handOver(file) }
    }

    private mutating func handOver(_ file: Int) {
        guard !files[file].pending.isEmpty else { return }
        files[file].writer.write(files[file].pending)
        files[file].pending.removeAll(keepingCapacity: true)
    }

    mutating func close() throws(OutputError) {
        for file in files { try file.writer.close() }
    }

    // MARK: - Lines

    /// Appends one well-formed line for the event to `scratch`.
    private mutating func appendLine(_ event: GeneratedEvent, file: Int, random: inout SeededRandom) {
        let start = scratch.count
        appendFields(event, syntax: files[file].syntax, broken: nil, random: &random)
        lines.append((file, start..<scratch.count))
    }

    /// A change that gives a line exactly one problem.
    private enum Breakage {
        /// The field gets this text, or is left out when nil.
        case replace(Field, String?)
        /// A `progress` from 60 to 30.
        case backwards
    }

    /// Appends a line with exactly one kind of trouble; returns the reason it gets.
    private mutating func appendBrokenLine(_ event: GeneratedEvent, file: Int, random: inout SeededRandom) -> SkipReason {
        let syntax = files[file].syntax
        let reason = random.pick(SkipReason.allCases)
        let breakage: Breakage
        switch reason {
        case .ignoredEvent:
            breakage = .replace(.event, "bitrate_change")
        case .malformed:
            let start = scratch.count
            appendFields(event, syntax: syntax, broken: .replace(.eventID, nil), random: &random)
            // Cut in half; in CSV and TSV, an unclosed quote besides.
            scratch.removeSubrange((start + max(1, (scratch.count - start) / 2))...)
            if syntax != .json { scratch.append(contentsOf: [0x22, 0x78]) }
            lines.append((file, start..<scratch.count))
            return .malformed
        case .missingField:
            breakage = .replace(random.pick([Field.viewerID, .titleID, .sessionID, .ts]), nil)
        case .badTimestamp:
            breakage = .replace(.ts, random.pick(["2026-02-30T21:00:00Z", "yesterday", "2026-11-23 21:04:05", "1999-12-31T23:59:59Z"]))
        case .badNumber:
            breakage = .replace(.position, random.pick(["12 s", "NaN", "1,5", ".5"]))
        case .badSegment:
            breakage = .backwards
        }
        let start = scratch.count
        appendFields(event, syntax: syntax, broken: breakage, random: &random)
        lines.append((file, start..<scratch.count))
        return reason
    }

    /// The event's fields in the field table's order, as NDJSON, CSV or TSV.
    /// A broken line carries `x` before its `event_id`, so it never meets
    /// its event as a duplicate.
    private mutating func appendFields(
        _ event: GeneratedEvent, syntax: Syntax, broken: Breakage?, random: inout SeededRandom
    ) {
        var writer = FieldWriter(syntax: syntax, messy: messy, rate: rate)
        writer.begin(&scratch)
        let title = Int(event.title)
        for field in Field.allCases {
            var replacement: String??
            var kind = event.kind
            var from = event.from, to = event.to
            switch broken {
            case .replace(let target, let text) where target == field: replacement = .some(text)
            case .backwards:
                kind = .progress
                from = 600
                to = 300
            default: break
            }
            if let replacement {
                writer.text(field, replacement, into: &scratch, random: &random)
                continue
            }
            switch field {
            case .ts: appendTimestamp(event.ts, writer: &writer, random: &random)
            case .event: writer.value(field, Self.kinds[Int(kind.rawValue)], number: false, into: &scratch, random: &random)
            case .sessionID: writer.id(field, prefix: 0x73, event.session, width: 8, into: &scratch)
            case .viewerID: writer.id(field, prefix: 0x76, Int(event.viewer) + 1, width: 6, into: &scratch)
            case .titleID: writer.value(field, titleIDs[title], number: false, into: &scratch, random: &random)
            case .from: writer.tenths(field, from, into: &scratch, random: &random)
            case .to: writer.tenths(field, to, into: &scratch, random: &random)
            case .position: writer.tenths(field, event.position, into: &scratch, random: &random)
            case .duration: writer.value(field, durations[title], number: true, into: &scratch, random: &random)
            case .seriesID: writer.optional(field, seriesIDs[title], number: false, into: &scratch, random: &random)
            case .season: writer.optional(field, seasons[title], number: true, into: &scratch, random: &random)
            case .episode: writer.optional(field, episodes[title], number: true, into: &scratch, random: &random)
            case .country:
                let lower = messy && random.chance(rate * 5)
                let codes = lower ? lowerCountryCodes : countryCodes
                writer.value(field, codes[Int(event.country)], number: false, into: &scratch, random: &random)
            case .region:
                writer.value(field, regions[Int(event.country)][Int(event.region)], number: false, into: &scratch, random: &random)
            case .device:
                let device = devices[Int(event.device)]
                if messy && random.chance(rate * 5) {
                    writer.value(field, [0x20] + device + [0x20], number: false, into: &scratch, random: &random)
                } else {
                    writer.value(field, device, number: false, into: &scratch, random: &random)
                }
            case .audioLang: writer.value(field, languages[Int(event.audio)], number: false, into: &scratch, random: &random)
            case .subtitleLang:
                let off: [UInt8] = [0x6F, 0x66, 0x66]
                let subtitle = event.subtitle == GeneratedEvent.subtitlesOff ? off : languages[Int(event.subtitle)]
                writer.value(field, subtitle, number: false, into: &scratch, random: &random)
            case .eventID:
                if broken != nil {
                    writer.id(field, prefix: 0x78, event.id, width: 10, into: &scratch)  // "x…"
                } else if keepsEventID(event) {
                    writer.id(field, prefix: 0x65, event.id, width: 10, into: &scratch)  // "e…"
                } else {
                    writer.absent(field, into: &scratch)
                }
            }
        }
        if syntax == .json && messy && random.chance(rate * 3) {
            scratch.append(contentsOf: #","player":{"version":"5.2","cdn":["a","b"]}"#.utf8)
        }
        writer.end(&scratch)
    }

    /// Whether an event carries its `event_id`: decided by the id itself, so
    /// a copy makes the same choice and stays a duplicate of its original.
    private func keepsEventID(_ event: GeneratedEvent) -> Bool {
        !messy || splitMix(UInt64(event.id)) % 10 >= 3
    }

    /// ISO-8601 in UTC most of the time; messy logs also use offsets, Unix
    /// seconds and milliseconds, as numbers or strings. Every form names the
    /// same millisecond.
    private mutating func appendTimestamp(_ ms: Int64, writer: inout FieldWriter, random: inout SeededRandom) {
        let form = messy ? random.int(0..<10) : 0
        let numeric = form == 7 || form == 8
        let quoted = writer.open(.ts, number: numeric, into: &scratch, random: &random, stringChance: 0.5)
        switch form {
        case 7:
            appendDigits(Int(ms / 1000), width: 1, to: &scratch)
            scratch.append(0x2E)
            appendDigits(Int(ms % 1000), width: 3, to: &scratch)
        case 8:
            appendDigits(Int(ms), width: 1, to: &scratch)
        case 9:
            let offset = random.pick([-300, 60, 330, 540])
            appendISO(ms + Int64(offset) * 60_000, zone: offset)
        default:
            appendISO(ms, zone: nil)
        }
        writer.close(quoted, into: &scratch)
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmm` then `Z` or `±hh:mm`.
    private mutating func appendISO(_ localMilliseconds: Int64, zone: Int?) {
        let day = Int(localMilliseconds.floorDivided(by: 86_400_000))
        let withinDay = Int(localMilliseconds - Int64(day) * 86_400_000)
        if let known = dayTexts[day] {
            scratch.append(contentsOf: known)
        } else {
            let date = Array(LocalTime.dayString(day).utf8)
            dayTexts[day] = date
            scratch.append(contentsOf: date)
        }
        let seconds = withinDay / 1000
        scratch.append(0x54)  // T
        appendDigits(seconds / 3600, width: 2, to: &scratch)
        scratch.append(0x3A)
        appendDigits(seconds / 60 % 60, width: 2, to: &scratch)
        scratch.append(0x3A)
        appendDigits(seconds % 60, width: 2, to: &scratch)
        scratch.append(0x2E)
        appendDigits(withinDay % 1000, width: 3, to: &scratch)
        if let zone {
            scratch.append(zone < 0 ? 0x2D : 0x2B)
            appendDigits(abs(zone) / 60, width: 2, to: &scratch)
            scratch.append(0x3A)
            appendDigits(abs(zone) % 60, width: 2, to: &scratch)
        } else {
            scratch.append(0x5A)  // Z
        }
    }

    /// JSON's number grammar, so only real numbers are written bare.
    static func isJSONNumber(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        func digits() -> Int {
            let count = bytes.prefix { $0 >= 0x30 && $0 <= 0x39 }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        if bytes.first == 0x2D { bytes = bytes.dropFirst() }
        if bytes.first == 0x30 { bytes = bytes.dropFirst() } else if digits() == 0 { return false }
        if bytes.first == 0x2E {
            bytes = bytes.dropFirst()
            if digits() == 0 { return false }
        }
        if bytes.first == 0x65 || bytes.first == 0x45 {
            bytes = bytes.dropFirst()
            if bytes.first == 0x2B || bytes.first == 0x2D { bytes = bytes.dropFirst() }
            if digits() == 0 { return false }
        }
        return bytes.isEmpty
    }
}

/// Appends one line's fields in the syntax of its file: `"key":value` pairs
/// in NDJSON (absent fields left out), or every column in CSV and TSV
/// (absent ones empty).
struct FieldWriter {
    let syntax: LogWriter.Syntax
    let messy: Bool
    let rate: Double
    private var first = true

    init(syntax: LogWriter.Syntax, messy: Bool, rate: Double) {
        self.syntax = syntax
        self.messy = messy
        self.rate = rate
    }

    func begin(_ out: inout [UInt8]) {
        if syntax == .json { out.append(0x7B) }
    }

    func end(_ out: inout [UInt8]) {
        if syntax == .json { out.append(0x7D) }
    }

    private static let jsonKeys = Field.allCases.map { Array("\"\($0.name)\":".utf8) }

    /// The separator and, in NDJSON, the key.
    private mutating func open(_ field: Field, into out: inout [UInt8]) {
        switch syntax {
        case .json:
            if !first { out.append(0x2C) }
            out.append(contentsOf: Self.jsonKeys[field.rawValue])
        case .csv:
            if !first { out.append(0x2C) }
        case .tsv:
            if !first { out.append(0x09) }
        }
        first = false
    }

    mutating func absent(_ field: Field, into out: inout [UInt8]) {
        if syntax != .json { open(field, into: &out) }
    }

    /// A value that needs no quoting in CSV and no escaping in JSON. A number
    /// is bare in NDJSON, but now and then, in messy logs, a string.
    mutating func value(
        _ field: Field, _ bytes: [UInt8], number: Bool, into out: inout [UInt8], random: inout SeededRandom
    ) {
        let quoted = open(field, number: number, into: &out, random: &random)
        out.append(contentsOf: bytes)
        close(quoted, into: &out)
    }

    /// Starts a value whose bytes the caller appends; returns whether it is
    /// quoted (hand that to `close`).
    mutating func open(
        _ field: Field, number: Bool, into out: inout [UInt8], random: inout SeededRandom, stringChance: Double? = nil
    ) -> Bool {
        open(field, into: &out)
        guard syntax == .json else { return false }
        let quoted = !number || (messy && random.chance(stringChance ?? rate * 5))
        if quoted { out.append(0x22) }
        return quoted
    }

    func close(_ quoted: Bool, into out: inout [UInt8]) {
        if quoted { out.append(0x22) }
    }

    mutating func optional(
        _ field: Field, _ bytes: [UInt8]?, number: Bool, into out: inout [UInt8], random: inout SeededRandom
    ) {
        if let bytes { value(field, bytes, number: number, into: &out, random: &random) } else { absent(field, into: &out) }
    }

    /// A position in tenths of a second as a decimal (`12`, `12.5`); absent when negative.
    mutating func tenths(_ field: Field, _ tenths: Int32, into out: inout [UInt8], random: inout SeededRandom) {
        guard tenths >= 0 else { return absent(field, into: &out) }
        let quoted = open(field, number: true, into: &out, random: &random)
        appendDigits(Int(tenths / 10), width: 1, to: &out)
        if tenths % 10 != 0 {
            out.append(0x2E)
            out.append(0x30 + UInt8(tenths % 10))
        }
        close(quoted, into: &out)
    }

    /// An id: a letter, then the number padded to `width` digits.
    mutating func id(_ field: Field, prefix: UInt8, _ number: Int, width: Int, into out: inout [UInt8]) {
        open(field, into: &out)
        if syntax == .json { out.append(0x22) }
        out.append(prefix)
        appendDigits(number, width: width, to: &out)
        if syntax == .json { out.append(0x22) }
    }

    /// Arbitrary text (a broken line's value), quoted and escaped as its
    /// syntax needs; nil leaves the field out.
    mutating func text(_ field: Field, _ text: String?, into out: inout [UInt8], random: inout SeededRandom) {
        guard let text else { return absent(field, into: &out) }
        open(field, into: &out)
        switch syntax {
        case .json:
            let numeric = field.kind == .number || (field == .ts && !text.contains("-"))
            if numeric && LogWriter.isJSONNumber(text) {
                out.append(contentsOf: text.utf8)
            } else {
                out.append(0x22)
                for byte in text.utf8 {
                    if byte == 0x22 || byte == 0x5C { out.append(0x5C) }
                    out.append(byte)
                }
                out.append(0x22)
            }
        case .csv: out.append(contentsOf: CSVTable.field(text).utf8)
        case .tsv: out.append(contentsOf: text.utf8)
        }
    }
}

/// `value` in decimal, zero-padded on the left to `width` digits.
/// - Precondition: `value >= 0`.
func appendDigits(_ value: Int, width: Int, to out: inout [UInt8]) {
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                 UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var count = 0
    var rest = max(0, value)
    withUnsafeMutableBytes(of: &digits) { buffer in
        repeat {
            buffer[count] = 0x30 + UInt8(rest % 10)
            rest /= 10
            count += 1
        } while rest > 0
        while count < min(width, buffer.count) {
            buffer[count] = 0x30
            count += 1
        }
        for index in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[index]) }
    }
}

/// A 64-bit mix (SplitMix64's finaliser): spreads sessions over files and
/// decides which events keep their id, the same on every machine.
func splitMix(_ value: UInt64) -> UInt64 {
    var z = value &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
