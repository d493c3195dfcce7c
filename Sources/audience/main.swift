import AudienceKit
import Foundation

let inputs = try InputDiscovery.resolve(Array(CommandLine.arguments.dropFirst()))
let result = Reading.read(inputs, settings: ReadSettings(threads: 2))
for f in result.files { print(f.file, f.bytesRead, f.lines, f.accepted, f.rejected, f.damage?.description ?? "") }
print(result.total.lines, result.total.accepted, result.events.duplicates)
