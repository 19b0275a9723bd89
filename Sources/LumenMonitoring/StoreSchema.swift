import GRDB

/// The store's tables, one registered migration per schema version (never edited once shipped:
/// a new version is a new migration).
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: answers and feedback") { db in
            try db.execute(
                sql: """
                    CREATE TABLE answer (
                        id TEXT PRIMARY KEY NOT NULL,
                        time REAL NOT NULL,
                        route TEXT NOT NULL,
                        caller TEXT NOT NULL,
                        model TEXT NOT NULL,
                        version TEXT,
                        kind TEXT NOT NULL,
                        label TEXT,
                        confidence REAL,
                        prediction TEXT NOT NULL,
                        answered INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX answer_model_time ON answer (model, time);
                    CREATE INDEX answer_time ON answer (time);
                    CREATE TABLE feedback (
                        id TEXT PRIMARY KEY NOT NULL REFERENCES answer (id) ON DELETE CASCADE,
                        time REAL NOT NULL,
                        model TEXT NOT NULL,
                        label TEXT,
                        item TEXT,
                        rating REAL,
                        correct INTEGER,
                        absolute_error REAL
                    );
                    CREATE INDEX feedback_model ON feedback (model);
                    """
            )
        }
        migrator.registerMigration("v2: drift checks") { db in
            try db.execute(
                sql: """
                    CREATE TABLE drift_check (
                        id TEXT PRIMARY KEY NOT NULL,
                        time REAL NOT NULL,
                        reference TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        report TEXT NOT NULL
                    );
                    CREATE INDEX drift_check_latest ON drift_check (reference, kind, time);
                    """
            )
        }
        migrator.registerMigration("v3: observed features") { db in
            try db.execute(sql: "ALTER TABLE answer ADD COLUMN features TEXT")
        }
        return migrator
    }
}
