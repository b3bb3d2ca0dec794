-- +goose Up
-- The review console's audit page lists one person's entries (everything they did and saw),
-- newest first; its case page lists the webhook deliveries of a case's events.
CREATE INDEX audit_log_actor ON audit_log (env, actor, id);
CREATE INDEX webhook_deliveries_env_event ON webhook_deliveries (env, event_id, id);

-- +goose Down
DROP INDEX webhook_deliveries_env_event;
DROP INDEX audit_log_actor;
