#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AudienceCore
import AudienceReading

/// Writes a segment (layout in `StoreFormat`) to a new file a block at a
/// time, so that memory holds one block of events, never a whole file's.
/// The file is complete only after `finish`; until then it is a temporary
/// file the store never names.
final class SegmentWriter {
    let path: String
    private let partitions: Int
    private let compressor: Deflate.Compressor
    private let descriptor: Int32
    private var offset = 0
    private var blocks: [[ChunkLocation]] = []
    private var finished = false

    init(path: String, partitions: Int, level: Int32) throws(StoreIOError) {
        let fd = SystemError.retryingInterrupts { open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        guard fd >= 0 else { throw StoreIOError(code: errno, path: path, operation: "create") }
        self.path = path
        self.partitions = partitions
        compressor = Deflate.Compressor(level: level)
        descriptor = fd
        do {
            try write(StoreFormat.headMagic)
        } catch {
            discard()
            throw error
        }
    }

    deinit {
        if !finished { discard() }
    }

    /// Closes and deletes the unfinished file.
    func discard() {
        guard !finished else { return }
        finished = true
        close(descriptor)
        unlink(path)
    }

    private func write(_ bytes: [UInt8]) throws(StoreIOError) {
        if let failure = SystemCall.writeAll(bytes, to: descriptor) {
            throw StoreIOError(code: failure, path: path, operation: "write")
        }
        offset += bytes.count
    }

    private func chunk(_ raw: [UInt8], events: Int) throws(StoreIOError) -> ChunkLocation {
        guard !raw.isEmpty else { return .empty }
        return try write(chunk: compressor.compress(raw), rawLength: raw.count, events: events)
    }

    /// Writes a deflated chunk of `rawLength` bytes and says where it lies.
    private func write(chunk stored: [UInt8], rawLength: Int, events: Int) throws(StoreIOError) -> ChunkLocation {
        let location = ChunkLocation(
            offset: offset, storedLength: stored.count, rawLength: rawLength, events: events, crc: Checksum.crc32(stored))
        try write(stored)
        return location
    }

    /// Writes one block of events, each store those of one file (its index
    /// in the `files` that `finish` will be given).
    func addBlock(_ parts: [(file: Int, store: EventStore)]) throws(StoreIOError) {
        let stores = parts.map(\.store)
        // Each partition's views in the order the chunk keeps them: by
        // source, then view (each view's events by `ts`, then read order:
        // small deltas, long repeats).
        var entries = [[EventChunk.ViewEvents]](repeating: [], count: partitions)
        for (source, store) in stores.enumerated() {
            for (view, events) in Self.eventsByView(store) {
                let key = store.views[view]
                let partition = StoreFormat.partition(
                    session: store.strings.bytes(key.session), title: store.strings.bytes(key.title), count: partitions)
                entries[partition].append(EventChunk.ViewEvents(source: source, view: view, events: events))
            }
        }
        guard entries.contains(where: { !$0.isEmpty }) else { return }
        var scratch = EventChunk.Scratch(stores)
        var chunks: [ChunkLocation] = []
        for partition in entries {
            guard !partition.isEmpty else {
                chunks.append(.empty)
                continue
            }
            let raw = EventChunk.encode(partition, from: stores, files: parts.map(\.file), scratch: &scratch)
            let stored = raw.withBytes { compressor.compress($0) }
            scratch.recycle(raw)
            chunks.append(try write(chunk: stored, rawLength: raw.count, events: partition.reduce(0) { $0 + $1.events.count }))
        }
        blocks.append(chunks)
    }

    /// The store's events (padding left out) grouped by view in view order
    /// (`EventStore.eventsByView`), each view's in read order: the encoder
    /// puts them in `ts` order as it gathers them.
    static func eventsByView(_ store: EventStore) -> [(view: Int, events: ArraySlice<UInt32>)] {
        let (starts, order) = store.eventsByView()
        return store.views.indices.filter { starts[$0] < starts[$0 + 1] }.map { ($0, order[starts[$0]..<starts[$0 + 1]]) }
    }

    /// Writes the samples and the footer, and makes the file durable.
    /// - Returns: the file's size.
    func finish(files: [StoredFile], samples: [RejectSample]) throws(StoreIOError) -> Int {
        let sampleChunk = try chunk(Self.encodeSamples(samples, files: files), events: samples.count)
        let footer = SegmentFooter(partitions: partitions, files: files, samples: sampleChunk, blocks: blocks).encoded()
        var tail = ByteWriter()
        tail.append(footer)
        tail.uint32(UInt32(footer.count))
        tail.uint32(Checksum.crc32(footer))
        tail.append(StoreFormat.tailMagic)
        try write(tail.bytes)
        guard fsync(descriptor) == 0 else { throw StoreIOError(code: errno, path: path, operation: "flush") }
        finished = true
        guard close(descriptor) == 0 else {
            unlink(path)
            throw StoreIOError(code: errno, path: path, operation: "close")
        }
        return offset
    }

    private static func encodeSamples(_ samples: [RejectSample], files: [StoredFile]) -> [UInt8] {
        guard !samples.isEmpty else { return [] }
        var index: [ByteString: Int] = [:]
        for (number, file) in files.enumerated() { index[ByteString(file.name)] = number }
        var out = ByteWriter()
        out.varint(samples.count)
        for sample in samples {
            guard let file = index[ByteString(sample.file)] else { preconditionFailure("a sample of a file the segment does not hold") }
            out.varint(file)
            out.varint(sample.line)
            out.varint(sample.reason.rawValue)
            out.text(sample.detail)
            out.text(sample.text)
        }
        return out.bytes
    }
}

/// An open segment: its footer read and checked, chunks read on demand,
/// from any thread.
final class SegmentReader: Sendable {
    let path: String
    let footer: SegmentFooter
    private let file: StoreFile

