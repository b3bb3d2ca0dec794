package cli

import (
	"context"
	"flag"
	"fmt"
	"os"

	"kycd/bench/internal/pgdb"
	"kycd/bench/internal/server"
)

// sqliteLabel describes kycd's default database in a report.
const sqliteLabel = "SQLite (kycd's default: a file in the data folder)"

// ServerFlags choose the kycd a benchmark runs: -bin, and with RegisterDB, -db and -pg.
type ServerFlags struct {
	// Bin is the kycd binary; empty means go build ./cmd/kycd into a temp folder.
	Bin string
	// DB is sqlite or postgres. Empty (a command without -db) means sqlite.
	DB string
	// PG is the PostgreSQL server the run's database is created on. Default pgdb.DefaultURL.
	PG string
}

// Register adds -bin to the command line.
func (f *ServerFlags) Register() {
	flag.StringVar(&f.Bin, "bin", "", "kycd binary to run (default: go build ./cmd/kycd into a temp folder)")
}

// RegisterDB adds -bin, -db and -pg to the command line.
func (f *ServerFlags) RegisterDB() {
	f.Register()
	flag.StringVar(&f.DB, "db", "sqlite", "database: sqlite or postgres")
	flag.StringVar(&f.PG, "pg", pgdb.DefaultURL(), "PostgreSQL server to create the run's database on (env KYCD_BENCH_POSTGRES_URL)")
}

func (f *ServerFlags) check() error {
	switch f.DB {
	case "", "sqlite", "postgres":
		return nil
	}
	return fmt.Errorf("-db %q: want sqlite or postgres", f.DB)
}

// Prepared is what a server needs before it starts: its binary and, for PostgreSQL, a database
// made for the run.
type Prepared struct {
	// Config has Bin and, for PostgreSQL, DatabaseURL set; the command adds its Env.
	Config server.Config
	// DB is the run's PostgreSQL database; nil for SQLite.
	DB *pgdb.DB
	// Label describes the database for the report.
	Label string

	name         string
	removeBinary func()
}

// Prepare builds kycd when -bin is empty and, for -db postgres, creates the run's database. name
// prefixes the errors Close can only print. Close undoes it all.
func (f *ServerFlags) Prepare(ctx context.Context, name string) (*Prepared, error) {
	if f.Bin == "" {
		fmt.Fprintln(os.Stderr, "building kycd/cmd/kycd...")
	}
	bin, cleanup, err := server.Binary(ctx, f.Bin)
	if err != nil {
		return nil, err
	}
	p := &Prepared{Config: server.Config{Bin: bin}, Label: sqliteLabel, name: name, removeBinary: cleanup}
	if f.DB == "postgres" {
		if p.DB, err = pgdb.Create(ctx, f.PG); err != nil {
			cleanup()
			return nil, err
		}
		p.Config.DatabaseURL = p.DB.URL
		p.Label = "PostgreSQL " + p.DB.ServerVersion + " (database " + p.DB.Name + ", dropped afterwards)"
	}
	return p, nil
}

// Close drops the run's database, printing an error as it cannot return one from a deferred
// call, and removes a binary Prepare built.
func (p *Prepared) Close(ctx context.Context) {
	if p.DB != nil {
		if err := p.DB.Drop(context.WithoutCancel(ctx)); err != nil {
			fmt.Fprintln(os.Stderr, p.name+":", err)
		}
	}
	p.removeBinary()
}
