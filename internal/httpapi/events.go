package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/webhook"
)

// event is an event: what happened to a resource, with the resource as it was at that revision.
type event struct {
	ID           string          `json:"id" doc:"Also the webhook-id header of its deliveries"`
	Env          kyc.Env         `json:"environment" enum:"test,live"`
	Type         eventType       `json:"type"`
	ResourceType string          `json:"resourceType"`
	ResourceID   string          `json:"resourceId"`
	Revision     int64           `json:"revision" doc:"The resource's revision after the change: drop a delivery older than one you have"`
	CreatedTime  time.Time       `json:"createdTime" doc:"The webhook body's createdAt"`
	Data         json.RawMessage `json:"data" doc:"The resource at this revision; null when dataErased"`
	DataErased   bool            `json:"dataErased,omitempty" doc:"The event's data is gone for good (data is null): its applicant was erased, or the retention period of event payloads (KYCD_RETENTION_EVENTS) passed; the event cannot be redelivered (409)"`
}

func toEvent(e kyc.Event) event {
	data, _ := e.Data.(json.RawMessage)
	return event{ID: e.ID, Env: e.Env, Type: eventType(e.Type), ResourceType: e.ResourceType, ResourceID: e.ResourceID,
		Revision: e.Revision, CreatedTime: e.CreatedTime, Data: data, DataErased: e.DataErased}
}

type eventList struct {
	Items      []event `json:"items"`
	NextCursor string  `json:"nextCursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page"`
}

type redeliveryInput struct {
	WebhookID string `json:"webhookId,omitempty" doc:"Send to this webhook only; absent: to every enabled webhook that wants the event's type"`
}

type redeliveries struct {
	Items []webhook.Delivery `json:"items" doc:"The new deliveries"`
}

func registerEvents(api huma.API, d Deps) {
	const tag = "Events"
	huma.Register(api, op("listEvents", http.MethodGet, "/v1/events", "List events, newest first", tag, http.StatusOK, 422),
		func(ctx context.Context, in *struct {
			Limit      int    `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Items per page"`
			Cursor     string `query:"cursor" maxLength:"200" doc:"nextCursor of the previous page"`
			Type       string `query:"type" maxLength:"64" doc:"Only events of this type"`
			ResourceID string `query:"resourceId" maxLength:"64" doc:"Only events about this resource"`
		}) (*struct{ Body eventList }, error) {
			pg, err := d.Webhooks.Events(ctx, principal(ctx).Env, store.EventFilter{Type: in.Type, ResourceID: in.ResourceID}, in.Cursor, in.Limit)
			if err == nil {
				err = logReads(ctx, d, "event.read", "event", ids(pg.Items, func(e kyc.Event) string { return e.ID })...)
			}
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			out := eventList{Items: make([]event, len(pg.Items)), NextCursor: pg.NextCursor}
			for i, e := range pg.Items {
				out.Items[i] = toEvent(e)
			}
			return &struct{ Body eventList }{out}, nil
		})
	huma.Register(api, op("getEvent", http.MethodGet, "/v1/events/{id}", "Get an event", tag, http.StatusOK, 404),
		func(ctx context.Context, in *idIn) (*struct{ Body event }, error) {
			e, err := d.Webhooks.Event(ctx, principal(ctx).Env, in.ID)
			if err == nil {
				err = logReads(ctx, d, "event.read", "event", e.ID)
			}
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &struct{ Body event }{toEvent(e)}, nil
		})
	// "data" is null when dataErased; huma would write its nullable untyped schema as type ["", "null"].
	if es := api.OpenAPI().Components.Schemas.Map()["Event"]; es != nil {
		if d := es.Properties["data"]; d != nil {
			es.Properties["data"] = &huma.Schema{OneOf: []*huma.Schema{{Type: "object"}, {Type: "null"}}, Description: d.Description}
		}
	}
	redeliver := op("redeliverEvent", http.MethodPost, "/v1/events/{id}/redelivery", "Send an event again", tag, http.StatusAccepted, 404, 409, 422)
	redeliver.Description = "The same webhook-id and body as the first time. A redelivery goes out after anything still pending about the same resource for that webhook."
	huma.Register(api, redeliver, func(ctx context.Context, in *struct {
		ID             string           `path:"id"`
		IdempotencyKey string           `header:"Idempotency-Key" maxLength:"255"`
		Body           *redeliveryInput `required:"false"`
	}) (*struct{ Body redeliveries }, error) {
		p := principal(ctx)
		var webhookID string
		if in.Body != nil {
			webhookID = in.Body.WebhookID
		}
		ds, err := d.Webhooks.Redeliver(ctx, p.Actor(), p.Env, in.ID, webhookID)
		if err != nil {
			return nil, problem(ctx, d.Log, err)
		}
		if ds == nil {
			ds = []webhook.Delivery{}
		}
		return &struct{ Body redeliveries }{redeliveries{Items: ds}}, nil
	})
}
