-- +goose Up
-- The keyring (issue 17, master key rotation): the installation's own keys, each wrapped by the
-- master key whose id (seal.KeyID, hex) is kek_id. One row today: 'root', the installation root
-- key, from which values, streams and derived keys (audit chain, blind index, tokens...) come, so
-- that the master key can rotate without changing them. kycd writes it at first start; kycd keys
-- rotate wraps it under the new master key (rotated_at, microseconds since the epoch).
CREATE TABLE keyring (
    name       TEXT PRIMARY KEY,
    kek_id     TEXT NOT NULL,
    wrapped    BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    rotated_at INTEGER
);

-- +goose Down
DROP TABLE keyring;
