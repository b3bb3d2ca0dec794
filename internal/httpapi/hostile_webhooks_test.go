package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"kycd/internal/app"
	"kycd/internal/store/storetest"
)

// TestWebhooksPerEnvironmentAreCapped: past KYCD_WEBHOOK_MAX_PER_ENV (3 here) a new webhook gets
// 409 naming the limit and nothing is stored; the other environment keeps its own allowance, and
// deleting one makes room again. Disabled webhooks count: they can be enabled again.
func TestWebhooksPerEnvironmentAreCapped(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnvWith(t, d, func(c *app.Config) { c.Webhooks.MaxPerEnv, c.Webhooks.AllowPrivate = 3, true })
			var ids []string
			for range 3 {
				id, _ := e.mustWebhook(e.testKey, "https://127.0.0.1:9/hook")
				ids = append(ids, id)
			}
			if r := e.json("PATCH", "/v1/webhooks/"+ids[0], e.testKey, `{"enabled":false}`); r.Status != http.StatusOK {
				t.Fatalf("disable: %d %s", r.Status, r.Raw)
			}
			before := e.stored()
			r := e.json("POST", "/v1/webhooks", e.testKey, `{"url":"https://127.0.0.1:9/fourth"}`)
			if r.Status != http.StatusConflict || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("fourth webhook: %d %s", r.Status, r.Raw)
			}
			if detail := r.str("detail"); detail == "" || !strings.Contains(detail, "KYCD_WEBHOOK_MAX_PER_ENV") {
				t.Errorf("detail %q does not name the limit", detail)
			}
			if after := e.stored(); after != before {
				t.Errorf("a refused webhook stored something: %s -> %s", before, after)
			}
			e.mustWebhook(e.liveKey, "https://127.0.0.1:9/live") // live has its own 3
			if r := e.json("DELETE", "/v1/webhooks/"+ids[1], e.testKey, ""); r.Status != http.StatusNoContent {
				t.Fatalf("delete: %d %s", r.Status, r.Raw)
			}
			e.mustWebhook(e.testKey, "https://127.0.0.1:9/again")
		})
	}
}
