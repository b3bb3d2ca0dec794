-- +goose Up
-- Each applicant's own data key, wrapped by the master key (seal.Sealer.NewWrappedKey): the
-- applicant's personal data (the data column) is sealed under it, so that destroying this value
-- makes every copy of that data unreadable. NULL for applicants written before, whose data stays
-- sealed under the master key until kycd moves it (Store.MoveApplicantsUnderTheirKeys).
ALTER TABLE applicants ADD COLUMN data_key BLOB;
-- The applicants still to move: the mover's batches read this index, empty once all have moved.
CREATE INDEX applicants_without_key ON applicants (env) WHERE data_key IS NULL;

-- +goose Down
DROP INDEX applicants_without_key;
ALTER TABLE applicants DROP COLUMN data_key;
