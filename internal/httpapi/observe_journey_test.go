package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"kycd/internal/app"
	"kycd/internal/app/apptest"
	"kycd/internal/level"
	"kycd/internal/screening"
	"kycd/internal/screening/match"
	"kycd/internal/store/storetest"
	"kycd/internal/webhook"
)

// families is a scrape of /metrics by metric name.
type families map[string]*dto.MetricFamily

// scrape reads /metrics over HTTP and parses it.
func scrape(t *testing.T, url string) families {
	t.Helper()
	res, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("/metrics: %d %s", res.StatusCode, b)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// value is the sum of the samples of name whose labels include want ("k=v" pairs); for a
// histogram, its sample count. found says whether any sample matched.
func (f families) value(name string, want ...string) (v float64, found bool) {
	fam := f[name]
	if fam == nil {
		return 0, false
	}
	for _, m := range fam.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for _, kv := range want {
			k, v, _ := strings.Cut(kv, "=")
			if labels[k] != v {
				match = false
			}
		}
		if !match {
			continue
		}
		found = true
		switch {
		case m.Counter != nil:
			v += m.Counter.GetValue()
		case m.Gauge != nil:
			v += m.Gauge.GetValue()
		case m.Histogram != nil:
			v += float64(m.Histogram.GetSampleCount())
		}
	}
	return v, found
}

// journeyPersonal are the personal values of the journey's applicants: none may reach a log line.
var journeyPersonal = []string{"Eileen", "EILEEN", "Collins", "COLLINS", "eileen@example.com", "1966-11-19", "7135550123", "123456789",
	"NASA Pkwy", "Houston", "77058", "203.0.113.7", "TEST-ACCEPT", "TEST-REVIEW"}

