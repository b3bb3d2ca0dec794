package document_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/document"
	"kycd/internal/kyc"
	"kycd/internal/level"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
	"kycd/internal/verify"
)

// bundle is a document service on a real store, with two applicants of the test environment and
// one of live, each with two files.
type bundle struct {
	svc       *document.Service
	st        *store.Store
	anna, bob kyc.Applicant // of kyc.EnvTest
	live      kyc.Applicant // of kyc.EnvLive
	files     map[string][]string
}

// audit is the audit entry of a fixture's write.
func audit(id string) store.Effects {
	return store.Effects{Audit: kyc.AuditEntry{Actor: "test", Action: "create", ResourceType: "test", ResourceID: id}}
}

// setup returns a bundle on st whose store can insert the verification job a new document queues
// (nothing works the jobs, so documents stay pending until a test moves them).
func setup(t *testing.T, st *store.Store) *bundle {
	t.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[verify.Args]) error { return nil }))
	if err := st.InitJobs(store.JobsConfig{Workers: workers}); err != nil {
		t.Fatal(err)
	}
	b := &bundle{svc: document.NewService(st, level.Defaults()), st: st, files: map[string][]string{}}
	for _, a := range []*kyc.Applicant{&b.anna, &b.bob, &b.live} {
		*a = kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvTest, Type: "individual", Status: "unverified", Level: "L0"}
		if a == &b.live {
			a.Env = kyc.EnvLive
		}
		if err := st.CreateApplicant(t.Context(), a, audit(a.ID)); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: a.Env, ApplicantID: a.ID, Tag: "id-front", MIME: "image/jpeg", Size: 1, SHA256: "x",
				Width: 1, Height: 1}
			f.BlobKey = string(a.Env) + "/" + a.ID + "/" + f.ID
			if err := st.CreateFile(t.Context(), &f, audit(f.ID)); err != nil {
				t.Fatal(err)
			}
			b.files[a.ID] = append(b.files[a.ID], f.ID)
		}
	}
	return b
}

// passport is a valid new passport of a.
func (b *bundle) passport(a kyc.Applicant) document.Input {
	return document.Input{ApplicantID: a.ID, Type: "identity-proof", Subtype: "passport", FileIDs: b.files[a.ID][:1],
		Identification: &kyc.Identification{Number: "L898902C3", IssuingCountry: "SE", IssueDate: "2020-01-01", ExpiryDate: "2030-01-01"}}
}

