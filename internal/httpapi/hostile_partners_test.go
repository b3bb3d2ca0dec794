package httpapi_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/share/alchemypay/alchemypaytest"
	"kycd/internal/share/interlace/interlacetest"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
	"kycd/internal/webhook"
)

// Issue 11, findings 8, 10 and 11 (partners): each attack of the issue, on both databases.

// TestHostileWebhookReadsLoopback (finding 8): a test key cannot point a webhook at a local
// service; and where the operator allows internal addresses (development), the delivery log still
// never gives back what the local service answered.
func TestHostileWebhookReadsLoopback(t *testing.T) {
	t.Parallel()
	const secret = "admin-secret-9f2c41"
	admin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"adminToken":"` + secret + `"}`))
	}))
	t.Cleanup(admin.Close) // after the parallel subtests
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newWebhookEnv(t, d, webhook.Config{Retries: fastRetries})
			for _, url := range []string{admin.URL + "/admin", strings.Replace(admin.URL, "127.0.0.1", "localhost", 1) + "/admin"} {
				r := e.json("POST", "/v1/webhooks", e.testKey, `{"url":"`+url+`"}`)
				if r.Status != 422 || !slices.Contains(r.errorFields(), "body.url") || !strings.Contains(string(r.Raw), "loopback") {
					t.Fatalf("test webhook to %s: %d %s", url, r.Status, r.Raw)
				}
			}

			dev := newWebhookEnv(t, d, webhook.Config{Retries: fastRetries, AllowPrivate: true})
			hook, _ := dev.mustWebhook(dev.testKey, admin.URL+"/admin", "ping")
			if r := dev.json("POST", "/v1/webhooks/"+hook+"/test", dev.testKey, ""); r.Status/100 != 2 {
				t.Fatalf("ping: %d %s", r.Status, r.Raw)
			}
			var log []map[string]any
			waitFor(t, "the ping to be delivered", func() bool {
				log = dev.deliveriesOf(dev.testKey, hook)
				return len(log) == 1 && log[0]["status"] == "succeeded"
			})
			raw, _ := json.Marshal(log)
			if bytes.Contains(raw, []byte(secret)) || log[0]["lastResponseBody"] != nil || log[0]["lastResponseCode"].(float64) != 200 {
				t.Fatalf("the delivery log gives back the local answer: %s", raw)
			}
		})
	}
}

// twoEnvPartners is a kycd whose live Alchemy Pay and Interlace settings name one pair of fakes
// (the "real" partners) and, when sandbox is set, whose test settings name another.
type twoEnvPartners struct {
	liveAP, testAP *alchemypaytest.Server
	liveIL, testIL *interlacetest.Server
}

func newTwoEnvShareEnv(t *testing.T, d store.Dialect, sandbox bool, more ...func(*app.Config)) (*env, twoEnvPartners) {
	t.Helper()
	p := twoEnvPartners{liveAP: alchemypaytest.New(t), liveIL: interlacetest.New(t)}
	p.liveAP.AppKey, p.liveAP.Secret = "live-app-key", "live-secret"
	p.liveIL.ClientID, p.liveIL.ClientSecret = "live-client", "live-client-secret"
	if sandbox {
		p.testAP, p.testIL = alchemypaytest.New(t), interlacetest.New(t)
	}
	e := newEnvWith(t, d, func(c *app.Config) {
		s := &c.Shares
		s.AlchemyPayURL, s.AlchemyPayAppKey, s.AlchemyPaySecret = p.liveAP.URL, p.liveAP.AppKey, p.liveAP.Secret
		s.InterlaceURL, s.InterlaceClientID, s.InterlaceClientSecret = p.liveIL.URL, p.liveIL.ClientID, p.liveIL.ClientSecret
		if sandbox {
			s.Test.AlchemyPayURL, s.Test.AlchemyPayAppKey, s.Test.AlchemyPaySecret = p.testAP.URL, p.testAP.AppKey, p.testAP.Secret
			s.Test.InterlaceURL, s.Test.InterlaceClientID, s.Test.InterlaceClientSecret = p.testIL.URL, p.testIL.ClientID, p.testIL.ClientSecret
		}
		s.Retries = []time.Duration{100 * time.Millisecond}
		s.PollInterval = time.Hour
		for _, f := range more {
			f(c)
		}
	})
	return e, p
}

// TestHostileTestShareToLivePartner (finding 10): without sandbox settings a test key's share, forced
// or not, is refused naming body.partner and the live partner gets nothing; with them it goes to
// the sandbox only; and the live callback path never finds a test share.
func TestHostileTestShareToLivePartner(t *testing.T) {
	t.Parallel()
	ph := makePhotos(t)
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e, p := newTwoEnvShareEnv(t, d, false)
			apl := e.approvedApplicant(ph)
			unverified := e.json("POST", "/v1/applicants", e.testKey, `{"profile":{"firstName":"Un","lastName":"Verified"}}`).str("id")
			for _, body := range []string{
				`{"partner":"alchemypay","options":{"kycPlatform":"kycd"}}`,
				`{"partner":"interlace","options":{"accountId":"6c1f2a7e-8d4b-4b8e-9f3a-1d2c3b4a5e6f"}}`,
			} {
				for _, who := range []string{apl, unverified} {
					for _, force := range []string{"", `,"force":true`} {
						before := e.stored()
						r := e.json("POST", "/v1/applicants/"+who+"/shares", e.testKey, strings.TrimSuffix(body, "}")+force+"}")
						if r.Status != 422 || !slices.Contains(r.errorFields(), "body.partner") || !strings.Contains(string(r.Raw), "sandbox") {
							t.Fatalf("test share %s%s of %s: %d %s", body, force, who, r.Status, r.Raw)
						}
						if e.stored() != before {
							t.Fatalf("test share %s%s: something was stored", body, force)
						}
					}
				}
			}
			time.Sleep(300 * time.Millisecond) // a job, had one been queued, would have run
			if n := p.liveAP.CallCount() + p.liveIL.CallCount(); n != 0 {
				t.Fatalf("the live partners got %d calls from test keys", n)
			}

			e2, p2 := newTwoEnvShareEnv(t, d, true)
			apl2 := e2.approvedApplicant(ph)
			sh := e2.share(apl2, `{"partner":"alchemypay","options":{"kycPlatform":"kycd"}}`)
			e2.waitStatus("/v1/shares/"+sh.str("id"), "submitted")
			if rec, ok := p2.testAP.Record(sh.str("requestNo")); !ok || rec.Submitted != 1 {
				t.Fatalf("the sandbox holds %+v", rec)
			}
			if n := p2.liveAP.CallCount() + p2.liveIL.CallCount(); n != 0 {
				t.Fatalf("the live partners got %d calls from a test share", n)
			}
			// The live callback path does not know the test share; the test path does.
			p2.testAP.Decide(sh.str("requestNo"), "approved")
			if st, _ := p2.testAP.Notify(e2.URL+"/v1/partner-callbacks/alchemypay", sh.str("requestNo"), "approved"); st != 404 {
				t.Fatalf("a test share's callback on the live path: %d", st)
			}
			if s := e2.status("/v1/shares/" + sh.str("id")); s != "submitted" || p2.liveAP.CallCount() != 0 {
				t.Fatalf("after a live-path callback: %s, live calls %d", s, p2.liveAP.CallCount())
			}
			if st, _ := p2.testAP.Notify(e2.URL+"/v1/partner-callbacks/test/alchemypay", sh.str("requestNo"), "approved"); st != 200 {
				t.Fatalf("a test share's callback on the test path: %d", st)
			}
			e2.waitStatus("/v1/shares/"+sh.str("id"), "approved")

			// Interlace: a test share naming an account; a callback signed with the live secret
			// about that account, on the live path, does not reach it.
			const acct = "0e9d8c7b-6a5f-4e3d-9c2b-1a0f9e8d7c6b"
			il := e2.share(apl2, `{"partner":"interlace","options":{"accountId":"`+acct+`"}}`)
			e2.waitStatus("/v1/shares/"+il.str("id"), "submitted")
			res, _ := json.Marshal(map[string]string{"accountId": acct, "kycStatus": "Passed"})
			if st := postInterlace(t, e2.URL+"/v1/partner-callbacks/interlace", string(res), p2.liveIL.ClientSecret, "e1", time.Now()); st != 404 {
				t.Fatalf("a live callback about a test share's account: %d", st)
			}
			if s := e2.status("/v1/shares/" + il.str("id")); s != "submitted" {
				t.Fatalf("a live callback moved a test share to %s", s)
			}
		})
	}
}

// postInterlace sends an Interlace KYC callback whose resource is signed with secret (HMAC-SHA256,
// Base64, as Interlace documents it), with event id and Timestamp at, and returns the status.
func postInterlace(t *testing.T, url, resource, secret, id string, at time.Time) int {
	t.Helper()
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(resource))
	sig := base64.StdEncoding.EncodeToString(m.Sum(nil))
	body, _ := json.Marshal(map[string]any{"id": id, "eventType": "KYC.UPDATED", "apiVersion": "v3", "code": "000000", "message": "success",
		"resource": resource, "createTime": at.UnixMilli()})
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Signature-Method", "HMAC-SHA256")
	req.Header.Set("Signature", sig)
	req.Header.Set("Timestamp", strconv.FormatInt(at.UnixMilli(), 10))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// TestHostileInterlaceReplay (finding 11): a recorded Interlace callback sent again, verbatim or
// with a new id and a fresh timestamp (neither is signed), changes nothing; one whose timestamp
// is older than KYCD_SHARE_CALLBACK_MAX_AGE is refused.
func TestHostileInterlaceReplay(t *testing.T) {
	t.Parallel()
	ph := makePhotos(t)
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e, p := newShareEnv(t, d, time.Hour)
			apl := e.approvedApplicant(ph)
			const acct = "5b4a3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"
			il := e.share(apl, `{"partner":"interlace","options":{"accountId":"`+acct+`"}}`)
			path := "/v1/shares/" + il.str("id")
			e.waitStatus(path, "submitted")
			url, secret := e.URL+"/v1/partner-callbacks/test/interlace", p.interlace.ClientSecret
			request, _ := json.Marshal(map[string]string{"accountId": acct, "kycStatus": "Request", "message": "a clearer selfie"})
			passed, _ := json.Marshal(map[string]string{"accountId": acct, "kycStatus": "Passed"})
			if st := postInterlace(t, url, string(request), secret, "evt-1", time.Now()); st != 200 || e.status(path) != "needs-info" {
				t.Fatalf("first callback: %d, share %s", st, e.status(path))
			}
			if st := postInterlace(t, url, string(passed), secret, "evt-2", time.Now()); st != 200 || e.status(path) != "approved" {
				t.Fatalf("second callback: %d, share %s", st, e.status(path))
			}
			events := len(e.eventTypes(il.str("id")))
			for i, at := range []time.Time{time.Now(), time.Now().Add(time.Minute)} {
				if st := postInterlace(t, url, string(request), secret, fmt.Sprint("replay-", i), at); st != 200 {
					t.Fatalf("replay %d answered %d", i, st)
				}
			}
			if s := e.status(path); s != "approved" || len(e.eventTypes(il.str("id"))) != events {
				t.Fatalf("a replayed callback moved the share to %s", s)
			}
			stale, _ := json.Marshal(map[string]string{"accountId": acct, "kycStatus": "Canceled"})
			if st := postInterlace(t, url, string(stale), secret, "evt-old", time.Now().Add(-25*time.Hour)); st != 422 || e.status(path) != "approved" {
				t.Fatalf("a day-old callback: %d, share %s", st, e.status(path))
			}
		})
	}
}

// TestHostileAlchemyPayCallbackFlood (finding 11): a burst of unsigned Alchemy Pay callbacks about
// one share costs at most one status query of the partner per KYCD_SHARE_CALLBACK_CONFIRM_INTERVAL;
// every callback is answered 200.
func TestHostileAlchemyPayCallbackFlood(t *testing.T) {
	t.Parallel()
	ph := makePhotos(t)
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e, p := newShareEnv(t, d, time.Hour, func(c *app.Config) { c.Shares.ConfirmInterval = time.Hour })
			apl := e.approvedApplicant(ph)
			sh := e.share(apl, `{"partner":"alchemypay","options":{"kycPlatform":"kycd"}}`)
			e.waitStatus("/v1/shares/"+sh.str("id"), "submitted")
			p.alchemypay.Decide(sh.str("requestNo"), "approved")
			before := p.alchemypay.CallCount()
			var wg sync.WaitGroup
			codes := make([]int, 40)
			for i := range codes {
				wg.Go(func() {
					codes[i], _ = p.alchemypay.Notify(e.URL+"/v1/partner-callbacks/test/alchemypay", sh.str("requestNo"), "approved")
				})
			}
			wg.Wait()
			for i, c := range codes {
				if c != 200 {
					t.Fatalf("callback %d answered %d", i, c)
				}
			}
			if n := p.alchemypay.CallCount() - before; n != 1 {
				t.Fatalf("%d callbacks cost %d status queries, want 1", len(codes), n)
			}
			e.waitStatus("/v1/shares/"+sh.str("id"), "approved")
		})
	}
}