    init(path: String) throws(SegmentDamage) {
        self.path = path
        let file: StoreFile
        do {
            file = try StoreFile(openForReading: path)
        } catch {
            throw error.code == ENOENT ? SegmentDamage.missing : SegmentDamage.unreadable(errno: error.code)
        }
        let size = file.size
        let minimum = StoreFormat.headMagic.count + StoreFormat.tailSize
        guard size >= minimum else { throw SegmentDamage.cut }
        let tail = try Self.read(file, at: size - StoreFormat.tailSize, count: StoreFormat.tailSize)
        guard Array(tail[8..<16]) == StoreFormat.tailMagic else { throw SegmentDamage.cut }
        var tailReader = ByteReader(tail)
        guard let footerLength = try? Int(tailReader.uint32()), let footerCRC = try? tailReader.uint32(),
              footerLength <= size - minimum
        else { throw SegmentDamage.cut }
        let head = try Self.read(file, at: 0, count: StoreFormat.headMagic.count)
        guard head == StoreFormat.headMagic else { throw SegmentDamage.undecodable("head") }
        let footerBytes = try Self.read(file, at: size - StoreFormat.tailSize - footerLength, count: footerLength)
        guard Checksum.crc32(footerBytes) == footerCRC else { throw SegmentDamage.checksumMismatch("footer") }
        footer = try SegmentFooter.decode(footerBytes, range: 0..<footerBytes.count, fileSize: size)
        self.file = file
    }

    private static func read(_ file: StoreFile, at offset: Int, count: Int) throws(SegmentDamage) -> [UInt8] {
        do {
            let bytes = try file.read(at: offset, count: count)
            guard bytes.count == count else { throw SegmentDamage.cut }
            return bytes
        } catch let damage as SegmentDamage {
            throw damage
        } catch let error as StoreIOError {
            throw SegmentDamage.unreadable(errno: error.code)
        } catch {
            throw SegmentDamage.cut
        }
    }

