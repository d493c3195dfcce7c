import AudienceCore
import AudienceReading

/// How SQLite makes a commit atomic, chosen when the store is made and
/// kept by the database file.
public enum LedgerJournal: Sendable {
    /// Write-ahead log: readers never wait for the writer. Every process
    /// that opens the ledger must run on one machine.
    case wal
    /// Rollback journal: a reader may wait (up to the busy timeout) for
    /// a commit, but processes on several machines may read the ledger
    /// over a network file system, as the reduce steps of a split run do.
    case rollback
}

/// The ledger: which file versions a store holds, where their events lie,
/// and which runs put them there, in SQLite (`ledger.sqlite`; a report
/// reads the last committed state while an ingest writes).
/// `docs/store.md` documents every table and column.
final class StoreLedger {
    /// Version 1: the tables below.
    static let schemaVersion = 1
    let path: String
    private let database: SQLiteDatabase

    /// A row of `files` as the engine uses it.
    struct FileRow: Sendable, Equatable {
        var versionID: Int64
        var name: String
        var sha256: String
        var segment: String
        var events: Int
    }

    enum OpenMode { case read, write }

    /// `journal` sets the journal of a ledger opened to write; nil keeps
    /// the one it has.
    init(path: String, mode: OpenMode, journal: LedgerJournal? = nil) throws(SQLiteError) {
        self.path = path
        database = mode == .read ? try Self.openToRead(path) : try SQLiteDatabase(path: path, mode: .readWriteCreate)
        try database.keepWALFiles()
        if mode == .write {
            switch journal {
            case .wal: try database.execute("PRAGMA journal_mode=WAL;")
            case .rollback: try database.execute("PRAGMA journal_mode=DELETE;")
            case nil: break
            }
            try database.execute("PRAGMA synchronous=FULL;")
            try database.execute(Self.schema)
        }
    }

    /// A report only reads the ledger, but opens it read-write where it
    /// may: SQLite then rolls back what a writer killed in the middle of a
    /// commit left (a hot rollback journal, on which a read-only connection
    /// can only fail). Where the store cannot be written (no permission, a
    /// read-only mount), read-only: a WAL ledger's `-wal` and `-shm` files,
    /// which every connection keeps (`keepWALFiles`), let it read; and on a
    /// read-only file system without them, where no writer can be at work,
    /// as an immutable file.
    private static func openToRead(_ path: String) throws(SQLiteError) -> SQLiteDatabase {
        func opened(_ mode: SQLiteDatabase.Mode) throws(SQLiteError) -> SQLiteDatabase {
            let database = try SQLiteDatabase(path: path, mode: mode)
            try database.execute("SELECT count(*) FROM sqlite_master;")
            return database
        }
        do {
            return try opened(.readWrite)
        } catch where error.isReadOnly {}
        do {
            return try opened(.readOnly)
        } catch where error.isReadOnly && StoreFile.isOnReadOnlyFileSystem(path) && !StoreFile.holdsBytes(path + "-wal") {}
        // Immutable ignores a WAL: only with none that holds commits.
        return try opened(.immutable)
    }

    /// Whether the ledger records any file version (read as it is, checked
    /// or not: for telling a store that never was from a damaged one).
    func hasFiles() throws(SQLiteError) -> Bool {
        let statement = try database.prepare("SELECT count(*) FROM files;")
        return try statement.step() && statement.int64(0) > 0
    }

    /// Whether the ledger holds its tables: a store whose first ingest was
    /// killed before its first commit may hold a file without them.
    func hasTables() throws(SQLiteError) -> Bool {
        let statement = try database.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'files';")
        return try statement.step() && statement.int64(0) > 0
    }

