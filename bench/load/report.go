package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"text/tabwriter"
	"time"

	"kycd/bench/internal/server"
)

// report is everything the run prints.
type report struct {
	date             time.Time
	machine          string
	db               string
	opts             options
	jpegBytes        int
	res              *results
	idleRSS, hwm     int64
	serverUser       time.Duration // user CPU the server used during the load
	serverSys        time.Duration // system CPU the server used during the load
	clientCPU        time.Duration // CPU this process used during the load (it shares the machine)
	samples          []server.Sample
	serverErrors     []string
	serverErrorCount int
	serverWarnCount  int
}

func (r *report) print(w io.Writer) {
	secs := r.res.duration.Seconds()
	fmt.Fprintf(w, "kycd load benchmark, %s\n", r.date.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "machine:  %s\n", r.machine)
	fmt.Fprintf(w, "database: %s\n", r.db)
	idem := ""
	if r.opts.idem {
		idem = ", Idempotency-Key on every POST"
	}
	fmt.Fprintf(w, "load:     %d clients, %d applicants x (1 applicant + 3 uploads of a %.2f MiB JPEG + 1 document)%s\n",
		r.opts.clients, r.opts.applicants, mib(int64(r.jpegBytes)), idem)
	fmt.Fprintf(w, "duration: %.2f s; uploads %.1f MiB/s\n\n", secs, mib(r.res.uploaded)/secs)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\trequests\terrors\treq/s\tp50\tp99\tmax\t")
	var all tally
	for k := range numOps {
		t := r.res.ops[k]
		row(tw, k.String(), t, secs)
		all.ok = append(all.ok, t.ok...)
		all.failed += t.failed
	}
	row(tw, "all", all, secs)
	_ = tw.Flush()

	peak, n := server.Peak(r.samples, time.Time{}, time.Time{})
	fmt.Fprintf(w, "\nserver RSS: idle %.1f MiB before the load, peak %.1f MiB (VmRSS, %d samples every %s), VmHWM %.1f MiB at the end\n",
		mib(r.idleRSS), mib(peak), n, r.opts.interval, mib(r.hwm))
	cpu := r.serverUser + r.serverSys
	fmt.Fprintf(w, "CPU during the load: server %.2f s = %.2f user + %.2f system (%.2f cores, %.1f ms per request); load generator %.2f s (%.2f cores)\n",
		cpu.Seconds(), r.serverUser.Seconds(), r.serverSys.Seconds(), cpu.Seconds()/secs, float64(cpu.Microseconds())/1e3/float64(max(1, all.n())),
		r.clientCPU.Seconds(), r.clientCPU.Seconds()/secs)
	fmt.Fprintf(w, "server log: %d ERROR and %d WARN lines\n", r.serverErrorCount, r.serverWarnCount)
	for _, l := range r.serverErrors {
		fmt.Fprintln(w, "  ", l)
	}
	if len(r.res.errs) > 0 {
		fmt.Fprintf(w, "failed requests (%d; first ones):\n", r.res.failures())
		for _, e := range r.res.errs[:min(len(r.res.errs), 10)] {
			fmt.Fprintln(w, "  ", e)
		}
	}
}

func (t tally) n() int { return len(t.ok) + t.failed }

func row(w io.Writer, name string, t tally, secs float64) {
	slices.Sort(t.ok)
	n := t.n()
	fmt.Fprintf(w, "%s\t%d\t%d\t%.1f\t%s\t%s\t%s\t\n", name, n, t.failed, float64(n)/secs,
		ms(percentile(t.ok, 0.50)), ms(percentile(t.ok, 0.99)), ms(percentile(t.ok, 1)))
}

// percentile returns the nearest-rank p-quantile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
