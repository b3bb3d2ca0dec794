package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"kycd/internal/app"
	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
	"kycd/internal/webhook"
)

// fastRetries is a retry schedule in milliseconds, so that tests see many attempts quickly. Its
// 13 retries give a receiver that is down a few seconds to come back.
var fastRetries = webhook.Schedule{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond,
	160 * time.Millisecond, 320 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond,
	time.Second, time.Second, time.Second, time.Second}

// newWebhookEnv is newEnv with a webhook configuration.
func newWebhookEnv(t *testing.T, d store.Dialect, wcfg webhook.Config) *env {
	t.Helper()
	return newEnvWith(t, d, func(c *app.Config) { c.Webhooks = wcfg })
}

// forEachWebhookDB runs fn on a fresh kycd with fast webhook retries over each database. Its
// webhooks may reach internal addresses (KYCD_WEBHOOK_ALLOW_PRIVATE), as the receivers are on
// loopback.
func forEachWebhookDB(t *testing.T, fn func(t *testing.T, e *env)) {
	forEachWebhookDBWith(t, webhook.Config{Retries: fastRetries, AllowPrivate: true}, fn)
}

// forEachWebhookDBWith runs fn on a fresh kycd with the webhook configuration cfg over each
// database.
func forEachWebhookDBWith(t *testing.T, cfg webhook.Config, fn func(t *testing.T, e *env)) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, newWebhookEnv(t, d, cfg))
		})
	}
}

// arrival is one request a receiver got, and what it answered.
type arrival struct {
	ID     string
	Header http.Header
	Body   []byte
	Status int
	Type   string
	Rev    int64
}

// receiver is a real HTTP server standing in for an integrator's endpoint. answer picks the
// status from the request and how many times its webhook-id came before.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	got    []arrival
	answer func(a arrival, before int) int
}

func newReceiver(t *testing.T, answer func(a arrival, before int) int) *receiver {
	r := &receiver{t: t, answer: answer}
	r.srv = httptest.NewServer(r)
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	a := arrival{ID: req.Header.Get("webhook-id"), Header: req.Header.Clone(), Body: body}
	var env struct {
		Type     string `json:"type"`
		Revision int64  `json:"revision"`
	}
	_ = json.Unmarshal(body, &env)
	a.Type, a.Rev = env.Type, env.Revision
	r.mu.Lock()
	before := 0
	for _, g := range r.got {
		if g.ID == a.ID {
			before++
		}
	}
	a.Status = http.StatusOK
	if r.answer != nil {
		a.Status = r.answer(a, before)
	}
	r.got = append(r.got, a)
	r.mu.Unlock()
	w.WriteHeader(a.Status)
	_, _ = w.Write([]byte(strings.Repeat("x", 1500)))
}

// arrivals returns a copy of what arrived, in order.
func (r *receiver) arrivals() []arrival {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// waitFor polls cond until it holds; it fails the test when it has not after a generous minute
// (a deadline for a hung test, not a timing assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// delivered waits until an arrival of webhook-id id was answered with 2xx and returns all of
// that id's arrivals.
func (r *receiver) delivered(id string) []arrival {
	r.t.Helper()
	var mine []arrival
	waitFor(r.t, "a successful delivery of "+id, func() bool {
		mine = nil
		ok := false
		for _, a := range r.arrivals() {
			if a.ID == id {
				mine = append(mine, a)
				ok = ok || a.Status/100 == 2
			}
		}
		return ok
	})
	return mine
}

func (e *env) mustWebhook(key, url string, events ...string) (id, secret string) {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"url": url, "events": events, "description": "test receiver"})
	r := e.json("POST", "/v1/webhooks", key, string(body))
	if r.Status != http.StatusCreated || !strings.HasPrefix(r.str("signingSecret"), "whsec_") || r.Header.Get("Location") != "/v1/webhooks/"+r.str("id") {
		e.t.Fatalf("create webhook: %d %s", r.Status, r.Raw)
	}
	return r.str("id"), r.str("signingSecret")
}

// eventOf returns the id of the only event of typ about resource, waiting for it to be written.
func (e *env) eventOf(key, typ, resource string) string {
	e.t.Helper()
	var r resp
	waitFor(e.t, typ+" event of "+resource, func() bool {
		r = e.json("GET", "/v1/events?type="+typ+"&resourceId="+resource, key, "")
		items, _ := r.JSON["items"].([]any)
		if r.Status != 200 || len(items) > 1 {
			e.t.Fatalf("events %s of %s: %d %s", typ, resource, r.Status, r.Raw)
		}
		return len(items) == 1
	})
	return r.JSON["items"].([]any)[0].(map[string]any)["id"].(string)
}

