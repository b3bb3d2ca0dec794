-- +goose Up
-- Sanctions lists: the current version of each list (hash of its files, entry count) and its
-- entries, each as the matcher's JSON with a hash that says when the entry changed. An import
-- replaces a list's rows in one transaction, so every replica reads either the old list or the new.
CREATE TABLE sanctions_lists (
    list        TEXT PRIMARY KEY,
    version     TEXT NOT NULL,
    entry_count BIGINT NOT NULL,
    source      TEXT NOT NULL,
    imported_at BIGINT NOT NULL
);

CREATE TABLE sanctions_entries (
    list     TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    hash     TEXT NOT NULL,
    data     TEXT NOT NULL,
    PRIMARY KEY (list, entry_id)
);

-- Screenings of applicants. hits and lists are JSON (list data, public); the applicant's name is
-- not stored here.
CREATE TABLE screenings (
    id           TEXT PRIMARY KEY,
    env          TEXT NOT NULL CHECK (env IN ('test', 'live')),
    applicant_id TEXT NOT NULL REFERENCES applicants (id),
    reason       TEXT NOT NULL,
    disposition  TEXT NOT NULL CHECK (disposition IN ('clear', 'potential-match', 'confirmed', 'false-positive')),
    threshold    DOUBLE PRECISION NOT NULL,
    hits         TEXT NOT NULL,
    lists        TEXT NOT NULL,
    review       TEXT,
    revision     BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX screenings_env_applicant ON screenings (env, applicant_id, id);

-- A reviewer's false-positive, per applicant and list entry: the same hit is not raised again
-- while the entry's hash stays the same.
CREATE TABLE screening_false_positives (
    env          TEXT NOT NULL CHECK (env IN ('test', 'live')),
    applicant_id TEXT NOT NULL REFERENCES applicants (id),
    list         TEXT NOT NULL,
    entry_id     TEXT NOT NULL,
    entry_hash   TEXT NOT NULL,
    screening_id TEXT NOT NULL REFERENCES screenings (id),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (env, applicant_id, list, entry_id)
);

-- +goose Down
DROP TABLE screening_false_positives;
DROP TABLE screenings;
DROP TABLE sanctions_entries;
DROP TABLE sanctions_lists;
