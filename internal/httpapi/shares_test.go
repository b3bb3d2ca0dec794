package httpapi_test

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"kycd/internal/app"
	"kycd/internal/kyc"
	"kycd/internal/share"
	"kycd/internal/share/alchemypay/alchemypaytest"
	"kycd/internal/share/interlace/interlacetest"
	"kycd/internal/share/saintpay/saintpaytest"
	"kycd/internal/share/sharetest"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// partners are the three fake partners a share test runs against.
type partners struct {
	interlace  *interlacetest.Server
	alchemypay *alchemypaytest.Server
	saintpay   *saintpaytest.Server
}

// newShareEnv is a kycd whose three partners' sandboxes (the settings test shares use) are fakes
// on 127.0.0.1 that enforce their contracts; no live settings are configured. pollInterval is how
// often submitted shares are asked about. Unsigned callbacks may ask the partner every time.
func newShareEnv(t *testing.T, d store.Dialect, pollInterval time.Duration, more ...func(*app.Config)) (*env, partners) {
	t.Helper()
	p, configure := fakePartners(t, pollInterval, more...)
	return newEnvWith(t, d, configure), p
}

// fakePartners starts the three fake partners and returns them with the configuration that points
// test shares at them (see newShareEnv), followed by more.
func fakePartners(t *testing.T, pollInterval time.Duration, more ...func(*app.Config)) (partners, func(*app.Config)) {
	t.Helper()
	p := partners{interlace: interlacetest.New(t), alchemypay: alchemypaytest.New(t), saintpay: saintpaytest.New(t)}
	dir := t.TempDir()
	priv := filepath.Join(dir, "merchant.pem")
	pub := filepath.Join(dir, "platform.pem")
	pubDER, err := x509.MarshalPKIXPublicKey(&p.saintpay.PlatformKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(priv, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(p.saintpay.MerchantKey)}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p, func(c *app.Config) {
		s := &c.Shares.Test
		s.InterlaceURL, s.InterlaceClientID, s.InterlaceClientSecret = p.interlace.URL, p.interlace.ClientID, p.interlace.ClientSecret
		s.AlchemyPayURL, s.AlchemyPayAppKey, s.AlchemyPaySecret = p.alchemypay.URL, p.alchemypay.AppKey, p.alchemypay.Secret
		s.SaintpayURL, s.SaintpayAppID, s.SaintpayPrivateKeyFile, s.SaintpayPlatformPublicKeyFile = p.saintpay.URL, p.saintpay.AppID, priv, pub
		c.Shares.Retries = []time.Duration{100 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond}
		c.Shares.PollInterval = pollInterval
		c.Shares.ConfirmInterval = time.Nanosecond
		for _, f := range more {
			f(c)
		}
	}
}

// approvedApplicant makes an applicant with everything the partners ask for and gets them
// approved through a KYC request whose passport carries the test-mode number TEST-ACCEPT.
func (e *env) approvedApplicant(p photos) string {
	e.t.Helper()
	r := e.json("POST", "/v1/applicants", e.testKey, `{"email":"eileen@example.com","profile":{"firstName":"Eileen","lastName":"Collins",
		"dateOfBirth":"1966-11-19","gender":"female","nationality":"US","countryOfResidence":"US","phone":{"countryCode":"1","number":"7135550123"},
		"ssn":"123456789","ipAddress":"203.0.113.7","occupation":"11-1011"},
		"addresses":[{"type":"residential","line1":"2101 NASA Pkwy","city":"Houston","state":"TX","postalCode":"77058","country":"US"}]}`)
	if r.Status != 201 {
		e.t.Fatalf("applicant: %d %s", r.Status, r.Raw)
	}
	apl := r.str("id")
	e.apply(application{applicantID: apl, dob: "1966-11-19", number: "TEST-ACCEPT", expiry: time.Now().AddDate(5, 0, 0).Format("2006-01-02"),
		holder: "COLLINS, Eileen", front: p.front, selfie: p.selfie})
	e.waitStatus("/v1/applicants/"+apl, "approved")
	return apl
}

func (e *env) share(apl, body string) resp {
	e.t.Helper()
	r := e.json("POST", "/v1/applicants/"+apl+"/shares", e.testKey, body)
	if r.Status != 201 || r.str("status") != "queued" {
		e.t.Fatalf("share %s: %d %s", body, r.Status, r.Raw)
	}
	return r
}

func (e *env) eventTypes(resourceID string) []string {
	e.t.Helper()
	r := e.json("GET", "/v1/events?resourceId="+resourceID, e.testKey, "")
	var out []string
	items, _ := r.JSON["items"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any)["type"].(string))
	}
	slices.Sort(out)
	return out
}