    static let schema = """
        CREATE TABLE IF NOT EXISTS store (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS runs (
            run_id TEXT PRIMARY KEY,
            command TEXT NOT NULL,
            command_line TEXT NOT NULL,
            audience_version TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT NOT NULL,
            exit_status INTEGER NOT NULL,
            files_added INTEGER NOT NULL,
            files_replaced INTEGER NOT NULL,
            files_unchanged INTEGER NOT NULL,
            files_refused INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS files (
            version_id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            run_id TEXT NOT NULL,
            ingested_at TEXT NOT NULL,
            lines INTEGER NOT NULL,
            accepted INTEGER NOT NULL,
            ignored_event INTEGER NOT NULL,
            malformed INTEGER NOT NULL,
            missing_field INTEGER NOT NULL,
            bad_timestamp INTEGER NOT NULL,
            bad_number INTEGER NOT NULL,
            bad_segment INTEGER NOT NULL,
            error TEXT,
            events INTEGER NOT NULL,
            status TEXT NOT NULL,
            replaced_by INTEGER,
            note TEXT,
            segment TEXT,
            row_check INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS files_by_name ON files(name, status);
        CREATE TABLE IF NOT EXISTS segments (
            segment TEXT PRIMARY KEY,
            bytes INTEGER NOT NULL,
            files INTEGER NOT NULL,
            events INTEGER NOT NULL,
            run_id TEXT NOT NULL,
            retired_at TEXT
        );
        """

    // MARK: Store facts

    func value(_ key: String) throws(SQLiteError) -> String? {
        let statement = try database.prepare("SELECT value FROM store WHERE key = ?")
        try statement.bind(key, at: 1)
        return try statement.step() ? statement.text(0) : nil
    }

    func setValue(_ value: String, for key: String) throws(SQLiteError) {
        let statement = try database.prepare("INSERT INTO store(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        try statement.bind(key, at: 1)
        try statement.bind(value, at: 2)
        _ = try statement.step()
    }

    /// A write transaction; before it commits, the check of the whole
    /// `files` table is brought up to date (`filesCheck`).
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try database.transaction(immediate: true) {
            let value = try body()
            try setValue(try filesCheck(), for: "files_check")
            return value
        }
    }

    /// The number of rows of `files` and the sum of their checks: a row
    /// deleted, added or altered behind the ledger's back changes it.
    private func filesCheck() throws -> String {
        let statement = try database.prepare("SELECT count(*), coalesce(sum(row_check), 0) FROM files")
        guard try statement.step() else { return "0:0" }
        return "\(statement.int64(0)):\(statement.int64(1))"
    }

    /// Reads in one snapshot.
    func snapshot<T>(_ body: () throws -> T) throws -> T {
        try database.transaction(immediate: false, body)
    }

    // MARK: Files

    /// The check of a row's identity: CRC-32 of the fields a report depends
    /// on, so an altered ledger is found rather than believed.
    static func rowCheck(versionID: Int64, name: String, sha256: String, segment: String?, status: String, events: Int) -> Int64 {
        let text = "\(versionID)\u{1F}\(name)\u{1F}\(sha256)\u{1F}\(segment ?? "")\u{1F}\(status)\u{1F}\(events)"
        return Int64(Checksum.crc32(Array(text.utf8)))
    }

    /// The statuses a row may have.
    static let statuses: Set<String> = ["current", "replaced", "removed", "refused"]

    /// The current version of every name, in byte order of the names.
    /// Every row is checked, not only the current ones: an altered status
    /// must not make a file silently drop out of a report. Throws
    /// `LedgerDamage` for a row whose check fails.
    func currentFiles() throws -> [FileRow] {
        let statement = try database.prepare(
            "SELECT version_id, name, sha256, segment, events, status, row_check FROM files")
        var rows: [FileRow] = []
        while try statement.step() {
            let status = statement.text(5)
            let segment = statement.isNull(3) ? nil : statement.text(3)
            let row = FileRow(
                versionID: statement.int64(0), name: statement.text(1), sha256: statement.text(2),
                segment: segment ?? "", events: Int(statement.int64(4)))
            let check = Self.rowCheck(
                versionID: row.versionID, name: row.name, sha256: row.sha256, segment: segment, status: status,
                events: row.events)
            guard Self.statuses.contains(status), statement.int64(6) == check, status != "current" || segment != nil else {
                throw LedgerDamage(detail: "the row of version \(row.versionID) (\(row.name)) fails its check")
            }
            if status == "current" { rows.append(row) }
        }
        guard try value("files_check") == (try filesCheck()) else {
            throw LedgerDamage(detail: "its table of files does not match its own check (a row was removed, added or altered)")
        }
        rows.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        for (a, b) in zip(rows, rows.dropFirst()) where a.name.sameBytes(b.name) {
            throw LedgerDamage(detail: "two current versions of \(a.name)")
        }
        return rows
    }

