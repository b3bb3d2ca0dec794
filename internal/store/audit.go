package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"kycd/internal/kyc"
)

// The audit log is a set of hash chains, one per resource, tied together by anchors.
//
// Each entry belongs to the chain of its resource (env, resource type, resource id): Seq counts
// that resource's entries from 1 and PrevHash is the Hash of its previous entry, so an edit or a
// removal inside a chain shows. The head of each chain is a row of audit_resource_heads, taken by
// an upsert when an entry is appended; only writers of the same resource wait for each other, and
// they already conflict on the resource's own row. An earlier design kept one chain per
// environment, whose single head row every audited transaction of every replica held until it
// committed: all writes queued on it (issue 15). A sequence assigned at commit was the other way
// out, but neither database has one: it needs a serialisation point at commit again, or a
// sequencer that chains entries after they commit, a second write for each and a window in which
// they are not chained.
//
// A chain alone does not show that it was removed whole, or cut short. AnchorAudit, run
// periodically, writes an anchor: the heads (resource, seq, hash) of every chain that moved since
// the previous anchor, hashed with the previous anchor's hash. VerifyAuditChain checks every chain,
// the chain of anchors, and that every head an anchor names is still there with the same hash; so
// a resource's chain deleted or cut short after an anchor covered it is found. What it cannot
// show: the removal of entries (or whole chains) no anchor covers yet, at most
// AuditAnchorInterval's writes, and the removal of the newest anchors.
//
// The hashes are keyed (audit_keys.go): HMAC-SHA256 with a key derived from the master key, so
// someone who can write the database but does not hold the master key cannot recompute a chain
// after changing it; and each anchor is signed with an Ed25519 key derived from the master key.
// The newest anchor, exported (AuditHead, `kycd audit head`) and kept apart from the database,
// also catches a rewrite by someone who holds the master key, or the removal of the newest
// anchors: VerifyAuditHead checks that the exported anchor is still in the chain.
//
// Entries written before the per-resource chains (migration 00017) keep their one chain per
// environment, marked legacy and verified as before; the migration made that chain's head the
// pseudo-resource legacyChain, so the first anchor covers its end.

// legacyChain is the resource type under which the head of the pre-00017 global chain is anchored.
const legacyChain = "audit.legacy"

// ErrAuditChain is wrapped by VerifyAuditChain's answer when an entry or an anchor does not match.
var ErrAuditChain = errors.New("audit chain broken")

// AuditRecord is a stored audit entry. Its Hash covers its fields and PrevHash, the hash of the
// previous entry about the same resource, so each resource's log is a chain that shows any edit or
// removal.
type AuditRecord struct {
	// ID is the entry's place in the environment-wide order of appends (unique across
	// environments; gaps are possible).
	ID int64
	// Seq is the entry's place in its resource's chain, from 1. Entries written before migration
	// 00017 carry their place in the old environment-wide chain instead.
	Seq          int64
	Actor        kyc.Actor
	Action       string
	ResourceType string
	ResourceID   string
	Time         time.Time
	PrevHash     string
	Hash         string
}

