-- +goose Up
-- Decisions of the review console that need a second person (four eyes, package review): a
-- reviewer's proposal waits here until a person with the approver role, not its author, approves
-- it (and it is carried out) or refuses it. One proposal per case waits at a time; one still
-- waiting when its case is decided another way is superseded. decision is the proposal as JSON
-- (action, rejection type, message for the end user, note), which may hold personal data in its
-- texts: sealed, bound to the row.
CREATE TABLE review_proposals (
    id           TEXT PRIMARY KEY,
    env          TEXT NOT NULL CHECK (env IN ('test', 'live')),
    case_id      TEXT NOT NULL REFERENCES review_cases (id),
    decision     BYTEA NOT NULL,
    proposed_by  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'refused', 'superseded')),
    decided_by   TEXT,
    created_at   BIGINT NOT NULL,
    decided_at   BIGINT
);
CREATE UNIQUE INDEX review_proposals_pending ON review_proposals (env, case_id) WHERE status = 'pending';

-- +goose Down
DROP TABLE review_proposals;
