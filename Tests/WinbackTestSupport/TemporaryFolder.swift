import Foundation

/// A folder of its own under the system's temporary directory, removed with everything in it when the last
/// reference to it goes: a test's database and files do not pile up in /tmp run after run.
public final class TemporaryFolder: Sendable {
    public let url: URL

    /// Creates `<tmp>/<prefix>-<UUID>`.
    public init(_ prefix: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
