import Foundation
import Testing

@testable import AudienceReading
@testable import AudienceKit
import AudienceCore
import Synchronization

/// viewing-events.md, "Files": inputs are files, folders and globs. A
/// folder gives, recursively, its log files by extension (any case), hidden
/// entries skipped, symbolic links followed, sorted by relative path
/// byte-wise; a file or folder reachable by several paths is read once under
/// the path a byte-ordered depth-first walk meets first; a file named or
/// matched twice is read once, at its first place; a file named explicitly is
/// read whatever its name; reports join the input and the inner path by one
/// `/`. Every test builds its own tree in its own temp folder and uses
/// absolute paths (no chdir: tests run in parallel).
@Suite struct InputDiscoveryTests {
    /// Builds:
    ///
    ///     logs/.hiddendir/y.jsonl      hidden folder: skipped
    ///     logs/B.JSONL                 extension in upper case
    ///     logs/a.csv.gz
    ///     logs/aaa.jsonl -> day1/x.jsonl   met before day1/, so x.jsonl is read as aaa.jsonl
    ///     logs/alias -> sub            met before sub/, so sub's files are read under alias/
    ///     logs/b.TSV
    ///     logs/c.ndjson
    ///     logs/d.json
    ///     logs/day1/.hidden.jsonl      hidden file: skipped
    ///     logs/day1/x.jsonl
    ///     logs/day1-late.jsonl
    ///     logs/day1.jsonl
    ///     logs/e.gz                    plain *.gz
    ///     logs/f.txt                   not a log name
    ///     logs/g.jsonl.bak             not a log name
    ///     logs/h.CSV.GZ
    ///     logs/sub/z.tsv
    ///     logs/sub/loop -> ..          a cycle, must not hang
    ///     logs/zlink -> ../other       a folder outside, followed
    ///     other/w.jsonl
    static func makeTree(_ root: String) throws {
        let files = [
            "logs/.hiddendir/y.jsonl", "logs/B.JSONL", "logs/a.csv.gz", "logs/b.TSV", "logs/c.ndjson", "logs/d.json",
            "logs/day1/.hidden.jsonl", "logs/day1/x.jsonl", "logs/day1-late.jsonl", "logs/day1.jsonl", "logs/e.gz",
            "logs/f.txt", "logs/g.jsonl.bak", "logs/h.CSV.GZ", "logs/sub/z.tsv", "other/w.jsonl",
        ]
        for file in files { try write("x\n", to: root + "/" + file) }
        let manager = FileManager.default
        try manager.createSymbolicLink(atPath: root + "/logs/aaa.jsonl", withDestinationPath: "day1/x.jsonl")
        try manager.createSymbolicLink(atPath: root + "/logs/alias", withDestinationPath: "sub")
        try manager.createSymbolicLink(atPath: root + "/logs/sub/loop", withDestinationPath: "..")
        try manager.createSymbolicLink(atPath: root + "/logs/zlink", withDestinationPath: root + "/other")
    }

    static let expectedInFolder = [
        "B.JSONL", "a.csv.gz", "aaa.jsonl", "alias/z.tsv", "b.TSV", "c.ndjson", "d.json", "day1-late.jsonl",
        "day1.jsonl", "e.gz", "h.CSV.GZ", "zlink/w.jsonl",
    ]

    @Test(arguments: ["/logs", "/logs/", "/logs//"])
    func folderWalk(suffix: String) throws {
        try withTemporaryFolder { root in
            try Self.makeTree(root)
            let files = try InputDiscovery.resolve([root + suffix])
            #expect(files.map(\.name) == Self.expectedInFolder.map { root + "/logs/" + $0 })
            // Every path leads to the file the name says (links resolved by the system).
            for file in files {
                #expect(file.path != nil)
                #expect(FileManager.default.fileExists(atPath: file.path?.description ?? ""))
            }
        }
    }

    /// Byte-wise order, not locale order: `day1-late.jsonl` < `day1.jsonl` <
    /// `day1/x.jsonl` (`-` 0x2D < `.` 0x2E < `/` 0x2F), upper case first.
    @Test func byteWiseOrder() throws {
        try withTemporaryFolder { root in
            for name in ["day1/x.jsonl", "day1.jsonl", "day1-late.jsonl", "Z.jsonl", "a.jsonl", "day1/A.jsonl", "\u{E9}.jsonl", "_.jsonl"] {
                try write("x\n", to: root + "/in/" + name)
            }
            let files = try InputDiscovery.resolve([root + "/in"])
            let expected = ["Z.jsonl", "_.jsonl", "a.jsonl", "day1-late.jsonl", "day1.jsonl", "day1/A.jsonl", "day1/x.jsonl", "\u{E9}.jsonl"]
            #expect(files.map(\.name) == expected.map { root + "/in/" + $0 })
        }
    }

