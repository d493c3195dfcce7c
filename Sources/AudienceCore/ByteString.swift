/// Text compared, hashed and ordered by its UTF-8 bytes, as the spec
/// compares text. (`String` itself treats canonically equivalent text, `é`
/// and `e` + accent, as equal, which would merge groups the spec keeps apart.)
public struct ByteString: Hashable, Comparable, Sendable {
    public let text: String

    @inlinable
    public init(_ text: String) {
        self.text = text
    }

    @inlinable
    public static func == (a: ByteString, b: ByteString) -> Bool {
        a.text.utf8.elementsEqual(b.text.utf8)
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        for byte in text.utf8 { hasher.combine(byte) }
    }

    @inlinable
    public static func < (a: ByteString, b: ByteString) -> Bool {
        a.text.utf8.lexicographicallyPrecedes(b.text.utf8)
    }
}
