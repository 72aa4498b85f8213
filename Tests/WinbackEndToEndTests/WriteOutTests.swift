import Foundation
import Testing

@testable import WinbackCLI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A listing goes out in the pieces it was written in, in as few calls as the output allows.
@Suite("Writing a listing out")
struct WriteOutTests {
    let chunks: [[UInt8]] = [
        Array("client,value\r\n".utf8), [], Array("C1,5\r\nC2,7\r\n".utf8), Array("C3,9\r\n".utf8),
    ]

    /// An output that takes up to `limit` bytes a call, as `writev` hands them over, counting its calls.
    func output(limit: Int) throws -> (bytes: [UInt8], calls: Int) {
        var bytes: [UInt8] = []
        var calls = 0
        let done = try writeAll(chunks) { vectors, count in
            calls += 1
            var taken = 0
            for index in 0..<Int(count) where taken < limit {
                let piece = UnsafeRawBufferPointer(start: vectors[index].iov_base, count: vectors[index].iov_len)
                let part = piece.prefix(limit - taken)
                bytes += part
                taken += part.count
            }
            return taken
        }
        #expect(done)
        return (bytes, calls)
    }

    @Test("all the pieces go in one call when the output takes them: `| head -1` never gets a piece alone")
    func oneCall() throws {
        let out = try output(limit: .max)
        #expect(out.bytes == chunks.flatMap { $0 })
        #expect(out.calls == 1)
    }

    @Test("a partial write goes on from the byte where it stopped, inside a piece or at its end")
    func partialWrites() throws {
        for limit in [1, 2, 3, 5, 14, 15, 26] {
            let out = try output(limit: limit)
            #expect(
                String(decoding: out.bytes, as: UTF8.self) == "client,value\r\nC1,5\r\nC2,7\r\nC3,9\r\n", "\(limit)")
            #expect(out.calls == (out.bytes.count + limit - 1) / limit, "\(limit)")
        }
    }

    @Test("a reader that closed the pipe ends the output quietly; another failure is the command's")
    func failures() throws {
        var calls = 0
        #expect(
            try !writeAll(chunks) { _, _ in
                calls += 1
                errno = EPIPE
                return -1
            })
        #expect(calls == 1)
        #expect(throws: CommandFailure.self) {
            try writeAll(chunks) { _, _ in
                errno = ENOSPC
                return -1
            }
        }
        // Interrupted by a signal: tried again.
        var interrupted = true
        #expect(
            try writeAll(chunks) { vectors, count in
                if interrupted {
                    interrupted = false
                    errno = EINTR
                    return -1
                }
                return (0..<Int(count)).reduce(0) { $0 + vectors[$1].iov_len }
            })
    }
}
