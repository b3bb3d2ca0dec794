-- +goose Up
-- Applicant tokens and gatherer links are signed, not stored; revoking them means refusing every
-- one of an applicant issued until a time. One row per applicant that ever had its tokens revoked;
-- it holds no personal data.
CREATE TABLE token_revocations (
    env          TEXT NOT NULL,
    applicant_id TEXT NOT NULL,
    -- not_before: tokens issued at or before this time (Unix milliseconds) are refused.
    not_before   BIGINT NOT NULL,
    PRIMARY KEY (env, applicant_id)
);

-- +goose Down
DROP TABLE token_revocations;
