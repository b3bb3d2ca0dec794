-- +goose Up
-- When a list version was published (0: unknown, as for OFAC files read from a folder) and when
-- kycd last confirmed it is the publisher's current one (a refresh that fetched it, or the date of
-- the bundled snapshot it came from): a list not confirmed for 30 days is reported stale.
ALTER TABLE sanctions_lists ADD COLUMN published_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sanctions_lists ADD COLUMN checked_at BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE sanctions_lists DROP COLUMN checked_at;
ALTER TABLE sanctions_lists DROP COLUMN published_at;
