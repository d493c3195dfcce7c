/// Reads one input file to the end: bytes → content → lines → events.
enum FileReading {
    struct Outcome {
        var quality: FileQuality
        var samples: [RejectSample]
    }

    /// Reads `input`, appending its accepted events to `store`.
    static func read(_ input: InputFile, into store: inout EventStore, sampleLimit: Int) -> Outcome {
        let scanner = LineScanner(file: input.name, store: store, sampleLimit: sampleLimit)
        store = EventStore()
        var framer = LineFramer(consumer: scanner)
        var decoder = ContentDecoder()
        var bytesRead: Int64 = 0
        var damage: FileDamage?
        do {
            var reader = try FileReader(path: input.path)
            do {
                while true {
                    let chunk = try reader.next()
                    if chunk.isEmpty { break }
                    decoder.consume(chunk, into: &framer)
                    if decoder.damage != nil || !scanner.wantsLines {
                        reader.drain()
                        break
                    }
                }
                decoder.finish(into: &framer)
                damage = decoder.damage
            } catch {
                damage = error
            }
            bytesRead = reader.bytesRead
        } catch {
            damage = error
        }
        framer.finish(keepPartialLine: damage?.keepsPartialLine ?? true)
        store = scanner.store
        var quality = scanner.quality
        quality.bytesRead = bytesRead
        if let damage { quality.damage = damage }
        return Outcome(quality: quality, samples: scanner.samples)
    }
}
