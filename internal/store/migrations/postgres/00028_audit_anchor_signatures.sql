-- +goose Up
-- Each audit anchor's Ed25519 signature (base64url) by the installation's anchor key, derived from
-- the master key; anchors written before carry '' until kycd keys the log (Store.KeyAuditLogs).
ALTER TABLE audit_anchors ADD COLUMN signature TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE audit_anchors DROP COLUMN signature;
