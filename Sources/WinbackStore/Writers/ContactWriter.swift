import GRDB
import WinbackCore

/// Stores contacts and client master data inside one import's transaction.
public final class MasterDataWriter {
    private let db: Database
    private let importID: Int64
    private let ensureClient: Statement
    private let insertContact: Statement
    private let upsertProfile: Statement

    public init(db: Database, importID: Int64) throws {
        self.db = db
        self.importID = importID
        ensureClient = try db.makeStatement(
            sql: """
                INSERT INTO clients (client_id) VALUES (?)
                ON CONFLICT (client_id) DO UPDATE SET client_id = excluded.client_id RETURNING id
                """)
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

    /// Stores a contact; `false` when the same contact is already stored.
    public func insert(_ contact: Contact) throws -> Bool {
        guard let client = try Int64.fetchOne(ensureClient, arguments: [contact.clientID]) else {
            throw DatabaseError(message: "no id returned for client \(contact.clientID)")
        }
        try insertContact.execute(arguments: [
            contact.day.number, client, contact.manager ?? "", contact.outcome.rawValue,
            contact.note ?? "", importID,
        ])
        return db.changesCount == 1
    }

    /// Stores or updates a client's master data.
    public func upsert(_ profile: ClientProfile) throws {
        try upsertProfile.execute(arguments: [
            profile.clientID, profile.name, profile.manager, profile.region, profile.segment,
            profile.dossierReviewed?.number,
        ])
    }
}