    /// SQLite's own check of the ledger file; nil when it is whole.
    func integrityProblem() throws -> String? {
        let results = try database.prepare("PRAGMA integrity_check").rows { $0.text(0) }
        return results == ["ok"] ? nil : results.prefix(3).joined(separator: "; ")
    }

    struct NewFile {
        var file: StoredFile
        var runID: String
        var ingestedAt: String
        var segment: String?
        /// 'current' or 'refused'.
        var status: String
        var note: String?
    }

    /// Adds a version; a current one of the same name becomes `replaced`.
    @discardableResult
    func add(_ new: NewFile) throws -> Int64 {
        let quality = new.file.quality
        let insert = try database.prepare("""
            INSERT INTO files(name, size_bytes, sha256, run_id, ingested_at, lines, accepted, ignored_event, malformed,
                missing_field, bad_timestamp, bad_number, bad_segment, error, events, status, note, segment, row_check)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
            """)
        var values: [SQLiteValue] = [
            .text(new.file.name), .integer(quality.bytesRead), .text(SHA256.hex(new.file.digest)), .text(new.runID),
            .text(new.ingestedAt), .integer(Int64(quality.lines)), .integer(Int64(quality.accepted)),
        ]
        values += SkipReason.allCases.map { .integer(Int64(quality[$0])) }
        values += [
            quality.damage.map { .text($0.description) } ?? .null, .integer(Int64(new.file.events)), .text(new.status),
            new.note.map { .text($0) } ?? .null, new.segment.map { .text($0) } ?? .null,
        ]
        try insert.bind(values)
        _ = try insert.step()
        let id = database.lastInsertRowID
        let check = Self.rowCheck(
            versionID: id, name: new.file.name, sha256: SHA256.hex(new.file.digest), segment: new.segment,
            status: new.status, events: new.file.events)
        try run("UPDATE files SET row_check = ? WHERE version_id = ?", [.integer(check), .integer(id)])
        if new.status == "current" {
            try setStatus(of: new.file.name, except: id, to: "replaced", replacedBy: id, note: nil)
        }
        return id
    }

    /// Marks the current version of `name` (other than `except`) with
    /// `status`, re-checking its row.
    func setStatus(of name: String, except: Int64?, to status: String, replacedBy: Int64?, note: String?) throws {
        let select = try database.prepare(
            "SELECT version_id, sha256, segment, events FROM files WHERE name = ? AND status = 'current'")
        try select.bind(name, at: 1)
        var targets: [(Int64, String, String?, Int)] = []
        while try select.step() {
            targets.append((select.int64(0), select.text(1), select.isNull(2) ? nil : select.text(2), Int(select.int64(3))))
        }
        for (id, sha, segment, events) in targets where id != except {
            let check = Self.rowCheck(versionID: id, name: name, sha256: sha, segment: segment, status: status, events: events)
            try run(
                "UPDATE files SET status = ?, replaced_by = ?, note = COALESCE(?, note), row_check = ? WHERE version_id = ?",
                [.text(status), replacedBy.map { .integer($0) } ?? .null, note.map { .text($0) } ?? .null,
                 .integer(check), .integer(id)])
        }
    }

    /// Moves current versions to another segment (compaction).
    func move(versionID: Int64, name: String, sha256: String, events: Int, to segment: String) throws {
        let check = Self.rowCheck(versionID: versionID, name: name, sha256: sha256, segment: segment, status: "current", events: events)
        try run("UPDATE files SET segment = ?, row_check = ? WHERE version_id = ?",
                [.text(segment), .integer(check), .integer(versionID)])
    }

    // MARK: Segments and runs

