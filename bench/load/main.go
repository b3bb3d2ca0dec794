// Command load is a load generator for kycd. It starts `kycd serve` on a free 127.0.0.1 port with a
// fresh data folder (SQLite, or a PostgreSQL database it creates and drops), creates a test API key
// and waits for /readyz. Then -clients concurrent clients each repeat the onboarding of one
// applicant until -applicants are done: create the applicant, upload three JPEGs of about -jpeg-mb
// MiB (id-front, id-back, face-proof), create a passport document from them. The JPEG is generated
// once; every upload carries a different comment segment, so no two uploads have the same SHA-256.
//
// It reports, per operation and overall: requests, errors, requests per second over the whole
// run, and p50, p99 and max latency; and the server's peak resident memory (VmRSS read from
// /proc/PID/status every 20 ms) and its VmHWM at the end. Every answer's status is checked: the
// command exits with status 1 if any request failed or the server did not stop cleanly on SIGTERM.
//
// Usage, from the module's root:
//
//	go run ./bench/load -db sqlite
//	go run ./bench/load -db postgres -pg postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"syscall"
	"time"

	"kycd/bench/internal/cli"
	"kycd/bench/internal/client"
	"kycd/bench/internal/host"
	"kycd/bench/internal/photo"
	"kycd/bench/internal/server"
)

// options are the command's flags.
type options struct {
	server     cli.ServerFlags
	clients    int
	applicants int
	jpegMB     float64
	idem       bool
	interval   time.Duration
}

func main() { cli.Main("load", parseFlags, run) }

func parseFlags() (options, error) {
	var o options
	o.server.RegisterDB()
	flag.IntVar(&o.clients, "clients", 8, "concurrent clients")
	flag.IntVar(&o.applicants, "applicants", 200, "applicants to onboard in total (5 requests each)")
	flag.Float64Var(&o.jpegMB, "jpeg-mb", 1.5, "size of the uploaded JPEG in MiB")
	flag.BoolVar(&o.idem, "idempotency-keys", false, "send an Idempotency-Key header on every POST")
	flag.DurationVar(&o.interval, "rss-interval", 20*time.Millisecond, "how often the server's VmRSS is read")
	if err := cli.Parse(&o.server); err != nil {
		return o, err
	}
	if o.clients < 1 || o.applicants < 1 || o.jpegMB <= 0 || o.interval <= 0 {
		return o, errors.New("-clients, -applicants, -jpeg-mb and -rss-interval must be positive")
	}
	return o, nil
}

func run(ctx context.Context, o options) error {
	prep, err := o.server.Prepare(ctx, "load")
	if err != nil {
		return err
	}
	defer prep.Close(ctx)

	fmt.Fprintf(os.Stderr, "generating a %.2f MiB JPEG...\n", o.jpegMB)
	jpg, err := photo.Make(photo.Scene, int(o.jpegMB*(1<<20)), 0)
	if err != nil {
		return err
	}
	srv, err := server.Start(ctx, prep.Config)
	if err != nil {
		return err
	}
	defer srv.Remove()
	fmt.Fprintf(os.Stderr, "kycd serve is ready at %s (pid %d); %d clients, %d applicants...\n", srv.URL, srv.PID, o.clients, o.applicants)

	rep, err := measure(ctx, srv, o, jpg)
	rep.db = prep.Label
	rep.print(os.Stdout)
	return errors.Join(err, failedErr(rep.res.failures()), ctx.Err())
}

// measure runs the load against srv while it watches the server's memory and CPU, then stops
// the server and reads its log.
func measure(ctx context.Context, srv *server.Server, o options, jpg []byte) (*report, error) {
	rep := &report{machine: host.Describe(), opts: o, jpegBytes: len(jpg), res: &results{}}
	var errs [6]error
	rep.idleRSS, _, errs[0] = server.Memory(srv.PID)
	user0, sys0, _ := server.CPUTime(srv.PID)
	self0 := selfCPU()
	sampler := server.StartSampler(srv.PID, o.interval)

	c := client.New(srv.URL, srv.Key, o.clients)
	c.IdempotencyKeys = o.idem
	rep.res = drive(ctx, c, o, jpg)

	rep.samples, errs[1] = sampler.Stop()
	user1, sys1, err := server.CPUTime(srv.PID)
	rep.serverUser, rep.serverSys, errs[2] = user1-user0, sys1-sys0, err
	rep.clientCPU = selfCPU() - self0
	_, rep.hwm, errs[3] = server.Memory(srv.PID)
	errs[4] = srv.Stop(35 * time.Second)
	rep.date = time.Now().UTC()
	rep.serverErrors, rep.serverErrorCount, errs[5] = srv.LogLines("ERROR", 5)
	_, rep.serverWarnCount, _ = srv.LogLines("WARN", 0)
	return rep, errors.Join(errs[:]...)
}

// selfCPU is the user and system CPU time this process (the clients) has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func failedErr(n int) error {
	if n == 0 {
		return nil
	}
	return fmt.Errorf("%d requests failed", n)
}
