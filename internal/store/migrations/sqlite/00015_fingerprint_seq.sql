-- +goose Up
-- The duplicate-image check keeps the perceptual hashes of an environment in memory and reads
-- only those added since it last looked, in rowid order: SQLite's single writer gives each new row
-- a rowid above every committed one, and this index holds (env, kind, rowid) in that order.
CREATE INDEX document_fingerprints_env_kind_seq ON document_fingerprints (env, kind);

-- +goose Down
DROP INDEX document_fingerprints_env_kind_seq;
