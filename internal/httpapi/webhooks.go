package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/kyc"
	"kycd/internal/webhook"
)

// eventType is an event type in the API; its schema is the enum of kyc.EventTypes, so the OpenAPI
// document lists every type and cannot drift from the domain's list.
type eventType string

// Schema is the enum of kyc.EventTypes.
func (eventType) Schema(huma.Registry) *huma.Schema {
	enum := make([]any, len(kyc.EventTypes))
	for i, t := range kyc.EventTypes {
		enum[i] = t
	}
	return &huma.Schema{Type: huma.TypeString, Enum: enum, Description: "An event type"}
}

func eventTypes(in []eventType) []string {
	out := make([]string, len(in))
	for i, t := range in {
		out[i] = string(t)
	}
	return out
}

type webhookInput struct {
	URL         string      `json:"url" minLength:"1" maxLength:"2048" doc:"http or https. Live webhooks must reach a public address; test webhooks may also reach localhost"`
	Events      []eventType `json:"events,omitempty" maxItems:"50" doc:"Event types to receive; absent or empty means every type"`
	Description string      `json:"description,omitempty" maxLength:"500"`
}

type webhookPatch struct {
	URL         *string      `json:"url,omitempty" minLength:"1" maxLength:"2048"`
	Events      *[]eventType `json:"events,omitempty" maxItems:"50" doc:"Event types to receive; empty means every type"`
	Description *string      `json:"description,omitempty" maxLength:"500"`
	Enabled     *bool        `json:"enabled,omitempty" doc:"false stops deliveries and fails the unfinished ones; true starts again with the next event"`
}

type secretRotation struct {
	GracePeriodSeconds *int `json:"gracePeriodSeconds,omitempty" minimum:"0" maximum:"604800" doc:"How long the current secrets keep signing beside the new one; default 86400 (24 h)"`
}

// webhookWithSecret is a subscription with its new signing secret, answered once.
type webhookWithSecret struct {
	webhook.Webhook
	SigningSecret string `json:"signingSecret" doc:"whsec_...: verify webhook-signature with it (any Standard Webhooks library does). Shown only in this answer"`
}

type webhookOut struct {
	Location string `header:"Location"`
	Body     webhook.Webhook
}

type webhookSecretOut struct {
	Location string `header:"Location"`
	Body     webhookWithSecret
}

type webhookList struct {
	Items      []webhook.Webhook `json:"items"`
	NextCursor string            `json:"nextCursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page"`
}

type deliveryList struct {
	Items      []webhook.Delivery `json:"items"`
	NextCursor string             `json:"nextCursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page"`
}

