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
	FinishAttempt(ctx context.Context, env kyc.Env, id string, a Attempt, decide func(Webhook) Decision) (bool, error)
	Abandon(ctx context.Context, env kyc.Env, id, reason string) error
}

// ErasedApplicant is the last error of a delivery that was not sent because its event's applicant
// was erased: its body, sealed under the applicant's destroyed data key, cannot be read.
const ErasedApplicant = "the applicant was erased"

var _ DeliveryStore = (*Repository)(nil)

// Worker sends deliveries: River runs one job (DeliveryArgs) per delivery, and
// retries it on the schedule of Config.Retries.
type Worker struct {
	river.WorkerDefaults[DeliveryArgs]
	store   DeliveryStore
	cfg     Config
	clients map[kyc.Env]*http.Client
	log     *slog.Logger
	// internal says whether an address is internal, so its answers are not kept: isInternal,
	// replaced in tests, where every receiver is on loopback.
	internal func(netip.Addr) bool
}

// NewWorker returns a worker on st with cfg (its zero fields mean their defaults).
func NewWorker(st DeliveryStore, cfg Config, log *slog.Logger) *Worker {
	cfg = cfg.WithDefaults()
	return &Worker{store: st, cfg: cfg, log: log, internal: isInternal, clients: map[kyc.Env]*http.Client{
		kyc.EnvTest: newHTTPClient(cfg, cfg.policy(kyc.EnvTest)),
		kyc.EnvLive: newHTTPClient(cfg, cfg.policy(kyc.EnvLive)),
	}}
}

// Register adds the delivery worker to workers and returns the queue it needs with its
// concurrency (Config.Workers).
func Register(workers *river.Workers, st DeliveryStore, cfg Config, log *slog.Logger) (queue string, concurrency int) {
	w := NewWorker(st, cfg, log)
	river.AddWorker(workers, w)
	return Queue, w.cfg.Workers
}

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
		if err := w.store.Abandon(ctx, env, id, ErasedApplicant); err != nil {
			return err
		}
		w.log.InfoContext(ctx, "webhook delivery not sent: its applicant was erased", "delivery_id", id)
		return nil
	case err != nil:
		return err
	}
	if work.Delivery.Status != DeliveryPending || !work.Enabled {
		return nil // finished already, or failed when its webhook was disabled
	}
	res := w.send(ctx, env, work)
	if ctx.Err() != nil {
		return ctx.Err() // stopping: River makes the job available again without counting the attempt
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
	// The attempt happened: record it even if this process is stopping.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	disabled, err := w.store.FinishAttempt(rctx, env, id, Attempt{At: res.start, Duration: res.duration,
		StatusCode: res.status, Error: res.err, ResponseBody: res.body}, a.decide)
	if err != nil {
		return fmt.Errorf("record webhook attempt: %w", err)
	}
	attrs := []any{"delivery_id", id, "webhook_id", work.Delivery.WebhookID, "event_id", work.Delivery.EventID, "attempt", job.Attempt, "status", res.status}
	switch {
	case disabled:
		w.log.WarnContext(ctx, "webhook disabled", append(attrs, "reason", res.err)...)
	case a.outcome == Failed:
		w.log.WarnContext(ctx, "webhook delivery failed for good", append(attrs, "err", res.err)...)
	case a.outcome == Retry:
		return fmt.Errorf("webhook delivery attempt %d of %d failed: %s", job.Attempt, w.cfg.Retries.Attempts(), res.err)
	}
	return nil
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
}

// send posts the delivery's body, signed, to its URL.
func (w *Worker) send(ctx context.Context, env kyc.Env, work DeliveryWork) result {
	res := result{start: time.Now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, work.URL, bytes.NewReader(work.Body))
	if err != nil {
		res.err = "the webhook's URL cannot be used"
		return res
	}
	sig, err := Sign(activeSecrets(work.Secrets, res.start), work.Delivery.EventID, res.start, work.Body)
	if err != nil {
		res.err = err.Error()
		return res
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "kycd-webhooks")
	req.Header.Set("webhook-id", work.Delivery.EventID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(res.start.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	client := w.clients[env]
	if client == nil {
		res.err = "unknown environment"
		return res
	}
	var remote net.Addr
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(ci httptrace.GotConnInfo) { remote = ci.Conn.RemoteAddr() },
	}))
	resp, err := client.Do(req)
	if err != nil {
		res.err = describe(err, w.cfg.Timeout)
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
		res.err = fmt.Sprintf("the receiver answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	case err != nil:
		res.err = "reading the answer: " + describe(err, w.cfg.Timeout)
	}
	res.duration = time.Since(res.start)
	return res
}

// describe says why a request failed, without the URL (it may hold a token).
func describe(err error, timeout time.Duration) string {
	var refused *refusedAddressError
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.As(err, &refused):
		return refused.Error()
	case errors.As(err, &dnsErr):
		return "its host does not resolve"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Sprintf("no answer within %s", timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}
