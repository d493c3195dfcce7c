import Foundation
import Testing

// The Dask driver in integrations/dask runs the split-run steps (ingest
// --shard, analyze --part, merge) as Dask tasks; its own Python test
// compares the result with a one-shot run. It needs python3 with dask's
// `distributed`: skipped where that is missing, except on CI, whose
// .ci/run installs it, so there a missing package fails instead of
// hiding the test.

private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private func pythonHasDistributed() -> Bool {
    (try? runProcess("/usr/bin/env", ["python3", "-c", "import distributed"], in: repositoryRoot).status) == 0
}

private let onCI = ProcessInfo.processInfo.environment["CI"] == "true"

@Test(.enabled(if: onCI || pythonHasDistributed(),
               "needs python3 with dask distributed: pip install -r integrations/dask/requirements.txt"))
func daskDriverMatchesAOneShotRun() throws {
    try #require(pythonHasDistributed(),
                 "CI=true but python3 cannot import distributed: .ci/run should have installed integrations/dask/requirements.txt")
    // One stream (2>&1), so that a chatty standard error cannot fill its
    // pipe while standard output is being read; timeout ends a hung cluster.
    let result = try runProcess(
        "/bin/sh", ["-c", #"exec timeout 600 python3 integrations/dask/test_audience_dask.py "$0" 2>&1"#, try binary().path],
        in: repositoryRoot)
    #expect(result.status == 0, "\(result.output)")
    #expect(result.output.contains("\nOK"), "\(result.output)")
}
