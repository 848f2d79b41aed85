"""The record store's SQLite schema: one migration per version (``PRAGMA user_version``).

Each entry of :data:`MIGRATIONS` takes a store from the version before it to its
key; :class:`~evsynth.store.Store` applies the missing ones in a transaction each.
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 3


MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE records (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        source_id TEXT,
        pmid TEXT, doi TEXT, pmcid TEXT, nct_id TEXT,
        title TEXT, abstract TEXT, authors TEXT NOT NULL DEFAULT '[]',
        journal TEXT, journal_iso TEXT, year INTEGER,
        volume TEXT, issue TEXT, pages TEXT, language TEXT,
        publication_types TEXT NOT NULL DEFAULT '[]',
        mesh TEXT NOT NULL DEFAULT '[]',
        keywords TEXT NOT NULL DEFAULT '[]',
        isbn TEXT, issn TEXT, url TEXT, entry_date TEXT, record_type TEXT,
        extra TEXT NOT NULL DEFAULT '{}',
        added_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        duplicate_of INTEGER REFERENCES records(id)
    );
    CREATE UNIQUE INDEX records_source_key ON records(source, source_id)
        WHERE source_id IS NOT NULL;
    CREATE INDEX records_pmid ON records(pmid);
    CREATE INDEX records_doi ON records(doi);
    CREATE INDEX records_dup ON records(duplicate_of);

    CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        format TEXT NOT NULL,
        n_records INTEGER NOT NULL,
        imported_at TEXT NOT NULL,
        database_name TEXT
    );

    CREATE TABLE search_runs (
        id INTEGER PRIMARY KEY,
        database_name TEXT NOT NULL,
        query TEXT NOT NULL,
        query_name TEXT,
        query_translation TEXT,
        count INTEGER,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL DEFAULT 'running'
            CHECK (status IN ('running', 'complete', 'failed')),
        evsynth_version TEXT NOT NULL,
        params TEXT NOT NULL DEFAULT '{}'
    );

    CREATE TABLE search_run_ids (
        run_id INTEGER NOT NULL REFERENCES search_runs(id),
        position INTEGER NOT NULL,
        source_id TEXT NOT NULL,
        fetched INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, source_id)
    );

    CREATE TABLE record_origins (
        record_id INTEGER NOT NULL REFERENCES records(id),
        search_run_id INTEGER REFERENCES search_runs(id),
        import_id INTEGER REFERENCES imports(id),
        position INTEGER,
        CHECK ((search_run_id IS NULL) <> (import_id IS NULL))
    );
    CREATE UNIQUE INDEX record_origins_unique
        ON record_origins(record_id, COALESCE(search_run_id, -1), COALESCE(import_id, -1));

    CREATE TABLE duplicate_links (
        id INTEGER PRIMARY KEY,
        record_id INTEGER NOT NULL REFERENCES records(id),
        duplicate_of INTEGER NOT NULL REFERENCES records(id),
        rule TEXT NOT NULL,
        score REAL,
        evidence TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL
    );

    CREATE TABLE screening_decisions (
        id INTEGER PRIMARY KEY,
        record_id INTEGER NOT NULL REFERENCES records(id),
        stage TEXT NOT NULL CHECK (stage IN ('title-abstract', 'full-text')),
        decision TEXT NOT NULL CHECK (decision IN ('include', 'exclude', 'maybe')),
        reason TEXT,
        reviewer TEXT,
        decided_at TEXT NOT NULL,
        source_file TEXT
    );
    CREATE INDEX screening_record ON screening_decisions(record_id, stage);
    """,
    # 2: what a search run learnt beyond its count: the publication-date parts a
    # search over PubMed's 9,999 cap was split into, and the service's warnings.
    2: """
    ALTER TABLE search_runs ADD COLUMN details TEXT NOT NULL DEFAULT '{}'
    """,
    # 3: a person's settled dedupe pairs (``evsynth dedupe --decisions``), kept
    # apart from dedupe's own marks so that re-running dedupe never loses them.
    # Appended, never overwritten: the latest decision on a pair counts.
    3: """
    CREATE TABLE dedupe_decisions (
        id INTEGER PRIMARY KEY,
        record_a INTEGER NOT NULL REFERENCES records(id),
        record_b INTEGER NOT NULL REFERENCES records(id),
        decision TEXT NOT NULL CHECK (decision IN ('merge', 'apart')),
        reviewer TEXT,
        decided_at TEXT NOT NULL,
        source_file TEXT,
        note TEXT,
        CHECK (record_a < record_b)
    );
    CREATE INDEX dedupe_decisions_pair ON dedupe_decisions(record_a, record_b);
    """,
}


def build_schema(conn: sqlite3.Connection) -> None:
    """Every migration in one transaction: the schema of a new store (``isolation_level=None``)."""
    conn.execute("BEGIN IMMEDIATE")
    for target in range(1, SCHEMA_VERSION + 1):
        for statement in MIGRATIONS[target].split(";"):
            if statement.strip():
                conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.execute("COMMIT")