// request stores a KYC request of a in status that asks for one document of type, and returns
// its id.
func (b *bundle) request(t *testing.T, a kyc.Applicant, status, typ string) string {
	t.Helper()
	r := kyc.Request{ID: kyc.NewID(kyc.PrefixRequest), Env: a.Env, ApplicantID: a.ID, Status: status, MatchLevel: 2, Level: "L1",
		Documents: []kyc.RequestDocument{{Type: typ, MaxAttempts: 3}}, ExpirationTime: time.Now().Add(time.Hour)}
	if err := b.st.CreateRequest(context.Background(), &r, audit(r.ID)); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// stored is the audit length of each environment: every stored change writes an entry.
func (b *bundle) stored(t *testing.T) [2]int64 {
	t.Helper()
	var out [2]int64
	for i, env := range []kyc.Env{kyc.EnvTest, kyc.EnvLive} {
		n, err := b.st.AuditLength(context.Background(), env)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = n
	}
	return out
}

// fields returns the sorted fields a *kyc.ValidationError names, or nil when err is not one.
func fields(err error) []string { return kyc.FieldNames(err) }

// TestCreateRefusesBadInput: a new document is refused with a *kyc.ValidationError naming exactly
// the bad fields: ids of the wrong kind, a type or a subtype that does not fit it, no files or the
// same file twice, identification dates that are not real or in the wrong order, a country that is
// not ISO, text with controls; and, checked when it is stored, an applicant, a file or a request
// that is not the applicant's in this environment, a request that is final or does not ask for
// the type. Nothing is stored.
func TestCreateRefusesBadInput(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		ctx := context.Background()
		change := func(f func(in *document.Input)) document.Input {
			in := b.passport(b.anna)
			f(&in)
			return in
		}
		ident := func(f func(id *kyc.Identification)) document.Input {
			return change(func(in *document.Input) { f(in.Identification) })
		}
		annaFile, bobFile, liveFile := b.files[b.anna.ID][0], b.files[b.bob.ID][0], b.files[b.live.ID][0]
		bobsRequest := b.request(t, b.bob, "gathering", "identity-proof")
		failedRequest := b.request(t, b.anna, "failed", "identity-proof")
		addressRequest := b.request(t, b.anna, "gathering", "address-proof")
		cases := []struct {
			name   string
			in     document.Input
			fields []string
		}{
			{"applicant id of another kind", change(func(in *document.Input) { in.ApplicantID = annaFile }), []string{"body.applicantId"}},
			{"no applicant", change(func(in *document.Input) { in.ApplicantID = "" }), []string{"body.applicantId"}},
			{"request id of another kind", change(func(in *document.Input) { in.RequestID = b.anna.ID }), []string{"body.requestId"}},
			{"unknown type", change(func(in *document.Input) { in.Type = "selfie" }), []string{"body.type"}},
			{"no type", change(func(in *document.Input) { in.Type, in.Subtype = "", "" }), []string{"body.type"}},
			{"subtype of another type", change(func(in *document.Input) { in.Type = "address-proof" }), []string{"body.subtype"}},
			{"unknown subtype", change(func(in *document.Input) { in.Subtype = "library-card" }), []string{"body.subtype"}},
			{"no files", change(func(in *document.Input) { in.FileIDs = nil }), []string{"body.fileIds"}},
			// The API's schema limits, for input that does not come through it (the hosted flow).
			{"holder name and number over their lengths", ident(func(id *kyc.Identification) {
				id.HolderName, id.Number = strings.Repeat("Å", 201), strings.Repeat("1", 65)
			}), []string{"body.identification.holderName", "body.identification.number"}},
			{"a file id of another kind", change(func(in *document.Input) { in.FileIDs = []string{annaFile, b.anna.ID} }), []string{"body.fileIds[1]"}},
			{"the same file twice", change(func(in *document.Input) { in.FileIDs = []string{annaFile, b.files[b.anna.ID][1], annaFile} }),
				[]string{"body.fileIds[2]"}},
			{"issue date that is not real", ident(func(id *kyc.Identification) { id.IssueDate = "2020-13-01" }), []string{"body.identification.issueDate"}},
			{"expiry date in another form", ident(func(id *kyc.Identification) { id.ExpiryDate = "01.01.2030" }), []string{"body.identification.expiryDate"}},
			{"expiring before issue", ident(func(id *kyc.Identification) { id.ExpiryDate = "2019-12-31" }), []string{"body.identification.expiryDate"}},
			{"expiring the day of issue", ident(func(id *kyc.Identification) { id.ExpiryDate = id.IssueDate }), []string{"body.identification.expiryDate"}},
			{"country that is not ISO", ident(func(id *kyc.Identification) { id.IssuingCountry = "Narnia" }), []string{"body.identification.issuingCountry"}},
			{"holder name with a bidirectional override", ident(func(id *kyc.Identification) { id.HolderName = "\u202eanna" }),
				[]string{"body.identification.holderName"}},
			{"number with a line feed", ident(func(id *kyc.Identification) { id.Number = "L89\n8902C3" }), []string{"body.identification.number"}},
			{"MRZ with a NUL", ident(func(id *kyc.Identification) { id.MRZ = "P<SWE\x00" }), []string{"body.identification.mrz"}},
			{"several at once", change(func(in *document.Input) {
				in.Type, in.FileIDs, in.Identification.IssuingCountry = "x", nil, "ZZ"
			}), []string{"body.fileIds", "body.identification.issuingCountry", "body.type"}},
			// Checked against what is stored:
			{"applicant of the other environment", b.passport(b.live), []string{"body.applicantId"}},
			{"applicant that does not exist", change(func(in *document.Input) { in.ApplicantID = kyc.NewID(kyc.PrefixApplicant) }),
				[]string{"body.applicantId"}},
			{"file of another applicant", change(func(in *document.Input) { in.FileIDs = []string{annaFile, bobFile} }), []string{"body.fileIds[1]"}},
			{"file of the other environment", change(func(in *document.Input) { in.FileIDs = []string{liveFile} }), []string{"body.fileIds[0]"}},
			{"request that does not exist", change(func(in *document.Input) { in.RequestID = kyc.NewID(kyc.PrefixRequest) }),
				[]string{"body.requestId"}},
			{"request of another applicant", change(func(in *document.Input) { in.RequestID = bobsRequest }), []string{"body.requestId"}},
			{"request that is final", change(func(in *document.Input) { in.RequestID = failedRequest }), []string{"body.requestId"}},
			{"request that does not ask for the type", change(func(in *document.Input) { in.RequestID = addressRequest }), []string{"body.type"}},
		}
		for _, c := range cases {
			before := b.stored(t)
			d, err := b.svc.Create(ctx, "test", kyc.EnvTest, c.in)
			if err == nil {
				t.Errorf("%s: accepted as %+v", c.name, d)
				continue
			}
			if got := fields(err); !slices.Equal(got, c.fields) {
				t.Errorf("%s: %v: names %v, want %v", c.name, err, got, c.fields)
			}
			if after := b.stored(t); after != before {
				t.Errorf("%s: refused but stored something (audit %v -> %v)", c.name, before, after)
			}
		}
		for _, a := range []kyc.Applicant{b.anna, b.bob} {
			if page, _ := b.svc.List(ctx, kyc.EnvTest, a.ID, "", 0); len(page.Items) != 0 {
				t.Errorf("refused documents were stored: %+v", page.Items)
			}
		}
	})
}

