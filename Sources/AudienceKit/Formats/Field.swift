/// The fields of a viewing event, in the order of the spec's field table.
/// That order decides which absent field a message names first and which
/// duplicate copy is kept.
public enum Field: Int, CaseIterable, Sendable {
    case ts, event, sessionID, viewerID, titleID
    case from, to, position, duration
    case seriesID, season, episode
    case country, region, device, audioLang, subtitleLang
    case eventID

    /// The JSON key and CSV/TSV column name.
    public var name: String {
        switch self {
        case .ts: "ts"
        case .event: "event"
        case .sessionID: "session_id"
        case .viewerID: "viewer_id"
        case .titleID: "title_id"
        case .from: "from"
        case .to: "to"
        case .position: "position"
        case .duration: "duration"
        case .seriesID: "series_id"
        case .season: "season"
        case .episode: "episode"
        case .country: "country"
        case .region: "region"
        case .device: "device"
        case .audioLang: "audio_lang"
        case .subtitleLang: "subtitle_lang"
        case .eventID: "event_id"
        }
    }

    public enum Kind: Sendable { case timestamp, text, number }

    public var kind: Kind {
        switch self {
        case .ts: .timestamp
        case .from, .to, .position, .duration, .season, .episode: .number
        default: .text
        }
    }

    static let required: [Field] = [.ts, .event, .sessionID, .viewerID, .titleID]

    /// The field a key or column names, comparing bytes exactly.
    /// - Complexity: O(key length); no allocation.
    static func named(_ key: UnsafeRawBufferPointer) -> Field? {
        // Dispatch on length and first byte first: most keys fail there.
        switch key.count {
        case 2: return key[0] == 0x74 && key[1] == 0x73 ? .ts : (key.elementsEqual("to".utf8) ? .to : nil)
        case 4: return key.elementsEqual("from".utf8) ? .from : nil
        case 5: return key.elementsEqual("event".utf8) ? .event : nil
        case 6:
            if key.elementsEqual("season".utf8) { return .season }
            if key.elementsEqual("region".utf8) { return .region }
            if key.elementsEqual("device".utf8) { return .device }
            return nil
        case 7:
            if key.elementsEqual("episode".utf8) { return .episode }
            if key.elementsEqual("country".utf8) { return .country }
            return nil
        case 8:
            if key.elementsEqual("title_id".utf8) { return .titleID }
            if key.elementsEqual("position".utf8) { return .position }
            if key.elementsEqual("duration".utf8) { return .duration }
            if key.elementsEqual("event_id".utf8) { return .eventID }
            return nil
        case 9:
            if key.elementsEqual("viewer_id".utf8) { return .viewerID }
            if key.elementsEqual("series_id".utf8) { return .seriesID }
            return nil
        case 10:
            if key.elementsEqual("session_id".utf8) { return .sessionID }
            if key.elementsEqual("audio_lang".utf8) { return .audioLang }
            return nil
        case 13: return key.elementsEqual("subtitle_lang".utf8) ? .subtitleLang : nil
        default: return nil
        }
    }
}

/// One field's value as it stood in the line, before validation.
struct RawValue {
    enum Kind: UInt8 {
        case absent
        /// A JSON string or a CSV/TSV field (unescaped).
        case text
        /// A bare JSON number; `bytes` is its literal text.
        case number
        case boolean
        case object
        case array
    }

    var kind: Kind
    /// Points into the line or into the parser's scratch space.
    var bytes: UnsafeRawBufferPointer

    static var absent: RawValue { RawValue(kind: .absent, bytes: UnsafeRawBufferPointer(start: nil, count: 0)) }
}

/// The known fields of one line, as the format parser found them.
/// Owns a fixed slot per field; reused from line to line.
struct RawRecord: ~Copyable {
    private let slots: UnsafeMutableBufferPointer<RawValue>

    init() {
        slots = .allocate(capacity: Field.allCases.count)
        slots.initialize(repeating: .absent)
    }

    deinit { slots.deallocate() }

    subscript(field: Field) -> RawValue {
        get { slots[field.rawValue] }
        nonmutating set { slots[field.rawValue] = newValue }
    }

    func reset() {
        for index in slots.indices { slots[index] = .absent }
    }
}
