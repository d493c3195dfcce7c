/// A path as the operating system knows it: bytes, which need not be UTF-8
/// (a Latin-1 `café.jsonl` is the bytes `63 61 66 E9 ...`). Files are found
/// and opened by these bytes; people see `description`.
public struct SystemPath: Hashable, Sendable, CustomStringConvertible {
    /// Never holds a NUL byte (the system could not take it).
    public let bytes: [UInt8]

    /// nil when `bytes` holds a NUL byte.
    public init?<Bytes: Sequence<UInt8>>(bytes: Bytes) {
        let bytes = Array(bytes)
        guard !bytes.contains(0) else { return nil }
        self.bytes = bytes
    }

    /// The UTF-8 bytes of `string`, up to a NUL character if it holds one.
    public init(_ string: String) {
        bytes = Array(string.utf8.prefix { $0 != 0 })
    }

    /// For people and reports: valid UTF-8 as it is, any other byte as
    /// `\xhh` (as Python's `backslashreplace` writes it), so a name stays
    /// distinct, readable and valid UTF-8 in every table.
    public var description: String { Self.display(bytes) }

    /// `self/relative`, with one `/` between (none added after a trailing one).
    func appending(_ relative: [UInt8]) -> SystemPath {
        guard !relative.isEmpty else { return self }
        var joined = bytes
        if joined.last != UInt8(ascii: "/") { joined.append(UInt8(ascii: "/")) }
        joined.append(contentsOf: relative)
        return SystemPath(trusted: joined)
    }

    private init(trusted bytes: [UInt8]) { self.bytes = bytes }

    /// Calls `body` with the path as a NUL-terminated C string.
    package func withCString<Result>(_ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        try (bytes + [0]).withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { characters in
                // A non-empty buffer always has a base address.
                try body(characters.baseAddress.unsafelyUnwrapped)
            }
        }
    }

    static func display(_ bytes: [UInt8]) -> String {
        var text = ""
        text.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let length = validSequenceLength(bytes, at: index)
            if length > 0 {
                text += String(decoding: bytes[index..<(index + length)], as: UTF8.self)
                index += length
            } else {
                let hex = Array("0123456789abcdef")
                text += "\\x" + String(hex[Int(bytes[index] >> 4)]) + String(hex[Int(bytes[index] & 0x0F)])
                index += 1
            }
        }
        return text
    }

    private static func validSequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        bytes.withUnsafeBytes { UTF8Sequence.length(in: $0, at: index) }
    }
}
