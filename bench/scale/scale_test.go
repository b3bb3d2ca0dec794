package main

import (
	"bytes"
	"os"
	"testing"
	"time"
)

// TestSmoke is the short version of the benchmark that make test runs: PostgreSQL (from
// KYCD_TEST_POSTGRES_URL) and S3 (KYCD_TEST_S3_URL), three replicas behind the benchmark's proxy,
// about 45 s of journeys at a low rate through the three ways in, one replica killed with SIGKILL
// at a third and restarted at two thirds, then the same invariants as the full run: every 2xx
// answer's resource exists (files byte for byte), every document decided exactly once, every
// event delivered to both subscriptions (duplicates only just before the kill), no River job left
// unfinished, failed calls only around the kill, and every replica stops cleanly. It asserts no
// speed.
func TestSmoke(t *testing.T) {
	pg, s3 := os.Getenv("KYCD_TEST_POSTGRES_URL"), os.Getenv("KYCD_TEST_S3_URL")
	if pg == "" || s3 == "" {
		if os.Getenv("KYCD_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("KYCD_TEST_POSTGRES_URL and KYCD_TEST_S3_URL are required (KYCD_TEST_REQUIRE_SERVICES=1): run `make test`")
		}
		t.Skip("skipped: KYCD_TEST_POSTGRES_URL or KYCD_TEST_S3_URL not set (run `make test` to start PostgreSQL and versitygw)")
	}
	o := options{configs: []config{configs["pg3"]}, s3: s3, duration: 45 * time.Second, rate: 0.4, inflight: 16, sets: 4,
		wait: 90 * time.Second, settle: 90 * time.Second}
	o.server.PG = pg
	reports, err := runAll(t.Context(), o)
	for _, r := range reports {
		var b bytes.Buffer
		r.print(&b)
		t.Log(b.String())
		for _, f := range r.failures {
			t.Error(f)
		}
		if len(r.journeys) < 10 || r.killedAt.IsZero() || r.readyAt.IsZero() || r.documents == 0 || r.deliveries == 0 {
			t.Errorf("the smoke did not run its course: %d journeys, %d documents, %d deliveries, killed %v, ready again %v",
				len(r.journeys), r.documents, r.deliveries, !r.killedAt.IsZero(), !r.readyAt.IsZero())
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}
