package pgdb

import (
	"context"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"
)

// baseURL is the server the test uses: KYCD_BENCH_POSTGRES_URL, or the dev server. The test is
// skipped when nothing listens there.
func baseURL(t *testing.T) string {
	t.Helper()
	raw := DefaultURL()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.DialTimeout("tcp", u.Host, time.Second)
	if err != nil {
		t.Skipf("no PostgreSQL at %s: %v", u.Host, err)
	}
	_ = c.Close()
	return raw
}

func TestCreateDrop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base := baseURL(t)
	db, err := Create(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(db.Name, "kycd_bench_") || !strings.Contains(db.URL, "/"+db.Name) || db.ServerVersion == "" {
		t.Errorf("got %+v", db)
	}
	u, _ := url.Parse(db.URL)
	if _, err := exec(ctx, u, "SELECT 1"); err != nil {
		t.Errorf("connect to the new database: %v", err)
	}
	if err := db.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := exec(ctx, u, "SELECT 1"); err == nil || !strings.Contains(err.Error(), "3D000") {
		t.Errorf("after Drop, connecting gave %v, want invalid_catalog_name (3D000)", err)
	}
}

func TestQueryError(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse(baseURL(t))
	_, err := exec(context.Background(), u, "SELECT * FROM no_such_table_here")
	if err == nil || !strings.Contains(err.Error(), "42P01") {
		t.Errorf("got %v, want undefined_table (42P01)", err)
	}
}
