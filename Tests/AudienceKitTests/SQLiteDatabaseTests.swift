import Foundation
import Testing

@testable import AudienceStore

/// The SQLite wrapper the store's ledger sits on: each failure the store must
/// tell apart (read-only, damaged, busy, full) comes out as that kind, values
/// of every type come back as bound, and transactions leave all or nothing.
@Suite struct SQLiteDatabaseTests {
    /// The SQLiteError `body` throws; nil (and a recorded issue) when it throws none or another error.
    static func sqliteError(_ body: () throws -> Void) -> SQLiteError? {
        #expect(throws: SQLiteError.self) { try body() }
    }

    /// A database at `folder/name` holding `t(id INTEGER PRIMARY KEY, name TEXT)` with rows a and b.
    static func makeDatabase(in folder: String, name: String = "ledger.db") throws -> SQLiteDatabase {
        let database = try SQLiteDatabase(path: folder + "/" + name, mode: .readWriteCreate)
        try database.execute("""
            CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT);
            INSERT INTO t(name) VALUES ('a');
            INSERT INTO t(name) VALUES ('b');
            """)
        return database
    }

    static func count(_ database: SQLiteDatabase, _ table: String = "t") throws -> Int64 {
        let statement = try database.prepare("SELECT count(*) FROM \(table)")
        return try statement.rows { $0.int64(0) }.first ?? -1
    }

    static func names(_ database: SQLiteDatabase) throws -> [String] {
        try database.prepare("SELECT name FROM t ORDER BY id").rows { $0.text(0) }
    }

    // MARK: opening

    @Test func createsAndReopens() throws {
        try withTemporaryFolder { folder in
            do {
                let database = try Self.makeDatabase(in: folder)
                #expect(database.lastInsertRowID == 2)
                #expect(database.changes == 1)
            }
            let reopened = try SQLiteDatabase(path: folder + "/ledger.db", mode: .readWrite)
            #expect(try Self.names(reopened) == ["a", "b"])
            try reopened.execute("UPDATE t SET name = upper(name)")
            #expect(reopened.changes == 2)
            #expect(try Self.names(reopened) == ["A", "B"])
        }
    }

