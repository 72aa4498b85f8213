#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a config file's bytes and checks they are text, before anything parses them.
///
/// Only a regular file is read: a directory, a FIFO or a device is refused at once (a FIFO is opened without
/// blocking, so a named pipe given as the config cannot hang a command or the daemon), and so is a file larger
/// than `maxSize`. The bytes must be UTF-8 without NUL: TOMLKit hands the text to toml++ as a C string, which
/// would silently end at the first NUL and leave the rest of the file unread.
enum ConfigFileReader {
    /// The largest config read: the full example with every key is a few KB.
    static let maxSize = 1 << 20

    static func contents(of path: String) throws(ConfigError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw ConfigError(file: path, reason: "cannot be read: \(systemError())") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw ConfigError(file: path, reason: "cannot be read: \(systemError())")
        }
        let type = status.st_mode & S_IFMT
        guard type == S_IFREG else {
            throw ConfigError(file: path, reason: "is \(describe(type)), not a regular file")
        }
        guard status.st_size <= maxSize else { throw tooLarge(path, bytes: Int(status.st_size)) }
        // Read one byte more than allowed, so that a file grown since fstat is noticed too.
        var bytes = [UInt8](repeating: 0, count: maxSize + 1)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count > 0 {
                filled += count
            } else if count == 0 {
                break
            } else if errno != EINTR {
                throw ConfigError(file: path, reason: "cannot be read: \(systemError())")
            }
        }
        guard filled <= maxSize else { throw tooLarge(path, bytes: filled) }
        return Array(bytes[..<filled])
    }

    /// The text of `bytes`, or an error naming the line of the first NUL byte or the first invalid UTF-8.
    static func text(_ bytes: [UInt8], file: String) throws(ConfigError) -> String {
        if let nul = bytes.firstIndex(of: 0) {
            throw ConfigError(
                file: file, line: lineNumber(of: nul, in: bytes), reason: "a NUL byte: a config file is plain UTF-8 text")
        }
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var line = 1
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" { line += 1 }
            case .emptyInput:
                return String(decoding: bytes, as: UTF8.self)
            case .error:
                throw ConfigError(file: file, line: line, reason: "not UTF-8 text: save the file as UTF-8")
            }
        }
    }

    static func lineNumber(of offset: Int, in bytes: some Collection<UInt8>) -> Int {
        1 + bytes.prefix(offset).lazy.filter { $0 == UInt8(ascii: "\n") }.count
    }

    private static func tooLarge(_ path: String, bytes: Int) -> ConfigError {
        ConfigError(file: path, reason: "is \(bytes) bytes; a config file may have at most \(maxSize) (1 MiB)")
    }

    private static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFDIR: "a directory"
        case S_IFIFO: "a named pipe (FIFO)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "a special file"
        }
    }

    private static func systemError() -> String {
        String(cString: strerror(errno))
    }
}
