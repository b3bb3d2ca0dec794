package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/people"
	"kycd/internal/store"
)

// AuditLog is what the audit page reads. *store.Store satisfies it.
type AuditLog interface {
	ListAudit(ctx context.Context, env kyc.Env, f store.AuditFilter, before int64, limit int) ([]store.AuditRecord, error)
	VerifyAuditChain(ctx context.Context, env kyc.Env) error
}

var _ AuditLog = (*store.Store)(nil)

// auditPage is what the audit page shows.
type auditPage struct {
	Env     kyc.Env
	Envs    []kyc.Env
	People  []people.User
	Person  string
	Subject string
	From    string
	To      string
	Rows    []auditRow
	Next    string
	// Verified is the result of a chain check asked for: "" when none was.
	Verified string
	Broken   bool
}

type auditRow struct {
	store.AuditRecord
	Who string
}

// audit lists the audit log by person, applicant (or any resource) and time, and checks the
// chain when asked.
func (h *Handler) audit(w http.ResponseWriter, r *http.Request, v visit) {
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		q = r.PostForm
	}
	env := kyc.Env(q.Get("env"))
	if !env.Valid() {
		env = kyc.EnvLive
	}
	data := auditPage{Env: env, Envs: []kyc.Env{kyc.EnvLive, kyc.EnvTest}, Person: q.Get("person"), Subject: q.Get("subject"), From: q.Get("from"), To: q.Get("to")}
	p := page{Title: "Audit log", User: &v.user, CSRF: h.csrf(v.session)}
	f := store.AuditFilter{ResourceID: data.Subject}
	if data.Person != "" {
		f.Actor = kyc.Actor("user:" + data.Person)
	}
	var bad []string
	if data.From != "" {
		t, err := time.Parse("2006-01-02", data.From)
		if err != nil {
			bad = append(bad, "from")
		}
		f.From = t
	}
	if data.To != "" {
		t, err := time.Parse("2006-01-02", data.To)
		if err != nil {
			bad = append(bad, "to")
		}
		f.To = t.AddDate(0, 0, 1)
	}
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	if len(bad) > 0 {
		p.Message = "Dates are written YYYY-MM-DD."
	}
	rows, err := h.d.Audit.ListAudit(r.Context(), env, f, before, 100)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names := map[string]string{}
	for _, rec := range rows {
		row := auditRow{AuditRecord: rec, Who: string(rec.Actor)}
		if id, ok := strings.CutPrefix(string(rec.Actor), "user:"); ok {
			row.Who = h.personName(r.Context(), names, id)
		}
		data.Rows = append(data.Rows, row)
	}
	if len(rows) == 100 {
		// From the filters in force (the form's, after a chain check's POST), the next page.
		next := url.Values{}
		for _, k := range []string{"env", "person", "subject", "from", "to"} {
			if v := q.Get(k); v != "" {
				next.Set(k, v)
			}
		}
		next.Set("before", strconv.FormatInt(rows[len(rows)-1].ID, 10))
		data.Next = next.Encode()
	}
	if ps, err := h.d.People.Users(r.Context(), "", 100); err == nil {
		data.People = ps.Items
	}
	if r.Method == http.MethodPost {
		if err := h.d.Audit.VerifyAuditChain(r.Context(), env); err != nil {
			data.Verified, data.Broken = err.Error(), true
		} else {
			data.Verified = "Every chain of the " + string(env) + " log verifies, with its anchors."
		}
	}
	p.Data = data
	h.render(w, r, http.StatusOK, "audit", p)
}