// TestOneJourneyShowsInMetricsAndLogs runs one complete journey on each database (an applicant
// whose passport is accepted by the checks, one whose document a person rejects in review, one
// left in the review queue, a screening list, a partner share approved by its callback, a webhook
// receiver that answers and one that fails every attempt) and then reads /metrics and the log:
// every business series has the value the journey's own records (events, deliveries, check lists,
// screenings) say, and the log has the decision, webhook failure and share lines, with ids and
// never a personal value; River's routine chatter is not at INFO.
func TestOneJourneyShowsInMetricsAndLogs(t *testing.T) {
	t.Parallel()
	ph := makePhotos(t)
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			logs := &lockedBuffer{}
			p, partnerSettings := fakePartners(t, time.Hour)
			e := newEnvOpts(t, d, func(c *app.Config) {
				partnerSettings(c)
				c.Sanctions.CheckEvery = time.Millisecond
				c.Webhooks = webhook.Config{Retries: webhook.Schedule{10 * time.Millisecond, 10 * time.Millisecond}, AllowPrivate: true}
			}, apptest.Log(logs))
			importList(t, screening.NewService(e.App.Store, screening.NewLists(e.App.Store, 0), 0, level.Defaults()))

			ok := newReceiver(t, func(arrival, int) int { return http.StatusOK })
			failing := newReceiver(t, func(arrival, int) int { return http.StatusInternalServerError })
			okHook, _ := e.mustWebhook(e.testKey, ok.srv.URL)
			failingHook, _ := e.mustWebhook(e.testKey, failing.srv.URL, "kyc-document-accepted")

			// Decided by the checks (test mode's TEST-ACCEPT), then shared with Alchemy Pay.
			accepted := e.approvedApplicant(ph)
			future := time.Now().AddDate(5, 0, 0).Format("2006-01-02")
			// Decided by a person: the checks send it to review (TEST-REVIEW), a person rejects it.
			rejectedApl, _, rejectedDoc := e.apply(application{dob: "1966-11-19", number: "TEST-REVIEW", expiry: future, holder: "COLLINS, Eileen",
				front: ph.front, selfie: ph.selfie})
			if s := e.settled(rejectedDoc).str("status"); s != "pending-review" {
				t.Fatalf("document %s: %s, want pending-review", rejectedDoc, s)
			}
			if r := e.json("POST", "/v1/kyc-documents/"+rejectedDoc+"/rejection", e.testKey, `{"type":"document-expired","message":"expired"}`); r.Status != 200 {
				t.Fatalf("rejection: %d %s", r.Status, r.Raw)
			}
			// Left in the review queue.
			waitingApl, _, waitingDoc := e.apply(application{dob: "1966-11-19", number: "TEST-REVIEW", expiry: future, holder: "COLLINS, Eileen",
				front: ph.otherFront, selfie: ph.otherSelfie})
			if s := e.settled(waitingDoc).str("status"); s != "pending-review" {
				t.Fatalf("document %s: %s, want pending-review", waitingDoc, s)
			}

			sh := e.share(accepted, `{"partner":"alchemypay","options":{"kycPlatform":"kycd-test"}}`)
			shareID := sh.str("id")
			e.waitStatus("/v1/shares/"+shareID, "submitted")
			p.alchemypay.Decide(sh.str("requestNo"), "approved")
			if st, err := p.alchemypay.Notify(e.URL+"/v1/partner-callbacks/test/alchemypay", sh.str("requestNo"), "approved"); err != nil || st != 200 {
				t.Fatalf("callback: %d %v", st, err)
			}
			e.waitStatus("/v1/shares/"+shareID, "approved")

			// Every delivery finished: the failing receiver's for good after its three attempts.
			var okDeliveries, failedDeliveries []map[string]any
			waitFor(t, "every webhook delivery to finish", func() bool {
				okDeliveries, failedDeliveries = e.deliveriesOf(e.testKey, okHook), e.deliveriesOf(e.testKey, failingHook)
				for _, dl := range append(slices.Clone(okDeliveries), failedDeliveries...) {
					if s := dl["status"]; s != "succeeded" && s != "failed" {
						return false
					}
				}
				return len(failedDeliveries) == 1
			})
			for _, dl := range okDeliveries {
				if dl["status"] != "succeeded" {
					t.Fatalf("a delivery to the answering receiver: %v", dl)
				}
			}
			if dl := failedDeliveries[0]; dl["status"] != "failed" || dl["attempts"] != 3.0 {
				t.Fatalf("the failing receiver's delivery: %v", dl)
			}

			m := scrape(t, e.URL)
			expect := func(want float64, name string, labels ...string) {
				t.Helper()
				got, found := m.value(name, labels...)
				if (!found && want != 0) || got != want {
					t.Errorf("%s%v = %v (found %v), want %v", name, labels, got, found, want)
				}
			}
			// Decisions: one automatic acceptance, two sent to review by the checks, one manual rejection.
			expect(1, "kycd_documents_decided_total", "env=test", "outcome=accepted", "mode=automatic")
			expect(2, "kycd_documents_decided_total", "env=test", "outcome=pending-review", "mode=automatic")
			expect(1, "kycd_documents_decided_total", "env=test", "outcome=rejected", "mode=manual")
			expect(0, "kycd_documents_decided_total", "env=live")
			expect(1, "kycd_document_decision_seconds", "env=test", "mode=automatic")
			expect(1, "kycd_document_decision_seconds", "env=test", "mode=manual")
			// Checks failed: what the three documents' check lists say (each counted with its one
			// automatic outcome).
			failedChecks := map[string]float64{}
			for _, doc := range []string{e.documentOf(accepted), rejectedDoc, waitingDoc} {
				var d struct {
					CheckList []struct {
						Name   string `json:"name"`
						Failed bool   `json:"failed"`
					} `json:"checkList"`
				}
				if err := json.Unmarshal(e.json("GET", "/v1/kyc-documents/"+doc, e.testKey, "").Raw, &d); err != nil {
					t.Fatal(err)
				}
				for _, c := range d.CheckList {
					if c.Failed {
						failedChecks[c.Name]++
					}
				}
			}
			if len(failedChecks) == 0 {
				t.Fatal("no check failed in the journey: the checks-failed series is not shown")
			}
			for name, n := range failedChecks {
				expect(n, "kycd_checks_failed_total", "env=test", "check="+name)
			}
			total, _ := m.value("kycd_checks_failed_total")
			if want := sum(failedChecks); total != want {
				t.Errorf("kycd_checks_failed_total sums to %v, want %v", total, want)
			}
			// Screenings: what the applicants' screenings say.
			clear := 0.0
			for _, apl := range []string{accepted, rejectedApl, waitingApl} {
				r := e.json("GET", "/v1/applicants/"+apl+"/screenings", e.testKey, "")
				items, _ := r.JSON["items"].([]any)
				for _, it := range items {
					if it.(map[string]any)["disposition"] == "clear" {
						clear++
					}
				}
			}
			if clear == 0 {
				t.Fatal("no screening in the journey")
			}
			expect(clear, "kycd_screenings_total", "env=test", "disposition=clear")
			// Webhooks: every delivery to the answering receiver succeeded at its first attempt;
			// the failing one was retried twice, then failed.
			expect(float64(len(okDeliveries)), "kycd_webhook_deliveries_total", "env=test", "result=succeeded")
			expect(2, "kycd_webhook_deliveries_total", "env=test", "result=retry")
			expect(1, "kycd_webhook_deliveries_total", "env=test", "result=failed")
			expect(0, "kycd_webhook_deliveries_pending", "env=test")
			expect(0, "kycd_webhook_oldest_pending_age_seconds", "env=test")
			// The share: queued, submitted, approved.
			for _, status := range []string{"queued", "submitted", "approved"} {
				expect(1, "kycd_share_status_changes_total", "env=test", "partner=alchemypay", "status="+status)
			}
			// Gauges read from the database: the one case left open, the list, every source up.
			expect(1, "kycd_review_queue_size", "env=test")
			if age, _ := m.value("kycd_review_queue_oldest_age_seconds", "env=test"); age <= 0 || age > 600 {
				t.Errorf("oldest open case: %v s", age)
			}
			if age, found := m.value("kycd_sanctions_list_age_seconds", "list=ofac-sdn"); !found || age < 0 || age > 600 {
				t.Errorf("ofac-sdn list age: %v s (found %v)", age, found)
			}
			// River's backlog: each of the three KYC requests' expiry is a job scheduled for later.
			if n, _ := m.value("kycd_river_jobs", "queue=default", "state=scheduled"); n < 3 {
				t.Errorf("kycd_river_jobs{queue=default,state=scheduled} = %v, want at least the 3 requests' expiry jobs", n)
			}
			if n, found := m.value("kycd_river_jobs", "state=completed"); found {
				t.Errorf("completed jobs counted (%v): the gauge reads the backlog only", n)
			}
			for _, source := range []string{"reviews", "webhooks", "sanctions-lists", "jobs"} {
				expect(1, "kycd_metrics_source_up", "source="+source)
			}

			checkJourneyLog(t, strings.Split(strings.TrimSpace(string(logs.bytes())), "\n"), journeyLog{acceptedDoc: e.documentOf(accepted), rejectedDoc: rejectedDoc, shareID: shareID,
				failedDelivery: failedDeliveries[0]["id"].(string), failingHook: failingHook})
			checkDashboard(t, e.App)
		})
	}
}

