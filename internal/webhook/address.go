package webhook

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/tracing"
)

// addressPolicy says which addresses webhooks may reach.
type addressPolicy struct {
	// any allows every address (Config.AllowPrivate).
	any bool
}

// policy is the address policy of env's webhooks. Both environments have the same one: a test
// key is as much in an integrator's hands as a live one, so a test webhook reaching loopback
// would let any integrator read this host's local services (issue 11, finding 8).
func (c Config) policy(kyc.Env) addressPolicy {
	return addressPolicy{any: c.AllowPrivate}
}

// isInternal reports whether a is an address no webhook may reach by default (loopback, private,
// link-local, ...), whatever Config.AllowPrivate says. The delivery log keeps no answer body from
// such an address.
func isInternal(a netip.Addr) bool { return addressPolicy{}.refuses(a) != "" }

// Ranges that are not public besides those netip classifies.
var (
	cgnat       = netip.MustParsePrefix("100.64.0.0/10")
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")
	reserved    = []netip.Prefix{
		netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
		netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
		netip.MustParsePrefix("240.0.0.0/4"),    // reserved, and the broadcast address
		netip.MustParsePrefix("2001:db8::/32"),  // documentation
		netip.MustParsePrefix("100::/64"),       // discard
		netip.MustParsePrefix("2001:10::/28"),   // ORCHID
		netip.MustParsePrefix("fec0::/10"),      // site-local (deprecated)
		netip.MustParsePrefix("192.88.99.0/24"), // 6to4 relay anycast (deprecated)
	}
	nat64 = netip.MustParsePrefix("64:ff9b::/96")
)

// refuses says what kind of address a is when the policy refuses it, and "" when it may be reached.
func (p addressPolicy) refuses(a netip.Addr) string {
	a = a.Unmap()
	if p.any {
		return ""
	}
	if nat64.Contains(a) { // an IPv4 address behind NAT64: judge the IPv4 address
		b := a.As16()
		return p.refuses(netip.AddrFrom4([4]byte(b[12:])))
	}
	switch {
	case a.IsLoopback():
		return "a loopback address"
	case a.IsUnspecified() || thisNetwork.Contains(a):
		return "an unspecified address"
	case a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast():
		return "a link-local address"
	case a.IsPrivate():
		return "a private address"
	case a.IsMulticast() || a.IsInterfaceLocalMulticast():
		return "a multicast address"
	case cgnat.Contains(a):
		return "a shared (CGNAT) address"
	}
	for _, r := range reserved {
		if r.Contains(a) {
			return "a reserved address"
		}
	}
	return ""
}

// refusedAddressError is a connection the policy refused.
type refusedAddressError struct {
	addr netip.Addr
	kind string
}

func (e *refusedAddressError) Error() string {
	return fmt.Sprintf("refused to connect to %s, %s", e.addr, e.kind)
}

// control is a net.Dialer Control hook: it runs for every connection after the name is resolved,
// so a name that resolves to an internal address when it is used (DNS rebinding) is refused too.
func (p addressPolicy) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook: unexpected address %q", address)
	}
	if kind := p.refuses(ap.Addr()); kind != "" {
		return &refusedAddressError{addr: ap.Addr().Unmap(), kind: kind}
	}
	return nil
}

// resolver finds a host's addresses; *net.Resolver satisfies it.
type resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// checkURL validates a subscription's URL for env: an absolute http or https URL whose host
// resolves only to addresses the environment's policy allows. Every problem names body.url.
func (c Config) checkURL(ctx context.Context, r resolver, env kyc.Env, raw string) error {
	const field = "body.url"
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return kyc.Invalid(field, "must be an absolute http or https URL, such as https://example.com/kyc-events")
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return kyc.Invalid(field, "must use http or https, not %s", u.Scheme)
	}
	if u.Fragment != "" {
		return kyc.Invalid(field, "must not have a #fragment")
	}
	host := u.Hostname()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return kyc.Invalid(field, "its host %q does not resolve", host)
	}
	p := c.policy(env)
	for _, a := range addrs {
		if kind := p.refuses(a); kind != "" {
			return kyc.Invalid(field, "its host %q resolves to %s, %s: %s webhooks must reach a public address "+
				"(a server run for development can allow internal ones with KYCD_WEBHOOK_ALLOW_PRIVATE=true)", host, a.Unmap(), kind, env)
		}
	}
	return nil
}

// newHTTPClient returns the client that sends env's deliveries: no proxy, no redirects (a 3xx is
// a failed attempt), the address policy checked on every connection, and the attempt timeout.
func newHTTPClient(cfg Config, p addressPolicy) *http.Client {
	d := &net.Dialer{Timeout: min(cfg.Timeout, 10*time.Second), KeepAlive: 30 * time.Second, Control: p.control}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   min(cfg.Timeout, 10*time.Second),
		ResponseHeaderTimeout: cfg.Timeout,
	}
	// Each attempt gets a client span and carries the trace context (traceparent) to the receiver.
	return &http.Client{Transport: tracing.Transport(tr), Timeout: cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
