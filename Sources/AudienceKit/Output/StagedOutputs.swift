#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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

    static let stagingPrefix = ".audience-staging-"

    /// Makes the staging folder, removing those that runs killed earlier
    /// left behind (their process is gone).
    public init(in target: OutputFolder) throws(OutputError) {
        self.target = target
        Self.removeAbandonedStagings(in: target.path)
        let path = target.joined(Self.stagingPrefix + String(getpid()))
        Self.removeTree(path)
        staging = try OutputFolder(path: path)
    }

    /// Moves every file named in `written` (relative to the folder, such as
    /// `charts/daily.svg`) into place, then removes the outputs of earlier
    /// runs that are not among them: names in `ownNames`, and `.svg` files
    /// in `charts/`.
    public func commit(_ written: [String], ownNames: [String]) throws(OutputError) {
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

    /// Removes the staging folder and all in it.
    public func discard() {
        Self.removeTree(staging.path)
    }

    private static func removeAbandonedStagings(in folder: String) {
        for entry in entries(of: folder) where entry.hasPrefix(stagingPrefix) {
            // A staging folder of a live process is another run's, at work.
            if let pid = Int32(entry.dropFirst(stagingPrefix.count)), pid != getpid(), kill(pid, 0) == 0 { continue }
            removeTree((folder.hasSuffix("/") ? folder : folder + "/") + entry)
        }
    }

    static func entries(of folder: String) -> [String] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
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
