#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AudienceCore

/// A problem writing the results.
public struct OutputError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var errno: Int32

    public init(path: String, errno: Int32) {
        self.path = path
        self.errno = errno
    }

    public var description: String {
        "cannot write '\(path)': \(SystemError.describe(errno))"
    }
}

/// The folder results go to. Each file is written under a temporary name
/// and renamed into place, so a crash never leaves a half-written table.
public struct OutputFolder: Sendable {
    public let path: String
    /// The folder did not exist before: a run that ends writing nothing
    /// removes it again (`removeIfUnused`).
    public let created: Bool

    /// Creates the folder (and its parents) when missing and checks that
    /// files can be written in it.
    public init(path: String) throws(OutputError) {
        self.path = path
        var info = stat()
        created = stat(path, &info) != 0
        try Self.createFolders(path)
        try Self.probe(folder: path)
    }

    /// Checks, before any work, that the file at `target` can be written
    /// (its folder exists and takes new files; it is no folder itself), so a
    /// run does not fail only after everything else was written.
    public static func checkWritable(file target: String) throws(OutputError) {
        var info = stat()
        if stat(target, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            throw OutputError(path: target, errno: EISDIR)
        }
        let slash = target.lastIndex(of: "/")
        let folder = slash.map { $0 == target.startIndex ? "/" : String(target[..<$0]) } ?? "."
        guard stat(folder, &info) == 0 else { throw OutputError(path: target, errno: errno) }
        do {
            try probe(folder: folder)
        } catch {
            throw OutputError(path: target, errno: error.errno)
        }
    }

    /// Whether `path` is a regular file or nothing yet: a file beside the
    /// outputs (`--metrics-file`) is never written through a device, a
    /// pipe, a link or a folder.
    public static func isRegularFileOrMissing(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) != 0 || (info.st_mode & S_IFMT) == S_IFREG
    }

    private static func probe(folder: String) throws(OutputError) {
        let probe = (folder.hasSuffix("/") ? folder : folder + "/") + ".audience-write-test-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError(path: folder, errno: errno) }
        close(fd)
        unlink(probe)
    }

    public func joined(_ name: String) -> String {
        path.hasSuffix("/") ? path + name : path + "/" + name
    }

    /// Writes `text` to `name` atomically (temporary file, then rename).
    public func write(_ text: String, to name: String) throws(OutputError) {
        if let slash = name.lastIndex(of: "/") {
            try Self.createFolders(joined(String(name[..<slash])))
        }
        try Self.writeFile(text, to: joined(name))
    }

    /// Writes what `produce` hands its `emit` callback, piece by piece, to
    /// `name` atomically (temporary file, then rename).
    public func write(
        to name: String, _ produce: (_ emit: ([UInt8]) throws(OutputError) -> Void) throws(OutputError) -> Void
    ) throws(OutputError) {
        try Self.writeFile(to: joined(name), produce)
    }

    /// Writes `text` to the file at `target` atomically (temporary file in
    /// the same folder, then rename).
    public static func writeFile(_ text: String, to target: String) throws(OutputError) {
        try writeFile(to: target) { (emit: ([UInt8]) throws(OutputError) -> Void) throws(OutputError) in
            try emit(Array(text.utf8))
        }
    }

    /// Writes the pieces `produce` hands on to the file at `target`
    /// atomically: a temporary file in the same folder, renamed into place
    /// once whole; removed if anything fails.
    static func writeFile(
        to target: String, _ produce: (_ emit: ([UInt8]) throws(OutputError) -> Void) throws(OutputError) -> Void
    ) throws(OutputError) {
        let temporary = target + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError(path: target, errno: errno) }
        do {
            try produce { (piece: [UInt8]) throws(OutputError) in
                if let code = SystemCall.writeAll(piece, to: fd) { throw OutputError(path: target, errno: code) }
            }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        var failure: Int32?
        if close(fd) != 0 { failure = errno }
        if failure == nil && rename(temporary, target) != 0 { failure = errno }
        if let failure {
            unlink(temporary)
            throw OutputError(path: target, errno: failure)
        }
    }

    /// Removes the folder when this run made it and left it empty.
    public func removeIfUnused() {
        if created { rmdir(path) }
    }

    private static func createFolders(_ path: String) throws(OutputError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw OutputError(path: prefix, errno: errno)
            }
            prefix += "/"
        }
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw OutputError(path: path, errno: ENOTDIR)
        }
    }
}
