package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"kycd/internal/kyc"
)

// Audit retention (KYCD_RETENTION_AUDIT) removes whole resource chains: the trail of a resource
// whose newest entry is older than the period goes at once, never a part of a chain. Each pruning
// is recorded in the chain of anchors as an anchor of kind "prune", signed like the others, whose
// heads are the last entry (number and hash) of each chain it removed: verification leaves out
// what anchors covered of those chains, and starts a chain written to again later (a resource
// read years on) from that base. So a pruning is itself in the log, and an entry removed without
// one is still found: by the anchor that covered it, or by the base of the chain it was in.
// A pruning checks each chain before it removes it, so it never blesses a changed one.

// AuditPruneDue counts, without changing anything, the resource chains of every environment with
// a keyed log that are due for pruning now (their newest entry before before), and the oldest
// newest entry. A changed chain is counted too, though PruneAudit keeps it (and names it).
func (s *Store) AuditPruneDue(ctx context.Context, before time.Time) (RetentionDue, error) {
	var d RetentionDue
	for _, env := range []kyc.Env{kyc.EnvTest, kyc.EnvLive} {
		if !s.auditKeyedIn(env) {
			continue // PruneAudit leaves a log that is not keyed alone
		}
		var n int64
		var oldest *int64
		err := s.reader().queryRow(ctx, `SELECT count(*), min(last_at) FROM (SELECT max(created_at) AS last_at FROM audit_log
			WHERE env = ? AND legacy = 0 GROUP BY resource_type, resource_id HAVING max(created_at) < ?) due`, string(env), micros(before)).Scan(&n, &oldest)
		if err != nil {
			return d, fmt.Errorf("audit entries due: %w", err)
		}
		d.Count += n
		if oldest != nil && (d.Oldest.IsZero() || fromMicros(*oldest).Before(d.Oldest)) {
			d.Oldest = fromMicros(*oldest)
		}
	}
	return d, nil
}

// AuditCursor is where a pruning batch ended (the last resource chain it looked at, in key order):
// the next batch starts after it, past the chains it kept (changed ones, or written meanwhile).
type AuditCursor struct{ ResourceType, ResourceID string }

// AuditPruned is what one pruning batch did.
type AuditPruned struct {
	// Due is how many chains were due in the batch (at most its limit: fewer means none is left
	// after Next); Chains of them were removed, with Entries entries.
	Due, Chains int
	Entries     int64
	// Next is the cursor of the next batch.
	Next AuditCursor
}

// PruneAudit removes, in env, up to limit resource chains after the cursor whose newest entry was
// written before before, in one transaction that records the pruning as an anchor (see above)
// and audits it as actor. A log that is not keyed (a store without a master key, or a log kycd
// has not keyed yet) is not pruned: its pruning could not be signed. A chain that does not verify,
// or that an anchor saw further than its head, is left whole and named in the error, with the
// others pruned. Entries written before migration 00017 (one chain per environment) are never
// pruned.
func (s *Store) PruneAudit(ctx context.Context, env kyc.Env, before time.Time, limit int, actor kyc.Actor, after AuditCursor) (AuditPruned, error) {
	var out AuditPruned
	if !s.auditKeyedIn(env) {
		return out, nil
	}
	var broken []error
	err := s.inTx(ctx, func(t *txn) error {
		out, broken = AuditPruned{Next: after}, nil
		if err := s.lockAnchors(ctx, t, env); err != nil {
			return err
		}
		due, err := auditChainsDue(ctx, t, env, before, limit, after)
		if err != nil {
			return err
		}
		out.Due = len(due)
		if len(due) > 0 {
			out.Next = AuditCursor{due[len(due)-1].ResourceType, due[len(due)-1].ResourceID}
		}
		var removed []auditHead
		for _, h := range due {
			// The head, locked: an entry appended since the query keeps the chain.
			var seq int64
			var hash string
			err := t.queryRow(ctx, `SELECT seq, hash FROM audit_resource_heads WHERE env = ? AND resource_type = ? AND resource_id = ?`+s.forUpdate(),
				string(env), h.ResourceType, h.ResourceID).Scan(&seq, &hash)
			if err != nil && !errors.Is(err, errNoRows) {
				return err
			}
			if err != nil || seq != h.Seq || hash != h.Hash {
				continue
			}
			if err := s.verifyChainForPrune(ctx, t, env, h); err != nil {
				broken = append(broken, err)
				continue
			}
			n, err := t.exec(ctx, `DELETE FROM audit_log WHERE env = ? AND legacy = 0 AND resource_type = ? AND resource_id = ? AND seq <= ?`,
				string(env), h.ResourceType, h.ResourceID, h.Seq)
			if err != nil {
				return err
			}
			if _, err := t.exec(ctx, `UPDATE audit_resource_heads SET anchored_seq = seq WHERE env = ? AND resource_type = ? AND resource_id = ?`,
				string(env), h.ResourceType, h.ResourceID); err != nil {
				return err
			}
			removed = append(removed, h)
			out.Entries += n
		}
		if len(removed) == 0 {
			return nil
		}
		out.Chains = len(removed)
		seq, err := s.writeAnchor(ctx, t, env, pruneKind, removed)
		if err != nil {
			return err
		}
		return s.appendAudit(ctx, t, env, []kyc.AuditEntry{{Actor: actor, Action: "audit.prune", ResourceType: "audit-anchor",
			ResourceID: fmt.Sprint(seq)}}, now())
	})
	if err != nil {
		return AuditPruned{Next: after}, fmt.Errorf("prune the audit log: %w", err)
	}
	return out, errors.Join(broken...)
}

