package console

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"kycd/internal/auth"
	"kycd/internal/kyc"
	"kycd/internal/level"
	"kycd/internal/webhook"
)

// Administration pages for admins: the levels in force and the webhooks with their delivery log
// and replay. People are managed on the people page.

// Levels are the verification levels in force. *level.Set satisfies it.
type Levels interface {
	Names() []string
	Get(name string) (level.Level, bool)
}

var _ Levels = (*level.Set)(nil)

// Webhooks is what the webhook pages need. *webhook.Service satisfies it.
type Webhooks interface {
	List(ctx context.Context, env kyc.Env, cursor string, limit int) (kyc.Page[webhook.Webhook], error)
	Get(ctx context.Context, env kyc.Env, id string) (webhook.Webhook, error)
	Deliveries(ctx context.Context, env kyc.Env, id, status, cursor string, limit int) (kyc.Page[webhook.Delivery], error)
	Redeliver(ctx context.Context, actor kyc.Actor, env kyc.Env, eventID, webhookID string) ([]webhook.Delivery, error)
}

var _ Webhooks = (*webhook.Service)(nil)

// Policy says what the review queue does on a level: whether four eyes hold its decisions, and
// how long its cases may wait. *review.Service satisfies it.
type Policy interface {
	Policy(level string) (fourEyes bool, sla time.Duration)
}

type levelRow struct {
	level.Level
	FourEyes bool
	SLA      string
}

func (h *Handler) levels(w http.ResponseWriter, r *http.Request, v visit) {
	var rows []levelRow
	for _, n := range h.d.Levels.Names() {
		l, _ := h.d.Levels.Get(n)
		four, sla := h.d.Policy.Policy(n)
		rows = append(rows, levelRow{Level: l, FourEyes: four, SLA: duration(sla)})
	}
	h.render(w, r, http.StatusOK, "levels", page{Title: "Levels in force", User: &v.user, CSRF: h.csrf(v.session), Data: rows})
}

type webhooksPage struct {
	Env      kyc.Env
	Envs     []kyc.Env
	Webhooks []webhook.Webhook
	// One is the subscription whose delivery log is shown, with its deliveries.
	One        *webhook.Webhook
	Deliveries []webhook.Delivery
	Status     string
	Statuses   []string
	Next       string
}

func (h *Handler) webhooks(w http.ResponseWriter, r *http.Request, v visit) {
	h.showWebhooks(w, r, v, http.StatusOK, page{})
}

func (h *Handler) showWebhooks(w http.ResponseWriter, r *http.Request, v visit, status int, p page) {
	q := r.URL.Query()
	env := kyc.Env(q.Get("env"))
	if !env.Valid() {
		env = kyc.EnvLive
	}
	data := webhooksPage{Env: env, Envs: []kyc.Env{kyc.EnvLive, kyc.EnvTest}, Status: q.Get("status"), Statuses: webhook.DeliveryStatuses}
	list, err := h.d.Webhooks.List(r.Context(), env, "", 100)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data.Webhooks = list.Items
	if id := q.Get("webhook"); id != "" {
		one, err := h.d.Webhooks.Get(r.Context(), env, id)
		if errors.Is(err, kyc.ErrNotFound) {
			p.Message = "There is no such webhook in this environment."
		} else if err != nil {
			h.fail(w, r, err)
			return
		} else {
			data.One = &one
			dels, err := h.d.Webhooks.Deliveries(r.Context(), env, id, data.Status, q.Get("cursor"), 50)
			if fieldErrors(err) != nil {
				p.Message, data.Status = "That status is not one a delivery has.", ""
				dels, err = h.d.Webhooks.Deliveries(r.Context(), env, id, "", "", 50)
			}
			if err != nil {
				h.fail(w, r, err)
				return
			}
			data.Deliveries = dels.Items
			if dels.NextCursor != "" {
				next := r.URL.Query()
				next.Set("cursor", dels.NextCursor)
				data.Next = next.Encode()
			}
		}
	}
	p.Title, p.User, p.CSRF, p.Data = "Webhooks", &v.user, h.csrf(v.session), data
	h.render(w, r, status, "webhooks", p)
}

