import GRDB

extension AppDatabase {
    /// The schema, one migration per version; a migration once released is never edited.
    ///
    /// Dates are stored as day numbers (days since 1970-01-01, see `Day`) and money as integer
    /// ten-thousandths (see `Money`), so that sums are exact and comparisons cheap.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: imports, clients, sales, contacts") { db in
            try db.execute(
                sql: """
                    CREATE TABLE imports (
                        id INTEGER PRIMARY KEY,
                        file_name TEXT NOT NULL,
                        sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
                        kind TEXT CHECK (kind IN ('sales', 'contacts', 'clients')),
                        bytes INTEGER NOT NULL CHECK (bytes >= 0),
                        rows INTEGER NOT NULL DEFAULT 0 CHECK (rows >= 0),
                        inserted INTEGER NOT NULL DEFAULT 0 CHECK (inserted >= 0),
                        duplicates INTEGER NOT NULL DEFAULT 0 CHECK (duplicates >= 0),
                        started_at TEXT NOT NULL,
                        finished_at TEXT NOT NULL,
                        outcome TEXT NOT NULL CHECK (outcome IN ('imported', 'rejected')),
                        error TEXT,
                        CHECK ((outcome = 'rejected') = (error IS NOT NULL))
                    );
                    -- A file's content is imported once; refusals may repeat.
                    CREATE UNIQUE INDEX imports_imported_sha256 ON imports(sha256) WHERE outcome = 'imported';

                    -- Sales and contacts refer to a client by its integer id: smaller rows and indexes, cheaper checks.
                    CREATE TABLE clients (
                        id INTEGER PRIMARY KEY,
                        client_id TEXT NOT NULL UNIQUE CHECK (length(client_id) > 0),
                        name TEXT,
                        manager TEXT,
                        region TEXT,
                        segment TEXT,
                        dossier_reviewed INTEGER,
                        -- The sale day whose line last set name, manager and region (NULL: never from sales).
                        attributes_day INTEGER,
                        -- 1 once a clients file set the master data; sales lines then only fill gaps.
                        from_master INTEGER NOT NULL DEFAULT 0 CHECK (from_master IN (0, 1))
                    );

                    CREATE TABLE sales (
                        id INTEGER PRIMARY KEY,
                        document TEXT NOT NULL CHECK (length(document) > 0),
                        line INTEGER NOT NULL,
                        day INTEGER NOT NULL,
                        client INTEGER NOT NULL REFERENCES clients(id),
                        sku TEXT,
                        category TEXT,
                        quantity REAL NOT NULL,
                        amount INTEGER NOT NULL,
                        margin INTEGER,
                        manager TEXT,
                        region TEXT,
                        import_id INTEGER NOT NULL REFERENCES imports(id),
                        source_line INTEGER NOT NULL CHECK (source_line > 1),
                        UNIQUE (document, line)
                    );
                    CREATE INDEX sales_client_day ON sales(client, day);

                    CREATE TABLE contacts (
                        id INTEGER PRIMARY KEY,
                        day INTEGER NOT NULL,
                        client INTEGER NOT NULL REFERENCES clients(id),
                        manager TEXT NOT NULL DEFAULT '',
                        outcome TEXT NOT NULL CHECK (outcome IN ('positive', 'neutral', 'negative')),
                        note TEXT NOT NULL DEFAULT '',
                        import_id INTEGER NOT NULL REFERENCES imports(id),
                        UNIQUE (client, day, manager, outcome, note)
                    );
                    """)
        }
        return migrator
    }
}