// auditChainsDue reads up to limit resource chains of env after the cursor whose newest entry is
// older than before, with that entry's number and hash, in key order (the order appendAudit locks
// heads in).
func auditChainsDue(ctx context.Context, t *txn, env kyc.Env, before time.Time, limit int, after AuditCursor) ([]auditHead, error) {
	rs, err := t.query(ctx, `SELECT l.resource_type, l.resource_id, l.seq, l.hash FROM audit_log l
		JOIN (SELECT resource_type, resource_id, max(seq) AS seq FROM audit_log
			WHERE env = ? AND legacy = 0 AND (resource_type > ? OR resource_type = ? AND resource_id > ?)
			GROUP BY resource_type, resource_id HAVING max(created_at) < ? ORDER BY resource_type, resource_id LIMIT ?) due
		ON l.resource_type = due.resource_type AND l.resource_id = due.resource_id AND l.seq = due.seq
		WHERE l.env = ? AND l.legacy = 0 ORDER BY l.resource_type, l.resource_id`,
		string(env), after.ResourceType, after.ResourceType, after.ResourceID, micros(before), limit, string(env))
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []auditHead
	for rs.Next() {
		var h auditHead
		if err := rs.Scan(&h.ResourceType, &h.ResourceID, &h.Seq, &h.Hash); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rs.Err()
}

// verifyChainForPrune checks one resource chain, from the base an earlier pruning left of it or
// from its first entry, up to its head h, and that no anchor saw it further than h or otherwise
// at h (a chain cut short and its head row set back would otherwise go without a trace).
func (s *Store) verifyChainForPrune(ctx context.Context, t *txn, env kyc.Env, h auditHead) error {
	var seq int64
	var hash string
	err := t.queryRow(ctx, `SELECT h.seq, h.hash FROM audit_anchor_heads h JOIN audit_anchors a ON a.env = h.env AND a.seq = h.anchor_seq
		WHERE h.env = ? AND a.kind = 'anchor' AND h.resource_type = ? AND h.resource_id = ? ORDER BY h.seq DESC LIMIT 1`,
		string(env), h.ResourceType, h.ResourceID).Scan(&seq, &hash)
	switch {
	case err == nil && (seq > h.Seq || seq == h.Seq && hash != h.Hash):
		return fmt.Errorf("%w: anchor covered %s %s entry %d, the chain ends at %d: not pruned", ErrAuditChain, h.ResourceType, h.ResourceID, seq, h.Seq)
	case err != nil && !errors.Is(err, errNoRows):
		return err
	}
	prev, next := "", int64(1)
	err = t.queryRow(ctx, `SELECT h.seq, h.hash FROM audit_anchor_heads h JOIN audit_anchors a ON a.env = h.env AND a.seq = h.anchor_seq
		WHERE h.env = ? AND a.kind = 'prune' AND h.resource_type = ? AND h.resource_id = ? ORDER BY h.seq DESC LIMIT 1`,
		string(env), h.ResourceType, h.ResourceID).Scan(&seq, &hash)
	switch {
	case err == nil:
		prev, next = hash, seq+1
	case !errors.Is(err, errNoRows):
		return err
	}
	rs, err := t.query(ctx, `SELECT id, seq, actor, action, resource_type, resource_id, created_at, prev_hash, hash
		FROM audit_log WHERE env = ? AND legacy = 0 AND resource_type = ? AND resource_id = ? ORDER BY seq`, string(env), h.ResourceType, h.ResourceID)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		r, err := scanAudit(rs)
		if err != nil {
			return err
		}
		if r.Seq != next || r.PrevHash != prev || s.audit.entryHash(r, true) != r.Hash {
			return fmt.Errorf("%w at %s %s entry %d (id %d): not pruned", ErrAuditChain, r.ResourceType, r.ResourceID, next, r.ID)
		}
		prev, next = r.Hash, r.Seq+1
	}
	if err := rs.Err(); err != nil {
		return err
	}
	if prev != h.Hash || next != h.Seq+1 {
		return fmt.Errorf("%w: %s %s does not end at its head (entry %d): not pruned", ErrAuditChain, h.ResourceType, h.ResourceID, h.Seq)
	}
	return nil
}
