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
import AudienceStore

/// `--shard i/N` of a map step: of the inputs in byte order of their
/// names, those whose position is `i` modulo `N` (both from 0). Also the
/// `p/P` of a reduce step's `--part`.
public struct Shard: Sendable, Equatable {
    public let index: Int
    public let count: Int

    /// The environment variables an engine sets to a task's index, read
    /// for `--shard auto/N`, in this order.
    public static let indexVariables = ["JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "AWS_BATCH_JOB_ARRAY_INDEX"]

    public init(index: Int, count: Int) {
        precondition(count >= 1 && (0..<count).contains(index), "a shard outside 0..<count")
        self.index = index
        self.count = count
    }

    /// `i/N` or `auto/N` (the index from `environment`); a message for the
    /// user when it is neither.
    public init(parsing text: String, option: String, environment: [String: String]) throws(ShardError) {
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count == 2, let count = splitNumber(pieces[1]), count >= 1 else {
            throw ShardError(message: "\(option) must be i/N (0 ≤ i < N) or auto/N, not '\(text)'")
        }
        let index: Int
        if pieces[0] == "auto" {
            guard let (variable, value) = Self.indexVariables.lazy.compactMap({ name in environment[name].map { (name, $0) } }).first
            else {
                throw ShardError(message: "\(option) auto/\(count): none of \(Self.indexVariables.joined(separator: ", ")) is set")
            }
            guard let number = splitNumber(Substring(value)), number < count else {
                throw ShardError(message: "\(option) auto/\(count): \(variable)=\(value) is not a whole number from 0 to \(count - 1)")
            }
            index = number
        } else {
            guard let number = splitNumber(pieces[0]), number < count else {
                throw ShardError(message: "\(option) must be i/N with 0 ≤ i < N, not '\(text)'")
            }
            index = number
        }
        self.init(index: index, count: count)
    }

    /// The inputs of this shard: positions `index`, `index + count`, ... of
    /// the inputs in byte order of their names.
    public func select(_ inputs: [InputFile]) -> [InputFile] {
        let sorted = inputs.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return sorted.enumerated().filter { $0.offset % count == index }.map(\.element)
    }
}

/// Digits only (no sign, no spaces), at most a million: the numbers of
/// `--shard i/N` and `--part p/P`.
private func splitNumber(_ text: Substring) -> Int? {
    guard !text.isEmpty, text.count <= 7, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(text),
          value <= 1_000_000
    else { return nil }
    return value
}

public struct ShardError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension Analyzer {
    /// A reduce step: part `part` of `parts` of the view partitions of the
    /// stores, written as `PartialResult.fileName(part:of:)` in `folder`
    /// (created when missing), replacing a previous attempt.
    /// - Returns: the path written.
    public static func reduce(
        _ settings: AnalysisSettings, stores: [StoreLocation], part: Int, of parts: Int, into folder: String,
        sliceEvents: Int = StoreViews.defaultSliceEvents
    ) throws(SplitRunError) -> String {
        precondition(parts >= 1 && (0..<parts).contains(part), "a part outside 0..<parts")
        let snapshot: StoreSnapshot
        let views: PartialViews
        do throws(StoreError) {
            snapshot = try Store.snapshot(stores)
            views = try StoreViews.measure(
                snapshot, metrics: settings.metrics,
                partitions: StoreViews.partitions(part: part, of: parts, total: snapshot.partitions),
                threads: settings.read.threads, progress: settings.read.progress, sliceEvents: sliceEvents)
        } catch {
            throw SplitRunError.store(error)
        }
        // A stop leaves units unread: such a share must never be written.
        if settings.read.progress?.isStopRequested == true { throw SplitRunError.stopped }
        let metrics = settings.metrics
        let result = PartialResult(
            part: part, parts: parts,
            settings: PartialResult.Settings(
                buckets: metrics.buckets, completeAt: metrics.completeAt, timeZone: metrics.timeZone.description,
                from: metrics.window.fromText, to: metrics.window.toText, catalogPath: settings.catalogPath,
                catalog: metrics.catalog?.source),
            stores: stores.map(\.path), storePaths: stores.map { absolute($0.path) }, identity: snapshot.identity,
            partitions: snapshot.partitions, summary: snapshot.summary,
            files: part == 0 ? snapshot.files : nil, samples: part == 0 ? snapshot.samples : [], views: views)
        let target = (folder.hasSuffix("/") ? folder : folder + "/") + PartialResult.fileName(part: part, of: parts)
        do throws(StoreIOError) {
            try StoreFile.makeFolders(folder)
            try StoreFile.replace(target, with: result.fileBytes())
        } catch {
            throw SplitRunError.cannotWrite(path: error.path, problem: SystemError.describe(error.code))
        }
        return target
    }

