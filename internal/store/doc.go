// Package store is the only package that writes SQL. It keeps kycd's data in SQLite (the default,
// one file) or PostgreSQL (for several replicas), with one query text per operation rebound for
// each dialect, migrations embedded per dialect and run by goose, and River's job tables beside
// them. Every query is scoped by environment. A state change, its audit entry and the jobs it
// causes commit in one transaction. Columns that hold personal data are sealed before they are
// written.
//
// The store keeps persistence only. Where a decision must be taken inside its transaction, it
// declares its shape and the owning domain supplies it: a mutate func (UpdateRequest,
// DecideDocument, ReviewScreening), or an interface given at wiring time (EventSink, in
// JobsConfig). A domain that owns its records writes their SQL itself over the store's core
// (core.go: Change, Tx, the reads, ListPage). It imports no kycd package but kyc;
// docs/architecture.md and internal/arch_test.go hold that rule.
package store
