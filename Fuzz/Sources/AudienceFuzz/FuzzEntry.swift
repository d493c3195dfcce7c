import AudienceConfig
import AudienceKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer's driver: parses its flags, runs the inputs through `callback`.
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The program's entry. SwiftPM links an executable with `main` set to
/// `<module>_main`, which `-parse-as-library` leaves undefined; defining it
/// here starts libFuzzer's driver with this module's check as its callback.
@_cdecl("AudienceFuzz_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    chooseTarget()
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzerTestOneInput(data, size) }
}

/// The check this process runs, from AUDIENCE_FUZZ_TARGET; read once.
nonisolated(unsafe) private var target: (name: String, check: ([UInt8]) -> String?)?

/// Picks the check; called once before libFuzzer's driver starts: one of
/// `FuzzTarget` (AudienceKit), or `config`, the `--config` file reader
/// (AudienceConfig, which AudienceKit does not depend on).
func chooseTarget() {
    let name = getenv("AUDIENCE_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    if name == "config" {
        target = (name, ConfigFile.fuzz)
    } else if let chosen = FuzzTarget(rawValue: name) {
        target = (name, chosen.run)
    } else {
        let names = (FuzzTarget.allCases.map(\.rawValue) + ["config"]).joined(separator: ", ")
        printError("set AUDIENCE_FUZZ_TARGET to one of: \(names)")
        exit(2)
    }
}

/// libFuzzer calls this for every input; a broken invariant traps, so the
/// fuzzer saves the input as a crash.
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    if let target, let failure = target.check(bytes) {
        printError("\(target.name): \(failure)")
        abort()
    }
    return 0
}

/// To standard error, unbuffered: the process aborts right after.
private func printError(_ text: String) {
    let line = text + "\n"
    line.withCString { _ = write(2, $0, strlen($0)) }
}
