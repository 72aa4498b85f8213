import WinbackCore

/// Clients and contacts files to go with a generated sales history: master data with dossier dates for the
/// larger clients, and a log of their managers' calls and visits. Made from a `SalesGenerator` or a `RealisticBook`.
public struct MasterDataGenerator: Sendable {
    /// A client as master data sees it; its revenue per day tells a key account from the rest.
    private struct Entry: Sendable {
        var id, name, manager, region: String
        var dailyRevenue: Double
    }

    private let entries: [Entry]
    private let seed: UInt64
    private let end: Day

    public init(_ sales: SalesGenerator) {
        entries = sales.clients.map {
            Entry(
                id: $0.id, name: $0.name, manager: $0.manager, region: $0.region,
                dailyRevenue: $0.ticket / $0.rhythmDays)
        }
        seed = sales.scenario.seed
        end = sales.scenario.end
    }

    public init(_ book: RealisticBook) {
        entries = book.clients.map {
            Entry(
                id: $0.id, name: $0.name, manager: $0.manager, region: $0.region,
                dailyRevenue: $0.ticket / $0.meanGapDays)
        }
        seed = book.scenario.seed
        end = book.scenario.end
    }

    /// `client_id,client_name,manager,region,segment,dossier_reviewed`; larger clients have a dossier date.
    public func clientsCSV() -> String {
        var random = SeededRandom(seed: seed &+ 0xC11E)
        var rows = ["client_id,client_name,manager,region,segment,dossier_reviewed"]
        for client in entries {
            let large = client.dailyRevenue > 40
            let reviewed = large ? end.adding(days: -Int(random.unit() * 150)).iso : ""
            rows.append(
                [client.id, client.name, client.manager, client.region, large ? "key account" : "standard", reviewed]
                    .map(csvField).joined(separator: ","))
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// `date,client_id,manager,outcome,note` for the larger clients over the last three months of the period.
    public func contactsCSV() -> String {
        var random = SeededRandom(seed: seed &+ 0xCA11)
        var rows = ["date,client_id,manager,outcome,note"]
        let notes = [
            "positive": ["Visit: new catalogue", "Call: order confirmed", "Meeting: yearly plan agreed"],
            "neutral": ["Call: no answer", "Email: price list sent"],
            "negative": ["Call: complaint about delivery", "Visit: price too high, competitor offer"],
        ]
        for client in entries where client.dailyRevenue > 40 {
            var day = end.adding(days: -90 + Int(random.unit() * 10))
            while day <= end {
                let draw = random.unit()
                let outcome = draw < 0.7 ? "positive" : draw < 0.9 ? "neutral" : "negative"
                rows.append(
                    [day.iso, client.id, client.manager, outcome, random.pick(notes[outcome]!)].map(csvField)
                        .joined(separator: ","))
                day = day.adding(days: 7 + Int(random.unit() * 14))
            }
        }
        return rows.joined(separator: "\n") + "\n"
    }

    private func csvField(_ text: String) -> String {
        text.contains(",") || text.contains("\"") ? "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\"" : text
    }
}
