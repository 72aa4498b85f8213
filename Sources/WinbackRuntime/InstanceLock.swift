import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One daemon per state directory: an exclusive `flock` on `winback.lock`, held for the process's life.
///
/// The kernel drops the lock when the process dies, however it dies, so a crashed daemon never leaves a
/// stale lock behind.
public final class InstanceLock: @unchecked Sendable {
    private let descriptor: Int32
    public let path: String

    public struct Held: Error, CustomStringConvertible {
        public var path: String
        public var holder: String
        public var description: String {
            "another winback daemon runs on this state directory (\(path) is locked\(holder.isEmpty ? "" : " by pid \(holder)"))"
        }
    }

    public init(stateDirectory: String) throws {
        path = stateDirectory + "/winback.lock"
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard descriptor >= 0 else {
            throw Held(path: path, holder: "").withReason(String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(descriptor, &buffer, 31, 0)
            close(descriptor)
            let holder =
                count > 0
                ? String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                : ""
            throw Held(path: path, holder: holder)
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = pid.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// The process id of the daemon holding the lock of `stateDirectory`, or nil when none does; it neither takes
    /// the lock nor creates its file.
    public static func holder(stateDirectory: String) -> Int? {
        let descriptor = open(stateDirectory + "/winback.lock", O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_SH | LOCK_NB) != 0 else {
            flock(descriptor, LOCK_UN)
            return nil
        }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(descriptor, &buffer, 31, 0)
        let text = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
        // Held by a daemon that has not written its pid yet: running all the same, as pid 0.
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}

extension InstanceLock.Held {
    fileprivate func withReason(_ reason: String) -> InstanceLock.Held {
        InstanceLock.Held(path: path + " (\(reason))", holder: "")
    }
}
