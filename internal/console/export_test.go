package console_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"kycd/internal/export"
	"kycd/internal/kyc"
	"kycd/internal/people"
	"kycd/internal/review"
	"kycd/internal/share"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// storeExportSource reads an export straight from the store; a file's bytes are its id, as
// storeEvidence serves them.
type storeExportSource struct {
	st      *store.Store
	reviews *review.Service
}

func (s storeExportSource) Applicant(ctx context.Context, env kyc.Env, id string) (kyc.Applicant, error) {
	return s.st.Applicant(ctx, env, id)
}

func (s storeExportSource) Requests(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Request], error) {
	return s.st.ListRequests(ctx, env, store.RequestFilter{ApplicantID: applicantID}, cursor, limit)
}

func (s storeExportSource) Documents(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Document], error) {
	return s.st.ListDocuments(ctx, env, applicantID, cursor, limit)
}

func (s storeExportSource) Files(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.File], error) {
	return s.st.ListFiles(ctx, env, applicantID, cursor, limit)
}

func (s storeExportSource) OpenFile(_ context.Context, _ kyc.Env, id string) (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader(id)), nil
}

func (s storeExportSource) Screenings(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Screening], error) {
	return s.st.ListScreenings(ctx, env, store.ScreeningFilter{ApplicantID: applicantID}, cursor, limit)
}

func (s storeExportSource) Shares(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Share], error) {
	return share.NewRepo(s.st).List(ctx, env, applicantID, cursor, limit)
}

func (s storeExportSource) Events(ctx context.Context, env kyc.Env, resourceID, cursor string, limit int) (kyc.Page[kyc.Event], error) {
	return s.st.ListEvents(ctx, env, store.EventFilter{ResourceID: resourceID}, cursor, limit)
}

func (s storeExportSource) Notes(ctx context.Context, env kyc.Env, applicantID string) ([]export.Note, bool, error) {
	ns, err := s.reviews.Notes(ctx, env, applicantID)
	out := make([]export.Note, len(ns))
	for i, n := range ns {
		out[i] = export.Note{ID: n.ID, CaseID: n.CaseID, Author: n.Author, Body: n.Body, CreatedTime: n.CreatedTime}
	}
	return out, len(ns) < review.NotesLimit, err
}

// TestExportFromTheApplicantPage: an admin follows the applicant page's export link and gets a
// ZIP of the applicant, its document and file, audited with the admin before it was sent; a
// reviewer is not shown the link and is refused it (403), with nothing audited.
func TestExportFromTheApplicantPage(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "")
		ctx := t.Context()
		d := inReview(t, st, kyc.EnvLive, kyc.Check{Name: "duplicate-face", Failed: true, Score: -40, Reason: "document-duplicate"})
		page := "/console/applicants/live/" + d.ApplicantID
		link := "/console/export/live/" + d.ApplicantID

		root := e.admin("root@example.com")
		if pg := root.get(page); pg.status != http.StatusOK || !strings.Contains(pg.body, `href="`+link+`"`) || !strings.Contains(pg.body, "Export everything (ZIP)") {
			t.Fatalf("the admin's applicant page has no export link: %d %s", pg.status, pg.body)
		}
		ans := root.get(link)
		if ans.status != http.StatusOK || ans.header.Get("Content-Type") != "application/zip" ||
			!strings.HasPrefix(ans.header.Get("Content-Disposition"), `attachment; filename="kycd-export-`+d.ApplicantID) || ans.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("export: %d %v", ans.status, ans.header)
		}
		zr, err := zip.NewReader(bytes.NewReader([]byte(ans.body)), int64(len(ans.body)))
		if err != nil {
			t.Fatalf("the export is not a ZIP: %v", err)
		}
		got := map[string]string{}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			got[f.Name] = string(b)
		}
		var doc kyc.Document
		if err := json.Unmarshal([]byte(got["documents/"+d.ID+".json"]), &doc); err != nil || len(doc.CheckList) != 1 || doc.CheckList[0].Name != "duplicate-face" {
			t.Fatalf("the document in the export: %+v %v (entries %v)", doc, err, keys(got))
		}
		if got["files/"+d.FileIDs[0]+".png"] != d.FileIDs[0] || !strings.Contains(got["manifest.json"], `"applicantId": "`+d.ApplicantID+`"`) {
			t.Fatalf("the file or manifest in the export: %v", keys(got))
		}
		trail, err := st.AuditTrail(ctx, kyc.EnvLive, d.ApplicantID)
		if err != nil {
			t.Fatal(err)
		}
		last := trail[len(trail)-1]
		if last.Action != "console.view-export" || !strings.HasPrefix(string(last.Actor), "user:usr_") {
			t.Fatalf("the export in the applicant's trail: %+v", last)
		}
		if ft, err := st.AuditTrail(ctx, kyc.EnvLive, d.FileIDs[0]); err != nil || ft[len(ft)-1].Action != "console.view-file" || ft[len(ft)-1].Actor != last.Actor {
			t.Fatalf("the file's read in its trail: %+v %v", ft, err)
		}

		if _, err := e.people.CreateUser(ctx, "cli:test", "rita@example.com", people.Reviewer, password); err != nil {
			t.Fatal(err)
		}
		rita := e.browser()
		wantRedirect(t, rita.signIn("rita@example.com", password), "/console/")
		if pg := rita.get(page); pg.status != http.StatusOK || strings.Contains(pg.body, link) {
			t.Fatalf("the reviewer's applicant page: %d, shows the export link: %v", pg.status, strings.Contains(pg.body, link))
		}
		before, err := st.AuditTrail(ctx, kyc.EnvLive, d.ApplicantID)
		if err != nil {
			t.Fatal(err)
		}
		if ans := rita.get(link); ans.status != http.StatusForbidden || ans.header.Get("Content-Type") == "application/zip" {
			t.Fatalf("a reviewer's export: %d %s", ans.status, ans.header.Get("Content-Type"))
		}
		if after, _ := st.AuditTrail(ctx, kyc.EnvLive, d.ApplicantID); len(after) != len(before) {
			t.Fatalf("a refused export wrote %+v", after[len(before):])
		}
	})
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
