package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"kycd/internal/app"
	"kycd/internal/kyc"
	"kycd/internal/seal"
	"kycd/internal/store"
)

func masterKey(t *testing.T) (string, []byte) {
	t.Helper()
	k := make([]byte, seal.KeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(k), k
}

// TestKeyringBootstrap: an installation from before the keyring (applicants with data keys, no
// keyring row) refuses a wrong master key before writing anything, refuses to start its first time
// with a previous key set, and takes its master key as root; afterwards the old key alone is
// refused, and after the keyring is rotated the derived keys (what ExistingSealer gives kycd
// receipt) are those of the first key.
func TestKeyringBootstrap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	firstB64, first := masterKey(t)
	nextB64, _ := masterKey(t)
	cfg := app.Config{DataDir: t.TempDir(), MasterKey: firstB64}
	st, _, err := app.OpenStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvLive, Type: "individual", Status: "unverified", Level: "L1",
		Email: "keyring@example.com"}
	audit := func(action string) store.Effects {
		return store.Effects{Audit: kyc.AuditEntry{Actor: "cli:test", Action: action, ResourceType: "test", ResourceID: a.ID}}
	}
	if err := st.CreateApplicant(ctx, &a, audit("applicant.create")); err != nil {
		t.Fatal(err)
	}
	// As before the keyring existed.
	if err := st.Change(ctx, kyc.EnvLive, func(tx *store.Tx) (store.Effects, error) {
		_, err := tx.Exec(ctx, `DELETE FROM keyring`)
		return audit("test.no-keyring"), err
	}); err != nil {
		t.Fatal(err)
	}
	_ = st.Close()

	wrong := cfg
	wrong.MasterKey = nextB64
	if _, _, err := app.OpenStore(ctx, wrong); !errors.Is(err, app.ErrWrongMasterKey) {
		t.Fatalf("a wrong key on an installation without keyring: %v", err)
	}
	both := wrong
	both.MasterKeyPrevious = firstB64
	if _, _, err := app.OpenStore(ctx, both); err == nil || !strings.Contains(err.Error(), "no keyring yet") {
		t.Fatalf("a first start with a previous key: %v", err)
	}
	st, _, err = app.OpenStore(ctx, cfg)
	if err != nil {
		t.Fatalf("the first key: %v", err)
	}
	if got, err := st.Applicant(ctx, kyc.EnvLive, a.ID); err != nil || got.Email != a.Email {
		t.Fatalf("the applicant after the keyring is written: %+v %v", got, err)
	}
	_ = st.Close()

	st, sealer, err := app.OpenStore(ctx, both)
	if err != nil {
		t.Fatal(err)
	}
	if changed, err := app.RotateKeyring(ctx, st, sealer.MasterKeys()); err != nil || !changed {
		t.Fatalf("rotate the keyring: %v %v", changed, err)
	}
	_ = st.Close()
	if _, _, err := app.OpenStore(ctx, cfg); !errors.Is(err, app.ErrWrongMasterKey) {
		t.Fatalf("the old key alone after the keyring moved: %v", err)
	}
	after, err := app.ExistingSealer(ctx, wrong)
	if err != nil {
		t.Fatal(err)
	}
	before, err := seal.New(first)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after.Derive("erasure-receipts"), before.Derive("erasure-receipts")) {
		t.Fatal("a derived key changed with the master key")
	}
}
