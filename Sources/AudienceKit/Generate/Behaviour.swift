/// One event as the generator knows it, before it is written in some form.
struct GeneratedEvent {
    var ts: Int64
    var kind: EventKind
    var session: String
    var viewer: Int
    var title: Int
    var from: Double?
    var to: Double?
    var position: Double?
    var device: String
    var audio: String
    var subtitle: String
    var eventID: String
}

/// Plays viewers' sessions into events: an evening peak in each viewer's
/// own time, intros skipped, rewinds, pauses, errors, heartbeats every few
/// seconds, stopping points that follow each title's hold on its audience
/// (with a drop at the start and at the credits), autoplay of the next
/// episode, and series carry-on.
struct Behaviour {
    let world: World
    let settings: GeneratorSettings
    /// Per viewer: the next episode (title index) of the series they follow.
    private var nextEpisode: [Int?]
    private var sessionCounter = 0
    private var eventCounter = 0

    /// Relative weight of each local hour for starting to watch.
    static let hourWeights: [Double] = [
        3, 2, 1, 0.5, 0.3, 0.3, 0.5, 1, 1.5, 1.5, 1.5, 2, 2.5, 2, 2, 2, 2.5, 3.5, 5, 7, 9, 10, 8, 5,
    ]

    init(world: World, settings: GeneratorSettings) {
        self.world = world
        self.settings = settings
        nextEpisode = Array(repeating: nil, count: world.viewers.count)
    }

    /// Every event of some viewers' sessions started on one day, in time order.
    mutating func day(_ dayIndex: Int, viewers: Range<Int>, random: inout SeededRandom) -> [GeneratedEvent] {
        var events: [GeneratedEvent] = []
        let hours = Self.hourWeights.enumerated().map { ($0.offset, $0.element) }
        for viewerIndex in viewers {
            let viewer = world.viewers[viewerIndex]
            guard dayIndex >= viewer.firstDay, random.chance(viewer.activity) else { continue }
            for _ in 0..<random.pick([(1, 6.0), (2, 3.0), (3, 1.0)]) {
                let localSeconds = random.pick(hours) * 3600 + random.int(0..<3600)
                let utcSeconds = Int64(settings.startDay + dayIndex) * 86_400 + Int64(localSeconds - viewer.country.offset * 60)
                let start = utcSeconds * 1000 + Int64(random.int(0..<1000))
                session(viewer: viewerIndex, start: start, random: &random, into: &events)
            }
        }
        events.sort { $0.ts < $1.ts || ($0.ts == $1.ts && $0.eventID < $1.eventID) }
        return events
    }

    private mutating func session(viewer: Int, start: Int64, random: inout SeededRandom, into events: inout [GeneratedEvent]) {
        sessionCounter += 1
        let session = "s\(pad(sessionCounter, 8))"
        let device = random.chance(0.85) ? world.viewers[viewer].device : world.viewers[viewer].secondDevice
        var title: Int
        if let next = nextEpisode[viewer], random.chance(carryOn(of: next)) {
            title = next
        } else if random.chance(0.5) || world.series.isEmpty {
            title = random.int(0..<max(1, world.titles.count))
        } else {
            title = random.pick(world.series).episodes[0]
        }
        guard title < world.titles.count else { return }
        var clock = start
        while true {
            let completed = play(title, session: session, viewer: viewer, device: device, clock: &clock,
                                 random: &random, into: &events)
            guard completed, let following = followingEpisode(of: title) else {
                if completed { nextEpisode[viewer] = nil }
                return
            }
            nextEpisode[viewer] = following
            // Autoplay: the next episode in the same session, some of the time.
            guard random.chance(carryOn(of: following) * 0.8) else { return }
            title = following
            clock += Int64(random.int(5_000...15_000))
        }
    }

    private func carryOn(of episode: Int) -> Double {
        world.series.first { $0.episodes.contains(episode) }?.carryOn ?? 0.5
    }

    private func followingEpisode(of title: Int) -> Int? {
        guard let series = world.series.first(where: { $0.episodes.contains(title) }),
              let position = series.episodes.firstIndex(of: title), position + 1 < series.episodes.count
        else { return nil }
        return series.episodes[position + 1]
    }

    /// Plays one view; returns whether it completed.
    private mutating func play(
        _ titleIndex: Int, session: String, viewer viewerIndex: Int, device: String, clock: inout Int64,
        random: inout SeededRandom, into events: inout [GeneratedEvent]
    ) -> Bool {
        let title = world.titles[titleIndex]
        let viewer = world.viewers[viewerIndex]
        let runtime = Double(title.runtime)
        var audio = title.originalLanguage
        var subtitle = "off"
        if viewer.country.language != title.originalLanguage {
            if viewer.prefersDubbing { audio = viewer.country.language } else { subtitle = viewer.country.language }
        }
        func emit(_ kind: EventKind, from: Double? = nil, to: Double? = nil, position: Double? = nil) {
            eventCounter += 1
            events.append(GeneratedEvent(
                ts: clock, kind: kind, session: session, viewer: viewerIndex, title: titleIndex, from: from, to: to,
                position: position, device: device, audio: audio, subtitle: subtitle,
                eventID: "e\(pad(eventCounter, 10))"))
            clock += 1  // strictly increasing times within a view
        }
        emit(.start, position: 0)
        // Some never get going: a failure, or a change of mind.
        if random.chance(0.02) {
            clock += Int64(random.int(500...8000))
            if random.chance(0.5) { emit(.error, position: 0) } else { emit(.stop, position: 0) }
            return false
        }
        // Where this viewer stops: a drop at the start, then the title's own curve.
        var stopAt: Double
        if random.chance(0.07) {
            stopAt = random.uniform(1, 90)
        } else if random.chance(title.finishRate) {
            stopAt = runtime
        } else {
            let u = random.unit()
            stopAt = runtime * u / (u + title.dropRate * (1 - u))
        }
        let creditsAt = runtime * title.credits
        var completes = false
        if stopAt >= creditsAt {
            completes = random.chance(0.55)
            stopAt = completes ? runtime : creditsAt + random.uniform(0, 10)
        }
        var position = 0.0
        var introSkipped = false
        while position < stopAt {
            if let intro = title.intro, !introSkipped, position >= Double(intro.start), random.chance(0.35) {
                introSkipped = true
                emit(.seek, from: position, to: Double(intro.end))
                position = Double(intro.end)
                continue
            }
            let step = min(Double(random.int(8...15)) + Double(random.int(0...9)) / 10, stopAt - position)
            clock += Int64(step * 1000)
            let end = ((position + step) * 10).rounded() / 10
            emit(.progress, from: position, to: min(end, runtime))
            position = min(end, runtime)
            if random.chance(0.004) {
                emit(.pause, position: position)
                clock += Int64(random.int(5...300)) * 1000
                emit(.resume, position: position)
            }
            if random.chance(0.002) && position > 30 {
                let back = (position - Double(random.int(10...30))).rounded()
                emit(.seek, from: position, to: back)
                position = back
            }
            if random.chance(0.0005) {
                emit(.error, position: position)
                emit(.stop, position: position)
                return false
            }
        }
        if completes {
            emit(.complete, position: runtime)
            return true
        }
        emit(.stop, position: position)
        return false
    }
}
