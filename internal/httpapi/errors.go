package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"kycd/internal/kyc"
)

// scrubErrors is a transformer of the API (see newAPI): validation errors from huma echo the
// offending value; a value may be personal data, and the field name and message are enough, so
// answers never carry it. It also moves strict-JSON errors to the field they are about
// (relocate). Being the API's own transformer, not a replacement of huma's global error
// constructor, it changes nothing for any other huma API in the process.
func scrubErrors(_ huma.Context, _ string, v any) (any, error) {
	if em, ok := v.(*huma.ErrorModel); ok {
		for _, d := range em.Errors {
			if d != nil {
				d.Value = nil
				relocate(d)
			}
		}
	}
	return v, nil
}

// problem turns any error from the domain into an HTTP answer. It is the only place where that
// mapping lives: handlers return errors, huma and the plain handlers both come here.
//
//	*kyc.ValidationError          422, errors[] naming each field
//	kyc.ErrNotFound               404 (*kyc.NotFoundError: errors[] naming the field)
//	kyc.ErrConflict               409
//	kyc.ErrIdempotencyInProgress  409
//	kyc.ErrIdempotencyMismatch    422
//	kyc.ErrUnauthenticated        401
//	kyc.ErrForbidden              403
//	kyc.ErrTooLarge               413
//	kyc.ErrUnsupportedMedia       415
//	kyc.ErrGone                   410
//	anything else                 500, logged with the request id, no detail to the client
func problem(ctx context.Context, log *slog.Logger, err error) huma.StatusError {
	var se huma.StatusError
	if errors.As(err, &se) {
		return se
	}
	var ve *kyc.ValidationError
	switch {
	case errors.As(err, &ve):
		details := make([]error, len(ve.Fields))
		for i, f := range ve.Fields {
			details[i] = &huma.ErrorDetail{Location: f.Field, Message: f.Message}
		}
		return huma.Error422UnprocessableEntity("validation failed", details...)
	case errors.Is(err, kyc.ErrNotFound):
		var nf *kyc.NotFoundError
		if errors.As(err, &nf) && len(nf.Fields) > 0 {
			details := make([]error, len(nf.Fields))
			for i, f := range nf.Fields {
				details[i] = &huma.ErrorDetail{Location: f.Field, Message: f.Message}
			}
			return huma.Error404NotFound(clean(nf, kyc.ErrNotFound), details...)
		}
		return huma.Error404NotFound("not found")
	case errors.Is(err, kyc.ErrIdempotencyInProgress):
		return huma.Error409Conflict(kyc.ErrIdempotencyInProgress.Error())
	case errors.Is(err, kyc.ErrConflict):
		return huma.Error409Conflict(clean(err, kyc.ErrConflict))
	case errors.Is(err, kyc.ErrIdempotencyMismatch):
		return huma.Error422UnprocessableEntity(kyc.ErrIdempotencyMismatch.Error())
	case errors.Is(err, kyc.ErrUnauthenticated):
		return huma.Error401Unauthorized("a valid API key is required: Authorization: Bearer kycd_test_... or kycd_live_...")
	case errors.Is(err, kyc.ErrForbidden):
		return huma.Error403Forbidden(clean(err, kyc.ErrForbidden))
	case errors.Is(err, kyc.ErrTooLarge):
		return huma.NewError(http.StatusRequestEntityTooLarge, clean(err, kyc.ErrTooLarge))
	case errors.Is(err, kyc.ErrUnsupportedMedia):
		return huma.NewError(http.StatusUnsupportedMediaType, clean(err, kyc.ErrUnsupportedMedia))
	case errors.Is(err, kyc.ErrUnavailable):
		return huma.Error503ServiceUnavailable(clean(err, kyc.ErrUnavailable))
	case errors.Is(err, kyc.ErrGone):
		return huma.Error410Gone(clean(err, kyc.ErrGone))
	}
	if errors.Is(err, context.Canceled) {
		return huma.NewError(499, "client closed request")
	}
	log.ErrorContext(ctx, "internal error", "request_id", requestID(ctx), "err", err)
	return huma.Error500InternalServerError("internal error; quote request id " + requestID(ctx))
}

// clean drops the sentinel's own text from the end of a wrapped message.
func clean(err, sentinel error) string {
	msg := strings.TrimSuffix(err.Error(), ": "+sentinel.Error())
	if msg == sentinel.Error() || msg == "" {
		return sentinel.Error()
	}
	return msg
}

// writeProblem answers a plain handler's error as problem+json.
func writeProblem(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	se := problem(r.Context(), log, err)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(se.GetStatus())
	_ = json.NewEncoder(w).Encode(se)
}

// WriteProblem answers err as problem+json with the one mapping of this file, for handlers outside
// this package (the app endpoints).
func WriteProblem(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	writeProblem(w, r, log, err)
}
