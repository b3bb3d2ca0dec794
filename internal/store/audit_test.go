package store_test

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// createApplicant stores a minimal applicant, for tests that need audited writes from goroutines.
func createApplicant(ctx context.Context, s *store.Store, env kyc.Env) (string, error) {
	a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: env, Type: "individual", Status: "unverified", Level: "L0"}
	return a.ID, s.CreateApplicant(ctx, &a, audit("applicant.create", a.ID))
}

func renameApplicant(ctx context.Context, s *store.Store, env kyc.Env, id, name string) error {
	_, err := s.UpdateApplicant(ctx, env, id, func(a *kyc.Applicant) (store.Effects, error) {
		a.Profile.FirstName = name
		return audit("applicant.update", a.ID), nil
	})
	return err
}

func TestAuditChainsVerifyAfterConcurrentWrites(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const writers, each = 8, 6
		var wg sync.WaitGroup
		errs := make(chan error, writers+1)
		stop := make(chan struct{})
		anchorsDone := make(chan struct{})
		go func() { // anchors run while the writers write
			defer close(anchorsDone)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.AnchorAudit(ctx, kyc.EnvTest); err != nil {
					errs <- err
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
		ids := make([][]string, writers)
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					id, err := createApplicant(ctx, s, kyc.EnvTest)
					if err == nil {
						err = renameApplicant(ctx, s, kyc.EnvTest, id, fmt.Sprint("n", i))
					}
					if err == nil {
						err = renameApplicant(ctx, s, kyc.EnvTest, id, fmt.Sprint("m", i))
					}
					if err != nil {
						errs <- err
						return
					}
					ids[w] = append(ids[w], id)
				}
			})
		}
		wg.Wait()
		close(stop)
		<-anchorsDone
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if _, err := s.AnchorAudit(ctx, kyc.EnvTest); err != nil {
			t.Fatal(err)
		}
		if err := s.VerifyAuditChain(ctx, kyc.EnvTest); err != nil {
			t.Fatal(err)
		}
		if n, err := s.AuditLength(ctx, kyc.EnvTest); err != nil || n != writers*each*3 {
			t.Fatalf("audit length %d (%v), want %d", n, err, writers*each*3)
		}
		for _, ws := range ids {
			for _, id := range ws {
				trail, err := s.AuditTrail(ctx, kyc.EnvTest, id)
				if err != nil || len(trail) != 3 {
					t.Fatalf("trail of %s: %v %+v", id, err, trail)
				}
				for i, r := range trail {
					if r.Seq != int64(i+1) || (i > 0 && (r.PrevHash != trail[i-1].Hash || r.ID <= trail[i-1].ID)) {
						t.Fatalf("trail of %s is not one chain in order: %+v", id, trail)
					}
				}
			}
		}
		// Nothing moved since the last anchor: no new anchor.
		if n, err := s.AnchorAudit(ctx, kyc.EnvTest); err != nil || n != 0 {
			t.Fatalf("idle anchor covered %d heads (%v)", n, err)
		}
	})
}

