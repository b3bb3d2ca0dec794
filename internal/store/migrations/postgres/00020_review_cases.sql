-- +goose Up
-- The review console's queue (package review): one case per thing a person must decide, opened
-- in the transaction that put it in review and closed in the one that decided it. kind is
-- 'document' (a KYC document in pending-review) or 'screening' (a potential sanctions match);
-- subject_id is that document's or screening's id, and only one case per subject is open at a
-- time. reason says why it waits: 'sanctions', 'duplicate-face', 'duplicate' (another duplicate
-- check) or 'document'. due_at is when it becomes overdue (the level's SLA), claimed_by the person
-- working it (console_users.id) until claim_expires_at, snoozed_until hides it until then.
CREATE TABLE review_cases (
    id               TEXT PRIMARY KEY,
    env              TEXT NOT NULL CHECK (env IN ('test', 'live')),
    kind             TEXT NOT NULL CHECK (kind IN ('document', 'screening')),
    subject_id       TEXT NOT NULL,
    applicant_id     TEXT NOT NULL REFERENCES applicants (id),
    reason           TEXT NOT NULL,
    level            TEXT NOT NULL,
    priority         BIGINT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open', 'decided')),
    claimed_by       TEXT,
    claim_expires_at BIGINT,
    snoozed_until    BIGINT,
    revision         BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    due_at           BIGINT NOT NULL,
    decided_at       BIGINT
);
CREATE UNIQUE INDEX review_cases_open_subject ON review_cases (env, subject_id) WHERE status = 'open';
CREATE INDEX review_cases_queue ON review_cases (env, status, id);
CREATE INDEX review_cases_queue_reason ON review_cases (env, status, reason, id);

-- What is in review already when this migration runs becomes open cases: due a day after it
-- entered review, their ids made from their subject's (so they sort by its creation), a document's
-- reason 'document' (the check that held it is known only to decisions made from now on).
INSERT INTO review_cases (id, env, kind, subject_id, applicant_id, reason, level, priority, status, revision, created_at, due_at)
SELECT 'rvc_' || substr(d.id, 5), d.env, 'document', d.id, d.applicant_id, 'document', COALESCE(r.level, ''), 3, 'open', 1, d.updated_at, d.updated_at + 86400000000
FROM kyc_documents d LEFT JOIN kyc_requests r ON r.env = d.env AND r.id = d.request_id
WHERE d.status = 'pending-review';
INSERT INTO review_cases (id, env, kind, subject_id, applicant_id, reason, level, priority, status, revision, created_at, due_at)
SELECT 'rvc_' || substr(s.id, 5), s.env, 'screening', s.id, s.applicant_id, 'sanctions', a.level, 1, 'open', 1, s.updated_at, s.updated_at + 86400000000
FROM screenings s JOIN applicants a ON a.env = s.env AND a.id = s.applicant_id
WHERE s.disposition = 'potential-match';

-- +goose Down
DROP TABLE review_cases;
