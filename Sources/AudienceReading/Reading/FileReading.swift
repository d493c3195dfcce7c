/// Reads one input file to the end: bytes → content → lines → a consumer.
package enum FileReading {
    package struct Outcome: Sendable {
        package var quality: FileQuality
        package var samples: [RejectSample]
    }

    /// Reads `input` from disk, appending its accepted events to `store`.
    /// `observe` sees every byte read from disk, in order (the store's
    /// digest); `spill`, when given, takes the events every `spillEvents`,
    /// and `store` ends with the rest.
    package static func read(
        _ input: InputFile, into store: inout EventStore, sampleLimit: Int, progress: RunProgress? = nil,
        observe: ((UnsafeRawBufferPointer) -> Void)? = nil,
        spill: ((consuming EventStore) -> Void)? = nil, spillEvents: Int = Int.max
    ) -> Outcome {
        var scanner = LineScanner(file: input.name, store: store, sampleLimit: sampleLimit)
        scanner.progress = progress
        scanner.spill = spill
        scanner.spillEvents = spillEvents
        var framer = LineFramer(consumer: scanner)
        store = EventStore()
        let (damage, bytesRead) = run(&framer, decoder: ContentDecoder()) { feed throws(FileDamage) in
            try readDisk(input, progress, observe, feed)
        }
        var finished = framer.takeConsumer()
        finished.reportRemainingLines()
        progress?.fileDone()
        return outcome(&finished, damage: damage, bytesRead: bytesRead, store: &store)
    }

    /// Reads `input` from disk, handing its lines in blocks to `collector`;
    /// the outcome holds the file-level facts only (bytes read, damage).
    static func read(_ input: InputFile, collector: consuming BlockCollector, progress: RunProgress? = nil) -> Outcome {
        var collector = collector
        let (damage, bytesRead) = run(&collector, decoder: ContentDecoder()) { feed throws(FileDamage) in
            try readDisk(input, progress, nil, feed)
        }
        var quality = FileQuality(file: input.name)
        var samples: [RejectSample] = []
        if let undecided = collector.undecided {
            quality.add(undecided.quality)
            samples = undecided.samples
            progress?.add(lines: undecided.quality.lines)
        }
        quality.bytesRead = bytesRead
        quality.damage = collector.damage ?? damage
        progress?.fileDone()
        return Outcome(quality: quality, samples: samples)
    }

    /// Reads stored bytes already in memory, handed over in chunks of
    /// `chunkSize` (tests feed a byte at a time to prove chunking is
    /// invisible, and choose `gzip` to prove the inflaters agree).
    package static func read(
        name: String, contents: [UInt8], chunkSize: Int = ChunkReader.chunkSize,
        into store: inout EventStore, sampleLimit: Int = 20, gzip: GzipReading? = nil
    ) -> Outcome {
        var framer = LineFramer(consumer: LineScanner(file: name, store: store, sampleLimit: sampleLimit))
        store = EventStore()
        let decoder = ContentDecoder(gzip: gzip ?? .streaming)
        let (damage, _) = run(&framer, decoder: decoder) { (feed: (UnsafeRawBufferPointer) -> Bool) throws(FileDamage) -> Int64? in
            contents.withUnsafeBytes { all in
                var start = 0
                while start < all.count {
                    let end = min(all.count, start + max(1, chunkSize))
                    if !feed(UnsafeRawBufferPointer(rebasing: all[start..<end])) { return }
                    start = end
                }
            }
            return nil
        }
        var scanner = framer.takeConsumer()
        return outcome(&scanner, damage: damage, bytesRead: Int64(contents.count), store: &store)
    }

    private static func outcome(
        _ scanner: inout LineScanner, damage: FileDamage?, bytesRead: Int64, store: inout EventStore
    ) -> Outcome {
        store = scanner.store
        scanner.store = EventStore()
        var quality = scanner.quality
        quality.bytesRead = bytesRead
        if let damage { quality.damage = damage }
        return Outcome(quality: quality, samples: scanner.samples)
    }

    /// Feeds the file's chunks to `feed` until it returns false, then reads
    /// the rest unseen so `bytesRead` is the file's size.
    /// A stop request ends the reading at the next chunk; what was read is
    /// thrown away by the caller.
    private static func readDisk(
        _ input: InputFile, _ progress: RunProgress?, _ observe: ((UnsafeRawBufferPointer) -> Void)?,
        _ feed: (UnsafeRawBufferPointer) -> Bool
    ) throws(FileDamage) -> Int64? {
        if let code = input.listingError { throw FileDamage(.unlistableFolder(errno: code)) }
        var reader = try ChunkReader(path: input.path)
        while true {
            if progress?.isStopRequested == true { break }
            let chunk = try reader.next { progress?.isStopRequested == true }
            if chunk.isEmpty { break }
            progress?.add(bytes: chunk.count)
            observe?(chunk)
            if !feed(chunk) {
                reader.drain(observe)
                break
            }
        }
        return reader.bytesRead
    }

    /// Runs the stages over the chunks `produce` hands to its `feed`
    /// callback; `feed` returns false once the rest of the file is of no use.
    /// Returns the file's damage and the bytes read; `sink` has seen the
    /// whole content.
    private static func run<Sink: ContentSink & ~Copyable>(
        _ sink: inout Sink, decoder: consuming ContentDecoder,
        produce: ((UnsafeRawBufferPointer) -> Bool) throws(FileDamage) -> Int64?
    ) -> (FileDamage?, Int64) {
        var decoder = decoder
        var damage: FileDamage?
        var bytesRead: Int64 = 0
        do {
            bytesRead = try produce { chunk in
                decoder.consume(chunk, into: &sink)
                return decoder.damage == nil && sink.wantsMore
            } ?? 0
            if sink.wantsMore { decoder.finish(into: &sink) }
            damage = decoder.damage
        } catch {
            damage = decoder.damage ?? error
        }
        sink.finish(keepPartialLine: damage?.keepsPartialLine ?? true)
        // A content-level error (a JSON array, an unreadable header), found
        // before or at the end, is the file's error: not what the decoder met
        // after the reading was cut short on purpose, nor damage past it.
        if !sink.wantsMore { damage = nil }
        return (damage, bytesRead)
    }
}
