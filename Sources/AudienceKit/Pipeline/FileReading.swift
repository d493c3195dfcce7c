/// Reads one input file to the end: bytes → content → lines → events.
enum FileReading {
    struct Outcome {
        var quality: FileQuality
        var samples: [RejectSample]
    }

    /// Reads `input` from disk, appending its accepted events to `store`.
    static func read(_ input: InputFile, into store: inout EventStore, sampleLimit: Int) -> Outcome {
        var bytesRead: Int64 = 0
        var outcome = scan(name: input.name, into: &store, sampleLimit: sampleLimit) {
            (feed: (UnsafeRawBufferPointer) -> Bool) throws(FileDamage) in
            var reader = try FileReader(path: input.path)
            defer { bytesRead = reader.bytesRead }
            while true {
                let chunk = try reader.next()
                if chunk.isEmpty { return }
                if !feed(chunk) {
                    reader.drain()
                    return
                }
            }
        }
        outcome.quality.bytesRead = bytesRead
        return outcome
    }

    /// Reads stored bytes already in memory, handed over in chunks of
    /// `chunkSize` (tests feed a byte at a time to prove chunking is invisible).
    static func read(
        name: String, contents: [UInt8], chunkSize: Int = FileReader.chunkSize,
        into store: inout EventStore, sampleLimit: Int = 20
    ) -> Outcome {
        var outcome = scan(name: name, into: &store, sampleLimit: sampleLimit) {
            (feed: (UnsafeRawBufferPointer) -> Bool) throws(FileDamage) in
            contents.withUnsafeBytes { all in
                var start = 0
                while start < all.count {
                    let end = min(all.count, start + max(1, chunkSize))
                    if !feed(UnsafeRawBufferPointer(rebasing: all[start..<end])) { return }
                    start = end
                }
            }
        }
        outcome.quality.bytesRead = Int64(contents.count)
        return outcome
    }

    /// Runs the stages over the chunks `produce` hands to its `feed`
    /// callback; `feed` returns false once the rest of the file is of no use.
    private static func scan(
        name: String, into store: inout EventStore, sampleLimit: Int,
        produce: ((UnsafeRawBufferPointer) -> Bool) throws(FileDamage) -> Void
    ) -> Outcome {
        let scanner = LineScanner(file: name, store: store, sampleLimit: sampleLimit)
        store = EventStore()
        var framer = LineFramer(consumer: scanner)
        var decoder = ContentDecoder()
        var damage: FileDamage?
        do {
            try produce { chunk in
                decoder.consume(chunk, into: &framer)
                return decoder.damage == nil && framer.consumer.wantsLines
            }
            if framer.consumer.wantsLines { decoder.finish(into: &framer) }
            damage = decoder.damage
        } catch {
            damage = decoder.damage ?? error
        }
        // A content-level error (a JSON array, an unreadable header) stopped
        // the reading on purpose: it is the file's error, not what the
        // decoder met after being cut short.
        if !framer.consumer.wantsLines { damage = nil }
        framer.finish(keepPartialLine: damage?.keepsPartialLine ?? true)
        store = framer.consumer.store
        framer.consumer.store = EventStore()
        var quality = framer.consumer.quality
        if let damage { quality.damage = damage }
        return Outcome(quality: quality, samples: framer.consumer.samples)
    }
}
