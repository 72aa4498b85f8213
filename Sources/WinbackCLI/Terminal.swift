import Foundation
import WinbackReports

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What standard output can show: how wide a table may be, and whether colour may be used. The one place that looks
/// at the terminal; everything below the command line is given the answer.
struct Terminal: Equatable {
    /// The columns a line may take; nil when there is no limit.
    var width: Int?
    /// Whether escape codes for colour may be written: only to a terminal, and never with `$NO_COLOR` set
    /// (no-color.org) or `TERM=dumb`. Nothing winback prints is coloured today; whatever colours asks here first.
    var colour: Bool
    /// Whether a person reads it as it comes: a line meant only for them (which day a table is as of) is written.
    var isTerminal = false

    /// A terminal's width from the terminal itself; output that goes to a file or a program is limited by
    /// `$COLUMNS` when it is set, and otherwise not at all, so that scripts see every row whole on one line.
    static func standardOutput(environment: [String: String] = ProcessInfo.processInfo.environment) -> Terminal {
        let isTerminal = isatty(STDOUT_FILENO) == 1
        let noColour = !(environment["NO_COLOR"] ?? "").isEmpty || environment["TERM"] == "dumb"
        return Terminal(
            width: width(
                isTerminal: isTerminal, reported: isTerminal ? windowColumns() : nil, environment: environment),
            colour: isTerminal && !noColour, isTerminal: isTerminal)
    }

    /// The width rule: the terminal's own width, else `$COLUMNS`, else 80 on a terminal and no limit elsewhere.
    static func width(isTerminal: Bool, reported: Int?, environment: [String: String]) -> Int? {
        if isTerminal, let reported, reported > 0 { return reported }
        if let columns = environment["COLUMNS"].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }),
            columns > 0
        {
            return columns
        }
        return isTerminal ? 80 : nil
    }

    /// The terminal's columns as the kernel reports them (`TIOCGWINSZ`), or nil.
    private static func windowColumns() -> Int? {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}

/// Writes `chunks` to standard output, one after the other, after whatever `print` has buffered: a listing of the
/// whole book goes out in the pieces it was rendered in, without a `String` of them, or one buffer, first. They go in
/// one `writev`, as one buffer went in one `write`: a reader that takes a line and closes the pipe
/// (`winback list | head -1`) then finds a small listing whole in the pipe, where a second write would have had
/// winback killed by SIGPIPE. With SIGPIPE ignored, a closed pipe ends the output quietly; a non-blocking output is
/// waited for; any other failure (a full disk) is the command's.
func writeOut(_ chunks: [[UInt8]]) throws {
    fflush(nil)
    _ = try writeAll(chunks) { vectors, count in writev(STDOUT_FILENO, vectors, count) }
}

/// Writes `chunks` one after the other through `writev` (the system's, or a test's), as many at a time as it takes
/// and on from wherever a partial write stopped; false when the reader closed the pipe.
func writeAll(_ chunks: [[UInt8]], writev: (UnsafePointer<iovec>, Int32) -> Int) throws -> Bool {
    try withBuffers(chunks[...], []) { buffers in
        var vectors = buffers.filter { $0.count > 0 }.map {
            iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count)
        }
        var first = 0
        while first < vectors.count {
            // At most 1,024 vectors to a call, Linux's IOV_MAX.
            let written = vectors.withUnsafeBufferPointer {
                writev($0.baseAddress! + first, Int32(min(vectors.count - first, 1024)))
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    // Standard output left non-blocking by whoever started us: wait until it takes more.
                    var ready = pollfd(fd: STDOUT_FILENO, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&ready, 1, -1)
                    continue
                }
                if errno == EPIPE { return false }
                throw CommandFailure(reason: "standard output: \(String(cString: strerror(errno)))")
            }
            // Past what was written: whole pieces, then the start of one.
            var left = written
            while left > 0 {
                if left >= vectors[first].iov_len {
                    left -= vectors[first].iov_len
                    first += 1
                } else {
                    vectors[first].iov_base = vectors[first].iov_base! + left
                    vectors[first].iov_len -= left
                    left = 0
                }
            }
        }
        return true
    }
}

/// `body` with the memory of each of `chunks` after `collected`, all valid at once.
private func withBuffers<Result>(
    _ chunks: ArraySlice<[UInt8]>, _ collected: [UnsafeRawBufferPointer],
    _ body: ([UnsafeRawBufferPointer]) throws -> Result
) rethrows -> Result {
    guard let first = chunks.first else { return try body(collected) }
    return try first.withUnsafeBytes { try withBuffers(chunks.dropFirst(), collected + [$0], body) }
}
