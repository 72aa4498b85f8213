import WinbackCore

/// How well a scan's statuses match the known truth of a generated scenario: the measure criteria are tuned by.
///
/// Truth is the generator's fate for each client, looked at on the scan's day:
/// - *losing*: stopped, slowed down, declined, or in the silent stretch before coming back, with the change
///   on or before the scan day; or a one-time buyer silent for 180 days;
/// - *gone* (the part of losing that should be `lost`): stopped, in the silent stretch, or a silent one-timer;
/// - everything else (steady, dropped a category, not yet changed) should be neither at risk nor lost.
/// Recall counts only changes at least `grace` days old (at least 4 rhythms for the gone): nothing can tell
/// a stop from a pause the day after it.
public struct DetectionScore: Sendable, CustomStringConvertible {
    public struct Row: Sendable {
        public var fate: String
        public var clients = 0
        public var atRisk = 0
        public var lost = 0
        /// Clients whose change is old enough to be found, and how many of them were flagged.
        public var detectable = 0
        public var detected = 0
    }

    public var rows: [Row]
    /// Flagged at risk or lost, and truly losing / all flagged.
    public var flaggedPrecision: Double
    /// Truly losing for at least the grace period, and flagged / all of those.
    public var flaggedRecall: Double
    public var lostPrecision: Double
    public var lostRecall: Double
    /// Steady clients flagged at risk or lost / steady clients.
    public var falseAlarmRate: Double

    public init(clients: [GeneratedClient], statuses: [String: ClientStatus], lastPurchase: [String: Day], asOf: Day, grace: Int = 90) {
        var rows: [String: Row] = [:]
        var flagged = 0
        var flaggedTrue = 0
        var losingDetectable = 0
        var losingDetected = 0
        var lostFlagged = 0
        var lostTrue = 0
        var goneDetectable = 0
        var goneDetected = 0
        var steady = 0
        var steadyFlagged = 0
        for client in clients {
            guard let last = lastPurchase[client.id], client.firstDay <= asOf else { continue }
            let status = statuses[client.id] ?? .new
            let isFlagged = status.isFailing
            var losing = false
            var gone = false
            var changed: Day?
            let label: String
            switch client.fate {
            case .steady:
                label = "steady"
            case .stops(let at):
                label = "stops"
                if at <= asOf { (losing, gone, changed) = (true, true, at) }
            case .slows(let from, _):
                label = "slows"
                if from <= asOf { (losing, changed) = (true, from) }
            case .declines(let from, _):
                label = "declines"
                if from <= asOf { (losing, changed) = (true, from) }
            case .dropsCategory:
                label = "drops a category"
            case .comesBack(let stop, let back):
                label = "comes back"
                if stop <= asOf, asOf < back { (losing, gone, changed) = (true, true, stop) }
            case .oneTime:
                label = "one-time"
                if last.days(to: asOf) >= 180 { (losing, gone, changed) = (true, true, last) }
            }
            rows[label, default: Row(fate: label)].clients += 1
            if status == .atRisk { rows[label]!.atRisk += 1 }
            if status == .lost { rows[label]!.lost += 1 }
            if isFlagged {
                flagged += 1
                if losing { flaggedTrue += 1 }
            }
            if status == .lost {
                lostFlagged += 1
                if gone { lostTrue += 1 }
            }
            if let changed, losing, changed.days(to: asOf) >= grace {
                losingDetectable += 1
                rows[label]!.detectable += 1
                if isFlagged {
                    losingDetected += 1
                    rows[label]!.detected += 1
                }
            }
            if let changed, gone, changed.days(to: asOf) >= max(grace, Int(4 * client.rhythmDays)) {
                goneDetectable += 1
                if status == .lost { goneDetected += 1 }
            }
            if case .steady = client.fate {
                steady += 1
                if isFlagged { steadyFlagged += 1 }
            }
        }
        func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 1 : Double(a) / Double(b) }
        self.rows = rows.values.sorted { $0.fate < $1.fate }
        flaggedPrecision = ratio(flaggedTrue, flagged)
        flaggedRecall = ratio(losingDetected, losingDetectable)
        lostPrecision = ratio(lostTrue, lostFlagged)
        lostRecall = ratio(goneDetected, goneDetectable)
        falseAlarmRate = ratio(steadyFlagged, steady)
    }

    public var description: String {
        var out = "fate               clients  at_risk     lost  changed≥grace  flagged\n"
        for row in rows {
            out += row.fate + String(repeating: " ", count: max(0, 18 - row.fate.count))
                + String(row.clients).leftPadded(to: 8, with: " ") + String(row.atRisk).leftPadded(to: 9, with: " ")
                + String(row.lost).leftPadded(to: 9, with: " ") + String(row.detectable).leftPadded(to: 15, with: " ")
                + String(row.detected).leftPadded(to: 9, with: " ") + "\n"
        }
        func pct(_ value: Double) -> String { String(Int((value * 1000).rounded()) / 10) + "." + String(Int((value * 1000).rounded()) % 10) + " %" }
        out += "at_risk or lost: precision \(pct(flaggedPrecision)), recall \(pct(flaggedRecall))\n"
        out += "lost:            precision \(pct(lostPrecision)), recall \(pct(lostRecall))\n"
        out += "steady clients flagged: \(pct(falseAlarmRate))\n"
        return out
    }
}
