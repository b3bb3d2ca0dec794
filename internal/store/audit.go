package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"kycd/internal/kyc"
)

// AuditRecord is a stored audit entry. Each entry's Hash covers its fields and the previous
// entry's hash, so the log of an environment is a chain that shows any edit or removal.
type AuditRecord struct {
	Seq          int64
	Actor        kyc.Actor
	Action       string
	ResourceType string
	ResourceID   string
	Time         time.Time
	PrevHash     string
	Hash         string
}

// appendAudit adds an entry to env's chain. The head row is locked by the UPDATE until the
// transaction ends, so concurrent writers append one after the other.
func (s *Store) appendAudit(ctx context.Context, t *txn, env kyc.Env, e kyc.AuditEntry, at time.Time) error {
	var seq int64
	var prev string
	err := t.queryRow(ctx, `UPDATE audit_heads SET seq = seq + 1 WHERE env = ? RETURNING seq, hash`, string(env)).Scan(&seq, &prev)
	if err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	rec := AuditRecord{Seq: seq, Actor: e.Actor, Action: e.Action, ResourceType: e.ResourceType, ResourceID: e.ResourceID, Time: at, PrevHash: prev}
	rec.Hash = auditHash(rec)
	if _, err := t.exec(ctx, `INSERT INTO audit_log (env, seq, actor, action, resource_type, resource_id, created_at, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(env), seq, string(e.Actor), e.Action, e.ResourceType, e.ResourceID, micros(at), prev, rec.Hash); err != nil {
		return fmt.Errorf("audit insert: %w", err)
	}
	if _, err := t.exec(ctx, `UPDATE audit_heads SET hash = ? WHERE env = ?`, rec.Hash, string(env)); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	return nil
}

func auditHash(r AuditRecord) string {
	h := sha256.New()
	for _, f := range []string{r.PrevHash, strconv.FormatInt(r.Seq, 10), string(r.Actor), r.Action, r.ResourceType, r.ResourceID, strconv.FormatInt(micros(r.Time), 10)} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// AuditTrail returns the audit entries about one resource, oldest first.
func (s *Store) AuditTrail(ctx context.Context, env kyc.Env, resourceID string) ([]AuditRecord, error) {
	rs, err := s.reader().query(ctx, `SELECT seq, actor, action, resource_type, resource_id, created_at, prev_hash, hash
		FROM audit_log WHERE env = ? AND resource_id = ? ORDER BY seq`, string(env), resourceID)
	if err != nil {
		return nil, fmt.Errorf("audit trail: %w", err)
	}
	defer rs.Close()
	var out []AuditRecord
	for rs.Next() {
		var r AuditRecord
		var actor string
		var at int64
		if err := rs.Scan(&r.Seq, &actor, &r.Action, &r.ResourceType, &r.ResourceID, &at, &r.PrevHash, &r.Hash); err != nil {
			return nil, fmt.Errorf("audit trail: %w", err)
		}
		r.Actor, r.Time = kyc.Actor(actor), fromMicros(at)
		out = append(out, r)
	}
	return out, rs.Err()
}

// VerifyAuditChain recomputes env's whole chain and reports the first entry that does not match.
func (s *Store) VerifyAuditChain(ctx context.Context, env kyc.Env) error {
	rs, err := s.reader().query(ctx, `SELECT seq, actor, action, resource_type, resource_id, created_at, prev_hash, hash
		FROM audit_log WHERE env = ? ORDER BY seq`, string(env))
	if err != nil {
		return fmt.Errorf("audit chain: %w", err)
	}
	defer rs.Close()
	prev, want := "", int64(1)
	for rs.Next() {
		var r AuditRecord
		var actor string
		var at int64
		if err := rs.Scan(&r.Seq, &actor, &r.Action, &r.ResourceType, &r.ResourceID, &at, &r.PrevHash, &r.Hash); err != nil {
			return fmt.Errorf("audit chain: %w", err)
		}
		r.Actor, r.Time = kyc.Actor(actor), fromMicros(at)
		if r.Seq != want || r.PrevHash != prev || auditHash(r) != r.Hash {
			return fmt.Errorf("audit chain broken at entry %d", r.Seq)
		}
		prev, want = r.Hash, want+1
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
