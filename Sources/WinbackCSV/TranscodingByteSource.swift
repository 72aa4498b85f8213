/// Reads a file in a single-byte encoding and hands out its text as UTF-8.
///
/// Each byte becomes one to three bytes of UTF-8; line breaks, delimiters and quotes are ASCII and stay where they
/// were, so the reader's line numbers are the file's. A file that starts with UTF-8's byte order mark is UTF-8
/// whatever the config says, and is passed through unchanged.
public struct TranscodingByteSource: ByteSource {
    private var base: any ByteSource
    /// The UTF-8 bytes of each byte value, three slots each (unused slots are skipped by `lengths`).
    private let utf8: [UInt8]
    private let lengths: [UInt8]
    /// Raw bytes read from `base`, and converted bytes not yet handed out.
    private var raw: [UInt8]
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var started = false
    private var passThrough = false

    public init(base: any ByteSource, encoding: SingleByteEncoding, chunkSize: Int = 1 << 18) {
        self.base = base
        var utf8 = [UInt8](repeating: 0, count: 256 * 3)
        var lengths = [UInt8](repeating: 1, count: 256)
        for byte in 0..<128 { utf8[byte * 3] = UInt8(byte) }
        for (offset, point) in encoding.upperHalf.enumerated() {
            let byte = 128 + offset
            let encoded = Array(String(Character(Unicode.Scalar(point)!)).utf8)
            for (slot, value) in encoded.enumerated() { utf8[byte * 3 + slot] = value }
            lengths[byte] = UInt8(encoded.count)
        }
        self.utf8 = utf8
        self.lengths = lengths
        self.raw = [UInt8](repeating: 0, count: max(chunkSize, 16))
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if pendingStart == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingStart = 0
            let count = try raw.withUnsafeMutableBytes { try base.read(into: $0) }
            guard count > 0 else { return 0 }
            if !started {
                started = true
                passThrough = count >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF
            }
            if passThrough {
                pending.append(contentsOf: raw[0..<count])
                return try read(into: buffer)
            }
            pending.reserveCapacity(count * 3)
            for index in 0..<count {
                let byte = Int(raw[index])
                if byte < 128 {
                    pending.append(UInt8(byte))
                } else {
                    let length = Int(lengths[byte])
                    for slot in 0..<length { pending.append(utf8[byte * 3 + slot]) }
                }
            }
        }
        let count = min(buffer.count, pending.count - pendingStart)
        pending.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + pendingStart, byteCount: count)
        }
        pendingStart += count
        return count
    }
}
