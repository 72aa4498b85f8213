import Foundation

/// A listing's rows written in consecutive parts on the machine's threads and put back in order: the bytes are those
/// one pass would write, whatever the number of parts. Half the 100,000-client JSON's time went into making and
/// writing rows on one core while the other waited.
enum RowParts {
    /// The fewest rows worth a part of their own: below that, starting a thread costs more than it saves.
    static let smallest = 2_048

    /// How many parts `count` rows are written in: two for each of the machine's cores (parts differ in cost), as
    /// long as each part has ``smallest`` rows.
    static func parts(_ count: Int) -> Int {
        max(1, min(2 * ProcessInfo.processInfo.activeProcessorCount, count / smallest))
    }

    /// What `write` makes of each part of `0..<count`, in the order of the parts.
    static func map<Part: Sendable>(_ count: Int, _ write: @Sendable (Range<Int>) -> Part) -> [Part] {
        let parts = parts(count)
        return each(parts) { part in write((count * part / parts)..<(count * (part + 1) / parts)) }
    }

    /// What `make` makes of each of `0..<parts`, made on the machine's threads, in order.
    static func each<Part: Sendable>(_ parts: Int, _ make: @Sendable (Int) -> Part) -> [Part] {
        guard parts > 1 else { return parts == 1 ? [make(0)] : [] }
        var made = [Part?](repeating: nil, count: parts)
        made.withUnsafeMutableBufferPointer { made in
            let slots = Slots(base: made.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                // Each part writes its own slot only.
                slots.base[part] = make(part)
            }
        }
        return made.map { $0! }
    }

    /// The parts' slots, shared by the threads; each touches only its own.
    private struct Slots<Part>: @unchecked Sendable {
        let base: UnsafeMutablePointer<Part?>
    }
}

extension Array where Element == [UInt8] {
    /// The pieces one after the other in one buffer, copied whole (the standard `joined()` would hand them over
    /// byte by byte).
    func concatenated() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(reduce(0) { $0 + $1.count })
        for piece in self { out.append(contentsOf: piece) }
        return out
    }

    /// The pieces after `head` and before `tail`.
    func inserting(_ head: [UInt8], appending tail: [UInt8] = []) -> [[UInt8]] {
        [head] + self + (tail.isEmpty ? [] : [tail])
    }
}