// sum writes fields to h, each followed by a NUL byte, as the audit log's hashes are documented.
func sum(h hash.Hash, fields []string) []byte {
	for _, f := range fields {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return h.Sum(nil)
}

// rechain makes entry 2 of resource id's chain another person's and recomputes the whole chain
// (every entry's prev_hash and hash, and its head) with hashOf, as someone who can write the
// database would, with this test's own reading of the hash's fields: previous hash, seq, actor,
// action, resource type, resource id, time in microseconds.
func rechain(ctx context.Context, s *store.Store, id string, hashOf func(fields []string) string) error {
	trail, err := s.AuditTrail(ctx, kyc.EnvTest, id)
	if err != nil {
		return err
	}
	prev := ""
	for _, r := range trail {
		if r.Seq == 2 {
			r.Actor = "someone_else"
		}
		h := hashOf([]string{prev, strconv.FormatInt(r.Seq, 10), string(r.Actor), r.Action, r.ResourceType, r.ResourceID, strconv.FormatInt(r.Time.UnixMicro(), 10)})
		if err := s.Exec(ctx, `UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ? WHERE id = ?`, string(r.Actor), prev, h, r.ID); err != nil {
			return err
		}
		prev = h
	}
	return s.Exec(ctx, `UPDATE audit_resource_heads SET hash = ? WHERE env = 'test' AND resource_id = ?`, prev, id)
}

func TestAuditTamperingIsDetected(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// tamper edits the log of applicants a (5 entries: 1-3 under anchor 1, 4 under anchor 2,
		// 5 not anchored yet) and b (3 entries under anchor 1) with raw SQL.
		tamper func(ctx context.Context, s *store.Store, a, b string) error
		want   string
	}{
		{"edit an entry", func(ctx context.Context, s *store.Store, a, _ string) error {
			return s.Exec(ctx, `UPDATE audit_log SET actor = 'someone_else' WHERE resource_id = ? AND seq = 2`, a)
		}, "entry 2"},
		{"edit an entry no anchor covers yet", func(ctx context.Context, s *store.Store, a, _ string) error {
			return s.Exec(ctx, `UPDATE audit_log SET action = 'applicant.delete' WHERE resource_id = ? AND seq = 5`, a)
		}, "entry 5"},
		{"delete an entry in the middle of a chain", func(ctx context.Context, s *store.Store, _, b string) error {
			return s.Exec(ctx, `DELETE FROM audit_log WHERE resource_id = ? AND seq = 2`, b)
		}, "entry 2"},
		{"delete a whole anchored chain and its head", func(ctx context.Context, s *store.Store, _, b string) error {
			if err := s.Exec(ctx, `DELETE FROM audit_log WHERE resource_id = ?`, b); err != nil {
				return err
			}
			return s.Exec(ctx, `DELETE FROM audit_resource_heads WHERE resource_id = ?`, b)
		}, "missing"},
		{"cut an anchored chain short", func(ctx context.Context, s *store.Store, _, b string) error {
			return s.Exec(ctx, `DELETE FROM audit_log WHERE resource_id = ? AND seq = 3`, b)
		}, "missing"},
		{"rewrite the head an anchor covers", func(ctx context.Context, s *store.Store, _, b string) error {
			return s.Exec(ctx, `UPDATE audit_anchor_heads SET hash = 'x' WHERE resource_id = ?`, b)
		}, "anchor 1"},
		{"delete the first anchor", func(ctx context.Context, s *store.Store, _, _ string) error {
			return s.Exec(ctx, `DELETE FROM audit_anchors WHERE seq = 1`)
		}, "anchor 1"},
		// Without the master key: the chain recomputed with plain SHA-256, as before the log was
		// keyed; keying the log again (kycd start) must not bless it.
		{"rewrite a chain and recompute it unkeyed", func(ctx context.Context, s *store.Store, a, _ string) error {
			if err := rechain(ctx, s, a, func(fields []string) string { return hex.EncodeToString(sum(sha256.New(), fields)) }); err != nil {
				return err
			}
			return s.KeyAuditLogs(ctx)
		}, "not keyed"},
		{"rewrite a chain and recompute it with another key", func(ctx context.Context, s *store.Store, a, _ string) error {
			return rechain(ctx, s, a, func(fields []string) string {
				return "k1:" + hex.EncodeToString(sum(hmac.New(sha256.New, []byte("not the installation's key")), fields))
			})
		}, "entry 1"},
		{"sign an anchor with another key", func(ctx context.Context, s *store.Store, _, _ string) error {
			var hash string
			if err := s.QueryRow(ctx, `SELECT hash FROM audit_anchors WHERE env = 'test' AND seq = 2`).Scan(&hash); err != nil {
				return err
			}
			other := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
			sig := ed25519.Sign(other, []byte("kycd audit anchor\x00test\x002\x00"+hash))
			return s.Exec(ctx, `UPDATE audit_anchors SET signature = ? WHERE env = 'test' AND seq = 2`, base64.RawURLEncoding.EncodeToString(sig))
		}, "anchor 2's signature does not verify"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				ids := anchoredApplicants(t, s)
				if err := renameApplicant(ctx, s, kyc.EnvTest, ids[0], "z"); err != nil {
					t.Fatal(err)
				}
				if n, err := s.AnchorAudit(ctx, kyc.EnvTest); err != nil || n != 1 {
					t.Fatalf("anchor covered %d heads (%v), want 1", n, err)
				}
				if err := renameApplicant(ctx, s, kyc.EnvTest, ids[0], "w"); err != nil {
					t.Fatal(err)
				}
				if err := s.VerifyAuditChain(ctx, kyc.EnvTest); err != nil {
					t.Fatalf("before tampering: %v", err)
				}
				if err := c.tamper(ctx, s, ids[0], ids[1]); err != nil {
					t.Fatal(err)
				}
				err := s.VerifyAuditChain(ctx, kyc.EnvTest)
				if !errors.Is(err, store.ErrAuditChain) || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("after tampering: %v, want ErrAuditChain naming %q", err, c.want)
				}
				// The other environment's log is untouched.
				if err := s.VerifyAuditChain(ctx, kyc.EnvLive); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

// TestAuditMigrationKeepsTheLegacyChain writes entries with the schema and code before migration
// 00017, migrates, and checks that they still verify, that new entries chain per resource after
// them, and that the first anchor covers the legacy chain's end.
func TestAuditMigrationKeepsTheLegacyChain(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, err := store.Open(ctx, storetest.NewEmptyDatabase(t, d), storetest.Sealer(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			if err := s.MigrateTo(ctx, 15); err != nil {
				t.Fatal(err)
			}
			entry := func(action, id string) kyc.AuditEntry {
				return kyc.AuditEntry{Actor: "key_test", Action: action, ResourceType: "applicant", ResourceID: id}
			}
			if err := s.AppendLegacyAudit(ctx, kyc.EnvTest, entry("applicant.create", "app_1"), entry("applicant.create", "app_2"),
				entry("applicant.update", "app_1"), entry("applicant.update", "app_2"), entry("applicant.update", "app_1")); err != nil {
				t.Fatal(err)
			}
			if err := s.AppendLegacyAudit(ctx, kyc.EnvLive, entry("applicant.create", "app_3")); err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			// The keyed store refuses the unkeyed log until it is keyed, once, as kycd does at start.
			if err := s.VerifyAuditChain(ctx, kyc.EnvTest); !errors.Is(err, store.ErrAuditChain) || !strings.Contains(err.Error(), "not keyed") {
				t.Fatalf("an unkeyed log on a keyed store: %v", err)
			}
			if err := s.KeyAuditLogs(ctx); err != nil {
				t.Fatal(err)
			}
			for _, env := range []kyc.Env{kyc.EnvTest, kyc.EnvLive} {
				if err := s.VerifyAuditChain(ctx, env); err != nil {
					t.Fatalf("%s after migration: %v", env, err)
				}
			}
			// New entries about a legacy resource start its own chain, and its trail keeps the order.
			end, err := s.HoldAudited(ctx, kyc.EnvTest, store.Effects{Audit: entry("applicant.update", "app_1")})
			if err != nil {
				t.Fatal(err)
			}
			if err := end(true); err != nil {
				t.Fatal(err)
			}
			trail, err := s.AuditTrail(ctx, kyc.EnvTest, "app_1")
			if err != nil || len(trail) != 4 || trail[0].Seq != 1 || trail[2].Seq != 5 || trail[3].Seq != 1 || trail[3].PrevHash != "" {
				t.Fatalf("trail of app_1 across the migration: %v %+v", err, trail)
			}
			if _, err := createApplicant(ctx, s, kyc.EnvTest); err != nil {
				t.Fatal(err)
			}
			// The legacy head and the two new ones.
			if n, err := s.AnchorAudit(ctx, kyc.EnvTest); err != nil || n != 3 {
				t.Fatalf("first anchor covered %d heads (%v), want 3", n, err)
			}
			if n, err := s.AuditLength(ctx, kyc.EnvTest); err != nil || n != 7 {
				t.Fatalf("audit length %d (%v), want 7", n, err)
			}
			if err := s.VerifyAuditChain(ctx, kyc.EnvTest); err != nil {
				t.Fatal(err)
			}
			// Cutting the legacy chain short is now seen, through the anchor.
			if err := s.Exec(ctx, `DELETE FROM audit_log WHERE env = 'test' AND legacy = 1 AND seq = 5`); err != nil {
				t.Fatal(err)
			}
			if err := s.VerifyAuditChain(ctx, kyc.EnvTest); !errors.Is(err, store.ErrAuditChain) || !strings.Contains(err.Error(), "audit.legacy") {
				t.Fatalf("legacy chain cut short: %v", err)
			}
			// An edit inside it is seen too.
			if err := s.Exec(ctx, `UPDATE audit_log SET actor = 'x' WHERE env = 'live' AND legacy = 1 AND seq = 1`); err != nil {
				t.Fatal(err)
			}
			if err := s.VerifyAuditChain(ctx, kyc.EnvLive); !errors.Is(err, store.ErrAuditChain) || !strings.Contains(err.Error(), "legacy entry 1") {
				t.Fatalf("legacy entry edited: %v", err)
			}
		})
	}
}

// TestAuditWritersOfDifferentResourcesDoNotWait is the property of issue 15 item 4: with one
// audited transaction held open, a write about another resource commits at once, while a write
// about the same resource waits for it. SQLite has one writer at a time by design, so this runs
// on PostgreSQL only.
func TestAuditWritersOfDifferentResourcesDoNotWait(t *testing.T) {
	t.Parallel()
	s := storetest.New(t, store.Postgres)
	ctx := context.Background()
	held, err := createApplicant(ctx, s, kyc.EnvTest)
	if err != nil {
		t.Fatal(err)
	}
	end, err := s.HoldAudited(ctx, kyc.EnvTest, audit("applicant.update", held))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = end(false) }()

	// Another applicant, in the same environment: created and updated while the first is held.
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	start := time.Now()
	other, err := createApplicant(wctx, s, kyc.EnvTest)
	if err == nil {
		err = renameApplicant(wctx, s, kyc.EnvTest, other, "Other")
	}
	if err != nil {
		t.Fatalf("a write about another resource waited for the held transaction: %v after %s", err, time.Since(start))
	}
	// An anchor skips the held head instead of waiting for it.
	actx, acancel := context.WithTimeout(ctx, 10*time.Second)
	defer acancel()
	if n, err := s.AnchorAudit(actx, kyc.EnvTest); err != nil || n != 1 {
		t.Fatalf("anchor with a head held: %d heads (%v), want 1 (the other applicant's)", n, err)
	}

	// The same resource does wait: the test can tell waiting from not.
	done := make(chan error, 1)
	go func() {
		e2, err := s.HoldAudited(ctx, kyc.EnvTest, audit("applicant.update", held))
		if err == nil {
			err = e2(true)
		}
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a write about the held resource did not wait: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := end(true); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n, err := s.AnchorAudit(ctx, kyc.EnvTest); err != nil || n != 1 {
		t.Fatalf("anchor after the release: %d heads (%v), want 1", n, err)
	}
	if err := s.VerifyAuditChain(ctx, kyc.EnvTest); err != nil {
		t.Fatal(err)
	}
	if trail, err := s.AuditTrail(ctx, kyc.EnvTest, held); err != nil || len(trail) != 3 || trail[2].Seq != 3 {
		t.Fatalf("held resource's trail: %v %+v", err, trail)
	}
}

// TestAuditMigrationDown checks that 00017 goes down while the log holds only legacy entries
// (which then verify the old way again), and refuses while it holds per-resource ones.
func TestAuditMigrationDown(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, err := store.Open(ctx, storetest.NewEmptyDatabase(t, d), storetest.Sealer(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			e := kyc.AuditEntry{Actor: "key_test", Action: "applicant.create", ResourceType: "applicant", ResourceID: "app_1"}
			if err := s.MigrateTo(ctx, 15); err != nil {
				t.Fatal(err)
			}
			if err := s.AppendLegacyAudit(ctx, kyc.EnvTest, e, e); err != nil {
				t.Fatal(err)
			}
			if err := s.MigrateTo(ctx, 17); err != nil {
				t.Fatal(err)
			}
			if err := s.MigrateTo(ctx, 15); err != nil {
				t.Fatalf("down with legacy entries only: %v", err)
			}
			// The old head came back: the old code appends the third entry of the old chain.
			if err := s.AppendLegacyAudit(ctx, kyc.EnvTest, e); err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if err := s.KeyAuditLogs(ctx); err != nil {
				t.Fatal(err)
			}
			if err := s.VerifyAuditChain(ctx, kyc.EnvTest); err != nil {
				t.Fatal(err)
			}
			if trail, err := s.AuditTrail(ctx, kyc.EnvTest, "app_1"); err != nil || len(trail) != 3 || trail[2].Seq != 3 {
				t.Fatalf("trail after down and up: %v %+v", err, trail)
			}
			end, err := s.HoldAudited(ctx, kyc.EnvTest, store.Effects{Audit: e})
			if err != nil {
				t.Fatal(err)
			}
			if err := end(true); err != nil {
				t.Fatal(err)
			}
			if err := s.MigrateTo(ctx, 15); err == nil {
				t.Fatal("00017 went down with a per-resource entry in the log")
			}
			if n, err := s.AuditLength(ctx, kyc.EnvTest); err != nil || n != 4 {
				t.Fatalf("audit length after a refused down: %d (%v), want 4", n, err)
			}
		})
	}
}

