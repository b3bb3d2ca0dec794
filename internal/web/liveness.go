package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"net/http"
	"strconv"
	"time"

	"kycd/internal/face/liveness"
	"kycd/internal/gather"
	"kycd/internal/kyc"
	"kycd/internal/media"
	"kycd/internal/store"
)

// LivenessStore keeps the liveness challenges of the selfie screen. *store.Store satisfies it.
type LivenessStore interface {
	CreateLiveness(ctx context.Context, l *store.LivenessSession) error
	OpenLiveness(ctx context.Context, env kyc.Env, requestID string, now time.Time) (store.LivenessSession, error)
	UseLiveness(ctx context.Context, env kyc.Env, requestID, nonce string, now time.Time) (store.LivenessSession, error)
	FinishLiveness(ctx context.Context, env kyc.Env, id string, result json.RawMessage, selfieFileID string) error
	LivenessFailures(ctx context.Context, env kyc.Env, requestID string) (int, error)
}

var _ LivenessStore = (*store.Store)(nil)

// Timing of the challenge in the page (data attributes the script reads): the end user looks
// straight at the camera for livenessFirstMS before the first frame, then has livenessHoldMS for
// each move before its frame. Long enough for a person to read a prompt and move, short enough
// that three moves take ten seconds.
const (
	livenessFirstMS = 1500
	livenessHoldMS  = 2500
)

// maxLivenessAttempts is how many challenges may fail in a row for one request (a challenge whose
// frame was sent as the selfie ends the run, so a document sent again after a rejection gets its
// own). When the last one fails too, its first frame is sent as the selfie anyway, with the failed
// result: the document then waits for a person (check liveness) rather than leaving the end user
// with no way on.
const maxLivenessAttempts = 3

// challengeMove is one move as the page shows it.
type challengeMove struct {
	Move liveness.Move
	Text string
}

// challengeData is the liveness screen's content.
type challengeData struct {
	// Nonce is empty when no challenge is left (every attempt used).
	Nonce        string
	Moves        []challengeMove
	MoveList     string
	Frames       []int
	FirstMS      int
	HoldMS       int
	AttemptsLeft int
}

// challenge returns the request's open challenge, or issues one while attempts are left.
func (h *Handler) challenge(ctx context.Context, v *view, f *flow) (challengeData, error) {
	env, reqID := f.who.Env, f.req.ID
	now := time.Now()
	used, err := h.d.Liveness.LivenessFailures(ctx, env, reqID)
	if err != nil {
		return challengeData{}, err
	}
	d := challengeData{FirstMS: livenessFirstMS, HoldMS: livenessHoldMS, AttemptsLeft: max(maxLivenessAttempts-used, 0)}
	if d.AttemptsLeft == 0 {
		return d, nil
	}
	s, err := h.d.Liveness.OpenLiveness(ctx, env, reqID, now.Add(30*time.Second)) // time left to answer it
	if errors.Is(err, kyc.ErrNotFound) {
		ch := liveness.NewChallenge(now)
		s = store.LivenessSession{ID: kyc.NewID(kyc.PrefixLiveness), Env: env, RequestID: reqID, ApplicantID: f.who.ApplicantID, Nonce: ch.Nonce,
			Moves: liveness.JoinMoves(ch.Moves), Issued: ch.Issued, Expires: ch.Expires}
		err = h.d.Liveness.CreateLiveness(ctx, &s)
	}
	if err != nil {
		return challengeData{}, err
	}
	moves, err := liveness.ParseMoves(s.Moves)
	if err != nil {
		return challengeData{}, err
	}
	d.Nonce, d.MoveList = s.Nonce, s.Moves
	for i, m := range append([]liveness.Move{""}, moves...) {
		d.Frames = append(d.Frames, i)
		if m != "" {
			d.Moves = append(d.Moves, challengeMove{Move: m, Text: v.T("liveness.move." + string(m))})
		}
	}
	return d, nil
}

