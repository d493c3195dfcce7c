import ArgumentParser
import AudienceKit
import Foundation

/// `--progress`: when a progress line is shown on standard error.
enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
    /// On a terminal only, redrawn in place.
    case auto
    /// Also when standard error is a file or a pipe: a plain line every few seconds.
    case always
    case never
}

/// The progress line on standard error: redrawn in place on a terminal (at
/// most five times a second), else one plain line at the start and then
/// every five seconds, so logs stay small. Never on standard output.
struct ProgressLine {
    let inPlace: Bool
    let enabled: Bool
    private var last: ContinuousClock.Instant?
    private var drawn = false

    init(mode: ProgressMode) {
        inPlace = isatty(STDERR_FILENO) == 1
        enabled = mode == .always || (mode == .auto && inPlace)
    }

    mutating func show(_ text: String, force: Bool = false) {
        guard enabled else { return }
        let now = ContinuousClock.now
        if !force, let last, now - last < (inPlace ? .milliseconds(200) : .seconds(5)) { return }
        last = now
        if inPlace {
            RunLog.emit("\r" + text + "\u{1B}[K", newline: false)
        } else if RunLog.format == .json {
            RunLog.info(text)
        } else {
            RunLog.emit(text)
        }
        drawn = true
    }

    /// Clears the line on a terminal, so what follows stands alone.
    mutating func finish() {
        guard enabled, inPlace, drawn else { return }
        RunLog.emit("\r\u{1B}[K", newline: false)
        drawn = false
    }
}

/// Shows an analysis's progress from a timer while the engine works on the
/// calling thread: files and bytes read of the total, lines per second, the
/// time so far and an estimate of the time left; then the phase after reading.
final class AnalysisProgress: @unchecked Sendable {
    private let progress: RunProgress
    private let lock = NSLock()
    private var line: ProgressLine
    private let started = ContinuousClock.now
    private var timer: DispatchSourceTimer?

    init(_ progress: RunProgress, mode: ProgressMode) {
        self.progress = progress
        line = ProgressLine(mode: mode)
    }

    func start() {
        guard line.enabled else { return }
        let timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        timer.schedule(deadline: .now(), repeating: .milliseconds(200))
        timer.setEventHandler { [weak self] in self?.tick() }
        timer.resume()
        self.timer = timer
    }

    func stop() {
        timer?.cancel()
        timer = nil
        lock.lock()
        line.finish()
        lock.unlock()
    }

    private func tick() {
        let text = Self.describe(progress, elapsed: (ContinuousClock.now - started).seconds)
        lock.lock()
        line.show(text)
        lock.unlock()
    }

    static func describe(_ progress: RunProgress, elapsed: Double) -> String {
        let clock = "\(duration(elapsed)) elapsed"
        switch progress.phase {
        case .merging: return "merging and removing duplicates, \(clock)"
        case .metrics: return "computing the tables, \(clock)"
        case .writing: return "writing the tables and the report, \(clock)"
        case .reading: break
        }
        let bytes = progress.bytesRead
        var parts = ["reading: \(progress.filesDone) of \(progress.totalFiles) files"]
        if let total = progress.totalBytes, total > 0 {
            parts.append("\(megabytes(bytes)) of \(megabytes(total)) MB")
        } else {
            parts.append("\(megabytes(bytes)) MB")
        }
        // A rate over the first instants says nothing.
        if elapsed >= 1 { parts.append("\(Int((Double(progress.linesRead) / elapsed).rounded())) lines/s") }
        parts.append(clock)
        if let total = progress.totalBytes, bytes > 0, elapsed > 1 {
            let left = elapsed * Double(max(0, total - bytes)) / Double(bytes)
            parts.append("about \(duration(left)) left")
        }
        return parts.joined(separator: ", ")
    }

    private static func megabytes(_ bytes: Int64) -> String {
        String(format: "%.1f", Double(bytes) / 1_048_576)
    }

    private static func duration(_ seconds: Double) -> String {
        let whole = Int(min(max(seconds, 0), 359_999).rounded())
        let (hours, minutes, rest) = (whole / 3600, whole / 60 % 60, whole % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, rest) : String(format: "%d:%02d", minutes, rest)
    }
}
