// Command verify measures how long kycd takes to decide a KYC application, against the least any
// verification of the same images must cost.
//
// It starts `kycd serve` on a free 127.0.0.1 port with a fresh data folder (SQLite, or a
// PostgreSQL database it creates and drops), creates a test API key and waits for /readyz. Then
// -clients concurrent clients submit -applications complete L1 applications: create an applicant
// (Eileen Collins, US), a KYC request at level L1 asking for a passport with a selfie
// (faceProofRequired), upload three JPEGs of 1.35 to 1.44 megapixels (id-front, id-back,
// face-proof), create the passport document from them, and poll the KYC request every -poll until
// its status leaves "gathering" (kycd's verification job decided the document).
//
// The images are generated before the server starts, from the astronaut and text photos in
// testdata: every application gets its own pictures (crops, mirror images, layouts), so kycd's
// duplicate checks (same SHA-256 or a perceptual hash within 6 bits on another applicant) find
// nothing and a sound application is accepted. Each face image is checked with kycd's own face
// detector and perceptual hash before it is used.
//
// It reports the time from the end of the last upload (its answer read) to the answer of the
// first GET that shows the request decided, p50 and p95; the outcome of every request and
// document (all should be fulfilled and accepted); and, in the same process after the server has
// stopped, the floor: for each application in turn, the time to decode its three JPEGs with
// image/jpeg and SHA-256 them, p50 and p95, and the ratio p50(decision) / p50(floor). kycd's goal
// is a ratio under 3. To show where the time goes it reads, after the run, each document's
// decision time and the River job's created and attempted times from the database, and the
// server's CPU time from /proc.
//
// It exits with status 1 if a request failed, a request did not end fulfilled, or the server did
// not stop cleanly; a ratio over the goal is reported, not an error.
//
// Usage, from the module's root:
//
//	go run ./bench/verify -db sqlite
//	go run ./bench/verify -db postgres -pg postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"
	"time"

	"kycd/bench/internal/cli"
	"kycd/bench/internal/client"
	"kycd/bench/internal/host"
	"kycd/bench/internal/idimages"
	"kycd/bench/internal/pgdb"
	"kycd/bench/internal/server"
)

// options are the command's flags.
type options struct {
	server       cli.ServerFlags
	applications int
	clients      int
	poll         time.Duration
	wait         time.Duration
	seed         uint64
	serverEnv    []string
}

func main() { cli.Main("verify", parseFlags, run) }

func parseFlags() (options, error) {
	var o options
	o.server.RegisterDB()
	flag.IntVar(&o.applications, "applications", 40, "complete L1 applications to submit")
	flag.IntVar(&o.clients, "clients", 4, "concurrent clients")
	flag.DurationVar(&o.poll, "poll", 10*time.Millisecond, "how often a client reads its KYC request while it waits")
	flag.DurationVar(&o.wait, "wait", 60*time.Second, "longest wait for one request's decision")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the generated images")
	flag.Var((*cli.EnvFlag)(&o.serverEnv), "server-env", "NAME=value for the server (repeatable), for instance GOMAXPROCS=1")
	if err := cli.Parse(&o.server); err != nil {
		return o, err
	}
	if o.applications < 1 || o.clients < 1 || o.poll <= 0 || o.wait <= 0 {
		return o, errors.New("-applications, -clients, -poll and -wait must be positive")
	}
	return o, nil
}

func run(ctx context.Context, o options) error {

	fmt.Fprintf(os.Stderr, "generating the images of %d applications...\n", o.applications)
	t := time.Now()
	sets, tries, err := idimages.MakeSets(o.applications, o.seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "  %d images (%d candidates checked) in %.1f s\n", 3*len(sets), tries, time.Since(t).Seconds())

	prep, err := o.server.Prepare(ctx, "verify")
	if err != nil {
		return err
	}
	defer prep.Close(ctx)
	cfg := prep.Config
	cfg.Env = o.serverEnv
	rep := &report{opts: o, machine: host.Describe(), sets: sets, db: prep.Label}
	srv, err := server.Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer srv.Remove()
	fmt.Fprintln(os.Stderr, "timing the floor while the server is idle (decode and hash the same images here)...")
	rep.loadBefore = host.LoadAverage()
	if rep.floorBefore, err = floor(sets); err != nil {
		return errors.Join(err, srv.Stop(35*time.Second))
	}
	fmt.Fprintf(os.Stderr, "kycd serve is ready at %s (pid %d); %d applications, %d clients...\n", srv.URL, srv.PID, o.applications, o.clients)

	errs := measure(ctx, srv, prep.DB, o, rep)

	fmt.Fprintln(os.Stderr, "timing the floor again after the server stopped...")
	if rep.floorAfter, err = floor(sets); err != nil {
		errs = append(errs, err)
	}
	rep.loadAfter = host.LoadAverage()
	rep.date = time.Now().UTC()
	rep.print(os.Stdout)
	errs = append(errs, rep.failures()...)
	return errors.Join(append(errs, ctx.Err())...)
}

// measure submits the applications, reads their documents, stops the server and reads the
// verification jobs' times from the database.
func measure(ctx context.Context, srv *server.Server, pg *pgdb.DB, o options, rep *report) []error {
	var errs []error
	c := api{client.New(srv.URL, srv.Key, o.clients)}
	user0, sys0, _ := server.CPUTime(srv.PID)
	start := time.Now()
	rep.apps = submit(ctx, c, o, rep.sets)
	rep.wall = time.Since(start)
	if user1, sys1, err := server.CPUTime(srv.PID); err == nil {
		rep.serverCPU = user1 - user0 + sys1 - sys0
	}
	if err := readDocuments(ctx, c, rep.apps); err != nil {
		errs = append(errs, err)
	}
	if err := srv.Stop(35 * time.Second); err != nil {
		errs = append(errs, err)
	}
	rep.serverErrors, rep.serverErrorCount, _ = srv.LogLines("ERROR", 5)
	_, rep.serverWarnCount, _ = srv.LogLines("WARN", 0)

	var jobs map[string]jobTimes
	var err error
	if pg != nil {
		jobs, err = readJobsPostgres(ctx, pg.URL)
	} else {
		// server.Start puts the data folder beside the log; kycd keeps SQLite in kycd.db there.
		jobs, err = readJobsSQLite(ctx, filepath.Join(filepath.Dir(srv.LogPath), "data", "kycd.db"))
	}
	if err != nil {
		rep.jobsErr = err
	}
	for _, a := range rep.apps {
		a.job = jobs[a.documentID]
	}
	return errs
}

// floor times, for each application in turn, the least work any verification of it must do:
// decode its three JPEGs (image/jpeg) and SHA-256 them, one after the other. One untimed pass
// over the first application warms up first.
func floor(sets []idimages.Set) ([]time.Duration, error) {
	once := func(s idimages.Set) error {
		for _, f := range s.Files() {
			if _, err := jpeg.Decode(bytes.NewReader(f.Data)); err != nil {
				return fmt.Errorf("floor: decode %s: %w", f.Tag, err)
			}
			_ = sha256.Sum256(f.Data)
		}
		return nil
	}
	if err := once(sets[0]); err != nil {
		return nil, err
	}
	out := make([]time.Duration, len(sets))
	for i, s := range sets {
		t := time.Now()
		if err := once(s); err != nil {
			return nil, err
		}
		out[i] = time.Since(t)
	}
	return out, nil
}
