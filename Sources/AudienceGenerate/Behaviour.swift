import AudienceReading

/// One event as the generator knows it, before it is written in some form.
/// Positions are whole tenths of a second (the logs' precision), so every
/// value is exact; `absent` marks a field the event does not carry.
struct GeneratedEvent {
    static let absent: Int32 = -1
    /// `subtitle` when subtitles are off.
    static let subtitlesOff: UInt8 = .max

    var ts: Int64
    /// The number in its `event_id`.
    var id: Int
    var session: Int
    var viewer: Int32
    var title: Int32
    var from: Int32
    var to: Int32
    var position: Int32
    var kind: EventKind
    var device: UInt8
    var audio: UInt8
    var subtitle: UInt8
    var country: UInt8
    var region: UInt8
}

/// Plays viewers' days into events, the way players log them: a heartbeat
/// every ten seconds of playback, pauses, seeks back and ahead, recaps and
/// intros skipped (each decided once, when it plays), credits skipped or
/// watched, leaving that grows with the time watched, autoplay of the next
/// episode, binge nights, and weekday and hour rhythms in each viewer's own
/// time. docs/generator.md gives each parameter and where it comes from.
struct Behaviour {
    // MARK: - Parameters (docs/generator.md, "The behaviour model")

    /// Heartbeat length in tenths of a second: 10 s, as Adobe's media
    /// analytics pings, give or take the timer's drift.
    static let heartbeat = 95...105
    /// Chance per second of playback of leaving: one in 240 minutes for a
    /// film, one in 200 for an episode (each title ×0.6 to ×1.4).
    static let filmLeaveRate = 1.0 / (240 * 60)
    static let episodeLeaveRate = 1.0 / (200 * 60)
    /// Views that sample a title and leave in its first five minutes.
    static let filmSampleRate = 0.08
    static let episodeSampleRate = 0.04
    static let pilotSampleRate = 0.10
    /// Viewers who skip by habit, and how often each kind skips.
    static let habitualSkipperShare = 0.4
    static let habitualIntroSkip = 0.85
    static let occasionalIntroSkip = 0.10
    static let habitualRecapSkip = 0.85
    static let occasionalRecapSkip = 0.25
    /// Viewers who keep subtitles on in their own language.
    static let ownSubtitleShare = 0.10
    static let failedStartRate = 0.015
    static let retryAfterFailure = 0.4
    static let exitBeforeStartRate = 0.01
    /// Chances per second of playback.
    static let pauseRate = 1.0 / 2700
    static let rewindRate = 1.0 / 3600
    static let skipAheadRate = 1.0 / 5400
    static let errorRate = 1.0 / 36000
    static let retryAfterError = 0.6
    /// Views that go back to watch the title's highlight again.
    static let highlightReplay = 0.12
    /// Views at the credits that watch them to the end.
    static let filmCreditsWatched = 0.25
    static let episodeCreditsWatched = 0.3
    /// Leaving by pausing and never coming back.
    static let leaveWhilePaused = 0.2
    /// Binge nights: more likely on Friday and Saturday evenings; the next
    /// episode plays almost always, up to six in a sitting (2 to 6 episodes
    /// in one sitting is how most streamers define binge-watching).
    static let bingeChance = 0.08
    static let weekendEveningBingeChance = 0.2
    static let bingeCarryOn = 0.92
    static let bingeEpisodes = 6
    /// Otherwise the next episode plays with this share of the series'
    /// carry-on chance, up to three in a session.
    static let autoplayShare = 0.55
    static let ordinaryEpisodes = 3
    /// New picks: series (their first episode) or films.
    static let seriesShare = 0.55
    /// Sessions on an active day: 1, 2 or 3.
    static let sessionPicks: [(Int, Double)] = [(1, 6), (2, 3), (3, 1)]
    /// Activity by ISO weekday (Monday first): more at the weekend.
    static let weekdayActivity = [0.9, 0.9, 0.92, 0.95, 1.1, 1.2, 1.15]
    /// Relative weight of each local hour for starting a session: an
    /// evening peak at 20:00–22:00 (prime time), more daytime at weekends.
    static let weekdayHours: [(Int, Double)] = Array(zip(0..<24, [
        1.5, 0.8, 0.4, 0.25, 0.2, 0.25, 0.6, 1.0, 1.0, 0.9, 0.9, 1.0,
        1.4, 1.2, 1.1, 1.2, 1.5, 2.2, 3.2, 4.6, 6.0, 6.4, 4.8, 2.8,
    ]))
    static let weekendHours: [(Int, Double)] = Array(zip(0..<24, [
        2.2, 1.4, 0.7, 0.4, 0.25, 0.25, 0.4, 0.8, 1.3, 1.8, 2.2, 2.5,
        2.7, 2.8, 2.9, 3.0, 3.2, 3.5, 4.0, 5.0, 6.0, 6.2, 5.0, 3.4,
    ]))
    /// The analysis's default completion threshold, for the answer key.
    static let completeAt = 0.9

