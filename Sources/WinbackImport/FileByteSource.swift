import Crypto
import Foundation
import WinbackCSV

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file read with plain `read(2)`, a buffer at a time: the import never holds the whole file.
final class FileByteSource: ByteSource {
    private let descriptor: Int32
    let path: String

    /// Opens `path` for reading; refuses directories and what is not a regular file, before reading a byte.
    ///
    /// The file is opened without blocking (a FIFO would otherwise wait for a writer forever) and checked on the
    /// descriptor itself, so nothing can be swapped in between the check and the read. With `followLinks` false (the
    /// daemon's inbox, which other users can write to), a symbolic link is refused instead of followed.
    init(path: String, followLinks: Bool = true) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (followLinks ? 0 : O_NOFOLLOW))
        guard descriptor >= 0 else {
            let reason = errno == ELOOP && !followLinks ? "a symbolic link (not followed)" : String(cString: strerror(errno))
            throw ImportFailure.unreadable(path: path, reason: reason)
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw ImportFailure.unreadable(path: path, reason: "not a regular file")
        }
        // Reads of a regular file block as they should.
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw ImportFailure.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// The SHA-256 of the whole file (read from where the file is now, normally its start) and its size.
    func sha256() throws -> (hex: String, bytes: Int64) {
        var hasher = SHA256()
        var total: Int64 = 0
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let count = try read(into: chunk)
            if count == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
            total += Int64(count)
        }
        guard lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw ImportFailure.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        let hex = hasher.finalize().map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
        return (hex, total)
    }
}
