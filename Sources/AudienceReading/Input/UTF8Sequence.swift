/// Well-formed UTF-8, one sequence at a time (Unicode Table 3-7: no
/// overlong forms, no surrogates, at most U+10FFFF): what a path is shown by
/// (`SystemPath`) and what text in a log must be (`TextCheck`).
enum UTF8Sequence {
    /// The length of the well-formed sequence starting at `index` of
    /// `bytes`, or 0 when none starts there.
    @inline(__always)
    static func length(in bytes: UnsafeRawBufferPointer, at index: Int) -> Int {
        let lead = bytes[index]
        if lead < 0x80 { return 1 }
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return 0
        }
        guard index + length <= bytes.count else { return 0 }
        let second = bytes[index + 1]
        guard second >= low && second <= high else { return 0 }
        for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return 0 }
        return length
    }
}
