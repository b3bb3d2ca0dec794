package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// proxy is the benchmark's load balancer: round robin over the replicas it holds healthy. A
// replica is marked down when a request to it fails at the connection (passive) or its /readyz
// refuses the connection or answers anything but 200 (active, every checkEvery), and up again
// when /readyz answers 200. A /readyz that is only slow (a loaded machine) changes nothing: slow
// is not dead. A request is never retried on another replica: its body may have been partly
// sent, and a POST sent twice is the client's decision, not the balancer's. With no replica
// healthy it tries them in turn anyway.
type proxy struct {
	backends []*backend
	next     atomic.Uint64
	rp       *httputil.ReverseProxy
	srv      *http.Server
	URL      string

	mu   sync.Mutex
	errs []proxyError
}

// proxyError is one request the proxy could not pass to a replica (answered 502).
type proxyError struct {
	at      time.Time
	backend string
	err     string
}

type backend struct {
	url  *url.URL
	mu   sync.Mutex
	down bool
}

func (b *backend) setDown(v bool) {
	b.mu.Lock()
	b.down = v
	b.mu.Unlock()
}

func (b *backend) isDown() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.down
}

type backendKey struct{}

const checkEvery = 250 * time.Millisecond

// startProxy listens on a free 127.0.0.1 port; add the replicas with setBackends before traffic.
func startProxy() (*proxy, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &proxy{URL: "http://" + l.Addr().String()}
	tr := &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute, DialContext: (&net.Dialer{Timeout: 2 * time.Second}).DialContext}
	p.rp = &httputil.ReverseProxy{
		Transport: tr,
		Rewrite: func(r *httputil.ProxyRequest) {
			b := r.In.Context().Value(backendKey{}).(*backend)
			r.SetURL(b.url)
			r.Out.Host = r.In.Host // kycd builds links from KYCD_PUBLIC_URL, the proxy
			r.SetXForwarded()
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if b, ok := r.Context().Value(backendKey{}).(*backend); ok && !errors.Is(err, context.Canceled) {
				b.setDown(true)
				p.mu.Lock()
				p.errs = append(p.errs, proxyError{at: time.Now(), backend: b.url.Host, err: err.Error()})
				p.mu.Unlock()
			}
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(l) }()
	return p, nil
}

func (p *proxy) setBackends(urls []string) error {
	for _, u := range urls {
		pu, err := url.Parse(u)
		if err != nil {
			return err
		}
		p.backends = append(p.backends, &backend{url: pu})
	}
	return nil
}

func (p *proxy) pick() *backend {
	n := uint64(len(p.backends))
	start := p.next.Add(1)
	for i := range n {
		if b := p.backends[(start+i)%n]; !b.isDown() {
			return b
		}
	}
	return p.backends[start%n]
}

func (p *proxy) serve(w http.ResponseWriter, r *http.Request) {
	b := p.pick()
	p.rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), backendKey{}, b)))
}

// check polls every replica's /readyz until ctx ends.
func (p *proxy) check(ctx context.Context) {
	c := &http.Client{Timeout: 5 * time.Second}
	t := time.NewTicker(checkEvery)
	defer t.Stop()
	for {
		for _, b := range p.backends {
			res, err := c.Get(b.url.String() + "/readyz")
			var ne net.Error
			switch {
			case err == nil:
				_ = res.Body.Close()
				b.setDown(res.StatusCode != http.StatusOK)
			case errors.As(err, &ne) && ne.Timeout():
				// slow, not dead: leave it as it is
			default:
				b.setDown(true)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (p *proxy) close() { _ = p.srv.Close() }

// errors returns the requests the proxy answered 502 for, with why.
func (p *proxy) errors() []proxyError {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]proxyError(nil), p.errs...)
}
