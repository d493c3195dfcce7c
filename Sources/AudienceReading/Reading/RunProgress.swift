import Synchronization

/// What a run has done so far, for a progress line, and whether it was
/// asked to stop. Workers add to it as they go (relaxed atomics: the figures
/// are for people, read a few times a second); the run's results never
/// depend on it.
public final class RunProgress: Sendable {
    /// What the run is doing after reading.
    public enum Phase: Int, Sendable {
        case reading, merging, metrics, writing
    }

    public let totalFiles: Int
    /// Bytes of the inputs on disk; nil when unknown (standard input, pipes).
    public let totalBytes: Int64?
    private let files = Atomic<Int>(0)
    private let bytes = Atomic<Int64>(0)
    private let lines = Atomic<Int>(0)
    private let phaseValue = Atomic<Int>(Phase.reading.rawValue)
    private let stop = Atomic<Bool>(false)

    public init(files: [InputFile]) {
        totalFiles = files.count
        var total: Int64 = 0
        var known = true
        for file in files {
            guard let path = file.path, let identity = FileIdentity(path), identity.isRegular else {
                known = false
                continue
            }
            total += identity.size
        }
        totalBytes = known ? total : nil
    }

    public var filesDone: Int { files.load(ordering: .relaxed) }
    public var bytesRead: Int64 { bytes.load(ordering: .relaxed) }
    public var linesRead: Int { lines.load(ordering: .relaxed) }
    public var phase: Phase { Phase(rawValue: phaseValue.load(ordering: .relaxed)) ?? .reading }

    /// Set by a signal handler: reading stops at the next chunk, and the
    /// caller writes nothing.
    public var isStopRequested: Bool { stop.load(ordering: .relaxed) }
    public func requestStop() { stop.store(true, ordering: .relaxed) }

    package func fileDone() { files.add(1, ordering: .relaxed) }
    func add(bytes count: Int) { bytes.add(Int64(count), ordering: .relaxed) }
    func add(lines count: Int) { lines.add(count, ordering: .relaxed) }
    public func enter(_ phase: Phase) { phaseValue.store(phase.rawValue, ordering: .relaxed) }

    /// Lines are handed on in batches of this many, so counting costs nothing.
    static let lineBatch = 1 << 16
}
