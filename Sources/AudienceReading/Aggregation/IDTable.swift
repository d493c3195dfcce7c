/// A key that hashes itself quickly (no SipHash): ids are not secret and
/// the keys are small integers.
@usableFromInline protocol FastHashable: Equatable {
    var fastHash: UInt64 { get }
}

@inline(__always)
func mixHash(_ h: UInt64, _ value: UInt64) -> UInt64 {
    var x = (h ^ value) &* 0xBF58_476D_1CE4_E5B9
    x ^= x >> 31
    return x
}

/// Gives each distinct key a dense id in order of first sight; an
/// open-addressing table over the key array.
///
/// Invariant: the table is at most half full; slot values are id + 1.
@usableFromInline struct IDTable<Key: FastHashable>: Sendable where Key: Sendable {
    @usableFromInline private(set) var keys: [Key] = []
    private var slots = [UInt32](repeating: 0, count: 1024)

    @inline(__always)
    mutating func id(of key: Key) -> UInt32 {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: key.fastHash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if keys[Int(entry - 1)] == key { return entry - 1 }
            slot = (slot + 1) & mask
        }
        // Ids are 32 bits and a slot stores id + 1.
        precondition(keys.count < Int(UInt32.max), "IDTable: more than 4,294,967,294 distinct keys")
        let id = UInt32(keys.count)
        keys.append(key)
        slots[slot] = id + 1
        if keys.count * 2 > slots.count { grow() }
        return id
    }

    private mutating func grow() {
        slots = [UInt32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (index, key) in keys.enumerated() {
            var slot = Int(truncatingIfNeeded: key.fastHash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(index + 1)
        }
        #if AUDIENCE_INTERNAL_CHECKS
        _checkInvariants()
        #endif
    }

    /// Checks the invariant above (O(keys + slots)): every key is in exactly
    /// one slot, found by probing from its hash.
    func _checkInvariants() {
        precondition(slots.count.nonzeroBitCount == 1 && keys.count * 2 <= slots.count, "IDTable: table too full")
        var seen = 0
        let mask = slots.count - 1
        for (index, key) in keys.enumerated() {
            var slot = Int(truncatingIfNeeded: key.fastHash) & mask
            while slots[slot] != 0 && slots[slot] != UInt32(index + 1) {
                precondition(keys[Int(slots[slot] - 1)] != key, "IDTable: a key with two ids")
                slot = (slot + 1) & mask
            }
            precondition(slots[slot] == UInt32(index + 1), "IDTable: a key not found from its hash")
            seen += 1
        }
        precondition(slots.filter { $0 != 0 }.count == seen, "IDTable: a slot names no key")
    }
}

extension ViewKey: FastHashable {
    @usableFromInline @inline(__always)
    var fastHash: UInt64 { mixHash(UInt64(session) << 32 | UInt64(title), 0x9E37_79B9_7F4A_7C15) }
}

extension EventAttributes: FastHashable {
    @usableFromInline @inline(__always)
    var fastHash: UInt64 {
        var h = mixHash(UInt64(viewer) << 32 | UInt64(series), 0x9E37_79B9_7F4A_7C15)
        h = mixHash(h, UInt64(UInt32(bitPattern: season)) << 32 | UInt64(UInt32(bitPattern: episode)))
        h = mixHash(h, UInt64(country) << 32 | UInt64(region))
        h = mixHash(h, UInt64(device) << 32 | UInt64(audioLang))
        return mixHash(h, UInt64(subtitleLang))
    }
}
