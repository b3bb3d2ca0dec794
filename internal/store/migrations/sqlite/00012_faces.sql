-- +goose Up
-- The faces of accepted and pending identity documents (the selfie and the document's portrait),
-- as dlib's 128-d embeddings sealed like any personal data, for the duplicate-face check: a face
-- on another applicant with different identity data. seq orders them for the in-memory index,
-- which reads what other replicas added since it last looked.
CREATE TABLE face_embeddings (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    env          TEXT NOT NULL CHECK (env IN ('test', 'live')),
    document_id  TEXT NOT NULL REFERENCES kyc_documents (id),
    applicant_id TEXT NOT NULL REFERENCES applicants (id),
    file_id      TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('selfie', 'portrait')),
    embedding    BLOB NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (env, document_id, file_id)
);
CREATE INDEX face_embeddings_env_seq ON face_embeddings (env, seq);

-- +goose Down
DROP TABLE face_embeddings;
