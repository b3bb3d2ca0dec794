package main

import (
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	t.Parallel()
	var lat []time.Duration
	for i := 100; i >= 1; i-- {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	r := summarize(lat, 10*time.Second)
	if r.writes != 100 || r.perSec != 10 || r.p50 != 51*time.Millisecond || r.p99 != 100*time.Millisecond {
		t.Fatalf("summarize: %+v", r)
	}
	if r := summarize(nil, time.Second); r.writes != 0 || r.perSec != 0 {
		t.Fatalf("summarize of nothing: %+v", r)
	}
}
