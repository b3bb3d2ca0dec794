package share_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/share"
)

func TestRedactKeepsOnlyWordsThatAreNeverPersonal(t *testing.T) {
	t.Parallel()
	got := share.Redact([]byte(`{"code":"0","msg":"ok","model":{"kycStatus":"approved","requestNo":"shr_1","email":"a@b.c","n":3},
		"individualInfo":{"firstName":"Eileen","number":"P1"},"list":["x"]}`))
	for _, leaked := range []string{"Eileen", "a@b.c", "P1", `"x"`, "3"} {
		if strings.Contains(got, leaked) {
			t.Errorf("%s leaked into %s", leaked, got)
		}
	}
	for _, kept := range []string{`"kycStatus":"approved"`, `"requestNo":"shr_1"`, `"code":"0"`} {
		if !strings.Contains(got, kept) {
			t.Errorf("%s missing from %s", kept, got)
		}
	}
	if got := share.Redact([]byte("<html>")); got != "(6 bytes, not JSON)" {
		t.Errorf("not JSON: %s", got)
	}
}

func TestLinks(t *testing.T) {
	t.Parallel()
	l := share.NewLinks([]byte("k"), "https://kycd.example/", time.Hour)
	u := l.URL(kyc.EnvLive, "fil_1")
	token, ok := strings.CutPrefix(u, "https://kycd.example"+share.LinkPath)
	if !ok {
		t.Fatalf("url %s", u)
	}
	env, id, err := l.Verify(token)
	if err != nil || env != kyc.EnvLive || id != "fil_1" {
		t.Fatalf("%s %s %v", env, id, err)
	}
	for name, bad := range map[string]string{
		"other file":  strings.Replace(token, "fil_1", "fil_2", 1),
		"other env":   strings.Replace(token, "live", "test", 1),
		"other key":   strings.TrimPrefix(share.NewLinks([]byte("j"), "", time.Hour).URL(kyc.EnvLive, "fil_1"), share.LinkPath),
		"expired":     strings.TrimPrefix(share.NewLinks([]byte("k"), "", time.Nanosecond).URL(kyc.EnvLive, "fil_1"), share.LinkPath),
		"not a token": "x",
	} {
		if _, _, err := l.Verify(bad); !errors.Is(err, kyc.ErrNotFound) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestAge(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	for dob, want := range map[string]int{"2008-03-10": 18, "2008-03-11": 17, "1960-12-31": 65, "1960-03-09": 66} {
		if got, ok := share.Age(dob, now); !ok || got != want {
			t.Errorf("%s: %d, want %d", dob, got, want)
		}
	}
	if _, ok := share.Age("1990-02-30", now); ok {
		t.Error("not a date")
	}
}

func TestMapStatusIgnoresCase(t *testing.T) {
	t.Parallel()
	m := map[string]string{"Passed": "approved"}
	if share.MapStatus(m, "PASSED") != "approved" || share.MapStatus(m, "Na") != "" {
		t.Fatal("map status")
	}
}

func TestRedactHidesNestedCodes(t *testing.T) {
	t.Parallel()
	got := share.Redact([]byte(`{"code":"000000","data":{"code":"one-time-auth-code","accessToken":"tok"}}`))
	if strings.Contains(got, "one-time-auth-code") || strings.Contains(got, "tok\"") || !strings.Contains(got, `"code":"000000"`) {
		t.Fatal(got)
	}
}
