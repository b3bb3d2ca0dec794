// Command uploadrss checks that kycd streams uploads instead of holding them in memory. It starts
// `kycd serve` (SQLite, fresh data folder, free 127.0.0.1 port), creates one applicant and
// generates a JPEG of pure noise of about -file-mb MiB (kept under kycd's 10 MiB upload limit).
// Then it sends -bursts bursts of -clients uploads of that JPEG, all released at once, while it
// reads the server's VmRSS from /proc/PID/status every -interval.
//
// It reports, for each burst, the server's RSS right before it, the peak during it and the RSS a
// second after it, then the peak over the whole run and VmHWM at the end. It exits with status 1
// if the peak passes -limit-mb, if any upload got an answer outside 2xx, or if the server did not
// stop cleanly on SIGTERM.
//
// Usage, from the module's root:
//
//	go run ./bench/uploadrss
//	go run ./bench/uploadrss -server-env GODEBUG=gctrace=1 -server-log /tmp/kycd.log
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"kycd/bench/internal/cli"
	"kycd/bench/internal/client"
	"kycd/bench/internal/host"
	"kycd/bench/internal/photo"
	"kycd/bench/internal/server"
)

// maxUpload is kycd's default upload limit (KYCD_MAX_UPLOAD_BYTES).
const maxUpload = 10 << 20

// options are the command's flags.
type options struct {
	server    cli.ServerFlags
	clients   int
	bursts    int
	limitMB   float64
	fileMB    float64
	interval  time.Duration
	idem      bool
	serverEnv []string
	serverLog string
}

func main() { cli.Main("uploadrss", parseFlags, run) }

func parseFlags() (options, error) {
	var o options
	o.server.Register()
	flag.IntVar(&o.clients, "clients", 10, "uploads sent at once in each burst")
	flag.IntVar(&o.bursts, "bursts", 3, "bursts, one after the other")
	flag.Float64Var(&o.limitMB, "limit-mb", 150, "fail if the server's RSS peaks above this many MiB")
	flag.Float64Var(&o.fileMB, "file-mb", 9.5, "size of the uploaded JPEG in MiB (under the 10 MiB limit)")
	flag.DurationVar(&o.interval, "interval", 10*time.Millisecond, "how often the server's VmRSS is read")
	flag.BoolVar(&o.idem, "idempotency-keys", false, "send an Idempotency-Key header with every upload")
	flag.Var((*cli.EnvFlag)(&o.serverEnv), "server-env", "NAME=value for the server's environment, such as GODEBUG=gctrace=1 or GOMEMLIMIT=100MiB (repeatable)")
	flag.StringVar(&o.serverLog, "server-log", "", "copy the server's log (its stderr) to this file at the end")
	if err := cli.Parse(&o.server); err != nil {
		return o, err
	}
	switch {
	case o.clients < 1 || o.bursts < 1 || o.limitMB <= 0 || o.fileMB <= 0 || o.interval <= 0:
		return o, errors.New("-clients, -bursts, -limit-mb, -file-mb and -interval must be positive")
	case o.fileMB*(1<<20) > maxUpload-(16<<10):
		return o, fmt.Errorf("-file-mb %.2f: the file must stay under kycd's 10 MiB limit", o.fileMB)
	}
	return o, nil
}

func run(ctx context.Context, o options) error {
	prep, err := o.server.Prepare(ctx, "uploadrss")
	if err != nil {
		return err
	}
	defer prep.Close(ctx)

	fmt.Fprintf(os.Stderr, "generating a %.2f MiB noise JPEG...\n", o.fileMB)
	jpg, err := photo.Make(photo.Noise, int(o.fileMB*(1<<20)), maxUpload-(16<<10))
	if err != nil {
		return err
	}

	cfg := prep.Config
	cfg.Env = o.serverEnv
	srv, err := server.Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer srv.Remove()
	c := client.New(srv.URL, srv.Key, o.clients)
	c.IdempotencyKeys = o.idem
	applicantID, err := c.CreateApplicant(ctx, "bench-uploadrss")
	if err != nil {
		_ = srv.Stop(35 * time.Second)
		return err
	}

	sampler := server.StartSampler(srv.PID, o.interval)
	bursts, burstErr := runBursts(ctx, c, srv.PID, o, applicantID, jpg)
	samples, sampleErr := sampler.Stop()
	_, hwm, hwmErr := server.Memory(srv.PID)
	stopErr := srv.Stop(35 * time.Second)
	if o.serverLog != "" {
		b, err := os.ReadFile(srv.LogPath)
		if err == nil {
			err = os.WriteFile(o.serverLog, b, 0o600)
		}
		sampleErr = errors.Join(sampleErr, err)
	}

	peak := printReport(o, len(jpg), bursts, samples, hwm)
	var limitErr error
	if mib(peak) > o.limitMB {
		limitErr = fmt.Errorf("peak RSS %.1f MiB is over the %.0f MiB limit", mib(peak), o.limitMB)
	}
	failed := 0
	for _, b := range bursts {
		failed += len(b.errs)
	}
	var failErr error
	if failed > 0 {
		failErr = fmt.Errorf("%d uploads failed", failed)
	}
	return errors.Join(burstErr, sampleErr, hwmErr, stopErr, limitErr, failErr, ctx.Err())
}