// TestAuditQueriesUseTheirIndexes: a resource's trail, the heads an anchor picks and the chains
// VerifyAuditChain reads in order are answered through their indexes on both databases.
func TestAuditQueriesUseTheirIndexes(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		for _, c := range []struct{ name, query, index string }{
			{"a resource's trail", `SELECT id FROM audit_log WHERE env = ? AND resource_id = ? ORDER BY id`, "audit_log_resource"},
			{"the heads an anchor picks", `SELECT resource_type, resource_id FROM audit_resource_heads WHERE env = ? AND seq > anchored_seq`, "audit_resource_heads_unanchored"},
			{"the chains in order", `SELECT id FROM audit_log WHERE env = ? AND legacy = 0 ORDER BY resource_type, resource_id, seq`, "audit_log_chain"},
		} {
			args := []any{"test"}
			if strings.Contains(c.query, "resource_id = ?") {
				args = append(args, "app_x")
			}
			plan, err := s.QueryPlan(t.Context(), c.query, args...)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if !strings.Contains(plan, c.index) {
				t.Errorf("%s: the plan does not use %s:\n%s", c.name, c.index, plan)
			}
		}
	})
}

// TestAuditHeadExported: the newest anchor, exported with its signature and the installation's
// public key, verifies against the log; it is refused once that anchor is changed or gone, and
// when it was signed under another master key.
func TestAuditHeadExported(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.AuditHeadOf(ctx, kyc.EnvTest); !errors.Is(err, store.ErrNoAnchor) {
			t.Fatalf("the head of an empty log: %v", err)
		}
		for range 2 {
			if _, err := createApplicant(ctx, s, kyc.EnvTest); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AnchorAudit(ctx, kyc.EnvTest); err != nil {
				t.Fatal(err)
			}
		}
		h, err := s.AuditHeadOf(ctx, kyc.EnvTest)
		if err != nil || h.Seq != 2 || !strings.HasPrefix(h.Hash, "k1:") || h.Signature == "" {
			t.Fatalf("head: %+v %v", h, err)
		}
		// The signature verifies with the exported public key, by this test's own reading of what
		// is signed.
		pub, _ := base64.RawURLEncoding.DecodeString(h.PublicKey)
		sig, _ := base64.RawURLEncoding.DecodeString(h.Signature)
		if !ed25519.Verify(pub, []byte("kycd audit anchor\x00test\x002\x00"+h.Hash), sig) {
			t.Fatal("the exported signature does not verify with the exported key")
		}
		if err := s.VerifyAuditHead(ctx, h); err != nil {
			t.Fatal(err)
		}
		forged := h
		forged.Hash = "k1:00"
		if err := s.VerifyAuditHead(ctx, forged); !errors.Is(err, store.ErrAuditChain) {
			t.Fatalf("a head whose signature does not match: %v", err)
		}
		other := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
		foreign := h
		foreign.PublicKey = base64.RawURLEncoding.EncodeToString(other.Public().(ed25519.PublicKey))
		foreign.Signature = base64.RawURLEncoding.EncodeToString(ed25519.Sign(other, []byte("kycd audit anchor\x00test\x002\x00"+h.Hash)))
		if err := s.VerifyAuditHead(ctx, foreign); !errors.Is(err, store.ErrAuditChain) || !strings.Contains(err.Error(), "another key") {
			t.Fatalf("a head of another installation: %v", err)
		}
		if err := s.Exec(ctx, `UPDATE audit_anchors SET hash = 'k1:ff' WHERE env = 'test' AND seq = 2`); err != nil {
			t.Fatal(err)
		}
		if err := s.VerifyAuditHead(ctx, h); !errors.Is(err, store.ErrAuditChain) || !strings.Contains(err.Error(), "differs") {
			t.Fatalf("a changed anchor: %v", err)
		}
		if err := s.Exec(ctx, `DELETE FROM audit_anchors WHERE env = 'test' AND seq = 2`); err != nil {
			t.Fatal(err)
		}
		if err := s.VerifyAuditHead(ctx, h); !errors.Is(err, store.ErrAuditChain) || !strings.Contains(err.Error(), "gone") {
			t.Fatalf("the newest anchor deleted: %v", err)
		}
		// The log alone cannot tell the newest anchor was deleted; the exported head can.
		if err := s.VerifyAuditChain(ctx, kyc.EnvTest); err != nil {
			t.Fatalf("the log without its newest anchor: %v", err)
		}
	})
}