// deliveriesOf returns a webhook's delivery log, newest first.
func (e *env) deliveriesOf(key, webhookID string) []map[string]any {
	e.t.Helper()
	r := e.json("GET", "/v1/webhooks/"+webhookID+"/deliveries?limit=100", key, "")
	if r.Status != 200 {
		e.t.Fatalf("deliveries: %d %s", r.Status, r.Raw)
	}
	var out []map[string]any
	for _, it := range r.JSON["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func verifies(t *testing.T, secret string, a arrival) error {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	return wh.Verify(a.Body, a.Header)
}

// TestWebhookSignedRetriedAndInOrder: a receiver that answers 500 three times gets the event on
// the fourth attempt, with the same webhook-id and body every time, each signed so that the
// Standard Webhooks library verifies it; the applicant's later revisions, written while the first
// was being retried, arrive after it, in revision order.
func TestWebhookSignedRetriedAndInOrder(t *testing.T) {
	t.Parallel()
	forEachWebhookDB(t, func(t *testing.T, e *env) {
		rcv := newReceiver(t, func(a arrival, before int) int {
			if a.Rev == 0 && before < 3 {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		})
		hook, secret := e.mustWebhook(e.testKey, rcv.srv.URL+"/kyc?token=abc", "applicant-created", "applicant-updated")
		apl := e.mustApplicant(e.testKey)
		for _, name := range []string{"B", "C"} {
			if r := e.json("PATCH", "/v1/applicants/"+apl, e.testKey, `{"profile":{"middleName":"`+name+`"}}`); r.Status != 200 {
				t.Fatalf("patch: %d %s", r.Status, r.Raw)
			}
		}
		created := e.eventOf(e.testKey, "applicant-created", apl)
		got := rcv.delivered(created)
		if len(got) != 4 || got[3].Status != 200 {
			t.Fatalf("%d attempts, want 4 (500, 500, 500, 200)", len(got))
		}
		for i, a := range got {
			if a.ID != created || !bytes.Equal(a.Body, got[0].Body) {
				t.Fatalf("attempt %d: webhook-id %s, body %s; want %s and %s", i+1, a.ID, a.Body, created, got[0].Body)
			}
			if err := verifies(t, secret, a); err != nil {
				t.Fatalf("attempt %d does not verify: %v", i+1, err)
			}
			if a.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("Content-Type %q", a.Header.Get("Content-Type"))
			}
		}
		var body struct {
			ID, Type, CreatedAt string
			Revision            int64
			Data                map[string]any
		}
		if err := json.Unmarshal(got[0].Body, &body); err != nil || body.ID != created || body.Type != "applicant-created" || body.Revision != 0 ||
			body.Data["id"] != apl || body.Data["profile"].(map[string]any)["firstName"] != "Anna" {
			t.Fatalf("body: %v %s", err, got[0].Body)
		}
		if _, err := time.Parse(time.RFC3339Nano, body.CreatedAt); err != nil {
			t.Fatalf("createdAt %q: %v", body.CreatedAt, err)
		}

		// Revision order: nothing about revision n+1 arrived before revision n succeeded.
		waitFor(t, "revisions 1 and 2", func() bool { return len(rcv.arrivals()) >= 6 })
		var order []int64
		for _, a := range rcv.arrivals() {
			if a.Status == 200 {
				order = append(order, a.Rev)
			}
			if a.Rev > 0 && slices.Index(order, a.Rev-1) < 0 {
				t.Fatalf("revision %d arrived before revision %d was delivered: %v", a.Rev, a.Rev-1, order)
			}
		}
		if !slices.Equal(order, []int64{0, 1, 2}) {
			t.Fatalf("delivered revisions %v, want [0 1 2]", order)
		}

		// The delivery log shows the attempts and the last answer's status, but not its body: the
		// receiver is on loopback, and an internal address's answers are never kept.
		var first map[string]any
		waitFor(t, "the log to show every delivery succeeded", func() bool {
			ds := e.deliveriesOf(e.testKey, hook)
			for _, d := range ds {
				if d["status"] != "succeeded" {
					return false
				}
				if d["eventId"] == created {
					first = d
				}
			}
			return len(ds) == 3
		})
		if first["attempts"].(float64) != 4 || first["lastResponseCode"].(float64) != 200 || first["lastResponseBody"] != nil ||
			first["completedTime"] == nil || first["revision"].(float64) != 0 {
			t.Fatalf("delivery log: %v", first)
		}
		if r := e.json("GET", "/v1/webhooks/"+hook+"/deliveries?status=failed", e.testKey, ""); r.Status != 200 || len(r.JSON["items"].([]any)) != 0 {
			t.Fatalf("failed deliveries: %d %s", r.Status, r.Raw)
		}
	})
}

// TestWebhookReceiverDownThenBack: a receiver that refuses connections when the event happens gets
// it once it listens again.
func TestWebhookReceiverDownThenBack(t *testing.T) {
	t.Parallel()
	forEachWebhookDB(t, func(t *testing.T, e *env) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close() // down: connections are refused
		hook, secret := e.mustWebhook(e.testKey, "http://"+addr+"/hook", "applicant-created")
		apl := e.mustApplicant(e.testKey)
		waitFor(t, "two refused attempts", func() bool {
			ds := e.deliveriesOf(e.testKey, hook)
			return len(ds) == 1 && ds[0]["attempts"].(float64) >= 2 && ds[0]["lastError"] == "connection refused" && ds[0]["status"] == "pending"
		})
		rcv := &receiver{t: t}
		rcv.srv = httptest.NewUnstartedServer(rcv)
		if rcv.srv.Listener, err = net.Listen("tcp", addr); err != nil {
			t.Fatalf("listen again on %s: %v", addr, err)
		}
		rcv.srv.Start()
		t.Cleanup(rcv.srv.Close)
		got := rcv.delivered(e.eventOf(e.testKey, "applicant-created", apl))
		if len(got) != 1 || verifies(t, secret, got[0]) != nil {
			t.Fatalf("after coming back: %d arrivals", len(got))
		}
		waitFor(t, "the delivery to be recorded", func() bool { return e.deliveriesOf(e.testKey, hook)[0]["status"] == "succeeded" })
	})
}

