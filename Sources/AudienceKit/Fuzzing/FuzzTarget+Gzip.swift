import CZlib
import AudienceReading

extension FuzzTarget {
    /// How the gzip check reads its input: a control byte, a 16-bit
    /// parameter, then the content.
    ///
    /// ```
    /// control: bit 0-1 damage (none, cut, junk after, a flipped byte)
    ///          bit 2   the rest is the gzip file itself (no building)
    ///          bit 3-4 extra members (0-3)
    ///          bit 5   members split mid-line (else after a line end)
    ///          bit 6-7 deflate level (0 stored, 1, 6, 9)
    /// ```
    struct GzipPlan {
        enum Damage: Int { case none, cut, junk, flip }
        var damage: Damage
        var raw: Bool
        var extraMembers: Int
        var midLine: Bool
        var level: Int32
        var parameter: Int
        var content: [UInt8]

        init?(_ bytes: [UInt8]) {
            guard bytes.count >= 3 else { return nil }
            let control = Int(bytes[0])
            damage = Damage(rawValue: control & 3) ?? .none
            raw = control & 4 != 0
            extraMembers = control >> 3 & 3
            midLine = control & 32 != 0
            level = [0, 1, 6, 9][control >> 6]
            parameter = Int(bytes[1]) << 8 | Int(bytes[2])
            content = Array(bytes[3...])
        }

        /// Where each member's content starts and ends.
        var memberContents: [Range<Int>] {
            var ends: [Int] = []
            if midLine {
                ends = (1...(extraMembers + 1)).map { content.count * $0 / (extraMembers + 1) }
            } else {
                let lineEnds = content.indices.filter { content[$0] == 0x0A }.map { $0 + 1 }
                for member in 1...(extraMembers + 1) where !lineEnds.isEmpty {
                    ends.append(lineEnds[(lineEnds.count - 1) * member / (extraMembers + 1)])
                }
                ends.append(content.count)
            }
            var start = 0
            return ends.map { end in
                defer { start = max(start, end) }
                return start..<max(start, end)
            }
        }
    }

