package check

import (
	"testing"
	"time"

	"kycd/internal/kyc"
)

func TestDocumentDates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, issue, expiry, want string
	}{
		{"issued before expiry", "2020-01-01", "2030-01-01", "pass"},
		{"issued today", "2026-06-01", "2036-06-01", "pass"},
		{"only expiry", "", "2030-01-01", "pass"},
		{"only issue", "2020-01-01", "", "pass"},
		{"issued tomorrow in UTC, today in UTC+14", "2026-06-02", "2036-06-01", "pass"},
		{"issued in the future everywhere", "2026-06-03", "2036-06-01", ReasonInvalid},
		{"issued after expiry", "2030-01-02", "2030-01-01", ReasonInvalid},
		{"issued on expiry", "2020-01-01", "2020-01-01", ReasonInvalid},
		{"issue date not real", "2020-02-30", "2030-01-01", ReasonInvalid},
		{"expiry date not real", "2020-01-01", "2030-13-01", ReasonInvalid},
		{"no dates", "", "", "skip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := DocumentDates(&kyc.Identification{IssueDate: tt.issue, ExpiryDate: tt.expiry}, testNow)
			assertResult(t, r, NameDocumentDates, tt.want)
			if r.Failed != r.Decisive {
				t.Errorf("Decisive = %v on failed = %v: a date that cannot be on a document rejects it", r.Decisive, r.Failed)
			}
		})
	}
	assertResult(t, DocumentDates(nil, testNow), NameDocumentDates, "skip")
	// At 09:00 UTC it is 23:00 in UTC+14: tomorrow's date is nowhere yet.
	early := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	assertResult(t, DocumentDates(&kyc.Identification{IssueDate: "2026-06-02"}, early), NameDocumentDates, ReasonInvalid)
	// The server's own zone does not move the bound: 23:30 in New York is 17:30 the next day in UTC+14.
	ny := time.Date(2026, 6, 1, 23, 30, 0, 0, time.FixedZone("EDT", -4*60*60))
	assertResult(t, DocumentDates(&kyc.Identification{IssueDate: "2026-06-02"}, ny), NameDocumentDates, "pass")
	assertResult(t, DocumentDates(&kyc.Identification{IssueDate: "2026-06-03"}, ny), NameDocumentDates, ReasonInvalid)
}

func TestNotExpired(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, expiry, want string
	}{
		{"valid for years", "2030-01-01", "pass"},
		{"expires today", "2026-06-01", "pass"},
		{"expired yesterday", "2026-05-31", ReasonExpired},
		{"expired long ago", "2012-04-15", ReasonExpired},
		{"no expiry", "", "skip"},
		{"not a date", "2026-02-30", "skip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := NotExpired(&kyc.Identification{ExpiryDate: tt.expiry}, testNow)
			assertResult(t, r, NameNotExpired, tt.want)
			if r.Failed != r.Decisive {
				t.Errorf("Decisive = %v on failed = %v", r.Decisive, r.Failed)
			}
		})
	}
	assertResult(t, NotExpired(nil, testNow), NameNotExpired, "skip")
}

func TestExpiryPresent(t *testing.T) {
	t.Parallel()
	never := []string{"residence-permit"}
	tests := []struct {
		name string
		doc  *kyc.Document
		want string
	}{
		{"passport with expiry", &kyc.Document{Type: "identity-proof", Subtype: "passport",
			Identification: &kyc.Identification{ExpiryDate: "2030-01-01"}}, "pass"},
		{"passport without expiry", &kyc.Document{Type: "identity-proof", Subtype: "passport",
			Identification: &kyc.Identification{Number: "X"}}, ReasonExpiryMissing},
		{"passport without identification", &kyc.Document{Type: "identity-proof", Subtype: "passport"}, ReasonExpiryMissing},
		{"subtype that never expires", &kyc.Document{Type: "identity-proof", Subtype: "residence-permit"}, "skip"},
		{"address proof", &kyc.Document{Type: "address-proof", Subtype: "utility-bill"}, "skip"},
		{"nil", nil, "skip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertResult(t, ExpiryPresent(tt.doc, never), NameExpiryPresent, tt.want)
		})
	}
}
