package store

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kycd/internal/kyc"
)

// keyedPrefix marks a keyed hash (HMAC-SHA256), so that a keyed chain tells an unkeyed hash put
// in its place from a changed one.
const keyedPrefix = "k1:"

// auditKeys key the audit log's hashes and sign its anchors; both keys are derived from the master
// key for these purposes only. The zero value keys nothing (a store whose sealer derives no keys).
type auditKeys struct {
	mac    []byte
	signer ed25519.PrivateKey
}

// deriver is what a sealer that derives keys for other purposes offers (*seal.Sealer does).
type deriver interface{ Derive(purpose string) []byte }

func newAuditKeys(sealer Sealer) auditKeys {
	d, ok := sealer.(deriver)
	if !ok {
		return auditKeys{}
	}
	return auditKeys{mac: d.Derive("audit-chain"), signer: ed25519.NewKeyFromSeed(d.Derive("audit-anchor-signing"))}
}

func (k auditKeys) keyed() bool { return k.mac != nil }

// auditKeyedIn says whether env's audit log is written and checked keyed: on a keyed store, unless
// KeyAuditLogs found it changed before it could be keyed.
func (s *Store) auditKeyedIn(env kyc.Env) bool {
	if !s.audit.keyed() {
		return false
	}
	_, unkeyed := s.auditUnkeyed.Load(env)
	return !unkeyed
}

// hash is the keyed hash of fields (keyedPrefix + hex HMAC-SHA256), or their plain SHA-256 (hex)
// when keyed is false.
func (k auditKeys) hash(keyed bool, fields ...string) string {
	if !keyed {
		return hashFields(fields...)
	}
	m := hmac.New(sha256.New, k.mac)
	for _, f := range fields {
		m.Write([]byte(f))
		m.Write([]byte{0})
	}
	return keyedPrefix + hex.EncodeToString(m.Sum(nil))
}

func (k auditKeys) entryHash(r AuditRecord, keyed bool) string {
	return k.hash(keyed, auditFields(r)...)
}

// anchorMessage is what an anchor's signature signs: its environment, number and hash.
func anchorMessage(env kyc.Env, seq int64, hash string) []byte {
	return []byte("kycd audit anchor\x00" + string(env) + "\x00" + strconv.FormatInt(seq, 10) + "\x00" + hash)
}

// sign signs an anchor (base64url Ed25519), or returns "" on an unkeyed store.
func (k auditKeys) sign(env kyc.Env, seq int64, hash string) string {
	if k.signer == nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(ed25519.Sign(k.signer, anchorMessage(env, seq, hash)))
}

func (k auditKeys) verify(env kyc.Env, seq int64, hash, signature string) bool {
	sig, err := base64.RawURLEncoding.DecodeString(signature)
	return err == nil && k.signer != nil && ed25519.Verify(k.signer.Public().(ed25519.PublicKey), anchorMessage(env, seq, hash), sig)
}

// notKeyed adds to a verification error that the hash is not keyed, when a keyed one was expected.
func notKeyed(keyed bool, hash string) string {
	if keyed && !strings.HasPrefix(hash, keyedPrefix) {
		return ": the hash is not keyed"
	}
	return ""
}

// AuditHead is an environment's newest audit anchor, signed: exported and kept apart from the
// database (`kycd audit head`), it lets VerifyAuditHead show later that the log still holds it.
type AuditHead struct {
	Env         kyc.Env   `json:"environment"`
	Seq         int64     `json:"seq"`
	CreatedTime time.Time `json:"createdTime"`
	Hash        string    `json:"hash"`
	// Signature is the anchor's Ed25519 signature (base64url) by PublicKey.
	Signature string `json:"signature"`
	// PublicKey is the installation's anchor signing key (base64url), derived from the master key.
	PublicKey string `json:"publicKey"`
}

// ErrNoAnchor is AuditHeadOf's answer for an environment with no anchor yet.
var ErrNoAnchor = errors.New("no audit anchor yet")

// AuditSigningKey is the public key the audit anchors are signed with (nil on an unkeyed store).
func (s *Store) AuditSigningKey() ed25519.PublicKey {
	if s.audit.signer == nil {
		return nil
	}
	return s.audit.signer.Public().(ed25519.PublicKey)
}

// AuditHeadOf returns env's newest anchor (ErrNoAnchor when there is none; AnchorAudit writes one
// every AuditAnchorInterval while the log moves).
func (s *Store) AuditHeadOf(ctx context.Context, env kyc.Env) (AuditHead, error) {
	h := AuditHead{Env: env, PublicKey: base64.RawURLEncoding.EncodeToString(s.AuditSigningKey())}
	var at int64
	err := s.reader().queryRow(ctx, `SELECT seq, created_at, hash, signature FROM audit_anchors WHERE env = ? ORDER BY seq DESC LIMIT 1`, string(env)).
		Scan(&h.Seq, &at, &h.Hash, &h.Signature)
	if errors.Is(err, errNoRows) {
		return h, ErrNoAnchor
	}
	if err != nil {
		return h, fmt.Errorf("audit head: %w", err)
	}
	h.CreatedTime = fromMicros(at)
	return h, nil
}

