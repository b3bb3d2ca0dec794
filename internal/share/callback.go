package share

import (
	"context"
	"errors"
	"fmt"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// CallbackPath is where partner calls back about env's shares: /v1/partner-callbacks/{partner}
// for live shares, /v1/partner-callbacks/test/{partner} for test ones. The path says the
// environment, and a callback is resolved within it only.
func CallbackPath(env kyc.Env, partner string) string {
	if env == kyc.EnvTest {
		return "/v1/partner-callbacks/test/" + partner
	}
	return "/v1/partner-callbacks/" + partner
}

// errThrottled aborts the claim of a status query that came too soon after the last one.
var errThrottled = errors.New("a status query of this share was made moments ago")

// Callback takes a partner's callback about a share of env (the environment its path names): it
// verifies what the partner signs with env's settings, refuses a callback too old by its own
// timestamp, finds the share in env, confirms an unsigned callback by a status query (at most one
// per share per Config.ConfirmInterval), ignores a replay of a signed callback the share has
// taken, and moves the share. It returns the reply the partner expects. A bad signature wraps
// kyc.ErrUnauthenticated; an unknown share or a partner not configured for env kyc.ErrNotFound.
func (s *Service) Callback(ctx context.Context, env kyc.Env, partner string, h map[string][]string, body []byte) (reply []byte, contentType string, err error) {
	c, ok := s.connector(env, partner)
	if !ok {
		return nil, "", fmt.Errorf("partner %q in the %s environment: %w", partner, env, kyc.ErrNotFound)
	}
	cb, err := c.Callback(h, body)
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	if err := s.fresh(cb, now); err != nil {
		return nil, "", err
	}
	rec, err := s.shares.ByReference(ctx, env, partner, cb.Reference)
	if err != nil {
		return nil, "", err
	}
	out := cb.Outcome
	if cb.Confirm {
		if err := s.claimQuery(ctx, rec); errors.Is(err, errThrottled) {
			s.log.InfoContext(ctx, "partner callback coalesced", "partner", partner, "share_id", rec.ID)
			return cb.Reply, cb.ReplyType, nil
		} else if err != nil {
			return nil, "", err
		}
		if out, err = c.Status(ctx, rec.Share); err != nil {
			return nil, "", fmt.Errorf("confirm %s callback: %w", partner, err)
		}
	}
	replay := false
	_, err = s.shares.Update(ctx, rec.Env, rec.ID, func(r *Record) (store.Effects, error) {
		if cb.ReplayKey != "" {
			for k, at := range r.Callbacks {
				if now.Sub(at) > s.cfg.ReplayWindow {
					delete(r.Callbacks, k)
				}
			}
			if _, seen := r.Callbacks[cb.ReplayKey]; seen {
				replay = true
				return store.Effects{}, nil
			}
			r.Callbacks[cb.ReplayKey] = now
		}
		return moveTo(r, out, kyc.Actor("partner:"+partner)), nil
	})
	if err != nil {
		return nil, "", err
	}
	s.log.InfoContext(ctx, "partner callback", "partner", partner, "share_id", rec.ID, "partner_status", out.PartnerStatus,
		"confirmed", cb.Confirm, "replay", replay)
	return cb.Reply, cb.ReplyType, nil
}

// fresh refuses a callback whose own timestamp is older than Config.CallbackMaxAge or too far
// ahead of now.
func (s *Service) fresh(cb Callback, now time.Time) error {
	if cb.Sent.IsZero() {
		return nil
	}
	maxAge := s.cfg.CallbackMaxAge
	ahead := min(maxAge/10, 5*time.Minute)
	switch age := now.Sub(cb.Sent); {
	case age > maxAge:
		return kyc.Invalid("header.Timestamp", "the callback was sent %s ago; callbacks older than %s are refused", age.Truncate(time.Second), maxAge)
	case age < -ahead:
		return kyc.Invalid("header.Timestamp", "the callback's time is %s ahead of this server's clock", (-age).Truncate(time.Second))
	}
	return nil
}

// claimQuery records that an unsigned callback is about to ask the partner about rec, unless
// the last such query was less than Config.ConfirmInterval ago (errThrottled). The claim is a
// write under the share's lock, so replicas share the limit.
func (s *Service) claimQuery(ctx context.Context, rec Record) error {
	_, err := s.shares.Update(ctx, rec.Env, rec.ID, func(r *Record) (store.Effects, error) {
		now := s.now() // under the share's lock: claims are ordered by it
		if !r.ConfirmedAt.IsZero() && now.Sub(r.ConfirmedAt) < s.cfg.ConfirmInterval {
			return store.Effects{}, errThrottled // a claim "in the future" (another replica's clock) counts too
		}
		r.ConfirmedAt = now
		return store.Effects{}, nil
	})
	return err
}
