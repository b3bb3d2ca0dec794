package console

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/report"
	"kycd/internal/review"
)

// Reports reads the dashboard. *report.Reader satisfies it.
type Reports interface {
	Dashboard(ctx context.Context, env kyc.Env, now time.Time, days int) (report.Dashboard, error)
}

var _ Reports = (*report.Reader)(nil)

// dashboardDays is the window of the dashboard.
const dashboardDays = 30

// dashboardPage is what the dashboard shows: the report and its charts drawn as SVG on the
// server (no script, readable as text too).
type dashboardPage struct {
	Env    kyc.Env
	Envs   []kyc.Env
	Report report.Dashboard
	// Bars are the applications per day as an SVG bar chart of 600 by 160.
	Bars     []bar
	MaxDay   int
	Funnel   []hbar
	Decision []hbar
	Reasons  []hbar
	Queue    []reasonCount
}

// bar is one bar of a vertical chart, in SVG units.
type bar struct {
	X, Y, W, H int
	Label      string
}

// hbar is one bar of a horizontal chart: its label, value and width in SVG units (of 400).
type hbar struct {
	Label string
	Value int
	W     int
}

func hbars(max int, items ...hbar) []hbar {
	for i := range items {
		if max > 0 {
			items[i].W = items[i].Value * 400 / max
		}
	}
	return items
}

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, v visit) {
	env := kyc.Env(r.URL.Query().Get("env"))
	if !env.Valid() {
		env = kyc.EnvLive
	}
	rep, err := h.d.Reports.Dashboard(r.Context(), env, h.now(), dashboardDays)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := dashboardPage{Env: env, Envs: []kyc.Env{kyc.EnvLive, kyc.EnvTest}, Report: rep}
	for _, d := range rep.Days {
		data.MaxDay = max(data.MaxDay, d.Count)
	}
	bw := 600 / max(len(rep.Days), 1)
	for i, d := range rep.Days {
		hgt := 0
		if data.MaxDay > 0 {
			hgt = d.Count * 150 / data.MaxDay
		}
		data.Bars = append(data.Bars, bar{X: i * bw, Y: 155 - hgt, W: max(bw-2, 1), H: hgt, Label: fmt.Sprintf("%s: %d", d.Date.Format("2006-01-02"), d.Count)})
	}
	f := rep.Funnel
	data.Funnel = hbars(f.Created, hbar{Label: "Applied", Value: f.Created}, hbar{Label: "Submitted a document", Value: f.Submitted},
		hbar{Label: "Had a document decided", Value: f.Decided}, hbar{Label: "Approved", Value: f.Approved})
	data.Decision = hbars(max(rep.Automatic, rep.Manual), hbar{Label: "By the checks", Value: rep.Automatic}, hbar{Label: "By a person", Value: rep.Manual})
	most := 0
	for _, c := range rep.Rejections {
		most = max(most, c.Count)
	}
	for _, c := range rep.Rejections {
		data.Reasons = append(data.Reasons, hbar{Label: c.Name, Value: c.Count})
	}
	data.Reasons = hbars(most, data.Reasons...)
	counts, oldest, err := h.d.Reviews.Counts(r.Context(), env)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, reason := range review.Reasons {
		rc := reasonCount{Reason: reason, Count: counts[reason]}
		if t, ok := oldest[reason]; ok {
			rc.Oldest = age(h.now().Sub(t))
		}
		data.Queue = append(data.Queue, rc)
	}
	h.render(w, r, http.StatusOK, "dashboard", page{Title: "Dashboard", User: &v.user, CSRF: h.csrf(v.session), Data: data})
}

// duration writes a duration for people: seconds, minutes, hours or days.
func duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%.1f h", d.Hours())
	}
	return fmt.Sprintf("%.1f days", d.Hours()/24)
}
