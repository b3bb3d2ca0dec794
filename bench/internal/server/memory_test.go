package server

import (
	"os"
	"testing"
	"time"
)

func TestMemoryAndCPUTime(t *testing.T) {
	t.Parallel()
	rss, hwm, err := Memory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if rss <= 0 || hwm < rss/2 {
		t.Errorf("rss %d, hwm %d", rss, hwm)
	}
	if _, _, err := CPUTime(os.Getpid()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Memory(-1); err == nil {
		t.Error("Memory(-1) gave no error")
	}
}

func TestSamplerAndPeak(t *testing.T) {
	t.Parallel()
	s := StartSampler(os.Getpid(), time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	samples, err := s.Stop()
	if err != nil || len(samples) < 2 {
		t.Fatalf("%d samples, err %v", len(samples), err)
	}
	t0 := time.Unix(100, 0)
	fixed := []Sample{{t0, 10}, {t0.Add(time.Second), 30}, {t0.Add(2 * time.Second), 20}}
	for _, tc := range []struct {
		name     string
		from, to time.Time
		peak     int64
		n        int
	}{
		{"all", time.Time{}, time.Time{}, 30, 3},
		{"after the peak", t0.Add(1500 * time.Millisecond), time.Time{}, 20, 1},
		{"before the peak", time.Time{}, t0.Add(500 * time.Millisecond), 10, 1},
		{"empty window", t0.Add(3 * time.Second), t0.Add(4 * time.Second), 0, 0},
	} {
		if peak, n := Peak(fixed, tc.from, tc.to); peak != tc.peak || n != tc.n {
			t.Errorf("%s: got %d over %d samples, want %d over %d", tc.name, peak, n, tc.peak, tc.n)
		}
	}
}
