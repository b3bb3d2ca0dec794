-- +goose Up
-- An anchor is either a periodic anchor of chain heads ('anchor') or the record of a pruning
-- ('prune'): the heads it names are the ends of resource chains removed by audit retention
-- (KYCD_RETENTION_AUDIT), from which verification of what remains of each chain starts.
ALTER TABLE audit_anchors ADD COLUMN kind TEXT NOT NULL DEFAULT 'anchor' CHECK (kind IN ('anchor', 'prune'));

-- +goose Down
ALTER TABLE audit_anchors DROP COLUMN kind;
