package share

import (
	"time"
)

// Config configures sharing. The zero value of each field means its documented default.
type Config struct {
	// CallbackBase is kycd's public base URL; partners are told to call back
	// CallbackBase/v1/partner-callbacks/{partner}. Default "" (relative; set KYCD_PUBLIC_URL).
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
	// AutoTest shares test-environment applicants automatically too. Default false: a partner's
	// configured URL is usually its production API, which must not get test data.
	AutoTest bool
	// AutoInterval is how often automatic sharing looks for approved applicants. Default 30 s.
	AutoInterval time.Duration
}

// DefaultRetries: 10 s, 1 min, 5 min, 30 min, 2 h, 6 h, 24 h: eight attempts over about 33 hours.
var DefaultRetries = []time.Duration{10 * time.Second, time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour, 24 * time.Hour}

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
	return c
}
