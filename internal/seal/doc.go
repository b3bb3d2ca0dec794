// Package seal owns kycd's encryption at rest: the master key, AES-256-GCM sealing of small values
// (sensitive database fields), streaming envelope encryption of large objects (document bytes), and
// subkeys derived from the master key for other uses (token signing). It uses the standard library only.
//
// # The master key
//
// LoadKey returns the 32-byte master key: from KYCD_MASTER_KEY when it is set (base64 or 64 hex
// characters), else from <data folder>/master.key, which it creates on first start (mode 0600) and
// refuses to use when group or others can read it. Losing the master key loses every sealed value and
// document: back it up apart from the data.
//
// The master key is never used directly, and it seals no value: it wraps keys (MasterKeys). From
// the installation root key (kept in the database, wrapped by the master key; for an installation
// whose master key never rotated, the master key's own bytes; New uses one key for both), HKDF-SHA256
// derives one key per use: one for small values, one for wrapping the data keys of streams, and one
// per purpose given to Derive. Purposes cannot collide with the internal uses. So rotating the master
// key changes no value, stream or derived key.
//
// # Master keys and key ids
//
// MasterKeys holds the current master key and, while a rotation runs, the previous one. A key's id
// is the first 8 bytes of HMAC-SHA256(key, "kycd key id"). Data keys and the root key are wrapped by
// AES-GCM under HKDF(master, "kycd seal data-key-wrap v1") as 0x01 | key id (8) | nonce (12) | key
// (32) | tag (16), 69 bytes; a key wrapped before ids existed is nonce | key | tag, 60 bytes, and
// opens under whichever key wraps it. New keys are wrapped under the current key only; Rewrap moves
// a key under it.
//
// # Small values
//
// Seal returns version (1 byte, 0x01) || nonce (12 random bytes) || AES-GCM ciphertext and tag. The
// caller's aad (for example table, column and row id) is authenticated, so a value copied to another
// row does not open. Random nonces keep a key safe for about 2^32 values.
//
// # Streams
//
// NewWriter and NewReader implement the STREAM construction (as in age and Tink), in constant memory:
//
//	header:  "KYCD" | version 0x01 | nonce prefix (7) | wrap nonce (12) | wrapped data key (32+16)
//	segment: AES-GCM(data key, nonce = prefix | counter (4, big-endian) | final flag (1), plaintext)
//
// Each stream has its own random data key, wrapped by AES-GCM under the wrapping key with the first
// twelve header bytes and the caller's aad as additional data. Plaintext is cut into 64 KiB segments;
// the last one (possibly empty, possibly full) carries the final flag. Reordered, swapped, altered,
// truncated or extended streams, a wrong aad and a wrong key all fail with ErrOpen, and a segment's
// plaintext is released only after its tag has been checked.
//
// # Data keys
//
// A DataKey belongs to one owner (an applicant): NewDataKey draws 32 random bytes and wraps them by
// AES-GCM under HKDF(master, "kycd seal data-key-wrap v1") as above, with the caller's aad. From
// the data key, HKDF derives its own value and stream-wrap keys ("kycd seal
// data-key value v1", "kycd seal data-key stream-wrap v1"), and it seals values and streams in the
// formats above with version 0x02 instead of 0x01, so that neither the master key's Sealer nor
// another data key opens them, and SealedUnderDataKey tells them apart. Destroying every wrapped
// copy of a data key makes all it sealed unreadable, in the database, in blobs and in backups.
package seal