    /// The input built into gzip members (or taken as a gzip file), damaged
    /// as planned; the reading must match the content read as plain text,
    /// up to where the damage stops it, and name the damaged member.
    static func checkGzip(_ bytes: [UInt8]) -> String? {
        guard let plan = GzipPlan(bytes) else { return nil }
        let name = "fuzz.jsonl.gz"
        if plan.raw { return readChecked(plan.content, name: name).failureMessage }
        let contents = plan.memberContents
        var file: [UInt8] = []
        var starts: [Int] = []
        for range in contents {
            starts.append(file.count)
            file += gzipMember(plan.content[range], level: plan.level)
        }
        let size = file.count
        var damagedMember = contents.count
        switch plan.damage {
        case .none:
            break
        case .cut:
            file.removeLast(plan.parameter % (size + 1))
            if file.count < 2 { return readChecked(file, name: name).failureMessage }  // too short for gzip
            damagedMember = starts.lastIndex { $0 < file.count } ?? 0
        case .junk:
            file.append(UInt8(plan.parameter >> 8))
            file += [UInt8](repeating: 0, count: plan.parameter & 7)
        case .flip:
            let at = plan.parameter % size
            file[at] ^= UInt8(plan.parameter >> 8) | 1
            damagedMember = starts.lastIndex { $0 <= at } ?? 0
            if at < 2 { return readChecked(file, name: name).failureMessage }  // no longer gzip
        }
        let gzip: FileResult
        switch readChecked(file, name: name) {
        case .failure(let failure): return failure.message
        case .success(let reading): gzip = reading
        }
        // Content that itself starts with gzip's magic has no plain reading
        // to compare with: `read` would inflate it, where the engine reads
        // what a member inflates to as text, never inflating twice (found
        // by fuzzing: Crashes/gzip/crash-13b2…). The checks above still hold.
        if plan.content.starts(with: [0x1F, 0x8B]) { return nil }
        let full = plain(plan.content, name: name)
        guard let damage = gzip.quality.damage else {
            // Whole members, perhaps NUL padding: exactly the content.
            let members = plan.damage == .cut ? starts.filter { $0 < file.count }.count : contents.count
            let expected = plain(Array(plan.content[0..<(contents[..<members].last?.upperBound ?? 0)]), name: name)
            if plan.damage == .cut && starts.contains(file.count) == false && file.count != size && file.count != 0 {
                return "a gzip file cut at byte \(file.count) inside member \(damagedMember) read without damage"
            }
            if plan.damage == .junk && (file[size...].contains { $0 != 0 }) {
                return "junk after the last member read without damage"
            }
            return same(gzip, expected) ? nil : "gzip read \(gzip) but its content reads \(expected)"
        }
        switch damage.kind {
        case .jsonArray, .malformedHeader: return nil  // the content's own verdict, read before the damage
        default: break
        }
        // The damage names a member's start, or the end of the last member.
        guard let offset = damage.byteOffset, let member = (starts + [size]).firstIndex(of: Int(offset)) else {
            return "damage \(damage) names no member start (members at \(starts), end \(size))"
        }
        if damage.kind == .trailingBytes {
            // The members before the junk count whole, their last line too.
            let expected = plain(Array(plan.content[0..<(member == 0 ? 0 : contents[member - 1].upperBound)]), name: name)
            if !same(gzip, expected) { return "before trailing bytes gzip read \(gzip) but its content reads \(expected)" }
            return nil
        }
        if member > damagedMember { return "damage \(damage) after the damaged member \(damagedMember)" }
        if plan.damage == .cut {
            if damage.kind != .truncatedMember { return "a cut member reported as \(damage)" }
            // Only whole lines of the content before the cut count.
            if !gzip.events.elementsEqual(full.events.prefix(gzip.events.count))
                || zip(gzip.quality.rejected, full.quality.rejected).contains(where: >) {
                return "a cut file read \(gzip), which is not a part of \(full)"
            }
        }
        if plan.damage == .none { return "undamaged members read as \(damage)" }
        return nil
    }

    /// The content read as an uncompressed file.
    private static func plain(_ content: [UInt8], name: String) -> FileResult {
        read(content, name: name)
    }

    /// The same lines, samples and events; the bytes read differ.
    private static func same(_ gzip: FileResult, _ plain: FileResult) -> Bool {
        var gzip = gzip
        gzip.quality.bytesRead = plain.quality.bytesRead
        gzip.quality.damage = plain.quality.damage ?? gzip.quality.damage.flatMap { $0.kind == .trailingBytes ? nil : $0 }
        return gzip == plain
    }

    /// One gzip member holding `content`, deflated at `level` in one call.
    static func gzipMember(_ content: ArraySlice<UInt8>, level: Int32) -> [UInt8] {
        var input = Array(content)
        var stream = z_stream()
        // zlib keeps a pointer back to the stream: it must not move between
        // init and end, so both happen inside one access.
        return withUnsafeMutablePointer(to: &stream) { z in
            guard audience_deflateInit2(z, level, 15 + 16) == Z_OK else { return [] }
            defer { deflateEnd(z) }
            var output = [UInt8](repeating: 0, count: Int(deflateBound(z, uLong(input.count))) + 32)
            let written = input.withUnsafeMutableBytes { inBuffer in
                output.withUnsafeMutableBytes { outBuffer in
                    z.pointee.next_in = inBuffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    z.pointee.avail_in = uInt(inBuffer.count)
                    z.pointee.next_out = outBuffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    z.pointee.avail_out = uInt(outBuffer.count)
                    _ = deflate(z, Z_FINISH)
                    return outBuffer.count - Int(z.pointee.avail_out)
                }
            }
            return Array(output[0..<written])
        }
    }
}

extension Result where Failure == FuzzFailure {
    var failureMessage: String? {
        if case .failure(let failure) = self { return failure.message }
        return nil
    }
}
