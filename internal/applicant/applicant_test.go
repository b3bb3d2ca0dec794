package applicant_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/riverqueue/river"

	"kycd/internal/applicant"
	"kycd/internal/kyc"
	"kycd/internal/screening"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// newService returns an applicant service on st, whose store can insert the screening job that
// a create or a screened change queues (nothing works the jobs).
func newService(t *testing.T, st *store.Store) *applicant.Service {
	t.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[screening.ApplicantArgs]) error { return nil }))
	if err := st.InitJobs(store.JobsConfig{Workers: workers}); err != nil {
		t.Fatal(err)
	}
	return applicant.NewService(st)
}

// fields returns the fields a *kyc.ValidationError names, or fails the test when err is not one.
func fields(t *testing.T, err error) []string {
	t.Helper()
	names := kyc.FieldNames(err)
	if names == nil {
		t.Fatalf("error %v, want a *kyc.ValidationError", err)
	}
	return names
}

// auditLength is how many audit entries env has: every stored change writes one.
func auditLength(t *testing.T, st *store.Store, env kyc.Env) int64 {
	t.Helper()
	n, err := st.AuditLength(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCreateRefusesBadInput: each kind of bad field is refused with a *kyc.ValidationError that
// names exactly the bad fields, as in the request body, all at once; nothing is stored.
func TestCreateRefusesBadInput(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		svc := newService(t, st)
		ctx := context.Background()
		cases := []struct {
			name   string
			in     applicant.Input
			fields []string
		}{
			{"unknown type", applicant.Input{Type: "robot"}, []string{"body.type"}},
			{"email without @", applicant.Input{Email: "anna-at-example.com"}, []string{"body.email"}},
			{"email with a display name", applicant.Input{Email: "Anna <anna@example.com>"}, []string{"body.email"}},
			{"email without a dot in its domain", applicant.Input{Email: "anna@localhost"}, []string{"body.email"}},
			{"date of birth that is not real", applicant.Input{Profile: &kyc.Profile{DateOfBirth: "2023-02-30"}}, []string{"body.profile.dateOfBirth"}},
			{"date of birth in another form", applicant.Input{Profile: &kyc.Profile{DateOfBirth: "12/08/1974"}}, []string{"body.profile.dateOfBirth"}},
			{"date of birth in the future", applicant.Input{Profile: &kyc.Profile{DateOfBirth: "2999-01-01"}}, []string{"body.profile.dateOfBirth"}},
			{"date of birth before 1900", applicant.Input{Profile: &kyc.Profile{DateOfBirth: "1899-12-31"}}, []string{"body.profile.dateOfBirth"}},
			{"unknown gender", applicant.Input{Profile: &kyc.Profile{Gender: "x"}}, []string{"body.profile.gender"}},
			{"countries that are not ISO 3166", applicant.Input{Profile: &kyc.Profile{Nationality: "XX", CountryOfResidence: "Atlantis"},
				Addresses: []kyc.Address{{Country: "SE"}, {Country: "EU"}}},
				[]string{"body.profile.nationality", "body.profile.countryOfResidence", "body.addresses[1].country"}},
			{"unknown address type", applicant.Input{Addresses: []kyc.Address{{Type: "holiday"}}}, []string{"body.addresses[0].type"}},
			{"phone country code of 4 digits", applicant.Input{Profile: &kyc.Profile{Phone: &kyc.Phone{CountryCode: "1234", Number: "42342348"}}},
				[]string{"body.profile.phone.countryCode"}},
			{"phone number of 16 digits", applicant.Input{Profile: &kyc.Profile{Phone: &kyc.Phone{CountryCode: "81", Number: "1234567890123456"}}},
				[]string{"body.profile.phone.number"}},
			{"phone without a number", applicant.Input{Profile: &kyc.Profile{Phone: &kyc.Phone{CountryCode: "81"}}},
				[]string{"body.profile.phone.number"}},
			{"phone number with spaces", applicant.Input{Profile: &kyc.Profile{Phone: &kyc.Phone{CountryCode: "+44", Number: "20 7946 0000"}}},
				[]string{"body.profile.phone.number"}},
			{"SSN of 8 digits", applicant.Input{Profile: &kyc.Profile{SSN: "123-45-678"}}, []string{"body.profile.ssn"}},
			{"IP address that is not one", applicant.Input{Profile: &kyc.Profile{IPAddress: "10.0.0.256"}}, []string{"body.profile.ipAddress"}},
			{"name with a bidirectional override", applicant.Input{Profile: &kyc.Profile{FirstName: "Anna\u202e"}}, []string{"body.profile.firstName"}},
			{"city with a line feed", applicant.Input{Addresses: []kyc.Address{{City: "Malmö\nLund"}}}, []string{"body.addresses[0].city"}},
			{"externalId with a NUL", applicant.Input{ExternalID: "u\x00"}, []string{"body.externalId"}},
			// The API's schema limits hold for input that does not come through it (the hosted
			// flow, the app endpoints call the service directly).
			{"names and a city over their lengths, six addresses", applicant.Input{ExternalID: strings.Repeat("u", 129),
				Profile:   &kyc.Profile{FirstName: strings.Repeat("å", 101), TaxID: strings.Repeat("1", 51)},
				Addresses: []kyc.Address{{City: strings.Repeat("c", 101)}, {}, {}, {}, {}, {}}},
				[]string{"body.externalId", "body.profile.firstName", "body.profile.taxId", "body.addresses", "body.addresses[0].city"}},
			{"several at once", applicant.Input{Type: "robot", Email: "x", Profile: &kyc.Profile{Gender: "x", Nationality: "ZZ"}},
				[]string{"body.type", "body.email", "body.profile.gender", "body.profile.nationality"}},
		}
		for _, c := range cases {
			before := auditLength(t, st, kyc.EnvTest)
			_, err := svc.Create(ctx, "test", kyc.EnvTest, c.in)
			if err == nil {
				t.Errorf("%s: accepted", c.name)
				continue
			}
			got := fields(t, err)
			slices.Sort(got)
			want := slices.Sorted(slices.Values(c.fields))
			if !slices.Equal(got, want) {
				t.Errorf("%s: errors name %v, want %v", c.name, got, want)
			}
			if after := auditLength(t, st, kyc.EnvTest); after != before {
				t.Errorf("%s: refused but stored something (audit %d -> %d)", c.name, before, after)
			}
		}
		page, err := svc.List(ctx, kyc.EnvTest, store.ApplicantFilter{}, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 0 {
			t.Errorf("refused applicants were stored: %d", len(page.Items))
		}
	})
}

// TestCreateNormalizes: what is accepted in several forms is stored in one: countries as alpha-2
// (from alpha-3 or an English name), a phone's country code without +, an SSN without dashes,
// emails and external ids without surrounding spaces; a missing type is individual, and a new
// applicant starts unverified at L0 with revision 0.
func TestCreateNormalizes(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		svc := newService(t, st)
		ctx := context.Background()
		a, err := svc.Create(ctx, "test", kyc.EnvTest, applicant.Input{
			ExternalID: "  user-1 ", Email: " anna@example.com ",
			Profile: &kyc.Profile{FirstName: "Anna", DateOfBirth: "1974-08-12", Nationality: "SWE", CountryOfResidence: "Norway",
				Phone: &kyc.Phone{CountryCode: " +46", Number: "701234567"}, SSN: "078-05-1120", IPAddress: "2001:db8::1"},
			Addresses: []kyc.Address{{Type: "residential", City: "Oslo", Country: "nor"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := svc.Get(ctx, kyc.EnvTest, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		p := got.Profile
		if got.ExternalID != "user-1" || got.Email != "anna@example.com" || got.Type != "individual" ||
			got.Status != "unverified" || got.Level != "L0" || got.Revision != 0 || got.Env != kyc.EnvTest {
			t.Errorf("stored %+v", got)
		}
		if p.Nationality != "SE" || p.CountryOfResidence != "NO" || p.Phone == nil || p.Phone.CountryCode != "46" || p.SSN != "078051120" {
			t.Errorf("stored profile %+v, phone %+v", p, p.Phone)
		}
		if len(got.Addresses) != 1 || got.Addresses[0].Country != "NO" {
			t.Errorf("stored addresses %+v", got.Addresses)
		}
		if trail, _ := st.AuditTrail(ctx, kyc.EnvTest, a.ID); len(trail) != 1 || trail[0].Action != "applicant.create" {
			t.Errorf("audit trail %+v, want one applicant.create", trail)
		}
	})
}

// TestExternalIDIsUniquePerEnvironment: a second applicant with an externalId already used in
// the environment is a conflict; the same externalId in the other environment is not.
func TestExternalIDIsUniquePerEnvironment(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		svc := newService(t, st)
		ctx := context.Background()
		if _, err := svc.Create(ctx, "test", kyc.EnvTest, applicant.Input{ExternalID: "u-1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Create(ctx, "test", kyc.EnvTest, applicant.Input{ExternalID: " u-1 "}); !errors.Is(err, kyc.ErrConflict) {
			t.Errorf("the same externalId again: %v, want ErrConflict", err)
		}
		if _, err := svc.Create(ctx, "test", kyc.EnvLive, applicant.Input{ExternalID: "u-1"}); err != nil {
			t.Errorf("the same externalId in the other environment: %v", err)
		}
	})
}

// TestOtherEnvironmentIsNotFound: an applicant is invisible from the other environment: reading
// or patching it is ErrNotFound, as is an id that is not an applicant id, and listing does not
// show it.
func TestOtherEnvironmentIsNotFound(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		svc := newService(t, st)
		ctx := context.Background()
		a, err := svc.Create(ctx, "test", kyc.EnvLive, applicant.Input{Profile: &kyc.Profile{FirstName: "Anna"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Get(ctx, kyc.EnvTest, a.ID); !errors.Is(err, kyc.ErrNotFound) {
			t.Errorf("Get from the other environment: %v, want ErrNotFound", err)
		}
		if _, err := svc.Update(ctx, "test", kyc.EnvTest, a.ID, []byte(`{"email":"x@example.com"}`)); !errors.Is(err, kyc.ErrNotFound) {
			t.Errorf("Update from the other environment: %v, want ErrNotFound", err)
		}
		for _, id := range []string{"", "doc_" + a.ID[4:], "apl_", "apl_../../x"} {
			if _, err := svc.Get(ctx, kyc.EnvLive, id); !errors.Is(err, kyc.ErrNotFound) {
				t.Errorf("Get %q: %v, want ErrNotFound", id, err)
			}
			if _, err := svc.Update(ctx, "test", kyc.EnvLive, id, []byte(`{}`)); !errors.Is(err, kyc.ErrNotFound) {
				t.Errorf("Update %q: %v, want ErrNotFound", id, err)
			}
		}
		page, err := svc.List(ctx, kyc.EnvTest, store.ApplicantFilter{}, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 0 {
			t.Errorf("the test environment lists %d applicants of live", len(page.Items))
		}
		got, err := svc.Get(ctx, kyc.EnvLive, a.ID)
		if err != nil || got.Profile.FirstName != "Anna" || got.Email != "" {
			t.Errorf("the applicant in its own environment: %+v, %v", got, err)
		}
	})
}

// TestListFilters: List filters by status and externalId, refuses an unknown status naming
// query.status and a forged cursor naming query.cursor, and pages newest first without a gap or
// a repeat.
func TestListFilters(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		svc := newService(t, st)
		ctx := context.Background()
		var ids []string
		for _, ext := range []string{"a", "b", "c", "d", "e"} {
			a, err := svc.Create(ctx, "test", kyc.EnvTest, applicant.Input{ExternalID: ext})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.ID)
		}
		slices.Reverse(ids) // newest first

		var listed []string
		cursor := ""
		for range 3 {
			page, err := svc.List(ctx, kyc.EnvTest, store.ApplicantFilter{}, cursor, 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range page.Items {
				listed = append(listed, a.ID)
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		if !slices.Equal(listed, ids) || cursor != "" {
			t.Errorf("pages of 2 listed %v (next %q), want %v", listed, cursor, ids)
		}

		page, err := svc.List(ctx, kyc.EnvTest, store.ApplicantFilter{ExternalID: "c"}, "", 0)
		if err != nil || len(page.Items) != 1 || page.Items[0].ExternalID != "c" {
			t.Errorf("externalId c: %+v, %v", page.Items, err)
		}
		page, err = svc.List(ctx, kyc.EnvTest, store.ApplicantFilter{Status: "approved"}, "", 0)
		if err != nil || len(page.Items) != 0 {
			t.Errorf("status approved: %+v, %v", page.Items, err)
		}
		page, err = svc.List(ctx, kyc.EnvTest, store.ApplicantFilter{Status: "unverified"}, "", 0)
		if err != nil || len(page.Items) != 5 {
			t.Errorf("status unverified: %d items, %v", len(page.Items), err)
		}

		_, err = svc.List(ctx, kyc.EnvTest, store.ApplicantFilter{Status: "verified"}, "", 0)
		if got := fields(t, err); !slices.Equal(got, []string{"query.status"}) {
			t.Errorf("unknown status: errors name %v", got)
		}
		_, err = svc.List(ctx, kyc.EnvTest, store.ApplicantFilter{}, "not-a-cursor", 0)
		if got := fields(t, err); !slices.Equal(got, []string{"query.cursor"}) {
			t.Errorf("forged cursor: errors name %v", got)
		}
	})
}
