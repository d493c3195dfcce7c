#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AudienceCore
import Synchronization

/// One file to read: the name reports use, and where its bytes come from.
public struct InputFile: Sendable, Hashable {
    /// The input as given, joined with the path inside a folder by one `/`
    /// (bytes that are not UTF-8 written `\xhh`).
    public let name: String
    /// nil for standard input.
    public let path: SystemPath?
    /// A folder met as an input or inside one that could not be listed: it
    /// is reported like a file that cannot be read (a row of its own, exit
    /// 1), and the rest of the run goes on.
    public let listingError: Int32?

    public init(name: String, path: SystemPath?, listingError: Int32? = nil) {
        self.name = name
        self.path = path
        self.listingError = listingError
    }

    public init(name: String, path: String?) {
        self.init(name: name, path: path.map(SystemPath.init))
    }

    /// A file found at `path`, named as the system spells it.
    init(_ path: SystemPath, listingError: Int32? = nil) {
        self.init(name: path.description, path: path, listingError: listingError)
    }

    public static let standardInput = InputFile(name: "-", path: nil as SystemPath?)

    /// The indices of `inputs`, the largest file on disk first (standard
    /// input, pipes and missing files count as empty; ties in input order):
    /// workers that take files in this order finish together, where a large
    /// file taken last would leave one core working alone.
    public static func largestFirst(_ inputs: [InputFile]) -> [Int] {
        let sizes = inputs.map { input in input.path.flatMap { FileIdentity($0)?.size } ?? 0 }
        return inputs.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
    }

    /// A FIFO waits for its writer when opened: the caller may say so first.
    public var isFIFO: Bool { path.flatMap { FileIdentity($0) }?.isFIFO ?? false }
    /// A regular file on disk (not standard input, a pipe or a device).
    public var isRegularFile: Bool { path.flatMap { FileIdentity($0) }?.isRegular ?? false }
}

/// A problem with the inputs as given: the run cannot start.
public enum InputError: Error, Equatable, CustomStringConvertible {
    case notFound(String)
    case noMatch(pattern: String)
    /// A file named as input that this run is about to write.
    case isOutput(String)

    public var description: String {
        switch self {
        case .notFound(let path):
            return "input '\(path)' does not exist"
        case .noMatch(let pattern):
            return "pattern '\(pattern)' matches no file"
        case .isOutput(let path):
            return "input '\(path)' is an output of this run; name another output folder or file"
        }
    }
}

/// Turns the inputs as given (files, folders, glob patterns, `-`) into the
/// ordered list of files to read.
///
/// A folder contributes, recursively, its log files (by extension, any
/// letter case), hidden entries skipped, symbolic links followed, sorted by
/// relative path byte-wise. A file met twice, by any path, is read once at
/// its first place. A file named explicitly is read whatever its name.
/// Paths are bytes throughout: a name that is not UTF-8 is found, read and
/// reported like any other. A folder that cannot be listed becomes an input
/// of its own whose reading fails, so it shows in the quality table.
public enum InputDiscovery {
    public static func resolve(_ arguments: [String]) throws(InputError) -> [InputFile] {
        try resolve(arguments.map(SystemPath.init))
    }

    /// - Parameter outputs: the files this run will write. Where they exist
    ///   already (a previous run's `titles.csv` or `summary.json` in the
    ///   folder being read), folder walks and patterns pass them over, and
    ///   naming one explicitly is an error: a run never reads what it writes.
    public static func resolve(_ arguments: [SystemPath], outputs: [SystemPath] = []) throws(InputError) -> [InputFile] {
        let outputIdentities = Set(outputs.compactMap { FileIdentity($0) })
        var seen = outputIdentities
        var seenStandardInput = false
        var files: [InputFile] = []
        func add(_ file: InputFile, _ identity: FileIdentity?) {
            if let identity {
                guard seen.insert(identity).inserted else { return }
            }
            files.append(file)
        }
        for argument in arguments {
            if argument.bytes == [UInt8(ascii: "-")] {
                if !seenStandardInput { files.append(.standardInput) }
                seenStandardInput = true
                continue
            }
            let matches: [GlobMatch]
            if let identity = FileIdentity(argument) {
                guard !outputIdentities.contains(identity) else { throw .isOutput(argument.description) }
                matches = [GlobMatch(path: argument, listingError: nil)]
            } else if isPattern(argument.bytes) {
                matches = glob(argument)
                guard !matches.isEmpty else { throw .noMatch(pattern: argument.description) }
            } else {
                throw .notFound(argument.description)
            }
            for match in matches {
                guard let identity = FileIdentity(match.path) else { continue }
                if let code = match.listingError {
                    add(InputFile(match.path, listingError: code), identity)
                } else if identity.isFolder {
                    for (path, innerIdentity, listingError) in walk(folder: match.path) {
                        add(InputFile(path, listingError: listingError), innerIdentity)
                    }
                } else {
                    add(InputFile(match.path), identity)
                }
            }
        }
        return files
    }

    /// What tells two paths to one file apart: device and inode (nil when
    /// nothing is there).
    public static func identityKey(_ path: SystemPath) -> [UInt64]? {
        FileIdentity(path).map { [$0.device, $0.inode] }
    }

    /// Whether a name found in a folder is a log file.
    public static func isLogFileName(_ name: String) -> Bool { isLogFileName(Array(name.utf8)) }

    static func isLogFileName(_ name: [UInt8]) -> Bool {
        let lower = name.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        return [".gz", ".jsonl", ".ndjson", ".json", ".csv", ".tsv"].contains { lower.suffix($0.utf8.count).elementsEqual($0.utf8) }
    }