    /// The partial results in `paths`: each a folder (its
    /// `*.audience-partial` files) or one such file.
    public static func partialResultFiles(_ paths: [String]) throws(SplitRunError) -> [String] {
        var files: [String] = []
        for path in paths {
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw SplitRunError.usage("no partial results at \(path): \(SystemError.describe(errno))")
            }
            if info.st_mode & S_IFMT != S_IFDIR {
                files.append(path)
                continue
            }
            guard let names = FolderListing.names(in: path) else {
                throw SplitRunError.usage("cannot list \(path): \(SystemError.describe(errno))")
            }
            let found = names.filter { $0.hasSuffix(PartialResult.fileSuffix) }.sorted()
            guard !found.isEmpty else {
                throw SplitRunError.usage("no partial results in \(path) (a reduce step writes part-p-of-P\(PartialResult.fileSuffix) files)")
            }
            files += found.map { (path.hasSuffix("/") ? path : path + "/") + $0 }
        }
        return files
    }

    /// A merge step: the report of the partial results at `paths` (folders
    /// or files), as `analyze --store` over the stores they read would
    /// write it. `settings` gives the report's own options (`--rejects`,
    /// `--level`, threads); the tables' settings come from the parts.
    public static func merge(_ paths: [String], settings base: AnalysisSettings) throws(SplitRunError) -> AnalysisResult {
        let clock = ContinuousClock()
        let start = clock.now
        let files = try partialResultFiles(paths)
        var parts: [(path: String, result: PartialResult)] = []
        for file in files { parts.append((file, try PartialResult.read(path: file))) }
        guard let first = parts.first else { throw SplitRunError.usage("no partial results given") }

        // One split, one setting, one set of stores, every part once.
        for (path, result) in parts.dropFirst() {
            if result.parts != first.result.parts {
                throw SplitRunError.usage(
                    "the partial results come from different splits: \(first.path) is part \(first.result.part) of \(first.result.parts), \(path) part \(result.part) of \(result.parts)")
            }
            if let difference = Self.difference(first.result.settings, result.settings) {
                throw SplitRunError.usage("the partial results were made with different settings: \(difference) (\(first.path), \(path)); run the reduce steps again with the same settings")
            }
            if result.identity != first.result.identity || result.partitions != first.result.partitions {
                throw SplitRunError.usage(
                    "\(first.path) and \(path) read different stores, or the stores changed between the reduce steps (\(first.result.stores.joined(separator: ", ")) against \(result.stores.joined(separator: ", "))); run every reduce step again over the same stores")
            }
        }
        var byPart = [String?](repeating: nil, count: first.result.parts)
        for (path, result) in parts {
            if let other = byPart[result.part] {
                throw SplitRunError.usage("part \(result.part) of \(result.parts) is given twice: \(other) and \(path)")
            }
            byPart[result.part] = path
        }
        let missing = byPart.indices.filter { byPart[$0] == nil }
        if !missing.isEmpty {
            let list = missing.prefix(20).map(String.init).joined(separator: ", ") + (missing.count > 20 ? ", ..." : "")
            throw SplitRunError.usage(
                "\(missing.count) of \(first.result.parts) parts are missing (part \(list)); run their reduce steps (analyze --store ... --part p/\(first.result.parts) --partial DIR) and merge again")
        }
        parts.sort { $0.result.part < $1.result.part }
        var head = parts[0].result
        guard let quality = head.files else {
            throw SplitRunError.damaged(path: parts[0].path, problem: "part 0 holds no quality account")
        }
        let headPath = parts[0].path
        // The views move to the merge, which lets each part's go once copied.
        var shares: [PartialViews] = []
        for index in parts.indices {
            shares.append(parts[index].result.views)
            parts[index].result.views = .empty
        }
        head.views = .empty
        parts = []

        var settings = base
        settings.inputs = []
        settings.metrics = try metricSettings(head.settings, path: headPath)
        settings.catalogPath = head.settings.catalogPath
        let metrics = settings.metrics
        let threads = settings.read.threads
        let progress = settings.read.progress
        let (views, duplicates): (ViewSet, Int)
        do throws(StoreError) {
            (views, duplicates) = try StoreViews.merge(consume shares, metrics: metrics) { titles, ids, only throws(StoreError) in
                // The guessed runtime of a title was wrong: its views are
                // measured again from the stores, which must be as the
                // reduce steps saw them.
                let snapshot = try Store.snapshot(head.storePaths.map(StoreLocation.init))
                guard snapshot.identity == head.identity else {
                    throw StoreError.usage(
                        "the stores \(head.storePaths.joined(separator: ", ")) changed since the reduce steps read them; run every reduce step again, then merge")
                }
                return try StoreViews.remeasure(snapshot, metrics: metrics, titles: titles, ids: ids, only: only,
                                                threads: threads, progress: progress)
            }
        } catch {
            throw SplitRunError.store(error)
        }
        let read = ReadResult(
            files: quality, samples: Store.limitSamples(head.samples, to: settings.read.rejectSampleLimit),
            events: DeduplicatedEvents(EventStore()), duplicates: duplicates, parseSeconds: (clock.now - start).seconds,
            mergeSeconds: 0)
        var result = report(settings, read: read, views: views, readSeconds: (clock.now - start).seconds)
        result.store = head.summary
        return result
    }

