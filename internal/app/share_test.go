package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kycd/internal/kyc"
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
		{"alchemypay with a secret from a file", ShareConfig{PartnerSettings: PartnerSettings{AlchemyPayURL: "https://a.example", AlchemyPayAppKey: "k", AlchemyPaySecret: "@" + secretFile}}, []string{"alchemypay"}, ""},
		{"a URL without its credentials", ShareConfig{PartnerSettings: PartnerSettings{InterlaceURL: "https://i.example", InterlaceClientID: "id"}}, nil, "KYCD_SHARE_INTERLACE_CLIENT_SECRET"},
		{"a missing secret file", ShareConfig{PartnerSettings: PartnerSettings{AlchemyPayURL: "https://a.example", AlchemyPayAppKey: "k", AlchemyPaySecret: "@/nonexistent"}}, nil, "credential file"},
		{"a missing key file", ShareConfig{PartnerSettings: PartnerSettings{SaintpayURL: "https://s.example", SaintpayAppID: "a", SaintpayPrivateKeyFile: "/nonexistent", SaintpayPlatformPublicKeyFile: "/nonexistent"}}, nil, "saintpay key"},
		{"automatic sharing with an unconfigured partner", ShareConfig{Config: share.Config{Auto: []string{"saintpay"}}}, nil, "not configured"},
		{"automatic sharing with Interlace", ShareConfig{PartnerSettings: PartnerSettings{InterlaceURL: "https://i.example", InterlaceClientID: "id", InterlaceClientSecret: "s"},
			Config: share.Config{Auto: []string{"interlace"}}}, nil, "accountId"},
	}
	for _, c := range cases {
		partners, err := c.cfg.partners(nil)
		conns := partners[kyc.EnvLive]
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

// TestShareSandboxSettings: test shares use the KYCD_SHARE_<PARTNER>_TEST_* settings only, a
// partner without them has no test connector, and sandbox settings that are the live ones are
// refused at start.
func TestShareSandboxSettings(t *testing.T) {
	t.Parallel()
	live := PartnerSettings{AlchemyPayURL: "https://live.example", AlchemyPayAppKey: "live-key", AlchemyPaySecret: "s",
		InterlaceURL: "https://i.example", InterlaceClientID: "id", InterlaceClientSecret: "s"}
	names := func(conns []share.Connector) string {
		var out []string
		for _, c := range conns {
			out = append(out, c.Partner())
		}
		return strings.Join(out, ",")
	}
	p, err := ShareConfig{PartnerSettings: live}.partners(nil)
	if err != nil || names(p[kyc.EnvLive]) != "interlace,alchemypay" || len(p[kyc.EnvTest]) != 0 {
		t.Fatalf("live only: live %q, test %q, %v", names(p[kyc.EnvLive]), names(p[kyc.EnvTest]), err)
	}
	sandbox := PartnerSettings{AlchemyPayURL: "https://sandbox.example", AlchemyPayAppKey: "test-key", AlchemyPaySecret: "t"}
	p, err = ShareConfig{PartnerSettings: live, Test: sandbox}.partners(nil)
	if err != nil || names(p[kyc.EnvLive]) != "interlace,alchemypay" || names(p[kyc.EnvTest]) != "alchemypay" {
		t.Fatalf("with a sandbox: live %q, test %q, %v", names(p[kyc.EnvLive]), names(p[kyc.EnvTest]), err)
	}
	for name, c := range map[string]struct {
		cfg  ShareConfig
		want string
	}{
		"the live settings as the sandbox": {ShareConfig{PartnerSettings: live, Test: PartnerSettings{InterlaceURL: "https://i.example", InterlaceClientID: "id",
			InterlaceClientSecret: "other"}}, "KYCD_SHARE_INTERLACE_TEST_* are the live settings"},
		"a sandbox without its secret": {ShareConfig{Test: PartnerSettings{AlchemyPayURL: "https://sandbox.example", AlchemyPayAppKey: "k"}},
			"KYCD_SHARE_ALCHEMYPAY_TEST_SECRET"},
		"automatic sharing with a sandbox-only partner": {ShareConfig{Test: sandbox, Config: share.Config{Auto: []string{"alchemypay"}}}, "not configured"},
	} {
		if _, err := c.cfg.partners(nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}
