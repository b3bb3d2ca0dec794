package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/kyc"
	"kycd/internal/seal"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// rotationApplicants is how many applicants the rotation crash test writes under the old key.
const rotationApplicants = 3000

// TestKeysRotateSurvivesKill9 writes rotationApplicants applicants under a first master key (the
// first hundred with data keys as kycd wrote them before keys had ids), runs `kycd keys rotate
// --batch 10` to a new master key, kills it with SIGKILL after it printed some progress, checks that
// the rotation is half done, runs it again to its end, and checks that with the new key alone (no
// previous key) every applicant reads as written, the keyring is under the new key, and that kycd
// refuses to start with the old key or a stranger's, saying why, rather than serve.
func TestKeysRotateSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills kycd")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "kycd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			runRotation(t, d, bin)
		})
	}
}

func newMasterKey(t *testing.T) string {
	t.Helper()
	k := make([]byte, seal.KeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(k)
}

func runRotation(t *testing.T, d store.Dialect, bin string) {
	ctx := context.Background()
	dir := t.TempDir()
	dbURL := filepath.Join(dir, "kycd.db")
	if d == store.Postgres {
		dbURL = storetest.NewDatabase(t, d)
	}
	oldKey, newKey := newMasterKey(t), newMasterKey(t)
	cfg := app.Config{DataDir: dir, DatabaseURL: dbURL, MasterKey: oldKey}
	written := seedApplicants(t, cfg, rotationApplicants)

	envv := append(os.Environ(), "KYCD_DATA_DIR="+dir, "KYCD_DATABASE_URL="+dbURL,
		"KYCD_MASTER_KEY="+newKey, "KYCD_MASTER_KEY_PREVIOUS="+oldKey)
	// The first run dies by SIGKILL after its third batch.
	cmd := cmdIn(bin, envv, "keys", "rotate", "--batch", "10")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines, progress := bufio.NewScanner(stdout), 0
	for progress < 3 && lines.Scan() {
		if strings.HasPrefix(lines.Text(), "data keys: ") {
			progress++
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if progress < 3 {
		t.Fatalf("kycd keys rotate printed %d progress lines before it ended", progress)
	}
	both := cfg
	both.MasterKey, both.MasterKeyPrevious = newKey, oldKey
	left := keysLeft(t, both)
	if left == 0 || left >= rotationApplicants {
		t.Fatalf("after the kill, %d of %d data keys are left under the old key: the kill did not cut the rotation", left, rotationApplicants)
	}
	t.Logf("killed with %d of %d data keys left under the old key", left, rotationApplicants)

	out, err := cmdIn(bin, envv, "keys", "rotate", "--batch", "10").CombinedOutput()
	if err != nil {
		t.Fatalf("kycd keys rotate again: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "done: ") || !strings.Contains(string(out), "can now be removed") {
		t.Fatalf("the second run does not say it is done:\n%s", out)
	}

	// The new key alone reads everything as written.
	only := cfg
	only.MasterKey = newKey
	st, sealer, err := app.OpenStore(ctx, only)
	if err != nil {
		t.Fatalf("open with the new key alone: %v", err)
	}
	for _, a := range written {
		got, err := st.Applicant(ctx, a.Env, a.ID)
		if err != nil || got.Email != a.Email || got.Profile != a.Profile {
			_ = st.Close()
			t.Fatalf("applicant %s with the new key alone: %+v %v", a.ID, got, err)
		}
	}
	under, err := app.KeyringKeyID(ctx, st)
	if err != nil || under != sealer.MasterKeys().CurrentID() {
		t.Errorf("the keyring is under %q, not the new key %s (%v)", under, sealer.MasterKeys().CurrentID(), err)
	}
	counts, err := st.DataKeysByMasterKey(ctx, seal.WrappedKeyID)
	if err != nil || len(counts) != 1 || counts[sealer.MasterKeys().CurrentID()] != rotationApplicants {
		t.Errorf("data keys by master key after the rotation: %v %v", counts, err)
	}
	_ = st.Close()
	status, err := cmdIn(bin, append(envv, "KYCD_MASTER_KEY_PREVIOUS="), "keys", "status").CombinedOutput()
	if err != nil || !strings.Contains(string(status), fmt.Sprintf("%s (current): %d", sealer.MasterKeys().CurrentID(), rotationApplicants)) {
		t.Errorf("kycd keys status: %v\n%s", err, status)
	}

	// The old key alone, or a stranger's, opens nothing: kycd says so and does not start.
	for name, key := range map[string]string{"the old key": oldKey, "a stranger's key": newMasterKey(t)} {
		out, err := cmdIn(bin, append(envv, "KYCD_MASTER_KEY="+key, "KYCD_MASTER_KEY_PREVIOUS="), "migrate").CombinedOutput()
		if err == nil || !strings.Contains(string(out), app.ErrWrongMasterKey.Error()) {
			t.Errorf("kycd migrate with %s: %v\n%s", name, err, out)
		}
		wrong := cfg
		wrong.MasterKey = key
		if st, _, err := app.OpenStore(ctx, wrong); !errors.Is(err, app.ErrWrongMasterKey) {
			if err == nil {
				_ = st.Close()
			}
			t.Errorf("OpenStore with %s: %v", name, err)
		}
	}
}

// seedApplicants writes count live applicants, each with personal data of its own, under the master
// key of cfg, and returns them; the data keys of the first hundred are set back to the form kycd
// wrote before keys had ids (the same wrapping without its 9-byte prefix).
func seedApplicants(t *testing.T, cfg app.Config, count int) []kyc.Applicant {
	t.Helper()
	ctx := context.Background()
	st, _, err := app.OpenStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	var written []kyc.Applicant
	for i := range count {
		a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvLive, Type: "individual", Status: "unverified", Level: "L1",
			Email: fmt.Sprintf("person%d@example.com", i), Profile: kyc.Profile{FirstName: "Anna", LastName: fmt.Sprintf("Rotated-%d", i)}}
		eff := store.Effects{Audit: kyc.AuditEntry{Actor: "cli:test", Action: "applicant.create", ResourceType: "applicant", ResourceID: a.ID}}
		if err := st.CreateApplicant(ctx, &a, eff); err != nil {
			t.Fatal(err)
		}
		written = append(written, a)
	}
	err = st.Change(ctx, kyc.EnvLive, func(tx *store.Tx) (store.Effects, error) {
		for _, a := range written[:min(100, count)] {
			if _, err := tx.Exec(ctx, `UPDATE applicants SET data_key = substr(data_key, 10) WHERE id = ?`, a.ID); err != nil {
				return store.Effects{}, err
			}
		}
		return store.Effects{Audit: kyc.AuditEntry{Actor: "cli:test", Action: "test.legacy-keys", ResourceType: "test", ResourceID: "keys"}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d applicants written in %s", count, time.Since(start).Round(time.Millisecond))
	return written
}

// keysLeft counts the data keys not under the current master key of cfg.
func keysLeft(t *testing.T, cfg app.Config) int {
	t.Helper()
	st, _, err := app.OpenStore(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, err := st.DataKeysNotUnderCurrent(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}
