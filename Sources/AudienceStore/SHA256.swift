import CSystemShims

/// SHA-256 (FIPS 180-4) of a stream of bytes: the content digest of an input
/// file, fed chunk by chunk as it is read.
///
/// A copyable value: a copy goes on independently, so `finalize` (which
/// works on a copy) can give the digest of what was fed so far and feeding
/// can continue. Uses the processor's SHA instructions where it has them
/// (x86-64 SHA-NI), several times faster than the portable C otherwise used.
struct SHA256: Sendable {
    enum Implementation: Sendable, CaseIterable {
        /// The SHA instructions when the processor has them, else portable C.
        case fastest
        /// Portable C whatever the processor: for tests and measurements.
        case portable
    }

    private var context = audience_sha256_context()

    init(_ implementation: Implementation = .fastest) {
        switch implementation {
        case .fastest: audience_sha256_init(&context)
        case .portable: audience_sha256_init_portable(&context)
        }
    }

    /// Whether `.fastest` runs on the processor's SHA instructions here.
    static var isAccelerated: Bool { audience_sha256_accelerated() != 0 }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        audience_sha256_update(&context, base, bytes.count)
    }

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The 32-byte digest of everything fed so far; `self` can still be fed.
    func finalize() -> [UInt8] {
        var finished = context
        var digest = [UInt8](repeating: 0, count: 32)
        digest.withUnsafeMutableBufferPointer { audience_sha256_final(&finished, $0.baseAddress) }
        return digest
    }

    /// `digest` as lowercase hexadecimal, as `sha256sum` prints it.
    static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(2 * digest.count)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
