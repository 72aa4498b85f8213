import GRDB
import WinbackCore

/// Stores contacts and client master data inside one import's transaction.
public final class MasterDataWriter {
    private let db: Database
    private let importID: Int64
    private let findClient: Statement
    private let insertContact: Statement
    private let upsertProfile: Statement

    init(db: Database, importID: Int64) throws {
        self.db = db
        self.importID = importID
        findClient = try db.makeStatement(sql: "SELECT id FROM clients WHERE client_id = ?")
        insertContact = try db.makeStatement(
            sql: """
                INSERT INTO contacts (day, client, manager, outcome, note, import_id) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (client, day, manager, outcome, note) DO NOTHING
                """)
        // An empty cell keeps what is known; a clients file is the master data and wins over sales lines.
        upsertProfile = try db.makeStatement(
            sql: """
                INSERT INTO clients (client_id, name, manager, region, segment, dossier_reviewed, from_master)
                VALUES (?, ?, ?, ?, ?, ?, 1)
                ON CONFLICT (client_id) DO UPDATE SET
                    name = coalesce(excluded.name, name),
                    manager = coalesce(excluded.manager, manager),
                    region = coalesce(excluded.region, region),
                    segment = coalesce(excluded.segment, segment),
                    dossier_reviewed = coalesce(excluded.dossier_reviewed, dossier_reviewed),
                    from_master = 1
                """)
    }

    /// What became of a contact.
    public enum ContactOutcome: Sendable, Equatable {
        case stored
        /// The same contact was already stored.
        case duplicate
        /// No sale or clients file has named the client: a contact alone does not make one (a prospect, a typo).
        case unknownClient
    }

    /// Stores a contact of a client the book knows.
    public func insert(_ contact: Contact) throws -> ContactOutcome {
        guard let client = try Int64.fetchOne(findClient, arguments: [contact.clientID]) else { return .unknownClient }
        try insertContact.execute(arguments: [
            contact.day.number, client, contact.manager ?? "", contact.outcome.rawValue,
            contact.note ?? "", importID,
        ])
        return db.changesCount == 1 ? .stored : .duplicate
    }

    /// Stores or updates a client's master data.
    public func upsert(_ profile: ClientProfile) throws {
        try upsertProfile.execute(arguments: [
            profile.clientID, profile.name, profile.manager, profile.region, profile.segment,
            profile.dossierReviewed?.number,
        ])
    }
}