// TestSharingWithPartners walks the cases over HTTP, on both databases, against the three
// fake partners.
func TestSharingWithPartners(t *testing.T) {
	t.Parallel()
	ph := makePhotos(t)
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e, p := newShareEnv(t, d, time.Hour)
			apl := e.approvedApplicant(ph)
			cb := e.URL + "/v1/partner-callbacks/test/"

			// Alchemy Pay: shared, then approved by its (unsigned) callback, confirmed by a query.
			ap := e.share(apl, `{"partner":"alchemypay","options":{"kycPlatform":"kycd-test"}}`)
			e.waitStatus("/v1/shares/"+ap.str("id"), "submitted")
			no := ap.str("requestNo")
			if rec, _ := p.alchemypay.Record(no); rec.Submitted != 1 || rec.Files["idFront"] == 0 || rec.Files["face"] == 0 {
				t.Fatalf("alchemypay holds %+v", rec)
			}
			// A callback that claims more than the partner says is not believed.
			if st, err := p.alchemypay.Notify(cb+"alchemypay", no, "approved"); err != nil || st != 200 {
				t.Fatalf("callback: %d %v", st, err)
			}
			if s := e.status("/v1/shares/" + ap.str("id")); s != "submitted" {
				t.Fatalf("an unconfirmed callback moved the share to %s", s)
			}
			p.alchemypay.Decide(no, "approved")
			if st, _ := p.alchemypay.Notify(cb+"alchemypay", no, "approved"); st != 200 {
				t.Fatalf("callback: %d", st)
			}
			if got := e.json("GET", "/v1/shares/"+ap.str("id"), e.testKey, ""); got.str("status") != "approved" || got.str("partnerStatus") != "approved" {
				t.Fatalf("alchemypay share: %s", got.Raw)
			}
			if ev := e.eventTypes(ap.str("id")); !slices.Equal(ev, []string{"share-approved", "share-queued", "share-submitted"}) {
				t.Fatalf("events %v", ev)
			}

			// Interlace: shared to an account, approved by its signed callback; a bad signature is refused.
			const acct = "6c1f2a7e-8d4b-4b8e-9f3a-1d2c3b4a5e6f"
			il := e.share(apl, `{"partner":"interlace","options":{"accountId":"`+acct+`"}}`)
			e.waitStatus("/v1/shares/"+il.str("id"), "submitted")
			p.interlace.Decide(acct, "Passed", "")
			if st, _, _ := p.interlace.Notify(cb+"interlace", acct, "not-the-secret"); st != 401 {
				t.Fatalf("a badly signed callback answered %d", st)
			}
			if s := e.status("/v1/shares/" + il.str("id")); s != "submitted" {
				t.Fatalf("a badly signed callback moved the share to %s", s)
			}
			if st, body, _ := p.interlace.Notify(cb+"interlace", acct, p.interlace.ClientSecret); st != 200 || body != `{"received":true}` {
				t.Fatalf("callback: %d %s", st, body)
			}
			if s := e.status("/v1/shares/" + il.str("id")); s != "approved" {
				t.Fatalf("interlace share %s", s)
			}

			// Saintpay: fetches the files through kycd's signed links; approved by its RSA-signed callback.
			sp := e.share(apl, `{"partner":"saintpay"}`)
			e.waitStatus("/v1/shares/"+sp.str("id"), "submitted")
			u, _ := p.saintpay.User(apl)
			if u.FileBytes["frontFileUrl"] != len(ph.front) || u.FileBytes["selfieFileUrl"] != len(ph.selfie) {
				t.Fatalf("saintpay fetched %v", u.FileBytes)
			}
			p.saintpay.Decide(apl, "accept")
			if st, _ := p.saintpay.Notify(cb+"saintpay", apl, p.saintpay.MerchantKey); st != 401 {
				t.Fatalf("a callback signed with the wrong key answered %d", st)
			}
			if st, _ := p.saintpay.Notify(cb+"saintpay", apl, p.saintpay.PlatformKey); st != 200 {
				t.Fatalf("callback: %d", st)
			}
			if s := e.status("/v1/shares/" + sp.str("id")); s != "approved" {
				t.Fatalf("saintpay share %s", s)
			}
			// The applicant changes after the share: the next Saintpay share is an update.
			if r := e.json("PATCH", "/v1/applicants/"+apl, e.testKey, `{"profile":{"occupation":"15-1252"}}`); r.Status != 200 {
				t.Fatalf("patch: %s", r.Raw)
			}
			up := e.share(apl, `{"partner":"saintpay"}`)
			if up.str("mode") != "update" {
				t.Fatalf("second saintpay share: %s", up.Raw)
			}
			e.waitStatus("/v1/shares/"+up.str("id"), "submitted")
			if u, _ := p.saintpay.User(apl); u.Shares != 2 || u.LastType != "update" {
				t.Fatalf("saintpay after update: %+v", u)
			}

			// A validation problem is answered at once, naming the fields, and nothing is sent.
			calls := p.interlace.CallCount()
			r := e.json("POST", "/v1/applicants/"+apl+"/shares", e.testKey, `{"partner":"interlace","options":{"accountId":"nope"}}`)
			if r.Status != 422 || !slices.Contains(r.errorFields(), "options.accountId") || p.interlace.CallCount() != calls {
				t.Fatalf("invalid share: %d %s", r.Status, r.Raw)
			}

			// A 5xx whose work was done, then success: exactly one submission in effect.
			const acct2 = "0b6c2d4e-1f3a-4b5c-8d7e-9f0a1b2c3d4e"
			p.interlace.Plan.Add("/open-api/v3/accounts/"+acct2+"/kyc", sharetest.Answer{Status: 502, After: true})
			retried := e.share(apl, `{"partner":"interlace","options":{"accountId":"`+acct2+`"}}`)
			got := e.waitStatus("/v1/shares/"+retried.str("id"), "submitted")
			if n := p.interlace.Account(acct2).Submissions; n != 1 || got.JSON["attempts"].(float64) != 2 {
				t.Fatalf("submissions %d, share %s", n, got.Raw)
			}

			// The partner refusing the input (Interlace takes two KYC submissions per account a day)
			// fails the share at once, with the partner's words, and is not retried.
			e.waitStatus("/v1/shares/"+e.share(apl, `{"partner":"interlace","options":{"accountId":"`+acct2+`"}}`).str("id"), "submitted")
			refused := e.waitStatus("/v1/shares/"+e.share(apl, `{"partner":"interlace","options":{"accountId":"`+acct2+`"}}`).str("id"), "failed")
			if !strings.Contains(refused.str("lastError"), "twice per 24 hours") || refused.JSON["attempts"].(float64) != 1 {
				t.Fatalf("refused share: %s", refused.Raw)
			}

			// A rate limit waits for its Retry-After, then goes through.
			p.saintpay.Plan.Add("/api/v1/user/kyc/share", sharetest.Answer{Status: 429, RetryAfter: "1"})
			limited := e.share(apl, `{"partner":"saintpay","options":{"type":"update"}}`)
			e.waitStatus("/v1/shares/"+limited.str("id"), "submitted")
			if u, _ := p.saintpay.User(apl); u.Shares != 3 {
				t.Fatalf("saintpay after a rate limit: %d shares", u.Shares)
			}

			// Only approved applicants are shared (a test key may force it).
			other := e.json("POST", "/v1/applicants", e.testKey, `{"profile":{"firstName":"A","lastName":"B"}}`).str("id")
			if r := e.json("POST", "/v1/applicants/"+other+"/shares", e.testKey, `{"partner":"saintpay"}`); r.Status != 409 {
				t.Fatalf("unapproved: %d %s", r.Status, r.Raw)
			}
			if r := e.json("POST", "/v1/applicants/"+other+"/shares", e.liveKey, `{"partner":"saintpay","force":true}`); r.Status != 404 && r.Status != 422 {
				t.Fatalf("live force: %d %s", r.Status, r.Raw)
			}

			list := e.json("GET", "/v1/applicants/"+apl+"/shares", e.testKey, "")
			if items, _ := list.JSON["items"].([]any); len(items) != 8 {
				t.Fatalf("list: %s", list.Raw)
			}
		})
	}
}

