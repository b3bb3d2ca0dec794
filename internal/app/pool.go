package app

import (
	"fmt"

	"github.com/riverqueue/river"

	"kycd/internal/screening"
	"kycd/internal/share"
	"kycd/internal/store"
	"kycd/internal/verify"
	"kycd/internal/webhook"
)

// HandlerConns is the PostgreSQL connections that one process's HTTP handlers may hold at once.
// A handler holds one for a query or a transaction of a few milliseconds, so 20 serve thousands
// of requests a second; a request past them waits for a connection, it does not fail.
const HandlerConns = 20

// WebhookConns is the most connections the webhook queue's workers hold at once, however many
// they are (KYCD_WEBHOOK_WORKERS, default 100): webhook.StoreConns. A delivery holds a connection
// only for the read before its HTTP attempt and the transaction that records it, never during the
// attempt (up to KYCD_WEBHOOK_TIMEOUT), and past this many its workers wait for a turn holding
// none.
const WebhookConns = webhook.StoreConns

// jobConns is, per job queue, the connections its workers may hold at once: each worker one
// (River's rule), except the webhook queue's (WebhookConns).
func jobConns(cfg Config) map[string]int {
	cfg = cfg.withDefaults()
	return map[string]int{
		river.QueueDefault: cfg.JobWorkers,
		verify.Queue:       verify.Concurrency(),
		screening.Queue:    screening.Concurrency,
		share.Queue:        cfg.Shares.Config.WithDefaults().Workers,
		webhook.Queue:      min(cfg.Webhooks.WithDefaults().Workers, WebhookConns),
	}
}

// PoolSize is the PostgreSQL pool of one kycd serve process with cfg, by River's rule:
// HandlerConns + the connections the job queues' workers may hold at once + store.RiverConns.
// With the defaults on two CPUs, 20 + (10 default + 2 verify + 4 screening + 10 share + 10
// webhook) + 5 = 61. pool_max_conns in KYCD_DATABASE_URL overrides it.
func PoolSize(cfg Config) int {
	var workers []int
	for _, n := range jobConns(cfg) {
		workers = append(workers, n)
	}
	return store.PoolSize(HandlerConns, workers...)
}

// checkPoolCounts refuses queues that PoolSize did not count as they run: the job queues New
// gives River, with their concurrency.
func checkPoolCounts(cfg Config, queues map[string]int) error {
	counted := jobConns(cfg)
	for q, n := range queues {
		c, ok := counted[q]
		if !ok || (q != webhook.Queue && c != n) {
			return fmt.Errorf("pool size: queue %s runs %d workers, PoolSize counts %d", q, n, c)
		}
	}
	return nil
}
