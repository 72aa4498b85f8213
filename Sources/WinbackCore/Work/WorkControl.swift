import Synchronization

/// How a long job (an import, a scan) and the service running it talk while it runs: the job says it is
/// making progress, the service asks it to stop.
///
/// The daemon's watchdog pings systemd from its own timer while the work loop is busy, but only as long as the
/// job keeps ticking: a job stuck for good stops the pings and gets the service restarted, a long one that moves
/// does not. A stop request is seen by the job at its next tick, which then rolls back and ends.
public final class WorkControl: Sendable {
    private let ticks = Atomic<Int>(0)
    private let stopRequested = Atomic<Bool>(false)

    public init() {}

    /// Called by a job as it moves on (a batch of lines, a client assessed).
    @inline(__always)
    public func tick() {
        ticks.add(1, ordering: .relaxed)
    }

    /// How many ticks so far: a watchdog compares two readings to see whether work moved between them.
    public var progress: Int { ticks.load(ordering: .relaxed) }

    /// Asks every job that checks this control to stop at its next tick.
    public func requestStop() {
        stopRequested.store(true, ordering: .releasing)
    }

    public var isStopRequested: Bool { stopRequested.load(ordering: .acquiring) }

    /// Ticks, and throws ``Stopped`` when a stop was asked for: what a job calls between its steps.
    public func checkpoint() throws(Stopped) {
        tick()
        if isStopRequested { throw Stopped() }
    }

    /// A job ended early because a stop was asked for; what it did is rolled back.
    public struct Stopped: Error, CustomStringConvertible {
        public init() {}
        public var description: String { "stopped on request; nothing of the job was kept" }
    }
}
