package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kycd/internal/app/apptest"
	"kycd/internal/kyc"
	"kycd/internal/store"
)

// TestReceiptVerifyOfAnErasure: the receipt of a real erasure (DELETE /v1/applicants/{id}) passes
// `kycd receipt verify`, with the installation's key and with its public key given, and `kycd
// receipt public-key` prints the key that signed it; the same receipt with one byte of its payload
// changed, or checked against another key, fails. internal/httpapi's TestErasureLeavesNothing
// verifies the receipt with its own Ed25519 code; this is the operator's way.
func TestReceiptVerifyOfAnErasure(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t, store.SQLite)
	key := e.Key(t, kyc.EnvTest)
	call := func(method, path, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, e.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode/100 != 2 {
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
		}
		var out map[string]any
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
		return out
	}
	apl := call("POST", "/v1/applicants", `{"email":"receipt@example.com","profile":{"firstName":"Ada","lastName":"Receipt"}}`)["id"].(string)
	erasure := call("DELETE", "/v1/applicants/"+apl, "")
	receipt, ok := erasure["receipt"].(map[string]any)
	if !ok || erasure["status"] != "erased" {
		t.Fatalf("DELETE /v1/applicants/%s: %v, want status erased with a receipt", apl, erasure)
	}
	dir := t.TempDir()
	write := func(name string, r map[string]any) string {
		t.Helper()
		b, _ := json.Marshal(r)
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("receipt.json", receipt)
	payload, err := base64.RawURLEncoding.DecodeString(receipt["payload"].(string))
	if err != nil || len(payload) == 0 {
		t.Fatalf("receipt payload: %v", err)
	}
	payload[len(payload)/2] ^= 0x01
	changed := map[string]any{"payload": base64.RawURLEncoding.EncodeToString(payload), "signature": receipt["signature"], "publicKey": receipt["publicKey"]}
	bad := write("changed.json", changed)

	// The installation is the running kycd's: its data folder, database and master key.
	installation := []string{"--data-dir", e.App.Config.DataDir, "--database-url", e.App.Config.DatabaseURL, "--master-key", apptest.MasterKey}
	cmd := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(append(args, installation...), &out, io.Discard)
		return out.String(), err
	}
	pub := receipt["publicKey"].(string)
	if out, err := cmd("receipt", "public-key"); err != nil || strings.TrimSpace(out) != pub {
		t.Errorf("kycd receipt public-key: %q %v, want the receipt's key %s", out, err, pub)
	}
	if out, err := cmd("receipt", "verify", "--file", good); err != nil || !strings.Contains(out, "receipt verified") {
		t.Errorf("kycd receipt verify (the installation's key): %q %v", out, err)
	}
	if out, err := cmd("receipt", "verify", "--file", good, "--public-key", pub); err != nil || !strings.Contains(out, "receipt verified") {
		t.Errorf("kycd receipt verify --public-key: %q %v", out, err)
	}
	if out, err := cmd("receipt", "verify", "--file", bad); err == nil {
		t.Errorf("kycd receipt verify passed a receipt whose payload was changed: %q", out)
	}
	other := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	if out, err := cmd("receipt", "verify", "--file", good, "--public-key", other); err == nil {
		t.Errorf("kycd receipt verify passed against another public key: %q", out)
	}
}
