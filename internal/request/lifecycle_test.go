package request

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/level"
	"kycd/internal/store"
)

func TestStatusFollowsDocuments(t *testing.T) {
	t.Parallel()
	id := kyc.RequestDocument{Type: "identity-proof", MaxAttempts: 3}
	addr := kyc.RequestDocument{Type: "address-proof", MaxAttempts: 1}
	doc := func(typ, status string) *kyc.Document { return &kyc.Document{Type: typ, Status: status} }
	tests := []struct {
		name string
		req  []kyc.RequestDocument
		docs []*kyc.Document
		want string
	}{
		{"nothing yet", []kyc.RequestDocument{id}, nil, "gathering"},
		{"being checked", []kyc.RequestDocument{id}, []*kyc.Document{doc("identity-proof", "in-progress")}, "gathering"},
		{"accepted", []kyc.RequestDocument{id}, []*kyc.Document{doc("identity-proof", "accepted")}, "fulfilled"},
		{"rejected, retries left", []kyc.RequestDocument{id}, []*kyc.Document{doc("identity-proof", "rejected")}, "attempted"},
		{"rejected then retried", []kyc.RequestDocument{id}, []*kyc.Document{doc("identity-proof", "rejected"), doc("identity-proof", "pending")}, "gathering"},
		{"three rejections", []kyc.RequestDocument{id}, []*kyc.Document{doc("identity-proof", "rejected"), doc("identity-proof", "rejected"), doc("identity-proof", "rejected")}, "failed"},
		{"in review", []kyc.RequestDocument{id}, []*kyc.Document{doc("identity-proof", "pending-review")}, "pending-review"},
		{"one of two accepted", []kyc.RequestDocument{id, addr}, []*kyc.Document{doc("identity-proof", "accepted")}, "partial"},
		{"one accepted, the other rejected with attempts", []kyc.RequestDocument{id, {Type: "address-proof", MaxAttempts: 2}},
			[]*kyc.Document{doc("identity-proof", "accepted"), doc("address-proof", "rejected")}, "partial"},
		{"one accepted, the other out of attempts", []kyc.RequestDocument{id, addr}, []*kyc.Document{doc("identity-proof", "accepted"), doc("address-proof", "rejected")}, "failed"},
		{"unlimited attempts", []kyc.RequestDocument{{Type: "identity-proof"}}, []*kyc.Document{doc("identity-proof", "rejected"), doc("identity-proof", "rejected"), doc("identity-proof", "rejected"), doc("identity-proof", "rejected")}, "attempted"},
		{"both accepted", []kyc.RequestDocument{id, addr}, []*kyc.Document{doc("identity-proof", "accepted"), doc("address-proof", "accepted")}, "fulfilled"},
	}
	for _, tt := range tests {
		r := &kyc.Request{Status: "gathering", Documents: tt.req}
		if got := Status(r, tt.docs); got != tt.want {
			t.Errorf("%s: Status = %s, want %s", tt.name, got, tt.want)
		}
	}
	if got := Status(&kyc.Request{Status: "expired", Documents: []kyc.RequestDocument{id}}, []*kyc.Document{doc("identity-proof", "accepted")}); got != "expired" {
		t.Errorf("a final request changed: %s", got)
	}
}

func TestAdvanceMovesTheApplicant(t *testing.T) {
	t.Parallel()
	c := &store.Case{
		Request:   &kyc.Request{ID: "req_1", Status: "gathering", Level: "L1", Documents: []kyc.RequestDocument{{Type: "identity-proof", MaxAttempts: 3}}},
		Documents: []*kyc.Document{{Type: "identity-proof", Status: "accepted"}},
		Applicant: &kyc.Applicant{ID: "apl_1", Status: "unverified", Level: "L0"},
	}
	c.Initial = store.CaseStatus{Request: "gathering", Applicant: "unverified", ApplicantLevel: "L0"}
	evs := Advance(c, builtin(t))
	if c.Request.Status != "fulfilled" || c.Applicant.Status != "approved" || c.Applicant.Level != "L1" {
		t.Fatalf("after Advance: request %s, applicant %s %s", c.Request.Status, c.Applicant.Status, c.Applicant.Level)
	}
	if len(evs) != 2 || evs[0].Type != kyc.EventRequestFulfilled || evs[1].Type != kyc.EventApplicantUpdated {
		t.Fatalf("events: %+v", evs)
	}
	c.Initial = store.CaseStatus{Request: c.Request.Status, Applicant: c.Applicant.Status, ApplicantLevel: c.Applicant.Level}
	if evs := Advance(c, builtin(t)); len(evs) != 0 {
		t.Fatalf("a second Advance changed something: %+v", evs)
	}
}

