-- +goose Up
-- Erasure (issue 17): an erased applicant keeps its row (ids, status, level, times: the
-- compliance trail) with erased_at set, no data key and no data. A legal hold (its reason, and
-- when it was placed) refuses erasure until it is lifted.
ALTER TABLE applicants ADD COLUMN erased_at BIGINT;
ALTER TABLE applicants ADD COLUMN legal_hold TEXT;
ALTER TABLE applicants ADD COLUMN legal_hold_at BIGINT;

-- The erasure asked of each applicant: scheduled (waiting for due_at, KYCD_ERASURE_DELAY),
-- cancelled, or erased with its signed receipt (JSON, no personal data). blobs_purged_at is when
-- the job deleted the applicant's file blobs, which their destroyed key made unreadable already.
CREATE TABLE applicant_erasures (
    env             TEXT NOT NULL CHECK (env IN ('test', 'live')),
    applicant_id    TEXT NOT NULL REFERENCES applicants (id),
    status          TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled', 'erased')),
    requested_by    TEXT NOT NULL,
    requested_at    BIGINT NOT NULL,
    due_at          BIGINT NOT NULL,
    cancelled_at    BIGINT,
    erased_at       BIGINT,
    blobs_purged_at BIGINT,
    receipt         BYTEA,
    PRIMARY KEY (env, applicant_id)
);
CREATE INDEX applicant_erasures_due ON applicant_erasures (due_at) WHERE status = 'scheduled';
CREATE INDEX applicant_erasures_unpurged ON applicant_erasures (erased_at) WHERE status = 'erased' AND blobs_purged_at IS NULL;

-- The data-key mover (00030) skips erased applicants, which have no key on purpose.
DROP INDEX applicants_without_key;
CREATE INDEX applicants_without_key ON applicants (env) WHERE data_key IS NULL AND erased_at IS NULL;

-- +goose Down
DROP INDEX applicants_without_key;
CREATE INDEX applicants_without_key ON applicants (env) WHERE data_key IS NULL;
DROP TABLE applicant_erasures;
ALTER TABLE applicants DROP COLUMN legal_hold_at;
ALTER TABLE applicants DROP COLUMN legal_hold;
ALTER TABLE applicants DROP COLUMN erased_at;