// VerifyAuditHead checks an exported head against the log: its signature by its public key, that
// the key is this installation's, and that env's anchor of that number still has that hash. With
// VerifyAuditChain (which checks every anchor after it), it shows the log was not rewritten or cut
// back since the head was exported. It returns an error wrapping ErrAuditChain when it was.
func (s *Store) VerifyAuditHead(ctx context.Context, h AuditHead) error {
	pub, err := base64.RawURLEncoding.DecodeString(h.PublicKey)
	sig, err2 := base64.RawURLEncoding.DecodeString(h.Signature)
	if err != nil || err2 != nil || len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, anchorMessage(h.Env, h.Seq, h.Hash), sig) {
		return fmt.Errorf("%w: the exported head's signature does not verify", ErrAuditChain)
	}
	if !ed25519.PublicKey(pub).Equal(s.AuditSigningKey()) {
		return fmt.Errorf("%w: the exported head was signed by another key (another master key)", ErrAuditChain)
	}
	var hash string
	err = s.reader().queryRow(ctx, `SELECT hash FROM audit_anchors WHERE env = ? AND seq = ?`, string(h.Env), h.Seq).Scan(&hash)
	if errors.Is(err, errNoRows) {
		return fmt.Errorf("%w: anchor %d of the exported head is gone", ErrAuditChain, h.Seq)
	}
	if err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	if hash != h.Hash {
		return fmt.Errorf("%w: anchor %d differs from the exported head", ErrAuditChain, h.Seq)
	}
	return nil
}

