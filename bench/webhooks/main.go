// Command webhooks measures kycd's webhook delivery. It starts `kycd serve` on a free 127.0.0.1
// port with a fresh data folder (SQLite, or a PostgreSQL database it creates and drops), starts
// -subscribers receivers on 127.0.0.1 that answer 204, subscribes each to applicant-created
// events, and creates -events applicants with -clients concurrent clients: every applicant is one
// event, delivered to every subscriber. It waits until every (event, subscriber) pair has arrived.
//
// It reports the deliveries per second (from the first event created to the last delivery), the
// rate at which events were created, and p50, p99 and max of the time from an event's creation
// (the createdAt of the body, stamped by the server in the event's transaction) to its arrival at
// the receiver. Both clocks are the same machine's. It exits with status 1 if an event was lost,
// a pair arrived twice, a request failed, or the server did not stop cleanly on SIGTERM.
//
// Usage, from the module's root:
//
//	go run ./bench/webhooks -db sqlite
//	go run ./bench/webhooks -db postgres -pg postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"kycd/bench/internal/cli"
	"kycd/bench/internal/client"
	"kycd/bench/internal/host"
	"kycd/bench/internal/server"
)

type options struct {
	server         cli.ServerFlags
	events         int
	subscribers    int
	clients        int
	webhookWorkers int
	timeout        time.Duration
}

func main() { cli.Main("webhooks", parseFlags, run) }

func parseFlags() (options, error) {
	var o options
	o.server.RegisterDB()
	flag.IntVar(&o.events, "events", 10000, "events to create (one applicant each)")
	flag.IntVar(&o.subscribers, "subscribers", 3, "receivers, each subscribed to every event")
	flag.IntVar(&o.clients, "clients", 8, "concurrent clients creating applicants")
	flag.IntVar(&o.webhookWorkers, "webhook-workers", 0, "KYCD_WEBHOOK_WORKERS for the server: deliveries sent at once (0: kycd's default, 100)")
	flag.DurationVar(&o.timeout, "timeout", 15*time.Minute, "give up when the deliveries have not all arrived by then")
	if err := cli.Parse(&o.server); err != nil {
		return o, err
	}
	if o.events < 1 || o.subscribers < 1 || o.clients < 1 || o.webhookWorkers < 0 {
		return o, errors.New("-events, -subscribers and -clients must be positive")
	}
	return o, nil
}

