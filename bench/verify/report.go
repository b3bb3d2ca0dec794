package main

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"kycd/bench/internal/idimages"
)

// goal is the ratio p50(decision) / p50(floor) kycd aims to stay under.
const goal = 3.0

// report is what one run found.
type report struct {
	opts    options
	machine string
	db      string
	date    time.Time
	sets    []idimages.Set

	apps      []*application
	wall      time.Duration // from the first request to the last decision seen
	serverCPU time.Duration // the server's user + system time during the submissions
	jobsErr   error

	// floorBefore is timed with the server started and idle, floorAfter once it has stopped.
	floorBefore, floorAfter []time.Duration
	// loadBefore and loadAfter are /proc/loadavg before the first floor and after the second.
	loadBefore, loadAfter string

	serverErrors                      []string
	serverErrorCount, serverWarnCount int
}

// failures are the reasons for exit status 1: requests that failed, requests not fulfilled.
func (r *report) failures() []error {
	var errs []error
	notFulfilled := 0
	for _, a := range r.apps {
		switch {
		case a.err != nil:
			errs = append(errs, fmt.Errorf("application %d: %w", a.n, a.err))
		case a.status != "fulfilled":
			notFulfilled++
		}
	}
	if notFulfilled > 0 {
		errs = append(errs, fmt.Errorf("%d of %d requests did not end fulfilled", notFulfilled, len(r.apps)))
	}
	return errs
}

// stats are nearest-rank percentiles and the mean of some durations.
type stats struct {
	n                   int
	p50, p95, max, mean time.Duration
}

