package httpapi_test

import (
	"net/http"
	"testing"

	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestEventsOfAnErasedApplicant: once an applicant's data key is destroyed, its events still list
// and read, without their data (null) and with dataErased, as the served OpenAPI document says; a
// redelivery of one is refused (409), since there is no body to send.
func TestEventsOfAnErasedApplicant(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			router := e.specRouter()
			apl, other := e.mustApplicant(e.testKey), e.mustApplicant(e.testKey)
			if err := e.App.Store.Record(t.Context(), "", func(tx *store.Tx) (store.Effects, error) {
				_, err := tx.Exec(t.Context(), `UPDATE applicants SET data_key = NULL WHERE id = ?`, apl)
				return store.Effects{}, err
			}); err != nil {
				t.Fatal(err)
			}
			list := e.json(http.MethodGet, "/v1/events?resourceId="+apl, e.testKey, "")
			validate(t, router, http.MethodGet, e.URL+"/v1/events?resourceId="+apl, "", list)
			items, _ := list.JSON["items"].([]any)
			if list.Status != http.StatusOK || len(items) != 1 {
				t.Fatalf("events of the erased applicant: %d %s", list.Status, list.Raw)
			}
			ev := items[0].(map[string]any)
			if data, ok := ev["data"]; !ok || data != nil || ev["dataErased"] != true {
				t.Fatalf("an event of the erased applicant: %s", list.Raw)
			}
			id := ev["id"].(string)
			one := e.json(http.MethodGet, "/v1/events/"+id, e.testKey, "")
			validate(t, router, http.MethodGet, e.URL+"/v1/events/"+id, "", one)
			if one.Status != http.StatusOK || one.JSON["data"] != nil || one.JSON["dataErased"] != true || one.str("resourceId") != apl {
				t.Fatalf("the event of the erased applicant: %d %s", one.Status, one.Raw)
			}
			if r := e.json(http.MethodPost, "/v1/events/"+id+"/redelivery", e.testKey, ""); r.Status != http.StatusConflict {
				t.Fatalf("a redelivery of it: %d %s", r.Status, r.Raw)
			}
			// Another applicant's events are whole, without the flag.
			r := e.json(http.MethodGet, "/v1/events?resourceId="+other, e.testKey, "")
			items, _ = r.JSON["items"].([]any)
			if r.Status != http.StatusOK || len(items) != 1 {
				t.Fatalf("events of another applicant: %d %s", r.Status, r.Raw)
			}
			if ev := items[0].(map[string]any); ev["data"] == nil || ev["dataErased"] != nil {
				t.Fatalf("an event of another applicant: %s", r.Raw)
			}
		})
	}
}