// appendAudit adds entries to their resources' chains. The head rows are taken in the order of
// their keys, so two transactions that audit the same resources cannot deadlock on them; each head
// stays locked until the transaction ends, so writers of one resource append one after the other.
func (s *Store) appendAudit(ctx context.Context, t *txn, env kyc.Env, entries []kyc.AuditEntry, at time.Time) error {
	entries = slices.Clone(entries)
	slices.SortStableFunc(entries, func(a, b kyc.AuditEntry) int {
		return cmp.Or(strings.Compare(a.ResourceType, b.ResourceType), strings.Compare(a.ResourceID, b.ResourceID))
	})
	for _, e := range entries {
		var seq int64
		var prev string
		// A new head's hash is ''; an existing one returns its hash before this entry.
		err := t.queryRow(ctx, `INSERT INTO audit_resource_heads (env, resource_type, resource_id, seq, hash) VALUES (?, ?, ?, 1, '')
			ON CONFLICT (env, resource_type, resource_id) DO UPDATE SET seq = audit_resource_heads.seq + 1
			RETURNING seq, hash`, string(env), e.ResourceType, e.ResourceID).Scan(&seq, &prev)
		if err != nil {
			return fmt.Errorf("audit head: %w", err)
		}
		rec := AuditRecord{Seq: seq, Actor: e.Actor, Action: e.Action, ResourceType: e.ResourceType, ResourceID: e.ResourceID, Time: at, PrevHash: prev}
		rec.Hash = s.audit.entryHash(rec, s.auditKeyedIn(env))
		if _, err := t.exec(ctx, `INSERT INTO audit_log (env, seq, actor, action, resource_type, resource_id, created_at, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			string(env), seq, string(e.Actor), e.Action, e.ResourceType, e.ResourceID, micros(at), prev, rec.Hash); err != nil {
			return fmt.Errorf("audit insert: %w", err)
		}
		if _, err := t.exec(ctx, `UPDATE audit_resource_heads SET hash = ? WHERE env = ? AND resource_type = ? AND resource_id = ?`,
			rec.Hash, string(env), e.ResourceType, e.ResourceID); err != nil {
			return fmt.Errorf("audit head: %w", err)
		}
	}
	return nil
}

// auditHash is an entry's unkeyed hash (SHA-256), as kycd wrote them before the keyed chain. The
// fields are those of the pre-00017 entries, so one function serves both kinds; the resource type
// and id bind an entry to its chain.
func auditHash(r AuditRecord) string { return hashFields(auditFields(r)...) }

func auditFields(r AuditRecord) []string {
	return []string{r.PrevHash, strconv.FormatInt(r.Seq, 10), string(r.Actor), r.Action, r.ResourceType, r.ResourceID, strconv.FormatInt(micros(r.Time), 10)}
}

func hashFields(fields ...string) string {
	h := sha256.New()
	for _, f := range fields {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// auditHead is a chain's head as an anchor records it.
type auditHead struct {
	ResourceType, ResourceID string
	Seq                      int64
	Hash                     string
}

// anchorFields are what an anchor's hash covers: the previous anchor's hash, its own number and
// time, and the heads it covers in key order.
func anchorFields(prev string, seq int64, at time.Time, heads []auditHead) []string {
	f := []string{prev, strconv.FormatInt(seq, 10), strconv.FormatInt(micros(at), 10)}
	for _, h := range heads {
		f = append(f, h.ResourceType, h.ResourceID, strconv.FormatInt(h.Seq, 10), h.Hash)
	}
	return f
}

// AuditAnchorInterval is how often AnchorAudit runs: a resource chain deleted whole is detectable
// once an anchor written after its last entry exists.
const AuditAnchorInterval = time.Minute

// AnchorAudit writes an anchor for env covering the heads of every chain that moved since the
// previous anchor, and returns how many it covered (0 writes no anchor). A head being appended to
// at that moment is skipped on PostgreSQL rather than waited for: the next anchor covers it, and
// the anchor never holds up a writer for longer than its own short transaction.
func (s *Store) AnchorAudit(ctx context.Context, env kyc.Env) (int, error) {
	var n int
	err := s.inTx(ctx, func(t *txn) error {
		var err error
		n, err = s.anchorAudit(ctx, t, env)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("audit anchor: %w", err)
	}
	return n, nil
}

func (s *Store) anchorAudit(ctx context.Context, t *txn, env kyc.Env) (int, error) {
	pick := `UPDATE audit_resource_heads SET anchored_seq = seq WHERE env = ? AND seq > anchored_seq
		RETURNING resource_type, resource_id, seq, hash`
	if err := s.lockAnchors(ctx, t, env); err != nil {
		return 0, err
	}
	if s.dialect == Postgres {
		pick = `WITH picked AS (SELECT resource_type, resource_id FROM audit_resource_heads
			WHERE env = ? AND seq > anchored_seq FOR UPDATE SKIP LOCKED)
		UPDATE audit_resource_heads h SET anchored_seq = h.seq FROM picked p
		WHERE h.env = ? AND h.resource_type = p.resource_type AND h.resource_id = p.resource_id
		RETURNING h.resource_type, h.resource_id, h.seq, h.hash`
	}
	args := []any{string(env)}
	if s.dialect == Postgres {
		args = append(args, string(env))
	}
	rs, err := t.query(ctx, pick, args...)
	if err != nil {
		return 0, err
	}
	var heads []auditHead
	for rs.Next() {
		var h auditHead
		if err := rs.Scan(&h.ResourceType, &h.ResourceID, &h.Seq, &h.Hash); err != nil {
			rs.Close()
			return 0, err
		}
		heads = append(heads, h)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return 0, err
	}
	if len(heads) == 0 {
		return 0, nil
	}
	if _, err := s.writeAnchor(ctx, t, env, anchorKind, heads); err != nil {
		return 0, err
	}
	return len(heads), nil
}

// The kinds of anchor (audit_anchors.kind, migration 00037): a periodic anchor of chain heads,
// or the record of a pruning, whose heads are the ends of the chains it removed (audit_prune.go).
const (
	anchorKind = "anchor"
	pruneKind  = "prune"
)

// kindFields are an anchor's hashed fields: anchorFields, led by "prune" for a pruning's record
// (so that neither kind can pass for the other; an anchor's hash is as it was before kinds).
func kindFields(kind, prev string, seq int64, at time.Time, heads []auditHead) []string {
	f := anchorFields(prev, seq, at, heads)
	if kind == pruneKind {
		return append([]string{pruneKind}, f...)
	}
	return f
}

// writeAnchor appends an anchor of kind over heads to env's chain of anchors in t, which must
// hold the environment's anchor lock on PostgreSQL, and returns its number.
func (s *Store) writeAnchor(ctx context.Context, t *txn, env kyc.Env, kind string, heads []auditHead) (int64, error) {
	slices.SortFunc(heads, func(a, b auditHead) int {
		return cmp.Or(strings.Compare(a.ResourceType, b.ResourceType), strings.Compare(a.ResourceID, b.ResourceID))
	})
	var seq int64
	var prev string
	err := t.queryRow(ctx, `SELECT seq, hash FROM audit_anchors WHERE env = ? ORDER BY seq DESC LIMIT 1`, string(env)).Scan(&seq, &prev)
	if err != nil && !errors.Is(err, errNoRows) {
		return 0, err
	}
	seq++
	at := now()
	keyed := s.auditKeyedIn(env)
	hash, signature := s.audit.hash(keyed, kindFields(kind, prev, seq, at, heads)...), ""
	if keyed {
		signature = s.audit.sign(env, seq, hash)
	}
	if _, err := t.exec(ctx, `INSERT INTO audit_anchors (env, seq, created_at, prev_hash, hash, signature, kind) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		string(env), seq, micros(at), prev, hash, signature, kind); err != nil {
		return 0, err
	}
	const batch = 500
	for chunk := range slices.Chunk(heads, batch) {
		q := `INSERT INTO audit_anchor_heads (env, anchor_seq, resource_type, resource_id, seq, hash) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", len(chunk)), ", ")
		args := make([]any, 0, 6*len(chunk))
		for _, h := range chunk {
			args = append(args, string(env), seq, h.ResourceType, h.ResourceID, h.Seq, h.Hash)
		}
		if _, err := t.exec(ctx, q, args...); err != nil {
			return 0, err
		}
	}
	return seq, nil
}

// lockAnchors takes env's anchor lock on PostgreSQL for the rest of t: anchors of one environment
// (two replicas' schedulers, a pruning) are written one after the other. SQLite's transactions
// run one at a time already.
func (s *Store) lockAnchors(ctx context.Context, t *txn, env kyc.Env) error {
	if s.dialect != Postgres {
		return nil
	}
	_, err := t.exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('kycd audit anchor ' || ?, 0))`, string(env))
	return err
}

// AuditTrail returns the audit entries about one resource, oldest first.
func (s *Store) AuditTrail(ctx context.Context, env kyc.Env, resourceID string) ([]AuditRecord, error) {
	rs, err := s.reader().query(ctx, `SELECT id, seq, actor, action, resource_type, resource_id, created_at, prev_hash, hash
		FROM audit_log WHERE env = ? AND resource_id = ? ORDER BY id`, string(env), resourceID)
	if err != nil {
		return nil, fmt.Errorf("audit trail: %w", err)
	}
	defer rs.Close()
	var out []AuditRecord
	for rs.Next() {
		r, err := scanAudit(rs)
		if err != nil {
			return nil, fmt.Errorf("audit trail: %w", err)
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

func scanAudit(rs rows) (AuditRecord, error) {
	var r AuditRecord
	var actor string
	var at int64
	err := rs.Scan(&r.ID, &r.Seq, &actor, &r.Action, &r.ResourceType, &r.ResourceID, &at, &r.PrevHash, &r.Hash)
	r.Actor, r.Time = kyc.Actor(actor), fromMicros(at)
	return r, err
}

type chainKey struct {
	resourceType, resourceID string
	seq                      int64
}

type anchored struct {
	hash   string
	anchor int64
}

// VerifyAuditChain checks env's audit log: every anchor against the previous one, every resource
// chain (and the legacy chain) entry by entry, and that each head an anchor covers is still there
// unchanged. It returns nil, or an error wrapping ErrAuditChain that names the first entry or
// anchor that does not match. It reads everything in one snapshot of the database, so writes and
// prunings may go on while it runs.
//
// On a keyed store every hash must be keyed and every anchor signed: an unkeyed entry or anchor is
// refused like a changed one (the only unkeyed log a keyed store accepts is one it has not keyed
// yet, which KeyAuditLogs keys once, after checking it).
func (s *Store) VerifyAuditChain(ctx context.Context, env kyc.Env) error {
	keyed := s.auditKeyedIn(env)
	// One snapshot: a pruning that commits between the read of the anchors and that of the
	// chains would otherwise look like entries removed without one.
	err := s.inSnapshot(ctx, func(q querier) error { return s.verifyAudit(ctx, q, env, keyed) })
	if err == nil || !keyed || !errors.Is(err, ErrAuditChain) {
		return err
	}
	// A log with nothing keyed in it was never keyed (kycd keys it at start, unless it was
	// changed before): checked as it was written, so that the error names the change itself.
	for _, q := range []string{`SELECT 1 FROM audit_anchors WHERE env = ? AND hash LIKE 'k1:%' LIMIT 1`,
		`SELECT 1 FROM audit_log WHERE env = ? AND hash LIKE 'k1:%' LIMIT 1`} {
		var one int
		if e := s.reader().queryRow(ctx, q, string(env)).Scan(&one); !errors.Is(e, errNoRows) {
			return err
		}
	}
	if plain := s.verifyAudit(ctx, s.reader(), env, false); plain != nil {
		return fmt.Errorf("the log was never keyed: %w", plain)
	}
	return fmt.Errorf("%w: the log is not keyed yet (kycd keys it at its next start)", ErrAuditChain)
}

// verifyAudit is VerifyAuditChain through q (a transaction's, or the reader), with keyed hashes
// and signed anchors (keyed) or the plain SHA-256 hashes of an unkeyed log.
func (s *Store) verifyAudit(ctx context.Context, q querier, env kyc.Env, keyed bool) error {
	want, pruned, err := s.verifyAnchors(ctx, q, env, keyed)
	if err != nil {
		return err
	}
	if err := s.verifyChains(ctx, q, env, true, keyed, want, nil); err != nil {
		return err
	}
	if err := s.verifyChains(ctx, q, env, false, keyed, want, pruned); err != nil {
		return err
	}
	if len(want) > 0 {
		missing := slices.SortedFunc(maps.Keys(want), func(a, b chainKey) int {
			return cmp.Or(cmp.Compare(want[a].anchor, want[b].anchor), strings.Compare(a.resourceType, b.resourceType),
				strings.Compare(a.resourceID, b.resourceID))
		})
		k := missing[0]
		return fmt.Errorf("%w: anchor %d covers %s %s entry %d, which is missing", ErrAuditChain, want[k].anchor, k.resourceType, k.resourceID, k.seq)
	}
	return nil
}

// verifyAnchors checks the chain of anchors and returns the heads they cover, and the base of
// each chain a pruning cut (the end of what it removed, from which verifyChains starts): heads an
// anchor covered and a pruning removed later are not looked for, and an anchor and a pruning that
// disagree on one are an error. It reads the
// anchors before their heads: an anchor and its heads commit together, so every anchor read has
// all its heads in the second read (heads of a newer anchor are ignored).
func (s *Store) verifyAnchors(ctx context.Context, q querier, env kyc.Env, keyed bool) (map[chainKey]anchored, map[resourceKey]prunedBase, error) {
	type anchor struct {
		seq, at                         int64
		prevHash, hash, signature, kind string
	}
	var anchors []anchor
	rs, err := q.query(ctx, `SELECT seq, created_at, prev_hash, hash, signature, kind FROM audit_anchors WHERE env = ? ORDER BY seq`, string(env))
	if err != nil {
		return nil, nil, fmt.Errorf("audit chain: %w", err)
	}
	for rs.Next() {
		var a anchor
		if err := rs.Scan(&a.seq, &a.at, &a.prevHash, &a.hash, &a.signature, &a.kind); err != nil {
			rs.Close()
			return nil, nil, fmt.Errorf("audit chain: %w", err)
		}
		anchors = append(anchors, a)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, nil, fmt.Errorf("audit chain: %w", err)
	}
	heads := map[int64][]auditHead{}
	rs, err = q.query(ctx, `SELECT anchor_seq, resource_type, resource_id, seq, hash FROM audit_anchor_heads
		WHERE env = ? ORDER BY anchor_seq, resource_type, resource_id`, string(env))
	if err != nil {
		return nil, nil, fmt.Errorf("audit chain: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var a int64
		var h auditHead
		if err := rs.Scan(&a, &h.ResourceType, &h.ResourceID, &h.Seq, &h.Hash); err != nil {
			return nil, nil, fmt.Errorf("audit chain: %w", err)
		}
		heads[a] = append(heads[a], h)
	}
	if err := rs.Err(); err != nil {
		return nil, nil, fmt.Errorf("audit chain: %w", err)
	}
	want, pruned := map[chainKey]anchored{}, map[resourceKey]prunedBase{}
	prev, next := "", int64(1)
	for _, a := range anchors {
		if a.seq != next || a.prevHash != prev || s.audit.hash(keyed, kindFields(a.kind, a.prevHash, a.seq, fromMicros(a.at), heads[a.seq])...) != a.hash {
			return nil, nil, fmt.Errorf("%w at anchor %d%s", ErrAuditChain, next, notKeyed(keyed, a.hash))
		}
		if keyed && !s.audit.verify(env, a.seq, a.hash, a.signature) {
			return nil, nil, fmt.Errorf("%w: anchor %d's signature does not verify", ErrAuditChain, a.seq)
		}
		if a.kind == pruneKind {
			if !keyed {
				return nil, nil, fmt.Errorf("%w: anchor %d records a pruning in a log that is not keyed", ErrAuditChain, a.seq)
			}
			for _, h := range heads[a.seq] {
				pruned[resourceKey{h.ResourceType, h.ResourceID}] = prunedBase{seq: h.Seq, hash: h.Hash, anchor: a.seq}
			}
			prev, next = a.hash, next+1
			continue
		}
		for _, h := range heads[a.seq] {
			k := chainKey{h.ResourceType, h.ResourceID, h.Seq}
			if w, ok := want[k]; ok && w.hash != h.Hash {
				return nil, nil, fmt.Errorf("%w: anchors %d and %d disagree on %s %s entry %d", ErrAuditChain, w.anchor, a.seq, k.resourceType, k.resourceID, k.seq)
			}
			want[k] = anchored{hash: h.Hash, anchor: a.seq}
		}
		prev, next = a.hash, next+1
	}
	for k, w := range want {
		p, ok := pruned[resourceKey{k.resourceType, k.resourceID}]
		if !ok || k.seq > p.seq {
			continue
		}
		if k.seq == p.seq && w.hash != p.hash {
			return nil, nil, fmt.Errorf("%w: anchor %d and the pruning in anchor %d disagree on %s %s entry %d", ErrAuditChain, w.anchor, p.anchor, k.resourceType, k.resourceID, k.seq)
		}
		delete(want, k)
	}
	return want, pruned, nil
}

// resourceKey names one resource's chain.
type resourceKey struct{ resourceType, resourceID string }

// prunedBase is the end of what a pruning removed of a chain: its last entry's number and hash.
type prunedBase struct {
	seq    int64
	hash   string
	anchor int64
}

// verifyChains checks env's legacy chain (legacy) or its resource chains, each from the base a
// pruning left of it (pruned) or from its first entry, and removes from want each anchored head
// it finds matching.
func (s *Store) verifyChains(ctx context.Context, q querier, env kyc.Env, legacy, keyed bool, want map[chainKey]anchored, pruned map[resourceKey]prunedBase) error {
	db := q
	query := `SELECT id, seq, actor, action, resource_type, resource_id, created_at, prev_hash, hash
		FROM audit_log WHERE env = ? AND legacy = 0 ORDER BY resource_type, resource_id, seq`
	if legacy {
		query = `SELECT id, seq, actor, action, resource_type, resource_id, created_at, prev_hash, hash
		FROM audit_log WHERE env = ? AND legacy = 1 ORDER BY seq`
	}
	rs, err := db.query(ctx, query, string(env))
	if err != nil {
		return fmt.Errorf("audit chain: %w", err)
	}
	defer rs.Close()
	var last AuditRecord
	for rs.Next() {
		r, err := scanAudit(rs)
		if err != nil {
			return fmt.Errorf("audit chain: %w", err)
		}
		key := chainKey{r.ResourceType, r.ResourceID, r.Seq}
		if legacy {
			key = chainKey{legacyChain, "", r.Seq}
		}
		prev, next := "", int64(1)
		if last.Seq > 0 && (legacy || last.ResourceType == r.ResourceType && last.ResourceID == r.ResourceID) {
			prev, next = last.Hash, last.Seq+1
		} else if base, ok := pruned[resourceKey{r.ResourceType, r.ResourceID}]; ok {
			prev, next = base.hash, base.seq+1
		}
		if r.Seq != next || r.PrevHash != prev || s.audit.entryHash(r, keyed) != r.Hash {
			if legacy {
				return fmt.Errorf("%w at legacy entry %d (id %d)%s", ErrAuditChain, next, r.ID, notKeyed(keyed, r.Hash))
			}
			return fmt.Errorf("%w at %s %s entry %d (id %d)%s", ErrAuditChain, r.ResourceType, r.ResourceID, next, r.ID, notKeyed(keyed, r.Hash))
		}
		if w, ok := want[key]; ok {
			if w.hash != r.Hash {
				return fmt.Errorf("%w: %s %s entry %d (id %d) differs from anchor %d", ErrAuditChain, key.resourceType, key.resourceID, r.Seq, r.ID, w.anchor)
			}
			delete(want, key)
		}
		last = r
	}
	return rs.Err()
}

// AuditLength is how many entries env's audit log holds. Every stored change adds one, so tests use
// it to prove that a refused request stored nothing.
func (s *Store) AuditLength(ctx context.Context, env kyc.Env) (int64, error) {
	var n int64
	err := s.reader().queryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE env = ?`, string(env)).Scan(&n)
	return n, err
}

// AuditFilter narrows ListAudit; empty fields match everything.
type AuditFilter struct {
	Actor      kyc.Actor
	ResourceID string
	// From and To bound the entries' time (To excluded).
	From, To time.Time
}

// ListAudit returns up to limit (at most MaxPageSize) entries of env's audit log that match f,
// newest first, starting below the entry id before (0: from the newest). The next page starts
// below the last entry's ID.
func (s *Store) ListAudit(ctx context.Context, env kyc.Env, f AuditFilter, before int64, limit int) ([]AuditRecord, error) {
	w := newWhere(env).eq("actor", string(f.Actor)).eq("resource_id", f.ResourceID)
	if before > 0 {
		w.And("id < ?", before)
	}
	if !f.From.IsZero() {
		w.And("created_at >= ?", micros(f.From))
	}
	if !f.To.IsZero() {
		w.And("created_at < ?", micros(f.To))
	}
	rs, err := s.reader().query(ctx, `SELECT id, seq, actor, action, resource_type, resource_id, created_at, prev_hash, hash FROM audit_log
		WHERE `+strings.Join(w.conds, " AND ")+` ORDER BY id DESC LIMIT ?`, append(w.args, pageLimit(limit))...)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	defer rs.Close()
	var out []AuditRecord
	for rs.Next() {
		r, err := scanAudit(rs)
		if err != nil {
			return nil, fmt.Errorf("audit log: %w", err)
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// RecordReads writes, in one transaction and with nothing else, the audit entries of reads of
// personal data: who read which resource. No entries write nothing.
func (s *Store) RecordReads(ctx context.Context, env kyc.Env, entries []kyc.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	return s.Change(ctx, env, func(*Tx) (Effects, error) { return Effects{Audit: entries[0], MoreAudit: entries[1:]}, nil })
}
