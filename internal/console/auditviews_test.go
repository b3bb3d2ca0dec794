package console_test

import (
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/people"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// consoleLink finds the console's own links and images in a page.
var consoleLink = regexp.MustCompile(`(?:href|src)="(/console(?:/[^"]*)?)"`)

// TestEveryPersonalDataViewIsAudited crawls the whole console as an admin, from the queue along
// every link and image of every page, with applicants whose names and dates of birth appear
// nowhere else; every answer that shows one of them, or a file's bytes, must have written an
// audit entry naming the admin and that applicant (or that file). A page added later that shows
// personal data without writing its view fails here, as long as a console page links to it.
func TestEveryPersonalDataViewIsAudited(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "")
		ctx := t.Context()
		other := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvLive, Type: "individual", Status: "unverified", Level: "L1",
			Email: "philippa.o@example.org", Profile: kyc.Profile{FirstName: "Philippa", LastName: "Ostrowiecka", DateOfBirth: "1983-11-29"}}
		if err := st.CreateApplicant(ctx, &other, audit("applicant.create", other.ID)); err != nil {
			t.Fatal(err)
		}
		d := inReview(t, st, kyc.EnvLive, kyc.Check{Name: "duplicate-face", Failed: true, Score: -40, Reason: "document-duplicate"})
		a, err := st.UpdateApplicant(ctx, kyc.EnvLive, d.ApplicantID, func(a *kyc.Applicant) (store.Effects, error) {
			a.Email, a.Profile = "zq.distinct@example.org", kyc.Profile{FirstName: "Zebulon", LastName: "Quixwellington", DateOfBirth: "1961-03-17", Nationality: "NZ"}
			return audit("applicant.update", a.ID), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.DecideDocument(ctx, kyc.EnvLive, d.ID, func(c *store.Case) (store.Effects, error) {
			c.Document.ParsedData = map[string]any{"mrzRead": map[string]any{"surname": "QUIXWELLINGTON", "givenNames": "ZEBULON", "documentNumber": "ZQ4471829"},
				"duplicateFaceOf": other.ID}
			return audit("kyc-document.read", d.ID), nil
		}); err != nil {
			t.Fatal(err)
		}
		// whose says whose personal data each distinctive value is.
		whose := map[string]string{}
		for _, v := range []string{"Zebulon", "Quixwellington", "QUIXWELLINGTON", "1961-03-17", "ZQ4471829", "zq.distinct@example.org"} {
			whose[v] = a.ID
		}
		for _, v := range []string{"Philippa", "Ostrowiecka", "1983-11-29", "philippa.o@example.org"} {
			whose[v] = other.ID
		}

		root := e.admin("root@example.com")
		users, err := e.people.Users(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		var actor kyc.Actor
		for _, u := range users.Items {
			if u.Email == "root@example.com" {
				actor = u.Actor()
			}
		}
		// newest is the id of the admin's newest audit entry; since returns the entries after id.
		newest := func() int64 {
			t.Helper()
			rs, err := st.ListAudit(ctx, kyc.EnvLive, store.AuditFilter{Actor: actor}, 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) == 0 {
				return 0
			}
			return rs[0].ID
		}
		since := func(id int64) []store.AuditRecord {
			t.Helper()
			rs, err := st.ListAudit(ctx, kyc.EnvLive, store.AuditFilter{Actor: actor}, 0, store.MaxPageSize)
			if err != nil {
				t.Fatal(err)
			}
			return slices.DeleteFunc(rs, func(r store.AuditRecord) bool { return r.ID <= id })
		}

		seen := map[string]bool{"/console/": true}
		queue := []string{"/console/"}
		// shown are the pages and files that showed personal data, with whose.
		shown := map[string]string{}
		for len(queue) > 0 && len(seen) < 400 {
			path := queue[0]
			queue = queue[1:]
			before := newest()
			ans := root.get(path)
			fresh := since(before)
			audited := func(resource string) bool {
				return slices.ContainsFunc(fresh, func(r store.AuditRecord) bool {
					return r.Actor == actor && r.ResourceID == resource && strings.HasPrefix(r.Action, "console.view")
				})
			}
			if ct := ans.header.Get("Content-Type"); ans.status == 200 && !strings.HasPrefix(ct, "text/html") {
				id := path[strings.LastIndex(path, "/")+1:]
				shown[path] = id
				if !audited(id) {
					t.Errorf("%s answered %s without an audit entry of its view by %s", path, ct, actor)
				}
				continue
			}
			for v, who := range whose {
				if strings.Contains(ans.body, html.EscapeString(v)) {
					shown[path] = who
					if !audited(who) {
						t.Errorf("%s shows %q of %s without an audit entry of the view by %s", path, v, who, actor)
					}
				}
			}
			for _, m := range consoleLink.FindAllStringSubmatch(ans.body, -1) {
				link := html.UnescapeString(m[1])
				if u, err := url.Parse(link); err != nil || u.Path == "/console/logout" || seen[link] {
					continue
				}
				seen[link] = true
				queue = append(queue, link)
			}
		}
		t.Logf("crawled %d console addresses; personal data on %d of them", len(seen), len(shown))
		// The crawl must have reached every kind of personal-data view, or it proves nothing.
		for _, want := range []struct{ prefix, who string }{
			{"/console/cases/live/", a.ID}, {"/console/applicants/live/" + a.ID, a.ID}, {"/console/applicants/live/" + other.ID, other.ID},
			{"/console/files/live/" + d.FileIDs[0], d.FileIDs[0]},
			{"/console/export/live/" + a.ID, a.ID}, {"/console/export/live/" + other.ID, other.ID},
		} {
			found := false
			for p, who := range shown {
				found = found || strings.HasPrefix(p, want.prefix) && who == want.who
			}
			if !found {
				t.Errorf("the crawl did not reach a view of %s's data at %s…; it saw %v", want.who, want.prefix, shown)
			}
		}
		// A viewer's views are audited with the viewer, too: the role does not change the rule.
		if _, err := e.people.CreateUser(ctx, "cli:test", "vic@example.com", people.Viewer, password); err != nil {
			t.Fatal(err)
		}
		vic := e.browser()
		wantRedirect(t, vic.signIn("vic@example.com", password), "/console/")
		if pg := vic.get("/console/applicants/live/" + other.ID); pg.status != 200 || !strings.Contains(pg.body, "Ostrowiecka") {
			t.Fatalf("the viewer's applicant page: %d", pg.status)
		}
		trail, err := st.AuditTrail(ctx, kyc.EnvLive, other.ID)
		if err != nil || trail[len(trail)-1].Action != "console.view-applicant" || trail[len(trail)-1].Actor == actor || !strings.HasPrefix(string(trail[len(trail)-1].Actor), "user:usr_") {
			t.Fatalf("the viewer's view in the trail: %+v %v", trail, err)
		}
	})
}
