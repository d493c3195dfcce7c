#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AudienceCore
import AudienceReading
import AudienceMetrics

/// Why a reduce or merge step failed, with the exit status it gives.
public enum SplitRunError: Error, Sendable, CustomStringConvertible {
    /// Partial results that do not make one run: mixed settings, missing or
    /// repeated parts, a folder without any (exit 64).
    case usage(String)
    /// A partial result that is cut, altered or not one (exit 65): its
    /// reduce step must run again.
    case damaged(path: String, problem: String)
    /// Written by a newer `audience` (exit 65).
    case newerFormat(path: String, version: Int, writtenBy: String)
    /// The partial result could not be written: a full disk, permissions
    /// (exit 73). A previous attempt's file, if any, is as it was, or (when
    /// only flushing the folder failed) the new one is in place.
    case cannotWrite(path: String, problem: String)
    /// The stores, read again by a merge, or by a reduce step.
    case store(StoreError)
    /// Asked to stop: nothing was written.
    case stopped

    public var exitStatus: Int32 {
        switch self {
        case .usage: return ExitStatus.usage
        case .damaged, .newerFormat: return ExitStatus.storeDamaged
        case .cannotWrite: return ExitStatus.cannotWrite
        case .store(let error): return error.exitStatus
        case .stopped: return ExitStatus.stopped(by: SIGTERM)
        }
    }

    /// The word for `reason` in JSON log lines.
    public var reason: String {
        switch self {
        case .usage: return "usage"
        case .damaged: return "damaged_partial"
        case .newerFormat: return "newer_format"
        case .cannotWrite: return "cannot_write"
        case .store(let error): return error.reason
        case .stopped: return "stopped"
        }
    }

    public var description: String {
        switch self {
        case .usage(let text):
            return text
        case .damaged(let path, let problem):
            return "partial result \(path) is damaged: \(problem); run its reduce step again"
        case .newerFormat(let path, let version, let writtenBy):
            return "partial result \(path) has format \(version), written by audience \(writtenBy); this audience \(AudienceVersion.current) reads format \(PartialResult.formatVersion) and older"
        case .cannotWrite(let path, let problem):
            return "cannot write the partial result: \(path): \(problem)"
        case .store(let error):
            return error.description
        case .stopped:
            return "stopped: nothing written"
        }
    }
}

/// What one reduce step (`analyze --store ... --part p/P --partial DIR`)
/// hands to the merge: the views of one P-th of the view partitions of the
/// stores as exact, mergeable state (`PartialViews`), with everything the
/// merge must know to finish the run alone: the settings of the tables,
/// the catalog's bytes, which stores were read and what they held, and (in
/// part 0) the quality account and rejected-line samples of the whole
/// history.
///
/// On disk (`DIR/part-p-of-P.audience-partial`):
///
///     magic "AUDIENCE-PARTIAL" (16 bytes)
///     format version         u32 little-endian
///     body length            u64, inflated
///     deflated length        u64
///     the body, deflated (zlib)
///     SHA-256 of everything before it (32 bytes)
///
/// The body is `ByteWriter`'s varints and texts, in the order of
/// `encoded()`. A reader checks the digest before it inflates a byte, and
/// every count and index while decoding, so a damaged file is an error
/// naming it, never a trap or a huge allocation.
public struct PartialResult: Sendable {
    public static let formatVersion = 1
    /// The most parts a split may have (`--part p/P`).
    static let partLimit = 1_000_000
    /// Every count read from a part is at most this, so that the counts of
    /// a million parts add up without overflowing (2^40 · 2^20 < 2^63).
    static let countLimit: UInt64 = 1 << 40
    static let magic = Array("AUDIENCE-PARTIAL".utf8)
    static let headSize = 16 + 4 + 8 + 8
    static let digestSize = 32

    /// The settings every part must share.
    package struct Settings: Sendable, Equatable {
        package var buckets: Int
        package var completeAt: Double
        package var timeZone: String
        package var from: String?
        package var to: String?
        /// The catalog's path as given (for `summary.json`) and its bytes.
        package var catalogPath: String?
        package var catalog: [UInt8]?

        package init(
            buckets: Int, completeAt: Double, timeZone: String, from: String?, to: String?, catalogPath: String?,
            catalog: [UInt8]?
        ) {
            self.buckets = buckets
            self.completeAt = completeAt
            self.timeZone = timeZone
            self.from = from
            self.to = to
            self.catalogPath = catalogPath
            self.catalog = catalog
        }

        package static func == (a: Settings, b: Settings) -> Bool {
            a.buckets == b.buckets && a.completeAt.bitPattern == b.completeAt.bitPattern && a.timeZone == b.timeZone
                && a.from == b.from && a.to == b.to && a.catalog == b.catalog
        }
    }