    /// Without `.readWriteCreate` a missing file is not created.
    @Test(arguments: [SQLiteDatabase.Mode.readOnly, .readWrite])
    func missingFileIsNotCreated(mode: SQLiteDatabase.Mode) throws {
        try withTemporaryFolder { folder in
            let path = folder + "/missing.db"
            let error = Self.sqliteError { _ = try SQLiteDatabase(path: path, mode: mode) }
            #expect(error?.code == 14)  // SQLITE_CANTOPEN
            #expect(error?.isReadOnly == true)
            #expect(error?.path == path)
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    /// The C string would end at the NUL and open `folder/a` instead.
    @Test func pathWithNULIsRefused() throws {
        try withTemporaryFolder { folder in
            let error = Self.sqliteError { _ = try SQLiteDatabase(path: folder + "/a\0b.db", mode: .readWriteCreate) }
            #expect(error?.isReadOnly == true)
            #expect(!FileManager.default.fileExists(atPath: folder + "/a"))
        }
    }

    @Test func readOnlyRefusesWrites() throws {
        try withTemporaryFolder { folder in
            _ = try Self.makeDatabase(in: folder)
            let database = try SQLiteDatabase(path: folder + "/ledger.db", mode: .readOnly)
            #expect(try Self.names(database) == ["a", "b"])
            for sql in ["INSERT INTO t(name) VALUES ('c')", "CREATE TABLE u(x)", "DELETE FROM t"] {
                let error = Self.sqliteError { try database.execute(sql) }
                #expect(error?.code == 8)  // SQLITE_READONLY
                #expect(error?.isReadOnly == true)
                #expect(error?.isBusy == false && error?.isDamaged == false && error?.isFull == false)
            }
            #expect(try Self.names(database) == ["a", "b"])
        }
    }

    /// A statement keeps its connection open: dropping the database first is safe.
    @Test func statementOutlivesItsDatabaseReference() throws {
        try withTemporaryFolder { folder in
            var database: SQLiteDatabase? = try Self.makeDatabase(in: folder)
            let statement = try database?.prepare("SELECT name FROM t ORDER BY id")
            database = nil
            #expect(try statement?.rows { $0.text(0) } == ["a", "b"])
        }
    }

    // MARK: statements

    @Test func executeRunsEveryStatement() throws {
        let database = try SQLiteDatabase(path: ":memory:", mode: .readWriteCreate)
        try database.execute(";; CREATE TABLE t(x); -- a comment\n INSERT INTO t VALUES (1);; INSERT INTO t VALUES (2); SELECT * FROM t;")
        #expect(try Self.count(database) == 2)
        try database.execute("")
        try database.execute("  -- only a comment")
    }

    /// SQLite would stop reading at a NUL, and run the statements before it:
    /// SQL holding one is refused whole.
    @Test func nulInSQLIsRefused() throws {
        let database = try SQLiteDatabase(path: ":memory:", mode: .readWriteCreate)
        try database.execute("CREATE TABLE t(x)")
        for sql in ["INSERT INTO t VALUES (1);\0 DROP TABLE t", "INSERT INTO t VALUES (1)\0"] {
            #expect(Self.sqliteError { try database.execute(sql) }?.code == 21)  // SQLITE_MISUSE
            #expect(Self.sqliteError { _ = try database.prepare(sql) }?.code == 21)
        }
        #expect(try Self.count(database) == 0)
    }

    @Test func prepareTakesExactlyOneStatement() throws {
        let database = try SQLiteDatabase(path: ":memory:", mode: .readWriteCreate)
        for sql in ["SELECT 1; SELECT 2", "", " ; -- nothing", "CREATE TABLE t(x); INSERT INTO t VALUES (1)"] {
            #expect(Self.sqliteError { _ = try database.prepare(sql) }?.code == 21)  // SQLITE_MISUSE
        }
        #expect(try database.prepare("SELECT 7; -- trailing comment\n ;").rows { $0.int64(0) } == [7])
        let error = Self.sqliteError { _ = try database.prepare("SELECT * FROM nowhere") }
        #expect(error?.code == 1)
        #expect(error?.message.contains("nowhere") == true)
        #expect(error?.description.contains(":memory:") == true)
    }

    @Test func bindsAndReadsEveryType() throws {
        let database = try SQLiteDatabase(path: ":memory:", mode: .readWriteCreate)
        try database.execute("CREATE TABLE v(i INTEGER, n INTEGER, r REAL, s TEXT, b BLOB)")
        let insert = try database.prepare("INSERT INTO v VALUES (?, ?, ?, ?, ?)")
        let rows: [(Int64?, Int, Double?, String?, [UInt8]?)] = [
            (Int64.max, Int.min, 1.5, "é ✓ 😀", [1, 2, 3]),
            (Int64.min, 0, -0.25, "", []),
            (nil, 42, .infinity, nil, nil),
            (0, -1, nil, "plain", [0xff]),
        ]
        for row in rows {
            insert.reset()
            try insert.bind(row.0, at: 1)
            try insert.bind(row.1, at: 2)
            try insert.bind(row.2, at: 3)
            try insert.bind(row.3, at: 4)
            try insert.bind(row.4, at: 5)
            #expect(try insert.step() == false)
        }
        let select = try database.prepare("SELECT i, n, r, s, b FROM v ORDER BY rowid")
        var read: [(Int64?, Int64, Double?, String?, [UInt8]?)] = []
        while try select.step() {
            read.append((select.optionalInt64(0), select.int64(1), select.optionalDouble(2),
                         select.optionalText(3), select.optionalBlob(4)))
        }
        #expect(read.count == rows.count)
        for (row, back) in zip(rows, read) {
            #expect(back.0 == row.0)
            #expect(back.1 == Int64(row.1))
            #expect(back.2 == row.2)
            #expect(back.3 == row.3)
            #expect(back.4 == row.4)
        }
    }

    /// "" and an empty blob are values, not NULL; NULL reads as 0, "" and [].
    @Test func emptyIsNotNull() throws {
        let database = try SQLiteDatabase(path: ":memory:", mode: .readWriteCreate)
        let select = try database.prepare("SELECT ?, ?, ?, typeof(?1), typeof(?2), typeof(?3)")
        try select.bind("", at: 1)
        try select.bind([UInt8](), at: 2)
        try select.bindNull(at: 3)
        #expect(try select.step())
        #expect(!select.isNull(0) && !select.isNull(1) && select.isNull(2))
        #expect(select.value(0) == .text("") && select.value(1) == .blob([]) && select.value(2) == .null)
        #expect(select.text(3) == "text" && select.text(4) == "blob" && select.text(5) == "null")
        #expect(select.int64(2) == 0 && select.double(2) == 0 && select.text(2) == "" && select.blob(2) == [])
        #expect(select.optionalText(0) == "" && select.optionalBlob(1) == [] && select.optionalText(2) == nil)
    }

    @Test func bindsValueListsPositionally() throws {
        let database = try SQLiteDatabase(path: ":memory:", mode: .readWriteCreate)
        try database.execute("CREATE TABLE v(a, b, c, d, e)")
        let values: [SQLiteValue] = [.null, .integer(-7), .real(2.5), .text("x\u{0}y"), .blob([0, 0, 1])]
        let insert = try database.prepare("INSERT INTO v VALUES (?, ?, ?, ?, ?)")
        try insert.bind(values)
        #expect(try insert.step() == false)
        #expect(database.lastInsertRowID == 1 && database.changes == 1)
        let select = try database.prepare("SELECT * FROM v")
        #expect(try select.rows { row in (0..<row.columnCount).map { row.value($0) } } == [values])

        for wrong in [Array(values.prefix(4)), values + [.null]] {
            insert.reset()
            #expect(Self.sqliteError { try insert.bind(wrong) }?.code == 25)  // SQLITE_RANGE
        }
        #expect(Self.sqliteError { try insert.bind(1, at: 6) }?.code == 25)
    }

    /// Bytes come back whole: NULs inside text and blobs, and bytes that are
    /// not UTF-8 when bound as a blob.
    @Test func nulAndInvalidUTF8RoundTrip() throws {
        let database = try SQLiteDatabase(path: ":memory:", mode: .readWriteCreate)
        try database.execute("CREATE TABLE v(t TEXT, b BLOB)")
        let text = "a\u{0}b\u{0}\u{0}é"
        let bytes: [UInt8] = [0, 0xff, 0xfe, 0, 0x41, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0]
        let insert = try database.prepare("INSERT INTO v VALUES (?, ?)")
        try insert.bind(text, at: 1)
        try insert.bind(bytes, at: 2)
        #expect(try insert.step() == false)
        let select = try database.prepare("SELECT t, b, length(CAST(b AS BLOB)) FROM v")
        #expect(try select.step())
        #expect(select.text(0) == text)
        #expect(select.text(0).utf8.count == 7)
        #expect(select.blob(0) == Array(text.utf8))
        #expect(select.blob(1) == bytes)
        #expect(select.int64(2) == Int64(bytes.count))
        // Read as text, bytes that are not UTF-8 are replaced, not cut short.
        #expect(select.text(1).unicodeScalars.count >= bytes.count - 4)
        #expect(try select.step() == false)
    }

    // MARK: transactions

    @Test(arguments: [true, false])
    func transactionCommits(immediate: Bool) throws {
        try withTemporaryFolder { folder in
            let database = try Self.makeDatabase(in: folder)
            let id = try database.transaction(immediate: immediate) { () throws -> Int64 in
                try database.execute("INSERT INTO t(name) VALUES ('c')")
                return database.lastInsertRowID
            }
            #expect(id == 3)
            let other = try SQLiteDatabase(path: folder + "/ledger.db", mode: .readOnly)
            #expect(try Self.names(other) == ["a", "b", "c"])
        }
    }

    @Test(arguments: [true, false])
    func transactionRollsBackWhenTheBodyThrows(immediate: Bool) throws {
        try withTemporaryFolder { folder in
            let database = try Self.makeDatabase(in: folder)
            do {
                try database.transaction(immediate: immediate) {
                    try database.execute("INSERT INTO t(name) VALUES ('c'); DELETE FROM t WHERE name = 'a'")
                    throw TestFailure("stop")
                }
                Issue.record("the transaction did not throw")
            } catch {
                // The body's own error, not one of SQLite's.
                #expect((error as? TestFailure)?.description == "stop")
            }
            #expect(try Self.names(database) == ["a", "b"])
            // Not left inside a transaction: another one begins.
            try database.transaction { try database.execute("INSERT INTO t(name) VALUES ('d')") }
            #expect(try Self.names(database) == ["a", "b", "d"])
        }
    }

    /// A deferred foreign key is checked at COMMIT: the commit fails, and the
    /// transaction is rolled back rather than left open.
    @Test func failingCommitRollsBack() throws {
        let database = try SQLiteDatabase(path: ":memory:", mode: .readWriteCreate)
        try database.execute("""
            PRAGMA foreign_keys = ON;
            CREATE TABLE parent(id INTEGER PRIMARY KEY);
            CREATE TABLE child(parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
            """)
        let error = Self.sqliteError {
            try database.transaction { try database.execute("INSERT INTO child VALUES (99)") }
        }
        #expect(error?.code == 19)  // SQLITE_CONSTRAINT
        #expect(error?.extendedCode == 787)  // SQLITE_CONSTRAINT_FOREIGNKEY
        #expect(try Self.count(database, "child") == 0)
        try database.transaction { try database.execute("INSERT INTO parent VALUES (99); INSERT INTO child VALUES (99)") }
        #expect(try Self.count(database, "child") == 1)
    }

    /// A failed BEGIN (here: already in a transaction) throws and leaves the outer transaction to its caller.
    @Test func nestedTransactionIsAnError() throws {
        let database = try SQLiteDatabase(path: ":memory:", mode: .readWriteCreate)
        try database.execute("CREATE TABLE t(x)")
        let error = Self.sqliteError {
            try database.transaction {
                try database.execute("INSERT INTO t VALUES (1)")
                try database.transaction { try database.execute("INSERT INTO t VALUES (2)") }
            }
        }
        #expect(error?.code == 1)
        #expect(try Self.count(database) == 0)
    }

    // MARK: failures the store tells apart

    /// A file of random bytes is not a database; a database whose table page
    /// is overwritten is malformed. Both are `isDamaged`, at the first read.
    @Test func damagedFilesAreDamaged() throws {
        try withTemporaryFolder { folder in
            var random = SeededGenerator(seed: 7)
            let garbage = (0..<8192).map { _ in UInt8.random(in: 0...255, using: &random) }
            try write(garbage, to: folder + "/garbage.db")
            let notADatabase = try SQLiteDatabase(path: folder + "/garbage.db", mode: .readWrite)
            let error = Self.sqliteError { _ = try Self.count(notADatabase, "sqlite_master") }
            #expect(error?.code == 26)  // SQLITE_NOTADB
            #expect(error?.isDamaged == true && error?.isReadOnly == false)

            do { _ = try Self.makeDatabase(in: folder) }
            let path = folder + "/ledger.db"
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
            #expect(bytes.count == 2 * pageSize)  // page 1: the schema; page 2: table t
            for index in pageSize..<bytes.count { bytes[index] = UInt8.random(in: 0...255, using: &random) }
            try write(bytes, to: path)
            let malformed = try SQLiteDatabase(path: path, mode: .readWrite)
            let corrupt = Self.sqliteError { _ = try Self.names(malformed) }
            #expect(corrupt?.code == 11)  // SQLITE_CORRUPT
            #expect(corrupt?.isDamaged == true)
        }
    }

    /// With WAL, a reader sees the latest commit while a writer's transaction is open, and then the writer's commit.
    @Test func walReaderSeesLastCommit() throws {
        try withTemporaryFolder { folder in
            let writer = try Self.makeDatabase(in: folder)
            let mode = try writer.prepare("PRAGMA journal_mode = WAL").rows { $0.text(0) }
            #expect(mode == ["wal"])
            let reader = try SQLiteDatabase(path: folder + "/ledger.db", mode: .readOnly)
            try writer.transaction {
                try writer.execute("INSERT INTO t(name) VALUES ('c'); UPDATE t SET name = 'z' WHERE name = 'a'")
                #expect(try Self.names(writer) == ["z", "b", "c"])
                #expect(try Self.names(reader) == ["a", "b"])
            }
            #expect(try Self.names(reader) == ["z", "b", "c"])
        }
    }

    /// A second writer with no busy timeout fails at once with `isBusy`, and
    /// can run the same statement once the lock is free.
    @Test func secondWriterIsBusy() throws {
        try withTemporaryFolder { folder in
            let first = try Self.makeDatabase(in: folder)
            _ = try first.prepare("PRAGMA journal_mode = WAL").rows { $0.text(0) }
            let second = try SQLiteDatabase(path: folder + "/ledger.db", mode: .readWrite, busyTimeoutMilliseconds: 0)
            let insert = try second.prepare("INSERT INTO t(name) VALUES (?)")
            try first.transaction {
                try first.execute("INSERT INTO t(name) VALUES ('c')")
                let atBegin = Self.sqliteError { try second.transaction { try second.execute("DELETE FROM t") } }
                #expect(atBegin?.code == 5)  // SQLITE_BUSY
                #expect(atBegin?.isBusy == true && atBegin?.isDamaged == false)
                try insert.bind("d", at: 1)
                #expect(Self.sqliteError { _ = try insert.step() }?.isBusy == true)
            }
            insert.reset()
            try insert.bind("d", at: 1)
            #expect(try insert.step() == false)
            #expect(try Self.names(first) == ["a", "b", "c", "d"])
        }
    }

    /// `max_page_count` makes SQLITE_FULL without filling a disk; the
    /// transaction is rolled back and the connection stays usable.
    @Test func fullDatabaseIsFull() throws {
        try withTemporaryFolder { folder in
            let database = try Self.makeDatabase(in: folder)
            _ = try database.prepare("PRAGMA max_page_count = 8").rows { $0.int64(0) }
            let error = Self.sqliteError {
                try database.transaction {
                    let insert = try database.prepare("INSERT INTO t(name) VALUES (?)")
                    for _ in 0..<100 {
                        insert.reset()
                        try insert.bind(String(repeating: "x", count: 4000), at: 1)
                        _ = try insert.step()
                    }
                }
            }
            #expect(error?.code == 13)  // SQLITE_FULL
            #expect(error?.isFull == true && error?.isBusy == false)
            #expect(try Self.names(database) == ["a", "b"])
            try database.transaction { try database.execute("INSERT INTO t(name) VALUES ('c')") }
            #expect(try Self.count(database) == 3)
        }
    }

    /// Each kind from its result codes; an I/O error is a full disk only when ENOSPC or EDQUOT caused it.
    @Test func errorKinds() {
        func kinds(_ code: Int32, errno: Int32 = 0) -> [String] {
            let error = SQLiteError(extendedCode: code, message: "", path: "p", systemErrno: errno)
            return [(error.isFull, "full"), (error.isBusy, "busy"), (error.isDamaged, "damaged"),
                    (error.isReadOnly, "readOnly")].filter(\.0).map(\.1)
        }
        #expect(kinds(13) == ["full"])
        #expect(kinds(10 | 3 << 8, errno: ENOSPC) == ["full"])  // SQLITE_IOERR_WRITE
        #expect(kinds(10 | 4 << 8, errno: EDQUOT) == ["full"])  // SQLITE_IOERR_FSYNC
        #expect(kinds(10 | 3 << 8, errno: EIO) == [])
        #expect(kinds(5) == ["busy"] && kinds(5 | 2 << 8) == ["busy"] && kinds(6) == ["busy"])
        #expect(kinds(11) == ["damaged"] && kinds(26) == ["damaged"] && kinds(24) == ["damaged"])
        #expect([8, 14, 3, 23, 8 | 1 << 8].allSatisfy { kinds($0) == ["readOnly"] })
        #expect(kinds(1) == [] && kinds(19) == [])
        #expect(SQLiteError(extendedCode: 10 | 3 << 8, message: "disk I/O error", path: "/x/l.db", systemErrno: 28)
            .description == "/x/l.db: disk I/O error (SQLite result code 778, errno 28)")
    }
}
