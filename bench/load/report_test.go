package main

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	t.Parallel()
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{d, 0.50, 50 * time.Millisecond},
		{d, 0.99, 99 * time.Millisecond},
		{d, 1, 100 * time.Millisecond},
		{d[:1], 0.99, time.Millisecond},
		{nil, 0.5, 0},
	} {
		if got := percentile(tc.in, tc.p); got != tc.want {
			t.Errorf("p%.0f of %d values: got %s, want %s", tc.p*100, len(tc.in), got, tc.want)
		}
	}
}
