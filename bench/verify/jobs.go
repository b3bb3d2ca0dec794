package main

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"net/url"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // reads the server's SQLite file after it stopped
)

// jobTimes is when River created, started and finished one verification job (its river_job row).
type jobTimes struct {
	created, attempted, finalized time.Time
	attempts                      int
}

// verifyJobsQuery selects the verification jobs with their document id and times as Unix
// seconds; the SQLite variant is built with julianday, which reads any of the text forms River's
// SQLite driver stores.
const (
	verifyJobsPostgres = `SELECT args->>'documentId', extract(epoch FROM created_at)::float8,
	coalesce(extract(epoch FROM attempted_at)::float8, 0), coalesce(extract(epoch FROM finalized_at)::float8, 0), attempt
	FROM river_job WHERE kind = 'kyc_document_verify'`
	verifyJobsSQLite = `SELECT json_extract(args, '$.documentId'), (julianday(created_at) - 2440587.5) * 86400.0,
	coalesce((julianday(attempted_at) - 2440587.5) * 86400.0, 0), coalesce((julianday(finalized_at) - 2440587.5) * 86400.0, 0), attempt
	FROM river_job WHERE kind = 'kyc_document_verify'`
)

// readJobsSQLite reads the verification jobs from the SQLite file at path, read-only (the server
// has stopped).
func readJobsSQLite(ctx context.Context, path string) (map[string]jobTimes, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("river jobs: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		return nil, fmt.Errorf("river jobs: %w", err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, verifyJobsSQLite)
	if err != nil {
		return nil, fmt.Errorf("river jobs: %w", err)
	}
	defer rows.Close()
	out := map[string]jobTimes{}
	for rows.Next() {
		var id string
		var c, a, f float64
		var n int
		if err := rows.Scan(&id, &c, &a, &f, &n); err != nil {
			return nil, fmt.Errorf("river jobs: %w", err)
		}
		out[id] = jobTimes{created: unix(c), attempted: unix(a), finalized: unix(f), attempts: n}
	}
	return out, rows.Err()
}

// readJobsPostgres reads the verification jobs from the run's PostgreSQL database.
func readJobsPostgres(ctx context.Context, dbURL string) (map[string]jobTimes, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("river jobs: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rows, err := conn.Query(ctx, verifyJobsPostgres)
	if err != nil {
		return nil, fmt.Errorf("river jobs: %w", err)
	}
	defer rows.Close()
	out := map[string]jobTimes{}
	for rows.Next() {
		var id string
		var c, a, f float64
		var n int
		if err := rows.Scan(&id, &c, &a, &f, &n); err != nil {
			return nil, fmt.Errorf("river jobs: %w", err)
		}
		out[id] = jobTimes{created: unix(c), attempted: unix(a), finalized: unix(f), attempts: n}
	}
	return out, rows.Err()
}

func unix(s float64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	sec, frac := math.Modf(s)
	return time.Unix(int64(sec), int64(frac*1e9))
}