func run(ctx context.Context, o options) error {
	prep, err := o.server.Prepare(ctx, "webhooks")
	if err != nil {
		return err
	}
	defer prep.Close(ctx)
	cfg := prep.Config
	cfg.Env = append(cfg.Env, "KYCD_WEBHOOK_ALLOW_PRIVATE=true") // the receivers are on loopback
	if o.webhookWorkers > 0 {
		cfg.Env = append(cfg.Env, "KYCD_WEBHOOK_WORKERS="+strconv.Itoa(o.webhookWorkers))
	}

	col := newCollector(o.events * o.subscribers)
	var urls []string
	for i := range o.subscribers {
		url, closeRcv, err := startReceiver(i, col)
		if err != nil {
			return err
		}
		defer closeRcv()
		urls = append(urls, url)
	}

	srv, err := server.Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer srv.Remove()
	c := client.New(srv.URL, srv.Key, o.clients)
	for _, u := range urls {
		if err := subscribe(ctx, c, u); err != nil {
			_ = srv.Stop(35 * time.Second)
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "kycd serve is ready at %s (pid %d); creating %d events for %d subscribers...\n", srv.URL, srv.PID, o.events, o.subscribers)

	start := time.Now()
	failed := createEvents(ctx, c, o)
	created := time.Since(start)
	fmt.Fprintf(os.Stderr, "%d events created in %.1f s; waiting for the deliveries...\n", o.events, created.Seconds())
	waitErr := col.wait(ctx, o.timeout-time.Since(start))
	stopErr := srv.Stop(35 * time.Second)
	_, errorLines, _ := srv.LogLines("ERROR", 0)

	r := col.result(start)
	fmt.Printf("kycd webhook benchmark, %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Printf("machine:     %s\n", host.Describe())
	fmt.Printf("database:    %s\n", prep.Label)
	workers := "100 (default)"
	if o.webhookWorkers > 0 {
		workers = strconv.Itoa(o.webhookWorkers)
	}
	fmt.Printf("load:        %d events (POST /v1/applicants, %d clients) x %d subscribers = %d deliveries; webhook workers %s\n",
		o.events, o.clients, o.subscribers, o.events*o.subscribers, workers)
	fmt.Printf("events:      created in %.2f s (%.0f events/s), %d requests failed\n", created.Seconds(), float64(o.events)/created.Seconds(), failed)
	fmt.Printf("deliveries:  %d of %d arrived, %d twice; %.2f s from the first event to the last delivery: %.0f deliveries/s\n",
		r.arrived, o.events*o.subscribers, r.duplicates, r.span.Seconds(), float64(r.arrived)/r.span.Seconds())
	fmt.Printf("latency:     event created -> delivered: p50 %s, p99 %s, max %s\n", ms(r.p50), ms(r.p99), ms(r.max))
	fmt.Printf("server log:  %d ERROR lines\n", errorLines)

	var problems []error
	if failed > 0 {
		problems = append(problems, fmt.Errorf("%d requests failed", failed))
	}
	if r.arrived != o.events*o.subscribers || r.duplicates > 0 {
		problems = append(problems, fmt.Errorf("%d deliveries arrived, %d twice, want %d once each", r.arrived, r.duplicates, o.events*o.subscribers))
	}
	return errors.Join(append(problems, waitErr, stopErr, ctx.Err())...)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// subscribe creates a test webhook for applicant-created events to url.
func subscribe(ctx context.Context, c *client.Client, url string) error {
	body, _ := json.Marshal(map[string]any{"url": url, "events": []string{"applicant-created"}, "description": "bench receiver"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+"/v1/webhooks", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Key)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("create webhook: %w", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		return fmt.Errorf("create webhook: %d %s", res.StatusCode, b)
	}
	return nil
}

// createEvents creates o.events applicants with o.clients goroutines and returns how many failed.
func createEvents(ctx context.Context, c *client.Client, o options) int {
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	for range o.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(o.events) || ctx.Err() != nil {
					return
				}
				if _, err := c.CreateApplicant(ctx, "bench-"+strconv.FormatInt(i, 10)); err != nil {
					if failed.Add(1) <= 3 {
						fmt.Fprintln(os.Stderr, "webhooks:", err)
					}
				}
			}
		}()
	}
	wg.Wait()
	return int(failed.Load())
}

// collector records the first arrival of each (subscriber, webhook-id) pair.
type collector struct {
	mu         sync.Mutex
	want       int
	seen       map[string]bool
	latencies  []time.Duration
	last       time.Time
	duplicates int
	done       chan struct{}
}

func newCollector(want int) *collector {
	return &collector{want: want, seen: make(map[string]bool, want), done: make(chan struct{})}
}

func (c *collector) add(subscriber int, id string, created, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := strconv.Itoa(subscriber) + "/" + id
	if c.seen[key] {
		c.duplicates++
		return
	}
	c.seen[key] = true
	c.latencies = append(c.latencies, at.Sub(created))
	c.last = at
	if len(c.seen) == c.want {
		close(c.done)
	}
}

func (c *collector) wait(ctx context.Context, timeout time.Duration) error {
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(timeout):
		c.mu.Lock()
		defer c.mu.Unlock()
		return fmt.Errorf("timed out with %d of %d deliveries", len(c.seen), c.want)
	}
}

type result struct {
	arrived, duplicates int
	span                time.Duration
	p50, p99, max       time.Duration
}

func (c *collector) result(start time.Time) result {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := result{arrived: len(c.seen), duplicates: c.duplicates, span: c.last.Sub(start)}
	l := slices.Clone(c.latencies)
	slices.Sort(l)
	if len(l) > 0 {
		r.p50, r.p99, r.max = l[rank(len(l), 50)], l[rank(len(l), 99)], l[len(l)-1]
	}
	return r
}

// rank is the nearest-rank index of percentile p among n sorted values.
func rank(n, p int) int { return max(0, (p*n+99)/100-1) }

// startReceiver serves one subscriber on a free 127.0.0.1 port: it answers 204 and records each
// delivery's arrival and its body's createdAt.
func startReceiver(i int, col *collector) (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("receiver: %w", err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		var body struct {
			CreatedAt time.Time `json:"createdAt"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		col.add(i, r.Header.Get("webhook-id"), body.CreatedAt, at)
		w.WriteHeader(http.StatusNoContent)
	})
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.Serve(l) }()
	return "http://" + l.Addr().String() + "/hook", func() { _ = s.Close() }, nil
}
