-- +goose Up
-- The console's dashboard (package report) reads a window of time: applicants by creation, KYC
-- documents by their last change.
CREATE INDEX applicants_env_created ON applicants (env, created_at);
CREATE INDEX kyc_documents_env_updated ON kyc_documents (env, updated_at);

-- +goose Down
DROP INDEX kyc_documents_env_updated;
DROP INDEX applicants_env_created;
