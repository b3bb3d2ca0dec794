-- +goose Up
-- The queues of a review console list across applicants by status (requests, documents) or
-- disposition (screenings), newest or oldest first, within one environment; lists without a filter
-- page by (env, id). Ids sort by creation time.
CREATE INDEX kyc_requests_env_id ON kyc_requests (env, id);
CREATE INDEX kyc_requests_env_status ON kyc_requests (env, status, id);
CREATE INDEX kyc_documents_env_id ON kyc_documents (env, id);
CREATE INDEX kyc_documents_env_status ON kyc_documents (env, status, id);
CREATE INDEX screenings_env_id ON screenings (env, id);
CREATE INDEX screenings_env_disposition ON screenings (env, disposition, id);

-- +goose Down
DROP INDEX screenings_env_disposition;
DROP INDEX screenings_env_id;
DROP INDEX kyc_documents_env_status;
DROP INDEX kyc_documents_env_id;
DROP INDEX kyc_requests_env_status;
DROP INDEX kyc_requests_env_id;