    /// The version of `audience` that wrote it.
    var writtenBy = AudienceVersion.current
    package var part: Int
    package var parts: Int
    package var settings: Settings
    /// The stores as given to the reduce step, and as absolute paths (a
    /// merge that must read them again may run in another folder).
    package var stores: [String]
    package var storePaths: [String]
    /// `StoreSnapshot.identity` of the stores as the step read them.
    package var identity: [UInt8]
    package var partitions: Int
    package var summary: StoreSummary
    /// The quality rows and samples of every current file: in part 0 only.
    package var files: [FileQuality]?
    package var samples: [RejectSample]
    package var views: PartialViews

    package init(
        writtenBy: String = AudienceVersion.current, part: Int, parts: Int, settings: Settings, stores: [String],
        storePaths: [String], identity: [UInt8], partitions: Int, summary: StoreSummary, files: [FileQuality]?,
        samples: [RejectSample], views: PartialViews
    ) {
        self.writtenBy = writtenBy
        self.part = part
        self.parts = parts
        self.settings = settings
        self.stores = stores
        self.storePaths = storePaths
        self.identity = identity
        self.partitions = partitions
        self.summary = summary
        self.files = files
        self.samples = samples
        self.views = views
    }

    /// The file name for part `part` of `parts`: it depends only on the
    /// step's arguments, so a retried step replaces its own file.
    public static func fileName(part: Int, of parts: Int) -> String {
        "part-\(part)-of-\(parts).audience-partial"
    }

    package static let fileSuffix = ".audience-partial"

    // MARK: Writing

    package func fileBytes() -> [UInt8] {
        let body = encodedBody()
        let deflated = Deflate.compress(body, level: 1)
        var out = ByteWriter(capacity: Self.headSize + deflated.count + Self.digestSize)
        out.append(Self.magic)
        out.uint32(UInt32(Self.formatVersion))
        out.uint64(UInt64(body.count))
        out.uint64(UInt64(deflated.count))
        out.append(deflated)
        var digest = SHA256()
        digest.update(out.bytes)
        out.append(digest.finalize())
        return out.bytes
    }

    private func encodedBody() -> [UInt8] {
        var out = ByteWriter(capacity: 64 + views.views.count * 48)
        out.text(writtenBy)
        out.varint(part)
        out.varint(parts)
        out.varint(partitions)
        out.varint(settings.buckets)
        out.uint64(settings.completeAt.bitPattern)
        out.text(settings.timeZone)
        Self.optional(settings.from, to: &out) { $1.text($0) }
        Self.optional(settings.to, to: &out) { $1.text($0) }
        Self.optional(settings.catalogPath, to: &out) { $1.text($0) }
        Self.optional(settings.catalog, to: &out) { $1.data($0) }
        out.varint(stores.count)
        for (given, absolute) in zip(stores, storePaths) {
            out.text(given)
            out.text(absolute)
        }
        out.data(identity)
        out.varint(summary.files)
        out.varint(summary.events)
        Self.optional(files, to: &out) { files, out in
            out.varint(files.count)
            for file in files {
                out.text(file.file)
                StoredQuality.write(file, to: &out)
            }
        }
        var fileIndex: [ByteString: Int] = [:]
        for (index, file) in (files ?? []).enumerated() { fileIndex[ByteString(file.file)] = index }
        let samples = self.samples.filter { fileIndex[ByteString($0.file)] != nil }
        out.varint(samples.count)
        for sample in samples {
            out.varint(fileIndex[ByteString(sample.file)] ?? 0)
            out.varint(sample.line)
            out.varint(sample.reason.rawValue)
            out.text(sample.detail)
            out.text(sample.text)
        }
        views.write(to: &out)
        return out.bytes
    }

    private static func optional<T>(_ value: T?, to out: inout ByteWriter, _ write: (T, inout ByteWriter) -> Void) {
        guard let value else {
            out.byte(0)
            return
        }
        out.byte(1)
        write(value, &out)
    }

    // MARK: Reading

