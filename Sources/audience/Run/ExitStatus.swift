/// Every exit status of `audience`, in one place (docs/nightly.md says
/// what each means and what to do about it).
enum ExitStatus {
    /// Every file was read and every output written.
    static let success: Int32 = 0
    /// Outputs written, but a file had a file-level error (its good lines count).
    static let fileErrors: Int32 = 1
    /// Outputs written, but a file or the run passed --max-bad-rate or --max-bad-lines.
    static let badDataLimit: Int32 = 3
    /// A usage error: nothing was read or written.
    static let usage: Int32 = 64
    /// An output could not be written (a full disk, permissions): the output
    /// folder holds the previous run's files, untouched.
    static let cannotWrite: Int32 = 73
    /// Stopped by SIGINT (130) or SIGTERM (143): nothing written.
    static func stopped(by signal: Int32) -> Int32 { 128 + signal }
}
