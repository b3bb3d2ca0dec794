// Package pgdb creates and drops a throwaway PostgreSQL database for a benchmark run. It speaks
// just enough of the PostgreSQL wire protocol (version 3: startup, trust, cleartext, MD5 or
// SCRAM-SHA-256 authentication, simple queries) to do that with the standard library alone. TLS is
// not supported: the URL must say sslmode=disable (or leave sslmode out, or allow/prefer it).
package pgdb

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

// DefaultURL is the PostgreSQL server benchmarks create their databases on unless told otherwise:
// KYCD_BENCH_POSTGRES_URL, or the development server on 127.0.0.1:55432.
func DefaultURL() string {
	if u := os.Getenv("KYCD_BENCH_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable"
}

// DB is a database created for one run.
type DB struct {
	// URL is the new database's URL: the base URL with its path replaced.
	URL string
	// Name is the database's name.
	Name string
	// ServerVersion is what the server reports as server_version, such as "15.18".
	ServerVersion string

	base *url.URL
}

// Create makes a database named kycd_bench_<random> on the server of baseURL, connecting to the
// database that baseURL names (postgres if none).
func Create(ctx context.Context, baseURL string) (*DB, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("pgdb: %w", err)
	}
	name := "kycd_bench_" + strings.ToLower(rand.Text()[:10])
	version, err := exec(ctx, u, "CREATE DATABASE "+name)
	if err != nil {
		return nil, fmt.Errorf("pgdb: create database %s: %w", name, err)
	}
	nu := *u
	nu.Path = "/" + name
	return &DB{URL: nu.String(), Name: name, ServerVersion: version, base: u}, nil
}

// Drop removes the database, closing any connection still open to it.
func (d *DB) Drop(ctx context.Context) error {
	if _, err := exec(ctx, d.base, "DROP DATABASE IF EXISTS "+d.Name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("pgdb: drop database %s: %w", d.Name, err)
	}
	return nil
}

// exec connects to u, runs one simple query and returns the server's version.
func exec(ctx context.Context, u *url.URL, query string) (string, error) {
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", fmt.Errorf("want a postgres:// URL, got scheme %q", u.Scheme)
	}
	switch mode := u.Query().Get("sslmode"); mode {
	case "", "disable", "allow", "prefer":
	default:
		return "", fmt.Errorf("sslmode=%s: only unencrypted connections are supported (sslmode=disable)", mode)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "5432")
	}
	if deadline, ok := ctx.Deadline(); !ok || time.Until(deadline) > 30*time.Second {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return "", err
	}
	defer nc.Close()
	deadline, _ := ctx.Deadline()
	_ = nc.SetDeadline(deadline)

	user := u.User.Username()
	if user == "" {
		user = "postgres"
	}
	password, _ := u.User.Password()
	database := strings.TrimPrefix(u.Path, "/")
	if database == "" {
		database = "postgres"
	}
	c := &conn{c: nc, user: user, password: password}
	if err := c.startup(database); err != nil {
		return "", err
	}
	if err := c.simpleQuery(query); err != nil {
		return "", err
	}
	c.send('X', nil)
	return c.params["server_version"], c.flush()
}
