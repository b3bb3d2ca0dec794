-- +goose Up
-- Times are Unix microseconds (BIGINT) in both dialects, so comparisons and ordering behave the same.
-- Columns holding personal data (data, identification, response_body) are sealed with AES-256-GCM.
CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    env         TEXT NOT NULL CHECK (env IN ('test', 'live')),
    name        TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE,
    hint        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE applicants (
    id          TEXT PRIMARY KEY,
    env         TEXT NOT NULL CHECK (env IN ('test', 'live')),
    external_id TEXT,
    type        TEXT NOT NULL,
    status      TEXT NOT NULL,
    level       TEXT NOT NULL,
    data        BLOB NOT NULL,
    revision    BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX applicants_env_id ON applicants (env, id);
CREATE UNIQUE INDEX applicants_env_external_id ON applicants (env, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX applicants_env_status ON applicants (env, status, id);

CREATE TABLE files (
    id           TEXT PRIMARY KEY,
    env          TEXT NOT NULL CHECK (env IN ('test', 'live')),
    applicant_id TEXT NOT NULL REFERENCES applicants (id),
    tag          TEXT NOT NULL,
    mime         TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    blob_key     TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX files_env_applicant ON files (env, applicant_id, id);

CREATE TABLE kyc_requests (
    id              TEXT PRIMARY KEY,
    env             TEXT NOT NULL CHECK (env IN ('test', 'live')),
    applicant_id    TEXT NOT NULL REFERENCES applicants (id),
    status          TEXT NOT NULL,
    documents       TEXT NOT NULL,
    reason          TEXT NOT NULL,
    redirect_url    TEXT NOT NULL,
    match_level     INTEGER NOT NULL,
    level           TEXT NOT NULL,
    revision        BIGINT NOT NULL,
    expiration_time BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX kyc_requests_env_applicant ON kyc_requests (env, applicant_id, id);
CREATE INDEX kyc_requests_status_expiration ON kyc_requests (status, expiration_time);

CREATE TABLE kyc_documents (
    id                TEXT PRIMARY KEY,
    env               TEXT NOT NULL CHECK (env IN ('test', 'live')),
    applicant_id      TEXT NOT NULL REFERENCES applicants (id),
    request_id        TEXT REFERENCES kyc_requests (id),
    type              TEXT NOT NULL,
    subtype           TEXT NOT NULL,
    file_ids          TEXT NOT NULL,
    identification    BLOB,
    status            TEXT NOT NULL,
    score             INTEGER,
    check_list        TEXT,
    rejection_type    TEXT NOT NULL,
    rejection_message TEXT NOT NULL,
    revision          BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX kyc_documents_env_applicant ON kyc_documents (env, applicant_id, id);

CREATE TABLE idempotency_keys (
    env           TEXT NOT NULL,
    idem_key      TEXT NOT NULL,
    method        TEXT NOT NULL,
    path          TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status_code   INTEGER NOT NULL,
    response_body BLOB,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (env, idem_key)
);

CREATE TABLE audit_heads (
    env  TEXT PRIMARY KEY,
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_heads (env, seq, hash) VALUES ('test', 0, ''), ('live', 0, '');

CREATE TABLE audit_log (
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
CREATE INDEX audit_log_resource ON audit_log (env, resource_id, seq);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE audit_heads;
DROP TABLE idempotency_keys;
DROP TABLE kyc_documents;
DROP TABLE kyc_requests;
DROP TABLE files;
DROP TABLE applicants;
DROP TABLE api_keys;
