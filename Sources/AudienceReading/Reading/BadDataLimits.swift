/// `--max-bad-rate R` and `--max-bad-lines N`: how much rejected data a run
/// accepts before it counts as failed. Both apply to each file and to the
/// run as a whole; a rejected line is one of the rejection reasons of
/// `quality.csv` (an `ignored_event` is not bad data, nor is a duplicate).
/// Passing a limit changes no table: every output is written, and the run
/// ends with its own exit status so that a scheduler notices.
public struct BadDataLimits: Sendable, Equatable {
    /// Largest share of rejected lines among lines, in [0, 1].
    public var maxRate: Double?
    /// Largest number of rejected lines.
    public var maxLines: Int?

    public init(maxRate: Double? = nil, maxLines: Int? = nil) {
        precondition(maxRate.map { $0 >= 0 && $0 <= 1 } ?? true, "a bad-line rate outside [0, 1]")
        precondition(maxLines.map { $0 >= 0 } ?? true, "a negative bad-line count")
        self.maxRate = maxRate
        self.maxLines = maxLines
    }

    public var isEmpty: Bool { maxRate == nil && maxLines == nil }

    /// One file (or the whole run, `file` nil) over a limit.
    public struct Breach: Sendable, Equatable, CustomStringConvertible {
        public var file: String?
        public var rejected: Int
        public var lines: Int
        /// Which limit: "max-bad-rate" or "max-bad-lines".
        public var limit: String

        public var rate: Double { lines == 0 ? 0 : Double(rejected) / Double(lines) }

        public var description: String {
            let what = file ?? "all files"
            return "\(what): \(rejected) of \(lines) lines rejected, over --\(limit)"
        }
    }

    /// The files, then the run, that pass a limit; empty when none does.
    public func breaches(_ files: [FileQuality]) -> [Breach] {
        guard !isEmpty else { return [] }
        var found: [Breach] = []
        var total = FileQuality(file: "")
        for file in files {
            found += breaches(of: file, named: file.file)
            total.add(file)
        }
        found += breaches(of: total, named: nil)
        return found
    }

    private func breaches(of quality: FileQuality, named name: String?) -> [Breach] {
        let rejected = quality.rejectedLines
        var found: [Breach] = []
        if let maxLines, rejected > maxLines {
            found.append(Breach(file: name, rejected: rejected, lines: quality.lines, limit: "max-bad-lines"))
        }
        if let maxRate, quality.lines > 0, Double(rejected) / Double(quality.lines) > maxRate {
            found.append(Breach(file: name, rejected: rejected, lines: quality.lines, limit: "max-bad-rate"))
        }
        return found
    }
}