// TestCreateStoresPending: an accepted document is stored pending at revision 0 with its
// identification normalized (the issuing country as alpha-2, the number trimmed), an optional
// subtype, several files of its applicant, and one audit entry.
func TestCreateStoresPending(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		ctx := context.Background()
		in := b.passport(b.anna)
		in.Subtype, in.FileIDs = "", b.files[b.anna.ID]
		in.Identification.IssuingCountry, in.Identification.Number = "Sweden", " L898902C3 "
		d, err := b.svc.Create(ctx, "test", kyc.EnvTest, in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.svc.Get(ctx, kyc.EnvTest, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != "pending" || got.Revision != 0 || got.Env != kyc.EnvTest || got.ApplicantID != b.anna.ID ||
			got.Type != "identity-proof" || got.Subtype != "" || !slices.Equal(got.FileIDs, b.files[b.anna.ID]) {
			t.Errorf("stored %+v", got)
		}
		if id := got.Identification; id == nil || id.IssuingCountry != "SE" || id.Number != "L898902C3" {
			t.Errorf("stored identification %+v", got.Identification)
		}
		if trail, _ := st.AuditTrail(ctx, kyc.EnvTest, d.ID); len(trail) != 1 || trail[0].Action != "kyc-document.create" {
			t.Errorf("audit trail %+v", trail)
		}
		for _, sub := range []string{"utility-bill", "id-card"} {
			in := b.passport(b.anna)
			in.Type, in.Subtype, in.Identification = "address-proof", sub, nil
			if _, err := b.svc.Create(ctx, "test", kyc.EnvTest, in); err != nil {
				t.Errorf("address-proof %s: %v", sub, err)
			}
		}
	})
}
