-- +goose Up
-- Notes people write on review cases (package review), for the case file: who wrote what, when.
-- The text may name the person under review: sealed, bound to the row. They are listed by
-- applicant, across their cases.
CREATE TABLE review_notes (
    id           TEXT PRIMARY KEY,
    env          TEXT NOT NULL CHECK (env IN ('test', 'live')),
    case_id      TEXT NOT NULL REFERENCES review_cases (id),
    applicant_id TEXT NOT NULL REFERENCES applicants (id),
    author       TEXT NOT NULL,
    body         BLOB NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX review_notes_applicant ON review_notes (env, applicant_id, id);

-- +goose Down
DROP TABLE review_notes;
