package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestLivenessSessions: a challenge is open until answered or expired; its nonce is answered once,
// even by many replicas at once, and only for its own request and environment; its result is
// stored sealed and found again by its selfie file.
func TestLivenessSessions(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newApplicant(t, s, kyc.EnvTest, "")
		newRequest := func() kyc.Request {
			r := kyc.Request{ID: kyc.NewID(kyc.PrefixRequest), Env: kyc.EnvTest, ApplicantID: a.ID, Status: "gathering", MatchLevel: 2, Level: "L1",
				Documents: []kyc.RequestDocument{{Type: "identity-proof", FaceLivenessRequired: true}}, ExpirationTime: time.Now().Add(time.Hour)}
			if err := s.CreateRequest(ctx, &r, audit("kyc-request.create", r.ID)); err != nil {
				t.Fatal(err)
			}
			return r
		}
		r, other := newRequest(), newRequest()
		now := time.Now().UTC().Truncate(time.Microsecond)
		issue := func(nonce string, at time.Time) store.LivenessSession {
			l := store.LivenessSession{ID: kyc.NewID(kyc.PrefixLiveness), Env: kyc.EnvTest, RequestID: r.ID, ApplicantID: a.ID, Nonce: nonce,
				Moves: "move-left,come-closer", Issued: at, Expires: at.Add(2 * time.Minute)}
			if err := s.CreateLiveness(ctx, &l); err != nil {
				t.Fatal(err)
			}
			return l
		}
		if _, err := s.OpenLiveness(ctx, kyc.EnvTest, r.ID, now); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("open before any: %v", err)
		}
		old := issue("nonce-old", now.Add(-3*time.Minute))
		l := issue("nonce-1", now)
		got, err := s.OpenLiveness(ctx, kyc.EnvTest, r.ID, now.Add(time.Second))
		if err != nil || got.ID != l.ID || got.Moves != l.Moves || !got.Expires.Equal(l.Expires) || got.Used != nil || got.Result != nil {
			t.Fatalf("open: %v %+v", err, got)
		}
		// Expired, another request's, another environment's: refused.
		for _, tc := range []struct {
			name, req, nonce string
			env              kyc.Env
		}{{"expired", r.ID, old.Nonce, kyc.EnvTest}, {"other request", other.ID, l.Nonce, kyc.EnvTest}, {"live", r.ID, l.Nonce, kyc.EnvLive},
			{"unknown", r.ID, "nonce-x", kyc.EnvTest}} {
			if _, err := s.UseLiveness(ctx, tc.env, tc.req, tc.nonce, now.Add(time.Second)); !errors.Is(err, kyc.ErrNotFound) {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
		// Ten replicas answer the same nonce at once: one wins.
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 10 {
			wg.Go(func() {
				_, err := s.UseLiveness(ctx, kyc.EnvTest, r.ID, l.Nonce, now.Add(time.Second))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case !errors.Is(err, kyc.ErrNotFound):
					t.Errorf("use: %v", err)
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d answers of one nonce", wins)
		}
		if _, err := s.OpenLiveness(ctx, kyc.EnvTest, r.ID, now.Add(time.Second)); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("an answered challenge is still open: %v", err)
		}
		if n, err := s.LivenessFailures(ctx, kyc.EnvTest, r.ID); err != nil || n != 1 {
			t.Fatalf("failures while checked: %d %v", n, err)
		}

		f := kyc.File{ID: kyc.NewID(kyc.PrefixFile), Env: kyc.EnvTest, ApplicantID: a.ID, Tag: "face-proof", MIME: "image/jpeg", Size: 10, SHA256: "ab", Width: 1, Height: 1, BlobKey: "k"}
		if err := s.CreateFile(ctx, &f, audit("file.create", f.ID)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LivenessByFile(ctx, kyc.EnvTest, f.ID); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("by file before: %v", err)
		}
		result := json.RawMessage(`{"passed":true,"checks":[],"frames":3}`)
		if err := s.FinishLiveness(ctx, kyc.EnvTest, old.ID, result, ""); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("finishing an unanswered challenge: %v", err)
		}
		if err := s.FinishLiveness(ctx, kyc.EnvTest, l.ID, result, f.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := s.LivenessFailures(ctx, kyc.EnvTest, r.ID); err != nil || n != 0 {
			t.Fatalf("failures once the selfie is sent: %d %v", n, err)
		}
		// A failure answered before the sent one no longer counts; one after it does.
		before := issue("nonce-before", now.Add(-time.Minute))
		if _, err := s.UseLiveness(ctx, kyc.EnvTest, r.ID, before.Nonce, now); err != nil {
			t.Fatal(err)
		}
		after := issue("nonce-after", now)
		if _, err := s.UseLiveness(ctx, kyc.EnvTest, r.ID, after.Nonce, now.Add(2*time.Second)); err != nil {
			t.Fatal(err)
		}
		if n, err := s.LivenessFailures(ctx, kyc.EnvTest, r.ID); err != nil || n != 1 {
			t.Fatalf("failures after the sent one: %d %v", n, err)
		}
		got, err = s.LivenessByFile(ctx, kyc.EnvTest, f.ID)
		if err != nil || got.ID != l.ID || string(got.Result) != string(result) || got.Used == nil || got.SelfieFileID != f.ID {
			t.Fatalf("by file: %v %+v", err, got)
		}
		if _, err := s.LivenessByFile(ctx, kyc.EnvLive, f.ID); !errors.Is(err, kyc.ErrNotFound) {
			t.Fatalf("by file in live: %v", err)
		}
	})
}
