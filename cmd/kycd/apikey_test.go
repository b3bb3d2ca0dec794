package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// TestAPIKeyCommands: kycd apikey create prints a key once, with the scopes asked for (read and
// write by default; a bad scope refused); apikey list shows it without its secret; apikey revoke
// revokes it, and the list says so.
func TestAPIKeyCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmd := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := run(append(args, "--data-dir", dir), &out, &errb)
		return out.String(), err
	}
	secret, err := cmd("apikey", "create", "--env", "live", "--name", "backend")
	if err != nil {
		t.Fatal(err)
	}
	secret = strings.TrimSpace(secret)
	list, err := cmd("apikey", "list")
	if err != nil || strings.Contains(list, secret) || !strings.Contains(list, "backend") || !strings.Contains(list, "..."+secret[len(secret)-4:]) {
		t.Fatalf("list: %q %v", list, err)
	}
	id := regexp.MustCompile(`key_[0-9A-Z]+`).FindString(list)
	if _, err := cmd("apikey", "revoke", "--env", "live"); err == nil || !strings.Contains(err.Error(), "missing --id") {
		t.Fatalf("revoke without an id: %v", err)
	}
	if _, err := cmd("apikey", "revoke", "--env", "test", "--id", id); err == nil {
		t.Fatal("revoked from the other environment")
	}
	if out, err := cmd("apikey", "revoke", "--env", "live", "--id", id); err != nil || !strings.Contains(out, "revoked "+id) {
		t.Fatalf("revoke: %q %v", out, err)
	}
	if list, _ := cmd("apikey", "list"); !strings.Contains(list, "\t-\t") || strings.HasSuffix(strings.TrimSpace(list), "\t-") {
		t.Fatalf("the list after revoking: %q", list)
	}
	if !strings.Contains(list, "\tbackend\tread,write\t") {
		t.Fatalf("the default scopes in the list: %q", list)
	}
	if _, err := cmd("apikey", "create", "--env", "test", "--name", "keys", "--scopes", "api-keys:write,applicants:read"); err != nil {
		t.Fatal(err)
	}
	if list, _ := cmd("apikey", "list"); !strings.Contains(list, "\tkeys\tapi-keys:write,applicants:read\t") {
		t.Fatalf("the scopes asked for in the list: %q", list)
	}
	if _, err := cmd("apikey", "create", "--env", "test", "--name", "bad", "--scopes", "admin"); err == nil || !strings.Contains(err.Error(), "not a scope") {
		t.Fatalf("a bad scope: %v", err)
	}
}