    let world: World
    let settings: GeneratorSettings
    /// Per viewer: the episode (title index) they would watch next, or -1.
    private var nextEpisode: [Int32]
    private var sessionCounter = 0
    private var eventCounter = 0
    private(set) var answerKey: AnswerKey

    init(world: World, settings: GeneratorSettings) {
        self.world = world
        self.settings = settings
        nextEpisode = Array(repeating: -1, count: settings.viewers)
        answerKey = AnswerKey(world: world, viewers: settings.viewers)
    }

    /// Every event of some viewers' sessions started on one local day, in
    /// time order (`ts`, then `event_id`).
    mutating func day(_ dayIndex: Int, viewers: Range<Int>, random: inout SeededRandom) -> [GeneratedEvent] {
        var events: [GeneratedEvent] = []
        let localDay = settings.startDay + dayIndex
        let weekday = isoWeekday(ofDay: localDay)
        let weekend = weekday >= 6
        for viewerIndex in viewers {
            let viewer = world.viewer(viewerIndex)
            guard dayIndex >= viewer.firstDay,
                  random.chance(min(0.95, viewer.activity * Self.weekdayActivity[weekday - 1]))
            else { continue }
            let offset = World.countries[viewer.country].offset(region: viewer.region, localDay: localDay)
            for _ in 0..<random.pick(Self.sessionPicks) {
                let hour = random.pick(weekend ? Self.weekendHours : Self.weekdayHours)
                let localSeconds = Int64(localDay) * 86_400 + Int64(hour * 3600 + random.int(0..<3600))
                let start = (localSeconds - Int64(offset) * 60) * 1000 + Int64(random.int(0..<1000))
                let bingeNight = (weekday == 5 || weekday == 6) && hour >= 18
                let binge = random.chance(bingeNight ? Self.weekendEveningBingeChance : Self.bingeChance)
                session(viewer, start: start, binge: binge, random: &random, into: &events)
            }
        }
        events.sort { $0.ts < $1.ts || ($0.ts == $1.ts && $0.id < $1.id) }
        return events
    }

    // MARK: - Sessions

    private mutating func session(
        _ viewer: GeneratedViewer, start: Int64, binge: Bool, random: inout SeededRandom,
        into events: inout [GeneratedEvent]
    ) {
        sessionCounter += 1
        let device = random.chance(0.85) ? viewer.device : viewer.secondDevice
        guard var title = pickTitle(viewer, binge: binge, random: &random) else { return }
        var playback = Playback(number: sessionCounter, viewer: viewer, device: device, clock: start)
        var played = 0
        while true {
            played += 1
            let following = world.titles[title].nextEpisode
            let series = world.titles[title].series.map { world.series[$0] }
            let carryOn = binge ? Self.bingeCarryOn : (series?.carryOn ?? 0) * Self.autoplayShare
            let mayContinue = following != nil && played < (binge ? Self.bingeEpisodes : Self.ordinaryEpisodes)
            let outcome = play(title, session: &playback, continueChance: mayContinue ? carryOn : 0,
                               random: &random, into: &events)
            switch outcome {
            case .finished(let continuing):
                if series != nil { nextEpisode[viewer.index] = Int32(following ?? -1) }
                guard continuing, let following else { return }
                title = following
                // The post-play countdown before the next episode starts.
                playback.clock += Int64(random.int(5_000...15_000))
            case .left, .failed:
                // A series left halfway is dropped.
                if series != nil { nextEpisode[viewer.index] = -1 }
                return
            }
        }
    }

