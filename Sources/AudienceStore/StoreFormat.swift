import AudienceCore
import AudienceReading
import AudienceMetrics

/// The byte layout of a segment, the store's only kind of data file.
///
///     "AUDSEG01"                 magic
///     block, block, ...          each a deflated chunk per partition with events
///                                (a block holds at most `StoreDefaults.blockEvents`, so a
///                                writer never holds more), then the samples chunk
///     footer                     plain (see `SegmentFooter`)
///     u32 footer length, u32 footer CRC-32, "AUDSEGOK"
///
/// Every chunk carries its CRC-32 in the footer, the footer its own, so a
/// flipped byte anywhere is found; a cut file lacks its end marker.
enum StoreFormat {
    /// The layout above; what changed between versions is in the chunks
    /// (`EventChunk`): 1 wrote numbers and event ids as they are, 2 writes
    /// them against a guess and a shared prefix, 3 keeps hex and UUID event
    /// ids packed in 128 bits, 4 puts a view's file and attribute set in
    /// the view, kinds and number forms in runs, and guesses progress
    /// steps. A reader reads every version up to its own and refuses newer
    /// ones.
    static let version = 4
    static let headMagic = Array("AUDSEG01".utf8)
    static let tailMagic = Array("AUDSEGOK".utf8)
    static let tailSize = 16
    /// A chunk inflates to at most this many times its deflated size
    /// (deflate's own limit is about 1032), so a damaged length can never
    /// ask for a huge buffer.
    static let maxInflation = 1100

    /// The partition of a view: FNV-1a over the session's length, the
    /// session and the title, modulo the store's partition count. Fixed
    /// forever for a format version: stores are read as one by it.
    static func partition(session: some Collection<UInt8>, title: some Collection<UInt8>, count: Int) -> Int {
        Int(viewHash(session: session, title: title, seed: 0xcbf2_9ce4_8422_2325) % UInt64(count))
    }

    /// A partition too big for memory is read in slices: the views whose
    /// hash, mixed (SplitMix64's finaliser) so that its high bits do not
    /// follow the low bits that chose the partition, falls in each. Not
    /// part of the format: only a reader's way of splitting work.
    static func slice(session: some Collection<UInt8>, title: some Collection<UInt8>, count: Int) -> Int {
        guard count > 1 else { return 0 }
        var z = viewHash(session: session, title: title, seed: 0xcbf2_9ce4_8422_2325)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int((z >> 32) % UInt64(count))
    }

    private static func viewHash(session: some Collection<UInt8>, title: some Collection<UInt8>, seed: UInt64) -> UInt64 {
        var hash = seed
        @inline(__always) func mix(_ byte: UInt8) {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        var length = UInt64(session.count)
        for _ in 0..<8 {
            mix(UInt8(truncatingIfNeeded: length))
            length >>= 8
        }
        for byte in session { mix(byte) }
        for byte in title { mix(byte) }
        return hash
    }
}

/// Where one chunk lies in a segment.
struct ChunkLocation: Sendable, Equatable {
    var offset: Int
    var storedLength: Int
    var rawLength: Int
    var events: Int
    var crc: UInt32

    static let empty = ChunkLocation(offset: 0, storedLength: 0, rawLength: 0, events: 0, crc: 0)

    func write(to out: inout ByteWriter) {
        out.varint(offset)
        out.varint(storedLength)
        out.varint(rawLength)
        out.varint(events)
        out.uint32(crc)
    }

    static func read(_ input: inout ByteReader, fileSize: Int) throws(ByteReader.Overrun) -> ChunkLocation {
        let location = ChunkLocation(
            offset: try input.count(atMost: fileSize), storedLength: try input.count(atMost: fileSize),
            rawLength: try input.count(atMost: Int(UInt32.max)), events: try input.count(atMost: Int(UInt32.max)),
            crc: try input.uint32())
        guard location.offset + location.storedLength <= fileSize,
              location.rawLength <= max(64, location.storedLength * StoreFormat.maxInflation)
        else { throw ByteReader.Overrun() }
        return location
    }
}

/// The footer: what the segment holds and where.
struct SegmentFooter: Sendable, Equatable {
    var formatVersion = StoreFormat.version
    var partitions: Int
    var files: [StoredFile]
    var samples: ChunkLocation
    /// Per block, one per partition; `.empty` where the partition has no event.
    var blocks: [[ChunkLocation]]

    /// The chunks of one partition, block after block.
    func chunks(of partition: Int) -> [ChunkLocation] { blocks.map { $0[partition] } }

    /// Events stored in each partition.
    var eventsPerPartition: [Int] {
        var counts = [Int](repeating: 0, count: partitions)
        for block in blocks {
            for (partition, chunk) in block.enumerated() { counts[partition] += chunk.events }
        }
        return counts
    }

    func encoded() -> [UInt8] {
        var out = ByteWriter()
        out.varint(formatVersion)
        out.varint(partitions)
        out.varint(files.count)
        for file in files {
            out.text(file.name)
            out.data(file.digest)
            StoredQuality.write(file.quality, to: &out)
            out.varint(file.events)
            StoredTitleFacts.write(file.titles, to: &out)
        }
        samples.write(to: &out)
        out.varint(blocks.count)
        for block in blocks {
            for chunk in block { chunk.write(to: &out) }
        }
        return out.bytes
    }

