package console

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/people"
	"kycd/internal/review"
)

// Reviews is what the console needs of the review queue. *review.Service satisfies it.
type Reviews interface {
	Queue(ctx context.Context, env kyc.Env, f review.Filter, cursor string, limit int) (kyc.Page[review.Case], error)
	Counts(ctx context.Context, env kyc.Env) (map[string]int, map[string]time.Time, error)
	Claim(ctx context.Context, env kyc.Env, id, person string) (review.Case, error)
	Release(ctx context.Context, env kyc.Env, id, person string) (review.Case, error)
	Assign(ctx context.Context, env kyc.Env, id, by, to string) (review.Case, error)
	Snooze(ctx context.Context, env kyc.Env, id, person string, until time.Time) (review.Case, error)
	Decide(ctx context.Context, env kyc.Env, caseID string, person review.Person, d review.Decision) (review.Outcome, error)
	Pending(ctx context.Context, env kyc.Env, caseID string) (review.Proposal, bool, error)
	Approve(ctx context.Context, env kyc.Env, proposalID string, person review.Person) (caseID string, err error)
	Refuse(ctx context.Context, env kyc.Env, proposalID string, person review.Person) (caseID string, err error)
	AddNote(ctx context.Context, env kyc.Env, caseID string, person review.Person, body string) (review.Note, error)
	Notes(ctx context.Context, env kyc.Env, applicantID string) ([]review.Note, error)
	OpenCases(ctx context.Context, env kyc.Env, subjectIDs []string) ([]review.Case, error)
}

var _ Reviews = (*review.Service)(nil)

// queuePage is what the queue page shows.
type queuePage struct {
	Env     kyc.Env
	Envs    []kyc.Env
	Filter  review.Filter
	Mine    bool
	Reasons []reasonCount
	Kinds   []string
	Rows    []queueRow
	// Order is the queue's order (one of review.Orders), Orders the choices offered.
	Order  string
	Orders []orderChoice
	// Next is the address of the next page in the same order and filter, if there is one: a URL
	// made here of encoded values, so that the template does not escape its query string again.
	Next template.URL
	// Query is the filter as a query string, for the forms to come back to.
	Query string
	// People are those a case can be assigned to (approvers and admins see them).
	People []people.User
}

// orderChoice is an order of the queue as the page offers it.
type orderChoice struct {
	Value, Label string
}

// queueOrders are the queue's orders, in review.Orders' order, as the page names them.
var queueOrders = []orderChoice{{review.OrderOldest, "oldest first"}, {review.OrderUrgent, "most urgent first"}, {review.OrderNewest, "newest first"}}

type reasonCount struct {
	Reason string
	Count  int
	Oldest string
}

type queueRow struct {
	review.Case
	Age       string
	Due       string
	Overdue   bool
	Holder    string
	Mine      bool
	Held      bool
	SnoozedTo string
}

// home is the queue: the environment's open cases, oldest first unless the person chose another
// order, with their counts per reason.
func (h *Handler) home(w http.ResponseWriter, r *http.Request, v visit) {
	h.showQueue(w, r, v, http.StatusOK, page{})
}

