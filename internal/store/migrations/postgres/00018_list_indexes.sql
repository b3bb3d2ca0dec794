-- +goose Up
-- The list endpoints page newest (or oldest) first by id within an environment. A filter the index
-- does not bound walked the environment's rows in id order until a page was full: KYC requests by
-- level, events by type, and events of one resource (whose index ran by revision, so the rows
-- found were also sorted). And every decision reads the document types the applicant had
-- accepted before (env, applicant_id, status = 'accepted'), which SQLite answered through
-- (env, status): every accepted document of the environment. TestListsAndTheDecisionUseIndexes
-- EXPLAINs every list and every statement of a decision; the figures before and after are in
-- bench/README.md ("Store at 100k rows").
CREATE INDEX kyc_requests_env_level ON kyc_requests (env, level, id);
CREATE INDEX events_env_type ON events (env, type, id);
CREATE INDEX events_env_resource_id ON events (env, resource_id, id);
DROP INDEX events_env_resource;
CREATE INDEX kyc_documents_env_applicant_status ON kyc_documents (env, applicant_id, status, type);

-- +goose Down
DROP INDEX kyc_documents_env_applicant_status;
CREATE INDEX events_env_resource ON events (env, resource_id, revision);
DROP INDEX events_env_resource_id;
DROP INDEX events_env_type;
DROP INDEX kyc_requests_env_level;
