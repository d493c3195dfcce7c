/// The `event_id` values of the accepted events. They only need to be told
/// equal or not within a view, so they are stored once per event, with no
/// hash table: a fraction of what interning costs with millions of
/// distinct ids.
///
/// Each id takes 17 bytes when it has a usual shape, kept exactly: up to 16
/// bytes as they are, or 32 hex digits (a 128-bit random id) and the
/// 36-character UUID form packed to 16 bytes, either letter case. Any other
/// id keeps its bytes in an overflow buffer. The encoding is canonical (one
/// content, one encoding), so comparing encodings compares contents.
///
/// An id is `part << 26 | (index + 1)`; 0 means absent. Parts come from
/// merging the workers' tables (and a part that fills up starts another).
public struct EventIDTable: Sendable {
    /// 16 bytes: an id packed, or an overflow id's offset and length.
    struct Slot: Sendable, Equatable {
        var low: UInt64
        var high: UInt64
    }

    /// How a slot holds its id: 1...16 are that many bytes as they are.
    enum Form {
        static let lowerHex: UInt8 = 17
        static let upperHex: UInt8 = 18
        static let lowerUUID: UInt8 = 19
        static let upperUUID: UInt8 = 20
        static let overflow: UInt8 = 255
    }

    struct Part: Sendable {
        var slots = ChunkedArray<Slot>()
        var forms = ChunkedArray<UInt8>()
        var overflow: [UInt8] = []
    }

    static let indexBits: UInt32 = 26
    static let indexMask: UInt32 = (1 << indexBits) - 1
    static let maxParts = 1 << (32 - Int(indexBits))

    private var parts: [Part] = [Part()]

    public init() {}

    /// Stores `bytes`; returns its id (0 when empty).
    mutating func append(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        if bytes.isEmpty { return 0 }
        let part = lastPartWithRoom()
        var (form, slot) = Self.encode(bytes)
        if form == Form.overflow {
            slot = Slot(low: UInt64(parts[part].overflow.count), high: UInt64(bytes.count))
            parts[part].overflow.append(contentsOf: bytes)
        }
        return append(form, slot, to: part)
    }

    /// An id of 32 hex digits or a UUID as its 128 bits and how to write
    /// them back: what a store's segment keeps instead of the text.
    package struct Packed: Sendable, Equatable {
        /// `firstForm...lastForm`.
        package var form: UInt8
        package static let firstForm = Form.lowerHex
        package static let lastForm = Form.upperUUID
        package var low: UInt64
        package var high: UInt64

        package init(form: UInt8, low: UInt64, high: UInt64) {
            self.form = form
            self.low = low
            self.high = high
        }

        /// Whether `EventIDTable.encode` gives exactly this for some text:
        /// a packed form, and upper case only with a letter (digits alone
        /// are lower case), so that equal ids stay equal encodings.
        package var isCanonical: Bool {
            switch form {
            case Form.lowerHex, Form.lowerUUID:
                return true
            case Form.upperHex, Form.upperUUID:
                // A nibble of 10 or more has bit 3 and bit 1 or 2 set.
                @inline(__always) func letters(_ word: UInt64) -> UInt64 {
                    let eights: UInt64 = 0x8888_8888_8888_8888
                    return (word & eights) & (((word << 1) | (word << 2)) & eights)
                }
                return letters(low) | letters(high) != 0
            default:
                return false
            }
        }
    }

    /// How the table holds a present id, in one look-up: packed (`Packed`),
    /// short (up to 16 bytes, byte i in byte i of the two little-endian
    /// words, the rest zero), or long (read it with `copyBytes`).
    package enum Held: Equatable {
        case packed(Packed)
        case short(count: Int, low: UInt64, high: UInt64)
        case long
    }

    package func held(_ id: UInt32) -> Held {
        let (form, slot, _) = locate(id)
        if form >= Packed.firstForm && form <= Packed.lastForm {
            return .packed(Packed(form: form, low: slot.low, high: slot.high))
        }
        return form <= 16 ? .short(count: Int(form), low: slot.low, high: slot.high) : .long
    }

