package screening

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"kycd/internal/kyc"
)

// ErrNoLists answers a screening asked while no sanctions list is loaded (503): an empty list of
// hits would read as "no match".
var ErrNoLists = fmt.Errorf("no sanctions list is loaded: import one (kycd lists import) or wait for the first refresh: %w", kyc.ErrUnavailable)

// StaleAfter is how long a list may go without being confirmed current before it is reported
// stale (GET /v1/sanctions-lists, /readyz, a log warning): OFAC and the UN publish changes within
// days of a designation, so a month-old list misses designations.
const StaleAfter = 30 * 24 * time.Hour

// withStale returns a copy of vs with Stale set as of now.
func withStale(vs []kyc.SanctionsList, now time.Time) []kyc.SanctionsList {
	out := make([]kyc.SanctionsList, len(vs))
	for i, v := range vs {
		v.Stale = isStale(v, now)
		out[i] = v
	}
	return out
}

// isStale reports whether v was last known current more than StaleAfter before now.
func isStale(v kyc.SanctionsList, now time.Time) bool {
	return now.Sub(v.KnownCurrent()) > StaleAfter
}

// Health is the state of the lists for /readyz and the logs.
type Health struct {
	// Lists is how many lists are loaded.
	Lists int `json:"lists"`
	// Stale names the lists not confirmed current for more than StaleAfter.
	Stale []string `json:"stale"`
	// State is none (no list loaded: screening cannot find anyone), stale (at least one list is
	// stale) or current.
	State string `json:"state" enum:"none,stale,current"`
}

// Health reads the stored lists (not the cached index, so that a refresh shows at once).
func (s *Service) Health(ctx context.Context) (Health, error) {
	vs, err := s.repo.Lists(ctx)
	if err != nil {
		return Health{}, err
	}
	h := Health{Lists: len(vs), Stale: []string{}, State: "current"}
	now := time.Now()
	for _, v := range vs {
		if isStale(v, now) {
			h.Stale = append(h.Stale, v.List)
		}
	}
	switch {
	case len(vs) == 0:
		h.State = "none"
	case len(h.Stale) > 0:
		h.State = "stale"
	}
	return h, nil
}

// WarnIfOld logs a warning when no list is loaded or a list is stale (at start and after each
// refresh). The log names lists and dates only.
func (s *Service) WarnIfOld(ctx context.Context, log *slog.Logger) {
	vs, err := s.repo.Lists(ctx)
	if err != nil {
		log.WarnContext(ctx, "sanctions lists unreadable", "err", err)
		return
	}
	if len(vs) == 0 {
		log.WarnContext(ctx, "no sanctions list is loaded: screening finds no one until a list is imported or refreshed (see README, Sanctions screening)")
		return
	}
	now := time.Now()
	for _, v := range vs {
		if isStale(v, now) {
			asOf := v.KnownCurrent()
			log.WarnContext(ctx, "sanctions list is stale: not confirmed current for more than 30 days", "list", v.List,
				"checked", asOf.Format(time.DateOnly), "days", int(now.Sub(asOf).Hours()/24))
		}
	}
}
