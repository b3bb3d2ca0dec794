-- +goose Up
-- Webhooks: subscriptions (where an environment's events go) and deliveries (one per event and
-- subscription, worked by a River job). A subscription's signing secrets are sealed. A delivery
-- keeps the exact body it sends, sealed (it holds the resource snapshot), so every retry sends the
-- same bytes. Deliveries of one subscription about one resource form a chain ordered by seq: only
-- the oldest unfinished one has a job; finishing it queues the next (internal/store/webhooks.go).
CREATE TABLE webhooks (
    id              TEXT PRIMARY KEY,
    env             TEXT NOT NULL CHECK (env IN ('test', 'live')),
    url             TEXT NOT NULL,
    description     TEXT NOT NULL,
    event_types     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('enabled', 'disabled')),
    disabled_reason TEXT NOT NULL,
    secrets         BLOB NOT NULL,
    failing_since   BIGINT,
    revision        BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX webhooks_env_id ON webhooks (env, id);
CREATE INDEX webhooks_env_status ON webhooks (env, status);

CREATE TABLE webhook_deliveries (
    seq              INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    env              TEXT NOT NULL CHECK (env IN ('test', 'live')),
    webhook_id       TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id         TEXT NOT NULL REFERENCES events (id),
    event_type       TEXT NOT NULL,
    resource_id      TEXT NOT NULL,
    revision         BIGINT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('waiting', 'pending', 'succeeded', 'failed')),
    body             BLOB NOT NULL,
    attempts         INTEGER NOT NULL,
    last_status_code INTEGER NOT NULL,
    last_error       TEXT NOT NULL,
    last_response    BLOB,
    last_duration_us BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    last_attempt_at  BIGINT,
    next_attempt_at  BIGINT,
    completed_at     BIGINT
);
CREATE INDEX webhook_deliveries_chain ON webhook_deliveries (webhook_id, resource_id, seq);
CREATE INDEX webhook_deliveries_env_webhook ON webhook_deliveries (env, webhook_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
