-- +goose Up
-- Liveness challenges of the hosted flow (package face/liveness): the nonce and moves a selfie
-- screen asked for, its time window, when its frames were received (used_at: a nonce is answered
-- once, by the UPDATE that sets it), the outcome (sealed JSON, the checks' measurements) and the
-- selfie file the challenge's first frame became, which verification looks up by file.
CREATE TABLE liveness_sessions (
    id             TEXT PRIMARY KEY,
    env            TEXT NOT NULL CHECK (env IN ('test', 'live')),
    request_id     TEXT NOT NULL REFERENCES kyc_requests (id),
    applicant_id   TEXT NOT NULL REFERENCES applicants (id),
    nonce          TEXT NOT NULL UNIQUE,
    moves          TEXT NOT NULL,
    issued_at      BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT,
    result         BLOB,
    selfie_file_id TEXT,
    UNIQUE (env, selfie_file_id)
);
CREATE INDEX liveness_sessions_request ON liveness_sessions (env, request_id, issued_at);

-- +goose Down
DROP TABLE liveness_sessions;