func summarize(ds []time.Duration) stats {
	if len(ds) == 0 {
		return stats{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return stats{n: len(s), p50: percentile(s, 0.50), p95: percentile(s, 0.95), max: s[len(s)-1], mean: sum / time.Duration(len(s))}
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

// spans collects one duration per decided application; f returns false to leave one out.
func (r *report) spans(f func(a *application) (time.Duration, bool)) []time.Duration {
	var out []time.Duration
	for _, a := range r.apps {
		if !a.decided() {
			continue
		}
		if d, ok := f(a); ok {
			out = append(out, d)
		}
	}
	return out
}

func (r *report) print(w io.Writer) {
	o := r.opts
	fmt.Fprintf(w, "kycd verification benchmark, %s\n", r.date.Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(w, "machine:  %s\n", r.machine)
	fmt.Fprintf(w, "database: %s\n", r.db)
	fmt.Fprintf(w, "load:     %d L1 applications, %d concurrent clients, request polled every %s\n", o.applications, o.clients, o.poll)
	r.printImages(w)

	// Outcomes.
	reqs, docs, zones := map[string]int{}, map[string]int{}, map[string]int{}
	var failedChecks []string
	for _, a := range r.apps {
		switch {
		case a.err != nil:
			reqs["error"]++
		default:
			reqs[a.status]++
		}
		if a.doc.ID != "" {
			docs[a.doc.Status]++
			src := a.doc.ParsedData.MRZSource
			if src == "" {
				src = "none"
			}
			zones[src]++
			if a.doc.Status != "accepted" && len(failedChecks) < 5 {
				var names []string
				for _, c := range a.doc.CheckList {
					if c.Failed {
						names = append(names, c.Name+" ("+c.Reason+")")
					}
				}
				failedChecks = append(failedChecks, fmt.Sprintf("application %d: document %s, score %v, failed: %s", a.n, a.doc.Status, scoreOf(a.doc), strings.Join(names, ", ")))
			}
		}
	}
	fmt.Fprintf(w, "\noutcomes: requests %s; documents %s; zone (parsedData.mrzSource) %s\n", counts(reqs), counts(docs), counts(zones))
	for _, f := range failedChecks {
		fmt.Fprintf(w, "  %s\n", f)
	}
	for _, a := range r.apps {
		if a.err != nil {
			fmt.Fprintf(w, "  application %d: %v\n", a.n, a.err)
		}
	}

	// Headline.
	dec := summarize(r.spans(func(a *application) (time.Duration, bool) { return a.toDecision(), true }))
	fromDoc := summarize(r.spans(func(a *application) (time.Duration, bool) { return a.seen.Sub(a.created), true }))
	fl := summarize(append(slices.Clone(r.floorBefore), r.floorAfter...))
	flBefore, flAfter := summarize(r.floorBefore), summarize(r.floorAfter)
	fmt.Fprintf(w, "\ntime to decision, from the end of the last upload to the GET that shows the request decided (%d applications):\n", dec.n)
	fmt.Fprintf(w, "  p50 %s   p95 %s   max %s   mean %s\n", ms(dec.p50), ms(dec.p95), ms(dec.max), ms(dec.mean))
	fmt.Fprintf(w, "  (from the document's 201 instead: p50 %s, p95 %s)\n", ms(fromDoc.p50), ms(fromDoc.p95))
	fmt.Fprintf(w, "floor, in this process: jpeg.Decode + SHA-256 of the same 3 images, one after the other, per application:\n")
	fmt.Fprintf(w, "  p50 %s   p95 %s   max %s   (%d timings: p50 %s with the server idle before the run, %s after it stopped)\n",
		ms(fl.p50), ms(fl.p95), ms(fl.max), fl.n, ms(flBefore.p50), ms(flAfter.p50))
	if fl.p50 > 0 && dec.n > 0 {
		ratio := float64(dec.p50) / float64(fl.p50)
		verdict := "met"
		if ratio >= goal {
			verdict = "NOT met"
		}
		fmt.Fprintf(w, "ratio p50(decision) / p50(floor) = %.2f; goal under %.0f: %s\n", ratio, goal, verdict)
	}

	r.printBreakdown(w)
	fmt.Fprintf(w, "\nrun: %.2f s for %d applications (%.1f applications/s); server CPU %.2f s, %s per application (floor p50 %s)\n",
		r.wall.Seconds(), len(r.apps), float64(len(r.apps))/r.wall.Seconds(), r.serverCPU.Seconds(),
		ms(r.serverCPU/time.Duration(max(1, len(r.apps)))), ms(fl.p50))
	fmt.Fprintf(w, "machine load (1, 5, 15 min): %s before, %s after\n", r.loadBefore, r.loadAfter)
	fmt.Fprintf(w, "server log: %d ERROR, %d WARN lines\n", r.serverErrorCount, r.serverWarnCount)
	for _, l := range r.serverErrors {
		fmt.Fprintf(w, "  %s\n", l)
	}
}

// printBreakdown splits the time to decision into its parts: the means add up to the mean total.
func (r *report) printBreakdown(w io.Writer) {
	type part struct {
		name string
		f    func(a *application) (time.Duration, bool)
	}
	hasJob := func(a *application) bool { return !a.job.attempted.IsZero() && a.doc.Decision != nil }
	parts := []part{
		{"create document (POST, 201 read)", func(a *application) (time.Duration, bool) { return a.created.Sub(a.uploaded), true }},
		{"job waits in River (attempted_at - created_at)", func(a *application) (time.Duration, bool) {
			return a.job.attempted.Sub(a.job.created), hasJob(a)
		}},
		{"job reads and checks (decidedTime - attempted_at)", func(a *application) (time.Duration, bool) {
			return a.doc.Decision.DecidedTime.Sub(a.job.attempted), hasJob(a)
		}},
		{"commit, poll, GET (seen - decidedTime)", func(a *application) (time.Duration, bool) {
			return a.seen.Sub(a.doc.Decision.DecidedTime), a.doc.Decision != nil
		}},
		{"clock check: job created_at - the 201 (<= 0)", func(a *application) (time.Duration, bool) {
			return a.job.created.Sub(a.created), hasJob(a)
		}},
	}
	fmt.Fprintf(w, "\nwhere the time goes (server times from the database, client times from this process; same clock):\n")
	if r.jobsErr != nil {
		fmt.Fprintf(w, "  (River's job times unavailable: %v)\n", r.jobsErr)
	}
	fmt.Fprintf(w, "  %-50s %10s %10s %10s\n", "", "p50", "p95", "mean")
	for _, p := range parts {
		s := summarize(r.spans(p.f))
		if s.n == 0 {
			continue
		}
		fmt.Fprintf(w, "  %-50s %10s %10s %10s\n", p.name, ms(s.p50), ms(s.p95), ms(s.mean))
	}
	polls := 0
	for _, a := range r.apps {
		polls += a.polls
	}
	fmt.Fprintf(w, "  GETs of the request per application: %.1f\n", float64(polls)/float64(max(1, len(r.apps))))
}

func (r *report) printImages(w io.Writer) {
	if len(r.sets) == 0 {
		return
	}
	var parts []string
	for k, f := range r.sets[0].Files() {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(f.Data))
		if err != nil {
			continue
		}
		var total int
		for _, s := range r.sets {
			total += len(s.Files()[k].Data)
		}
		parts = append(parts, fmt.Sprintf("%s %dx%d (%.2f MP, %.0f KiB on average)", f.Tag, cfg.Width, cfg.Height,
			float64(cfg.Width*cfg.Height)/1e6, float64(total)/float64(len(r.sets))/1024))
	}
	fmt.Fprintf(w, "images:   JPEG quality %d: %s\n", idimages.JPEGQuality, strings.Join(parts, ", "))
}

func scoreOf(d kycDocument) string {
	if d.Score == nil {
		return "-"
	}
	return fmt.Sprint(*d.Score)
}

// counts formats a tally as "fulfilled 40, pending-review 2", largest first.
func counts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