// TestShareStatusArrivesByPolling: a partner that never calls back is asked until it decides.
func TestShareStatusArrivesByPolling(t *testing.T) {
	t.Parallel()
	ph := makePhotos(t)
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e, p := newShareEnv(t, d, 200*time.Millisecond)
			apl := e.approvedApplicant(ph)
			sh := e.share(apl, `{"partner":"alchemypay"}`)
			e.waitStatus("/v1/shares/"+sh.str("id"), "submitted")
			p.alchemypay.Decide(sh.str("requestNo"), "rejected")
			got := e.waitStatus("/v1/shares/"+sh.str("id"), "rejected")
			var s struct{ PartnerStatus string }
			_ = json.Unmarshal(got.Raw, &s)
			if s.PartnerStatus != "rejected" {
				t.Fatalf("%s", got.Raw)
			}
		})
	}
}

// TestShareResponsesMatchServedOpenAPI validates the share endpoints' answers, refusals included,
// against the served OpenAPI document.
func TestShareResponsesMatchServedOpenAPI(t *testing.T) {
	t.Parallel()
	ph := makePhotos(t)
	e, _ := newShareEnv(t, store.SQLite, time.Hour)
	router := e.specRouter()
	check := func(method, path, body string) resp {
		t.Helper()
		r := e.json(method, path, e.testKey, body)
		validate(t, router, method, e.URL+path, body, r)
		return r
	}
	apl := e.approvedApplicant(ph)
	sh := check("POST", "/v1/applicants/"+apl+"/shares", `{"partner":"alchemypay"}`)
	if sh.Status != 201 {
		t.Fatalf("create share: %d %s", sh.Status, sh.Raw)
	}
	check("GET", "/v1/shares/"+sh.str("id"), "")
	check("GET", "/v1/applicants/"+apl+"/shares", "")
	check("GET", "/v1/shares/shr_01J9Z3K6Q5W8C2B7X4N0M1R2S3", "")
	if r := check("POST", "/v1/applicants/"+apl+"/shares", `{"partner":"nobody"}`); r.Status != 422 {
		t.Fatalf("unknown partner: %d %s", r.Status, r.Raw)
	}
	unapproved := e.mustApplicant(e.testKey)
	if r := check("POST", "/v1/applicants/"+unapproved+"/shares", `{"partner":"alchemypay"}`); r.Status != 409 {
		t.Fatalf("unapproved applicant: %d %s", r.Status, r.Raw)
	}
}

