-- +goose Up
-- What an API key may do, as space-separated scopes (auth.ParseScopes). Keys made before scopes
-- existed keep what they could do: read and write every resource. Managing API keys is a scope of
-- its own (api-keys:read, api-keys:write) that no existing key is given.
ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT 'read write';

-- +goose Down
ALTER TABLE api_keys DROP COLUMN scopes;
