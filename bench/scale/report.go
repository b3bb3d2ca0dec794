package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"kycd/bench/internal/host"
)

// report is what one configuration's run found.
type report struct {
	cfg      config
	opts     options
	date     time.Time
	database string

	start, loadEnd                 time.Time
	killedAt, restartedAt, readyAt time.Time

	journeys   []*journey
	notStarted int
	calls      []call

	settled       bool
	settleTime    time.Duration
	reviewedAfter int

	resourcesChecked, filesChecked int
	documents, events              int
	outcomes                       map[string]int
	deliveries, duplicates         int
	errorLines                     int

	proxyErrors []proxyError
	// dupBefore are, for each duplicated delivery, how long before the kill it first arrived.
	dupBefore []time.Duration

	failures []error
}

// killSlack is how long after the kill, and after the restarted replica is ready, a failed call
// still counts as caused by the kill: the balancer's health check runs every 250 ms.
const killSlack = 5 * time.Second

// aroundKill reports whether c failed because of the kill: it was in flight when the replica
// died, or started within killSlack of the kill or of the restart.
func (r *report) aroundKill(c call) bool {
	if r.killedAt.IsZero() {
		return false
	}
	end := c.start.Add(c.dur)
	inFlight := !c.start.After(r.killedAt) && !end.Before(r.killedAt)
	near := func(t time.Time) bool { return !t.IsZero() && !c.start.Before(t) && c.start.Before(t.Add(killSlack)) }
	return inFlight || near(r.killedAt) || near(r.restartedAt) || (!r.readyAt.IsZero() && near(r.readyAt))
}

// phase is a third of the load: before, during and after the kill.
func (r *report) phase(t time.Time) int {
	third := r.opts.duration / 3
	switch d := t.Sub(r.start); {
	case d < third:
		return 0
	case d < 2*third:
		return 1
	}
	return 2
}

func (r *report) phaseNames() [3]string {
	if r.cfg.kill {
		return [3]string{"before the kill", "killed", "after the restart"}
	}
	return [3]string{"first third", "second third", "last third"}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d.Microseconds())/1000) }

// nearest-rank percentile of sorted durations.
func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[max(0, (p*len(d)+99)/100-1)]
}

