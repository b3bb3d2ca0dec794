package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"kycd/internal/kyc"
)

// TestDefaultScheduleSpansFiveDays: the documented schedule, 14 attempts, the last one before 5
// days are over and the disable threshold.
func TestDefaultScheduleSpansFiveDays(t *testing.T) {
	t.Parallel()
	want := "5s,30s,2m,10m,30m,1h,3h,6h,12h,24h,24h,24h,24h"
	if got := DefaultRetries.String(); got != want {
		t.Fatalf("schedule %s, want %s", got, want)
	}
	parsed, err := ParseSchedule(want)
	if err != nil || parsed.String() != want {
		t.Fatalf("parse: %v %s", err, parsed)
	}
	var total time.Duration
	for _, d := range DefaultRetries {
		total += d
	}
	if DefaultRetries.Attempts() != 14 || total > DefaultDisableAfter || total < 4*24*time.Hour {
		t.Fatalf("%d attempts over %s", DefaultRetries.Attempts(), total)
	}
	if err := (Config{Retries: DefaultRetries}).Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (Config{Retries: make(Schedule, JobMaxAttempts)}).Validate(); err == nil {
		t.Fatal("a schedule longer than River's cap was accepted")
	}
	for _, bad := range []string{"", "5s,,1m", "5s,-1s", "soon"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("ParseSchedule(%q) accepted", bad)
		}
	}
}

// TestDelayJitter: each delay is within ±10% of the schedule's, the same for the same delivery
// and attempt, and not the same for all deliveries.
func TestDelayJitter(t *testing.T) {
	t.Parallel()
	seen := map[time.Duration]bool{}
	for i := range 200 {
		key := fmt.Sprintf("dlv_%d", i)
		for n := 1; n <= 20; n++ {
			base := DefaultRetries[min(n, len(DefaultRetries))-1]
			d := DefaultRetries.Delay(n, key)
			if d < base-base/10 || d > base+base/10 {
				t.Fatalf("attempt %d: delay %s outside %s ±10%%", n, d, base)
			}
			if d != DefaultRetries.Delay(n, key) {
				t.Fatal("the delay is not stable")
			}
			if n == 1 {
				seen[d] = true
			}
		}
	}
	if len(seen) < 100 {
		t.Fatalf("only %d distinct first delays over 200 deliveries: no jitter", len(seen))
	}
}

// TestSignatureVerifiesWithStandardWebhooks: the official library accepts each secret of a
// rotation, and refuses a changed body, another id or an unknown secret.
func TestSignatureVerifiesWithStandardWebhooks(t *testing.T) {
	t.Parallel()
	oldSecret, newSecret, stranger := NewSecret(), NewSecret(), NewSecret()
	if !strings.HasPrefix(newSecret, "whsec_") || len(newSecret) < len("whsec_")+32 {
		t.Fatalf("secret %q", newSecret)
	}
	body := []byte(`{"id":"evt_1","type":"applicant-created","revision":0,"data":{}}`)
	ts := time.Now()
	sig, err := Sign([]string{newSecret, oldSecret}, "evt_1", ts, body)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Split(sig, " ")); n != 2 {
		t.Fatalf("%d signatures, want 2: %s", n, sig)
	}
	h := http.Header{}
	h.Set("webhook-id", "evt_1")
	h.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	h.Set("webhook-signature", sig)
	for _, s := range []string{oldSecret, newSecret} {
		wh, err := standardwebhooks.NewWebhook(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := wh.Verify(body, h); err != nil {
			t.Fatalf("secret does not verify: %v", err)
		}
		if err := wh.Verify(append([]byte(" "), body...), h); err == nil {
			t.Fatal("a changed body verified")
		}
	}
	wh, _ := standardwebhooks.NewWebhook(stranger)
	if err := wh.Verify(body, h); err == nil {
		t.Fatal("an unknown secret verified")
	}
	h.Set("webhook-id", "evt_2")
	wh, _ = standardwebhooks.NewWebhook(newSecret)
	if err := wh.Verify(body, h); err == nil {
		t.Fatal("another message id verified")
	}
}

