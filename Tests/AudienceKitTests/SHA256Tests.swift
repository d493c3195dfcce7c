import Foundation
import Testing

@testable import AudienceStore

/// SHA-256 for content digests: the FIPS 180-4 examples, any split of the
/// input into updates, and the SHA-instruction path agreeing with the
/// portable one (both run, whatever the processor).
@Suite struct SHA256Tests {
    static func digest(_ bytes: [UInt8], _ implementation: SHA256.Implementation) -> String {
        var hash = SHA256(implementation)
        hash.update(bytes)
        return SHA256.hex(hash.finalize())
    }

    /// `count` bytes from a seeded generator.
    static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next()) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
    }

    @Test(arguments: SHA256.Implementation.allCases)
    func nistExamples(implementation: SHA256.Implementation) {
        let examples = [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
            ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
             "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
        ]
        for (message, expected) in examples {
            #expect(Self.digest(Array(message.utf8), implementation) == expected, "\(message)")
        }
    }

    @Test(arguments: SHA256.Implementation.allCases)
    func oneMillionAs(implementation: SHA256.Implementation) {
        #expect(Self.digest([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000), implementation)
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // The same million in pieces of 1,000 (not a multiple of the 64-byte block).
        var hash = SHA256(implementation)
        let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hash.update(piece) }
        #expect(SHA256.hex(hash.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Three updates cut at every pair of byte offsets give the digest of one
    /// update: the partial-block buffering is right at every offset.
    @Test(arguments: SHA256.Implementation.allCases)
    func everySplitGivesTheSameDigest(implementation: SHA256.Implementation) {
        let bytes = Self.randomBytes(200, seed: 1)
        let whole = Self.digest(bytes, implementation)
        var mismatches: [(Int, Int)] = []
        for first in 0...bytes.count {
            for second in first...bytes.count {
                var hash = SHA256(implementation)
                hash.update(Array(bytes[..<first]))
                hash.update(Array(bytes[first..<second]))
                hash.update(Array(bytes[second...]))
                if SHA256.hex(hash.finalize()) != whole { mismatches.append((first, second)) }
            }
        }
        #expect(mismatches.isEmpty, "first mismatching cuts: \(mismatches.prefix(5))")

        var byteByByte = SHA256(implementation)
        for byte in bytes { byteByByte.update([byte]) }
        #expect(SHA256.hex(byteByByte.finalize()) == whole)
    }

    /// Every length around the padding boundaries (55, 56, 63, 64 bytes into a
    /// block) and several blocks long, both paths alike.
    @Test func instructionsAgreeWithPortableC() {
        let bytes = Self.randomBytes(1000, seed: 2)
        for count in 0...bytes.count {
            let prefix = Array(bytes.prefix(count))
            #expect(Self.digest(prefix, .fastest) == Self.digest(prefix, .portable), "\(count) bytes")
        }
    }

    /// `finalize` leaves the value as it was: a copy or the original goes on.
    @Test func finalizeDoesNotSpendTheValue() {
        var hash = SHA256()
        hash.update(Array("ab".utf8))
        let snapshot = hash
        hash.update(Array("c".utf8))
        #expect(SHA256.hex(hash.finalize()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hash.finalize() == hash.finalize())
        var other = snapshot
        other.update(UnsafeRawBufferPointer(start: nil, count: 0))
        other.update([])
        other.update(Array("c".utf8))
        #expect(other.finalize() == hash.finalize())
        #expect(SHA256.hex(snapshot.finalize()) == "fb8e20fc2e4c3f248c60c39bd652f3c1347298bb977b8b4d5903b85055620603")
    }

    @Test func hexIsLowercaseAndWhole() {
        #expect(SHA256.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(SHA256.hex([]) == "")
        #expect(SHA256().finalize().count == 32)
    }

    /// A 3 MB file of random bytes, against the system's `sha256sum`.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum")))
    func agreesWithSha256sum() throws {
        let bytes = Self.randomBytes(3 << 20, seed: 3)
        try withTemporaryFolder { folder in
            let path = folder + "/random.bin"
            try write(bytes, to: path)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
            process.arguments = [path]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let printed = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let expected = String(decoding: printed.prefix(64), as: UTF8.self)
            for implementation in SHA256.Implementation.allCases {
                var hash = SHA256(implementation)
                // In reads of 64 KiB and one odd size, as a file is read.
                var offset = 0
                for size in [65_536, 1_000_003] + Array(repeating: 65_536, count: 64) where offset < bytes.count {
                    let end = min(offset + size, bytes.count)
                    bytes[offset..<end].withUnsafeBytes { hash.update($0) }
                    offset = end
                }
                #expect(offset == bytes.count)
                #expect(SHA256.hex(hash.finalize()) == expected, "\(implementation)")
            }
        }
    }
}
