// Package monitor is what an operator watches of kycd's business: the Prometheus series of
// decisions, checks, screenings, webhook deliveries, partner shares, review queues and the job
// backlog on /metrics, and the log line of each decision.
//
// # Counting once
//
// Counters and decision lines come from committed changes only. Metrics is the store's
// CommitObserver: the store tells it of a transaction's events after the transaction committed,
// in the process that committed it, so a decision counts once however many replicas run and
// however often a job is retried (a retried attempt that rolled back is never told). A webhook
// delivery's attempt is counted once its record committed (DeliveryFinished, called by the
// webhook worker after FinishAttempt returned). Each replica counts what it committed; sum over
// replicas (sum without(instance)) for the installation's totals.
//
// # Gauges read at scrape time
//
// Collector reads review queues, the oldest pending webhook delivery, the sanctions lists' ages and
// River's job backlog from the database when /metrics is scraped, each source under a short
// timeout, with queries that use indexes (counted over unfinished rows only), so a scrape costs a
// few index reads however large the database is. Every replica answers the same figures: take max
// (or any one replica's) of them, not their sum.
//
// Labels are environments (test, live), outcomes, statuses, check, list, queue and partner names:
// never an id or a personal value.
package monitor
