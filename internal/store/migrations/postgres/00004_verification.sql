-- +goose Up
-- What the checks found and decided, and a person's review. parsed_data is sealed (it holds what
-- was read from the document: names, dates of birth).
ALTER TABLE kyc_documents ADD COLUMN parsed_data BYTEA;
ALTER TABLE kyc_documents ADD COLUMN decision TEXT;
ALTER TABLE kyc_documents ADD COLUMN review TEXT;

-- Fingerprints find duplicates across applicants without a plain-text index: document numbers are
-- stored as keyed HMACs (a blind index), files as their SHA-256 and perceptual hash.
CREATE TABLE document_fingerprints (
    env          TEXT NOT NULL CHECK (env IN ('test', 'live')),
    kind         TEXT NOT NULL,
    value        TEXT NOT NULL,
    document_id  TEXT NOT NULL REFERENCES kyc_documents (id),
    applicant_id TEXT NOT NULL REFERENCES applicants (id),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (env, kind, value, document_id)
);
CREATE INDEX document_fingerprints_kind ON document_fingerprints (env, kind, applicant_id);

-- +goose Down
DROP TABLE document_fingerprints;
ALTER TABLE kyc_documents DROP COLUMN review;
ALTER TABLE kyc_documents DROP COLUMN decision;
ALTER TABLE kyc_documents DROP COLUMN parsed_data;
