// Package store is the only package that writes SQL. It keeps kycd's data in SQLite (the default,
// one file) or PostgreSQL (for several replicas), with one query text per operation rebound for
// each dialect, migrations embedded per dialect and run by goose, and River's job tables beside
// them. Every query is scoped by environment. A state change, its audit entry and the jobs it
// causes commit in one transaction. Columns that hold personal data are sealed before they are
// written.
package store