func (r *report) print(w io.Writer) {
	names := r.phaseNames()
	third := r.opts.duration / 3
	fmt.Fprintf(w, "\n## %s\n\n", r.cfg.name)
	fmt.Fprintf(w, "date %s; machine %s; GOMAXPROCS of the benchmark %d; load average %s\n", r.date.Format("2006-01-02 15:04 MST"), host.Describe(), runtime.GOMAXPROCS(0), host.LoadAverage())
	db := "SQLite (a file in the data folder)"
	if r.database != "" {
		db = r.database
	}
	fmt.Fprintf(w, "%s, blobs on S3 (versitygw); %d replica(s) behind the benchmark's round-robin proxy; %.2f journeys/s for %s, at most %d at once\n",
		db, r.cfg.replicas, r.opts.rate, r.opts.duration, r.opts.inflight)
	if !r.killedAt.IsZero() {
		fmt.Fprintf(w, "kill -9 of one replica at %.1f s; restarted at %.1f s, ready at %.1f s\n",
			r.killedAt.Sub(r.start).Seconds(), r.restartedAt.Sub(r.start).Seconds(), r.readyAt.Sub(r.start).Seconds())
	}

	// Journeys per phase: started in it, and decided in it (by the time the journey saw its
	// document decided), which is the throughput when the servers fall behind.
	fmt.Fprintf(w, "\n| phase | journeys started | of them failed | decided in the phase | decided/s | not started (in-flight bound) |\n|---|---:|---:|---:|---:|---:|\n")
	var started, failed, decided [3]int
	late := 0
	for _, j := range r.journeys {
		p := r.phase(j.start)
		started[p]++
		if j.err != nil {
			failed[p]++
			continue
		}
		if j.end.After(r.start.Add(r.opts.duration)) {
			late++
		} else {
			decided[r.phase(j.end)]++
		}
	}
	for p := range 3 {
		fmt.Fprintf(w, "| %s | %d | %d | %d | %.2f | %s |\n", names[p], started[p], failed[p], decided[p], float64(decided[p])/third.Seconds(), dash(p, r.notStarted))
	}
	in := decided[0] + decided[1] + decided[2]
	fmt.Fprintf(w, "| **all** | %d | %d | %d (+%d after the load) | **%.2f** | %d |\n", len(r.journeys), failed[0]+failed[1]+failed[2], in, late,
		float64(in)/r.opts.duration.Seconds(), r.notStarted)

	// Latency per call kind and phase.
	type key struct {
		kind  string
		phase int
	}
	lat := map[key][]time.Duration{}
	errs := map[key]map[string]int{}
	kinds := map[string]bool{}
	for _, c := range r.calls {
		k := key{c.kind, r.phase(c.start)}
		kinds[c.kind] = true
		if c.err == "" {
			lat[k] = append(lat[k], c.dur)
			continue
		}
		if errs[k] == nil {
			errs[k] = map[string]int{}
		}
		errs[k][c.err]++
	}
	fmt.Fprintf(w, "\n| call | %s (n, p50/p99 ms, errors) | %s | %s |\n|---|---|---|---|\n", names[0], names[1], names[2])
	var ks []string
	for k := range kinds {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		var cells []string
		for p := range 3 {
			d := lat[key{k, p}]
			slices.Sort(d)
			e := ""
			for what, n := range errs[key{k, p}] {
				e += fmt.Sprintf(", %d %s", n, what)
			}
			cells = append(cells, fmt.Sprintf("%d, %s/%s%s", len(d), ms(pct(d, 50)), ms(pct(d, 99)), e))
		}
		fmt.Fprintf(w, "| %s | %s |\n", k, strings.Join(cells, " | "))
	}

	var toDecision []time.Duration
	reviewed := 0
	for _, j := range r.journeys {
		if j.err == nil {
			toDecision = append(toDecision, j.end.Sub(j.start))
		}
		if j.reviewed {
			reviewed++
		}
	}
	slices.Sort(toDecision)
	fmt.Fprintf(w, "\njourney, start to decision seen: p50 %.1f s, p99 %.1f s\n", pct(toDecision, 50).Seconds(), pct(toDecision, 99).Seconds())
	fmt.Fprintf(w, "documents: %d, by status %v; decided by the review API: %d in journeys, %d after the load\n", r.documents, r.outcomes, reviewed, r.reviewedAfter)
	fmt.Fprintf(w, "events: %d; deliveries received: %d (2 subscriptions), duplicates %d", r.events, r.deliveries, r.duplicates)
	if len(r.dupBefore) > 0 {
		slices.Sort(r.dupBefore)
		fmt.Fprintf(w, " (first arrived %.2f s to %.2f s before the kill)", r.dupBefore[0].Seconds(), r.dupBefore[len(r.dupBefore)-1].Seconds())
	}
	fmt.Fprintln(w)
	if len(r.proxyErrors) > 0 {
		fmt.Fprintf(w, "proxy: %d requests answered 502:\n", len(r.proxyErrors))
		for i, e := range r.proxyErrors {
			if i == 40 {
				fmt.Fprintf(w, "  ... %d more\n", len(r.proxyErrors)-i)
				break
			}
			fmt.Fprintf(w, "  - at %.2f s, replica %s: %s\n", e.at.Sub(r.start).Seconds(), e.backend, e.err)
		}
	}
	fmt.Fprintf(w, "checked: %d resources, %d file contents; settled: %v after %s; server log ERROR lines: %d\n",
		r.resourcesChecked, r.filesChecked, r.settled, r.settleTime.Round(time.Second), r.errorLines)
	if len(r.failures) == 0 {
		fmt.Fprintln(w, "invariants: all hold")
		return
	}
	fmt.Fprintf(w, "invariants: %d FAILED\n", len(r.failures))
	for i, f := range r.failures {
		if i == 20 {
			fmt.Fprintf(w, "  ... %d more\n", len(r.failures)-i)
			break
		}
		fmt.Fprintf(w, "  - %v\n", f)
	}
}

func dash(p, n int) string {
	if p == 0 {
		return fmt.Sprint(n) + " (whole run)"
	}
	return "-"
}
