/// What became of the lines of one input file: a row of `quality.csv`.
public struct FileQuality: Sendable, Equatable {
    public var file: String
    /// Bytes read from disk (compressed bytes for a gzip file).
    public var bytesRead: Int64 = 0
    /// Non-blank lines, headers excluded; each is accepted or lands in one reason.
    public var lines = 0
    public var accepted = 0
    /// Indexed by `SkipReason.rawValue`.
    public var rejected = [Int](repeating: 0, count: SkipReason.allCases.count)
    public var damage: FileDamage?

    public init(file: String) {
        self.file = file
    }

    public subscript(reason: SkipReason) -> Int {
        get { rejected[reason.rawValue] }
        set { rejected[reason.rawValue] = newValue }
    }

    /// Lines rejected for any reason (not those skipped as `ignored_event`).
    public var rejectedLines: Int {
        SkipReason.rejections.reduce(0) { $0 + self[$1] }
    }

    /// Adds another part's counts (same file, another stretch of lines).
    package mutating func add(_ other: FileQuality) {
        bytesRead += other.bytesRead
        lines += other.lines
        accepted += other.accepted
        for index in rejected.indices { rejected[index] += other.rejected[index] }
        if damage == nil { damage = other.damage }
    }
}

/// One rejected line, as `rejects.csv` shows it.
public struct RejectSample: Sendable, Equatable {
    public var file: String
    public var line: Int
    public var reason: SkipReason
    /// What is wrong, naming the field and the value.
    public var detail: String
    /// The line's first 200 bytes (invalid UTF-8 shown as U+FFFD).
    public var text: String

    package init(file: String, line: Int, reason: SkipReason, detail: String, text: String) {
        self.file = file
        self.line = line
        self.reason = reason
        self.detail = detail
        self.text = text
    }
}