func builtin(t *testing.T) *level.Set {
	t.Helper()
	s, err := level.Load("", level.Known{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// withCustom is the built-in levels plus EU-L2, a level of a levels file that requires an
// identity document and a proof of address only.
func withCustom(t *testing.T) *level.Set {
	t.Helper()
	path := filepath.Join(t.TempDir(), "levels.json")
	if err := os.WriteFile(path, []byte(`{"levels":[{"name":"EU-L2","base":"L1","documents":["identity-proof","address-proof"]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := level.Load(path, level.Known{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestLevelIsGrantedOnlyWhenEveryRequiredTypeIsAccepted walks every built-in level and a level of
// a levels file: a fulfilled request approves the applicant at its level only when the accepted
// documents cover what the level requires, and never lowers a level the applicant holds.
func TestLevelIsGrantedOnlyWhenEveryRequiredTypeIsAccepted(t *testing.T) {
	t.Parallel()
	levels := withCustom(t)
	accepted := func(types ...string) []*kyc.Document {
		var out []*kyc.Document
		for _, typ := range types {
			out = append(out, &kyc.Document{Type: typ, Status: "accepted"})
		}
		return out
	}
	req := func(types ...string) []kyc.RequestDocument {
		var out []kyc.RequestDocument
		for _, typ := range types {
			out = append(out, kyc.RequestDocument{Type: typ, MaxAttempts: 3})
		}
		return out
	}
	tests := []struct {
		name       string
		level      string
		asked      []string
		from       string
		earlier    []string
		wantStatus string
		wantLevel  string
	}{
		{"L0 with an address proof", "L0", []string{"address-proof"}, "L0", nil, "approved", "L0"},
		{"L1 with an identity document", "L1", []string{"identity-proof"}, "L0", nil, "approved", "L1"},
		{"L2 with all three", "L2", []string{"identity-proof", "address-proof", "funds-proof"}, "L0", nil, "approved", "L2"},
		{"L2 asking only for identity (a request made before the rule)", "L2", []string{"identity-proof"}, "L0", nil, "unverified", "L0"},
		{"L2 missing funds", "L2", []string{"identity-proof", "address-proof"}, "L1", nil, "unverified", "L1"},
		{"custom EU-L2 covered", "EU-L2", []string{"identity-proof", "address-proof"}, "L1", nil, "approved", "EU-L2"},
		{"custom EU-L2 not covered", "EU-L2", []string{"identity-proof"}, "L0", nil, "unverified", "L0"},
		{"L1 never lowers L2", "L1", []string{"identity-proof"}, "L2", nil, "approved", "L2"},
		{"L2 with address and funds accepted in an earlier request", "L2", []string{"identity-proof"}, "L1", []string{"address-proof", "funds-proof"}, "approved", "L2"},
		{"an unknown level grants nothing", "GONE", []string{"identity-proof"}, "L0", nil, "unverified", "L0"},
	}
	for _, tt := range tests {
		c := &store.Case{
			Request:   &kyc.Request{ID: "req_1", Status: "gathering", Level: tt.level, Documents: req(tt.asked...)},
			Documents: accepted(tt.asked...),
			Applicant: &kyc.Applicant{ID: "apl_1", Status: "unverified", Level: tt.from},
			Earlier:   tt.earlier,
		}
		c.Initial = store.CaseStatus{Request: "gathering", Applicant: "unverified", ApplicantLevel: tt.from}
		Advance(c, levels)
		if c.Request.Status != "fulfilled" || c.Applicant.Status != tt.wantStatus || c.Applicant.Level != tt.wantLevel {
			t.Errorf("%s: request %s, applicant %s at %s; want fulfilled, %s at %s", tt.name, c.Request.Status,
				c.Applicant.Status, c.Applicant.Level, tt.wantStatus, tt.wantLevel)
		}
	}
}

// TestAdvanceTellsEveryStatusChange: one event per status that changed, document first.
func TestAdvanceTellsEveryStatusChange(t *testing.T) {
	t.Parallel()
	doc := &kyc.Document{ID: "doc_1", Type: "identity-proof", Status: "pending-review"}
	c := &store.Case{
		Document:  doc,
		Request:   &kyc.Request{ID: "req_1", Status: "gathering", Level: "L1", Documents: []kyc.RequestDocument{{Type: "identity-proof", MaxAttempts: 3}}},
		Documents: []*kyc.Document{doc},
		Applicant: &kyc.Applicant{ID: "apl_1", Status: "unverified", Level: "L0"},
		Initial:   store.CaseStatus{Document: "pending", Request: "gathering", Applicant: "unverified", ApplicantLevel: "L0"},
	}
	evs := Advance(c, builtin(t))
	var got []string
	for _, e := range evs {
		got = append(got, e.Type)
	}
	want := []string{kyc.EventDocumentPendingReview, kyc.EventRequestPendingReview, kyc.EventApplicantUpdated}
	if !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}

// TestDecidedNamesWhatFollowed: a decision's effects keep the caller's audit entry and events,
// gain Advance's events, and gain an audit entry, by the same actor, for the request and the
// applicant that followed the document; none for what did not change.
func TestDecidedNamesWhatFollowed(t *testing.T) {
	t.Parallel()
	actor := kyc.Actor("user:usr_1")
	newCase := func() *store.Case {
		doc := &kyc.Document{ID: "doc_1", Type: "identity-proof", Status: "pending-review"}
		c := &store.Case{
			Document:  doc,
			Request:   &kyc.Request{ID: "req_1", Status: "pending-review", Level: "L1", Documents: []kyc.RequestDocument{{Type: "identity-proof", MaxAttempts: 3}}},
			Documents: []*kyc.Document{doc},
			Applicant: &kyc.Applicant{ID: "apl_1", Status: "pending-review", Level: "L0"},
			Initial:   store.CaseStatus{Document: "pending-review", Request: "pending-review", Applicant: "pending-review", ApplicantLevel: "L0"},
		}
		c.Snapshot()
		return c
	}
	own := store.Effects{
		Audit:  kyc.AuditEntry{Actor: actor, Action: "kyc-document.review", ResourceType: "kyc-document", ResourceID: "doc_1"},
		Events: []store.NewEvent{{Type: kyc.EventDocumentReviewed, ResourceType: "kyc-document", ResourceID: "doc_1"}},
	}

	c := newCase()
	c.Document.Status = "accepted"
	eff := Decided(c, own, builtin(t))
	if eff.Audit != own.Audit {
		t.Errorf("audit %+v, want the caller's %+v", eff.Audit, own.Audit)
	}
	var events []string
	for _, e := range eff.Events {
		events = append(events, e.Type)
	}
	wantEvents := []string{kyc.EventDocumentReviewed, kyc.EventDocumentAccepted, kyc.EventRequestFulfilled, kyc.EventApplicantUpdated}
	if !slices.Equal(events, wantEvents) {
		t.Errorf("events %v, want %v", events, wantEvents)
	}
	wantAudit := []kyc.AuditEntry{
		{Actor: actor, Action: "kyc-request.advance", ResourceType: "kyc-request", ResourceID: "req_1"},
		{Actor: actor, Action: "applicant.follow-request", ResourceType: "applicant", ResourceID: "apl_1"},
	}
	if !slices.Equal(eff.MoreAudit, wantAudit) {
		t.Errorf("more audit %+v, want %+v", eff.MoreAudit, wantAudit)
	}

	// A note-only change of the document moves neither the request nor the applicant.
	c = newCase()
	c.Document.Review = &kyc.Review{Reviewer: actor, Outcome: "pending-review"}
	if eff := Decided(c, own, builtin(t)); len(eff.MoreAudit) != 0 || len(eff.Events) != 1 {
		t.Errorf("nothing followed, yet: audit %+v, events %+v", eff.MoreAudit, eff.Events)
	}

	// An applicant changed by the caller alone (a sanctions hold) is recorded too.
	c = newCase()
	c.Applicant.Status = "rejected"
	eff = Decided(c, store.Effects{Audit: own.Audit}, builtin(t))
	if len(eff.MoreAudit) != 1 || eff.MoreAudit[0].Action != "applicant.follow-request" {
		t.Errorf("more audit %+v, want the applicant's alone", eff.MoreAudit)
	}
}
