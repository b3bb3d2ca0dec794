-- +goose Up
-- What an end user has staged in the hosted flow or the app but not yet submitted (package
-- gather's Draft), one per applicant: its JSON sealed like any personal data, bound to the row.
-- version counts the draft's writes; a write names the version it read (compare and swap), so two
-- replicas changing one draft at once cannot lose one another's change, without a lock held while
-- files are uploaded. The draft that a submit changes is written in the transaction that creates
-- its documents. Drafts written before this migration were blobs (drafts/<env>/<applicant id>);
-- gather reads such a blob once when the applicant has no row, and moves it here.
CREATE TABLE drafts (
    env          TEXT NOT NULL CHECK (env IN ('test', 'live')),
    applicant_id TEXT NOT NULL REFERENCES applicants (id),
    version      BIGINT NOT NULL CHECK (version > 0),
    data         BLOB NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (env, applicant_id)
);

-- +goose Down
DROP TABLE drafts;