// TestAddressPolicy: which addresses each environment's webhooks may reach.
func TestAddressPolicy(t *testing.T) {
	t.Parallel()
	live, test, open := Config{}.policy(kyc.EnvLive), Config{}.policy(kyc.EnvTest), Config{AllowPrivate: true}.policy(kyc.EnvLive)
	cases := []struct {
		addr           string
		live, test     bool // reachable
		kindInLiveMode string
	}{
		{"93.184.215.14", true, true, ""},
		{"2606:2800:21f:cb07:6820:80da:af6b:8b2c", true, true, ""},
		{"127.0.0.1", false, false, "loopback"},
		{"::1", false, false, "loopback"},
		{"::ffff:127.0.0.1", false, false, "loopback"},
		{"10.1.2.3", false, false, "private"},
		{"172.16.0.1", false, false, "private"},
		{"192.168.1.1", false, false, "private"},
		{"fd00::1", false, false, "private"},
		{"169.254.169.254", false, false, "link-local"},
		{"fe80::1", false, false, "link-local"},
		{"0.0.0.0", false, false, "unspecified"},
		{"::", false, false, "unspecified"},
		{"239.1.2.3", false, false, "multicast"},
		{"100.64.0.1", false, false, "CGNAT"},
		{"255.255.255.255", false, false, "reserved"},
		{"64:ff9b::a01:203", false, false, "private"}, // 10.1.2.3 through NAT64
	}
	for _, c := range cases {
		a := netip.MustParseAddr(c.addr)
		if got := live.refuses(a) == ""; got != c.live {
			t.Errorf("live %s: reachable %v, want %v", c.addr, got, c.live)
		}
		if got := test.refuses(a) == ""; got != c.test {
			t.Errorf("test %s: reachable %v, want %v", c.addr, got, c.test)
		}
		if !strings.Contains(live.refuses(a), c.kindInLiveMode) {
			t.Errorf("live %s: %q, want it to say %s", c.addr, live.refuses(a), c.kindInLiveMode)
		}
		if open.refuses(a) != "" {
			t.Errorf("AllowPrivate refuses %s", c.addr)
		}
	}
}

// hosts is a resolver over a fixed table, standing in for DNS.
type hosts map[string][]netip.Addr

func (h hosts) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	if a, ok := h[host]; ok {
		return a, nil
	}
	return nil, errors.New("no such host")
}

// TestCheckURL: only http(s), resolving to allowed addresses, every problem naming body.url.
func TestCheckURL(t *testing.T) {
	t.Parallel()
	dns := hosts{
		"hooks.example.com": {netip.MustParseAddr("93.184.215.14")},
		"rebind.example":    {netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("10.0.0.7")},
		"localhost":         {netip.MustParseAddr("127.0.0.1")},
	}
	cases := []struct {
		env  kyc.Env
		url  string
		want string // "" = accepted, else a part of the message
	}{
		{kyc.EnvLive, "https://hooks.example.com/kyc", ""},
		{kyc.EnvLive, "http://hooks.example.com:8080/kyc?token=x", ""},
		{kyc.EnvLive, "ftp://hooks.example.com/kyc", "http or https"},
		{kyc.EnvLive, "/relative", "absolute"},
		{kyc.EnvLive, "https://", "absolute"},
		{kyc.EnvLive, "https://nowhere.invalid/", "does not resolve"},
		{kyc.EnvLive, "http://127.0.0.1:9999/", "a loopback address"},
		{kyc.EnvLive, "http://localhost/", "a loopback address"},
		{kyc.EnvLive, "http://169.254.169.254/latest/meta-data", "a link-local address"},
		{kyc.EnvLive, "http://rebind.example/", "10.0.0.7, a private address"},
		{kyc.EnvLive, "http://[::1]/", "a loopback address"},
		{kyc.EnvTest, "https://hooks.example.com/kyc", ""},
		{kyc.EnvTest, "http://localhost:9999/", "a loopback address"},
		{kyc.EnvTest, "http://[::1]/", "a loopback address"},
		{kyc.EnvTest, "http://10.0.0.1/", "a private address"},
	}
	for _, c := range cases {
		err := Config{}.checkURL(context.Background(), dns, c.env, c.url)
		var ve *kyc.ValidationError
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s %s refused: %v", c.env, c.url, err)
		case c.want != "" && (!errors.As(err, &ve) || ve.Fields[0].Field != "body.url" || !strings.Contains(ve.Fields[0].Message, c.want)):
			t.Errorf("%s %s: %v, want a body.url problem saying %q", c.env, c.url, err, c.want)
		}
	}
	if err := (Config{AllowPrivate: true}).checkURL(context.Background(), dns, kyc.EnvLive, "http://10.0.0.1/"); err != nil {
		t.Errorf("AllowPrivate refused a private address: %v", err)
	}
}

// TestConnectTimeGuard: the live and the test client refuse to connect to a loopback receiver even
// though the URL was never checked (as after DNS rebinding), and say why; only AllowPrivate
// reaches it.
func TestConnectTimeGuard(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	defer srv.Close()
	cfg := Config{}.WithDefaults()
	for _, env := range []kyc.Env{kyc.EnvLive, kyc.EnvTest} {
		_, err := newHTTPClient(cfg, cfg.policy(env)).Post(srv.URL, "application/json", strings.NewReader("{}"))
		if err == nil || hits.Load() != 0 || !strings.Contains(describe(err, cfg.Timeout), "refused to connect to 127.0.0.1, a loopback address") {
			t.Fatalf("%s client: %v (described %q), %d hits", env, err, describe(err, cfg.Timeout), hits.Load())
		}
	}
	open := Config{AllowPrivate: true}.WithDefaults()
	res, err := newHTTPClient(open, open.policy(kyc.EnvTest)).Post(srv.URL, "application/json", strings.NewReader("{}"))
	if err != nil || res.StatusCode != 200 || hits.Load() != 1 {
		t.Fatalf("AllowPrivate client: %v", err)
	}
	res.Body.Close()
}
