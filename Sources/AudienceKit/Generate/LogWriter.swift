/// Writes generated events as log files, messy on request, and keeps the
/// answer key: what each line is and which lines are copies.
struct LogWriter {
    struct File {
        var name: String
        var format: GeneratorSettings.Format
        var writer: GzipWriter
        var crlf: Bool
        var quality: FileQuality
        var linesSinceMember = 0
        var memberEvery: Int?
    }

    static let columns = Field.allCases.map(\.name)

    let world: World
    let settings: GeneratorSettings
    var files: [File] = []
    var duplicates = 0
    private var rate: Double { settings.messiness.rate }
    private var messy: Bool { settings.messiness != .none }

    init(world: World, settings: GeneratorSettings, folder: String, random: inout SeededRandom) throws(OutputError) {
        self.world = world
        self.settings = settings
        for index in 0..<max(1, settings.files) {
            let format: GeneratorSettings.Format
            if settings.format == .mixed {
                format = [GeneratorSettings.Format.jsonlGz, .csvGz, .tsvGz][index % 3]
            } else {
                format = settings.format
            }
            let name = "events-\(pad(index, 4)).\(format.rawValue)"
            let writer = try GzipWriter(path: folder + "/" + name, gzip: format.rawValue.hasSuffix(".gz"))
            var file = File(
                name: name, format: format, writer: writer, crlf: messy && random.chance(0.3),
                quality: FileQuality(file: "logs/" + name))
            if messy && random.chance(0.5) {
                writer.write([0xEF, 0xBB, 0xBF])
            }
            if messy && format.rawValue.hasSuffix(".gz") && random.chance(0.5) {
                file.memberEvery = random.int(500...5000)
            }
            if !format.rawValue.hasPrefix("jsonl") {
                writer.write(header(format))
                writer.write(file.crlf ? "\r\n" : "\n")
            }
            files.append(file)
        }
    }

    private func header(_ format: GeneratorSettings.Format) -> String {
        Self.columns.joined(separator: format.rawValue.hasPrefix("tsv") ? "\t" : ",")
    }

