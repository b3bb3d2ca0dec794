package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kycd/internal/share"
)

func TestShareConfig(t *testing.T) {
	t.Parallel()
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		cfg     ShareConfig
		want    []string
		wantErr string
	}{
		{"nothing configured", ShareConfig{}, nil, ""},
		{"alchemypay with a secret from a file", ShareConfig{AlchemyPayURL: "https://a.example", AlchemyPayAppKey: "k", AlchemyPaySecret: "@" + secretFile}, []string{"alchemypay"}, ""},
		{"a URL without its credentials", ShareConfig{InterlaceURL: "https://i.example", InterlaceClientID: "id"}, nil, "KYCD_SHARE_INTERLACE_CLIENT_SECRET"},
		{"a missing secret file", ShareConfig{AlchemyPayURL: "https://a.example", AlchemyPayAppKey: "k", AlchemyPaySecret: "@/nonexistent"}, nil, "credential file"},
		{"a missing key file", ShareConfig{SaintpayURL: "https://s.example", SaintpayAppID: "a", SaintpayPrivateKeyFile: "/nonexistent", SaintpayPlatformPublicKeyFile: "/nonexistent"}, nil, "saintpay key"},
		{"automatic sharing with an unconfigured partner", ShareConfig{Config: share.Config{Auto: []string{"saintpay"}}}, nil, "not configured"},
		{"automatic sharing with Interlace", ShareConfig{InterlaceURL: "https://i.example", InterlaceClientID: "id", InterlaceClientSecret: "s",
			Config: share.Config{Auto: []string{"interlace"}}}, nil, "accountId"},
	}
	for _, c := range cases {
		conns, err := c.cfg.connectors(nil)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: err %v, want %q", c.name, err, c.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "s3cret") {
				t.Errorf("%s: the error shows a secret", c.name)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got []string
		for _, conn := range conns {
			got = append(got, conn.Partner())
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