// TestWebhookRotationPingReplayAndEvents: during a secret rotation both secrets verify; a zero
// grace retires the old ones; a ping goes to the tested webhook; the events API lists and shows
// events; a replay sends an old event again with the same webhook-id and body.
func TestWebhookRotationPingReplayAndEvents(t *testing.T) {
	t.Parallel()
	forEachWebhookDB(t, func(t *testing.T, e *env) {
		rcv := newReceiver(t, nil)
		hook, oldSecret := e.mustWebhook(e.testKey, rcv.srv.URL, "applicant-created")
		other, _ := e.mustWebhook(e.testKey, rcv.srv.URL+"/other", "file-stored")

		r := e.json("POST", "/v1/webhooks/"+hook+"/secret-rotation", e.testKey, "")
		newSecret := r.str("signingSecret")
		if r.Status != 200 || !strings.HasPrefix(newSecret, "whsec_") || newSecret == oldSecret {
			t.Fatalf("rotation: %d %s", r.Status, r.Raw)
		}
		if g := e.json("GET", "/v1/webhooks/"+hook, e.testKey, ""); g.Status != 200 || strings.Contains(string(g.Raw), "whsec_") {
			t.Fatalf("GET shows a secret: %s", g.Raw)
		}
		apl := e.mustApplicant(e.testKey)
		created := e.eventOf(e.testKey, "applicant-created", apl)
		got := rcv.delivered(created)
		if verifies(t, oldSecret, got[0]) != nil || verifies(t, newSecret, got[0]) != nil {
			t.Fatalf("during the rotation both secrets must verify: %s", got[0].Header.Get("webhook-signature"))
		}
		r = e.json("POST", "/v1/webhooks/"+hook+"/secret-rotation", e.testKey, `{"gracePeriodSeconds":0}`)
		newest := r.str("signingSecret")
		if r.Status != 200 {
			t.Fatalf("rotation without grace: %d %s", r.Status, r.Raw)
		}

		// A ping goes to the tested webhook alone, signed with the newest secret only.
		r = e.json("POST", "/v1/webhooks/"+hook+"/test", e.testKey, "")
		if r.Status != http.StatusAccepted || r.str("eventType") != "ping" || r.str("webhookId") != hook {
			t.Fatalf("test: %d %s", r.Status, r.Raw)
		}
		ping := rcv.delivered(r.str("eventId"))
		if ping[0].Type != "ping" || verifies(t, newest, ping[0]) != nil || verifies(t, newSecret, ping[0]) == nil || verifies(t, oldSecret, ping[0]) == nil {
			t.Fatalf("ping: %s, signature %s", ping[0].Body, ping[0].Header.Get("webhook-signature"))
		}
		if n := len(e.deliveriesOf(e.testKey, other)); n != 0 {
			t.Fatalf("the other webhook got %d deliveries", n)
		}

		// Events: list, get, replay.
		ev := e.json("GET", "/v1/events/"+created, e.testKey, "")
		if ev.Status != 200 || ev.str("type") != "applicant-created" || ev.JSON["data"].(map[string]any)["id"] != apl || ev.str("resourceId") != apl {
			t.Fatalf("get event: %d %s", ev.Status, ev.Raw)
		}
		if r := e.json("GET", "/v1/events/"+created, e.liveKey, ""); r.Status != 404 {
			t.Fatalf("a test event with a live key: %d", r.Status)
		}
		if r := e.json("GET", "/v1/events?type=nope", e.testKey, ""); r.Status != 422 || !slices.Contains(r.errorFields(), "query.type") {
			t.Fatalf("unknown type filter: %d %s", r.Status, r.Raw)
		}
		r = e.json("POST", "/v1/events/"+created+"/redelivery", e.testKey, `{"webhookId":"`+hook+`"}`)
		if items, _ := r.JSON["items"].([]any); r.Status != http.StatusAccepted || len(items) != 1 {
			t.Fatalf("redelivery: %d %s", r.Status, r.Raw)
		}
		waitFor(t, "the replay", func() bool {
			n := 0
			for _, a := range rcv.arrivals() {
				if a.ID == created && a.Status == 200 {
					n++
				}
			}
			return n == 2
		})
		var replays []arrival
		for _, a := range rcv.arrivals() {
			if a.ID == created {
				replays = append(replays, a)
			}
		}
		if !bytes.Equal(replays[0].Body, replays[1].Body) || verifies(t, newest, replays[1]) != nil {
			t.Fatalf("the replay differs:\n%s\n%s", replays[0].Body, replays[1].Body)
		}
		// To every webhook that wants the type: the first one only.
		r = e.json("POST", "/v1/events/"+created+"/redelivery", e.testKey, ``)
		if items, _ := r.JSON["items"].([]any); r.Status != http.StatusAccepted || len(items) != 1 || items[0].(map[string]any)["webhookId"] != hook {
			t.Fatalf("redelivery to all: %d %s", r.Status, r.Raw)
		}
		if r := e.json("POST", "/v1/events/"+created+"/redelivery", e.testKey, `{"webhookId":"whk_01J9Z3K6Q5W8C2B7X4N0M1R2S3"}`); r.Status != 422 || !slices.Contains(r.errorFields(), "body.webhookId") {
			t.Fatalf("redelivery to an unknown webhook: %d %s", r.Status, r.Raw)
		}
	})
}

