// Command bomb measures the worst memory and CPU that decompression-bomb images cost kycd's
// verification. It starts `kycd serve` (SQLite, fresh data folder, free 127.0.0.1 port) and makes
// a PNG of -side x -side RGBA pixels, all zero: about 200 KB that decode into 196 MB at 7000 px,
// under the 50-megapixel limit. Then, while it reads the server's VmRSS every -interval:
//
//  1. one verification: one applicant, one identity document of two such files (id-front,
//     id-back), waited for until decided;
//  2. the verify queue: -docs such documents created at once, so the queue runs as many as its
//     default concurrency (one per CPU) allows, waited for until all are decided.
//
// For each phase it reports the RSS before, the peak, the RSS after, the server's CPU time and the
// wall time; at the end VmHWM. Run it twice to compare the decode budget with no budget:
//
//	go run ./bench/bomb
//	go run ./bench/bomb -server-env KYCD_DECODE_MEMORY_BYTES=1099511627776
//
// It exits with status 1 when a request fails, a document is not decided within -wait, or the
// server does not stop cleanly.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"kycd/bench/internal/cli"
	"kycd/bench/internal/client"
	"kycd/bench/internal/host"
	"kycd/bench/internal/server"
	"kycd/internal/media/mediatest"
)

// options are the command's flags.
type options struct {
	server    cli.ServerFlags
	side      int
	docs      int
	interval  time.Duration
	wait      time.Duration
	serverEnv []string
}

func main() { cli.Main("bomb", parseFlags, run) }

func parseFlags() (options, error) {
	var o options
	o.server.Register()
	flag.IntVar(&o.side, "side", 7000, "width and height of the bomb PNG in pixels (7000 is 49 megapixels, under the 50-megapixel limit)")
	flag.IntVar(&o.docs, "docs", 8, "documents of two bombs each created at once for the queue phase")
	flag.DurationVar(&o.interval, "interval", 10*time.Millisecond, "how often the server's VmRSS is read")
	flag.DurationVar(&o.wait, "wait", 5*time.Minute, "longest wait for a phase's documents to be decided")
	flag.Var((*cli.EnvFlag)(&o.serverEnv), "server-env", "NAME=value for the server, such as KYCD_DECODE_MEMORY_BYTES=... or GOMEMLIMIT=... (repeatable)")
	if err := cli.Parse(&o.server); err != nil {
		return o, err
	}
	if o.side < 1 || o.docs < 1 || o.interval <= 0 || o.wait <= 0 {
		return o, errors.New("-side, -docs, -interval and -wait must be positive")
	}
	return o, nil
}

// phase is what one phase saw.
type phase struct {
	name                string
	before, peak, after int64
	cpu, wall           time.Duration
	failed              []string // failed checks of the first document
}

