-- +goose Up
-- /metrics reads, at every scrape, how many webhook deliveries are pending and the oldest one's
-- creation (webhook.Repository.PendingDeliveries: count(*) and min(created_at) of status
-- 'pending' by env). No index led with status, so each scrape read the whole delivery log. This
-- partial index holds the pending deliveries only (the head of each unfinished chain): its size is
-- the backlog's, and it answers the query alone.
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (env, created_at) WHERE status = 'pending';

-- +goose Down
DROP INDEX webhook_deliveries_pending;