    /// The episode they follow (with the series' carry-on chance), else a
    /// new film or series by popularity in their country.
    private func pickTitle(_ viewer: GeneratedViewer, binge: Bool, random: inout SeededRandom) -> Int? {
        let next = Int(nextEpisode[viewer.index])
        if next >= 0, let series = world.titles[next].series,
           random.chance(binge ? Self.bingeCarryOn : world.series[series].carryOn)
        {
            return next
        }
        let films = world.filmPicks[viewer.country], shows = world.seriesPicks[viewer.country]
        if !shows.isEmpty && (films.isEmpty || binge || random.chance(Self.seriesShare)) {
            return world.series[shows.pick(&random)].episodes[0]
        }
        return films.isEmpty ? nil : films.pick(&random)
    }

    // MARK: - One view

    /// What a session knows while it plays one title after another.
    private struct Playback {
        var number: Int
        var viewer: GeneratedViewer
        var device: Int
        var clock: Int64
    }

    private enum Outcome {
        /// Reached the credits; `continuing` when the next episode plays now.
        case finished(continuing: Bool)
        /// Left before the credits (or an error ended the view).
        case left
        /// Never started: the player failed and nobody tried again.
        case failed
    }

    /// Plays one view, appending its events; records it in the answer key.
    private mutating func play(
        _ titleIndex: Int, session: inout Playback, continueChance: Double, random: inout SeededRandom,
        into events: inout [GeneratedEvent]
    ) -> Outcome {
        let title = world.titles[titleIndex]
        let viewer = session.viewer
        let language = World.countries[viewer.country].language
        var audio = title.originalLanguage
        var subtitle = viewer.keepsSubtitles ? language : Int(GeneratedEvent.subtitlesOff)
        if language != title.originalLanguage {
            if viewer.prefersDubbing { audio = language } else { subtitle = language }
        }
        var view = ViewRecord(title: titleIndex, viewer: viewer.index, country: viewer.country)
        defer { answerKey.add(view) }
        var clock = session.clock
        defer { session.clock = clock }
        let template = GeneratedEvent(
            ts: 0, id: 0, session: session.number, viewer: Int32(viewer.index), title: Int32(titleIndex),
            from: GeneratedEvent.absent, to: GeneratedEvent.absent, position: GeneratedEvent.absent, kind: .start,
            device: UInt8(session.device), audio: UInt8(audio), subtitle: UInt8(subtitle),
            country: UInt8(viewer.country), region: UInt8(viewer.region))
        func emit(_ kind: EventKind, position: Int = Int(GeneratedEvent.absent), from: Int = -1, to: Int = -1) {
            eventCounter += 1
            var event = template
            event.ts = clock
            event.id = eventCounter
            event.kind = kind
            event.position = Int32(position)
            event.from = Int32(from)
            event.to = Int32(to)
            events.append(event)
            clock += 1  // strictly increasing times within a view
        }

        emit(.start, position: 0)
        if random.chance(Self.failedStartRate) {
            clock += Int64(random.int(2_000...15_000))
            emit(.error, position: 0)
            view.hasError = true
            guard random.chance(Self.retryAfterFailure) else { return .failed }
            clock += Int64(random.int(3_000...20_000))
            emit(.start, position: 0)
        } else if random.chance(Self.exitBeforeStartRate) {
            clock += Int64(random.int(1_000...8_000))
            emit(.stop, position: 0)
            return .left
        }
        clock += Int64(random.int(500...4_000))  // start-up time

        let runtime = title.runtime * 10
        let creditsAt = title.creditsStart * 10
        let highlight = title.highlight * 10
        let sampleUntil = random.chance(title.sampleRate) ? random.int(100...3_000) : nil
        var position = 0
        // Each decided once, when it comes up.
        var recapSkipAt: Int?
        if let recapEnd = title.recapEnd, random.chance(viewer.skipsRecap) {
            recapSkipAt = min(recapEnd * 10 - 10, random.int(10...40))
        }
        var introPending = title.intro != nil
        var introSkipAt: Int?
        var creditsPending = true
        var highlightPending = true

        /// Plays from `position` to `target` at normal speed, as one heartbeat.
        func play(to target: Int) {
            clock += Int64(target - position) * 100 + Int64(random.int(0...40))
            emit(.progress, from: position, to: target)
            view.addSegment(from: position, to: target)
            position = target
        }
        /// Plays on to `target` in heartbeats.
        func play(through target: Int) {
            while position < target { play(to: min(target, position + random.int(Self.heartbeat))) }
        }
        func seek(to target: Int) {
            clock += Int64(random.int(300...1_500))
            emit(.seek, from: position, to: target)
            position = target
        }
        /// Leaves at the current position, now or after a pause that never ends.
        func leave() {
            if random.chance(Self.leaveWhilePaused) {
                emit(.pause, position: position)
                clock += Int64(random.int(60...1_800)) * 1000
            } else {
                clock += Int64(random.int(200...3_000))
            }
            emit(.stop, position: position)
        }

        while true {
            // Decisions due at the position reached.
            if let at = recapSkipAt, position >= at {
                recapSkipAt = nil
                if let recapEnd = title.recapEnd, position < recapEnd * 10 { seek(to: recapEnd * 10) }
            }
            if introPending, let intro = title.intro, position >= intro.start * 10 {
                introPending = false
                // Only a viewer who is at the intro's start can skip it.
                if position == intro.start * 10 && random.chance(viewer.skipsIntro) {
                    // The button shows a moment into the intro.
                    introSkipAt = position + random.int(10...50)
                }
            }
            if let at = introSkipAt, position >= at {
                introSkipAt = nil
                if let intro = title.intro, position < intro.end * 10 { seek(to: intro.end * 10) }
            }
            if creditsPending && position >= creditsAt {
                creditsPending = false
                if random.chance(continueChance) {
                    // "Next episode": a few seconds of credits, then on.
                    play(through: min(runtime, position + random.int(30...150)))
                    emit(.stop, position: position)
                    return .finished(continuing: true)
                }
                let watched = title.series == nil ? Self.filmCreditsWatched : Self.episodeCreditsWatched
                if !random.chance(watched) {
                    play(through: min(runtime, position + random.int(20...200)))
                    leave()
                    return .finished(continuing: false)
                }
            }
            if position >= runtime {
                emit(.complete, position: runtime)
                view.hasComplete = true
                return .finished(continuing: false)
            }

            // The next moment something is decided: a heartbeat, or earlier.
            var target = position + random.int(Self.heartbeat)
            if let at = recapSkipAt { target = min(target, at) }
            if introPending, let intro = title.intro { target = min(target, intro.start * 10) }
            if let at = introSkipAt { target = min(target, at) }
            if creditsPending { target = min(target, creditsAt) }
            if let until = sampleUntil, position < until { target = min(target, until) }
            target = min(target, runtime)
            let from = position
            play(to: target)
            guard creditsPending else { continue }  // watching the credits: nothing else happens
            let seconds = Double(target - from) / 10
            if let until = sampleUntil, position == until {
                leave()
                return .left
            } else if random.chance(title.leaveRate * seconds) {
                leave()
                return .left
            } else if random.chance(Self.errorRate * seconds) {
                emit(.error, position: position)
                view.hasError = true
                guard random.chance(Self.retryAfterError) else { return .left }
                clock += Int64(random.int(5_000...30_000))
                emit(.start, position: position)
            } else if random.chance(Self.pauseRate * seconds) {
                emit(.pause, position: position)
                clock += Int64(pauseLength(&random)) * 1000
                emit(.resume, position: position)
            } else if highlightPending && from <= highlight && highlight < position {
                highlightPending = false
                if random.chance(Self.highlightReplay) {
                    seek(to: max(0, highlight - random.int(50...200)))
                }
            } else if random.chance(Self.rewindRate * seconds) && position > 100 {
                seek(to: max(0, position - random.int(100...300)))
            } else if random.chance(Self.skipAheadRate * seconds) {
                let ahead = min(position + random.int(100...900), creditsAt - 10)
                if ahead > position { seek(to: ahead) }
            }
        }
    }

    /// Seconds of a pause: mostly short, some a few minutes, a few long.
    private func pauseLength(_ random: inout SeededRandom) -> Int {
        switch random.int(0..<10) {
        case 0..<6: random.int(5...60)
        case 6..<9: random.int(60...300)
        default: random.int(300...1_200)
        }
    }
}
