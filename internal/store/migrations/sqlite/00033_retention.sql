-- +goose Up
-- Retention (issue 17): the daily retention job deletes the image (blob) of a file whose
-- applicant has been inactive longer than KYCD_RETENTION_IMAGES; the file's row (type, size,
-- times) stays, and blob_deleted_at says when its bytes went, so that its content answers 410.
ALTER TABLE files ADD COLUMN blob_deleted_at BIGINT;

-- The job's batches (store/retention.go): the applicants not erased, oldest update first; for
-- each, whether anything of theirs changed since the cutoff (an applicant's last activity), one
-- index probe per table; and the events whose payload is still there, oldest first.
CREATE INDEX applicants_retention ON applicants (updated_at) WHERE erased_at IS NULL;
CREATE INDEX kyc_documents_activity ON kyc_documents (env, applicant_id, updated_at);
CREATE INDEX kyc_requests_activity ON kyc_requests (env, applicant_id, updated_at);
CREATE INDEX screenings_activity ON screenings (env, applicant_id, updated_at);
CREATE INDEX shares_activity ON shares (env, applicant_id, updated_at);
CREATE INDEX files_activity ON files (env, applicant_id, created_at);
CREATE INDEX events_payload_kept ON events (created_at) WHERE length(payload) > 0;
-- The applicants under a legal hold, whose events keep their payloads: few, found at once.
CREATE INDEX applicants_held ON applicants (id) WHERE legal_hold IS NOT NULL;

-- +goose Down
DROP INDEX applicants_held;
DROP INDEX events_payload_kept;
DROP INDEX files_activity;
DROP INDEX shares_activity;
DROP INDEX screenings_activity;
DROP INDEX kyc_requests_activity;
DROP INDEX kyc_documents_activity;
DROP INDEX applicants_retention;
ALTER TABLE files DROP COLUMN blob_deleted_at;
