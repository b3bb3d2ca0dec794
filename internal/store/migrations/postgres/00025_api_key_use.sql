-- +goose Up
-- When an API key was last used (to the minute: each process writes it at most once a minute
-- per key), so that people who manage keys see which are idle before they revoke them.
ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT;

-- +goose Down
ALTER TABLE api_keys DROP COLUMN last_used_at;
