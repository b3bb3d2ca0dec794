package webhook

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/riverqueue/river"
)

// Config configures webhook delivery. The zero value of each field means its documented default.
type Config struct {
	// Timeout bounds one attempt: connecting, sending the body and receiving the answer's headers
	// and first KiB. Default 15 s. The delivery job's own timeout is 15 s longer.
	Timeout time.Duration
	// Retries are the delays before each retry of a failed delivery; a delivery gets
	// len(Retries)+1 attempts. Default DefaultRetries. Tests shorten them.
	Retries Schedule
	// DisableAfter disables a subscription whose every attempt has failed for this long. Default
	// 120 h (5 days), the span of DefaultRetries.
	DisableAfter time.Duration
	// Retention is how long a finished delivery (its sealed body and the receiver's answer) is kept
	// in the delivery log. Default 720 h (30 days). Events themselves are kept.
	Retention time.Duration
	// Workers is how many deliveries this process sends at once (the River queue
	// Queue). Default 100: a delivery mostly waits on the network.
	Workers int
	// MaxPerEnv is the most subscriptions (enabled or not) one environment may have; creating one
	// more answers 409. Default 20: every event is written with a delivery per subscription in the
	// transaction of the change that caused it, so the number bounds what each write of every
	// tenant costs, and one URL can take every event type.
	MaxPerEnv int
	// AllowPrivate lets webhooks of both environments reach loopback, private, link-local and other
	// internal addresses. Default false: webhooks of both environments reach public addresses
	// only. Meant for development and tests, never for a server that integrators' keys can
	// configure. Even then the delivery log keeps no answer body from an internal address.
	AllowPrivate bool
}

// DefaultRetries is the retry schedule: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h, 12 h,
// 24 h, then 24 h three more times, so the 14th and last attempt comes about 4 days and 23 hours
// after the first.
var DefaultRetries = Schedule{5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute,
	time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 24 * time.Hour, 24 * time.Hour, 24 * time.Hour}

// Defaults of Config.
const (
	DefaultTimeout      = 15 * time.Second
	DefaultWorkers      = 100
	DefaultDisableAfter = 120 * time.Hour
	DefaultRetention    = 720 * time.Hour
	DefaultMaxPerEnv    = 20
	// jobTimeoutMargin is how much longer a delivery job may run than its HTTP attempt: reading
	// the delivery and recording the attempt.
	jobTimeoutMargin = 15 * time.Second
	// jitter is the largest fraction a retry delay is moved by, up or down.
	jitter = 0.1
)

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if len(c.Retries) == 0 {
		c.Retries = DefaultRetries
	}
	if c.DisableAfter <= 0 {
		c.DisableAfter = DefaultDisableAfter
	}
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	if c.Retention <= 0 {
		c.Retention = DefaultRetention
	}
	if c.MaxPerEnv <= 0 {
		c.MaxPerEnv = DefaultMaxPerEnv
	}
	return c
}

// Validate reports a schedule that River's attempt cap cannot hold or a delay that is not positive.
func (c Config) Validate() error {
	if len(c.Retries) > JobMaxAttempts-1 {
		return fmt.Errorf("webhook retries: at most %d delays, got %d", JobMaxAttempts-1, len(c.Retries))
	}
	for i, d := range c.Retries {
		if d <= 0 {
			return fmt.Errorf("webhook retries: delay %d is %s; each must be positive", i+1, d)
		}
	}
	return nil
}

// Schedule is the delay before each retry: after attempt n fails, the next comes Schedule[n-1]
// later (±10% jitter).
type Schedule []time.Duration

// ParseSchedule reads a comma-separated list of durations, such as "5s,30s,2m".
func ParseSchedule(s string) (Schedule, error) {
	var out Schedule
	for part := range strings.SplitSeq(s, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("retry schedule %q: %w", s, err)
		}
		if d <= 0 {
			return nil, fmt.Errorf("retry schedule %q: %s is not positive", s, d)
		}
		out = append(out, d)
	}
	return out, nil
}

// String is the schedule as ParseSchedule reads it: "5s,30s,2m,...".
func (s Schedule) String() string {
	parts := make([]string, len(s))
	for i, d := range s {
		p := d.String()
		if strings.HasSuffix(p, "m0s") {
			p = strings.TrimSuffix(p, "0s")
		}
		if strings.HasSuffix(p, "h0m") {
			p = strings.TrimSuffix(p, "0m")
		}
		parts[i] = p
	}
	return strings.Join(parts, ",")
}

// Attempts is how many attempts a delivery gets: the first and one per delay.
func (s Schedule) Attempts() int { return len(s) + 1 }

// Delay is the wait after failed attempt n (1-based) of the delivery named key, with a jitter of
// up to ±10% that depends only on key and n, so it is the same wherever it is computed.
func (s Schedule) Delay(n int, key string) time.Duration {
	if len(s) == 0 {
		return 0
	}
	base := s[min(max(n, 1), len(s))-1]
	h := fnv.New64a()
	h.Write([]byte(key))
	_ = binary.Write(h, binary.BigEndian, int64(n))
	f := float64(h.Sum64()%20001)/10000 - 1 // [-1, 1]
	return base + time.Duration(f*jitter*float64(base))
}

// nextAttempt is when the job's next attempt is due: its last attempt's start plus the delay,
// and not before now.
func nextAttempt(job *river.Job[DeliveryArgs], s Schedule) time.Time {
	now := time.Now()
	start := now
	if job.AttemptedAt != nil {
		start = *job.AttemptedAt
	}
	if next := start.Add(s.Delay(job.Attempt, job.Args.DeliveryID)); next.After(now) {
		return next
	}
	return now
}