    /// The first setting two parts differ in, named as the option that sets it.
    private static func difference(_ a: PartialResult.Settings, _ b: PartialResult.Settings) -> String? {
        if a.buckets != b.buckets { return "--buckets \(a.buckets) and \(b.buckets)" }
        if a.completeAt.bitPattern != b.completeAt.bitPattern { return "--complete-at \(a.completeAt) and \(b.completeAt)" }
        if a.timeZone != b.timeZone { return "--timezone \(a.timeZone) and \(b.timeZone)" }
        if a.from != b.from { return "--from \(a.from ?? "(none)") and \(b.from ?? "(none)")" }
        if a.to != b.to { return "--to \(a.to ?? "(none)") and \(b.to ?? "(none)")" }
        if a.catalog != b.catalog {
            return "--catalog \(a.catalogPath ?? "(none)") and \(b.catalogPath ?? "(none)") (other contents)"
        }
        return nil
    }

    /// The tables' settings a part recorded, rebuilt.
    private static func metricSettings(_ recorded: PartialResult.Settings, path: String) throws(SplitRunError) -> MetricSettings {
        guard let zone = ReportTimeZone(recorded.timeZone) else {
            throw SplitRunError.usage("\(path) was made with --timezone \(recorded.timeZone), which this machine's time zone database does not know")
        }
        let window: DayWindow
        do {
            window = try DayWindow(from: recorded.from, to: recorded.to)
        } catch {
            throw SplitRunError.damaged(path: path, problem: "its window: \(error.message)")
        }
        var catalog: Catalog?
        if let bytes = recorded.catalog {
            do {
                catalog = try Catalog(bytes: bytes, path: recorded.catalogPath ?? "catalog")
            } catch {
                throw SplitRunError.damaged(path: path, problem: "its catalog: \(error.description)")
            }
        }
        return MetricSettings(
            buckets: recorded.buckets, completeAt: recorded.completeAt, timeZone: zone, catalog: catalog, window: window)
    }

    /// A path made absolute against the working folder (not resolved: a
    /// link stays a link).
    private static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        guard let here = getcwd(nil, 0) else { return path }
        defer { free(here) }
        return String(cString: here) + "/" + path
    }
}
