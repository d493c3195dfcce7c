#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CSystemShims
import AudienceCore

/// A run's outputs, written whole into a hidden staging folder inside the
/// output folder, then moved into place together by `commit`.
///
/// A run that stops before `commit` (an error, a full disk, SIGINT or
/// SIGTERM) leaves the output folder exactly as it was: readers never see a
/// new `titles.csv` beside an old `quality.csv`. `commit` only renames files
/// within one file system (each rename atomic) and takes milliseconds; it
/// then removes what an earlier run wrote and this one did not (charts it
/// no longer draws, `report.md` under `--no-report`), so nothing stale
/// looks current. Files that are not outputs of `audience` are never touched.
public struct StagedOutputs: Sendable {
    public let target: OutputFolder
    /// Where this run writes; `commit` empties it into `target`.
    public let staging: OutputFolder
    /// Beside `target` (in its parent folder), so the two can be swapped in
    /// one step; else inside it, where files move one by one.
    private let besideTarget: Bool

    static let stagingPrefix = ".audience-staging-"

    /// Makes the staging folder beside the output folder when its parent
    /// takes new entries (else inside it), removing those that runs killed
    /// earlier left behind (their process is gone).
    public init(in target: OutputFolder) throws(OutputError) {
        self.target = target
        let (parent, name) = Self.split(target.path)
        Self.removeAbandonedStagings(in: parent, prefix: "." + name + Self.stagingPrefix)
        Self.removeAbandonedStagings(in: target.path, prefix: Self.stagingPrefix)
        let beside = Self.joined(parent, "." + name + Self.stagingPrefix + String(getpid()))
        Self.removeTree(beside)
        if let folder = try? OutputFolder(path: beside) {
            staging = folder
            besideTarget = true
        } else {
            let inside = target.joined(Self.stagingPrefix + String(getpid()))
            Self.removeTree(inside)
            staging = try OutputFolder(path: inside)
            besideTarget = false
        }
    }

    /// Puts the files named in `written` (relative to the folder, such as
    /// `charts/daily.svg`) in place of the earlier run's outputs.
    ///
    /// When the output folder holds nothing but outputs of `audience`
    /// (`ownNames`, `charts/*.svg`), the staging folder and the output folder
    /// are swapped in one atomic step (`renameat2` with `RENAME_EXCHANGE`):
    /// at every instant the folder holds one run's files, even to a reader
    /// or after a power cut. When it holds other files too (`--out .`), the
    /// files move one rename each, in milliseconds, and then the outputs of
    /// earlier runs that this one did not write are removed.
    public func commit(_ written: [String], ownNames: [String]) throws(OutputError) {
        if besideTarget && holdsOnlyOutputs(ownNames: ownNames),
           audience_exchange_paths(staging.path, target.path) == 0 {
            // The staging path now holds the earlier run's outputs.
            discard()
            return
        }
        let writtenSet = Set(written)
        for name in written {
            let destination = target.joined(name)
            if let slash = name.lastIndex(of: "/") {
                let folder = target.joined(String(name[..<slash]))
                if mkdir(folder, 0o755) != 0 && errno != EEXIST { throw OutputError(path: folder, errno: errno) }
            }
            guard rename(staging.joined(name), destination) == 0 else {
                throw OutputError(path: destination, errno: errno)
            }
        }
        for name in ownNames where !writtenSet.contains(name) {
            unlink(target.joined(name))
        }
        for chart in Self.entries(of: target.joined("charts")) where chart.hasSuffix(".svg") {
            if !writtenSet.contains("charts/" + chart) { unlink(target.joined("charts/" + chart)) }
        }
        discard()
    }

    /// Whether every entry of the output folder is an output of `audience`.
    private func holdsOnlyOutputs(ownNames: [String]) -> Bool {
        let own = Set(ownNames)
        for entry in Self.entries(of: target.path) {
            if own.contains(entry) || entry.hasPrefix(Self.stagingPrefix) { continue }
            if entry == "charts", Self.entries(of: target.joined("charts")).allSatisfy({ $0.hasSuffix(".svg") }) { continue }
            return false
        }
        return true
    }

    /// Removes the staging folder and all in it.
    public func discard() {
        Self.removeTree(staging.path)
    }

    private static func removeAbandonedStagings(in folder: String, prefix: String) {
        for entry in entries(of: folder) where entry.hasPrefix(prefix) {
            // A staging folder of a live process is another run's, at work.
            if let pid = Int32(entry.dropFirst(prefix.count)), pid != getpid(), kill(pid, 0) == 0 { continue }
            removeTree(joined(folder, entry))
        }
    }

    /// The parent folder and the last name of a path (`out/` gives `.`, `out`).
    static func split(_ path: String) -> (parent: String, name: String) {
        var trimmed = path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return (".", trimmed) }
        let parent = slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
        return (parent, String(trimmed[trimmed.index(after: slash)...]))
    }

    static func joined(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    static func entries(of folder: String) -> [String] {
        FolderListing.names(in: folder) ?? []
    }

    /// Removes a folder made by a run (files and folders only, no links
    /// followed), or a file.
    static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for entry in entries(of: path) { removeTree(path + "/" + entry) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