    /// Records a segment written at `StoreFormat.version`, and raises the
    /// store's format to it in the same transaction: from the moment the
    /// segment is visible, an `audience` made for an older format refuses
    /// the store rather than misreading it (ingest and compaction alike).
    func addSegment(_ name: String, bytes: Int, files: Int, events: Int, runID: String) throws {
        try run("INSERT INTO segments(segment, bytes, files, events, run_id) VALUES (?, ?, ?, ?, ?)",
                [.text(name), .integer(Int64(bytes)), .integer(Int64(files)), .integer(Int64(events)), .text(runID)])
        if let text = try value("format_version"), let version = Int(text), version < StoreFormat.version {
            try setValue(String(StoreFormat.version), for: "format_version")
        }
    }

    /// Marks every segment that holds no current version as retired.
    func retireUnusedSegments(at time: String) throws {
        try run("""
            UPDATE segments SET retired_at = ? WHERE retired_at IS NULL
              AND segment NOT IN (SELECT segment FROM files WHERE status = 'current' AND segment IS NOT NULL)
            """, [.text(time)])
    }

    func retiredSegments() throws -> [String] {
        try database.prepare("SELECT segment FROM segments WHERE retired_at IS NOT NULL").rows { $0.text(0) }
    }

    func liveSegments() throws -> [(name: String, bytes: Int, events: Int)] {
        try database.prepare("SELECT segment, bytes, events FROM segments WHERE retired_at IS NULL ORDER BY segment")
            .rows { ($0.text(0), Int($0.int64(1)), Int($0.int64(2))) }
    }

    func knownSegments() throws -> Set<String> {
        Set(try database.prepare("SELECT segment FROM segments").rows { $0.text(0) })
    }

    func forgetSegment(_ name: String) throws {
        try run("DELETE FROM segments WHERE segment = ?", [.text(name)])
    }

    struct RunRow {
        var runID: String
        var command: String
        var commandLine: String
        var startedAt: String
        var endedAt: String
        var exitStatus: Int32
        var added = 0, replaced = 0, unchanged = 0, refused = 0
    }

    func addRun(_ row: RunRow) throws {
        try run("""
            INSERT INTO runs(run_id, command, command_line, audience_version, started_at, ended_at, exit_status,
                files_added, files_replaced, files_unchanged, files_refused) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(row.runID), .text(row.command), .text(row.commandLine), .text(AudienceVersion.current),
                  .text(row.startedAt), .text(row.endedAt), .integer(Int64(row.exitStatus)),
                  .integer(Int64(row.added)), .integer(Int64(row.replaced)), .integer(Int64(row.unchanged)),
                  .integer(Int64(row.refused))])
    }

    /// Every version ever ingested, for `store list`.
    func allFiles() throws -> [StoreListing.Entry] {
        let statement = try database.prepare("""
            SELECT f.version_id, f.name, f.size_bytes, f.sha256, f.run_id, f.ingested_at, f.lines, f.accepted,
                   f.events, f.error, f.status, f.note, f.segment
            FROM files f ORDER BY f.name, f.version_id
            """)
        return try statement.rows { row in
            StoreListing.Entry(
                versionID: row.int64(0), name: row.text(1), sizeBytes: row.int64(2), sha256: row.text(3),
                runID: row.text(4), ingestedAt: row.text(5), lines: Int(row.int64(6)), accepted: Int(row.int64(7)),
                events: Int(row.int64(8)), error: row.isNull(9) ? nil : row.text(9), status: row.text(10),
                note: row.isNull(11) ? nil : row.text(11), segment: row.isNull(12) ? nil : row.text(12))
        }
    }

    private func run(_ sql: String, _ values: [SQLiteValue]) throws {
        let statement = try database.prepare(sql)
        try statement.bind(values)
        _ = try statement.step()
    }
}

/// A ledger whose content fails its own checks.
struct LedgerDamage: Error, CustomStringConvertible {
    var detail: String
    package var description: String { detail }
}

/// What `store list` shows.
public enum StoreListing {
    public struct Entry: Sendable, Equatable {
        public var versionID: Int64
        public var name: String
        public var sizeBytes: Int64
        public var sha256: String
        public var runID: String
        public var ingestedAt: String
        public var lines: Int
        public var accepted: Int
        public var events: Int
        public var error: String?
        /// current, replaced, removed or refused.
        public var status: String
        public var note: String?
        public var segment: String?
    }
}
