package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kycd/internal/app"
	"kycd/internal/kyc"
	"kycd/internal/store"
)

// TestAuditCommands: kycd audit head refuses a log with no anchor yet, then prints the newest
// signed anchor; kycd audit verify checks the log and, with --head, that it still holds the
// exported anchor, and fails once that anchor is changed.
func TestAuditCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmd := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := run(append(args, "--data-dir", dir), &out, &errb)
		return out.String(), err
	}
	if _, err := cmd("apikey", "create", "--env", "live", "--name", "backend"); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd("audit", "head", "--env", "live"); err == nil || !strings.Contains(err.Error(), "no anchor yet") {
		t.Fatalf("the head of a log with no anchor: %v", err)
	}
	st, _, err := app.OpenStore(context.Background(), app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AnchorAudit(context.Background(), kyc.EnvLive); err != nil {
		t.Fatal(err)
	}
	_ = st.Close()
	head, err := cmd("audit", "head", "--env", "live")
	if err != nil || !strings.Contains(head, `"signature"`) || !strings.Contains(head, `"hash": "k1:`) {
		t.Fatalf("audit head: %q %v", head, err)
	}
	file := filepath.Join(t.TempDir(), "head.json")
	if err := os.WriteFile(file, []byte(head), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := cmd("audit", "verify", "--env", "live", "--head", file); err != nil || !strings.Contains(out, "holds the exported anchor 1") {
		t.Fatalf("audit verify --head: %q %v", out, err)
	}
	if _, err := cmd("audit", "verify", "--env", "test", "--head", file); err == nil || !strings.Contains(err.Error(), "live log's head") {
		t.Fatalf("a live head against the test log: %v", err)
	}
	if _, err := cmd("audit", "verify"); err == nil || !strings.Contains(err.Error(), "missing --env") {
		t.Fatalf("verify without --env: %v", err)
	}
	st, _, err = app.OpenStore(context.Background(), app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Record(context.Background(), kyc.EnvLive, func(tx *store.Tx) (store.Effects, error) {
		_, err := tx.Exec(context.Background(), `UPDATE audit_log SET actor = 'someone_else'`)
		return store.Effects{}, err
	}); err != nil {
		t.Fatal(err)
	}
	_ = st.Close()
	if _, err := cmd("audit", "verify", "--env", "live"); err == nil || !strings.Contains(err.Error(), "audit chain broken") {
		t.Fatalf("verify a changed log: %v", err)
	}
}