    /// Reads and checks a partial result file.
    package static func read(path: String) throws(SplitRunError) -> PartialResult {
        let bytes: [UInt8]
        do {
            let file = try StoreFile(openForReading: path)
            // The head first: any other file (a log named by mistake) is
            // turned away without being read whole.
            guard try file.read(at: 0, count: magic.count) == magic else {
                throw SplitRunError.damaged(path: path, problem: "not a partial result")
            }
            bytes = try file.read(at: 0, count: file.size)
        } catch let error as StoreIOError {
            throw SplitRunError.damaged(path: path, problem: SystemError.describe(error.code))
        } catch let error as SplitRunError {
            throw error
        } catch {
            throw SplitRunError.damaged(path: path, problem: "unreadable")
        }
        return try decode(bytes, path: path)
    }

    static func decode(_ bytes: [UInt8], path: String) throws(SplitRunError) -> PartialResult {
        func damaged(_ problem: String) -> SplitRunError { .damaged(path: path, problem: problem) }
        guard bytes.count >= headSize + digestSize, Array(bytes[0..<16]) == magic else {
            throw damaged(bytes.count < 16 || Array(bytes[0..<16]) != magic ? "not a partial result" : "cut short")
        }
        var head = ByteReader(bytes, range: 16..<headSize)
        guard let version = try? Int(head.uint32()), let length = try? head.uint64(), let deflatedLength = try? head.uint64()
        else { throw damaged("cut short") }
        guard deflatedLength == UInt64(bytes.count - headSize - digestSize) else { throw damaged("cut short") }
        var digest = SHA256()
        bytes.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<(bytes.count - digestSize)])) }
        guard digest.finalize()[...] == bytes[(bytes.count - digestSize)...] else { throw damaged("checksum mismatch") }
        // The version is believed once the checksum holds.
        if version > formatVersion {
            let writtenBy = (try? decodeWriter(bytes)) ?? "a newer version"
            throw SplitRunError.newerFormat(path: path, version: version, writtenBy: writtenBy)
        }
        guard version >= 1 else { throw damaged("undecodable") }
        // Deflate expands at most about 1032 to 1: a larger claim is damage,
        // not a reason to allocate.
        guard length <= deflatedLength * 1100 + 1024,
              let body = Deflate.decompress(bytes, range: headSize..<(bytes.count - digestSize), expected: Int(length))
        else { throw damaged("does not inflate") }
        do throws(ByteReader.Overrun) {
            return try decodeBody(body)
        } catch {
            throw damaged("undecodable")
        }
    }

    /// The writer's version, from a file whose format is too new to read.
    private static func decodeWriter(_ bytes: [UInt8]) throws -> String {
        var head = ByteReader(bytes, range: 20..<headSize)
        let length = try head.uint64()
        let deflated = UInt64(bytes.count - headSize - digestSize)
        guard length <= deflated * 1100 + 1024, let body = Deflate.decompress(bytes, range: headSize..<(bytes.count - digestSize), expected: Int(length))
        else { throw ByteReader.Overrun() }
        var input = ByteReader(body)
        return try input.text()
    }

    private static func decodeBody(_ body: [UInt8]) throws(ByteReader.Overrun) -> PartialResult {
        var input = ByteReader(body)
        let writtenBy = try input.text()
        let part = try input.count(atMost: partLimit - 1)
        let parts = try input.count(atMost: partLimit)
        let partitions = try input.count(atMost: 1 << 20)
        guard parts >= 1, part < parts, partitions >= 1 else { throw ByteReader.Overrun() }
        let buckets = try input.count(atMost: MetricSettings.bucketLimit)
        let completeAt = Double(bitPattern: try input.uint64())
        guard buckets >= 1, completeAt > 0, completeAt <= 1 else { throw ByteReader.Overrun() }
        let timeZone = try input.text()
        let from = try optional(&input) { input throws(ByteReader.Overrun) in try input.text() }
        let to = try optional(&input) { input throws(ByteReader.Overrun) in try input.text() }
        let catalogPath = try optional(&input) { input throws(ByteReader.Overrun) in try input.text() }
        let catalog = try optional(&input) { input throws(ByteReader.Overrun) in Array(try input.bytes(try input.dataRange())) }
        let storeCount = try input.count(atMost: input.remaining)
        var stores: [String] = []
        var storePaths: [String] = []
        for _ in 0..<storeCount {
            stores.append(try input.text())
            storePaths.append(try input.text())
        }
        let identity = Array(try input.bytes(try input.dataRange()))
        let summary = StoreSummary(
            paths: stores, files: try input.count(atMost: Int(countLimit)), events: try input.count(atMost: Int(countLimit)))
        let files = try optional(&input) { input throws(ByteReader.Overrun) -> [FileQuality] in
            let count = try input.count(atMost: input.remaining)
            var files: [FileQuality] = []
            for _ in 0..<count {
                let name = try input.text()
                files.append(try StoredQuality.read(&input, name: name))
            }
            return files
        }
        let sampleCount = try input.count(atMost: input.remaining)
        var samples: [RejectSample] = []
        for _ in 0..<sampleCount {
            guard let files, !files.isEmpty else { throw ByteReader.Overrun() }
            let file = try input.count(atMost: files.count - 1)
            let line = try input.count(atMost: Int(Int64.max / 2))
            guard let reason = SkipReason(rawValue: try input.count(atMost: 64)) else { throw ByteReader.Overrun() }
            let detail = try input.text()
            let text = try input.text()
            samples.append(RejectSample(file: files[file].file, line: line, reason: reason, detail: detail, text: text))
        }
        let views = try PartialViews.read(&input, buckets: buckets)
        guard input.isAtEnd else { throw ByteReader.Overrun() }
        return PartialResult(
            writtenBy: writtenBy, part: part, parts: parts,
            settings: Settings(buckets: buckets, completeAt: completeAt, timeZone: timeZone, from: from, to: to,
                               catalogPath: catalogPath, catalog: catalog),
            stores: stores, storePaths: storePaths, identity: identity, partitions: partitions, summary: summary,
            files: files, samples: samples, views: views)
    }

    private static func optional<T>(
        _ input: inout ByteReader, _ read: (inout ByteReader) throws(ByteReader.Overrun) -> T
    ) throws(ByteReader.Overrun) -> T? {
        switch try input.byte() {
        case 0: return nil
        case 1: return try read(&input)
        default: throw ByteReader.Overrun()
        }
    }
}

