import AudienceCore
import CZlib

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AudienceOutput

/// Writes a file, plain or as gzip members, through zlib's deflate, in
/// fixed-size chunks. `startMember()` closes the current member and opens a
/// new one (`cat a.gz b.gz` in one file).
final class GzipWriter {
    private let path: String
    private let descriptor: Int32
    private let compress: Bool
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
    private var inMember = false
    private var pending: [UInt8] = []
    private(set) var failure: Int32?

    init(path: String, gzip: Bool) throws(OutputError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError(path: path, errno: errno) }
        self.path = path
        descriptor = fd
        compress = gzip
        stream.initialize(to: z_stream())
    }

    deinit {
        if inMember { deflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        output.deallocate()
    }

    func write(_ bytes: [UInt8]) {
        pending.append(contentsOf: bytes)
        if pending.count >= 1 << 20 { flushPending() }
    }

    func write(_ text: String) { write(Array(text.utf8)) }

    /// Ends the current gzip member; the next bytes start a new one.
    func startMember() {
        guard compress else { return }
        flushPending()
        if inMember { finishMember() }
    }

    /// Flushes everything and closes the file.
    func close() throws(OutputError) {
        flushPending()
        if compress {
            if !inMember { beginMember() }
            finishMember()
        }
        if let code = SystemCall.close(descriptor), failure == nil { failure = code }
        if let failure { throw OutputError(path: path, errno: failure) }
    }

    private func beginMember() {
        stream.pointee = z_stream()
        _ = audience_deflateInit2(stream, 6, 15 + 16)
        inMember = true
    }

    private func finishMember() {
        run(flush: Z_FINISH, input: [])
        deflateEnd(stream)
        inMember = false
    }

    private func flushPending() {
        guard !pending.isEmpty else { return }
        let bytes = pending
        pending.removeAll(keepingCapacity: true)
        if compress {
            if !inMember { beginMember() }
            run(flush: Z_NO_FLUSH, input: bytes)
        } else {
            bytes.withUnsafeBytes { writeAll($0) }
        }
    }

    private func run(flush: Int32, input: [UInt8]) {
        var input = input
        input.withUnsafeMutableBytes { buffer in
            stream.pointee.next_in = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_in = uInt(buffer.count)
            repeat {
                stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(output.count)
                let status = deflate(stream, flush)
                let produced = output.count - Int(stream.pointee.avail_out)
                writeAll(UnsafeRawBufferPointer(rebasing: output[0..<produced]))
                if status == Z_STREAM_END || status == Z_STREAM_ERROR { break }
            } while stream.pointee.avail_out == 0 || (flush == Z_FINISH)
        }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        failure = SystemCall.writeAll(bytes, to: descriptor)
    }
}
