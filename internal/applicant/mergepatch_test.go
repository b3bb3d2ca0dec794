package applicant_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"kycd/internal/applicant"
	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// anna is a full applicant input that the merge-patch tests change.
func anna() applicant.Input {
	return applicant.Input{ExternalID: "u-1", Email: "anna@example.com",
		Profile: &kyc.Profile{FirstName: "Anna", LastName: "Eriksson", DateOfBirth: "1974-08-12", Nationality: "SE",
			Phone: &kyc.Phone{CountryCode: "46", Number: "701234567"}, Occupation: "11-1011"},
		Addresses: []kyc.Address{{Type: "residential", City: "Malmö", Country: "SE"}, {Type: "mailing", City: "Lund", Country: "SE"}}}
}

// TestUpdateIsAMergePatch: Update applies RFC 7396: a member present replaces, null removes, an
// absent member keeps its value, objects merge member by member at any depth, and arrays are
// replaced whole. The result is validated and normalized as a create is, and each accepted patch
// is one revision and one audit entry.
func TestUpdateIsAMergePatch(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		svc := newService(t, st)
		ctx := context.Background()
		cases := []struct {
			name  string
			patch string
			check func(a kyc.Applicant) bool
		}{
			{"empty patch keeps everything", `{}`, func(a kyc.Applicant) bool {
				return a.Email == "anna@example.com" && a.Profile.FirstName == "Anna" && len(a.Addresses) == 2 && a.Profile.Phone != nil
			}},
			{"a nested member replaces only itself", `{"profile":{"firstName":"Annie"}}`, func(a kyc.Applicant) bool {
				return a.Profile.FirstName == "Annie" && a.Profile.LastName == "Eriksson" && a.Profile.DateOfBirth == "1974-08-12" &&
					a.Email == "anna@example.com"
			}},
			{"two levels down", `{"profile":{"phone":{"number":"709999999"}}}`, func(a kyc.Applicant) bool {
				return a.Profile.Phone != nil && a.Profile.Phone.Number == "709999999" && a.Profile.Phone.CountryCode == "46"
			}},
			{"null removes a nested member", `{"profile":{"phone":null,"occupation":null}}`, func(a kyc.Applicant) bool {
				return a.Profile.Phone == nil && a.Profile.Occupation == "" && a.Profile.FirstName == "Anna"
			}},
			{"null removes a top-level member", `{"email":null}`, func(a kyc.Applicant) bool {
				return a.Email == "" && a.Profile.FirstName == "Anna"
			}},
			{"an empty string clears the email", `{"email":""}`, func(a kyc.Applicant) bool { return a.Email == "" }},
			{"an array is replaced whole", `{"addresses":[{"city":"Oslo","country":"Norway"}]}`, func(a kyc.Applicant) bool {
				return len(a.Addresses) == 1 && a.Addresses[0].City == "Oslo" && a.Addresses[0].Type == "" && a.Addresses[0].Country == "NO"
			}},
			{"null removes an array", `{"addresses":null}`, func(a kyc.Applicant) bool {
				return a.Addresses != nil && len(a.Addresses) == 0
			}},
			{"null removes the whole profile", `{"profile":null}`, func(a kyc.Applicant) bool {
				p := a.Profile
				return p.FirstName == "" && p.LastName == "" && p.DateOfBirth == "" && p.Nationality == "" && p.Phone == nil &&
					p.Occupation == "" && a.Email == "anna@example.com"
			}},
			{"a member replaces", `{"type":"business"}`, func(a kyc.Applicant) bool { return a.Type == "business" }},
			{"null type is individual again", `{"type":null}`, func(a kyc.Applicant) bool { return a.Type == "individual" }},
			{"the result is normalized", `{"profile":{"nationality":"Norway","phone":{"countryCode":"+47"}},"email":" a@example.org "}`,
				func(a kyc.Applicant) bool {
					return a.Profile.Nationality == "NO" && a.Profile.Phone.CountryCode == "47" && a.Email == "a@example.org"
				}},
		}
		for _, c := range cases {
			in := anna()
			in.ExternalID = "" // externalIds are unique: one applicant per case
			a, err := svc.Create(ctx, "test", kyc.EnvTest, in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := svc.Update(ctx, "test", kyc.EnvTest, a.ID, []byte(c.patch))
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			stored, err := svc.Get(ctx, kyc.EnvTest, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !c.check(got) || !c.check(stored) {
				t.Errorf("%s: returned %+v\nstored %+v", c.name, got, stored)
			}
			if stored.Revision != 1 {
				t.Errorf("%s: revision %d, want 1", c.name, stored.Revision)
			}
			if trail, _ := st.AuditTrail(ctx, kyc.EnvTest, a.ID); len(trail) != 2 || trail[1].Action != "applicant.update" {
				t.Errorf("%s: audit trail %+v", c.name, trail)
			}
			// A second patch starts from what the first left.
			if _, err := svc.Update(ctx, "test", kyc.EnvTest, a.ID, []byte(`{"profile":{"taxId":"T-1"}}`)); err != nil {
				t.Fatal(err)
			}
			again, _ := svc.Get(ctx, kyc.EnvTest, a.ID)
			if again.Profile.TaxID != "T-1" || !c.check(again) {
				t.Errorf("%s: after a second patch %+v", c.name, again)
			}
		}
	})
}

