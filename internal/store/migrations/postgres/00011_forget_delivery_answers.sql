-- +goose Up
-- Deliveries logged before webhooks were limited to public addresses kept up to 1 KiB of each
-- answer, whoever answered: a test webhook pointed at a local service kept that service's answer,
-- readable through GET /v1/webhooks/{id}/deliveries. Those answers are forgotten; new ones keep a
-- short excerpt, and only from public addresses.
UPDATE webhook_deliveries SET last_response = NULL WHERE last_response IS NOT NULL;

-- +goose Down
SELECT 1;
