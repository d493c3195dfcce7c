/// Every exit status of `audience`, in one place (docs/nightly.md and
/// docs/store.md say what each means and what to do about it). The engine
/// records them (summary.json, the store's ledger); the executable exits
/// with them.
public enum ExitStatus {
    /// Every file was read and every output written.
    public static let success: Int32 = 0
    /// Outputs written, but a file had a file-level error (its good lines count).
    public static let fileErrors: Int32 = 1
    /// Outputs written, but a file or the run passed --max-bad-rate or --max-bad-lines.
    public static let badDataLimit: Int32 = 3
    /// A usage error: nothing was read or written.
    public static let usage: Int32 = 64
    /// A store file is missing, cut, altered or of a newer format: nothing
    /// was reported; the message names the inputs to ingest again.
    public static let storeDamaged: Int32 = 65
    /// An output or the store could not be written (a full disk,
    /// permissions): the output folder holds the previous run's files, the
    /// store what it held before the file being written.
    public static let cannotWrite: Int32 = 73
    /// Another run is writing to the store.
    public static let storeBusy: Int32 = 75
    /// Stopped by SIGINT (130) or SIGTERM (143): nothing written.
    public static func stopped(by signal: Int32) -> Int32 { 128 + signal }
}
