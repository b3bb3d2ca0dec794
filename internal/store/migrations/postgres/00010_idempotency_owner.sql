-- +goose Up
-- A claim names the process that runs it (owner) and, once the request's transaction commits, the
-- resource that it made or changed, so a retry after a crash can be answered or run again.
ALTER TABLE idempotency_keys ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE idempotency_keys ADD COLUMN resource_type TEXT NOT NULL DEFAULT '';
ALTER TABLE idempotency_keys ADD COLUMN resource_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE idempotency_keys DROP COLUMN resource_id;
ALTER TABLE idempotency_keys DROP COLUMN resource_type;
ALTER TABLE idempotency_keys DROP COLUMN owner;
