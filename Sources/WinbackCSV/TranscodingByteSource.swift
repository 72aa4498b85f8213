/// Reads a file in a single-byte encoding and hands out its text as UTF-8.
///
/// Each byte becomes one to three bytes of UTF-8; line breaks, delimiters and quotes are ASCII and stay where they
/// were, so the reader's line numbers are the file's. A file that starts with UTF-8's byte order mark, or whose first
/// bytes beyond ASCII are UTF-8, is UTF-8 whatever the config says, and is passed through unchanged.
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

    /// Whether the non-ASCII bytes of `bytes` are UTF-8; nil while there is no whole sequence to tell by (only ASCII,
    /// or one sequence cut by the chunk's end).
    static func isUTF8(_ bytes: ArraySlice<UInt8>) -> Bool? {
        var index = bytes.startIndex
        var sawHigh = false
        while index < bytes.endIndex {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return false
            }
            for offset in 1..<length {
                // A sequence cut by the chunk's end decides nothing yet.
                guard index + offset < bytes.endIndex else { return sawHigh ? true : nil }
                guard bytes[index + offset] & 0xC0 == 0x80 else { return false }
            }
            sawHigh = true
            index += length
        }
        return sawHigh ? true : nil
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if pendingStart == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingStart = 0
            let count = try raw.withUnsafeMutableBytes { try base.read(into: $0) }
            guard count > 0 else { return 0 }
            if !started {
                // A byte order mark says what the file is: UTF-8 passes through, UTF-16 and UTF-32 reach the reader,
                // which refuses them by name.
                if count >= 2,
                    (raw[0] == 0xFF && raw[1] == 0xFE) || (raw[0] == 0xFE && raw[1] == 0xFF)
                        || (count >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF)
                {
                    started = true
                    passThrough = true
                } else if let utf8 = Self.isUTF8(raw[0..<count]) {
                    // The first bytes beyond ASCII decide: valid UTF-8 there is a UTF-8 file (an export in the
                    // configured encoding practically never forms UTF-8's sequences), read as it is.
                    started = true
                    passThrough = utf8
                }
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
