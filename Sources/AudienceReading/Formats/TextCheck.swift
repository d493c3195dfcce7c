import CSystemShims

/// Byte checks every format shares.
package enum TextCheck {
    /// The offset of the first NUL byte or invalid UTF-8 sequence (strict:
    /// no overlong forms, no surrogates, nothing above U+10FFFF).
    /// - Complexity: O(n); ASCII runs are checked 32 bytes at a time.
    package static func firstProblem(in line: UnsafeRawBufferPointer) -> Malformation? {
        guard let base = line.baseAddress else { return nil }
        let count = line.count
        var index = 0
        // The tail check below, once: after non-ASCII bytes near the end it
        // would fail again at every step through them.
        var tailChecked = false
        while index < count {
            // Fast path: 32 ASCII bytes with no zero byte among them.
            while index + 32 <= count
                && audience_not_plain_ascii32(base.assumingMemoryBound(to: UInt8.self) + index) == 0 {
                index += 32
            }
            // A tail under 32 bytes, as the line's last 32: those before
            // `index` were checked already, and plain ones pass again.
            if !tailChecked && count - index < 32 && index < count && count >= 32 {
                tailChecked = true
                if audience_not_plain_ascii32(base.assumingMemoryBound(to: UInt8.self) + (count - 32)) == 0 { break }
            }
            let highBits: UInt64 = 0x8080_8080_8080_8080
            let ones: UInt64 = 0x0101_0101_0101_0101
            if index >= count { break }
            if index + 8 <= count {
                let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let zeroByte = (word &- ones) & ~word & highBits
                if word & highBits == 0 && zeroByte == 0 {
                    index += 8
                    continue
                }
            }
            let byte = base.load(fromByteOffset: index, as: UInt8.self)
            if byte < 0x80 {
                if byte == 0 { return .nulByte(offset: index) }
                index += 1
                continue
            }
            let length = UTF8Sequence.length(in: line, at: index)
            guard length > 0 else { return .invalidUTF8(offset: index) }
            index += length
        }
        return nil
    }

    @inline(__always)
    package static func isSpaceOrTab(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// The bytes without leading and trailing ASCII spaces and tabs.
    @inline(__always)
    package static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return bytes }
        // Most values need no trimming: check both ends before looping.
        if !isSpaceOrTab(base.load(as: UInt8.self))
            && !isSpaceOrTab(base.load(fromByteOffset: bytes.count - 1, as: UInt8.self)) {
            return bytes
        }
        var start = 0
        var end = bytes.count
        while start < end && isSpaceOrTab(base.load(fromByteOffset: start, as: UInt8.self)) { start += 1 }
        while end > start && isSpaceOrTab(base.load(fromByteOffset: end - 1, as: UInt8.self)) { end -= 1 }
        return UnsafeRawBufferPointer(start: base + start, count: end - start)
    }

    /// The first byte that decides a file's format: the first that is not
    /// a space, a tab or a carriage return (line feeds end lines already).
    static func firstSignificantByte<Bytes: Sequence<UInt8>>(_ line: Bytes) -> UInt8? {
        line.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }
    }

    static func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
        for byte in line where !isSpaceOrTab(byte) { return false }
        return true
    }
}