// postLiveness answers POST /gather/{id}/liveness: the frames of a challenge (frame0 looking
// straight, then one per move) with its nonce, under the session and CSRF token like every form.
// The nonce is spent first, whatever follows. A passed challenge's first frame becomes the selfie
// (stored as an upload of the selfie screen is) and completes the identity document; a failed one
// shows why with a fresh challenge, until the attempts run out.
func (h *Handler) postLiveness(w http.ResponseWriter, r *http.Request) {
	_, f, fm, v, ok := h.begin(w, r, stepSelfie)
	if !ok {
		return
	}
	defer fm.cleanup()
	if !f.livenessRequired {
		http.Redirect(w, r, "/gather/"+f.req.ID, http.StatusSeeOther)
		return
	}
	now := time.Now() // when the frames arrived, whatever the wait below
	// Wait for a turn before spending the nonce, so an end user who gives up waiting keeps it.
	select {
	case h.checking <- struct{}{}:
		defer func() { <-h.checking }()
	case <-r.Context().Done():
		return
	}
	s, err := h.d.Liveness.UseLiveness(r.Context(), f.who.Env, f.req.ID, v.Values["nonce"], now)
	if errors.Is(err, kyc.ErrNotFound) {
		v.Errors["_form"] = v.T("liveness.failed.expired")
		h.renderStep(w, r, http.StatusUnprocessableEntity, stepSelfie, v, f)
		return
	}
	if err != nil {
		h.fail(w, r, f, err)
		return
	}
	moves, err := liveness.ParseMoves(s.Moves)
	if err != nil {
		h.fail(w, r, f, err)
		return
	}
	res, err := h.checkFrames(r.Context(), liveness.Challenge{Nonce: s.Nonce, Moves: moves, Issued: s.Issued, Expires: s.Expires}, fm, now)
	if err != nil {
		h.fail(w, r, f, err)
		return
	}
	raw, err := json.Marshal(res)
	if err != nil {
		h.fail(w, r, f, err)
		return
	}
	used, err := h.d.Liveness.LivenessFailures(r.Context(), f.who.Env, f.req.ID)
	if err != nil {
		h.fail(w, r, f, err)
		return
	}
	selfie := fm.files["frame0"]
	if !res.Passed && (used < maxLivenessAttempts || selfie == nil) {
		if err := h.d.Liveness.FinishLiveness(r.Context(), f.who.Env, s.ID, raw, ""); err != nil {
			h.fail(w, r, f, err)
			return
		}
		h.d.Log.InfoContext(r.Context(), "web: liveness failed", "kyc_request_id", f.req.ID, "check", res.Failed().Name)
		v.Errors["_form"] = v.T(failedText(res))
		h.renderStep(w, r, http.StatusUnprocessableEntity, stepSelfie, v, f)
		return
	}
	delete(fm.files, "frame0")
	file, err := h.d.Gather.Upload(r.Context(), f.who, gather.SlotSelfie, selfie)
	if err != nil {
		h.fail(w, r, f, err)
		return
	}
	// The session names its selfie before the document exists, so verification finds it.
	if err := h.d.Liveness.FinishLiveness(r.Context(), f.who.Env, s.ID, raw, file.ID); err != nil {
		h.fail(w, r, f, err)
		return
	}
	if _, _, err := h.d.Gather.SubmitSelfie(r.Context(), f.who); err != nil {
		h.fail(w, r, f, err)
		return
	}
	http.Redirect(w, r, "/gather/"+f.req.ID, http.StatusSeeOther)
}

// failedText is the message key for a failed challenge: its first failed check.
func failedText(res liveness.Result) string {
	switch c := res.Failed(); {
	case c == nil:
		return "liveness.failed.moves"
	case c.Name == "fresh":
		return "liveness.failed.expired"
	case c.Name == "one-face", c.Name == "same-face":
		return "liveness.failed.face"
	case c.Name == "frames":
		return "liveness.failed.frames"
	}
	return "liveness.failed.moves"
}

// checkFrames decodes the form's frames (frame0, frame1, ... up to the first missing one) through
// the uploads' safe path (sniffed and their pixels bounded from the header by media.Inspect, then
// decoded within the process's decode budget) and checks them against ch. A frame that is not an
// image, or does not decode, ends the frames there: the check then fails on their number.
func (h *Handler) checkFrames(ctx context.Context, ch liveness.Challenge, fm *form, now time.Time) (liveness.Result, error) {
	var frames []image.Image
	for i := 0; i <= liveness.MaxMoves; i++ {
		sp := fm.files["frame"+strconv.Itoa(i)]
		if sp == nil {
			break
		}
		img, release, err := h.decodeFrame(ctx, sp)
		if err != nil {
			if ctx.Err() != nil {
				return liveness.Result{}, ctx.Err()
			}
			break
		}
		defer release()
		frames = append(frames, img)
	}
	return liveness.Verify(ch, frames, h.d.Faces, now), nil
}

func (h *Handler) decodeFrame(ctx context.Context, sp *media.Spooled) (image.Image, func(), error) {
	info, err := media.Inspect(sp, h.d.MaxPixels)
	if err != nil {
		return nil, nil, err
	}
	if info.Width == 0 {
		return nil, nil, fmt.Errorf("a frame of type %s", info.MIME)
	}
	rc, err := sp.Open()
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, sp.Size))
	if err != nil {
		return nil, nil, err
	}
	return h.d.Decode.Decode(ctx, data, h.d.MaxPixels)
}