func run(ctx context.Context, o options) error {
	prep, err := o.server.Prepare(ctx, "bomb")
	if err != nil {
		return err
	}
	defer prep.Close(ctx)
	bomb := mediatest.BombPNG(o.side, o.side, mediatest.RGBA, false)

	cfg := prep.Config
	cfg.Env = o.serverEnv
	srv, err := server.Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer srv.Remove()
	c := client.New(srv.URL, srv.Key, 2*o.docs)

	sampler := server.StartSampler(srv.PID, o.interval)
	one, err1 := runPhase(ctx, c, srv, "one verification (2 bombs)", 1, bomb, o.wait)
	queue, err2 := runPhase(ctx, c, srv, fmt.Sprintf("verify queue (%d documents, %d bombs)", o.docs, 2*o.docs), o.docs, bomb, o.wait)
	samples, sampleErr := sampler.Stop()
	_, hwm, hwmErr := server.Memory(srv.PID)
	stopErr := srv.Stop(35 * time.Second)

	fmt.Printf("kycd decompression-bomb verification, %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Printf("machine: %s\n", host.Describe())
	fmt.Printf("bomb:    %dx%d RGBA PNG of zeros, %d bytes (%.0f MiB decoded), SQLite\n", o.side, o.side, len(bomb), mib(int64(o.side)*int64(o.side)*4))
	if len(o.serverEnv) > 0 {
		fmt.Printf("server environment: %s\n", strings.Join(o.serverEnv, " "))
	}
	for _, p := range []phase{one, queue} {
		p.peak = max(p.peak, p.before, p.after)
		fmt.Printf("%-42s RSS before %6.1f MiB, peak %6.1f MiB, after %6.1f MiB; CPU %5.1f s, wall %5.1f s; failed checks %v\n",
			p.name+":", mib(p.before), mib(p.peak), mib(p.after), p.cpu.Seconds(), p.wall.Seconds(), p.failed)
	}
	peak, n := server.Peak(samples, time.Time{}, time.Time{})
	fmt.Printf("peak RSS %.1f MiB over %d samples; VmHWM %.1f MiB\n", mib(peak), n, mib(hwm))
	return errors.Join(err1, err2, sampleErr, hwmErr, stopErr, ctx.Err())
}

// runPhase creates docs documents of two bombs each at once and waits until all are decided.
func runPhase(ctx context.Context, c *client.Client, srv *server.Server, name string, docs int, bomb []byte, wait time.Duration) (phase, error) {
	p := phase{name: name}
	// Uploads first, so the phase measures verification only.
	ids := make([][]string, docs)
	for i := range docs {
		apl, err := c.CreateApplicant(ctx, fmt.Sprintf("bench-bomb-%s-%d", name[:3], i))
		if err != nil {
			return p, err
		}
		for _, tag := range []string{"id-front", "id-back"} {
			id, err := c.Upload(ctx, apl, tag, bytes.NewReader(bomb), int64(len(bomb)))
			if err != nil {
				return p, err
			}
			ids[i] = append(ids[i], apl, id)
		}
	}
	var err error
	if p.before, _, err = server.Memory(srv.PID); err != nil {
		return p, err
	}
	u0, s0, err := server.CPUTime(srv.PID)
	if err != nil {
		return p, err
	}
	start := time.Now()
	sampler := server.StartSampler(srv.PID, 5*time.Millisecond)
	var wg sync.WaitGroup
	errs := make([]error, docs)
	failed := make([][]string, docs)
	for i := range docs {
		wg.Go(func() {
			doc, err := c.CreateDocument(ctx, ids[i][0], []string{ids[i][1], ids[i][3]})
			if err == nil {
				failed[i], err = decided(ctx, c, doc, wait)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	p.wall = time.Since(start)
	samples, serr := sampler.Stop()
	p.peak, _ = server.Peak(samples, time.Time{}, time.Time{})
	u1, s1, cerr := server.CPUTime(srv.PID)
	p.cpu = u1 + s1 - u0 - s0
	time.Sleep(time.Second)
	p.after, _, _ = server.Memory(srv.PID)
	p.failed = failed[0]
	return p, errors.Join(append(errs, serr, cerr)...)
}

// decided polls the document until its checks have decided it and returns its failed checks.
func decided(ctx context.Context, c *client.Client, doc string, wait time.Duration) ([]string, error) {
	deadline := time.Now().Add(wait)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+"/v1/kyc-documents/"+doc, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+c.Key)
		res, err := c.HTTP.Do(req)
		if err != nil {
			return nil, err
		}
		var d struct {
			Status    string `json:"status"`
			CheckList []struct {
				Name   string `json:"name"`
				Failed bool   `json:"failed"`
			} `json:"checkList"`
		}
		err = json.NewDecoder(res.Body).Decode(&d)
		res.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("document %s: %w", doc, err)
		}
		if d.Status != "pending" && d.Status != "in-progress" {
			var failed []string
			for _, ch := range d.CheckList {
				if ch.Failed {
					failed = append(failed, ch.Name)
				}
			}
			return failed, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("document %s not decided within %s", doc, wait)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