func sum(m map[string]float64) float64 {
	var n float64
	for _, v := range m {
		n += v
	}
	return n
}

// documentOf returns the id of an applicant's only document.
func (e *env) documentOf(apl string) string {
	e.t.Helper()
	r := e.json("GET", "/v1/kyc-documents?applicantId="+apl, e.testKey, "")
	items, _ := r.JSON["items"].([]any)
	if len(items) != 1 {
		e.t.Fatalf("documents of %s: %s", apl, r.Raw)
	}
	return items[0].(map[string]any)["id"].(string)
}

// importList loads a sanctions list that screens every journey applicant clear.
func importList(t *testing.T, importer *screening.Service) {
	t.Helper()
	if _, _, err := importer.Import(context.Background(), "ofac-sdn", "test", []match.Entry{petrov}, [][]byte{[]byte("journey list")}, false); err != nil {
		t.Fatal(err)
	}
}

// journeyLog are the ids the journey's log lines must carry.
type journeyLog struct {
	acceptedDoc, rejectedDoc, shareID, failedDelivery, failingHook string
}

// checkJourneyLog reads the server's log: the lines of the two final decisions, of the failing
// webhook's attempts and of the share's status changes are there, with the operator's fields; no
// line holds a personal value of the journey; River's routine chatter is not at INFO.
func checkJourneyLog(t *testing.T, lines []string, want journeyLog) {
	t.Helper()
	has := func(what string, parts ...string) {
		t.Helper()
		for _, l := range lines {
			all := true
			for _, p := range parts {
				if !strings.Contains(l, p) {
					all = false
					break
				}
			}
			if all {
				return
			}
		}
		t.Errorf("no log line of %s with %q", what, parts)
	}
	has("the automatic decision", "level=INFO", `msg="document decided"`, "document_id="+want.acceptedDoc, "applicant_id=apl_", "kyc_request_id=req_",
		"outcome=accepted", "mode=automatic", "failed_checks=", "duration_ms=")
	has("the manual decision", "level=INFO", `msg="document decided"`, "document_id="+want.rejectedDoc, "outcome=rejected", "mode=manual", "duration_ms=",
		"request_id=") // the rejection's HTTP request
	has("the failed attempt", "level=INFO", `msg="webhook delivery attempt failed"`, "delivery_id="+want.failedDelivery, "webhook_id="+want.failingHook,
		"event_id=evt_", "event_type=kyc-document-accepted", "attempt=1", "status_code=500", "error_class=status", "next_attempt=")
	has("the delivery failed for good", "level=WARN", `msg="webhook delivery failed for good"`, "delivery_id="+want.failedDelivery, "attempt=3", "result=failed")
	for _, change := range [][2]string{{"none", "queued"}, {"queued", "submitted"}, {"submitted", "approved"}} {
		has("the share's change to "+change[1], "level=INFO", `msg="share status changed"`, "share_id="+want.shareID, "partner=alchemypay",
			"from="+change[0], "to="+change[1])
	}
	has("an HTTP request", `msg=http`, "duration_ms=")
	routine := regexp.MustCompile(`level=INFO .*(Producer job counts|Ran successfully)`)
	for _, l := range lines {
		if routine.MatchString(l) {
			t.Errorf("River's routine chatter at INFO: %s", l)
		}
		if strings.Contains(l, "duration=") {
			t.Errorf("a duration without its unit in the key: %s", l)
		}
		for _, p := range journeyPersonal {
			if strings.Contains(l, p) {
				t.Errorf("a log line holds the personal value %q: %s", p, l)
			}
		}
	}
}