    @Test(arguments: [
        ("a.jsonl", true), ("a.JSONL", true), ("a.Ndjson", true), ("a.json", true), ("a.csv", true), ("a.tsv", true),
        ("a.jsonl.gz", true), ("a.csv.GZ", true), ("a.gz", true), ("a.txt.gz", true), ("a.txt", false),
        ("a.jsonl.bak", false), ("a.jsonlx", false), ("a.csvx", false), ("jsonl", false), ("a.log", false),
    ])
    func logFileNames(name: String, isLog: Bool) {
        #expect(InputDiscovery.isLogFileName(name) == isLog)
    }

    /// A file named explicitly is read whatever its name, hidden or not.
    @Test func explicitFilesWhateverTheirName() throws {
        try withTemporaryFolder { root in
            try Self.makeTree(root)
            let named = [root + "/logs/f.txt", root + "/logs/.hiddendir/y.jsonl", root + "/logs/g.jsonl.bak"]
            let files = try InputDiscovery.resolve(named)
            #expect(files.map(\.name) == named)
            #expect(files.map(\.path) == named.map(SystemPath.init))
        }
    }

    /// A file named or matched more than once is read once, at its first place.
    @Test func eachFileOnce() throws {
        try withTemporaryFolder { root in
            try Self.makeTree(root)
            let day1 = root + "/logs/day1.jsonl"
            let c = root + "/logs/c.ndjson"
            #expect(try InputDiscovery.resolve([day1, c, day1]).map(\.name) == [day1, c])
            // Named first, then inside its folder: kept at the first place.
            let first = try InputDiscovery.resolve([c, root + "/logs"]).map(\.name)
            #expect(first == [c] + Self.expectedInFolder.filter { $0 != "c.ndjson" }.map { root + "/logs/" + $0 })
            // The folder first, then the file again: nothing new.
            let second = try InputDiscovery.resolve([root + "/logs", c]).map(\.name)
            #expect(second == Self.expectedInFolder.map { root + "/logs/" + $0 })
            // Reached through a link named explicitly: the same file.
            #expect(try InputDiscovery.resolve([root + "/logs/day1/x.jsonl", root + "/logs/aaa.jsonl"]).count == 1)
            // Two spellings of one folder.
            #expect(try InputDiscovery.resolve([root + "/logs", root + "/logs/../logs"]).count == Self.expectedInFolder.count)
        }
    }

    /// A glob's matches in byte-wise order; a matched folder is walked.
    @Test func globs() throws {
        try withTemporaryFolder { root in
            try Self.makeTree(root)
            let matches = try InputDiscovery.resolve([root + "/logs/*.jsonl"]).map(\.name)
            #expect(matches == ["aaa.jsonl", "day1-late.jsonl", "day1.jsonl"].map { root + "/logs/" + $0 })
            let folders = try InputDiscovery.resolve([root + "/l?gs"]).map(\.name)
            #expect(folders == Self.expectedInFolder.map { root + "/logs/" + $0 })
            let overlapping = try InputDiscovery.resolve([root + "/logs/day1.jsonl", root + "/logs/day1*"]).map(\.name)
            // day1.jsonl first (named), then the glob's matches in byte order:
            // day1 (a folder: x.jsonl), day1-late.jsonl; day1.jsonl again is skipped.
            #expect(overlapping == ["day1.jsonl", "day1/x.jsonl", "day1-late.jsonl"].map { root + "/logs/" + $0 })
        }
    }

