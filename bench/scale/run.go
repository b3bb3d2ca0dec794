package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"kycd/bench/internal/idimages"
	"kycd/bench/internal/pgdb"
	"kycd/bench/internal/server"
)

// runAll builds kycd, generates the images, finds or starts the S3 store, and runs each
// configuration in turn.
func runAll(ctx context.Context, o options) ([]*report, error) {
	if o.server.Bin == "" {
		fmt.Fprintln(os.Stderr, "building kycd/cmd/kycd...")
	}
	bin, cleanup, err := server.Binary(ctx, o.server.Bin)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	fmt.Fprintf(os.Stderr, "generating %d passport applications' images...\n", o.sets)
	sets, _, err := idimages.MakeSets(o.sets, 1)
	if err != nil {
		return nil, err
	}
	s3, s3env := o.s3, []string(nil)
	if s3 == "" {
		gw, err := startVersitygw(ctx)
		if err != nil {
			return nil, err
		}
		defer gw.stop()
		s3, s3env = gw.url, gw.env
	}
	var reports []*report
	for _, c := range o.configs {
		fmt.Fprintf(os.Stderr, "== %s: %s at %.2f journeys/s\n", c.name, o.duration, o.rate)
		r, err := runOne(ctx, o, c, bin, sets, s3, s3env)
		if err != nil {
			return reports, fmt.Errorf("%s: %w", c.name, err)
		}
		reports = append(reports, r)
	}
	return reports, nil
}

// cluster is one configuration's running system.
type cluster struct {
	db       *pgdb.DB
	servers  []*server.Server
	proxy    *proxy
	receiver *receiver
	api      *api
}

