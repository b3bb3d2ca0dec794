// Package webhook tells integrators what happened, over HTTP, in a way they can trust. It owns
// webhook subscriptions (per environment, with signing secrets that rotate with a grace period)
// and their delivery log, kept in the store's database by its Repository (repo.go,
// deliveries.go) over the store's core, the delivery worker (a River job per event and
// subscription), its retry schedule, the Standard Webhooks signature, the guard against
// server-side request forgery, and replay.
//
// # Delivery
//
// Every change writes its events in its own transaction (package store); in the same transaction
// Deliveries, the store's EventSink, makes one delivery per enabled subscription that wants the
// event, and a River job for it (fanout.go). So an event is never lost and never sent for a
// change that rolled back. The Worker sends
// the delivery's stored body (the same bytes on every attempt) with the headers webhook-id (the
// event id: stable across retries and replays, for deduplication), webhook-timestamp and
// webhook-signature ("v1,<base64 HMAC-SHA256 of id.timestamp.body>" once per active secret).
//
// Any 2xx within Config.Timeout is a success. Anything else is retried after the delays of
// Config.Retries, each with ±10% jitter (by default 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h,
// 6 h, 12 h, 24 h, then 24 h three times more: 14 attempts over about 4 days 23 hours). After the
// last attempt the delivery is failed. A 410 Gone disables the subscription at once, and a
// subscription whose every attempt has failed for Config.DisableAfter (5 days) is disabled too;
// either writes a webhook-disabled event. Each attempt, once its record committed, is told to the
// worker's Observer (kycd's metrics count it there, once), and each failed one is logged with the
// delivery's ids, the status code or class of error and the next attempt, never the URL or answer.
//
// # Order
//
// Deliveries of one subscription about one resource go out in revision order: only the oldest
// unfinished one has a job, and finishing it queues the next (delivery.go decides, deliveries.go
// keeps the chains). Several kycd processes on one PostgreSQL share the jobs; River locks each job for one of them.
//
// # Addresses
//
// Only http and https URLs are accepted. Live webhooks may not reach loopback, private,
// link-local, unspecified, multicast, CGNAT or other reserved addresses, checked when the URL is
// given and again for every connection (a net.Dialer Control hook), so a name that later resolves
// to an internal address is refused too. Test webhooks are held to the same rule: a test key is in
// an integrator's hands as much as a live one. Config.AllowPrivate lifts the restriction for both
// (development and tests). No redirect is followed (a 3xx is a failed attempt).
//
// # Delivery log
//
// The log keeps each delivery's last status code, error and duration. Of the answer's body it keeps
// only a short excerpt (at most 256 bytes, valid UTF-8, control and bidi characters removed), and
// only when the answer came from a public address: an answer from an internal address (allowed by
// Config.AllowPrivate) is never kept, so a webhook cannot be used to read a local service.
package webhook
