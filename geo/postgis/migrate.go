package postgis

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"riskmap/geo"
	sqlfs "riskmap/sql"
)

// Migration is one forward-only schema change from sql/migrations.
type Migration struct {
	Version int    // the NNNN prefix of the file name
	Name    string // the file name
	SQL     string
}

// Migrations returns the embedded migrations in order.
func Migrations() ([]Migration, error) {
	ents, err := fs.ReadDir(sqlfs.FS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	var out []Migration
	for _, e := range ents {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %s: name must start with a positive number and '_'", e.Name())
		}
		b, err := fs.ReadFile(sqlfs.FS, path.Join("migrations", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		out = append(out, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", out[i-1].Name, out[i].Name, out[i].Version)
		}
	}
	return out, nil
}

// lockKey is the advisory lock that keeps two processes from migrating at
// once ("riskmap" in ASCII).
const lockKey = 0x7269736b6d6170

// Migrate applies every migration the database has not recorded yet, each
// in its own transaction, and returns the names of those it applied.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	all, err := Migrations()
	if err != nil {
		return nil, err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, s.q.get("migrations_lock"), int64(lockKey)); err != nil {
		return nil, fmt.Errorf("migrate: take lock: %w", classify(err))
	}
	defer conn.Exec(context.WithoutCancel(ctx), s.q.get("migrations_unlock"), int64(lockKey))
	if _, err := conn.Exec(ctx, s.q.get("migrations_table")); err != nil {
		return nil, fmt.Errorf("migrate: create schema_migrations: %w", classify(err))
	}
	done, err := s.appliedVersions(ctx, conn.Conn())
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, m := range all {
		if done[m.Version] {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			// No arguments: pgx uses the simple protocol, so a file may
			// hold many statements.
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, s.q.get("migration_record"), m.Version, m.Name)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("apply migration %s: %w", m.Name, classify(err))
		}
		applied = append(applied, m.Name)
	}
	// The shipped grading schemes that the database lacks.
	if err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error { return seedGrading(ctx, tx, s.q) }); err != nil {
		return applied, fmt.Errorf("migrate: %w", err)
	}
	return applied, nil
}

// SchemaStatus compares the database's schema with the migrations this
// riskmap knows.
type SchemaStatus struct {
	Applied int   // known migrations the database has applied
	Known   int   // migrations this riskmap knows
	Unknown []int // versions the database has applied that this riskmap does not know (it is older than the schema)
}

// Ready reports whether the store can serve: the database answers and its
// schema is the one this riskmap expects. Not ready wraps
// geo.ErrUnavailable.
func (s *Store) Ready(ctx context.Context) error {
	st, err := s.SchemaStatus(ctx)
	if err != nil {
		return err
	}
	if !st.Current() {
		return fmt.Errorf("schema: %d of %d migrations applied, %d unknown: %w", st.Applied, st.Known, len(st.Unknown), geo.ErrUnavailable)
	}
	return nil
}

// Current reports whether the schema is exactly what this riskmap expects.
func (st SchemaStatus) Current() bool { return st.Applied == st.Known && len(st.Unknown) == 0 }

// SchemaStatus reads which migrations the database has applied.
func (s *Store) SchemaStatus(ctx context.Context) (SchemaStatus, error) {
	all, err := Migrations()
	if err != nil {
		return SchemaStatus{}, err
	}
	st := SchemaStatus{Known: len(all)}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return st, fmt.Errorf("read schema status: %w", classify(err))
	}
	defer conn.Release()
	var exists bool
	if err := conn.QueryRow(ctx, s.q.get("migrations_table_exists")).Scan(&exists); err != nil {
		return st, fmt.Errorf("read schema status: %w", classify(err))
	}
	if !exists {
		return st, nil
	}
	done, err := s.appliedVersions(ctx, conn.Conn())
	if err != nil {
		return st, err
	}
	known := map[int]bool{}
	for _, m := range all {
		known[m.Version] = true
		if done[m.Version] {
			st.Applied++
		}
	}
	for v := range done {
		if !known[v] {
			st.Unknown = append(st.Unknown, v)
		}
	}
	sort.Ints(st.Unknown)
	return st, nil
}

func (s *Store) appliedVersions(ctx context.Context, conn *pgx.Conn) (map[int]bool, error) {
	rows, err := conn.Query(ctx, s.q.get("migrations_applied"))
	if err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", classify(err))
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", classify(err))
	}
	done := map[int]bool{}
	for _, v := range versions {
		done[v] = true
	}
	return done, nil
}
