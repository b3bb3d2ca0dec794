package console

import (
	"fmt"
	"testing"

	"kycd/internal/kyc"
)

// TestRequestRows: each request's attempts per document type it asks for count the applicant's
// documents of that type answering that request, and no other's.
func TestRequestRows(t *testing.T) {
	t.Parallel()
	reqs := []kyc.Request{
		{ID: "req_1", Documents: []kyc.RequestDocument{{Type: "identity-proof", MaxAttempts: 3}, {Type: "address-proof", MaxAttempts: 0}}},
		{ID: "req_2", Documents: []kyc.RequestDocument{{Type: "identity-proof", MaxAttempts: 1}}},
	}
	docs := []kyc.Document{
		{ID: "doc_a", RequestID: "req_1", Type: "identity-proof", Status: "rejected"},
		{ID: "doc_b", RequestID: "req_1", Type: "identity-proof", Status: "pending-review"},
		{ID: "doc_c", RequestID: "req_2", Type: "identity-proof", Status: "accepted"},
		{ID: "doc_d", Type: "identity-proof", Status: "accepted"},
		{ID: "doc_e", RequestID: "req_1", Type: "funds-proof"},
	}
	rows := requestRows(reqs, docs)
	if got := fmt.Sprint(rows[0].Attempts, rows[1].Attempts); got != "[{identity-proof 2 3} {address-proof 0 0}] [{identity-proof 1 1}]" {
		t.Fatalf("attempts: %s", got)
	}
}
