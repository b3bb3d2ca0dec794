package app

import (
	"runtime"
	"testing"

	"kycd/internal/webhook"
)

// TestPoolSizeFollowsSettings: the pool grows with the workers of each queue, the webhook queue
// counting WebhookConns at most, and checkPoolCounts refuses a queue PoolSize does not count as it
// runs.
func TestPoolSizeFollowsSettings(t *testing.T) {
	t.Parallel()
	base := HandlerConns + 10 + runtime.GOMAXPROCS(0) + 4 + 10 + WebhookConns + 5
	for _, c := range []struct {
		name string
		cfg  Config
		want int
	}{
		{"defaults", Config{}, base},
		{"more job workers", Config{JobWorkers: 30}, base + 20},
		{"three webhook workers", Config{Webhooks: webhook.Config{Workers: 3}}, base - WebhookConns + 3},
		{"a thousand webhook workers", Config{Webhooks: webhook.Config{Workers: 1000}}, base},
	} {
		if got := PoolSize(c.cfg); got != c.want {
			t.Errorf("%s: PoolSize = %d, want %d", c.name, got, c.want)
		}
	}
	if err := checkPoolCounts(Config{}, map[string]int{"verify": runtime.GOMAXPROCS(0), "webhooks": 100}); err != nil {
		t.Errorf("the queues as New runs them: %v", err)
	}
	if err := checkPoolCounts(Config{}, map[string]int{"thumbnails": 4}); err == nil {
		t.Error("an uncounted queue was accepted")
	}
	if err := checkPoolCounts(Config{}, map[string]int{"verify": runtime.GOMAXPROCS(0) + 1}); err == nil {
		t.Error("a queue running more workers than counted was accepted")
	}
}