// TestWebhook410Disables: a 410 Gone disables the webhook at once, fails the delivery, and a
// webhook-disabled event reaches the environment's other webhooks.
func TestWebhook410Disables(t *testing.T) {
	t.Parallel()
	forEachWebhookDB(t, func(t *testing.T, e *env) {
		rcv := newReceiver(t, func(a arrival, _ int) int {
			if a.Type == "applicant-created" {
				return http.StatusGone
			}
			return http.StatusOK
		})
		gone, _ := e.mustWebhook(e.testKey, rcv.srv.URL+"/gone", "applicant-created")
		_, watcherSecret := e.mustWebhook(e.testKey, rcv.srv.URL+"/watch", "webhook-disabled")
		e.mustApplicant(e.testKey)
		notice := rcv.delivered(e.eventOf(e.testKey, "webhook-disabled", gone))
		var body struct {
			Type string
			Data map[string]any
		}
		if err := json.Unmarshal(notice[0].Body, &body); err != nil || body.Type != "webhook-disabled" || body.Data["id"] != gone ||
			body.Data["enabled"] != false || verifies(t, watcherSecret, notice[0]) != nil {
			t.Fatalf("webhook-disabled: %v %s", err, notice[0].Body)
		}
		w := e.json("GET", "/v1/webhooks/"+gone, e.testKey, "")
		if w.JSON["enabled"] != false || w.str("disabledReason") != "the receiver answered 410 Gone" {
			t.Fatalf("after 410: %s", w.Raw)
		}
		if d := e.deliveriesOf(e.testKey, gone)[0]; d["status"] != "failed" || d["attempts"].(float64) != 1 || d["lastResponseCode"].(float64) != 410 {
			t.Fatalf("delivery after 410: %v", d)
		}
		// Enabled again, it receives the next event.
		if r := e.json("PATCH", "/v1/webhooks/"+gone, e.testKey, `{"enabled":true,"events":["applicant-updated"]}`); r.Status != 200 ||
			r.JSON["enabled"] != true || r.JSON["disabledReason"] != nil {
			t.Fatalf("enable: %d %s", r.Status, r.Raw)
		}
	})
}

