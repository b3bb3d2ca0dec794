-- +goose Up
-- The applicant an event, and each delivery of it, belongs to (NULL: none, such as a webhook's
-- events): an applicant's event payloads and webhook bodies are sealed under that applicant's data
-- key (00030), and erasure finds them by it. Rows written before are backfilled from the event's
-- resource; their payloads and bodies stay sealed under the master key, which still opens them.
ALTER TABLE events ADD COLUMN applicant_id TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN applicant_id TEXT;
UPDATE events SET applicant_id = CASE resource_type
    WHEN 'applicant' THEN resource_id
    WHEN 'file' THEN (SELECT r.applicant_id FROM files r WHERE r.env = events.env AND r.id = events.resource_id)
    WHEN 'kyc-document' THEN (SELECT r.applicant_id FROM kyc_documents r WHERE r.env = events.env AND r.id = events.resource_id)
    WHEN 'kyc-request' THEN (SELECT r.applicant_id FROM kyc_requests r WHERE r.env = events.env AND r.id = events.resource_id)
    WHEN 'screening' THEN (SELECT r.applicant_id FROM screenings r WHERE r.env = events.env AND r.id = events.resource_id)
    WHEN 'share' THEN (SELECT r.applicant_id FROM shares r WHERE r.env = events.env AND r.id = events.resource_id)
    END
WHERE resource_type IN ('applicant', 'file', 'kyc-document', 'kyc-request', 'screening', 'share');
UPDATE webhook_deliveries SET applicant_id = (SELECT e.applicant_id FROM events e WHERE e.id = webhook_deliveries.event_id);
CREATE INDEX events_env_applicant ON events (env, applicant_id) WHERE applicant_id IS NOT NULL;
CREATE INDEX webhook_deliveries_env_applicant ON webhook_deliveries (env, applicant_id) WHERE applicant_id IS NOT NULL;

-- +goose Down
DROP INDEX webhook_deliveries_env_applicant;
DROP INDEX events_env_applicant;
ALTER TABLE webhook_deliveries DROP COLUMN applicant_id;
ALTER TABLE events DROP COLUMN applicant_id;
