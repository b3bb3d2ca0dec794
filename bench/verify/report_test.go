package main

import (
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	t.Parallel()
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	s := summarize(ds)
	if s.n != 100 || s.p50 != 50*time.Millisecond || s.p95 != 95*time.Millisecond || s.max != 100*time.Millisecond || s.mean != 50500*time.Microsecond {
		t.Errorf("got %+v", s)
	}
	if ds[0] != 100*time.Millisecond {
		t.Error("summarize sorted its argument")
	}
}