// TestWebhookAPI: live webhooks may not target internal addresses (a clear 422 naming body.url,
// nothing stored), test ones too (KYCD_WEBHOOK_ALLOW_PRIVATE is not set); bad input is named; environments are
// separate; list, patch and delete work; answers match the served OpenAPI document, whose event
// type enum is kyc.EventTypes.
func TestWebhookAPI(t *testing.T) {
	t.Parallel()
	forEachWebhookDBWith(t, webhook.Config{Retries: fastRetries}, func(t *testing.T, e *env) {
		cases := []struct {
			name, key, body string
			field, message  string
		}{
			{"live webhook to loopback", e.liveKey, `{"url":"http://127.0.0.1:9/hook"}`, "body.url", "127.0.0.1, a loopback address: live webhooks must reach a public address"},
			{"live webhook to localhost", e.liveKey, `{"url":"http://localhost:9/hook"}`, "body.url", "a loopback address"},
			{"live webhook to the metadata service", e.liveKey, `{"url":"http://169.254.169.254/latest"}`, "body.url", "a link-local address"},
			{"live webhook to a private network", e.liveKey, `{"url":"https://10.0.0.8/hook"}`, "body.url", "a private address"},
			{"test webhook to a private network", e.testKey, `{"url":"https://192.168.0.8/hook"}`, "body.url", "a private address"},
			{"test webhook to loopback", e.testKey, `{"url":"http://127.0.0.1:9/hook"}`, "body.url", "127.0.0.1, a loopback address: test webhooks must reach a public address"},
			{"test webhook to localhost", e.testKey, `{"url":"http://localhost:9/hook"}`, "body.url", "a loopback address"},
			{"not http", e.testKey, `{"url":"ftp://127.0.0.1/hook"}`, "body.url", "http or https"},
			{"not a URL", e.testKey, `{"url":"hook"}`, "body.url", "absolute"},
			{"unknown event type", e.testKey, `{"url":"http://127.0.0.1:9/","events":["applicant-created","applicant-exploded"]}`, "body.events[1]", ""},
			{"unknown field", e.testKey, `{"url":"http://127.0.0.1:9/","secret":"mine"}`, "body.secret", ""},
			{"missing url", e.testKey, `{"events":["ping"]}`, "body", "url"},
		}
		for _, c := range cases {
			before := e.stored()
			r := e.json("POST", "/v1/webhooks", c.key, c.body)
			if r.Status != 422 || !slices.Contains(r.errorFields(), c.field) || !strings.Contains(string(r.Raw), c.message) {
				t.Errorf("%s: %d %s, want 422 naming %s with %q", c.name, r.Status, r.Raw, c.field, c.message)
			}
			if after := e.stored(); after != before {
				t.Errorf("%s: something was stored", c.name)
			}
		}

		hook, _ := e.mustWebhook(e.testKey, "http://93.184.215.14:9/hook") // public, and never sent to
		e.mustWebhook(e.testKey, "http://93.184.215.14:9/other", "ping")
		if r := e.json("GET", "/v1/webhooks/"+hook, e.liveKey, ""); r.Status != 404 {
			t.Fatalf("a test webhook with a live key: %d", r.Status)
		}
		if r := e.json("GET", "/v1/webhooks?limit=1", e.testKey, ""); r.Status != 200 || len(r.JSON["items"].([]any)) != 1 || r.str("nextCursor") == "" {
			t.Fatalf("list: %d %s", r.Status, r.Raw)
		}
		if r := e.json("GET", "/v1/webhooks", e.liveKey, ""); len(r.JSON["items"].([]any)) != 0 {
			t.Fatalf("live lists test webhooks: %s", r.Raw)
		}
		r := e.json("PATCH", "/v1/webhooks/"+hook, e.testKey, `{"description":"changed","enabled":false,"events":["kyc-request-created"]}`)
		if r.Status != 200 || r.str("description") != "changed" || r.JSON["enabled"] != false || r.JSON["revision"].(float64) != 1 ||
			r.JSON["events"].([]any)[0] != "kyc-request-created" || r.str("disabledReason") == "" {
			t.Fatalf("patch: %d %s", r.Status, r.Raw)
		}
		if r := e.json("PATCH", "/v1/webhooks/"+hook, e.testKey, `{"url":"gopher://x"}`); r.Status != 422 || !slices.Contains(r.errorFields(), "body.url") {
			t.Fatalf("patch to a bad URL: %d %s", r.Status, r.Raw)
		}
		if r := e.json("POST", "/v1/webhooks/"+hook+"/test", e.testKey, ""); r.Status != 409 {
			t.Fatalf("ping a disabled webhook: %d %s", r.Status, r.Raw)
		}
		if r := e.json("POST", "/v1/webhooks/"+hook+"/secret-rotation", e.testKey, `{"gracePeriodSeconds":-1}`); r.Status != 422 {
			t.Fatalf("negative grace: %d %s", r.Status, r.Raw)
		}
		if r := e.json("DELETE", "/v1/webhooks/"+hook, e.testKey, ""); r.Status != 204 {
			t.Fatalf("delete: %d %s", r.Status, r.Raw)
		}
		for _, path := range []string{"/v1/webhooks/" + hook, "/v1/webhooks/" + hook + "/deliveries", "/v1/webhooks/nope", "/v1/events/evt_nope"} {
			if r := e.json("GET", path, e.testKey, ""); r.Status != 404 {
				t.Errorf("GET %s: %d", path, r.Status)
			}
		}
		if e.App.Store.Dialect() == store.SQLite { // its receiver is on loopback
			checkWebhookSpec(t, newWebhookEnv(t, store.SQLite, webhook.Config{Retries: fastRetries, AllowPrivate: true}))
		}
	})
}

