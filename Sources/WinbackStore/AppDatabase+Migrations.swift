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
        migrator.registerMigration("v2: client-day aggregates, scans, client states, status history") { db in
            try db.execute(
                sql: """
                    -- Per client and day, what the sales lines add up to: what scans read instead of every line.
                    -- Kept up to date by each scan from the sales stored since the last one (see aggregation).
                    CREATE TABLE client_days (
                        client INTEGER NOT NULL REFERENCES clients(id),
                        day INTEGER NOT NULL,
                        net INTEGER NOT NULL,
                        gross INTEGER NOT NULL CHECK (gross >= 0),
                        returns INTEGER NOT NULL CHECK (returns >= 0),
                        margin INTEGER NOT NULL,
                        margin_lines INTEGER NOT NULL CHECK (margin_lines >= 0),
                        lines INTEGER NOT NULL CHECK (lines > 0 AND margin_lines <= lines),
                        PRIMARY KEY (client, day)
                    ) WITHOUT ROWID;

                    -- What was bought in each category (positive lines), per client and day.
                    CREATE TABLE client_day_categories (
                        client INTEGER NOT NULL,
                        day INTEGER NOT NULL,
                        category TEXT NOT NULL,
                        amount INTEGER NOT NULL,
                        PRIMARY KEY (client, day, category),
                        FOREIGN KEY (client, day) REFERENCES client_days(client, day)
                    ) WITHOUT ROWID;

                    -- The highest sales.id already added to the aggregates.
                    CREATE TABLE aggregation (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        sales_through INTEGER NOT NULL CHECK (sales_through >= 0)
                    );
                    INSERT INTO aggregation (id, sales_through) VALUES (1, 0);

                    CREATE TABLE scans (
                        id INTEGER PRIMARY KEY,
                        as_of INTEGER NOT NULL,
                        started_at TEXT NOT NULL,
                        finished_at TEXT NOT NULL,
                        clients INTEGER NOT NULL CHECK (clients >= 0)
                    );

                    -- Each client as the latest scan saw it.
                    CREATE TABLE client_states (
                        client INTEGER PRIMARY KEY REFERENCES clients(id),
                        scan_id INTEGER NOT NULL REFERENCES scans(id),
                        as_of INTEGER NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('new', 'active', 'at_risk', 'lost', 'won_back')),
                        status_since INTEGER NOT NULL CHECK (status_since <= as_of),
                        reason TEXT NOT NULL,
                        abc TEXT NOT NULL CHECK (abc IN ('A', 'B', 'C')),
                        xyz TEXT CHECK (xyz IN ('X', 'Y', 'Z')),
                        variation REAL,
                        share REAL NOT NULL CHECK (share >= 0 AND share <= 1),
                        dependence TEXT NOT NULL CHECK (dependence IN ('none', 'key', 'critical', 'mono')),
                        revenue INTEGER NOT NULL,
                        margin INTEGER,
                        first_purchase INTEGER,
                        last_purchase INTEGER,
                        purchase_days INTEGER NOT NULL CHECK (purchase_days >= 0),
                        typical_interval REAL,
                        spread REAL,
                        expected_next INTEGER,
                        days_silent INTEGER,
                        findings TEXT NOT NULL
                    );

                    -- Every change of status a scan decided: the client's story.
                    CREATE TABLE status_changes (
                        id INTEGER PRIMARY KEY,
                        client INTEGER NOT NULL REFERENCES clients(id),
                        day INTEGER NOT NULL,
                        from_status TEXT CHECK (from_status IN ('new', 'active', 'at_risk', 'lost', 'won_back')),
                        to_status TEXT NOT NULL CHECK (to_status IN ('new', 'active', 'at_risk', 'lost', 'won_back')),
                        reason TEXT NOT NULL,
                        scan_id INTEGER NOT NULL REFERENCES scans(id),
                        UNIQUE (client, day)
                    );
                    """)
        }
        let kinds =
            "'at_risk', 'lost', 'decline', 'category_drop', 'returns', 'won_back', 'concentration', 'contact_gap', 'dossier_stale', 'import_rejected'"
        migrator.registerMigration("v3: alerts, failure statistics, the win-back list") { db in
            try db.execute(
                sql: """
                    -- One alert per client, kind (and category) and episode. An episode starts on first_seen and
                    -- goes on while scans keep finding its condition (last_seen moves); when one no longer does, the
                    -- alert resolves itself ('cleared', or 'won_back' when the client came back).
                    CREATE TABLE alerts (
                        id INTEGER PRIMARY KEY,
                        client INTEGER REFERENCES clients(id),
                        kind TEXT NOT NULL CHECK (kind IN (\(kinds))),
                        category TEXT NOT NULL DEFAULT '',
                        severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
                        status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'acknowledged', 'snoozed', 'resolved')),
                        snoozed_until INTEGER,
                        resolution TEXT CHECK (resolution IN ('cleared', 'won_back', 'manual')),
                        title TEXT NOT NULL,
                        explanation TEXT NOT NULL,
                        offer TEXT,
                        value INTEGER,
                        first_seen INTEGER NOT NULL,
                        last_seen INTEGER NOT NULL CHECK (last_seen >= first_seen),
                        resolved_on INTEGER,
                        CHECK ((status = 'snoozed') = (snoozed_until IS NOT NULL)),
                        CHECK ((status = 'resolved') = (resolution IS NOT NULL))
                    );
                    CREATE UNIQUE INDEX alerts_episode ON alerts(coalesce(client, 0), kind, category, first_seen);
                    CREATE INDEX alerts_unresolved ON alerts(status) WHERE status != 'resolved';

                    -- Failures per scan, overall and by direction: the time series `trend` draws.
                    CREATE TABLE failure_stats (
                        scan_id INTEGER NOT NULL REFERENCES scans(id),
                        as_of INTEGER NOT NULL,
                        dimension TEXT NOT NULL CHECK (dimension IN ('all', 'category', 'region', 'manager', 'class')),
                        direction TEXT NOT NULL,
                        clients INTEGER NOT NULL,
                        active INTEGER NOT NULL,
                        at_risk INTEGER NOT NULL,
                        lost INTEGER NOT NULL,
                        won_back INTEGER NOT NULL,
                        new INTEGER NOT NULL,
                        became_at_risk INTEGER NOT NULL,
                        became_lost INTEGER NOT NULL,
                        came_back INTEGER NOT NULL,
                        category_drops INTEGER NOT NULL,
                        revenue_at_risk INTEGER NOT NULL,
                        PRIMARY KEY (scan_id, dimension, direction)
                    ) WITHOUT ROWID;

                    -- The latest scan's win-back list: at-risk and lost clients by what they were worth.
                    CREATE TABLE winback_list (
                        client INTEGER PRIMARY KEY REFERENCES clients(id),
                        scan_id INTEGER NOT NULL REFERENCES scans(id),
                        rank INTEGER NOT NULL CHECK (rank > 0),
                        status TEXT NOT NULL CHECK (status IN ('at_risk', 'lost')),
                        reason TEXT NOT NULL,
                        value INTEGER NOT NULL,
                        missed_cycles INTEGER,
                        offer TEXT
                    );
                    """)
        }
        migrator.registerMigration("v4: the daemon's schedule") { db in
            try db.execute(
                sql: """
                    -- The last day whose scheduled daily scan the daemon made: after a stop or a clock jump it
                    -- makes up the days after it, and never scans a day twice on schedule.
                    CREATE TABLE schedule (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        last_scheduled_day INTEGER
                    );
                    INSERT INTO schedule (id, last_scheduled_day) VALUES (1, NULL);
                    """)
        }
        migrator.registerMigration("v5: purchase models") { db in
            try db.execute(
                sql: """
                    ALTER TABLE client_states ADD COLUMN p_alive REAL CHECK (p_alive >= 0 AND p_alive <= 1);
                    ALTER TABLE client_states ADD COLUMN expected_purchases REAL;
                    ALTER TABLE client_states ADD COLUMN expected_value INTEGER;
                    ALTER TABLE client_states ADD COLUMN value_at_risk INTEGER;
                    ALTER TABLE winback_list ADD COLUMN p_alive REAL;
                    ALTER TABLE winback_list ADD COLUMN value_at_risk INTEGER;

                    -- Each scan's fits: BG/NBD (as in the literature), MBG/NBD (what p_alive comes from), Gamma-Gamma.
                    CREATE TABLE model_fits (
                        scan_id INTEGER NOT NULL REFERENCES scans(id),
                        model TEXT NOT NULL CHECK (model IN ('bgnbd', 'mbgnbd', 'gamma_gamma')),
                        parameters TEXT NOT NULL,
                        log_likelihood REAL NOT NULL,
                        clients INTEGER NOT NULL,
                        iterations INTEGER,
                        converged INTEGER NOT NULL CHECK (converged IN (0, 1)),
                        PRIMARY KEY (scan_id, model)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v6: replays, the feed, corrections, more alert kinds") { db in
            let kinds = kinds + ", 'feed_stale', 'scan_failed', 'notify_failed'"
            try db.execute(
                sql: """
                    -- A scan of a day before the latest live scan's day is a replay: it leaves the live book alone.
                    ALTER TABLE scans ADD COLUMN replay INTEGER NOT NULL DEFAULT 0 CHECK (replay IN (0, 1));
                    CREATE INDEX scans_live_as_of ON scans(as_of) WHERE replay = 0;

                    -- Lines a later export replaced with other values (the ERP's corrections).
                    ALTER TABLE imports ADD COLUMN corrected INTEGER NOT NULL DEFAULT 0 CHECK (corrected >= 0);

                    -- Client-days whose lines were corrected after they were aggregated: the next aggregation folds
                    -- them again from their lines.
                    CREATE TABLE dirty_client_days (
                        client INTEGER NOT NULL,
                        day INTEGER NOT NULL,
                        PRIMARY KEY (client, day)
                    ) WITHOUT ROWID;

                    -- The whole book per day: how many clients bought (had lines) and how many lines. What the data
                    -- covers (the last day with sales) and how long the book is ever silent are read from it.
                    CREATE TABLE book_days (
                        day INTEGER PRIMARY KEY,
                        clients INTEGER NOT NULL CHECK (clients >= 0),
                        lines INTEGER NOT NULL CHECK (lines >= 0)
                    );
                    INSERT INTO book_days (day, clients, lines)
                        SELECT day, count(*), sum(lines) FROM client_days GROUP BY day;

                    -- The silence model: each client's gap distribution in working time, how rarely a client still
                    -- buying is as silent, P(alive) and the chance of a purchase within the horizon from the same model.
                    ALTER TABLE client_states ADD COLUMN p_buy REAL CHECK (p_buy >= 0 AND p_buy <= 1);
                    ALTER TABLE client_states ADD COLUMN silence_probability REAL;
                    ALTER TABLE client_states ADD COLUMN mean_gap REAL;
                    ALTER TABLE client_states ADD COLUMN gap_variation REAL;
                    ALTER TABLE client_states ADD COLUMN season TEXT;
                    ALTER TABLE winback_list ADD COLUMN p_buy REAL;
                    CREATE TABLE model_fits_v6 (
                        scan_id INTEGER NOT NULL REFERENCES scans(id),
                        model TEXT NOT NULL CHECK (model IN ('bgnbd', 'mbgnbd', 'gamma_gamma', 'gap_prior', 'dropout')),
                        parameters TEXT NOT NULL,
                        log_likelihood REAL NOT NULL,
                        clients INTEGER NOT NULL,
                        iterations INTEGER,
                        converged INTEGER NOT NULL CHECK (converged IN (0, 1)),
                        PRIMARY KEY (scan_id, model)
                    ) WITHOUT ROWID;
                    INSERT INTO model_fits_v6 SELECT * FROM model_fits;
                    DROP TABLE model_fits;
                    ALTER TABLE model_fits_v6 RENAME TO model_fits;

                    -- New alert kinds (feed_stale, scan_failed, ...): SQLite changes a CHECK only by rebuilding.
                    CREATE TABLE alerts_v6 (
                        id INTEGER PRIMARY KEY,
                        client INTEGER REFERENCES clients(id),
                        kind TEXT NOT NULL CHECK (kind IN (\(kinds))),
                        category TEXT NOT NULL DEFAULT '',
                        severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
                        status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'acknowledged', 'snoozed', 'resolved')),
                        snoozed_until INTEGER,
                        resolution TEXT CHECK (resolution IN ('cleared', 'won_back', 'manual')),
                        title TEXT NOT NULL,
                        explanation TEXT NOT NULL,
                        offer TEXT,
                        value INTEGER,
                        first_seen INTEGER NOT NULL,
                        last_seen INTEGER NOT NULL CHECK (last_seen >= first_seen),
                        resolved_on INTEGER,
                        CHECK ((status = 'snoozed') = (snoozed_until IS NOT NULL)),
                        CHECK ((status = 'resolved') = (resolution IS NOT NULL))
                    );
                    INSERT INTO alerts_v6 SELECT id, client, kind, category, severity, status, snoozed_until, resolution,
                        title, explanation, offer, value, first_seen, last_seen, resolved_on FROM alerts;
                    DROP TABLE alerts;
                    ALTER TABLE alerts_v6 RENAME TO alerts;
                    CREATE UNIQUE INDEX alerts_episode ON alerts(coalesce(client, 0), kind, category, first_seen);
                    CREATE INDEX alerts_unresolved ON alerts(status) WHERE status != 'resolved';
                    """)
        }
        migrator.registerMigration("v7: aggregates kept by the import, client totals") { db in
            try db.execute(
                sql: """
                    -- Per client, ever: what `clients` and `client` show without reading the sales lines.
                    CREATE TABLE client_totals (
                        client INTEGER PRIMARY KEY REFERENCES clients(id),
                        lines INTEGER NOT NULL CHECK (lines >= 0),
                        documents INTEGER NOT NULL DEFAULT 0 CHECK (documents >= 0),
                        revenue INTEGER NOT NULL,
                        first_purchase INTEGER,
                        last_purchase INTEGER,
                        purchase_days INTEGER NOT NULL CHECK (purchase_days >= 0)
                    );
                    """)
            // Scans kept the aggregates up to a watermark, and folded corrected client-days again; from now on the
            // import keeps them in its own transaction. What no scan had folded yet is folded here.
            let aggregates = Aggregates(db: db)
            try aggregates.fold(salesAfter: try Int64.fetchOne(db, sql: "SELECT sales_through FROM aggregation") ?? 0)
            for row in try Row.fetchAll(db, sql: "SELECT client, day FROM dirty_client_days") {
                try aggregates.refold(client: row[0], day: row[1])
            }
            try aggregates.totalsForAll()
            // Nothing reads the lines by client any more; the index only cost every import a random write per line.
            try db.execute(sql: "DROP TABLE aggregation; DROP TABLE dirty_client_days; DROP INDEX sales_client_day")
        }
        // Immediate checks: an index needs no check of the whole database (five seconds at 10M lines).
        migrator.registerMigration("v8: the win-back list by rank", foreignKeyChecks: .immediate) { db in
            // `list --top N` reads the first N entries instead of sorting the whole list.
            try db.execute(sql: "CREATE INDEX winback_list_rank ON winback_list(rank)")
        }
        migrator.registerMigration("v9: compact client histories", foreignKeyChecks: .immediate) { db in
            try db.execute(
                sql: """
                    -- Bumped by every import that stores or corrects a line of the client (a client without a row is
                    -- at version 0).
                    CREATE TABLE client_versions (
                        client INTEGER PRIMARY KEY,
                        version INTEGER NOT NULL
                    );
                    -- Each client's whole history as one record, made by a scan from client_days and
                    -- client_day_categories at the client's version then: what the next scan reads instead of those
                    -- rows while the version is unchanged. Derived data: deleting it only slows the next scan.
                    CREATE TABLE client_histories (
                        client INTEGER PRIMARY KEY,
                        version INTEGER NOT NULL,
                        days BLOB NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v10: the win-back list's classes", foreignKeyChecks: .immediate) { db in
            // The class each entry was ranked with, kept on the list: `list` read it from the client's state, a
            // random page of a 40 MB table for each entry (a third of the command at 16,000 entries).
            try db.execute(
                sql: """
                    ALTER TABLE winback_list ADD COLUMN abc TEXT CHECK (abc IN ('A', 'B', 'C'));
                    UPDATE winback_list SET abc = (SELECT abc FROM client_states WHERE client = winback_list.client);
                    """)
        }
        migrator.registerMigration("v11: client states in two tables", foreignKeyChecks: .immediate) { db in
            // What a scan concludes about a client (status, reason, findings, classes, facts) changes for a few
            // clients a day; its day's numbers (days silent, P(alive), the book-relative share and gap fit) change
            // for nearly all. In one 45 MB table a next-day scan rewrote every row; the verdicts are now rewritten
            // only where they changed, and the 10 MB of numbers every day. `client_states` stays, as a view of the
            // two with the table's columns, for SQL run by hand and scripts (winback itself joins the tables:
            // SQLite materializes a view on the right of a LEFT JOIN).
            try db.execute(
                sql: """
                    CREATE TABLE client_verdicts (
                        client INTEGER PRIMARY KEY REFERENCES clients(id),
                        status TEXT NOT NULL CHECK (status IN ('new', 'active', 'at_risk', 'lost', 'won_back')),
                        status_since INTEGER NOT NULL,
                        reason TEXT NOT NULL,
                        abc TEXT NOT NULL CHECK (abc IN ('A', 'B', 'C')),
                        xyz TEXT CHECK (xyz IN ('X', 'Y', 'Z')),
                        variation REAL,
                        dependence TEXT NOT NULL CHECK (dependence IN ('none', 'key', 'critical', 'mono')),
                        revenue INTEGER NOT NULL,
                        margin INTEGER,
                        first_purchase INTEGER,
                        last_purchase INTEGER,
                        purchase_days INTEGER NOT NULL CHECK (purchase_days >= 0),
                        typical_interval REAL,
                        spread REAL,
                        expected_next INTEGER,
                        findings TEXT NOT NULL,
                        season TEXT,
                        -- Of the values above as the scan wrote them: a scan writes a verdict only when its digest
                        -- differs (0: never taken for current).
                        digest INTEGER NOT NULL DEFAULT 0
                    );
                    -- scan_id: the scan that last wrote anything of the client's state (its numbers are written
                    -- with its verdict).
                    CREATE TABLE client_numbers (
                        client INTEGER PRIMARY KEY REFERENCES clients(id),
                        scan_id INTEGER NOT NULL REFERENCES scans(id),
                        as_of INTEGER NOT NULL,
                        days_silent INTEGER,
                        share REAL NOT NULL CHECK (share >= 0 AND share <= 1),
                        p_alive REAL CHECK (p_alive >= 0 AND p_alive <= 1),
                        expected_purchases REAL,
                        expected_value INTEGER,
                        value_at_risk INTEGER,
                        p_buy REAL CHECK (p_buy >= 0 AND p_buy <= 1),
                        silence_probability REAL,
                        mean_gap REAL,
                        gap_variation REAL
                    );
                    INSERT INTO client_verdicts (client, status, status_since, reason, abc, xyz, variation, dependence,
                                                 revenue, margin, first_purchase, last_purchase, purchase_days,
                                                 typical_interval, spread, expected_next, findings, season)
                        SELECT client, status, status_since, reason, abc, xyz, variation, dependence, revenue, margin,
                               first_purchase, last_purchase, purchase_days, typical_interval, spread, expected_next,
                               findings, season
                        FROM client_states ORDER BY client;
                    INSERT INTO client_numbers
                        SELECT client, scan_id, as_of, days_silent, share, p_alive, expected_purchases, expected_value,
                               value_at_risk, p_buy, silence_probability, mean_gap, gap_variation
                        FROM client_states ORDER BY client;
                    DROP TABLE client_states;
                    CREATE VIEW client_states AS
                        SELECT v.client, n.scan_id, n.as_of, v.status, v.status_since, v.reason, v.abc, v.xyz,
                               v.variation, n.share, v.dependence, v.revenue, v.margin, v.first_purchase,
                               v.last_purchase, v.purchase_days, v.typical_interval, v.spread, v.expected_next,
                               n.days_silent, v.findings, n.p_alive, n.expected_purchases, n.expected_value,
                               n.value_at_risk, n.p_buy, n.silence_probability, n.mean_gap, n.gap_variation, v.season
                        FROM client_verdicts v JOIN client_numbers n ON n.client = v.client;
                    """)
        }
        return migrator
    }
}