// burst is what one burst saw.
type burst struct {
	before, after int64 // RSS right before the burst and a second after it
	atEnd         int64 // RSS when the last answer arrived
	start, end    time.Time
	errs          []error
	slowest       time.Duration
}

// runBursts sends o.bursts bursts of o.clients simultaneous uploads.
func runBursts(ctx context.Context, c *client.Client, pid int, o options, applicantID string, jpg []byte) ([]burst, error) {
	var out []burst
	seq := uint64(0)
	for range o.bursts {
		var b burst
		var err error
		if b.before, _, err = server.Memory(pid); err != nil {
			return out, err
		}
		release := make(chan struct{})
		var wg sync.WaitGroup
		var mu sync.Mutex
		for range o.clients {
			seq++
			body, size := photo.Variant(jpg, seq)
			wg.Go(func() {
				<-release
				t := time.Now()
				_, err := c.Upload(ctx, applicantID, "id-front", body, size)
				mu.Lock()
				defer mu.Unlock()
				b.slowest = max(b.slowest, time.Since(t))
				if err != nil {
					b.errs = append(b.errs, err)
				}
			})
		}
		b.start = time.Now()
		close(release)
		wg.Wait()
		b.end = time.Now()
		if b.atEnd, _, err = server.Memory(pid); err != nil {
			return append(out, b), err
		}
		select {
		case <-ctx.Done():
			return append(out, b), ctx.Err()
		case <-time.After(time.Second):
		}
		if b.after, _, err = server.Memory(pid); err != nil {
			return append(out, b), err
		}
		out = append(out, b)
	}
	return out, nil
}

// printReport prints the run and returns the peak RSS over all samples.
func printReport(o options, fileBytes int, bursts []burst, samples []server.Sample, hwm int64) int64 {
	fmt.Printf("kycd upload RSS check, %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Printf("machine: %s\n", host.Describe())
	fmt.Printf("load:    %d bursts x %d simultaneous uploads of a %.2f MiB JPEG (%d bytes), SQLite\n", o.bursts, o.clients, mib(int64(fileBytes)), fileBytes)
	if len(o.serverEnv) > 0 {
		fmt.Printf("server environment: %s\n", strings.Join(o.serverEnv, " "))
	}
	fmt.Println()
	for i, b := range bursts {
		// A burst shorter than the interval may hold no sample: the readings around it bound it.
		peak, n := server.Peak(samples, b.start, b.end)
		peak = max(peak, b.before, b.atEnd)
		fmt.Printf("burst %d: RSS before %.1f MiB, peak %.1f MiB (+%.1f, %d samples), 1 s after %.1f MiB; %.2f s, %d/%d uploads ok\n",
			i+1, mib(b.before), mib(peak), mib(peak-b.before), n, mib(b.after), b.end.Sub(b.start).Seconds(), o.clients-len(b.errs), o.clients)
		for _, err := range b.errs[:min(len(b.errs), 3)] {
			fmt.Println("  ", err)
		}
	}
	peak, n := server.Peak(samples, time.Time{}, time.Time{})
	verdict := "PASS"
	if mib(peak) > o.limitMB {
		verdict = "FAIL"
	}
	fmt.Printf("\npeak RSS %.1f MiB over %d samples every %s (limit %.0f MiB): %s; VmHWM %.1f MiB\n",
		mib(peak), n, o.interval, o.limitMB, verdict, mib(hwm))
	return peak
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
