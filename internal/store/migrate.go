package store

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations
var migrations embed.FS

// Migrate brings the schema up to date: kycd's own tables (goose, one folder per dialect) and
// River's job tables (River's migrator). It is safe to run at every start and from several
// processes: goose and River each lock while they migrate.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.migrateKYCD(ctx); err != nil {
		return err
	}
	return s.migrateRiver(ctx)
}

func (s *Store) migrateKYCD(ctx context.Context) error {
	dir, dialect := "migrations/sqlite", goose.DialectSQLite3
	db := s.write
	if s.dialect == Postgres {
		dir, dialect = "migrations/postgres", goose.DialectPostgres
		db = stdlib.OpenDBFromPool(s.pool)
		defer db.Close()
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	p, err := goose.NewProvider(dialect, db, sub)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

func (s *Store) migrateRiver(ctx context.Context) error {
	var err error
	if s.dialect == Postgres {
		var m *rivermigrate.Migrator[pgxTx]
		if m, err = rivermigrate.New(riverpgxv5.New(s.pool), nil); err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	} else {
		var m *rivermigrate.Migrator[sqlTx]
		if m, err = rivermigrate.New(riversqlite.New(s.write), nil); err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	}
	if err != nil {
		return fmt.Errorf("store: river migrate: %w", err)
	}
	return nil
}

// SchemaVersion is a short hash of the embedded migrations, for naming things built from them
// (test template databases).
func SchemaVersion() string {
	h := sha256.New()
	_ = fs.WalkDir(migrations, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := migrations.ReadFile(p)
			h.Write([]byte(p))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}
