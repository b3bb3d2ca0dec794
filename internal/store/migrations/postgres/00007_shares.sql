-- +goose Up
-- Shares: an applicant's KYC sent to one partner (internal/share). request_no is kycd's
-- idempotency key towards the partner, the same on every retry; reference is the partner's id for
-- it, found again by callbacks. data is sealed: options, the partner's message and last error, and
-- the steps already done (uploaded file ids), so a retry never repeats a step the partner took.
CREATE TABLE shares (
    id                 TEXT PRIMARY KEY,
    env                TEXT NOT NULL CHECK (env IN ('test', 'live')),
    applicant_id       TEXT NOT NULL REFERENCES applicants (id),
    partner            TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('queued', 'submitted', 'approved', 'rejected', 'needs-info', 'failed')),
    mode               TEXT NOT NULL,
    request_no         TEXT NOT NULL,
    reference          TEXT NOT NULL,
    attempts           INTEGER NOT NULL,
    applicant_revision BIGINT NOT NULL,
    data               BYTEA NOT NULL,
    revision           BIGINT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE UNIQUE INDEX shares_partner_request_no ON shares (partner, request_no);
CREATE INDEX shares_partner_reference ON shares (partner, reference);
CREATE INDEX shares_env_applicant ON shares (env, applicant_id, id);

-- +goose Down
DROP TABLE shares;