// KeyAuditLogs keys, once, the audit log of each environment written before the log was keyed:
// it checks the unkeyed log (every chain and anchor) and rewrites every entry's and anchor's hash
// as keyed, and signs the anchors, in one transaction per environment. An environment that has a
// keyed entry or anchor already is left as it is: from then on an unkeyed hash is a change that
// VerifyAuditChain reports, never something to key. It returns an error wrapping ErrAuditChain,
// and keys nothing in that environment, when the unkeyed log does not verify: this store then
// keeps writing that environment's log unkeyed, so that the change is still the first thing
// VerifyAuditChain names, and tries again at the next start.
//
// Replicas of an older kycd write unkeyed entries: stop them before the first start of this one.
func (s *Store) KeyAuditLogs(ctx context.Context) error {
	if !s.audit.keyed() {
		return nil
	}
	var errs []error
	for _, env := range []kyc.Env{kyc.EnvTest, kyc.EnvLive} {
		err := s.inTx(ctx, func(t *txn) error { return s.keyAuditLog(ctx, t, env) })
		if errors.Is(err, ErrAuditChain) {
			// Kept unkeyed, entries and anchors too, so that the change still shows where it is.
			s.auditUnkeyed.Store(env, true)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("key the %s audit log: %w", env, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Store) keyAuditLog(ctx context.Context, t *txn, env kyc.Env) error {
	// Cheap checks first, since this runs at every start: a keyed anchor (once the log is keyed,
	// every anchor is), then a keyed entry (a log keyed from its start, not anchored yet), then
	// any entry at all; each stops at the first row it finds.
	has := func(q string) (bool, error) {
		var one int
		err := t.queryRow(ctx, q, string(env)).Scan(&one)
		if errors.Is(err, errNoRows) {
			return false, nil
		}
		return err == nil, err
	}
	// needed says whether the log has entries and nothing keyed yet.
	needed := func() (bool, error) {
		for _, q := range []string{
			`SELECT 1 FROM audit_anchors WHERE env = ? AND hash LIKE 'k1:%' LIMIT 1`,
			`SELECT 1 FROM audit_log WHERE env = ? AND hash LIKE 'k1:%' LIMIT 1`,
		} {
			if keyed, err := has(q); err != nil || keyed {
				return false, err
			}
		}
		return has(`SELECT 1 FROM audit_log WHERE env = ? LIMIT 1`)
	}
	if need, err := needed(); err != nil || !need {
		return err
	}
	if s.dialect == Postgres {
		// Appenders take their chain's head row; anchors take this lock: neither moves under us.
		if _, err := t.exec(ctx, `LOCK TABLE audit_resource_heads IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('kycd audit anchor ' || ?, 0))`, string(env)); err != nil {
			return err
		}
		// Another replica starting at once may have keyed the log while this one waited.
		if need, err := needed(); err != nil || !need {
			return err
		}
	}
	if err := s.verifyAudit(ctx, t, env, false); err != nil {
		return err
	}
	// The entries, chain by chain (the legacy chain, in its order, first), rehashed in order.
	type rekeyed struct {
		id         int64
		prev, hash string
	}
	var entries []rekeyed
	// newHash maps a chain's entry (resource, seq) to its keyed hash, for the heads and anchors.
	newHash := map[chainKey]string{}
	for _, legacy := range []bool{true, false} {
		query := `SELECT id, seq, actor, action, resource_type, resource_id, created_at, prev_hash, hash
			FROM audit_log WHERE env = ? AND legacy = 0 ORDER BY resource_type, resource_id, seq`
		if legacy {
			query = `SELECT id, seq, actor, action, resource_type, resource_id, created_at, prev_hash, hash
			FROM audit_log WHERE env = ? AND legacy = 1 ORDER BY seq`
		}
		rs, err := t.query(ctx, query, string(env))
		if err != nil {
			return err
		}
		var last AuditRecord
		for rs.Next() {
			r, err := scanAudit(rs)
			if err != nil {
				rs.Close()
				return err
			}
			r.PrevHash = ""
			if last.Seq > 0 && (legacy || last.ResourceType == r.ResourceType && last.ResourceID == r.ResourceID) {
				r.PrevHash = last.Hash
			}
			r.Hash = s.audit.entryHash(r, true)
			entries = append(entries, rekeyed{r.ID, r.PrevHash, r.Hash})
			key := chainKey{r.ResourceType, r.ResourceID, r.Seq}
			if legacy {
				key = chainKey{legacyChain, "", r.Seq}
			}
			newHash[key] = r.Hash
			last = r
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
	}
	for _, e := range entries {
		if _, err := t.exec(ctx, `UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?`, e.prev, e.hash, e.id); err != nil {
			return err
		}
	}
	// The heads, and the heads the anchors name.
	for _, table := range []string{"audit_resource_heads", "audit_anchor_heads"} {
		rs, err := t.query(ctx, `SELECT resource_type, resource_id, seq FROM `+table+` WHERE env = ?`, string(env))
		if err != nil {
			return err
		}
		var keys []chainKey
		for rs.Next() {
			var k chainKey
			if err := rs.Scan(&k.resourceType, &k.resourceID, &k.seq); err != nil {
				rs.Close()
				return err
			}
			keys = append(keys, k)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
		for _, k := range keys {
			h, ok := newHash[k]
			if !ok {
				return fmt.Errorf("%w: %s names %s %s entry %d, which is missing", ErrAuditChain, table, k.resourceType, k.resourceID, k.seq)
			}
			if _, err := t.exec(ctx, `UPDATE `+table+` SET hash = ? WHERE env = ? AND resource_type = ? AND resource_id = ? AND seq = ?`,
				h, string(env), k.resourceType, k.resourceID, k.seq); err != nil {
				return err
			}
		}
	}
	// The anchors, in order, each over its heads' new hashes.
	heads := map[int64][]auditHead{}
	hrs, err := t.query(ctx, `SELECT anchor_seq, resource_type, resource_id, seq, hash FROM audit_anchor_heads WHERE env = ?`, string(env))
	if err != nil {
		return err
	}
	for hrs.Next() {
		var a int64
		var h auditHead
		if err := hrs.Scan(&a, &h.ResourceType, &h.ResourceID, &h.Seq, &h.Hash); err != nil {
			hrs.Close()
			return err
		}
		heads[a] = append(heads[a], h)
	}
	hrs.Close()
	if err := hrs.Err(); err != nil {
		return err
	}
	ars, err := t.query(ctx, `SELECT seq, created_at FROM audit_anchors WHERE env = ? ORDER BY seq`, string(env))
	if err != nil {
		return err
	}
	type anchor struct{ seq, at int64 }
	var anchors []anchor
	for ars.Next() {
		var a anchor
		if err := ars.Scan(&a.seq, &a.at); err != nil {
			ars.Close()
			return err
		}
		anchors = append(anchors, a)
	}
	ars.Close()
	if err := ars.Err(); err != nil {
		return err
	}
	prev := ""
	for _, a := range anchors {
		hs := heads[a.seq]
		slices.SortFunc(hs, func(x, y auditHead) int {
			return cmp.Or(strings.Compare(x.ResourceType, y.ResourceType), strings.Compare(x.ResourceID, y.ResourceID))
		})
		hash := s.audit.hash(true, anchorFields(prev, a.seq, fromMicros(a.at), hs)...)
		if _, err := t.exec(ctx, `UPDATE audit_anchors SET prev_hash = ?, hash = ?, signature = ? WHERE env = ? AND seq = ?`,
			prev, hash, s.audit.sign(env, a.seq, hash), string(env), a.seq); err != nil {
			return err
		}
		prev = hash
	}
	return s.verifyAudit(ctx, t, env, true)
}
