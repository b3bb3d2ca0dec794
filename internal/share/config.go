package share

import (
	"time"
)

// Config configures sharing. The zero value of each field means its documented default.
type Config struct {
	// CallbackBase is kycd's public base URL; partners are told to call back
	// CallbackBase + CallbackPath(env, partner). Default "" (relative; set KYCD_PUBLIC_URL).
	CallbackBase string
	// Retries are the delays before each retry of a submission that failed for a reason worth
	// retrying (5xx, timeout, rate limit); a submission gets len(Retries)+1 attempts. Default
	// DefaultRetries.
	Retries []time.Duration
	// PollInterval is how often a submitted share's status is asked of the partner, in case its
	// callback never comes. Default 10 minutes.
	PollInterval time.Duration
	// PollFor is how long polling goes on after a share was created. Default 14 days.
	PollFor time.Duration
	// Workers is how many submissions and polls this process runs at once (the River queue
	// Queue). Default 10.
	Workers int
	// Auto lists the partners every applicant is shared with when approved (live environment).
	// Default none.
	Auto []string
	// AutoTest shares test-environment applicants automatically too, with the partners of Auto
	// that have sandbox settings (test shares never use live settings). Default false.
	AutoTest bool
	// AutoInterval is how often automatic sharing looks for approved applicants. Default 30 s.
	AutoInterval time.Duration
	// ReplayWindow is how long a signed partner callback that was taken is remembered (in its
	// share), so the same callback sent again, by the partner's retries or by someone who
	// recorded it, changes nothing. Default 720 h (30 days), longer than any partner retries.
	ReplayWindow time.Duration
	// CallbackMaxAge refuses a callback whose own timestamp (Interlace's Timestamp header) is
	// older than this, or more than CallbackMaxAge/10 (at most 5 minutes) ahead of this server's
	// clock. Default 24 h: Interlace retries an unanswered callback for about 18 hours.
	CallbackMaxAge time.Duration
	// ConfirmInterval bounds what an unsigned callback (Alchemy Pay's) can cost: each share's
	// status is asked of the partner at most once per ConfirmInterval on account of callbacks;
	// more callbacks within it are answered and dropped, and the poll (PollInterval) or the next
	// callback picks up a change they announced. Default 30 s.
	ConfirmInterval time.Duration
}

// DefaultRetries: 10 s, 1 min, 5 min, 30 min, 2 h, 6 h, 24 h: eight attempts over about 33 hours.
var DefaultRetries = []time.Duration{10 * time.Second, time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour, 24 * time.Hour}

// Defaults of the callback settings of Config.
const (
	DefaultReplayWindow    = 720 * time.Hour
	DefaultCallbackMaxAge  = 24 * time.Hour
	DefaultConfirmInterval = 30 * time.Second
)

// Queue is the River queue of submissions and polls, so slow partners hold up no other work.
const Queue = "share"

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if len(c.Retries) == 0 {
		c.Retries = DefaultRetries
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 10 * time.Minute
	}
	if c.PollFor <= 0 {
		c.PollFor = 14 * 24 * time.Hour
	}
	if c.AutoInterval <= 0 {
		c.AutoInterval = autoInterval
	}
	if c.Workers <= 0 {
		c.Workers = 10
	}
	if c.ReplayWindow <= 0 {
		c.ReplayWindow = DefaultReplayWindow
	}
	if c.CallbackMaxAge <= 0 {
		c.CallbackMaxAge = DefaultCallbackMaxAge
	}
	if c.ConfirmInterval <= 0 {
		c.ConfirmInterval = DefaultConfirmInterval
	}
	return c
}