    static func decode(_ bytes: [UInt8], range: Range<Int>, fileSize: Int) throws(SegmentDamage) -> SegmentFooter {
        var input = ByteReader(bytes, range: range)
        do {
            let version = try input.count(atMost: Int(UInt32.max))
            guard version <= StoreFormat.version else { throw SegmentDamage.newerFormat(version) }
            guard version >= 1 else { throw SegmentDamage.undecodable("footer") }
            let partitions = try input.count(atMost: 1 << 16)
            guard partitions > 0 else { throw SegmentDamage.undecodable("footer") }
            let fileCount = try input.count(atMost: input.remaining)
            var files: [StoredFile] = []
            for _ in 0..<fileCount {
                let name = try input.text()
                let digest = Array(bytes[try input.dataRange()])
                let quality = try StoredQuality.read(&input, name: name)
                var file = StoredFile(name: name, digest: digest, quality: quality, events: try input.count(atMost: Int(UInt32.max) * 64))
                file.titles = try StoredTitleFacts.read(&input)
                files.append(file)
            }
            let samples = try ChunkLocation.read(&input, fileSize: fileSize)
            let blockCount = try input.count(atMost: input.remaining)
            var blocks: [[ChunkLocation]] = []
            for _ in 0..<blockCount {
                var chunks: [ChunkLocation] = []
                for _ in 0..<partitions { chunks.append(try ChunkLocation.read(&input, fileSize: fileSize)) }
                blocks.append(chunks)
            }
            guard input.isAtEnd else { throw SegmentDamage.undecodable("footer") }
            return SegmentFooter(formatVersion: version, partitions: partitions, files: files, samples: samples, blocks: blocks)
        } catch let damage as SegmentDamage {
            throw damage
        } catch {
            throw SegmentDamage.undecodable("footer")
        }
    }
}

/// A `quality.csv` row in binary: counts, then the file-level error.
enum StoredQuality {
    static func write(_ quality: FileQuality, to out: inout ByteWriter) {
        out.varint(UInt64(max(0, quality.bytesRead)))
        out.varint(quality.lines)
        out.varint(quality.accepted)
        out.varint(quality.rejected.count)
        for count in quality.rejected { out.varint(count) }
        if let damage = quality.damage {
            out.byte(1)
            out.text(damage.description)
        } else {
            out.byte(0)
        }
    }

    static func read(_ input: inout ByteReader, name: String) throws(ByteReader.Overrun) -> FileQuality {
        var quality = FileQuality(file: name)
        // Counts a run adds up (a TOTAL row, many parts) stay far from overflow.
        let limit = Int(PartialResult.countLimit)
        quality.bytesRead = Int64(try input.count(atMost: limit))
        quality.lines = try input.count(atMost: limit)
        quality.accepted = try input.count(atMost: limit)
        let reasons = try input.count(atMost: 64)
        guard reasons == quality.rejected.count else { throw ByteReader.Overrun() }
        for index in 0..<reasons { quality.rejected[index] = try input.count(atMost: limit) }
        switch try input.byte() {
        case 0: break
        case 1: quality.damage = FileDamage(.recorded(try input.text()))
        default: throw ByteReader.Overrun()
        }
        return quality
    }
}

/// Title facts in binary, per title: its id; each duration (8 bytes) with
/// its count; then series, season and episode, each a flag and, when set,
/// `ts` and the value.
enum StoredTitleFacts {
    static func write(_ titles: [ByteString: TitleFacts], to out: inout ByteWriter) {
        out.varint(titles.count)
        for (title, facts) in titles.sorted(by: { $0.key < $1.key }) {
            out.text(title.text)
            out.varint(facts.durationCounts.count)
            for (duration, count) in facts.durationCounts.sorted(by: { $0.key < $1.key }) {
                out.uint64(duration.bitPattern)
                out.varint(count)
            }
            if let series = facts.series {
                out.byte(1)
                out.signed(series.ts)
                out.data(series.id)
            } else {
                out.byte(0)
            }
            for value in [facts.season, facts.episode] {
                if let value {
                    out.byte(1)
                    out.signed(value.ts)
                    out.signed(Int64(value.value))
                } else {
                    out.byte(0)
                }
            }
        }
    }

    static func read(_ input: inout ByteReader) throws(ByteReader.Overrun) -> [ByteString: TitleFacts] {
        var titles: [ByteString: TitleFacts] = [:]
        let count = try input.count(atMost: input.remaining)
        for _ in 0..<count {
            let title = ByteString(try input.text())
            var facts = TitleFacts()
            let durations = try input.count(atMost: input.remaining)
            for _ in 0..<durations {
                let duration = Double(bitPattern: try input.uint64())
                facts.durationCounts[duration] = try input.count(atMost: Int(PartialResult.countLimit))
            }
            if try input.byte() == 1 {
                let ts = try input.signed()
                let range = try input.dataRange()
                facts.series = (ts, Array(try input.bytes(range)))
            }
            for slot in 0..<2 {
                guard try input.byte() == 1 else { continue }
                let ts = try input.signed()
                let raw = try input.signed()
                guard raw >= Int64(Int32.min), raw <= Int64(Int32.max) else { throw ByteReader.Overrun() }
                if slot == 0 { facts.season = (ts, Int32(raw)) } else { facts.episode = (ts, Int32(raw)) }
            }
            titles[title] = facts
        }
        return titles
    }
}