// TestKeyingRefusesAChangedLog: a log changed before it was keyed is not keyed (that would bless
// the change); it stays unkeyed and the verification names the change.
func TestKeyingRefusesAChangedLog(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := storetest.NewEmptyDatabase(t, d)
			s, err := store.Open(ctx, dsn, storetest.Sealer(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			if err := s.MigrateTo(ctx, 15); err != nil {
				t.Fatal(err)
			}
			e := kyc.AuditEntry{Actor: "key_test", Action: "applicant.create", ResourceType: "applicant", ResourceID: "app_1"}
			if err := s.AppendLegacyAudit(ctx, kyc.EnvTest, e, e, e); err != nil {
				t.Fatal(err)
			}
			if err := s.Exec(ctx, `UPDATE audit_log SET actor = 'someone_else' WHERE seq = 2`); err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if err := s.KeyAuditLogs(ctx); !errors.Is(err, store.ErrAuditChain) || !strings.Contains(err.Error(), "legacy entry 2") {
				t.Fatalf("keying a changed log: %v", err)
			}
			trail, err := s.AuditTrail(ctx, kyc.EnvTest, "app_1")
			if err != nil || len(trail) != 3 || strings.HasPrefix(trail[0].Hash, "k1:") || strings.HasPrefix(trail[2].Hash, "k1:") {
				t.Fatalf("the changed log after keying was refused: %+v %v", trail, err)
			}
			// The store goes on writing that log unkeyed, so that verification still names the change
			// itself, and tries again at the next start.
			end, err := s.HoldAudited(ctx, kyc.EnvTest, store.Effects{Audit: e})
			if err != nil {
				t.Fatal(err)
			}
			if err := end(true); err != nil {
				t.Fatal(err)
			}
			if n, err := s.AnchorAudit(ctx, kyc.EnvTest); err != nil || n == 0 {
				t.Fatalf("anchor: %d %v", n, err)
			}
			trail, err = s.AuditTrail(ctx, kyc.EnvTest, "app_1")
			if err != nil || strings.HasPrefix(trail[len(trail)-1].Hash, "k1:") {
				t.Fatalf("an entry written after keying was refused is keyed: %+v %v", trail, err)
			}
			if err := s.VerifyAuditChain(ctx, kyc.EnvTest); !errors.Is(err, store.ErrAuditChain) || !strings.Contains(err.Error(), "legacy entry 2") {
				t.Fatalf("verify names the change: %v", err)
			}
			if err := s.KeyAuditLogs(ctx); !errors.Is(err, store.ErrAuditChain) {
				t.Fatalf("keying again: %v", err)
			}
			// Another process (kycd audit verify) that did not try to key it names the change too.
			other, err := store.Open(ctx, dsn, storetest.Sealer(t))
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if err := other.VerifyAuditChain(ctx, kyc.EnvTest); !errors.Is(err, store.ErrAuditChain) || !strings.Contains(err.Error(), "legacy entry 2") {
				t.Fatalf("verify from another process: %v", err)
			}
		})
	}
}

