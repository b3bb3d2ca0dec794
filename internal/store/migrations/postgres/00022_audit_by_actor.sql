-- +goose Up
-- The review console's audit page lists one person's entries (everything they did and saw),
-- newest first.
CREATE INDEX audit_log_actor ON audit_log (env, actor, id);

-- +goose Down
DROP INDEX audit_log_actor;
