package request

import (
	"testing"

	"kycd/internal/kyc"
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
	evs := Advance(c)
	if c.Request.Status != "fulfilled" || c.Applicant.Status != "approved" || c.Applicant.Level != "L1" {
		t.Fatalf("after Advance: request %s, applicant %s %s", c.Request.Status, c.Applicant.Status, c.Applicant.Level)
	}
	if len(evs) != 2 || evs[0].Type != kyc.EventRequestFulfilled || evs[1].Type != kyc.EventApplicantUpdated {
		t.Fatalf("events: %+v", evs)
	}
	if evs := Advance(c); len(evs) != 0 {
		t.Fatalf("a second Advance changed something: %+v", evs)
	}
}
