#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One file to read: the name reports use, and where its bytes come from.
public struct InputFile: Sendable, Hashable {
    /// The input as given, joined with the path inside a folder by one `/`.
    public let name: String
    /// nil for standard input.
    public let path: String?

    public init(name: String, path: String?) {
        self.name = name
        self.path = path
    }

    public static let standardInput = InputFile(name: "-", path: nil)
}

/// A problem with the inputs as given: the run cannot start.
public enum InputError: Error, Equatable, CustomStringConvertible {
    case notFound(String)
    case noMatch(pattern: String)
    case unreadableFolder(String, errno: Int32)

    public var description: String {
        switch self {
        case .notFound(let path):
            return "input '\(path)' does not exist"
        case .noMatch(let pattern):
            return "pattern '\(pattern)' matches no file"
        case .unreadableFolder(let path, let code):
            return "cannot list folder '\(path)': \(SystemError.describe(code))"
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
public enum InputDiscovery {
    public static func resolve(_ arguments: [String]) throws(InputError) -> [InputFile] {
        var seen = Set<FileIdentity>()
        var seenStandardInput = false
        var files: [InputFile] = []
        func add(_ file: InputFile, _ identity: FileIdentity?) {
            if let identity {
                guard seen.insert(identity).inserted else { return }
            }
            files.append(file)
        }
        for argument in arguments {
            if argument == "-" {
                if !seenStandardInput { files.append(.standardInput) }
                seenStandardInput = true
                continue
            }
            let matches: [String]
            if FileIdentity(argument) != nil {
                matches = [argument]
            } else if isPattern(argument) {
                matches = glob(argument)
                guard !matches.isEmpty else { throw .noMatch(pattern: argument) }
            } else {
                throw .notFound(argument)
            }
            for path in matches {
                guard let identity = FileIdentity(path) else { continue }
                if identity.isFolder {
                    for (name, inner, innerIdentity) in try walk(folder: path) {
                        add(InputFile(name: name, path: inner), innerIdentity)
                    }
                } else {
                    add(InputFile(name: path, path: path), identity)
                }
            }
        }
        return files
    }

    /// Whether a name found in a folder is a log file.
    public static func isLogFileName(_ name: String) -> Bool {
        let lower = name.lowercased()
        if lower.hasSuffix(".gz") { return true }
        return [".jsonl", ".ndjson", ".json", ".csv", ".tsv"].contains { lower.hasSuffix($0) }
    }

    static func isPattern(_ text: String) -> Bool {
        text.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }

    /// The matches of a glob pattern, in byte order.
    static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for index in 0..<Int(result.gl_pathc) {
            if let path = result.gl_pathv[index] { paths.append(String(cString: path)) }
        }
        return paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The log files under `folder`: (report name, path, identity), sorted by
    /// relative path. Each file or folder reached by several paths counts
    /// once, under the path a depth-first walk in byte order meets first.
    static func walk(folder: String) throws(InputError) -> [(String, String, FileIdentity)] {
        var base = folder
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        var found: [(relative: String, identity: FileIdentity)] = []
        var visited = Set<FileIdentity>()
        if let identity = FileIdentity(folder) { visited.insert(identity) }
        var seenFiles = Set<FileIdentity>()

        func visit(_ relative: String) throws(InputError) {
            let path = relative.isEmpty ? folder : joined(base, relative)
            guard let directory = opendir(path) else {
                throw .unreadableFolder(path, errno: errno)
            }
            var names: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
                }
                if name.hasPrefix(".") { continue }
                names.append(name)
            }
            closedir(directory)
            names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for name in names {
                let innerRelative = relative.isEmpty ? name : relative + "/" + name
                guard let identity = FileIdentity(joined(base, innerRelative)) else {
                    // A broken symbolic link with a log file's name: listed, so its
                    // failure to open shows in the quality table instead of vanishing.
                    if isLogFileName(name), let link = FileIdentity(linkAt: joined(base, innerRelative)),
                       seenFiles.insert(link).inserted {
                        found.append((innerRelative, link))
                    }
                    continue
                }
                if identity.isFolder {
                    if visited.insert(identity).inserted { try visit(innerRelative) }
                } else if identity.isRegular && isLogFileName(name) {
                    if seenFiles.insert(identity).inserted { found.append((innerRelative, identity)) }
                }
            }
        }
        try visit("")
        found.sort { $0.relative.utf8.lexicographicallyPrecedes($1.relative.utf8) }
        return found.map { (joined(base, $0.relative), joined(base, $0.relative), $0.identity) }
    }

    private static func joined(_ base: String, _ relative: String) -> String {
        base.hasSuffix("/") ? base + relative : base + "/" + relative
    }
}

/// A file's identity on disk (device and inode), following symbolic links.
struct FileIdentity: Hashable {
    let device: UInt64
    let inode: UInt64
    let isFolder: Bool
    let isRegular: Bool

    init?(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        isFolder = (info.st_mode & S_IFMT) == S_IFDIR
        isRegular = (info.st_mode & S_IFMT) == S_IFREG
    }

    /// A file's size in bytes.
    static func size(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    /// The identity of a symbolic link itself (`lstat`), for links whose
    /// target is missing.
    init?(linkAt path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        isFolder = false
        isRegular = false
    }

    static func == (a: Self, b: Self) -> Bool { a.device == b.device && a.inode == b.inode }
    func hash(into hasher: inout Hasher) {
        hasher.combine(device)
        hasher.combine(inode)
    }
}