    /// A chunk inflated, its checksum checked.
    func chunk(_ location: ChunkLocation, named name: String) throws(SegmentDamage) -> [UInt8] {
        guard location.rawLength > 0 else { return [] }
        let stored = try Self.read(file, at: location.offset, count: location.storedLength)
        guard Checksum.crc32(stored) == location.crc else { throw SegmentDamage.checksumMismatch(name) }
        guard let raw = Deflate.decompressChecked(stored, range: 0..<stored.count, expected: location.rawLength) else {
            throw SegmentDamage.undecodable(name)
        }
        return raw
    }

    /// Appends the events of partition `partition` of each file to the
    /// store `route` gives it (none: left out); with `slice`, only the views
    /// of that slice of the partition (`StoreFormat.slice`).
    func events(
        partition: Int, route: [Int?], slice: (index: Int, count: Int)? = nil, into stores: inout [EventStore]
    ) throws(SegmentDamage) {
        for block in footer.blocks.indices {
            try events(block: block, partition: partition, route: route, slice: slice, into: &stores)
        }
    }

    /// The same, for one block.
    func events(
        block: Int, partition: Int, route: [Int?], slice: (index: Int, count: Int)? = nil, into stores: inout [EventStore]
    ) throws(SegmentDamage) {
        let location = footer.blocks[block][partition]
        let name = "partition \(partition) of block \(block)"
        let raw = try chunk(location, named: name)
        guard !raw.isEmpty else { return }
        let before = stores.reduce(0) { $0 + $1.events.count }
        do {
            try EventChunk.decode(raw, format: footer.formatVersion, route: route, slice: slice, into: &stores)
        } catch {
            throw SegmentDamage.undecodable(name)
        }
        // Every file routed: the count written in the footer must match.
        if slice == nil, route.allSatisfy({ $0 != nil }), stores.reduce(0, { $0 + $1.events.count }) - before != location.events {
            throw SegmentDamage.undecodable(name)
        }
    }

    /// One block's events, a store per file of the segment (what
    /// compaction and `verify` read).
    func block(_ block: Int) throws(SegmentDamage) -> [EventStore] {
        var stores = [EventStore](repeating: EventStore(), count: footer.files.count)
        let route = footer.files.indices.map { Optional($0) }
        for partition in 0..<footer.partitions { try events(block: block, partition: partition, route: route, into: &stores) }
        return stores
    }

    /// The sampled rejected lines of the files in `keep`, in the order
    /// they were read, each with its file's index in the footer.
    func samples(keep: [Bool] = []) throws(SegmentDamage) -> [(file: Int, sample: RejectSample)] {
        let raw = try chunk(footer.samples, named: "rejected-line samples")
        guard !raw.isEmpty else { return [] }
        var input = ByteReader(raw)
        var samples: [(file: Int, sample: RejectSample)] = []
        do {
            let count = try input.count(atMost: raw.count)
            for _ in 0..<count {
                let file = try input.count(atMost: footer.files.count - 1)
                let line = try input.count(atMost: Int(Int64.max / 2))
                guard let reason = SkipReason(rawValue: try input.count(atMost: 64)) else { throw ByteReader.Overrun() }
                let detail = try input.text()
                let text = try input.text()
                if keep.isEmpty || keep[file] {
                    samples.append((file, RejectSample(file: footer.files[file].name, line: line, reason: reason, detail: detail, text: text)))
                }
            }
            guard input.isAtEnd else { throw ByteReader.Overrun() }
        } catch {
            throw SegmentDamage.undecodable("rejected-line samples")
        }
        return samples
    }

    /// Reads every chunk and checks it: what `store verify` does.
    func verify() throws(SegmentDamage) {
        var counts = [Int](repeating: 0, count: footer.files.count)
        for block in footer.blocks.indices {
            for (file, store) in try self.block(block).enumerated() { counts[file] += store.events.count }
        }
        for (file, count) in zip(footer.files, counts) where count != file.events {
            throw SegmentDamage.undecodable("events of \(file.name)")
        }
        _ = try samples()
    }
}
