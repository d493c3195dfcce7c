import ArgumentParser
import AudienceKit

@main
struct Audience: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audience",
        abstract: "Streaming-audience analytics from viewing-event logs.",
        discussion: """
            Reads gzipped or plain NDJSON, CSV and TSV viewing logs and writes \
            CSV tables and a summary. With no arguments, analyses the sample \
            logs bundled under Datasets/.

            Exit codes: 0 every file was read; 1 the run finished but a file \
            had a file-level error (its good lines still count, every output \
            was written); 64 usage error.
            """,
        version: Analyzer.version,
        subcommands: [Analyze.self, Generate.self],
        defaultSubcommand: Analyze.self
    )
}
