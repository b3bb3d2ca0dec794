package main

import (
	"io"
	"os"
	"slices"
	"testing"
	"time"

	"kycd/internal/screening"
)

// TestSanctionsSourceDefaults: kycd serve fetches the official lists unless told otherwise; an
// empty URL turns its list off and KYCD_SANCTIONS_REFRESH=off (or 0) turns refreshing off. Not
// parallel: it sets the environment.
func TestSanctionsSourceDefaults(t *testing.T) {
	for _, name := range []string{"KYCD_SANCTIONS_OFAC_URLS", "KYCD_SANCTIONS_UN_URL", "KYCD_SANCTIONS_REFRESH"} {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	cfg, _, err := parse("serve", nil, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.Sanctions.OFACURLs, []string{screening.DefaultOFACURL}) || cfg.Sanctions.UNURL != screening.DefaultUNURL || cfg.Sanctions.NoRefresh {
		t.Fatalf("defaults: %+v", cfg.Sanctions)
	}
	t.Setenv("KYCD_SANCTIONS_UN_URL", "")
	t.Setenv("KYCD_SANCTIONS_OFAC_URLS", "http://127.0.0.1:1/sdn")
	cfg, _, err = parse("serve", []string{"--sanctions-refresh", "off"}, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.Sanctions.OFACURLs, []string{"http://127.0.0.1:1/sdn"}) || cfg.Sanctions.UNURL != "" || !cfg.Sanctions.NoRefresh {
		t.Fatalf("empty UN URL, refresh off: %+v", cfg.Sanctions)
	}
	t.Setenv("KYCD_SANCTIONS_REFRESH", "0")
	if cfg, _, err = parse("serve", []string{"--sanctions-ofac-urls="}, io.Discard, nil); err != nil || len(cfg.Sanctions.OFACURLs) != 0 || !cfg.Sanctions.NoRefresh {
		t.Fatalf("empty OFAC flag, refresh 0: %+v %v", cfg.Sanctions, err)
	}
	t.Setenv("KYCD_SANCTIONS_REFRESH", "12h")
	if cfg, _, err = parse("serve", nil, io.Discard, nil); err != nil || cfg.Sanctions.NoRefresh || cfg.Sanctions.RefreshEvery.Hours() != 12 {
		t.Fatalf("12h: %+v %v", cfg.Sanctions, err)
	}
}

// TestOIDCSettings: the KYCD_OIDC_* settings reach the console's single sign-on. Not parallel: it
// sets the environment.
func TestOIDCSettings(t *testing.T) {
	t.Setenv("KYCD_OIDC_ISSUER", "https://id.example.com")
	t.Setenv("KYCD_OIDC_CLIENT_ID", "kycd")
	t.Setenv("KYCD_OIDC_CLIENT_SECRET", "s3cret")
	t.Setenv("KYCD_OIDC_ROLE_MAP", "kyc-team=reviewer")
	cfg, _, err := parse("serve", []string{"--oidc-role-claim", "groups"}, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.Console.OIDC
	if o.Issuer != "https://id.example.com" || o.ClientID != "kycd" || o.ClientSecret != "s3cret" || o.RoleClaim != "groups" || o.RoleMap != "kyc-team=reviewer" {
		t.Fatalf("%+v", o)
	}
}

// TestRetentionSettings: the KYCD_RETENTION_* settings reach the retention config; unset, the
// periods are zero (retention's five-year default) and the audit's is 0 (kept for ever); a period
// of 0 is refused but for the audit's, which takes any other period too. Not parallel: it sets the environment.
func TestRetentionSettings(t *testing.T) {
	for _, name := range []string{"KYCD_RETENTION_IMAGES", "KYCD_RETENTION_PERSONAL_DATA", "KYCD_RETENTION_EVENTS", "KYCD_RETENTION_AUDIT"} {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	cfg, _, err := parse("serve", nil, io.Discard, nil)
	if err != nil || cfg.Retention.Images != 0 || cfg.Retention.Audit != 0 || cfg.Retention.WithDefaults().PersonalData != 43800*time.Hour {
		t.Fatalf("defaults: %+v %v", cfg.Retention, err)
	}
	t.Setenv("KYCD_RETENTION_IMAGES", "8760h")
	cfg, _, err = parse("serve", []string{"--retention-personal-data", "87600h", "--retention-events", "17520h", "--retention-audit", "0"}, io.Discard, nil)
	if err != nil || cfg.Retention.Images != 8760*time.Hour || cfg.Retention.PersonalData != 87600*time.Hour || cfg.Retention.EventPayloads != 17520*time.Hour ||
		cfg.Retention.Audit != 0 || cfg.Retention.Validate() != nil {
		t.Fatalf("set: %+v %v", cfg.Retention, err)
	}
	if _, _, err := parse("serve", []string{"--retention-images", "0"}, io.Discard, nil); err == nil {
		t.Fatal("an image retention of 0 was accepted")
	}
	if cfg, _, err = parse("serve", []string{"--retention-audit", "87600h"}, io.Discard, nil); err != nil || cfg.Retention.Audit != 87600*time.Hour || cfg.Retention.Validate() != nil {
		t.Fatalf("an audit retention: %+v %v", cfg.Retention, err)
	}
	if _, _, err := parse("serve", []string{"--retention-audit", "-1h"}, io.Discard, nil); err == nil {
		t.Fatal("a negative audit retention was accepted")
	}
}