    @Test func missingInputs() throws {
        try withTemporaryFolder { root in
            #expect(throws: InputError.notFound(root + "/nope.jsonl")) {
                try InputDiscovery.resolve([root + "/nope.jsonl"])
            }
            #expect(throws: InputError.noMatch(pattern: root + "/*.nope")) {
                try InputDiscovery.resolve([root + "/*.nope"])
            }
        }
    }

    /// An empty folder gives no files (and no error here: the CLI decides).
    @Test func emptyFolder() throws {
        try withTemporaryFolder { root in
            try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
            #expect(try InputDiscovery.resolve([root + "/empty"]).isEmpty)
        }
    }

    /// The names reports use: the input as given joined with the inner path.
    @Test func reportedNames() throws {
        try withTemporaryFolder { root in
            try write(JSONLine.start.text + "\n", to: root + "/logs/a.jsonl")
            let files = try InputDiscovery.resolve([root + "/logs/"])
            let result = Reading.read(files, settings: ReadSettings())
            #expect(result.files.map(\.file) == [root + "/logs/a.jsonl"])
            #expect(result.files[0].accepted == 1)
        }
    }

    /// Paths are bytes: a Latin-1 name (not UTF-8) is found in a folder walk,
    /// sorted by its bytes, read, and reported with its odd bytes as `\xhh`.
    @Test func namesThatAreNotUTF8() throws {
        try withTemporaryFolder { root in
            let folder = SystemPath(root + "/in")
            mkdir(root + "/in", 0o755)
            let latin1: [UInt8] = Array("caf".utf8) + [0xE9] + Array(".jsonl".utf8)
            let subfolder: [UInt8] = [0x64, 0xFF]  // "d\xff"
            let file = folder.appending(latin1)
            let inner = folder.appending(subfolder)
            _ = inner.withCString { mkdir($0, 0o755) }
            let innerFile = inner.appending(Array("x.csv".utf8))
            for path in [file, innerFile] {
                let fd = path.withCString { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
                #expect(fd >= 0)
                let text = Array((JSONLine.start.text + "\n").utf8)
                _ = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                close(fd)
            }
            let files = try InputDiscovery.resolve([folder])
            #expect(files.map(\.name) == [root + "/in/caf\\xe9.jsonl", root + "/in/d\\xff/x.csv"])
            #expect(files.map(\.path) == [file, innerFile])
            let result = Reading.read(files, settings: ReadSettings())
            #expect(result.files.map(\.damage) == [nil, nil])
            #expect(result.files.map(\.lines) == [1, 1])
            // Named explicitly, by its bytes.
            #expect(try InputDiscovery.resolve([file]).map(\.path) == [file])
        }
    }

    @Test func displayNames() {
        #expect(SystemPath.display(Array("é/ü.jsonl".utf8)) == "é/ü.jsonl")
        #expect(SystemPath.display([0x61, 0xE9, 0x62]) == "a\\xe9b")
        // Overlong, surrogate and cut sequences are bytes, not characters.
        #expect(SystemPath.display([0xC0, 0xAF]) == "\\xc0\\xaf")
        #expect(SystemPath.display([0xED, 0xA0, 0x80]) == "\\xed\\xa0\\x80")
        #expect(SystemPath.display([0xE2, 0x82]) == "\\xe2\\x82")
        #expect(SystemPath.display([0xF0, 0x9F, 0x98, 0x80]) == "\u{1F600}")
        #expect(SystemPath(bytes: [0x61, 0x00]) == nil)
    }

    /// A folder that cannot be listed is a row of its own (like a file that
    /// cannot be read), named where the walk met it; the rest is read.
    /// (Root lists every folder; CommandLineTests runs the same as `nobody`.)
    @Test(.enabled(if: getuid() != 0)) func unlistableFoldersAreRows() throws {
        try withTemporaryFolder { root in
            try write(JSONLine.start.text + "\n", to: root + "/logs/a.jsonl")
            try write(JSONLine.start.text + "\n", to: root + "/logs/locked/b.jsonl")
            try write(JSONLine.start.text + "\n", to: root + "/logs/z.jsonl")
            chmod(root + "/logs/locked", 0o000)
            defer { chmod(root + "/logs/locked", 0o755) }
            let files = try InputDiscovery.resolve([root + "/logs"])
            #expect(files.map(\.name) == ["a.jsonl", "locked", "z.jsonl"].map { root + "/logs/" + $0 })
            let result = Reading.read(files, settings: ReadSettings())
            #expect(result.files[1].damage == FileDamage(.unlistableFolder(errno: EACCES)))
            #expect(result.files[1].damage?.description == "cannot list folder: Permission denied")
            #expect(result.files.map(\.accepted) == [1, 0, 1])
            // A glob that must look inside it says so too.
            let globbed = try InputDiscovery.resolve([root + "/logs/*/*.jsonl", root + "/logs/*.jsonl"])
            #expect(globbed.map(\.name) == ["locked", "a.jsonl", "z.jsonl"].map { root + "/logs/" + $0 })
            #expect(globbed[0].listingError == EACCES)
            // Named explicitly.
            #expect(try InputDiscovery.resolve([root + "/logs/locked"]).map(\.listingError) == [EACCES])
        }
    }

    /// A device never ends: it is refused, not read forever.
    @Test func devicesAreRefused() throws {
        let files = try InputDiscovery.resolve(["/dev/zero"])
        let result = Reading.read(files, settings: ReadSettings())
        #expect(result.files[0].damage == FileDamage(.notAFile("a character device")))
        #expect(result.files[0].lines == 0)
    }
}

/// Workers take files largest first, so that no large file is left to one
/// core at the end; results stay in input order whatever the taking order.
@Test func filesAreTakenLargestFirstAndResultsStayInInputOrder() throws {
    try withTemporaryFolder { folder in
        let sizes = [3, 40, 0, 40, 7]
        var inputs: [InputFile] = []
        for (index, size) in sizes.enumerated() {
            let path = "\(folder)/f\(index).jsonl"
            try write([UInt8](repeating: 0x0A, count: size), to: path)
            inputs.append(InputFile(name: path, path: path))
        }
        inputs.append(.standardInput)
        #expect(InputFile.largestFirst(inputs) == [1, 3, 4, 0, 2, 5])
        for threads in [1, 2, 3] {
            let taken = Mutex<[Int]>([])
            let results = Parallel.map(count: inputs.count, threads: threads, order: InputFile.largestFirst(inputs)) { index in
                taken.withLock { $0.append(index) }
                return index * 10
            }
            #expect(results == [0, 10, 20, 30, 40, 50])
            #expect(taken.withLock { $0 }.sorted() == Array(0..<6))
            if threads == 1 { #expect(taken.withLock { $0 } == [1, 3, 4, 0, 2, 5]) }
        }
    }
}