extension PartialViews {
    /// Titles, facts, viewers (by their bytes, in id order), the texts of
    /// the views' places and devices, then the views, then the curves.
    func write(to out: inout ByteWriter) {
        out.varint(titles.count)
        for (title, runtime) in zip(titles, runtimes) {
            out.text(title.text)
            if let runtime {
                out.byte(1)
                out.uint64(runtime.bitPattern)
            } else {
                out.byte(0)
            }
        }
        StoredTitleFacts.write(facts, to: &out)
        out.varint(unknownTitles)
        out.varint(duplicates)
        out.varint(viewers.count)
        for id in 0..<viewers.count { out.data(viewers.bytes(UInt32(id))) }

        // By bytes: two spellings of one text (NFC, NFD) are two values,
        // as the tables group them.
        var texts: [ByteString: Int] = [:]
        var textList: [String] = []
        func text(_ value: String) -> Int {
            let key = ByteString(value)
            if let known = texts[key] { return known }
            texts[key] = textList.count
            textList.append(value)
            return textList.count - 1
        }
        var rows = ByteWriter(capacity: views.count * 40)
        rows.varint(views.count)
        for view in views {
            rows.varint(view.title)
            rows.varint(UInt64(view.viewer))
            rows.signed(view.start)
            rows.signed(view.end &- view.start)
            rows.signed(Int64(view.local.day))
            rows.byte(UInt8(truncatingIfNeeded: view.local.hour))
            rows.byte(UInt8(truncatingIfNeeded: view.local.weekday))
            for value in [view.country, view.region, view.device, view.audioLang, view.subtitleLang] { rows.varint(text(value)) }
            rows.byte((view.started ? 1 : 0) | (view.failed ? 2 : 0) | (view.completed ? 4 : 0))
            let sum = view.watchSeconds.storedForm
            rows.varint(sum.partials.count)
            for partial in sum.partials { rows.uint64(partial.bitPattern) }
            if let special = sum.nonFinite {
                rows.byte(1)
                rows.uint64(special.bitPattern)
            } else {
                rows.byte(0)
            }
            rows.varint(view.reached)
        }
        out.varint(textList.count)
        for value in textList { out.text(value) }
        out.append(rows.bytes)
        for curves in [reach, playSteps] {
            out.varint(curves.count)
            for (title, counts) in curves.sorted(by: { $0.key < $1.key }) {
                out.varint(title)
                out.varint(counts.count)
                // Play steps go down as well as up.
                for count in counts { out.signed(Int64(count)) }
            }
        }
    }

