import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn`, its output read through pipes.
///
/// The tests start many processes side by side and read both of their pipes to the end; three system calls
/// do that with nothing in between (no run loop, no shared monitor thread).
/// The output buffers are written by the reader threads and read only after `wait()` joined them.
public final class Spawned: @unchecked Sendable {
    public let pid: pid_t
    private let stdoutFD: Int32
    private let stderrFD: Int32
    private var status: Int32?
    private var collectedOut = Data()
    private var collectedErr = Data()
    private let readers = DispatchGroup()

    public init(_ executable: String, _ arguments: [String], environment: [String: String]) throws {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw POSIXError(.EMFILE) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, nil, argv, envp)
        close(outPipe[1])
        close(errPipe[1])
        guard result == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL)
        }
        pid = child
        stdoutFD = outPipe[0]
        stderrFD = errPipe[0]
        // Drain both pipes as the child writes, so that it never blocks on a full pipe.
        for (fd, isOut) in [(stdoutFD, true), (stderrFD, false)] {
            readers.enter()
            Thread.detachNewThread { [self] in
                var buffer = [UInt8](repeating: 0, count: 65536)
                var data = Data()
                while true {
                    let count = read(fd, &buffer, buffer.count)
                    if count > 0 { data.append(contentsOf: buffer[0..<count]) } else if count == 0 || errno != EINTR { break }
                }
                close(fd)
                if isOut { collectedOut = data } else { collectedErr = data }
                readers.leave()
            }
        }
    }

    deinit {
        if status == nil {
            kill(pid, SIGKILL)
            _ = wait()
        }
    }

    /// Whether the child still runs (reaping it if it has ended).
    public var isRunning: Bool {
        guard status == nil else { return false }
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, WNOHANG)
        if result == pid {
            status = Self.exitStatus(raw)
            return false
        }
        return true
    }

    public func signal(_ number: Int32) { kill(pid, number) }

    /// Waits for the child to end and its output to be read; returns its exit status.
    @discardableResult
    public func wait() -> Int32 {
        if status == nil {
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0, errno == EINTR {}
            status = Self.exitStatus(raw)
        }
        readers.wait()
        return status!
    }

    public var stdout: String { String(decoding: collectedOut, as: UTF8.self) }
    public var stderr: String { String(decoding: collectedErr, as: UTF8.self) }

    private static func exitStatus(_ raw: Int32) -> Int32 {
        (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
    }
}
