package auth

import (
	"fmt"
	"testing"
)

// TestScopes: scopes parse, normalise and refuse as documented; write includes read; bare read and
// write cover every resource but the API keys; Covers stops a key from granting more than it has.
func TestScopes(t *testing.T) {
	t.Parallel()
	got, err := ParseScopes([]string{" write", "applicants:read", "write", ""})
	if err != nil || fmt.Sprint(got) != "[applicants:read write]" {
		t.Fatalf("ParseScopes = %v, %v", got, err)
	}
	for _, bad := range [][]string{nil, {""}, {"admin"}, {"applicants"}, {"people:read"}, {"applicants:delete"}, {":read"}} {
		if _, err := ParseScopes(bad); err == nil {
			t.Errorf("ParseScopes(%q) accepted", bad)
		}
	}
	for _, c := range []struct {
		scopes           []string
		resource, access string
		want             bool
	}{
		{[]string{"read"}, "applicants", Read, true},
		{[]string{"read"}, "applicants", Write, false},
		{[]string{"write"}, "kyc-documents", Read, true},
		{[]string{"read", "write"}, "api-keys", Read, false},
		{[]string{"api-keys:read"}, "api-keys", Read, true},
		{[]string{"api-keys:read"}, "api-keys", Write, false},
		{[]string{"applicants:write"}, "applicants", Read, true},
		{[]string{"applicants:write"}, "files", Read, false},
		{nil, "applicants", Read, false},
	} {
		if got := (Key{Scopes: c.scopes}).Allows(c.resource, c.access); got != c.want {
			t.Errorf("%v allows %s:%s = %v, want %v", c.scopes, c.resource, c.access, got, c.want)
		}
	}
	for _, c := range []struct {
		have, want []string
		ok         bool
	}{
		{[]string{"read", "write"}, []string{"applicants:read"}, true},
		{[]string{"read", "write"}, []string{"write"}, true},
		{[]string{"read", "write"}, []string{"api-keys:read"}, false},
		{[]string{"applicants:write", "api-keys:write"}, []string{"read"}, false},
		{[]string{"applicants:write", "api-keys:write"}, []string{"applicants:read", "api-keys:read"}, true},
	} {
		if got := Covers(c.have, c.want); got != c.ok {
			t.Errorf("Covers(%v, %v) = %v, want %v", c.have, c.want, got, c.ok)
		}
	}
}
