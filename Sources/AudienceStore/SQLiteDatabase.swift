#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CSQLite

// A small wrapper over the system SQLite for the store's ledger: typed errors
// that say what kind of failure it was (a full disk, a lock, a damaged file,
// no permission), statements that cannot outlive their connection, and no
// force unwraps. One connection is used by one thread at a time.

/// A failed SQLite call, with what the store needs to decide what to tell
/// people: the `is…` properties group result codes by what can be done.
struct SQLiteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The extended result code (`SQLITE_IOERR_WRITE`, …); its low byte is `code`.
    var extendedCode: Int32
    package var message: String
    /// The database file, as given to `SQLiteDatabase.init`.
    var path: String
    /// `errno` of the failed system call behind an I/O error, else 0: an
    /// `SQLITE_IOERR` caused by `ENOSPC` is a full disk too.
    var systemErrno: Int32

    init(extendedCode: Int32, message: String, path: String, systemErrno: Int32 = 0) {
        self.extendedCode = extendedCode
        self.message = message
        self.path = path
        self.systemErrno = systemErrno
    }

    /// The primary result code (`SQLITE_BUSY`, …).
    var code: Int32 { extendedCode & 0xff }

    /// The disk or the quota is full (or `max_page_count` is reached): free space and try again.
    var isFull: Bool {
        code == SQLITE_FULL || (code == SQLITE_IOERR && (systemErrno == ENOSPC || systemErrno == EDQUOT))
    }

    /// Another connection holds the lock longer than the busy timeout.
    var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }

    /// The file is not a database, or its contents are damaged.
    var isDamaged: Bool { code == SQLITE_CORRUPT || code == SQLITE_NOTADB || code == SQLITE_FORMAT }

    /// The file cannot be written (opened read-only, or no permission) or opened at all.
    var isReadOnly: Bool {
        code == SQLITE_READONLY || code == SQLITE_CANTOPEN || code == SQLITE_PERM || code == SQLITE_AUTH
    }

    package var description: String {
        var text = "\(path): \(message) (SQLite result code \(extendedCode)"
        if systemErrno != 0 { text += ", errno \(systemErrno)" }
        return text + ")"
    }

    /// The error `result` (returned by a call on `handle`) stands for, with
    /// the connection's message when that message belongs to `result`.
    init(result: Int32, handle: OpaquePointer?, path: String) {
        var extended = result
        var message: String?
        if let handle {
            // sqlite3_errmsg describes the connection's latest failure; use
            // it only when that failure is this one.
            let latest = sqlite3_extended_errcode(handle)
            if latest == result || latest & 0xff == result {
                extended = latest
                message = sqlite3_errmsg(handle).map { String(cString: $0) }
            }
        }
        let primary = extended & 0xff
        // sqlite3_system_errno keeps the last failed system call's errno,
        // which is stale unless this error came from the operating system.
        let fromSystem = primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_CANTOPEN
        self.init(
            extendedCode: extended,
            message: message ?? sqlite3_errstr(extended).map { String(cString: $0) } ?? "SQLite result code \(extended)",
            path: path,
            systemErrno: fromSystem ? handle.map { sqlite3_system_errno($0) } ?? 0 : 0
        )
    }
}

/// A value as SQLite stores it, for binding a row's parameters in one call.
enum SQLiteValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// One connection to a database file. Not `Sendable`: it is opened with
/// `SQLITE_OPEN_NOMUTEX`, so one thread at a time may use it and the
/// statements it prepared.
final class SQLiteDatabase {
    enum Mode: Sendable {
        case readOnly
        /// The file must exist.
        case readWrite
        case readWriteCreate
        /// Read-only, and sure that nothing changes the file while it is
        /// open (SQLite's `immutable`): no locks, no journal, no WAL files.
        case immutable
    }

    let path: String
    /// The `sqlite3 *`; closed in `deinit`, after every statement (each keeps its connection alive).
    fileprivate let handle: OpaquePointer

