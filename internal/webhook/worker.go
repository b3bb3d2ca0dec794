package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// DeliveryArgs is the River job that sends one delivery. The fan-out inserts it (deliveryJob)
// in the transaction of the change that caused the event, or of the attempt that finished the
// delivery before it in its chain.
type DeliveryArgs struct {
	Env        kyc.Env `json:"env"`
	DeliveryID string  `json:"deliveryId"`
}

// Kind names the job for River.
func (DeliveryArgs) Kind() string { return "webhook_delivery" }

// JobMaxAttempts is River's cap on a delivery job's attempts. The worker ends a delivery itself
// after the last attempt of its schedule (at most JobMaxAttempts-1 retries), so River's cap is
// only a backstop.
const JobMaxAttempts = 25

// Queue is the River queue of delivery jobs. It is apart from the default queue so that
// receivers that are slow to answer cannot hold up other work, and so that its concurrency can
// be high: a delivery mostly waits on the network.
const Queue = "webhooks"

// DeliveryStore is what the delivery worker needs from the database (a Repository).
type DeliveryStore interface {
	DeliveryWork(ctx context.Context, env kyc.Env, id string) (DeliveryWork, error)
	FinishAttempt(ctx context.Context, env kyc.Env, id string, a Attempt, decide func(Webhook) Decision) (Finished, error)
	Abandon(ctx context.Context, env kyc.Env, id, reason string) (abandoned bool, err error)
}

// ErasedApplicant is the last error of a delivery that was not sent because its event's applicant
// was erased: its body, sealed under the applicant's destroyed data key, cannot be read.
const ErasedApplicant = "the applicant was erased"

var _ DeliveryStore = (*Repository)(nil)

// Observer is told of each delivery attempt once its record committed, with its result:
// succeeded, retry, failed, gone or abandoned (kycd's business metrics). It is called after
// FinishAttempt (or Abandon) returned, and only when that call wrote the attempt, so an attempt
// counts once however many processes work the queue and however River retries the job.
type Observer interface {
	DeliveryFinished(env kyc.Env, result string)
}

// The results an Observer is told.
const (
	ResultSucceeded = "succeeded"
	ResultRetry     = "retry"
	ResultFailed    = "failed"
	ResultGone      = "gone"
	ResultAbandoned = "abandoned"
)

// noObserver is the Observer of a worker given none.
type noObserver struct{}

func (noObserver) DeliveryFinished(kyc.Env, string) {}

// StoreConns is the most delivery workers of one process that use the database at once (to read
// a delivery, or to record an attempt or an abandon), whatever Config.Workers is: the others
// wait for a turn holding no connection. A delivery never holds a connection during its HTTP
// attempt, so this bounds the webhook queue's share of the process's PostgreSQL pool (the pool
// counts it, see app.PoolSize) and leaves the rest to the HTTP handlers and the other queues.
const StoreConns = 10

// Worker sends deliveries: River runs one job (DeliveryArgs) per delivery, and
// retries it on the schedule of Config.Retries.
type Worker struct {
	river.WorkerDefaults[DeliveryArgs]
	// store is the database, through turns (see StoreConns).
	store   DeliveryStore
	cfg     Config
	clients map[kyc.Env]*http.Client
	log     *slog.Logger
	obs     Observer
	// internal says whether an address is internal, so its answers are not kept: isInternal,
	// replaced in tests, where every receiver is on loopback.
	internal func(netip.Addr) bool
}

// NewWorker returns a worker on st with cfg (its zero fields mean their defaults).
func NewWorker(st DeliveryStore, cfg Config, log *slog.Logger) *Worker {
	cfg = cfg.WithDefaults()
	st = turns{next: st, slots: make(chan struct{}, min(cfg.Workers, StoreConns))}
	return &Worker{store: st, cfg: cfg, log: log, obs: noObserver{}, internal: isInternal, clients: map[kyc.Env]*http.Client{
		kyc.EnvTest: newHTTPClient(cfg, cfg.policy(kyc.EnvTest)),
		kyc.EnvLive: newHTTPClient(cfg, cfg.policy(kyc.EnvLive)),
	}}
}

// Register adds the delivery worker to workers and returns the queue it needs with its
// concurrency (Config.Workers). obs, when not nil, is told of every attempt recorded.
func Register(workers *river.Workers, st DeliveryStore, cfg Config, log *slog.Logger, obs Observer) (queue string, concurrency int) {
	w := NewWorker(st, cfg, log)
	if obs != nil {
		w.obs = obs
	}
	river.AddWorker(workers, w)
	return Queue, w.cfg.Workers
}

