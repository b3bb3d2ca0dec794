package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestPoolSize: River's rule adds the handlers' connections, every queue's and River's own five.
func TestPoolSize(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		handlers int
		workers  []int
		want     int
	}{
		{20, nil, 25},
		{20, []int{10, 2, 4, 10, 10}, 61},
		{0, []int{1}, 6},
	} {
		if got := store.PoolSize(c.handlers, c.workers...); got != c.want {
			t.Errorf("PoolSize(%d, %v) = %d, want %d", c.handlers, c.workers, got, c.want)
		}
	}
}

// TestConnLimitsFit: the arithmetic of the start-up check. Every replica takes its pool and one
// connection for its liveness lock, AdminConns are kept free, and the reserved slots are no one's;
// this process also needs what it has not opened yet to be free now.
func TestConnLimitsFit(t *testing.T) {
	t.Parallel()
	pg100 := store.ConnLimits{MaxConnections: 100, SuperuserReserved: 3, InUse: 2}
	for _, c := range []struct {
		name                string
		limits              store.ConnLimits
		pool, replicas, own int
		fails, warns        bool
		mentions            []string
	}{
		// 61+1 + 5 = 67 of 97.
		{"one default replica on a stock server", pg100, 61, 1, 2, false, false, nil},
		// 90+1 + 5 = 96 of 97: the last slot free.
		{"just fits", pg100, 90, 1, 2, false, false, nil},
		// 91+1 + 5 = 97 of 97.
		{"exactly full", pg100, 91, 1, 2, false, false, nil},
		{"one over", pg100, 92, 1, 2, true, false, []string{"KYCD_REPLICAS=1 x 93 connections", "+ 5 for administration = 98", "max_connections 100 - superuser_reserved_connections 3 = 97"}},
		// 2 x 62 + 5 = 129 > 97.
		{"two replicas on a stock server", pg100, 61, 2, 2, true, false, []string{"KYCD_REPLICAS=2", "= 129"}},
		// 3 x 62 + 5 = 191 <= 597.
		{"three replicas, max_connections 600", store.ConnLimits{MaxConnections: 600, SuperuserReserved: 3, InUse: 40}, 61, 3, 2, false, false, nil},
		// PostgreSQL 16's reserved_connections counts too: 100 - 3 - 10 = 87 < 91+1+5.
		{"reserved_connections", store.ConnLimits{MaxConnections: 100, SuperuserReserved: 3, Reserved: 10}, 91, 1, 2, true, false, []string{"reserved_connections 10 = 87"}},
		// The total fits (67 <= 97), but 80 are open: 62-2 = 60 may be needed, 97-80 = 17 free. A
		// warning, not a refusal: the pool opens connections as needed, and others may close.
		{"others use the room", store.ConnLimits{MaxConnections: 100, SuperuserReserved: 3, InUse: 80}, 61, 1, 2, false, true, []string{"may need 60 more, but 80 are in use", "so 17 are free"}},
		// What this process has open counts as its own, not as others'.
		{"own connections are not others'", store.ConnLimits{MaxConnections: 100, SuperuserReserved: 3, InUse: 40}, 61, 1, 10, false, false, nil},
	} {
		warning, err := c.limits.Fit(c.pool, c.replicas, c.own)
		if (err != nil) != c.fails || (warning != "") != c.warns {
			t.Errorf("%s: Fit(%d, %d, %d) on %+v = %q, %v, want failure %v, warning %v", c.name, c.pool, c.replicas, c.own, c.limits, warning, err, c.fails, c.warns)
			continue
		}
		said := warning
		if err != nil {
			said = err.Error()
		}
		for _, m := range c.mentions {
			if !strings.Contains(said, m) {
				t.Errorf("%s: %q does not say %q", c.name, said, m)
			}
		}
	}
}

// TestCheckConnections reads the real server's settings: the dev and test servers (max_connections
// 600 and 300) serve a pool of 61, not a pool or a number of replicas beyond max_connections.
// SQLite has nothing to check.
func TestCheckConnections(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if s.Dialect() == store.SQLite {
			if warning, err := s.CheckConnections(ctx, 1000); err != nil || warning != "" {
				t.Fatal(warning, err)
			}
			return
		}
		l, err := s.ReadConnLimits(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Read apart, on a connection of the test's own.
		conn, err := pgx.Connect(ctx, storetest.PostgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var maxConns, superuser int
		if err := conn.QueryRow(ctx, `SELECT current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int`).Scan(&maxConns, &superuser); err != nil {
			t.Fatal(err)
		}
		// In use: at least the store's pool's connection that read them and its liveness lock's.
		if l.MaxConnections != maxConns || l.SuperuserReserved != superuser || l.InUse < 2 {
			t.Fatalf("limits %+v, want max_connections %d, superuser_reserved_connections %d and 2 or more in use", l, maxConns, superuser)
		}
		if _, err := s.CheckConnections(ctx, 1); err != nil {
			t.Fatalf("the test store's pool of %d on %+v: %v", s.MaxConns(), l, err)
		}
		// As many replicas as there are slots cannot fit: each takes at least two.
		_, err = s.CheckConnections(ctx, l.MaxConnections)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("max_connections %d", l.MaxConnections)) || !strings.Contains(err.Error(), "KYCD_REPLICAS") {
			t.Fatalf("%d replicas: %v", l.MaxConnections, err)
		}
		big, err := store.OpenSized(ctx, storetest.NewDatabase(t, store.Postgres), storetest.Sealer(t), l.MaxConnections)
		if err != nil {
			t.Fatal(err)
		}
		defer big.Close()
		if big.MaxConns() != l.MaxConnections {
			t.Fatalf("OpenSized: a pool of %d", big.MaxConns())
		}
		if _, err := big.CheckConnections(ctx, 1); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("a pool of %d", l.MaxConnections)) {
			t.Fatalf("a pool of max_connections: %v", err)
		}
		// The URL's pool_max_conns wins over the size given.
		small, err := store.OpenSized(ctx, withQuery(storetest.NewDatabase(t, store.Postgres), "pool_max_conns=7"), storetest.Sealer(t), 500)
		if err != nil {
			t.Fatal(err)
		}
		defer small.Close()
		if small.MaxConns() != 7 {
			t.Fatalf("pool_max_conns=7: a pool of %d", small.MaxConns())
		}
	})
}

// withQuery adds a parameter to a database URL.
func withQuery(u, param string) string {
	if strings.Contains(u, "?") {
		return u + "&" + param
	}
	return u + "?" + param
}