// promQLName finds the metric names a PromQL expression reads: kycd's, Go's and the process's.
var promQLName = regexp.MustCompile(`\b(?:kycd|go|process)_[a-z0-9_]+\b`)

// checkDashboard: every metric name deploy/grafana/kycd.json's expressions read is one that kycd's
// registry holds after the journey (a histogram's _bucket, _sum and _count included), and the
// dashboard shows every business metric.
func checkDashboard(t *testing.T, a *app.App) {
	t.Helper()
	raw, err := os.ReadFile("../../deploy/grafana/kycd.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	fams, err := a.Metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	exposed := map[string]bool{}
	for _, f := range fams {
		exposed[f.GetName()] = true
		if f.GetType() == dto.MetricType_HISTOGRAM {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				exposed[f.GetName()+s] = true
			}
		}
	}
	used := map[string]bool{}
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			names := promQLName.FindAllString(tg.Expr, -1)
			if len(names) == 0 {
				t.Errorf("panel %q: %q reads no metric of kycd", p.Title, tg.Expr)
			}
			for _, n := range names {
				used[strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, "_bucket"), "_sum"), "_count")] = true
				if !exposed[n] {
					t.Errorf("panel %q reads %s, which kycd does not expose", p.Title, n)
				}
			}
		}
	}
	for name := range exposed {
		if strings.HasPrefix(name, "kycd_") && !used[name] && !strings.HasSuffix(name, "_bucket") && !strings.HasSuffix(name, "_sum") && !strings.HasSuffix(name, "_count") {
			t.Errorf("the dashboard shows nothing of %s", name)
		}
	}
}
