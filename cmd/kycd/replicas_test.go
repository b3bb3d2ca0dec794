package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/riverqueue/river"

	"kycd/internal/app"
	"kycd/internal/kyc"
	"kycd/internal/review"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestClaimsRaceAcrossServeProcesses: two `kycd serve` processes on one PostgreSQL database, a
// reviewer signed in on each; both claim every one of 25 open cases at once through the console,
// 50 claims: each case is claimed exactly once (one answer says it is yours, the other is refused
// with 409), and the database holds each case claimed by the one who was told so.
func TestClaimsRaceAcrossServeProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds kycd and runs two processes")
	}
	t.Parallel()
	dbURL := storetest.NewDatabase(t, store.Postgres)
	bin := filepath.Join(t.TempDir(), "kycd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	base := append(os.Environ(), "KYCD_DATA_DIR="+dir, "KYCD_DATABASE_URL="+dbURL, "KYCD_SANCTIONS_REFRESH=off")
	const cases = 25
	seedCases(t, app.Config{DataDir: dir, DatabaseURL: dbURL}, cases)

	passwords := map[string]string{}
	for _, email := range []string{"rita@example.com", "rob@example.com"} {
		out, err := cmdIn(bin, base, "user", "create", "--email", email, "--role", "reviewer").Output()
		if err != nil {
			t.Fatalf("user create: %v", err)
		}
		passwords[email] = strings.TrimSpace(string(out))
	}
	var people [2]*consoleClient
	for i, email := range []string{"rita@example.com", "rob@example.com"} {
		env := append(base, "KYCD_ADDR="+freeAddr(t))
		c := &consoleClient{t: t, base: "http://" + envValue(env, "KYCD_ADDR")}
		cmd := startKycd(t, bin, env, c.base)
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		c.signIn(email, passwords[email])
		people[i] = c
	}

	queue := people[0].get("/console/?env=live")
	ids := regexp.MustCompile(`<code>(rvc_[0-9A-Z]+)</code>`).FindAllStringSubmatch(queue, -1)
	if len(ids) != cases {
		t.Fatalf("the queue shows %d cases, want %d", len(ids), cases)
	}
	tokens := [2]string{people[0].csrf(queue), people[1].csrf(people[1].get("/console/?env=live"))}
	won := make([][2]bool, cases)
	var wg sync.WaitGroup
	for i, m := range ids {
		for p := range people {
			wg.Go(func() {
				status, body := people[p].post("/console/cases/live/"+m[1], url.Values{"csrf": {tokens[p]}, "action": {"claim"}})
				switch {
				case status == http.StatusOK && strings.Contains(body, "The case is yours"):
					won[i][p] = true
				case status == http.StatusConflict:
				default:
					t.Errorf("%s's claim of %s: %d", []string{"rita", "rob"}[p], m[1], status)
				}
			})
		}
	}
	wg.Wait()

	st, _, err := app.OpenStore(context.Background(), app.Config{DataDir: dir, DatabaseURL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	holders := map[string]string{}
	rs, err := st.Query(context.Background(), `SELECT id, claimed_by FROM review_cases WHERE env = 'live' AND status = 'open'`)
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var id string
		var by *string
		if err := rs.Scan(&id, &by); err != nil {
			t.Fatal(err)
		}
		if by != nil {
			holders[id] = *by
		}
	}
	rs.Close()
	perPerson := map[string]map[int]bool{}
	for i, m := range ids {
		if won[i][0] == won[i][1] {
			t.Errorf("case %s: rita won %v, rob won %v; want exactly one", m[1], won[i][0], won[i][1])
			continue
		}
		w := 0
		if won[i][1] {
			w = 1
		}
		if holders[m[1]] == "" {
			t.Errorf("case %s is held by nobody", m[1])
			continue
		}
		if perPerson[holders[m[1]]] == nil {
			perPerson[holders[m[1]]] = map[int]bool{}
		}
		perPerson[holders[m[1]]][w] = true
	}
	// Each holder in the database is always the same winner: the one told "yours" holds it.
	for by, ws := range perPerson {
		if len(ws) != 1 {
			t.Errorf("%s holds cases that rita and that rob were each told are theirs", by)
		}
	}
	t.Logf("rita and rob won %d claims between them, over two processes", len(holders))
}

// seedCases opens the database of cfg and puts count documents of new live applicants in review,
// each opening its case as a decision does.
func seedCases(t *testing.T, cfg app.Config, count int) {
	t.Helper()
	ctx := context.Background()
	st, _, err := app.OpenStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reviews := review.NewService(st, review.Config{})
	if err := st.InitJobs(store.JobsConfig{Workers: river.NewWorkers(), Events: reviews.Sink()}); err != nil {
		t.Fatal(err)
	}
	audit := func(action, id string) store.Effects {
		return store.Effects{Audit: kyc.AuditEntry{Actor: "cli:test", Action: action, ResourceType: "test", ResourceID: id}}
	}
	for range count {
		a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvLive, Type: "individual", Status: "unverified", Level: "L1"}
		if err := st.CreateApplicant(ctx, &a, audit("applicant.create", a.ID)); err != nil {
			t.Fatal(err)
		}
		f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: kyc.EnvLive, ApplicantID: a.ID, Tag: "id-front", MIME: "image/png", Size: 10, SHA256: "ab", Width: 1, Height: 1, BlobKey: "k"}
		if err := st.CreateFile(ctx, &f, audit("file.create", f.ID)); err != nil {
			t.Fatal(err)
		}
		d := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), Env: kyc.EnvLive, ApplicantID: a.ID, Type: "identity-proof", Subtype: "passport", FileIDs: []string{f.ID}, Status: "pending"}
		if err := st.CreateDocument(ctx, &d, audit("kyc-document.create", d.ID), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := st.DecideDocument(ctx, kyc.EnvLive, d.ID, func(c *store.Case) (store.Effects, error) {
			c.Document.Status = "pending-review"
			c.Document.Decision = &kyc.Decision{Level: "L1", Outcome: "pending-review"}
			eff := audit("kyc-document.decide", d.ID)
			eff.Events = []store.NewEvent{{Type: kyc.EventDocumentPendingReview, ResourceType: "kyc-document", ResourceID: d.ID}}
			return eff, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// consoleClient is one person's browser on one kycd process: cookies, no redirects followed.
type consoleClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *consoleClient) csrf(page string) string {
	c.t.Helper()
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		c.t.Fatalf("no CSRF token on the page: %.500s", page)
	}
	return m[1]
}

func (c *consoleClient) do(req *http.Request) (int, string) {
	c.t.Helper()
	res, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (c *consoleClient) get(path string) string {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	status, body := c.do(req)
	if status != http.StatusOK {
		c.t.Fatalf("GET %s: %d", path, status)
	}
	return body
}

func (c *consoleClient) post(path string, form url.Values) (int, string) {
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base)
	return c.do(req)
}

func (c *consoleClient) signIn(email, password string) {
	c.t.Helper()
	jar, _ := cookiejar.New(nil)
	c.c = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	token := c.csrf(c.get("/console/login"))
	if status, body := c.post("/console/login", url.Values{"csrf": {token}, "email": {email}, "password": {password}}); status != http.StatusSeeOther {
		c.t.Fatalf("sign in %s: %d %.300s", email, status, body)
	}
}