    static func isPattern(_ text: [UInt8]) -> Bool {
        text.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") }
    }

    struct GlobMatch {
        var path: SystemPath
        /// A folder the pattern needed to look into but could not list.
        var listingError: Int32?
    }

    /// The matches of a glob pattern in byte order, with the folders glob(3)
    /// could not list on the way (they would otherwise vanish silently).
    static func glob(_ pattern: SystemPath) -> [GlobMatch] {
        GlobErrors.lock.withLock { _ in
            GlobErrors.met = []
            var result = glob_t()
            defer { globfree(&result) }
            let status = pattern.withCString { SystemCall.glob($0, 0, GlobErrors.record, &result) }
            var matches: [GlobMatch] = []
            if status == 0 {
                for index in 0..<Int(result.gl_pathc) {
                    guard let path = result.gl_pathv[index] else { continue }
                    let length = strlen(path)
                    let bytes = UnsafeRawBufferPointer(start: path, count: length)
                    if let path = SystemPath(bytes: bytes) { matches.append(GlobMatch(path: path)) }
                }
            }
            matches += GlobErrors.met
            return matches.sorted { $0.path.bytes.lexicographicallyPrecedes($1.path.bytes) }
        }
    }

    /// The log files under `folder`, and the folders that could not be
    /// listed: (path, identity, listing error), sorted by relative path. Each
    /// file or folder reached by several paths counts once, under the path a
    /// depth-first walk in byte order meets first.
    static func walk(folder: SystemPath) -> [(SystemPath, FileIdentity, Int32?)] {
        var base = folder.bytes
        while base.count > 1 && base.last == UInt8(ascii: "/") { base.removeLast() }
        let root = SystemPath(bytes: base) ?? folder
        var found: [(relative: [UInt8], identity: FileIdentity, listingError: Int32?)] = []
        var visited = Set<FileIdentity>()
        if let identity = FileIdentity(folder) { visited.insert(identity) }
        var seenFiles = Set<FileIdentity>()

        func visit(_ relative: [UInt8], _ identity: FileIdentity) {
            let path = relative.isEmpty ? folder : root.appending(relative)
            guard let directory = path.withCString({ opendir($0) }) else {
                found.append((relative, identity, errno))
                return
            }
            var names: [[UInt8]] = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    Array(raw.prefix { $0 != 0 })
                }
                if name.first == UInt8(ascii: ".") || name.isEmpty { continue }
                names.append(name)
            }
            closedir(directory)
            names.sort { $0.lexicographicallyPrecedes($1) }
            for name in names {
                let innerRelative = relative.isEmpty ? name : relative + [UInt8(ascii: "/")] + name
                let inner = root.appending(innerRelative)
                guard let identity = FileIdentity(inner) else {
                    // A broken symbolic link with a log file's name: listed, so its
                    // failure to open shows in the quality table instead of vanishing.
                    if isLogFileName(name), let link = FileIdentity(linkAt: inner), seenFiles.insert(link).inserted {
                        found.append((innerRelative, link, nil))
                    }
                    continue
                }
                if identity.isFolder {
                    if visited.insert(identity).inserted { visit(innerRelative, identity) }
                } else if identity.isRegular && isLogFileName(name) {
                    if seenFiles.insert(identity).inserted { found.append((innerRelative, identity, nil)) }
                }
            }
        }
        if let identity = FileIdentity(folder) { visit([], identity) }
        found.sort { $0.relative.lexicographicallyPrecedes($1.relative) }
        return found.map { (root.appending($0.relative), $0.identity, $0.listingError) }
    }
}

/// What glob(3) reports through its C callback, which can carry no context:
/// one pattern is expanded at a time, under the lock.
private enum GlobErrors {
    static let lock = Mutex(())
    nonisolated(unsafe) static var met: [InputDiscovery.GlobMatch] = []

    static let record: @convention(c) (UnsafePointer<CChar>?, Int32) -> Int32 = { path, code in
        // A folder that is gone or is no folder simply matches nothing.
        guard let path, code != ENOENT && code != ENOTDIR else { return 0 }
        let bytes = UnsafeRawBufferPointer(start: path, count: strlen(path))
        if let folder = SystemPath(bytes: bytes) { met.append(.init(path: folder, listingError: code)) }
        return 0
    }
}

/// A file's identity on disk (device and inode), following symbolic links.
package struct FileIdentity: Hashable {
    let device: UInt64
    let inode: UInt64
    let isFolder: Bool
    let isRegular: Bool

    let isFIFO: Bool
    /// The size in bytes (of a regular file).
    let size: Int64

    init?(_ path: SystemPath) {
        var info = stat()
        guard path.withCString({ stat($0, &info) }) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        isFolder = (info.st_mode & S_IFMT) == S_IFDIR
        isRegular = (info.st_mode & S_IFMT) == S_IFREG
        isFIFO = (info.st_mode & S_IFMT) == S_IFIFO
        size = Int64(info.st_size)
    }

    /// A file's size in bytes.
    package static func size(_ path: String) -> Int64? { FileIdentity(SystemPath(path))?.size }

    /// The identity of a symbolic link itself (`lstat`), for links whose
    /// target is missing.
    init?(linkAt path: SystemPath) {
        var info = stat()
        guard path.withCString({ lstat($0, &info) }) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        isFolder = false
        isRegular = false
        isFIFO = false
        size = 0
    }

    package static func == (a: Self, b: Self) -> Bool { a.device == b.device && a.inode == b.inode }
    package func hash(into hasher: inout Hasher) {
        hasher.combine(device)
        hasher.combine(inode)
    }
}