// TestAuditPruneRefusesAChainAnAnchorSawFurther: a chain cut short after an anchor covered it,
// with its head row set back to match (so that it verifies from its first entry to its head), is
// not pruned: its removal would take the evidence of the cut with it. It is named in the error,
// kept whole, and the other chain due is pruned.
func TestAuditPruneRefusesAChainAnAnchorSawFurther(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ids := anchoredApplicants(t, s)
		cut := ids[1]
		var hash string
		if err := s.QueryRow(ctx, `SELECT hash FROM audit_log WHERE resource_id = ? AND seq = 2`, cut).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, `DELETE FROM audit_log WHERE resource_id = ? AND seq = 3`, cut); err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, `UPDATE audit_resource_heads SET seq = 2, hash = ? WHERE resource_id = ?`, hash, cut); err != nil {
			t.Fatal(err)
		}
		out, err := s.PruneAudit(ctx, kyc.EnvTest, time.Now().Add(time.Hour), 100, "system:test", store.AuditCursor{})
		if !errors.Is(err, store.ErrAuditChain) || !strings.Contains(err.Error(), cut) || !strings.Contains(err.Error(), "entry 3, the chain ends at 2") {
			t.Fatalf("pruning a chain cut short: %v", err)
		}
		if out.Chains != 1 || out.Due != 2 {
			t.Fatalf("pruned %+v, want 1 chain of the 2 due", out)
		}
		var left int
		if err := s.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE resource_id = ?`, cut).Scan(&left); err != nil || left != 2 {
			t.Fatalf("%d entries of the cut chain left (%v), want its 2", left, err)
		}
		if err := s.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE resource_id = ?`, ids[0]).Scan(&left); err != nil || left != 0 {
			t.Fatalf("%d entries of the sound chain left (%v), want 0", left, err)
		}
	})
}

// anchoredApplicants creates two applicants in test with three audit entries each (a creation and
// two renames), both chains covered by one anchor.
func anchoredApplicants(t *testing.T, s *store.Store) [2]string {
	t.Helper()
	ctx := context.Background()
	var ids [2]string
	for i := range ids {
		id, err := createApplicant(ctx, s, kyc.EnvTest)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"x", "y"} {
			if err := renameApplicant(ctx, s, kyc.EnvTest, id, n); err != nil {
				t.Fatal(err)
			}
		}
		ids[i] = id
	}
	if n, err := s.AnchorAudit(ctx, kyc.EnvTest); err != nil || n != 2 {
		t.Fatalf("anchor covered %d heads (%v), want 2", n, err)
	}
	return ids
}
