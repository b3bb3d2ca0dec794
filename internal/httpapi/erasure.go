package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/erasure"
	"kycd/internal/kyc"
)

type erasureOut struct {
	Status int
	Body   erasure.Erasure
}

// registerErasure adds the erasure of applicants and their legal holds, when Deps.Erasures is set.
func registerErasure(api huma.API, d Deps) {
	if d.Erasures == nil {
		return
	}
	const tag = "Applicants"
	del := op("eraseApplicant", http.MethodDelete, "/v1/applicants/{id}", "Erase an applicant's personal data", tag, http.StatusOK, 404, 409)
	del.Description = "Destroys the applicant's data key, so that every copy of its personal data and file bytes (rows, blobs, " +
		"backups taken from now on) is unreadable, and in the same transaction removes each personal value kycd holds of the " +
		"applicant: email, profile, addresses, documents' identification and parsed data, event payloads and webhook delivery " +
		"bodies, drafts, review notes, face embeddings, fingerprints, liveness results, the names in screening hits, shares' " +
		"partner messages. Deliveries not yet made are failed. The file blobs are deleted by a background job " +
		"(`blobsPurgedTime`). What stays holds no personal data: ids, statuses, levels, decisions with check names and scores, " +
		"file types and sizes, timestamps, the audit trail. An `applicant-erased` event is sent, and the answer carries a " +
		"signed receipt (`kycd receipt verify`).\n\nWith `KYCD_ERASURE_DELAY` set, the erasure is scheduled that far ahead " +
		"(202, `status: scheduled`) and can be cancelled until then. An applicant under a legal hold is refused (409, naming the " +
		"hold). Asking again answers the same erasure. Afterwards the applicant can be read (no personal fields, `erasedTime` " +
		"set) and every change of it is refused (410)."
	del.Responses = map[string]*huma.Response{"202": {Description: "Scheduled: carried out at dueTime unless cancelled"}}
	huma.Register(api, del, func(ctx context.Context, in *struct {
		ID string `path:"id"`
	}) (*erasureOut, error) {
		p := principal(ctx)
		e, err := d.Erasures.Erase(ctx, p.Actor(), p.Env, in.ID)
		if err != nil {
			return nil, problem(ctx, d.Log, err)
		}
		status := http.StatusOK
		if e.Status == "scheduled" {
			status = http.StatusAccepted
		}
		return &erasureOut{Status: status, Body: e}, nil
	})
	huma.Register(api, op("getErasure", http.MethodGet, "/v1/applicants/{id}/erasure", "Get the erasure asked of an applicant", tag, http.StatusOK, 404),
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*erasureOut, error) {
			e, err := d.Erasures.Get(ctx, principal(ctx).Env, in.ID)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &erasureOut{Status: http.StatusOK, Body: e}, nil
		})
	huma.Register(api, op("cancelErasure", http.MethodPost, "/v1/applicants/{id}/erasure/cancel", "Cancel a scheduled erasure", tag, http.StatusOK, 404, 409),
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*erasureOut, error) {
			p := principal(ctx)
			e, err := d.Erasures.Cancel(ctx, p.Actor(), p.Env, in.ID)
			if err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return &erasureOut{Status: http.StatusOK, Body: e}, nil
		})
	hold := op("placeLegalHold", http.MethodPut, "/v1/applicants/{id}/legal-hold", "Place a legal hold on an applicant", tag, http.StatusOK, 404, 410, 422)
	hold.Description = "While the hold is in place the applicant's erasure is refused (409 naming the hold), and a scheduled " +
		"erasure waits. Placing it again replaces the reason. The reason is shown to whoever reads the applicant: write no " +
		"personal data in it."
	huma.Register(api, hold, func(ctx context.Context, in *struct {
		ID   string `path:"id"`
		Body struct {
			Reason string `json:"reason" minLength:"1" maxLength:"500" doc:"Why the data must be kept (a case number, an order's reference)"`
		}
	}) (*struct{ Body kyc.LegalHold }, error) {
		p := principal(ctx)
		h, err := d.Erasures.PlaceHold(ctx, p.Actor(), p.Env, in.ID, in.Body.Reason)
		if err != nil {
			return nil, problem(ctx, d.Log, err)
		}
		return &struct{ Body kyc.LegalHold }{h}, nil
	})
	huma.Register(api, op("liftLegalHold", http.MethodDelete, "/v1/applicants/{id}/legal-hold", "Lift an applicant's legal hold", tag, http.StatusNoContent, 404),
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct{}, error) {
			p := principal(ctx)
			if err := d.Erasures.LiftHold(ctx, p.Actor(), p.Env, in.ID); err != nil {
				return nil, problem(ctx, d.Log, err)
			}
			return nil, nil
		})
}