    static func read(_ input: inout ByteReader, buckets: Int) throws(ByteReader.Overrun) -> PartialViews {
        var result = PartialViews()
        let titleCount = try input.count(atMost: input.remaining)
        for _ in 0..<titleCount {
            result.titles.append(ByteString(try input.text()))
            switch try input.byte() {
            case 0: result.runtimes.append(nil)
            case 1: result.runtimes.append(Double(bitPattern: try input.uint64()))
            default: throw ByteReader.Overrun()
            }
        }
        result.facts = try StoredTitleFacts.read(&input)
        result.unknownTitles = try input.count(atMost: Int(PartialResult.countLimit))
        result.duplicates = try input.count(atMost: Int(PartialResult.countLimit))
        let viewerCount = try input.count(atMost: input.remaining)
        for id in 0..<viewerCount {
            let range = try input.dataRange()
            let bytes = try input.bytes(range)
            // Ids are the order of first interning: each must come back as itself.
            let interned = bytes.withUnsafeBytes { result.viewers.intern($0) }
            guard interned == UInt32(id) else { throw ByteReader.Overrun() }
        }
        let textCount = try input.count(atMost: input.remaining)
        var texts: [String] = []
        for _ in 0..<textCount { texts.append(try input.text()) }
        // A view takes at least 16 bytes: no more views than that allows.
        let viewCount = try input.count(atMost: input.remaining / 16)
        result.views.reserveCapacity(viewCount)
        for _ in 0..<viewCount {
            let title = try input.count(atMost: titleCount - 1)
            // A view's title must have facts: the merge finds it by them.
            guard result.facts[result.titles[title]] != nil else { throw ByteReader.Overrun() }
            let viewer = try input.count(atMost: viewerCount - 1)
            // Times within the window events may have; the local day within
            // a day of the start's UTC day (no zone is a day away).
            let start = try input.signed()
            let length = try input.signed()
            guard start >= Timestamp.windowStart, start < Timestamp.windowEnd, length >= 0,
                  length < Timestamp.windowEnd - start
            else { throw ByteReader.Overrun() }
            let end = start + length
            let day = try input.signed()
            guard abs(day - start.floorDivided(by: 86_400_000)) <= 1 else { throw ByteReader.Overrun() }
            let hour = Int(try input.byte())
            let weekday = Int(try input.byte())
            guard hour < 24, (1...7).contains(weekday) else { throw ByteReader.Overrun() }
            var names: [String] = []
            for _ in 0..<5 { names.append(texts[try input.count(atMost: textCount - 1)]) }
            let flags = try input.byte()
            guard flags < 8 else { throw ByteReader.Overrun() }
            let partialCount = try input.count(atMost: 64)
            var partials: [Double] = []
            for _ in 0..<partialCount { partials.append(Double(bitPattern: try input.uint64())) }
            var special: Double?
            switch try input.byte() {
            case 0: break
            case 1: special = Double(bitPattern: try input.uint64())
            default: throw ByteReader.Overrun()
            }
            let reached = try input.count(atMost: buckets)
            result.views.append(ViewSummary(
                title: title, viewer: UInt32(viewer), start: start, end: end,
                local: LocalTime(day: Int(day), hour: hour, weekday: weekday),
                country: names[0], region: names[1], device: names[2], audioLang: names[3], subtitleLang: names[4],
                started: flags & 1 != 0, failed: flags & 2 != 0, completed: flags & 4 != 0,
                watchSeconds: ExactSum(storedPartials: partials, nonFinite: special), reached: reached))
        }
        for (curve, length) in [(0, buckets), (1, buckets + 1)] {
            let count = try input.count(atMost: titleCount)
            for _ in 0..<count {
                let title = try input.count(atMost: titleCount - 1)
                guard try input.count(atMost: length) == length else { throw ByteReader.Overrun() }
                var counts: [Int] = []
                counts.reserveCapacity(length)
                for _ in 0..<length {
                    // Bounded, so that adding up a million parts never overflows.
                    let count = try input.signed()
                    guard count.magnitude <= PartialResult.countLimit else { throw ByteReader.Overrun() }
                    counts.append(Int(count))
                }
                if curve == 0 { result.reach[title] = counts } else { result.playSteps[title] = counts }
            }
        }
        return result
    }
}