    /// Stores the ids of the events `taken` of a store chunk, in that
    /// order; returns their ids (0 for an absent one). Short and packed
    /// ids are taken as they are (checked canonical: a reader's mistake
    /// would split copies apart), long text is encoded again, and all go
    /// to the table's arrays a chunk at a time.
    package mutating func append(_ ids: StoredIDs, taking taken: [StoredColumns.Taken]) -> [UInt32] {
        var numbers = [UInt32](repeating: 0, count: taken.count)
        let part = lastPartWithRoom()
        let first = parts[part].forms.count
        // Gathered in two arrays, then copied over a chunk at a time.
        var kept = 0
        var forms = [UInt8](repeating: 0, count: taken.count)
        var slots = [Slot](repeating: Slot(low: 0, high: 0), count: taken.count)
        let roomy = first + taken.count < Int(Self.indexMask)
        ids.long.withUnsafeBytes { long in
            for (index, event) in taken.enumerated() {
                var form = ids.forms[event.event]
                guard form != 0 else { continue }
                let words = ids.words[event.event]
                var slot = Slot(low: words.low, high: words.high)
                if form == StoredIDs.longForm {
                    let bytes = UnsafeRawBufferPointer(rebasing: long[Int(words.low)..<Int(words.high)])
                    guard roomy else {
                        numbers[index] = append(bytes)
                        continue
                    }
                    (form, slot) = Self.encode(bytes)
                    if form == Form.overflow {
                        slot = Slot(low: UInt64(parts[part].overflow.count), high: UInt64(bytes.count))
                        parts[part].overflow.append(contentsOf: bytes)
                    }
                } else {
                    precondition(Self.isCanonical(form, slot.low, slot.high), "EventIDTable: an id that is not canonical")
                    guard roomy else {
                        // Near the end of a part's 2^26 ids: one by one, so
                        // that the next part starts where this one fills up.
                        numbers[index] = append(form, slot, to: lastPartWithRoom())
                        continue
                    }
                }
                forms[kept] = form
                slots[kept] = slot
                kept += 1
                numbers[index] = UInt32(part) << Self.indexBits | UInt32(first + kept)
            }
        }
        forms.withUnsafeBufferPointer { parts[part].forms.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<kept])) }
        slots.withUnsafeBufferPointer { parts[part].slots.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<kept])) }
        return numbers
    }

    /// Whether `encode` gives exactly this form and these words for some
    /// bytes (an overflow id is never given this way).
    @inline(__always)
    static func isCanonical(_ form: UInt8, _ low: UInt64, _ high: UInt64) -> Bool {
        switch form {
        case 1..<8: return low >> (8 * UInt64(form)) == 0 && high == 0
        case 8: return high == 0
        case 9..<16: return high >> (8 * UInt64(form - 8)) == 0
        case 16: return true
        default: return Packed(form: form, low: low, high: high).isCanonical
        }
    }

    /// The part new ids go to, starting another when the last is full.
    @inline(__always)
    private mutating func lastPartWithRoom() -> Int {
        if parts[parts.count - 1].forms.count >= Int(Self.indexMask) - 1 && parts.count < Self.maxParts {
            parts.append(Part())
        }
        // 64 parts of 2^26 ids: more would need over 100 GB of event ids.
        precondition(parts[parts.count - 1].forms.count < Int(Self.indexMask), "EventIDTable: every id is taken")
        return parts.count - 1
    }

    @inline(__always)
    private mutating func append(_ form: UInt8, _ slot: Slot, to part: Int) -> UInt32 {
        parts[part].slots.append(slot)
        parts[part].forms.append(form)
        return UInt32(part) << Self.indexBits | UInt32(parts[part].forms.count)
    }

    /// Checks the layout (O(ids)): parts within the id space, each id's
    /// form and slot agreeing, and every encoding canonical (encoding the
    /// id's bytes again gives the same form and slot), which is what lets
    /// `same` compare encodings instead of bytes.
    func _checkInvariants() {
        precondition(!parts.isEmpty && parts.count <= Self.maxParts, "EventIDTable: parts outside the id space")
        for (number, part) in parts.enumerated() {
            precondition(part.slots.count == part.forms.count, "EventIDTable: slots and forms disagree")
            precondition(part.forms.count <= Int(Self.indexMask), "EventIDTable: a part past its index bits")
            for index in 0..<part.forms.count {
                let id = UInt32(number) << Self.indexBits | UInt32(index + 1)
                let (form, slot) = (part.forms[index], part.slots[index])
                if form == Form.overflow {
                    precondition(slot.low + slot.high <= UInt64(part.overflow.count), "EventIDTable: an id past its buffer")
                }
                let again = bytes(id).withUnsafeBytes { Self.encode($0) }
                precondition(again.0 == form && (form == Form.overflow || again.1 == slot),
                             "EventIDTable: an encoding that is not canonical")
            }
        }
    }

    /// Moves `other`'s values in; returns how to renumber its ids.
    mutating func absorb(_ other: consuming EventIDTable) -> Renumbering {
        // A table that holds nothing yet (the merge's) takes the parts as
        // they are: its empty part would take one of the 64 part numbers.
        if parts.count == 1 && parts[0].forms.count == 0 {
            parts = []
        }
        let base = UInt32(parts.count)
        // Each worker holds one part until it has 2^26 ids; threads are capped
        // (ReadSettings.threadLimit) so that part numbers fit their 6 bits.
        precondition(parts.count + other.parts.count <= Self.maxParts, "EventIDTable: too many parts to merge")
        parts.append(contentsOf: other.parts)
        if parts.isEmpty { parts = [Part()] }
        #if AUDIENCE_INTERNAL_CHECKS
        _checkInvariants()
        #endif
        return Renumbering(base: base)
    }

    /// What `absorb` does to the absorbed table's ids: their parts moved up
    /// by `base`. (A value, not a closure: the merge calls it once an event.)
    struct Renumbering: Sendable {
        let base: UInt32

        @inline(__always)
        func callAsFunction(_ id: UInt32) -> UInt32 {
            id == 0 ? 0 : (id >> EventIDTable.indexBits + base) << EventIDTable.indexBits | id & EventIDTable.indexMask
        }
    }

    @inline(__always)
    private func locate(_ id: UInt32) -> (form: UInt8, slot: Slot, part: Int) {
        let part = Int(id >> Self.indexBits), index = Int(id & Self.indexMask) - 1
        return (parts[part].forms[index], parts[part].slots[index], part)
    }

    /// A hash of the content, for hash tables of ids.
    @inline(__always)
    func hash(_ id: UInt32) -> UInt64 {
        let (form, slot, part) = locate(id)
        if form == Form.overflow {
            return parts[part].overflow.withUnsafeBytes { all in
                UInt64(ByteInterner.hash(UnsafeRawBufferPointer(rebasing: all[Int(slot.low)..<Int(slot.low + slot.high)])))
            }
        }
        return mixHash(mixHash(slot.low, slot.high), UInt64(form))
    }

    /// The id's bytes as they were read.
    package func bytes(_ id: UInt32) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: byteCount(id)) { buffer, count in
            count = copyBytes(id, into: UnsafeMutableRawBufferPointer(buffer))
        }
    }

    /// The length of the id's bytes.
    package func byteCount(_ id: UInt32) -> Int {
        let (form, slot, _) = locate(id)
        switch form {
        case Form.overflow: return Int(slot.high)
        case Form.lowerHex, Form.upperHex: return 32
        case Form.lowerUUID, Form.upperUUID: return 36
        default: return Int(form)
        }
    }

    /// Writes the id's bytes as they were read to the start of `buffer`,
    /// which holds at least `byteCount(id)`; returns their count. (No array
    /// of their own: the store's encoder writes one per event.)
    package func copyBytes(_ id: UInt32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let (form, slot, part) = locate(id)
        switch form {
        case Form.overflow:
            let range = Int(slot.low)..<Int(slot.low + slot.high)
            parts[part].overflow.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[range])) }
            return range.count
        case Form.lowerHex, Form.upperHex, Form.lowerUUID, Form.upperUUID:
            let letters: UInt8 = form == Form.lowerHex || form == Form.lowerUUID ? 0x57 : 0x37
            var count = 0
            for index in 0..<32 {
                if form >= Form.lowerUUID && (index == 8 || index == 12 || index == 16 || index == 20) {
                    buffer[count] = UInt8(ascii: "-")
                    count += 1
                }
                let word = index < 16 ? slot.low : slot.high
                let nibble = UInt8(truncatingIfNeeded: word >> (4 * UInt64(index & 15))) & 0xF
                buffer[count] = nibble < 10 ? nibble + 0x30 : nibble + letters
                count += 1
            }
            return count
        default:
            withUnsafeBytes(of: slot) { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<Int(form)])) }
            return Int(form)
        }
    }

    public func string(_ id: UInt32) -> String {
        id == 0 ? "" : String(decoding: bytes(id), as: UTF8.self)
    }

    /// Whether two present ids hold the same bytes.
    @inline(__always)
    func same(_ a: UInt32, _ b: UInt32) -> Bool {
        if a == b { return true }
        let x = locate(a), y = locate(b)
        guard x.form == y.form else { return false }
        if x.form != Form.overflow { return x.slot == y.slot }
        guard x.slot.high == y.slot.high else { return false }
        let count = Int(x.slot.high)
        return parts[x.part].overflow[Int(x.slot.low)..<Int(x.slot.low) + count]
            .elementsEqual(parts[y.part].overflow[Int(y.slot.low)..<Int(y.slot.low) + count])
    }

    /// A total order on the values: by the hash of their bytes, then by
    /// their bytes (the order duplicate removal has always used; it only
    /// decides among events that differ in nothing but their id).
    func precedes(_ a: UInt32, _ b: UInt32) -> Bool {
        if a == b { return false }
        let x = bytes(a), y = bytes(b)
        let hx = x.withUnsafeBytes { ByteInterner.hash($0) }, hy = y.withUnsafeBytes { ByteInterner.hash($0) }
        if hx != hy { return hx < hy }
        return x.lexicographicallyPrecedes(y)
    }

    /// The canonical form and slot of `bytes`; `Form.overflow` when no
    /// packed form holds them.
    @inline(__always)
    static func encode(_ bytes: UnsafeRawBufferPointer) -> (UInt8, Slot) {
        guard let base = bytes.baseAddress else { return (Form.overflow, Slot(low: 0, high: 0)) }
        let count = bytes.count
        if count <= 16 { return (UInt8(count), shortSlot(base, count: count)) }
        if count == 32 {
            return packHex(base, dashes: false).map { ($0.upper ? Form.upperHex : Form.lowerHex, $0.slot) }
                ?? (Form.overflow, Slot(low: 0, high: 0))
        }
        if count == 36 && base.load(fromByteOffset: 8, as: UInt8.self) == 0x2D
            && base.load(fromByteOffset: 13, as: UInt8.self) == 0x2D
            && base.load(fromByteOffset: 18, as: UInt8.self) == 0x2D
            && base.load(fromByteOffset: 23, as: UInt8.self) == 0x2D {
            return packHex(base, dashes: true).map { ($0.upper ? Form.upperUUID : Form.lowerUUID, $0.slot) }
                ?? (Form.overflow, Slot(low: 0, high: 0))
        }
        return (Form.overflow, Slot(low: 0, high: 0))
    }

    /// `count` (at most 16) bytes at `base` as a short id's two words (see
    /// `Held.short`), for a reader that puts ids together itself.
    @inline(__always)
    package static func shortWords(_ base: UnsafeRawPointer, count: Int) -> (low: UInt64, high: UInt64) {
        let slot = shortSlot(base, count: count)
        return (slot.low, slot.high)
    }

    /// `count` (at most 16) bytes at `base` as a slot: byte i in byte i of
    /// the two little-endian words, the rest zero. Built from loads within
    /// the bytes, not copied into a zeroed slot: reading the slot back
    /// after a byte-wise copy stalled on store forwarding (a third of the
    /// time appending an id took).
    @inline(__always)
    static func shortSlot(_ base: UnsafeRawPointer, count: Int) -> Slot {
        if count >= 8 {
            // The last eight bytes end at `count`; what `low` holds is shifted out.
            let tail = base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            return Slot(low: base.loadUnaligned(as: UInt64.self), high: count == 8 ? 0 : tail >> (8 * UInt64(16 - count)))
        }
        if count >= 4 {
            // Two overlapping 4-byte loads: the bytes they share are the same.
            let head = UInt64(base.loadUnaligned(as: UInt32.self))
            let tail = UInt64(base.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            return Slot(low: head | tail << (8 * UInt64(count - 4)), high: 0)
        }
        var low: UInt64 = 0
        for index in 0..<count { low |= UInt64(base.load(fromByteOffset: index, as: UInt8.self)) << (8 * UInt64(index)) }
        return Slot(low: low, high: 0)
    }

    /// 32 hex digits (after the dashes of a UUID) as 128 bits, digit i in
    /// nibble i; nil unless every letter has the same case (digits alone
    /// count as lower case), so the packing can be undone exactly.
    @inline(__always)
    private static func packHex(_ base: UnsafeRawPointer, dashes: Bool) -> (slot: Slot, upper: Bool)? {
        // Offsets of the four 8-digit groups: 0, 8, 16, 24, or 0, 9, 19, 28
        // with the UUID's dashes at 8, 13, 18 and 23.
        @inline(__always) func group(_ n: Int) -> UInt64 {
            if !dashes { return base.loadUnaligned(fromByteOffset: 8 * n, as: UInt64.self) }
            switch n {
            case 0: return base.loadUnaligned(as: UInt64.self)
            case 1:
                // "-xxxx-xxxx" at 8...17: digits 9-12 and 14-17.
                let a = UInt64(base.loadUnaligned(fromByteOffset: 9, as: UInt32.self))
                let b = UInt64(base.loadUnaligned(fromByteOffset: 14, as: UInt32.self))
                return a | b << 32
            case 2:
                let a = UInt64(base.loadUnaligned(fromByteOffset: 19, as: UInt32.self))
                let b = UInt64(base.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
                return a | b << 32
            default: return base.loadUnaligned(fromByteOffset: 28, as: UInt64.self)
            }
        }
        let ones: UInt64 = 0x0101_0101_0101_0101
        var lower = true, upper = true
        var low: UInt64 = 0, high: UInt64 = 0
        for n in 0..<4 {
            let word = group(n)
            // Per byte: the low four bits, plus 9 for a letter (bit 6 set).
            let value = (word & (ones &* 0x0F)) &+ 9 &* ((word >> 6) & ones)
            // Ten or more is a letter; fifteen is the last digit.
            let isLetter = ((value &+ ones &* 0x76) >> 7) & ones
            guard (value &+ ones &* 0x70) & (ones &* 0x80) == 0 else { return nil }
            let digits = value &+ ones &* 0x30
            lower = lower && digits &+ isLetter &* 0x27 == word
            upper = upper && digits &+ isLetter &* 0x07 == word
            guard lower || upper else { return nil }
            // Gather the eight nibbles of this word into 32 bits.
            var packed = value | (value >> 4)
            packed &= 0x00FF_00FF_00FF_00FF
            packed = (packed | (packed >> 8)) & 0x0000_FFFF_0000_FFFF
            packed = (packed | (packed >> 16)) & 0xFFFF_FFFF
            if n < 2 { low |= packed << (32 * UInt64(n)) } else { high |= packed << (32 * UInt64(n - 2)) }
        }
        return (Slot(low: low, high: high), !lower)
    }
}