    /// Writes one day's events (in time order), mixing in trouble.
    mutating func write(_ events: [GeneratedEvent], random: inout SeededRandom) {
        var lines: [(file: Int, text: String)] = []
        for event in events {
            var file = Int(stableHash(event.session) % UInt64(files.count))
            if messy && random.chance(rate * 5) { file = random.int(0..<files.count) }  // views split across files
            if messy && random.chance(rate) {
                let (bad, reason) = brokenLine(event, file: file, random: &random)
                lines.append((file, bad))
                files[file].quality.lines += 1
                files[file].quality[reason] += 1
            }
            let text = line(event, file: file, random: &random)
            lines.append((file, text))
            files[file].quality.lines += 1
            files[file].quality.accepted += 1
            if messy && random.chance(rate * 2) {
                // A copy, in this file or another: the same key, so the same event.
                let copyFile = random.chance(0.5) ? file : random.int(0..<files.count)
                lines.append((copyFile, line(event, file: copyFile, random: &random)))
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
        for (file, text) in lines {
            files[file].writer.write(text)
            files[file].writer.write(files[file].crlf ? "\r\n" : "\n")
            files[file].linesSinceMember += 1
            if let every = files[file].memberEvery, files[file].linesSinceMember >= every {
                files[file].writer.startMember()
                files[file].linesSinceMember = 0
            }
        }
    }

    mutating func close() throws(OutputError) {
        for file in files { try file.writer.close() }
    }

    // MARK: - Lines

    /// The event's fields as text (nil when absent), in the field table's order.
    private func values(_ event: GeneratedEvent, random: inout SeededRandom) -> [String?] {
        let title = world.titles[event.title]
        let viewer = world.viewers[event.viewer]
        var country = viewer.country.code
        var device = event.device
        if messy && random.chance(rate * 5) { country = country.lowercased() }
        if messy && random.chance(rate * 5) { device = " " + device + " " }
        return [
            timestamp(event.ts, random: &random), event.kind.name, event.session, viewer.id, title.id,
            event.from.map(number), event.to.map(number), event.position.map(number), String(title.runtime),
            title.seriesID, title.season.map(String.init), title.episode.map(String.init),
            country, viewer.region, device, event.audio, event.subtitle,
            keepsEventID(event) ? event.eventID : nil,
        ]
    }

    private func line(_ event: GeneratedEvent, file: Int, random: inout SeededRandom) -> String {
        render(values(event, random: &random), format: files[file].format, random: &random)
    }

    /// Whether an event carries its `event_id`: decided by the id itself, so
    /// a copy makes the same choice and stays a duplicate of its original.
    private func keepsEventID(_ event: GeneratedEvent) -> Bool {
        !messy || stableHash(event.eventID) % 10 >= 3
    }

    private func render(_ fields: [String?], format: GeneratorSettings.Format, random: inout SeededRandom) -> String {
        if format.rawValue.hasPrefix("jsonl") {
            var parts: [String] = []
            for (index, value) in fields.enumerated() {
                guard let value else { continue }
                let field = Field.allCases[index]
                // Numbers bare, but now and then in a string; numeric timestamps either way.
                let numeric = field.kind == .number || (field == .ts && !value.contains("-"))
                let bare = numeric && Self.isJSONNumber(value) && !(messy && random.chance(field == .ts ? 0.5 : rate * 5))
                parts.append("\"\(field.name)\":" + (bare ? value : jsonString(value)))
            }
            if messy && random.chance(rate * 3) { parts.append(#""player":{"version":"5.2","cdn":["a","b"]}"#) }
            return "{" + parts.joined(separator: ",") + "}"
        }
        let tab = format.rawValue.hasPrefix("tsv")
        return fields.map { value in
            let text = value ?? ""
            return tab ? text : CSVTable.field(text)
        }.joined(separator: tab ? "\t" : ",")
    }

    /// A line with exactly one kind of trouble, and the reason it gets.
    private mutating func brokenLine(_ event: GeneratedEvent, file: Int, random: inout SeededRandom) -> (String, RejectReason) {
        var fields = values(event, random: &random)
        fields[Field.eventID.rawValue] = "x" + event.eventID
        let format = files[file].format
        let reason = random.pick(RejectReason.allCases)
        switch reason {
        case .ignoredEvent:
            fields[Field.event.rawValue] = "bitrate_change"
        case .malformed:
            let line = render(fields, format: format, random: &random)
            return (String(line.prefix(max(1, line.count / 2))) + (format.rawValue.hasPrefix("jsonl") ? "" : "\"x"), .malformed)
        case .missingField:
            fields[random.pick([Field.viewerID, .titleID, .sessionID, .ts]).rawValue] = nil
        case .badTimestamp:
            fields[Field.ts.rawValue] = random.pick(["2026-02-30T21:00:00Z", "yesterday", "2026-11-23 21:04:05", "1999-12-31T23:59:59Z"])
        case .badNumber:
            fields[Field.position.rawValue] = random.pick(["12 s", "NaN", "1,5", ".5"])
        case .badSegment:
            fields[Field.event.rawValue] = "progress"
            fields[Field.from.rawValue] = "60"
            fields[Field.to.rawValue] = "30"
        }
        return (render(fields, format: format, random: &random), reason)
    }

    // MARK: - Values

    private func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    /// ISO-8601 in UTC most of the time; messy logs also use offsets, Unix
    /// seconds and milliseconds, as numbers or strings. Every form names the
    /// same millisecond.
    private func timestamp(_ ms: Int64, random: inout SeededRandom) -> String {
        let form = messy ? random.int(0..<10) : 0
        switch form {
        case 7: return "\(ms / 1000).\(pad(Int(ms % 1000), 3))"
        case 8: return String(ms)
        case 9:
            let offset = random.pick([-300, 60, 330, 540])
            return iso(ms + Int64(offset) * 60_000, zone: offset)
        default: return iso(ms, zone: nil)
        }
    }

    private func iso(_ ms: Int64, zone: Int?) -> String {
        LocalTime.timestamp(localMilliseconds: ms, offsetMinutes: zone)
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

    private func jsonString(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C }) else { return "\"" + text + "\"" }
        var escaped = "\""
        for scalar in text.unicodeScalars {
            if scalar == "\"" || scalar == "\\" { escaped.append("\\") }
            escaped.unicodeScalars.append(scalar)
        }
        return escaped + "\""
    }
}

/// FNV-1a over the text's bytes: stable across runs and machines, unlike
/// `Hasher`.
func stableHash(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
    return hash
}