// checkWebhookSpec validates webhook and event answers against the served OpenAPI document and
// checks that it lists every event type.
func checkWebhookSpec(t *testing.T, e *env) {
	spec := e.do("GET", "/v1/openapi.json", "", nil)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Enum  []string `json:"enum"`
					Items struct {
						Enum []string `json:"enum"`
					} `json:"items"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(spec.Raw, &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Components.Schemas["WebhookInput"].Properties["events"].Items.Enum; !slices.Equal(got, kyc.EventTypes) {
		t.Errorf("WebhookInput.events enum %v, want %v", got, kyc.EventTypes)
	}
	if got := doc.Components.Schemas["Event"].Properties["type"].Enum; !slices.Equal(got, kyc.EventTypes) {
		t.Errorf("Event.type enum %v, want %v", got, kyc.EventTypes)
	}
	router := e.specRouter()
	rcv := newReceiver(t, nil)
	hook, _ := e.mustWebhook(e.testKey, rcv.srv.URL)
	apl := e.mustApplicant(e.testKey)
	evt := e.eventOf(e.testKey, "applicant-created", apl)
	rcv.delivered(evt)
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/v1/webhooks", `{"url":"` + rcv.srv.URL + `/2","events":["applicant-created"],"description":"spec"}`},
		{"POST", "/v1/webhooks", `{"url":"ftp://x"}`},
		{"GET", "/v1/webhooks/" + hook, ""},
		{"GET", "/v1/webhooks", ""},
		{"PATCH", "/v1/webhooks/" + hook, `{"description":"d"}`},
		{"POST", "/v1/webhooks/" + hook + "/secret-rotation", `{"gracePeriodSeconds":60}`},
		{"POST", "/v1/webhooks/" + hook + "/test", ""},
		{"GET", "/v1/webhooks/" + hook + "/deliveries", ""},
		{"GET", "/v1/events", ""},
		{"GET", "/v1/events/" + evt, ""},
		{"POST", "/v1/events/" + evt + "/redelivery", `{"webhookId":"` + hook + `"}`},
		{"DELETE", "/v1/webhooks/" + hook, ""},
	} {
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		validate(t, router, c.method, e.URL+c.path, c.body, e.do(c.method, c.path, e.testKey, body))
	}
}
