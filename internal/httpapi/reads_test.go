package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestReadsOfPersonalDataAreAudited: reading an applicant, a KYC document, a file's content or its reading, or an
// event (alone or in a list) writes an audit entry naming the key and each resource read; a read
// refused (404, or another environment's resource) writes nothing.
func TestReadsOfPersonalDataAreAudited(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			apl := e.mustApplicant(e.testKey)
			fil := e.mustFile(e.testKey, apl)
			r := e.json(http.MethodPost, "/v1/kyc-documents", e.testKey, `{"applicantId":"`+apl+`","type":"identity-proof","subtype":"passport","fileIds":["`+fil+`"]}`)
			if r.Status != http.StatusCreated {
				t.Fatalf("document: %d %s", r.Status, r.Raw)
			}
			doc := r.str("id")
			events := e.json(http.MethodGet, "/v1/events?resourceId="+apl, e.testKey, "")
			items, _ := events.JSON["items"].([]any)
			if events.Status != http.StatusOK || len(items) == 0 {
				t.Fatalf("events: %d %s", events.Status, events.Raw)
			}
			evt := items[0].(map[string]any)["id"].(string)

			// reads counts the read entries about id, by a key.
			reads := func(id, action string) int {
				t.Helper()
				trail, err := e.App.Store.AuditTrail(t.Context(), kyc.EnvTest, id)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, a := range trail {
					if a.Action == action && strings.HasPrefix(string(a.Actor), "key_") {
						n++
					}
				}
				return n
			}
			if n := reads(evt, "event.read"); n != 1 {
				t.Fatalf("the event list's read of %s: %d entries", evt, n)
			}
			for _, c := range []struct {
				path, id, action string
			}{
				{"/v1/applicants/" + apl, apl, "applicant.read"},
				{"/v1/applicants?limit=5", apl, "applicant.read"},
				{"/v1/kyc-documents/" + doc, doc, "kyc-document.read"},
				{"/v1/kyc-documents?applicantId=" + apl, doc, "kyc-document.read"},
				{"/v1/files/" + fil + "/content", fil, "file.read-content"},
				{"POST /v1/files/" + fil + "/reading", fil, "file.read"},
				{"/v1/events/" + evt, evt, "event.read"},
			} {
				before := reads(c.id, c.action)
				method, path, post := strings.Cut(c.path, " ")
				if !post {
					method, path = http.MethodGet, c.path
				}
				if r := e.json(method, path, e.testKey, ""); r.Status != http.StatusOK {
					t.Fatalf("%s: %d %s", c.path, r.Status, r.Raw)
				}
				if after := reads(c.id, c.action); after != before+1 {
					t.Errorf("%s wrote %d %s entries about %s, want 1", c.path, after-before, c.action, c.id)
				}
			}
			// Refused reads and an empty list write nothing: the newest entry by either key stays
			// the same. (The document's verification, running meanwhile, writes entries of its own.)
			keyEntries := func() string {
				t.Helper()
				var newest []int64
				for _, en := range []kyc.Env{kyc.EnvTest, kyc.EnvLive} {
					rs, err := e.App.Store.ListAudit(t.Context(), en, store.AuditFilter{}, 0, 100)
					if err != nil {
						t.Fatal(err)
					}
					n := int64(0)
					for _, a := range rs {
						if strings.HasPrefix(string(a.Actor), "key_") && a.ID > n {
							n = a.ID
						}
					}
					newest = append(newest, n)
				}
				return fmt.Sprint(newest)
			}
			was := keyEntries()
			for _, path := range []string{"/v1/applicants/apl_01JAAAAAAAAAAAAAAAAAAAAAAA", "/v1/files/" + fil + "/content", "/v1/kyc-documents/" + doc} {
				if r := e.json(http.MethodGet, path, e.liveKey, ""); r.Status != http.StatusNotFound {
					t.Errorf("%s from live: %d", path, r.Status)
				}
			}
			if r := e.json(http.MethodGet, "/v1/applicants?externalId=nobody", e.testKey, ""); r.Status != http.StatusOK {
				t.Fatalf("an empty list: %d", r.Status)
			}
			if now := keyEntries(); now != was {
				t.Errorf("refused reads and an empty list wrote: the newest entries by keys were %s, then %s", was, now)
			}
			if err := e.App.Store.VerifyAuditChain(t.Context(), kyc.EnvTest); err != nil {
				t.Fatal(err)
			}
		})
	}
}