// replay sends a delivery's event again to its subscription, at the end of its chain.
func (h *Handler) replay(w http.ResponseWriter, r *http.Request, v visit) {
	env, id := kyc.Env(r.PathValue("env")), r.PathValue("id")
	back := r.Clone(r.Context())
	back.URL.RawQuery = "env=" + string(env) + "&webhook=" + id
	if !env.Valid() {
		http.NotFound(w, r)
		return
	}
	_, err := h.d.Webhooks.Redeliver(r.Context(), v.user.Actor(), env, r.PostFormValue("event"), id)
	switch {
	case err == nil:
		h.showWebhooks(w, back, v, http.StatusOK, page{Notice: "The event is queued again for this webhook."})
	case errors.Is(err, kyc.ErrNotFound), errors.Is(err, kyc.ErrConflict), fieldErrors(err) != nil:
		h.showWebhooks(w, back, v, http.StatusConflict, page{Message: message(err)})
	default:
		h.fail(w, r, err)
	}
}

// APIKeys is what the API keys page needs. *auth.Keys satisfies it.
type APIKeys interface {
	auth.KeyStore
	List(ctx context.Context, env kyc.Env) ([]auth.Key, error)
	Revoke(ctx context.Context, env kyc.Env, id string, actor kyc.Actor) error
}

var _ APIKeys = (*auth.Keys)(nil)

type keysPage struct {
	Keys []auth.Key
	Envs []kyc.Env
	// Resources are what scopes can name.
	Resources []string
	// Secret is the key just created, shown once.
	Secret string
}

func (h *Handler) apiKeys(w http.ResponseWriter, r *http.Request, v visit) {
	h.showKeys(w, r, v, http.StatusOK, page{})
}

func (h *Handler) showKeys(w http.ResponseWriter, r *http.Request, v visit, status int, p page) {
	keys, err := h.d.APIKeys.List(r.Context(), "")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data, _ := p.Data.(keysPage)
	data.Keys, data.Envs, data.Resources = keys, []kyc.Env{kyc.EnvLive, kyc.EnvTest}, auth.Resources
	p.Title, p.User, p.CSRF, p.Data = "API keys", &v.user, h.csrf(v.session), data
	h.render(w, r, status, "apikeys", p)
}

// apiKeyAction creates a key (its secret shown once) or revokes one.
func (h *Handler) apiKeyAction(w http.ResponseWriter, r *http.Request, v visit) {
	env := kyc.Env(r.PostFormValue("env"))
	switch r.PostFormValue("action") {
	case "create":
		secret, k, err := auth.NewAPIKey(r.Context(), h.d.APIKeys, env, r.PostFormValue("name"), v.user.Actor(), strings.Fields(r.PostFormValue("scopes"))...)
		if fe := fieldErrors(err); fe != nil {
			h.showKeys(w, r, v, http.StatusUnprocessableEntity, page{Message: message(err), Form: map[string]string{"name": r.PostFormValue("name"), "scopes": r.PostFormValue("scopes")}})
			return
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.showKeys(w, r, v, http.StatusCreated, page{Notice: "Created " + k.Name + " (" + string(k.Env) + ").", Data: keysPage{Secret: secret}})
	case "revoke":
		err := h.d.APIKeys.Revoke(r.Context(), env, r.PostFormValue("id"), v.user.Actor())
		switch {
		case err == nil:
			h.showKeys(w, r, v, http.StatusOK, page{Notice: "Revoked: it authenticates nothing from now on."})
		case errors.Is(err, kyc.ErrConflict), errors.Is(err, kyc.ErrNotFound):
			h.showKeys(w, r, v, http.StatusConflict, page{Message: message(err)})
		default:
			h.fail(w, r, err)
		}
	default:
		h.showKeys(w, r, v, http.StatusUnprocessableEntity, page{Message: "Unknown action."})
	}
}
