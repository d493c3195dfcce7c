import ArgumentParser
import AudienceKit

@main
struct Audience: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audience",
        abstract: "Streaming-audience analytics from viewing-event logs.",
        discussion: """
            Reads gzipped or plain NDJSON, CSV and TSV viewing logs and writes \
            CSV tables and a summary. With no arguments at all, analyses the \
            sample logs bundled under Datasets/ (as `audience analyze --sample`).

            Exit codes: 0 every file was read; 1 the run finished but a file \
            had a file-level error (its good lines still count, every output \
            was written); 3 a bad-data limit was passed (every output \
            written); 64 usage error; 65 a store is damaged, missing or of a \
            newer format (the message names the inputs to ingest again); 73 \
            an output or the store could not be written (the output folder \
            keeps the previous run's files, the store what it held before the \
            file being written); 75 another run is writing to the store; 130 \
            and 143 stopped by SIGINT or SIGTERM (nothing written).
            """,
        version: Analyzer.version,
        subcommands: [Analyze.self, Ingest.self, StoreCommand.self, Merge.self, Generate.self],
        defaultSubcommand: Analyze.self
    )

    /// Parses and runs, printing a usage error as one line (`audience: ...`)
    /// rather than the usage text: a nightly log should say what was wrong
    /// in the line it greps for.
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        RunLog.configure(from: arguments)
        if arguments.isEmpty {
            // The README's first command; an empty variable in a script is
            // `audience analyze $INPUT`, which is a usage error instead.
            RunLog.info("no arguments: reading the bundled sample (audience analyze --sample); name logs to read your own.")
            arguments = ["analyze", "--sample"]
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            let code = exitCode(for: error)
            // Help, version, and exit statuses the command chose itself.
            if code == .success || error is ExitCode { exit(withError: error) }
            let message = self.message(for: error)
                .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }.joined(separator: " ")
            RunLog.error(message.isEmpty ? "stopped (\(code.rawValue))" : message, [("reason", .string("usage"))])
            exit(withError: ExitCode(code.rawValue))
        }
    }
}
