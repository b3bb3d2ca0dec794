package seal

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestLoadKeyFromEnv(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{0xfb, 0xef, 0x01}, 11)[:KeySize] // has '+', '/' in std base64
	tests := []struct {
		name, value string
	}{
		{"std base64", base64.StdEncoding.EncodeToString(key)},
		{"raw std base64", base64.RawStdEncoding.EncodeToString(key)},
		{"url base64", base64.URLEncoding.EncodeToString(key)},
		{"raw url base64", base64.RawURLEncoding.EncodeToString(key)},
		{"hex", hex.EncodeToString(key)},
		{"upper hex", strings.ToUpper(hex.EncodeToString(key))},
		{"trailing newline", base64.StdEncoding.EncodeToString(key) + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			got, err := LoadKey(tt.value, dir)
			if err != nil {
				t.Fatalf("LoadKey: %v", err)
			}
			if !bytes.Equal(got, key) {
				t.Fatalf("LoadKey = %x, want %x", got, key)
			}
			if _, err := os.Stat(filepath.Join(dir, KeyFileName)); !os.IsNotExist(err) {
				t.Fatalf("a key file was written although KYCD_MASTER_KEY is set (stat: %v)", err)
			}
		})
	}
}

func TestLoadKeyRejectsBadEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value string
	}{
		{"16 bytes", base64.StdEncoding.EncodeToString(make([]byte, 16))},
		{"33 bytes", base64.StdEncoding.EncodeToString(make([]byte, 33))},
		{"63 hex", strings.Repeat("a", 63)},
		{"64 non-hex", strings.Repeat("z", 64)},
		{"66 hex", strings.Repeat("ab", 33)},
		{"not base64", "secret-passphrase!!"},
		{"spaces", "   \n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadKey(tt.value, t.TempDir())
			if err == nil {
				t.Fatal("LoadKey accepted a bad KYCD_MASTER_KEY")
			}
			if v := strings.TrimSpace(tt.value); v != "" && strings.Contains(err.Error(), v) {
				t.Fatalf("error %q prints the key", err)
			}
			if !strings.Contains(err.Error(), "KYCD_MASTER_KEY") {
				t.Fatalf("error %q does not name KYCD_MASTER_KEY", err)
			}
		})
	}
}

func TestLoadKeyCreatesAndReusesFile(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data", "nested")
	key, err := LoadKey("", dir)
	if err != nil {
		t.Fatalf("LoadKey: %v", err)
	}
	if len(key) != KeySize {
		t.Fatalf("key is %d bytes", len(key))
	}
	assertMode(t, dir, 0o700|os.ModeDir)
	assertMode(t, filepath.Join(dir, KeyFileName), 0o600)
	again, err := LoadKey("", dir)
	if err != nil {
		t.Fatalf("LoadKey again: %v", err)
	}
	if !bytes.Equal(key, again) {
		t.Fatal("the second LoadKey returned another key")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("data folder holds %d entries, want only %s", len(entries), KeyFileName)
	}
}

func TestLoadKeyConcurrentStartsAgree(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keys := make([][]byte, 16)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			key, err := LoadKey("", dir)
			if err != nil {
				t.Errorf("LoadKey: %v", err)
			}
			keys[i] = key
		})
	}
	wg.Wait()
	for i := range keys {
		if !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("process %d got another key", i)
		}
	}
}

func TestLoadKeyRefusesBadFile(t *testing.T) {
	t.Parallel()
	good := base64.StdEncoding.EncodeToString(make([]byte, KeySize)) + "\n"
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"world readable", good, 0o644, "chmod 600"},
		{"group readable", good, 0o640, "chmod 600"},
		{"short key", base64.StdEncoding.EncodeToString(make([]byte, 16)), 0o600, "want 32 bytes"},
		{"empty", "", 0o600, "want 32 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, KeyFileName)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			_, err := LoadKey("", dir)
			if err == nil {
				t.Fatal("LoadKey accepted the key file")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q should name %s and say %q", err, path, tt.want)
			}
		})
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode() & (os.ModeDir | os.ModePerm); got != want {
		t.Fatalf("%s has mode %v, want %v", path, got, want)
	}
}
