import Dispatch
import Foundation
import WinbackCore

/// Assesses clients on other threads while the scan's thread reads the next ones from the store: reading and
/// assessing take about as long each, and a server has more than one core.
///
/// Clients go in batches; at most `inFlight` batches are read and not yet assessed, so memory holds a few batches of
/// histories, not the book. The assessments come back in the order the clients were read, as one thread would
/// have made them.
final class AssessmentPipeline: @unchecked Sendable {
    typealias Input = (previous: StatusSince?, history: ClientHistory)

    private let assess: @Sendable (Input) -> Assessment
    private let batchSize: Int
    private let slots: DispatchSemaphore
    private let group = DispatchGroup()
    private let queue = DispatchQueue(label: "winback.scan.assess", attributes: .concurrent)
    // Guarded by `lock`.
    private let lock = NSLock()
    private var done: [Int: [Assessment]] = [:]
    // The reading thread's own.
    private var batch: [Input] = []
    private var submitted = 0

    init(batchSize: Int = 2048, inFlight: Int = 3, assess: @escaping @Sendable (Input) -> Assessment) {
        self.assess = assess
        self.batchSize = batchSize
        slots = DispatchSemaphore(value: inFlight)
        batch.reserveCapacity(batchSize)
    }

    /// Queues one client; a full batch is handed to a worker (waiting while `inFlight` batches are).
    func add(_ input: Input) {
        batch.append(input)
        if batch.count == batchSize { submit() }
    }

    /// Every assessment, in the order the clients were added, once the workers are done.
    func finish() -> [Assessment] {
        submit()
        group.wait()
        return lock.withLock { (0..<submitted).flatMap { done[$0] ?? [] } }
    }

    /// Waits for the workers without collecting (the scan stopped or failed while reading).
    func abandon() {
        group.wait()
    }

    private func submit() {
        guard !batch.isEmpty else { return }
        let inputs = batch
        let number = submitted
        batch.removeAll(keepingCapacity: true)
        submitted += 1
        slots.wait()
        queue.async(group: group) { [self] in
            let assessed = inputs.map(assess)
            lock.withLock { done[number] = assessed }
            slots.signal()
        }
    }
}
