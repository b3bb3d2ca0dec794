package monitor

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// Modes of a document's decision.
const (
	// Automatic: kycd's checks decided (test mode's forced outcomes too).
	Automatic = "automatic"
	// Manual: a person decided it in review.
	Manual = "manual"
)

// Metrics counts what kycd committed and logs each decision. It is the store's CommitObserver
// and the webhook worker's observer.
type Metrics struct {
	log          *slog.Logger
	decided      *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	checksFailed *prometheus.CounterVec
	screenings   *prometheus.CounterVec
	shares       *prometheus.CounterVec
	deliveries   *prometheus.CounterVec
}

var _ store.CommitObserver = (*Metrics)(nil)

// New registers kycd's business counters on reg and returns them; decisions are logged to log.
func New(reg prometheus.Registerer, log *slog.Logger) *Metrics {
	m := &Metrics{
		log: log,
		decided: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kycd_documents_decided_total",
			Help: "KYC documents decided, by environment, outcome (accepted, rejected, pending-review: sent to a person) and mode " +
				"(automatic: the checks; manual: a person's review). Counted when the decision committed, once per decision across replicas and retries."},
			[]string{"env", "outcome", "mode"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kycd_document_decision_seconds",
			Help: "Seconds from a KYC document's creation to its final decision (accepted or rejected), by environment and mode; " +
				"a manual decision includes the time in the review queue. Observed when the decision committed.",
			Buckets: []float64{0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600, 3 * 24 * 3600}},
			[]string{"env", "mode"}),
		checksFailed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kycd_checks_failed_total",
			Help: "Checks failed, by environment and check name, counted with each automatic outcome of a document (accepted, rejected or sent to review) once it committed."},
			[]string{"env", "check"}),
		screenings: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kycd_screenings_total",
			Help: "Sanctions screenings by environment and disposition (clear, potential-match; confirmed, false-positive once reviewed), counted when the screening or its review committed."},
			[]string{"env", "disposition"}),
		shares: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kycd_share_status_changes_total",
			Help: "Partner shares reaching a status (queued, submitted, approved, rejected, needs-info, failed), by environment, partner and status, counted when the change committed."},
			[]string{"env", "partner", "status"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kycd_webhook_deliveries_total",
			Help: "Webhook delivery attempts by environment and result (succeeded; retry: failed, tried again later; failed: the last attempt failed; " +
				"gone: the receiver answered 410 and the webhook was disabled; abandoned: not sent, its applicant was erased), counted when the attempt's record committed."},
			[]string{"env", "result"}),
	}
	reg.MustRegister(m.decided, m.latency, m.checksFailed, m.screenings, m.shares, m.deliveries)
	return m
}

// DeliveryFinished counts one delivery attempt whose record committed, with its result (see
// kycd_webhook_deliveries_total).
func (m *Metrics) DeliveryFinished(env kyc.Env, result string) {
	m.deliveries.WithLabelValues(string(env), result).Inc()
}

// Committed counts the decisions, screenings and share changes of a committed transaction and logs
// each decision.
func (m *Metrics) Committed(ctx context.Context, events []kyc.Event) {
	for _, ev := range events {
		switch ev.Type {
		case kyc.EventDocumentAccepted, kyc.EventDocumentRejected, kyc.EventDocumentPendingReview:
			m.document(ctx, ev)
		case kyc.EventScreeningClear, kyc.EventScreeningPotentialMatch, kyc.EventScreeningReviewed:
			var sc struct {
				Disposition string `json:"disposition"`
			}
			if decode(ev, &sc) && sc.Disposition != "" {
				m.screenings.WithLabelValues(string(ev.Env), sc.Disposition).Inc()
			}
		case kyc.EventShareQueued, kyc.EventShareSubmitted, kyc.EventShareApproved, kyc.EventShareRejected, kyc.EventShareNeedsInfo, kyc.EventShareFailed:
			var sh struct {
				Partner string `json:"partner"`
				Status  string `json:"status"`
			}
			if decode(ev, &sh) && sh.Status != "" {
				m.shares.WithLabelValues(string(ev.Env), sh.Partner, sh.Status).Inc()
			}
		}
	}
}

// decided is what a document event says of its decision: ids, statuses, check names and times.
// It decodes no other field of the document (which holds personal data).
type decided struct {
	ID          string        `json:"id"`
	ApplicantID string        `json:"applicantId"`
	RequestID   string        `json:"requestId"`
	Status      string        `json:"status"`
	CheckList   []kyc.Check   `json:"checkList"`
	Decision    *kyc.Decision `json:"decision"`
	Review      *struct{}     `json:"review"`
	CreatedTime time.Time     `json:"createdTime"`
}

// document counts and logs one document's decision.
func (m *Metrics) document(ctx context.Context, ev kyc.Event) {
	var d decided
	if !decode(ev, &d) {
		return
	}
	mode := Automatic
	if d.Review != nil {
		mode = Manual
	}
	env := string(ev.Env)
	m.decided.WithLabelValues(env, d.Status, mode).Inc()
	var failed []string
	for _, c := range d.CheckList {
		if c.Failed {
			failed = append(failed, c.Name)
		}
	}
	if mode == Automatic {
		for _, name := range failed {
			m.checksFailed.WithLabelValues(env, name).Inc()
		}
	}
	took := ev.CreatedTime.Sub(d.CreatedTime)
	if took < 0 || d.CreatedTime.IsZero() {
		took = 0
	}
	if d.Status == "accepted" || d.Status == "rejected" {
		m.latency.WithLabelValues(env, mode).Observe(took.Seconds())
	}
	attrs := []slog.Attr{slog.String("document_id", d.ID), slog.String("applicant_id", d.ApplicantID)}
	if d.RequestID != "" {
		attrs = append(attrs, slog.String("kyc_request_id", d.RequestID))
	}
	attrs = append(attrs, slog.String("env", env), slog.String("outcome", d.Status), slog.String("mode", mode),
		slog.String("failed_checks", strings.Join(failed, ",")))
	if d.Decision != nil && mode == Automatic {
		attrs = append(attrs, slog.Int("score", d.Decision.Score))
		if d.Decision.Decisive != "" {
			attrs = append(attrs, slog.String("decisive_check", d.Decision.Decisive))
		}
	}
	attrs = append(attrs, slog.Int64("duration_ms", took.Milliseconds()), slog.String("event_id", ev.ID))
	if id := kyc.RequestID(ctx); id != "" {
		attrs = append(attrs, slog.String("request_id", id)) // the HTTP request of a person's decision
	}
	m.log.LogAttrs(ctx, slog.LevelInfo, "document decided", attrs...)
}

// decode reads the resource an event carries (JSON, as the store gives it).
func decode(ev kyc.Event, v any) bool {
	raw, ok := ev.Data.(json.RawMessage)
	if !ok {
		return false
	}
	return json.Unmarshal(raw, v) == nil
}