// TestRefusedPatchChangesNothing: a patch that is not JSON, not a JSON object, names an unknown
// member or gives one twice, or whose result is invalid is refused with the field named, and the
// applicant keeps its revision, its data and its audit trail.
func TestRefusedPatchChangesNothing(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		svc := newService(t, st)
		ctx := context.Background()
		a, err := svc.Create(ctx, "test", kyc.EnvTest, anna())
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name   string
			patch  string
			fields []string
		}{
			{"an array", `[{"op":"replace","path":"/email","value":"x@example.com"}]`, []string{"body"}},
			{"a string", `"anna"`, []string{"body"}},
			{"null", `null`, []string{"body"}},
			{"an unknown member", `{"nickname":"x"}`, []string{"body.nickname"}},
			{"an unknown member set to null", `{"nickname":null}`, []string{"body.nickname"}},
			{"an unknown nested member set to null", `{"profile":{"shoeSize":null}}`, []string{"body.profile.shoeSize"}},
			{"an unknown nested member", `{"profile":{"shoeSize":44}}`, []string{"body.profile.shoeSize"}},
			{"a member of the wrong kind", `{"profile":{"firstName":7}}`, []string{"body.profile.firstName"}},
			{"a bad country", `{"profile":{"nationality":"ZZ"}}`, []string{"body.profile.nationality"}},
			{"a bad merged phone", `{"profile":{"phone":{"number":"12-34"}}}`, []string{"body.profile.phone.number"}},
			{"a bad address among good ones", `{"addresses":[{"country":"SE"},{"country":"EU","type":"x"}]}`,
				[]string{"body.addresses[1].country", "body.addresses[1].type"}},
			{"a valid change with an invalid one", `{"email":"new@example.com","type":"robot"}`, []string{"body.type"}},
			{"JSON that ends too early", `{"email":`, []string{"body.email"}},
			{"a member given twice", `{"email":"a@example.com","email":"b@example.com"}`, []string{"body.email"}},
			{"an object that is a string", `{"profile":"Anna"}`, []string{"body.profile"}},
			{"an array that is an object", `{"addresses":{"city":"Oslo"}}`, []string{"body.addresses"}},
			{"a time that is not one", `{"profile":{"registeredAt":"yesterday"}}`, []string{"body.profile.registeredAt"}},
			{"null removing a required part", `{"profile":{"phone":{"number":null}}}`, []string{"body.profile.phone.number"}},
		}
		for _, c := range cases {
			_, err := svc.Update(ctx, "test", kyc.EnvTest, a.ID, []byte(c.patch))
			var ve *kyc.ValidationError
			if !errors.As(err, &ve) {
				t.Errorf("%s: %v, want a validation error", c.name, err)
				continue
			}
			got := fields(t, err)
			slices.Sort(got)
			if want := slices.Sorted(slices.Values(c.fields)); !slices.Equal(got, want) {
				t.Errorf("%s: errors name %v, want %v", c.name, got, want)
			}
		}
		got, err := svc.Get(ctx, kyc.EnvTest, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Revision != 0 || got.Email != "anna@example.com" || got.Type != "individual" || got.Profile.Nationality != "SE" ||
			got.Profile.Phone.Number != "701234567" || len(got.Addresses) != 2 {
			t.Errorf("refused patches changed the applicant: %+v", got)
		}
		if trail, _ := st.AuditTrail(ctx, kyc.EnvTest, a.ID); len(trail) != 1 {
			t.Errorf("refused patches wrote %d audit entries", len(trail)-1)
		}
	})
}

// TestPatchScreensOnlyWhatIsScreened: a change to what screening reads (names, date of birth,
// nationality, type) queues a new screening of the applicant; a change to anything else (email,
// phone, address) does not. Patch is the change Update commits, so its effects are what is stored.
func TestPatchScreensOnlyWhatIsScreened(t *testing.T) {
	t.Parallel()
	in := anna()
	base := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvTest, Type: "individual", ExternalID: in.ExternalID,
		Email: in.Email, Profile: *in.Profile, Addresses: in.Addresses, Status: "unverified", Level: "L0"}
	cases := []struct {
		patch  string
		screen bool
	}{
		{`{"profile":{"lastName":"Svensson"}}`, true},
		{`{"profile":{"firstNameLatin":"Anna"}}`, true},
		{`{"profile":{"dateOfBirth":"1975-08-12"}}`, true},
		{`{"profile":{"nationality":"NOR"}}`, true},
		{`{"type":"business"}`, true},
		{`{"profile":{"nationality":"SWE"}}`, false}, // the same country in another form
		{`{"email":"new@example.com"}`, false},
		{`{"profile":{"phone":null}}`, false},
		{`{"addresses":[]}`, false},
		{`{}`, false},
	}
	for _, c := range cases {
		a := base
		a.Profile.Phone = &kyc.Phone{CountryCode: "46", Number: "701234567"}
		eff, err := applicant.Patch("test", kyc.EnvTest, []byte(c.patch))(&a)
		if err != nil {
			t.Errorf("%s: %v", c.patch, err)
			continue
		}
		if got := len(eff.Jobs) == 1; got != c.screen || len(eff.Jobs) > 1 {
			t.Errorf("%s: %d jobs, want a screening: %v", c.patch, len(eff.Jobs), c.screen)
		}
		if len(eff.Events) != 1 || eff.Events[0].Type != kyc.EventApplicantUpdated || eff.Audit.Action != "applicant.update" ||
			eff.Audit.ResourceID != a.ID {
			t.Errorf("%s: effects %+v", c.patch, eff)
		}
	}
}