// recordTimeout bounds the recording of an attempt. Attempts at one subscription are recorded
// side by side (FinishAttempt locks the delivery, and the subscription only when it changes), so
// the wait is short even with many workers on one receiver.
const recordTimeout = 10 * time.Second

// Timeout gives a job its HTTP attempt and time to read and record it.
func (w *Worker) Timeout(*river.Job[DeliveryArgs]) time.Duration {
	return w.cfg.Timeout + jobTimeoutMargin
}

// NextRetry is when River retries a failed attempt: Config.Retries with jitter.
func (w *Worker) NextRetry(job *river.Job[DeliveryArgs]) time.Time {
	return nextAttempt(job, w.cfg.Retries)
}

// Work makes one attempt at a delivery and records it. It returns an error only when the delivery
// is to be retried (River schedules the retry at NextRetry) or the attempt could not be recorded.
func (w *Worker) Work(ctx context.Context, job *river.Job[DeliveryArgs]) error {
	env, id := job.Args.Env, job.Args.DeliveryID
	work, err := w.store.DeliveryWork(ctx, env, id)
	switch {
	case errors.Is(err, kyc.ErrNotFound):
		return nil // deleted with its webhook
	case errors.Is(err, store.ErrDataKeyDestroyed):
		// Nothing to send, and never an empty or garbled body: the delivery fails as it is.
		abandoned, err := w.store.Abandon(ctx, env, id, ErasedApplicant)
		if err != nil {
			return err
		}
		if abandoned { // not again when a run after a crash finds it done
			w.obs.DeliveryFinished(env, ResultAbandoned)
			w.log.InfoContext(ctx, "webhook delivery not sent: its applicant was erased", "delivery_id", id)
		}
		return nil
	case err != nil:
		return err
	}
	if work.Delivery.Status != DeliveryPending || !work.Enabled {
		return nil // finished already, or failed when its webhook was disabled
	}
	res := w.send(ctx, env, work)
	if res.status == 0 && ctx.Err() != nil {
		// Stopping cut the attempt short before an answer: River makes the job available again
		// without counting the attempt. An attempt that got an answer's status (a success, a 410,
		// a 5xx) is recorded below, so that a success is not sent again after a restart.
		return ctx.Err()
	}
	a := verdict{at: res.start, disableAfter: w.cfg.DisableAfter}
	switch {
	case res.err == "":
		a.outcome = Succeeded
	case res.status == http.StatusGone:
		a.outcome = Gone
	case job.Attempt >= w.cfg.Retries.Attempts():
		a.outcome = Failed
	default:
		a.outcome, a.next = Retry, nextAttempt(job, w.cfg.Retries)
	}
	// The attempt happened: record it even if this process is stopping. Failing to record it
	// makes River run the job again, and the receiver gets the delivery again (at least once).
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	fin, err := w.store.FinishAttempt(rctx, env, id, Attempt{At: res.start, Duration: res.duration,
		StatusCode: res.status, Error: res.err, ResponseBody: res.body}, a.decide)
	if err != nil {
		return fmt.Errorf("record webhook attempt: %w", err)
	}
	if !fin.Recorded {
		return nil // finished meanwhile (its webhook disabled or deleted): nothing was recorded
	}
	result := attemptResult(a.outcome, fin.Decision)
	w.obs.DeliveryFinished(env, result)
	if result != ResultSucceeded {
		w.logFailure(ctx, job, work.Delivery, res, result, fin.Decision, fin.Disabled)
	}
	if result == ResultRetry {
		return fmt.Errorf("webhook delivery attempt %d of %d failed: %s", job.Attempt, w.cfg.Retries.Attempts(), res.err)
	}
	return nil
}

// attemptResult names what an attempt with outcome led to, as recorded (d).
func attemptResult(outcome Outcome, d Decision) string {
	switch {
	case outcome == Succeeded && d.Status == DeliverySucceeded:
		return ResultSucceeded
	case d.Status == DeliveryPending:
		return ResultRetry
	case outcome == Gone:
		return ResultGone
	}
	return ResultFailed
}