func (h *Handler) showQueue(w http.ResponseWriter, r *http.Request, v visit, status int, p page) {
	q := r.URL.Query()
	env := kyc.Env(q.Get("env"))
	if !env.Valid() {
		env = kyc.EnvLive
	}
	f := review.Filter{Kind: q.Get("kind"), Reason: q.Get("reason"), Level: q.Get("level"), Snoozed: q.Get("snoozed") == "1", Order: q.Get("order")}
	data := queuePage{Env: env, Envs: []kyc.Env{kyc.EnvLive, kyc.EnvTest}, Kinds: review.Kinds, Orders: queueOrders, Query: r.URL.RawQuery}
	switch q.Get("assignee") {
	case "me":
		f.Assignee, data.Mine = v.user.ID, true
	case "none":
		f.Assignee = "none"
	}
	data.Filter = f
	list, err := h.d.Reviews.Queue(r.Context(), env, f, q.Get("cursor"), 50)
	if fe := fieldErrors(err); fe != nil {
		p.Message, err = "This filter is not one the queue knows; it was cleared.", nil
		data.Filter, q = review.Filter{}, url.Values{"env": {string(env)}}
		data.Query = q.Encode()
		list, err = h.d.Reviews.Queue(r.Context(), env, review.Filter{}, "", 50)
	}
	if data.Order = data.Filter.Order; data.Order == "" {
		data.Order = review.OrderOldest
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	counts, oldest, err := h.d.Reviews.Counts(r.Context(), env)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.now()
	for _, reason := range review.Reasons {
		rc := reasonCount{Reason: reason, Count: counts[reason]}
		if t, ok := oldest[reason]; ok {
			rc.Oldest = age(now.Sub(t))
		}
		data.Reasons = append(data.Reasons, rc)
	}
	names := map[string]string{}
	for _, c := range list.Items {
		row := queueRow{Case: c, Age: age(now.Sub(c.CreatedTime)), Due: c.DueTime.UTC().Format("2006-01-02 15:04 UTC"), Overdue: c.Overdue(now),
			Held: c.Claimed(now), Mine: c.Claimed(now) && c.ClaimedBy == v.user.ID}
		if c.Snoozed(now) {
			row.SnoozedTo = c.SnoozedUntil.UTC().Format("2006-01-02 15:04 UTC")
		}
		if row.Held {
			row.Holder = h.personName(r.Context(), names, c.ClaimedBy)
		}
		data.Rows = append(data.Rows, row)
	}
	if list.NextCursor != "" {
		// The next page keeps the page's filter and order: the cursor is good for that order only.
		q.Set("cursor", list.NextCursor)
		data.Next = template.URL("/console/?" + q.Encode())
	}
	if v.user.Role.Allows(people.Approver) {
		if ps, err := h.d.People.Users(r.Context(), "", 100); err == nil {
			for _, u := range ps.Items {
				if !u.Disabled && u.Role.Allows(people.Reviewer) {
					data.People = append(data.People, u)
				}
			}
		}
	}
	p.Title, p.User, p.CSRF, p.Data = "Review queue", &v.user, h.csrf(v.session), data
	h.render(w, r, status, "home", p)
}

// personName is a person's email for the queue, looked up once a page.
func (h *Handler) personName(ctx context.Context, names map[string]string, id string) string {
	if n, ok := names[id]; ok {
		return n
	}
	n := id
	if u, err := h.d.People.User(ctx, id); err == nil {
		n = u.Email
	}
	names[id] = n
	return n
}

// age says how long ago, roughly: minutes, hours or days.
func age(d time.Duration) string {
	switch {
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + " min"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + " h"
	}
	return strconv.Itoa(int(d.Hours()/24)) + " days"
}

// caseAction claims, releases, snoozes or assigns a case, then shows the queue again with the
// filter the person was looking at, or the case page when the form was the case page's.
func (h *Handler) caseAction(w http.ResponseWriter, r *http.Request, v visit) {
	env, id := kyc.Env(r.PathValue("env")), r.PathValue("id")
	if !env.Valid() {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	var err error
	var done string
	switch r.PostFormValue("action") {
	case "claim":
		_, err = h.d.Reviews.Claim(ctx, env, id, v.user.ID)
		done = "The case is yours for the next minutes; release it if you stop."
	case "release":
		_, err = h.d.Reviews.Release(ctx, env, id, v.user.ID)
		done = "Released."
	case "snooze":
		hours, perr := strconv.Atoi(r.PostFormValue("hours"))
		if perr != nil || hours < 1 || hours > 72 { // the form's choices: 1 hour to 3 days
			err = kyc.Invalid("hours", "choose how long to snooze")
			break
		}
		_, err = h.d.Reviews.Snooze(ctx, env, id, v.user.ID, h.now().Add(time.Duration(hours)*time.Hour))
		done = "Snoozed."
	case "assign":
		if !v.user.Role.Allows(people.Approver) {
			err = fmt.Errorf("only approvers and admins assign cases: %w", kyc.ErrForbidden)
			break
		}
		to, perr := h.d.People.User(ctx, r.PostFormValue("to"))
		if perr != nil || to.Disabled || !to.Role.Allows(people.Reviewer) {
			err = kyc.Invalid("to", "choose an active reviewer, approver or admin")
			break
		}
		_, err = h.d.Reviews.Assign(ctx, env, id, v.user.ID, to.ID)
		done = "Assigned to " + to.Email + "."
	default:
		err = kyc.Invalid("action", "unknown action")
	}
	if r.PostFormValue("from") == "case" {
		// From the case page, the answer is the case page: the case again, or why not.
		if err == nil {
			http.Redirect(w, r, "/console/cases/"+string(env)+"/"+id, http.StatusSeeOther)
			return
		}
		h.refused(w, r, v, env, id, err)
		return
	}
	back := r.Clone(ctx)
	back.URL = &url.URL{Path: "/console/", RawQuery: r.PostFormValue("back")}
	if q := back.URL.Query(); q.Get("env") == "" {
		q.Set("env", string(env))
		back.URL.RawQuery = q.Encode()
	}
	switch {
	case err == nil:
		h.showQueue(w, back, v, http.StatusOK, page{Notice: done})
	case errors.Is(err, kyc.ErrForbidden):
		h.showQueue(w, back, v, http.StatusForbidden, page{Message: message(err)})
	case errors.Is(err, kyc.ErrNotFound):
		h.showQueue(w, back, v, http.StatusNotFound, page{Message: "There is no such case in this environment."})
	case errors.Is(err, kyc.ErrConflict):
		h.showQueue(w, back, v, http.StatusConflict, page{Message: message(err)})
	case fieldErrors(err) != nil:
		h.showQueue(w, back, v, http.StatusUnprocessableEntity, page{Message: message(err)})
	default:
		h.fail(w, r, err)
	}
}
