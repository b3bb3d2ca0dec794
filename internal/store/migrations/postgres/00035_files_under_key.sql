-- +goose Up
-- Whether a file's bytes are sealed under its applicant's data key, as kycd writes them since
-- files had keys; those stored before are moved under it by the mover job
-- (file.Service.MoveUnderKeys), which the partial index serves.
ALTER TABLE files ADD COLUMN under_data_key BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX files_to_move ON files (env) WHERE under_data_key = FALSE;

-- +goose Down
DROP INDEX files_to_move;
ALTER TABLE files DROP COLUMN under_data_key;