func registerWebhooks(api huma.API, d Deps) {
	const tag = "Webhooks"
	create := op("createWebhook", http.MethodPost, "/v1/webhooks", "Subscribe a URL to events", tag, http.StatusCreated, 409, 422)
	create.Description = "Deliveries are signed the Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature) with the signing secret in the answer, shown only once. " +
		"Test and live webhooks are separate: each gets its own environment's events. " +
		"An environment has at most 20 webhooks (the server's KYCD_WEBHOOK_MAX_PER_ENV); one more answers 409."
	huma.Register(api, create, func(ctx context.Context, in *struct {
		IdempotencyKey string `header:"Idempotency-Key" maxLength:"255"`
		Body           webhookInput
	}) (*webhookSecretOut, error) {
		p := principal(ctx)
		w, secret, err := d.Webhooks.Create(ctx, p.Actor(), p.Env, webhook.Input{URL: in.Body.URL, Events: eventTypes(in.Body.Events), Description: in.Body.Description})
		if err != nil {
			return nil, problem(ctx, d.Log, err)
		}
		return &webhookSecretOut{Location: "/v1/webhooks/" + w.ID, Body: webhookWithSecret{Webhook: w, SigningSecret: secret}}, nil
	})
	huma.Register(api, op("getWebhook", http.MethodGet, "/v1/webhooks/{id}", "Get a webhook", tag, http.StatusOK, 404),
		func(ctx context.Context, in *idIn) (*webhookOut, error) {
			w, err := d.Webhooks.Get(ctx, principal(ctx).Env, in.ID)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &webhookOut{Body: w}, nil
		})
	huma.Register(api, op("listWebhooks", http.MethodGet, "/v1/webhooks", "List webhooks, newest first", tag, http.StatusOK, 422),
		func(ctx context.Context, in *struct {
			Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Items per page"`
			Cursor string `query:"cursor" maxLength:"200" doc:"nextCursor of the previous page"`
		}) (*struct{ Body webhookList }, error) {
			pg, err := d.Webhooks.List(ctx, principal(ctx).Env, in.Cursor, in.Limit)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &struct{ Body webhookList }{webhookList{Items: pg.Items, NextCursor: pg.NextCursor}}, nil
		})
	huma.Register(api, op("updateWebhook", http.MethodPatch, "/v1/webhooks/{id}", "Change a webhook's URL, events, description or enabled state", tag, http.StatusOK, 404, 422),
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body webhookPatch
		}) (*webhookOut, error) {
			p := principal(ctx)
			patch := webhook.Patch{URL: in.Body.URL, Description: in.Body.Description, Enabled: in.Body.Enabled}
			if in.Body.Events != nil {
				events := eventTypes(*in.Body.Events)
				patch.Events = &events
			}
			w, err := d.Webhooks.Update(ctx, p.Actor(), p.Env, in.ID, patch)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &webhookOut{Body: w}, nil
		})
	huma.Register(api, op("deleteWebhook", http.MethodDelete, "/v1/webhooks/{id}", "Delete a webhook and its delivery log", tag, http.StatusNoContent, 404),
		func(ctx context.Context, in *idIn) (*struct{}, error) {
			p := principal(ctx)
			if err := d.Webhooks.Delete(ctx, p.Actor(), p.Env, in.ID); err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return nil, nil
		})
	rotate := op("rotateWebhookSecret", http.MethodPost, "/v1/webhooks/{id}/secret-rotation", "Start a new signing secret", tag, http.StatusOK, 404, 422)
	rotate.Description = "Deliveries are signed with the new secret and, for the grace period, with the current ones too (one v1 signature each), so a receiver can switch without refusing a delivery."
	huma.Register(api, rotate, func(ctx context.Context, in *struct {
		ID             string          `path:"id"`
		IdempotencyKey string          `header:"Idempotency-Key" maxLength:"255"`
		Body           *secretRotation `required:"false"`
	}) (*webhookSecretOut, error) {
		p := principal(ctx)
		grace := webhook.DefaultRotationGrace
		if in.Body != nil && in.Body.GracePeriodSeconds != nil {
			grace = time.Duration(*in.Body.GracePeriodSeconds) * time.Second
		}
		w, secret, err := d.Webhooks.RotateSecret(ctx, p.Actor(), p.Env, in.ID, grace)
		if err != nil {
			return nil, problem(ctx, d.Log, err)
		}
		return &webhookSecretOut{Body: webhookWithSecret{Webhook: w, SigningSecret: secret}}, nil
	})
	test := op("testWebhook", http.MethodPost, "/v1/webhooks/{id}/test", "Send a ping event to this webhook", tag, http.StatusAccepted, 404, 409)
	test.Description = "The ping goes to this webhook alone, whatever its event types, and shows in its delivery log."
	huma.Register(api, test, func(ctx context.Context, in *struct {
		ID             string `path:"id"`
		IdempotencyKey string `header:"Idempotency-Key" maxLength:"255"`
	}) (*struct{ Body webhook.Delivery }, error) {
		p := principal(ctx)
		dl, err := d.Webhooks.Test(ctx, p.Actor(), p.Env, in.ID)
		if err != nil {
			return nil, problem(ctx, d.Log, err)
		}
		return &struct{ Body webhook.Delivery }{dl}, nil
	})
	huma.Register(api, op("listWebhookDeliveries", http.MethodGet, "/v1/webhooks/{id}/deliveries", "List a webhook's deliveries, newest first", tag, http.StatusOK, 404, 422),
		func(ctx context.Context, in *struct {
			ID     string `path:"id"`
			Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Items per page"`
			Cursor string `query:"cursor" maxLength:"200" doc:"nextCursor of the previous page"`
			Status string `query:"status" enum:"waiting,pending,succeeded,failed"`
		}) (*struct{ Body deliveryList }, error) {
			pg, err := d.Webhooks.Deliveries(ctx, principal(ctx).Env, in.ID, in.Status, in.Cursor, in.Limit)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &struct{ Body deliveryList }{deliveryList{Items: pg.Items, NextCursor: pg.NextCursor}}, nil
		})
}
