import Foundation
import WinbackCSV

/// Reads and decodes a file's rows on a second thread while the caller stores the rows before them.
///
/// Parsing and SQLite each take about half of an import; on two cores they overlap. Rows travel in
/// batches through a queue of at most ``maxQueuedBatches``, so memory stays bounded whatever the file's
/// size, and they arrive in file order. The reader and the decoder belong to the pipeline's thread from
/// ``init(reader:decoder:decode:)`` on; the caller must not touch them again.
final class RowPipeline<Value: Sendable>: @unchecked Sendable {
    enum Item: Sendable {
        /// A decoded row and the physical line it starts on.
        case value(Value, line: Int)
        /// A row that could not be decoded, with everything wrong with it.
        case bad([BadLine])
    }

    static var batchSize: Int { 1024 }
    static var maxQueuedBatches: Int { 8 }

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [[Item]] = []
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false
    private let stopped = DispatchSemaphore(value: 0)

    // Owned by the reading thread once started.
    private let reader: CSVReader
    private var rows: RowDecoder
    private let decode: (inout RowDecoder) -> Value?

    init(reader: CSVReader, decoder: RowDecoder, decode: @escaping (inout RowDecoder) -> Value?) {
        self.reader = reader
        self.rows = decoder
        self.decode = decode
        let thread = Thread { [self] in
            produce()
            stopped.signal()
        }
        thread.name = "winback-import-parse"
        thread.start()
    }

    deinit {
        cancel()
    }

    /// The next batch in file order, `nil` at the end; rethrows what stopped the reading (a ``CSVReadError``).
    func next() throws -> [Item]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty, !finished { condition.wait() }
        if !queue.isEmpty {
            let batch = queue.removeFirst()
            condition.broadcast()
            return batch
        }
        if let failure { throw failure }
        return nil
    }

    /// Stops the reading thread and waits for it; safe to call more than once.
    func cancel() {
        condition.lock()
        let running = !finished
        cancelled = true
        condition.broadcast()
        condition.unlock()
        if running {
            stopped.wait()
            stopped.signal()  // a later call must not block
        }
    }

    private func produce() {
        var batch: [Item] = []
        batch.reserveCapacity(Self.batchSize)
        var stopError: (any Error)?
        do {
            while try reader.next() {
                if let value = decode(&rows) {
                    batch.append(.value(value, line: reader.line))
                } else {
                    batch.append(.bad(rows.problems))
                }
                if batch.count == Self.batchSize {
                    guard hand(batch) else { return finish(nil) }
                    batch.removeAll(keepingCapacity: true)
                }
            }
        } catch {
            stopError = error
        }
        if !batch.isEmpty, !hand(batch) { return finish(nil) }
        finish(stopError)
    }

    /// Queues a batch, waiting while the queue is full; false when the consumer has gone.
    private func hand(_ batch: [Item]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= Self.maxQueuedBatches, !cancelled { condition.wait() }
        guard !cancelled else { return false }
        queue.append(batch)
        condition.broadcast()
        return true
    }

    private func finish(_ error: (any Error)?) {
        condition.lock()
        failure = error
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
