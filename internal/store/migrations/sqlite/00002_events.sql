-- +goose Up
-- Events: what happened, with a snapshot of the resource at that revision (sealed: it holds
-- personal data). Written in the same transaction as the change; webhooks deliver them.
CREATE TABLE events (
    id            TEXT PRIMARY KEY,
    env           TEXT NOT NULL CHECK (env IN ('test', 'live')),
    type          TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    revision      BIGINT NOT NULL,
    payload       BLOB NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX events_env_id ON events (env, id);
CREATE INDEX events_env_resource ON events (env, resource_id, revision);

-- +goose Down
DROP TABLE events;