    /// Opens `path`. A lock held by another connection is waited for up to
    /// `busyTimeoutMilliseconds` (0: fail at once with `isBusy`).
    init(path: String, mode: Mode, busyTimeoutMilliseconds: Int32 = 5000) throws(SQLiteError) {
        self.path = path
        guard !path.utf8.contains(0) else {
            // The C string would end at the NUL and name another file.
            throw SQLiteError(extendedCode: SQLITE_CANTOPEN, message: "the path holds a NUL byte", path: path)
        }
        var flags = SQLITE_OPEN_NOMUTEX | AUDIENCE_SQLITE_OPEN_EXRESCODE
        var name = path
        switch mode {
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        case .readWriteCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .immutable:
            flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI
            name = "file:" + Self.uriPath(path) + "?immutable=1"
        }
        var opened: OpaquePointer?
        let result = sqlite3_open_v2(name, &opened, flags, nil)
        guard result == SQLITE_OK, let opened else {
            // A handle comes back even on failure (except out of memory): it
            // holds the message and must be closed.
            let error = SQLiteError(result: result == SQLITE_OK ? SQLITE_NOMEM : result, handle: opened, path: path)
            sqlite3_close_v2(opened)
            throw error
        }
        handle = opened
        sqlite3_extended_result_codes(opened, 1)
        sqlite3_busy_timeout(opened, busyTimeoutMilliseconds)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Keeps a WAL database's `-wal` and `-shm` files when the last
    /// connection closes (SQLite would delete them): a reader that may not
    /// create them, one without write permission, can then still read. The
    /// WAL is cut to nothing once checkpointed (`journal_size_limit` 0), so
    /// that the database file alone holds every committed page, as it did
    /// when the WAL went: a damaged database file is not hidden by copies
    /// of its pages left in the WAL.
    func keepWALFiles() throws(SQLiteError) {
        var on: Int32 = 1
        sqlite3_file_control(handle, "main", SQLITE_FCNTL_PERSIST_WAL, &on)
        try execute("PRAGMA journal_size_limit=0;")
    }

    /// `path` as the path of a `file:` URI: `%`, `?` and `#` (which would
    /// end the path or start an escape) percent-encoded, every other byte
    /// as it is.
    static func uriPath(_ path: String) -> String {
        var out = ""
        // "file://x" would name a host: one leading slash means the same path.
        var path = Substring(path)
        while path.hasPrefix("//") { path.removeFirst() }
        for scalar in path.unicodeScalars {
            switch scalar {
            case "%": out += "%25"
            case "?": out += "%3F"
            case "#": out += "%23"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Runs every statement in `sql` (separated by `;`), discarding any rows.
    func execute(_ sql: String) throws(SQLiteError) {
        try withCompiler(sql) { (next: () throws(SQLiteError) -> SQLiteStatement?) throws(SQLiteError) in
            while let statement = try next() {
                while try statement.step() {}
            }
        }
    }

    /// Compiles the one statement in `sql`; more than one is an error (`SQLITE_MISUSE`).
    func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        try withCompiler(sql) { (next: () throws(SQLiteError) -> SQLiteStatement?) throws(SQLiteError) in
            guard let statement = try next() else {
                throw SQLiteError(extendedCode: SQLITE_MISUSE, message: "no SQL statement in \"\(sql)\"", path: path)
            }
            // Compiling what follows may fail for its own reasons (a table
            // the first statement would create): either way it is misuse.
            let onlyOne: Bool
            do { onlyOne = try next() == nil } catch { onlyOne = false }
            guard onlyOne else {
                throw SQLiteError(
                    extendedCode: SQLITE_MISUSE,
                    message: "more than one SQL statement in \"\(sql)\" (execute runs several)", path: path)
            }
            return statement
        }
    }

    /// Runs `body` in a transaction and commits it. `immediate` takes the
    /// write lock at `BEGIN`, so a busy database fails there (after the busy
    /// timeout) rather than at the first write, where a deferred transaction
    /// that has read cannot wait. When `body` throws, or `COMMIT` fails, the
    /// transaction is rolled back and the error rethrown.
    func transaction<T>(immediate: Bool = true, _ body: () throws -> T) throws -> T {
        try execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        let value: T
        do {
            value = try body()
            try execute("COMMIT")
        } catch {
            // SQLite may have rolled back already (a full disk, an
            // interrupt); a second ROLLBACK would only fail.
            if sqlite3_get_autocommit(handle) == 0 { try? execute("ROLLBACK") }
            throw error
        }
        return value
    }

    /// The rowid of the latest successful `INSERT` on this connection.
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the latest `INSERT`, `UPDATE` or `DELETE` on this connection.
    var changes: Int {
        // sqlite3_changes64 is 3.37 and later; a ledger statement changes far fewer than 2^31 rows.
        Int(sqlite3_changes(handle))
    }

    fileprivate func error(_ result: Int32) -> SQLiteError {
        SQLiteError(result: result, handle: handle, path: path)
    }

    /// Calls `body` with a function that compiles the statements of `sql`
    /// one after another, nil once only white space and comments remain.
    private func withCompiler<T>(
        _ sql: String, _ body: (() throws(SQLiteError) -> SQLiteStatement?) throws(SQLiteError) -> T
    ) throws(SQLiteError) -> T {
        // SQLite's tokenizer takes a NUL for the end of the text, even within
        // the length given: what follows would be dropped without a word.
        guard !sql.utf8.contains(0) else {
            throw SQLiteError(extendedCode: SQLITE_MISUSE, message: "the SQL text holds a NUL byte", path: path)
        }
        var sql = sql
        let outcome = sql.withUTF8 { bytes in
            Result { () throws(SQLiteError) -> T in
                var offset = 0
                return try body { () throws(SQLiteError) -> SQLiteStatement? in
                    try compileNext(bytes, offset: &offset)
                }
            }
        }
        return try outcome.get()
    }

    /// Compiles the first statement at or after `offset` in `sql` and moves
    /// `offset` past it; nil when none is left.
    private func compileNext(_ sql: UnsafeBufferPointer<UInt8>, offset: inout Int) throws(SQLiteError) -> SQLiteStatement? {
        guard let base = sql.baseAddress else { return nil }
        while offset < sql.count {
            guard let length = Int32(exactly: sql.count - offset) else {
                throw SQLiteError(extendedCode: SQLITE_TOOBIG, message: "SQL text longer than 2 GiB", path: path)
            }
            // UInt8 and CChar may alias: they differ only in signedness.
            let start = UnsafeRawPointer(base + offset).assumingMemoryBound(to: CChar.self)
            var compiled: OpaquePointer?
            var tail: UnsafePointer<CChar>?
            let result = sqlite3_prepare_v2(handle, start, length, &compiled, &tail)
            guard result == SQLITE_OK else {
                sqlite3_finalize(compiled)
                throw error(result)
            }
            let next = tail.map { UnsafeRawPointer(base).distance(to: UnsafeRawPointer($0)) } ?? sql.count
            if let compiled {
                offset = next
                return SQLiteStatement(handle: compiled, database: self)
            }
            // No statement: only white space, a comment or a lone `;` was
            // consumed. Stop should SQLite ever consume nothing.
            guard next > offset else { break }
            offset = next
        }
        return nil
    }
}

/// A compiled statement. Holds its connection, so the connection stays open
/// as long as the statement; finalized in `deinit`.
final class SQLiteStatement {
    private let handle: OpaquePointer
    private let database: SQLiteDatabase

    fileprivate init(handle: OpaquePointer, database: SQLiteDatabase) {
        self.handle = handle
        self.database = database
    }

    deinit {
        sqlite3_finalize(handle)
    }

    // MARK: binding (parameters count from 1)

    func bind(_ value: Int64?, at index: Int32) throws(SQLiteError) {
        guard let value else { return try bindNull(at: index) }
        try check(sqlite3_bind_int64(handle, index, value))
    }

    func bind(_ value: Int, at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_int64(handle, index, Int64(value)))
    }

    func bind(_ value: Double?, at index: Int32) throws(SQLiteError) {
        guard let value else { return try bindNull(at: index) }
        try check(sqlite3_bind_double(handle, index, value))
    }

    /// Binds the UTF-8 bytes with their length (a NUL inside is kept); SQLite copies them.
    func bind(_ value: String?, at index: Int32) throws(SQLiteError) {
        guard var value else { return try bindNull(at: index) }
        let result = value.withUTF8 { bytes in
            audience_sqlite3_bind_text_transient(
                handle, index, UnsafeRawPointer(bytes.baseAddress)?.assumingMemoryBound(to: CChar.self),
                sqlite3_uint64(bytes.count))
        }
        try check(result)
    }

    /// Binds the bytes as a blob (an empty array is an empty blob, not NULL); SQLite copies them.
    func bind(_ value: [UInt8]?, at index: Int32) throws(SQLiteError) {
        guard let value else { return try bindNull(at: index) }
        let result = value.withUnsafeBytes { bytes in
            audience_sqlite3_bind_blob_transient(handle, index, bytes.baseAddress, sqlite3_uint64(bytes.count))
        }
        try check(result)
    }

    func bind(_ value: SQLiteValue, at index: Int32) throws(SQLiteError) {
        switch value {
        case .null: try bindNull(at: index)
        case .integer(let integer): try bind(integer, at: index)
        case .real(let real): try bind(real, at: index)
        case .text(let text): try bind(text, at: index)
        case .blob(let bytes): try bind(bytes, at: index)
        }
    }

    /// `bind(nil, at:)` would be ambiguous between the optional overloads.
    func bindNull(at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_null(handle, index))
    }

    /// Binds `values` to parameters 1, 2, …; their number must be the statement's.
    func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard values.count == expected else {
            throw SQLiteError(
                extendedCode: SQLITE_RANGE,
                message: "\(values.count) values for \(expected) parameters", path: database.path)
        }
        for (offset, value) in values.enumerated() {
            // offset < expected, which is an Int32.
            try bind(value, at: Int32(truncatingIfNeeded: offset + 1))
        }
    }

