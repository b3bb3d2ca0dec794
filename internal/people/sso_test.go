package people_test

import (
	"encoding/json"
	"errors"
	"testing"

	"kycd/internal/people"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// claims makes an ID token's claims from values.
func claims(t *testing.T, values map[string]any) people.Claims {
	t.Helper()
	all := map[string]json.RawMessage{}
	for k, v := range values {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		all[k] = raw
	}
	return people.Claims{Issuer: "https://id.example.com", All: all}
}

// TestSSORoles: the role claim is a string or a list, whose highest role wins; with a role map
// only its values count; a claim that gives no role refuses the person and creates nobody.
func TestSSORoles(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		plain, err := people.NewService(st, people.Config{IndexKey: []byte("index-key"), Argon2: cheap})
		if err != nil {
			t.Fatal(err)
		}
		mapped, err := people.NewService(st, people.Config{IndexKey: []byte("index-key"), Argon2: cheap,
			SSO: people.SSO{RoleClaim: "groups", RoleMap: map[string]people.Role{"kyc-team": people.Reviewer, "kyc-leads": people.Approver}}})
		if err != nil {
			t.Fatal(err)
		}
		created := 0
		for i, c := range []struct {
			s      *people.Service
			claim  string
			value  any
			want   people.Role
			reason error
		}{
			{plain, "kycd_role", "approver", people.Approver, nil},
			{plain, "kycd_role", []string{"viewer", "admin", "reviewer"}, people.Admin, nil},
			{plain, "kycd_role", []string{"boss", "viewer"}, people.Viewer, nil},
			{plain, "kycd_role", "boss", "", people.ErrNoRole},
			{plain, "kycd_role", 3, "", people.ErrNoRole},
			{plain, "roles", "admin", "", people.ErrNoRole},
			{mapped, "groups", []string{"kyc-team", "kyc-leads", "admin"}, people.Approver, nil},
			{mapped, "groups", "admin", "", people.ErrNoRole},
			{mapped, "groups", "kyc-team", people.Reviewer, nil},
		} {
			sub := string(rune('a' + i))
			_, ss, u, err := c.s.SignInSSO(ctx, claims(t, map[string]any{"sub": sub, "email": sub + "@example.com", c.claim: c.value}))
			if c.reason != nil {
				if !errors.Is(err, c.reason) {
					t.Errorf("%d: %v %v: %v, want %v", i, c.claim, c.value, err, c.reason)
				}
			} else if err != nil || u.Role != c.want || ss.MFA || !u.SSO {
				t.Errorf("%d: %v %v: %+v %+v %v, want %s", i, c.claim, c.value, u, ss, err, c.want)
			} else {
				created++
			}
			if list, err := plain.Users(ctx, "", 100); err != nil || len(list.Items) != created {
				t.Fatalf("%d: %d people, want %d (%v)", i, len(list.Items), created, err)
			}
		}
		// Another subject with the email of a person created by single sign-on is not them.
		if _, _, _, err := plain.SignInSSO(ctx, claims(t, map[string]any{"sub": "z", "email": "a@example.com", "email_verified": true, "kycd_role": "admin"})); !errors.Is(err, people.ErrNotLinked) {
			t.Fatalf("another subject, same email: %v", err)
		}
		// Nor is the same subject of another issuer.
		other := claims(t, map[string]any{"sub": "a", "email": "a@example.com", "email_verified": true, "kycd_role": "admin"})
		other.Issuer = "https://other.example.com"
		if _, _, _, err := plain.SignInSSO(ctx, other); !errors.Is(err, people.ErrNotLinked) {
			t.Fatalf("another issuer, same subject and email: %v", err)
		}
	})
}

func TestParseRoleMap(t *testing.T) {
	t.Parallel()
	m, err := people.ParseRoleMap(" kyc-team = reviewer ,, cn=x=admin ")
	if err == nil {
		t.Fatalf("a value with = in it parsed: %v", m)
	}
	m, err = people.ParseRoleMap(" kyc-team = reviewer ,,kyc-admins=admin")
	if err != nil || len(m) != 2 || m["kyc-team"] != people.Reviewer || m["kyc-admins"] != people.Admin {
		t.Fatalf("%v %v", m, err)
	}
	if m, err := people.ParseRoleMap(""); err != nil || len(m) != 0 {
		t.Fatalf("empty: %v %v", m, err)
	}
}
