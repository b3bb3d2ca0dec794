package httpapi

import (
	"context"
	"fmt"

	"kycd/internal/kyc"
)

// ReadLog writes who read personal data. *store.Store satisfies it.
type ReadLog interface {
	RecordReads(ctx context.Context, env kyc.Env, entries []kyc.AuditEntry) error
}

// logReads writes an audit entry of action by the caller for each resource (type resourceType)
// whose personal data the answer carries, before the answer goes out: an answer whose reads
// cannot be written is not sent (500).
func logReads(ctx context.Context, d Deps, action, resourceType string, ids ...string) error {
	p := principal(ctx)
	entries := make([]kyc.AuditEntry, 0, len(ids))
	for _, id := range ids {
		entries = append(entries, kyc.AuditEntry{Actor: p.Actor(), Action: action, ResourceType: resourceType, ResourceID: id})
	}
	if err := d.Reads.RecordReads(ctx, p.Env, entries); err != nil {
		return fmt.Errorf("audit the read: %w", err)
	}
	return nil
}

// ids maps items to their ids.
func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}