    // MARK: running

    /// Runs to the next row: true when a row is available, false when done.
    func step() throws(SQLiteError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let result: throw database.error(result)
        }
    }

    /// Makes the statement ready to run again, with every parameter NULL.
    ///
    /// Does not throw: `sqlite3_reset` only repeats the error the latest
    /// `step` already threw, and the statement is reset either way, so a
    /// caller that handled that error (say, waited out `isBusy`) can run it again.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Steps until done, calling `row` for each row.
    func rows<T>(_ row: (SQLiteStatement) throws -> T) throws -> [T] {
        var rows: [T] = []
        while try step() { rows.append(try row(self)) }
        return rows
    }

    // MARK: reading the current row (columns count from 0)

    var columnCount: Int32 { sqlite3_column_count(handle) }

    func int64(_ column: Int32) -> Int64 {
        checkColumn(column)
        return sqlite3_column_int64(handle, column)
    }

    func double(_ column: Int32) -> Double {
        checkColumn(column)
        return sqlite3_column_double(handle, column)
    }

    /// The column as text; "" for NULL. Bytes that are not UTF-8 become U+FFFD
    /// (read such a column with `blob`).
    func text(_ column: Int32) -> String {
        checkColumn(column)
        // Text may hold a NUL: its length is sqlite3_column_bytes, asked after
        // sqlite3_column_text (which may convert the value).
        guard let characters = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: characters, count: count), as: UTF8.self)
    }

    /// The column's bytes; [] for NULL.
    func blob(_ column: Int32) -> [UInt8] {
        checkColumn(column)
        guard let bytes = sqlite3_column_blob(handle, column) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    func isNull(_ column: Int32) -> Bool {
        checkColumn(column)
        return sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }
    func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }
    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
    func optionalBlob(_ column: Int32) -> [UInt8]? { isNull(column) ? nil : blob(column) }

    /// The column as SQLite stores it in this row.
    func value(_ column: Int32) -> SQLiteValue {
        checkColumn(column)
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER: return .integer(int64(column))
        case SQLITE_FLOAT: return .real(double(column))
        case SQLITE_TEXT: return .text(text(column))
        case SQLITE_BLOB: return .blob(blob(column))
        default: return .null
        }
    }

    private func check(_ result: Int32) throws(SQLiteError) {
        guard result == SQLITE_OK else { throw database.error(result) }
    }

    /// Reading outside the row is undefined in SQLite: a programming error here.
    private func checkColumn(_ column: Int32) {
        precondition(column >= 0 && column < sqlite3_data_count(handle), "column \(column) is not in the current row")
    }
}