// logFailure writes the one line of a failed attempt: ids, the attempt, the status code or the
// class of error, and when the next attempt is due (none when the delivery failed for good). The
// receiver's URL and answer are not logged: either may carry a token or personal data.
func (w *Worker) logFailure(ctx context.Context, job *river.Job[DeliveryArgs], dl Delivery, res result, result string, d Decision, disabled bool) {
	level, msg := slog.LevelInfo, "webhook delivery attempt failed"
	if result != ResultRetry {
		level, msg = slog.LevelWarn, "webhook delivery failed for good"
	}
	attrs := []slog.Attr{slog.String("delivery_id", dl.ID), slog.String("webhook_id", dl.WebhookID), slog.String("event_id", dl.EventID),
		slog.String("event_type", dl.EventType), slog.Int("attempt", job.Attempt), slog.Int("max_attempts", w.cfg.Retries.Attempts()),
		slog.String("result", result)}
	if res.status != 0 {
		attrs = append(attrs, slog.Int("status_code", res.status))
	}
	attrs = append(attrs, slog.String("error_class", res.class), slog.Int64("duration_ms", res.duration.Milliseconds()))
	if result == ResultRetry {
		attrs = append(attrs, slog.Time("next_attempt", d.NextAttempt.UTC()))
	}
	if disabled {
		attrs = append(attrs, slog.String("webhook_disabled", d.Disable))
	}
	w.log.LogAttrs(ctx, level, msg, attrs...)
}

// result is what one attempt got.
type result struct {
	start    time.Time
	duration time.Duration
	// status is the answer's HTTP status, 0 when there was none.
	status int
	// body is the excerpt of the answer's body the delivery log keeps (see excerpt), nil when
	// the answer came from an internal address.
	body []byte
	// err says why the attempt failed, "" on success.
	err string
	// class is the kind of failure, for logs: status (a non-2xx answer), timeout, refused,
	// reset, dns, address (a refused internal address), read, request, other; "" on success.
	class string
}

// send posts the delivery's body, signed, to its URL.
func (w *Worker) send(ctx context.Context, env kyc.Env, work DeliveryWork) result {
	res := result{start: time.Now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, work.URL, bytes.NewReader(work.Body))
	if err != nil {
		res.err, res.class = "the webhook's URL cannot be used", "request"
		return res
	}
	sig, err := Sign(activeSecrets(work.Secrets, res.start), work.Delivery.EventID, res.start, work.Body)
	if err != nil {
		res.err, res.class = err.Error(), "request"
		return res
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "kycd-webhooks")
	req.Header.Set("webhook-id", work.Delivery.EventID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(res.start.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	client := w.clients[env]
	if client == nil {
		res.err, res.class = "unknown environment", "request"
		return res
	}
	var remote net.Addr
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(ci httptrace.GotConnInfo) { remote = ci.Conn.RemoteAddr() },
	}))
	resp, err := client.Do(req)
	if err != nil {
		res.err, res.class = classify(err, w.cfg.Timeout)
		res.duration = time.Since(res.start)
		return res
	}
	defer resp.Body.Close()
	res.status = resp.StatusCode
	var body []byte
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxExcerpt))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // so the connection can be reused
	if w.public(remote) {
		res.body = excerpt(body)
	}
	switch {
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		res.err, res.class = fmt.Sprintf("the receiver answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode)), "status"
	case err != nil:
		res.err, res.class = "reading the answer: "+describe(err, w.cfg.Timeout), "read"
	}
	res.duration = time.Since(res.start)
	return res
}

// describe says why a request failed, without the URL (it may hold a token).
func describe(err error, timeout time.Duration) string {
	msg, _ := classify(err, timeout)
	return msg
}

// classify says why a request failed, without the URL, and the kind of failure: address (a
// refused internal address), dns, refused, reset, timeout or other.
func classify(err error, timeout time.Duration) (msg, class string) {
	var refused *refusedAddressError
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.As(err, &refused):
		return refused.Error(), "address"
	case errors.As(err, &dnsErr):
		return "its host does not resolve", "dns"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused", "refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset", "reset"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Sprintf("no answer within %s", timeout), "timeout"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error(), "other"
}

// turns is a DeliveryStore that lets at most cap(slots) calls use next at once.
type turns struct {
	next  DeliveryStore
	slots chan struct{}
}

// take waits for a turn, or for ctx to end.
func (t turns) take(ctx context.Context) error {
	select {
	case t.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t turns) DeliveryWork(ctx context.Context, env kyc.Env, id string) (DeliveryWork, error) {
	if err := t.take(ctx); err != nil {
		return DeliveryWork{}, err
	}
	defer func() { <-t.slots }()
	return t.next.DeliveryWork(ctx, env, id)
}

func (t turns) FinishAttempt(ctx context.Context, env kyc.Env, id string, a Attempt, decide func(Webhook) Decision) (Finished, error) {
	if err := t.take(ctx); err != nil {
		return Finished{}, err
	}
	defer func() { <-t.slots }()
	return t.next.FinishAttempt(ctx, env, id, a, decide)
}

func (t turns) Abandon(ctx context.Context, env kyc.Env, id, reason string) (bool, error) {
	if err := t.take(ctx); err != nil {
		return false, err
	}
	defer func() { <-t.slots }()
	return t.next.Abandon(ctx, env, id, reason)
}