// TestAutomaticSharing: with automatic sharing on, an approved applicant is shared with Saintpay
// without being asked, and shared again as an update when it changes.
func TestAutomaticSharing(t *testing.T) {
	t.Parallel()
	ph := makePhotos(t)
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e, p := newShareEnv(t, d, time.Hour, func(c *app.Config) {
				c.Shares.Auto, c.Shares.AutoTest, c.Shares.AutoInterval = []string{"saintpay"}, true, 200*time.Millisecond
			})
			apl := e.approvedApplicant(ph)
			shares := func(n int) []any {
				deadline := time.Now().Add(30 * time.Second)
				for {
					r := e.json("GET", "/v1/applicants/"+apl+"/shares", e.testKey, "")
					items, _ := r.JSON["items"].([]any)
					if len(items) >= n && items[0].(map[string]any)["status"] == "submitted" {
						return items
					}
					if time.Now().After(deadline) {
						t.Fatalf("want %d shares submitted: %s", n, r.Raw)
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
			shares(1)
			if r := e.json("PATCH", "/v1/applicants/"+apl, e.testKey, `{"profile":{"occupation":"15-1252"}}`); r.Status != 200 {
				t.Fatalf("patch: %s", r.Raw)
			}
			items := shares(2)
			if m := items[0].(map[string]any)["mode"]; m != "update" || len(items) != 2 {
				t.Fatalf("after a change: %v", items)
			}
			if u, _ := p.saintpay.User(apl); u.Shares != 2 {
				t.Fatalf("saintpay got %d shares", u.Shares)
			}
		})
	}
}

// TestShareEnumsMatchTheDomainLists: the share schema's enums are kyc's lists.
func TestShareEnumsMatchTheDomainLists(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		typ   reflect.Type
		field string
		want  []string
	}{
		{reflect.TypeFor[kyc.Share](), "Status", kyc.ShareStatuses},
		{reflect.TypeFor[kyc.Share](), "Partner", kyc.Partners},
		{reflect.TypeFor[share.Input](), "Partner", kyc.Partners},
	} {
		f, _ := c.typ.FieldByName(c.field)
		if got := strings.Split(f.Tag.Get("enum"), ","); !slices.Equal(got, c.want) {
			t.Errorf("%s.%s enum %v, want %v", c.typ, c.field, got, c.want)
		}
	}
}