// runOne sets up configuration c, drives the load, lets it settle and checks the invariants.
func runOne(ctx context.Context, o options, c config, bin string, sets []idimages.Set, s3 string, s3env []string) (rep *report, err error) {
	cl := &cluster{}
	defer func() { err = errors.Join(err, cl.close(ctx, rep)) }()
	if c.postgres {
		if cl.db, err = pgdb.Create(ctx, o.server.PG); err != nil {
			return nil, err
		}
	}
	if cl.receiver, err = startReceiver(); err != nil {
		return nil, err
	}
	if cl.proxy, err = startProxy(); err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	// The run's own prefix in the bucket: kycd's orphan sweep then sees only the run's blobs.
	s3 += "&prefix=" + url.QueryEscape("kycd-scale-"+rand.Text()+"/")
	cfg := server.Config{Bin: bin, Env: append([]string{"KYCD_MASTER_KEY=" + base64.StdEncoding.EncodeToString(key), "KYCD_BLOB_URL=" + s3,
		"KYCD_WEBHOOK_ALLOW_PRIVATE=true", "KYCD_PUBLIC_URL=" + cl.proxy.URL, "KYCD_CLIENT_IP_HEADER=X-Forwarded-For"}, s3env...)}
	if cl.db != nil {
		cfg.DatabaseURL = cl.db.URL
	}
	var urls []string
	for range c.replicas { // one at a time: the first migrates the database
		s, err := server.Start(ctx, cfg)
		if err != nil {
			return nil, err
		}
		cl.servers = append(cl.servers, s)
		urls = append(urls, s.URL)
	}
	if err := cl.proxy.setBackends(urls); err != nil {
		return nil, err
	}
	checkCtx, stopCheck := context.WithCancel(ctx)
	defer stopCheck()
	go cl.proxy.check(checkCtx)
	tr := &http.Transport{MaxIdleConnsPerHost: o.inflight, IdleConnTimeout: time.Minute, DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
	cl.api = &api{base: cl.proxy.URL, key: cl.servers[0].Key, http: &http.Client{Transport: tr, Timeout: time.Minute}, rec: &recorder{}}
	if err := cl.subscribe(ctx, 2); err != nil {
		return nil, err
	}

	rep = &report{cfg: c, opts: o, date: time.Now().UTC(), outcomes: map[string]int{}}
	if cl.db != nil {
		rep.database = "PostgreSQL " + cl.db.ServerVersion
	}
	rep.journeys, rep.notStarted = cl.load(ctx, o, c, sets, rep)
	rep.calls = cl.api.rec.all()
	fmt.Fprintf(os.Stderr, "load done: %d journeys started, %d not started; settling...\n", len(rep.journeys), rep.notStarted)
	rep.settled = cl.settle(ctx, o, rep)
	rep.proxyErrors = cl.proxy.errors()
	rep.failures = append(rep.failures, cl.check(ctx, rep)...)
	return rep, nil
}

// load starts journeys at o.rate for o.duration, kills and restarts a replica when c says so,
// and waits for every journey to end.
func (cl *cluster) load(ctx context.Context, o options, c config, sets []idimages.Set, rep *report) ([]*journey, int) {
	start := time.Now()
	rep.start = start
	var killer sync.WaitGroup
	if c.kill {
		victim := cl.servers[len(cl.servers)-1]
		killer.Go(func() {
			sleepUntil(ctx, start.Add(o.duration/3))
			rep.killedAt = time.Now()
			if err := victim.Kill(); err != nil {
				rep.failures = append(rep.failures, err)
				return
			}
			fmt.Fprintf(os.Stderr, "killed replica %s (pid gone) at %.1f s\n", victim.URL, time.Since(start).Seconds())
			sleepUntil(ctx, start.Add(2*o.duration/3))
			rep.restartedAt = time.Now()
			if err := victim.Restart(ctx); err != nil {
				rep.failures = append(rep.failures, fmt.Errorf("restart after kill -9: %w", err))
				return
			}
			rep.readyAt = time.Now()
			fmt.Fprintf(os.Stderr, "restarted it, ready after %.1f s\n", rep.readyAt.Sub(rep.restartedAt).Seconds())
		})
	}
	var journeys []*journey
	var wg sync.WaitGroup
	sem := make(chan struct{}, o.inflight)
	notStarted := 0
	ways := []string{wayAPI, wayApp, wayWeb}
	for i := 0; ; i++ {
		at := start.Add(time.Duration(float64(i) / o.rate * float64(time.Second)))
		if !at.Before(start.Add(o.duration)) || ctx.Err() != nil {
			break
		}
		sleepUntil(ctx, at)
		select {
		case sem <- struct{}{}:
		default:
			notStarted++
			continue
		}
		n := i + 1
		j := &journey{n: n, way: ways[i%len(ways)], set: i % len(sets), passport: idimages.PassportNumber(i%len(sets) + 1)}
		if n%reviewEvery == 0 && n <= len(sets) {
			// On a set's first use, a number unlike the one printed in its zone: the checks hold
			// the document for a person, and the journey decides it through the review API.
			j.passport = fmt.Sprintf("X%07d", n)
		}
		journeys = append(journeys, j)
		wg.Go(func() {
			defer func() { <-sem }()
			j.run(ctx, cl.api, sets[j.set], o.wait)
		})
	}
	rep.loadEnd = time.Now()
	wg.Wait()
	killer.Wait()
	return journeys, notStarted
}

// reviewEvery: every reviewEvery-th journey among the first uses of the image sets types a
// passport number its zone does not carry (later uses are rejected as duplicates whatever they type).
const reviewEvery = 4

func sleepUntil(ctx context.Context, t time.Time) {
	select {
	case <-ctx.Done():
	case <-time.After(time.Until(t)):
	}
}

// subscribe creates n webhooks to every event type, each to its own path of the receiver.
func (cl *cluster) subscribe(ctx context.Context, n int) error {
	setup := &api{base: cl.api.base, key: cl.api.key, http: cl.api.http, rec: &recorder{}}
	for i := range n {
		var out struct {
			ID            string `json:"id"`
			SigningSecret string `json:"signingSecret"`
		}
		sub := fmt.Sprint(i)
		if err := setup.json(ctx, "create webhook", http.MethodPost, "/v1/webhooks", "", map[string]any{
			"url": cl.receiver.URL + "/hook/" + sub, "description": "bench/scale subscription " + sub}, &out); err != nil {
			return err
		}
		if err := cl.receiver.addSecret(sub, out.SigningSecret); err != nil {
			return err
		}
	}
	return nil
}

// close stops the replicas (SIGTERM; a replica that does not stop cleanly is a failure), the
// proxy and the receiver, and drops the database.
func (cl *cluster) close(ctx context.Context, rep *report) error {
	var errs []error
	for _, s := range cl.servers {
		if err := s.Stop(35 * time.Second); err != nil {
			errs = append(errs, fmt.Errorf("replica %s: %w\n%s", s.URL, err, s.Tail(10)))
		}
		if rep != nil {
			_, n, _ := s.LogLines("ERROR", 0)
			rep.errorLines += n
		}
		_ = s.Remove()
	}
	if cl.proxy != nil {
		cl.proxy.close()
	}
	if cl.receiver != nil {
		cl.receiver.close()
	}
	if cl.db != nil {
		if err := cl.db.Drop(context.WithoutCancel(ctx)); err != nil {
			errs = append(errs, err)
		}
	}
	if rep != nil {
		rep.failures = append(rep.failures, errs...)
		return nil
	}
	return errors.Join(errs...)
}

// gateway is a versitygw the command started.
type gateway struct {
	url string
	env []string
	cmd *exec.Cmd
	dir string
}

// startVersitygw runs versitygw (from PATH) on a free port over a temp folder holding the bucket.
func startVersitygw(ctx context.Context) (*gateway, error) {
	bin, err := exec.LookPath("versitygw")
	if err != nil {
		return nil, errors.New("no -s3 given and versitygw is not in PATH (go install github.com/versity/versitygw/cmd/versitygw@v1.8.0)")
	}
	dir, err := os.MkdirTemp("", "kycd-scale-s3-*")
	if err != nil {
		return nil, err
	}
	if err := os.Mkdir(filepath.Join(dir, "kycd"), 0o755); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	_ = l.Close()
	g := &gateway{dir: dir, url: "s3://kycd?endpoint=http://" + addr + "&use_path_style=true&disable_https=true&region=us-east-1",
		env: []string{"AWS_ACCESS_KEY_ID=kycdbench", "AWS_SECRET_ACCESS_KEY=kycdbenchsecret", "AWS_EC2_METADATA_DISABLED=true"}}
	g.cmd = exec.Command(bin, "--port", addr, "posix", dir)
	g.cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY_ID=kycdbench", "ROOT_SECRET_ACCESS_KEY=kycdbenchsecret")
	if err := g.cmd.Start(); err != nil {
		return nil, err
	}
	for range 100 {
		if c, err := net.Dial("tcp", addr); err == nil {
			_ = c.Close()
			return g, nil
		}
		sleepUntil(ctx, time.Now().Add(100*time.Millisecond))
	}
	g.stop()
	return nil, errors.New("versitygw did not listen within 10 s")
}

func (g *gateway) stop() {
	_ = g.cmd.Process.Kill()
	_ = g.cmd.Wait()
	_ = os.RemoveAll(g.dir)
}
