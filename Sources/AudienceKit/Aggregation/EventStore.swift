/// One accepted event, compact: text is interned, the view and the
/// viewer-side attributes are ids into the store's tables.
public struct EventRecord: Sendable, Equatable {
    public var timestamp: Int64
    /// NaN where absent.
    public var from: Double, to: Double, position: Double, duration: Double
    public var view: UInt32
    public var attributes: UInt32
    /// 0 where absent.
    public var eventID: UInt32
    public var kind: EventKind

    public static func == (a: Self, b: Self) -> Bool {
        a.timestamp == b.timestamp && a.kind == b.kind && a.view == b.view
            && a.attributes == b.attributes && a.eventID == b.eventID
            && sameNumber(a.from, b.from) && sameNumber(a.to, b.to)
            && sameNumber(a.position, b.position) && sameNumber(a.duration, b.duration)
    }
}

/// Numbers compare by value; absent (NaN) equals only absent.
@inline(__always)
func sameNumber(_ a: Double, _ b: Double) -> Bool {
    a == b || (a.isNaN && b.isNaN)
}

/// The view an event belongs to: its session and title.
public struct ViewKey: Hashable, Sendable {
    public var session: UInt32
    public var title: UInt32
}

/// The fields of an event that describe the viewer and the title rather
/// than the moment; few distinct combinations, so they are stored once.
public struct EventAttributes: Hashable, Sendable {
    public var viewer: UInt32
    public var series: UInt32
    /// -1 where absent.
    public var season: Int32
    public var episode: Int32
    public var country: UInt32
    public var region: UInt32
    public var device: UInt32
    public var audioLang: UInt32
    public var subtitleLang: UInt32
}

/// The accepted events of some lines, with the tables their ids refer to.
/// Each worker fills its own; `merged` combines them.
public struct EventStore: Sendable {
    public internal(set) var strings = ByteInterner()
    public internal(set) var views: [ViewKey] = []
    public internal(set) var attributes: [EventAttributes] = []
    public internal(set) var events: [EventRecord] = []
    private var viewIDs: [ViewKey: UInt32] = [:]
    private var attributeIDs: [EventAttributes: UInt32] = [:]

    public init() {}

    mutating func append(_ event: ValidEvent) {
        let view = ViewKey(session: strings.intern(event.sessionID), title: strings.intern(event.titleID))
        let attributes = EventAttributes(
            viewer: strings.intern(event.viewerID),
            series: strings.intern(event.seriesID),
            season: event.season,
            episode: event.episode,
            country: strings.intern(event.country),
            region: strings.intern(event.region),
            device: strings.intern(event.device),
            audioLang: strings.intern(event.audioLang),
            subtitleLang: strings.intern(event.subtitleLang))
        events.append(EventRecord(
            timestamp: event.timestamp,
            from: event.from, to: event.to, position: event.position, duration: event.duration,
            view: id(of: view), attributes: id(of: attributes),
            eventID: strings.intern(event.eventID), kind: event.kind))
    }

    private mutating func id(of view: ViewKey) -> UInt32 {
        if let known = viewIDs[view] { return known }
        let id = UInt32(views.count)
        views.append(view)
        viewIDs[view] = id
        return id
    }

    private mutating func id(of attributes: EventAttributes) -> UInt32 {
        if let known = attributeIDs[attributes] { return known }
        let id = UInt32(self.attributes.count)
        self.attributes.append(attributes)
        attributeIDs[attributes] = id
        return id
    }

    /// Combines stores into one whose string ids follow byte order (id 0,
    /// the empty string, first), so comparing ids compares text, and no
    /// result depends on which worker read which line.
    public static func merged(_ parts: [EventStore]) -> EventStore {
        // Every distinct string, sorted by bytes.
        var all: [[UInt8]] = []
        for part in parts {
            for id in 1..<max(part.strings.count, 1) { all.append(Array(part.strings.bytes(UInt32(id)))) }
        }
        all.sort { $0.lexicographicallyPrecedes($1) }
        var merged = EventStore()
        var previous: [UInt8]? = nil
        for bytes in all where bytes != previous {
            _ = bytes.withUnsafeBytes { merged.strings.intern($0) }
            previous = bytes
        }
        merged.events.reserveCapacity(parts.reduce(0) { $0 + $1.events.count })
        for part in parts {
            let stringMap: [UInt32] = (0..<part.strings.count).map { id in
                id == 0 ? 0 : Array(part.strings.bytes(UInt32(id))).withUnsafeBytes { merged.strings.intern($0) }
            }
            let viewMap = part.views.map { view in
                merged.id(of: ViewKey(session: stringMap[Int(view.session)], title: stringMap[Int(view.title)]))
            }
            let attributeMap = part.attributes.map { a in
                merged.id(of: EventAttributes(
                    viewer: stringMap[Int(a.viewer)], series: stringMap[Int(a.series)],
                    season: a.season, episode: a.episode,
                    country: stringMap[Int(a.country)], region: stringMap[Int(a.region)],
                    device: stringMap[Int(a.device)], audioLang: stringMap[Int(a.audioLang)],
                    subtitleLang: stringMap[Int(a.subtitleLang)]))
            }
            for var event in part.events {
                event.view = viewMap[Int(event.view)]
                event.attributes = attributeMap[Int(event.attributes)]
                event.eventID = stringMap[Int(event.eventID)]
                merged.events.append(event)
            }
        }
        return merged
    }
}
