-- +goose Up
-- Audit without a global row lock (issue 15, item 4); see the PostgreSQL migration of the same
-- number for the design. SQLite cannot change a primary key in place, so audit_log is rebuilt with
-- id as its INTEGER PRIMARY KEY (AUTOINCREMENT: an id is never reused, even after a deletion), the
-- legacy entries copied in seq order.
CREATE TABLE audit_log_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    env           TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL,
    legacy        INTEGER NOT NULL DEFAULT 0
);
INSERT INTO audit_log_new (env, seq, actor, action, resource_type, resource_id, created_at, prev_hash, hash, legacy)
  SELECT env, seq, actor, action, resource_type, resource_id, created_at, prev_hash, hash, 1 FROM audit_log ORDER BY seq, env;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE UNIQUE INDEX audit_log_legacy_seq ON audit_log (env, seq) WHERE legacy = 1;
CREATE UNIQUE INDEX audit_log_chain ON audit_log (env, resource_type, resource_id, seq) WHERE legacy = 0;
CREATE INDEX audit_log_resource ON audit_log (env, resource_id, id);

CREATE TABLE audit_resource_heads (
    env           TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    hash          TEXT NOT NULL,
    anchored_seq  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (env, resource_type, resource_id)
);
CREATE INDEX audit_resource_heads_unanchored ON audit_resource_heads (env) WHERE seq > anchored_seq;
INSERT INTO audit_resource_heads (env, resource_type, resource_id, seq, hash)
  SELECT env, 'audit.legacy', '', seq, hash FROM audit_heads WHERE seq > 0;
DROP TABLE audit_heads;

CREATE TABLE audit_anchors (
    env        TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    PRIMARY KEY (env, seq)
);
CREATE TABLE audit_anchor_heads (
    env           TEXT NOT NULL,
    anchor_seq    BIGINT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    hash          TEXT NOT NULL,
    PRIMARY KEY (env, anchor_seq, resource_type, resource_id)
);

-- +goose Down
-- Entries written after the Up have no place in one global chain: going down is refused while any
-- exists (the CHECK fails), rather than dropping audit entries.
CREATE TEMP TABLE audit_down_guard (per_resource_entries INTEGER CHECK (per_resource_entries = 0));
INSERT INTO audit_down_guard SELECT COUNT(*) FROM audit_log WHERE legacy = 0;
DROP TABLE audit_down_guard;
DROP TABLE audit_anchor_heads;
DROP TABLE audit_anchors;
CREATE TABLE audit_heads (
    env  TEXT PRIMARY KEY,
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_heads (env, seq, hash) VALUES ('test', 0, ''), ('live', 0, '');
UPDATE audit_heads SET (seq, hash) = (SELECT r.seq, r.hash FROM audit_resource_heads r
  WHERE r.env = audit_heads.env AND r.resource_type = 'audit.legacy' AND r.resource_id = '')
  WHERE EXISTS (SELECT 1 FROM audit_resource_heads r WHERE r.env = audit_heads.env AND r.resource_type = 'audit.legacy');
DROP TABLE audit_resource_heads;
CREATE TABLE audit_log_old (
    env           TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL,
    PRIMARY KEY (env, seq)
);
INSERT INTO audit_log_old SELECT env, seq, actor, action, resource_type, resource_id, created_at, prev_hash, hash FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_old RENAME TO audit_log;
CREATE INDEX audit_log_resource ON audit_log (env, resource_id, seq);
