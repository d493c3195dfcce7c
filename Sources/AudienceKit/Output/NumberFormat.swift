#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The spec's number format: rounded from the exact value of the double,
/// half away from zero, to at most 6 digits after the point, with no
/// exponent, no trailing zeros and no `-0`.
public enum NumberFormat {
    public static func decimal(_ value: Double, digits: Int = 6) -> String {
        guard value.isFinite else { return "" }
        // printf gives the exact binary value's decimal digits (60 after the
        // point decide every tie a double can hold); rounding is ours, since
        // printf would round ties to even.
        var buffer = [CChar](repeating: 0, count: 400)
        let length = withVaList([abs(value)]) { arguments in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, 400, "%.60f", arguments) }
        }
        guard length > 0 && length < 400 else { return "" }
        var text = Array(buffer[0..<Int(length)].map { UInt8(bitPattern: $0) })
        guard let point = text.firstIndex(of: 0x2E) else { return "" }
        let roundUp = text[point + digits + 1] >= 0x35
        text.removeSubrange((point + digits + 1)...)
        if roundUp {
            var index = text.count - 1
            while true {
                if index < 0 {
                    text.insert(0x31, at: 0)
                    break
                }
                if text[index] == 0x2E { index -= 1; continue }
                if text[index] == 0x39 {
                    text[index] = 0x30
                    index -= 1
                } else {
                    text[index] += 1
                    break
                }
            }
        }
        while text.last == 0x30 { text.removeLast() }
        if text.last == 0x2E { text.removeLast() }
        let isZero = text.allSatisfy { $0 == 0x30 || $0 == 0x2E }
        let result = String(decoding: text, as: UTF8.self)
        return value < 0 && !isZero ? "-" + result : result
    }
}
