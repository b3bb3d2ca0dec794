-- +goose Up
-- Every decision transaction reads the documents of the document's request (env, request_id):
-- without this index that read scanned all of the environment's documents.
CREATE INDEX kyc_documents_env_request ON kyc_documents (env, request_id, id);

-- +goose Down
DROP INDEX kyc_documents_env_request;
