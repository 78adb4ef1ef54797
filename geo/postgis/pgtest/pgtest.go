// Package pgtest gives tests a real, throwaway PostgreSQL + PostGIS: one
// embedded cluster per test binary, started the way riskmap starts its own
// (package cluster), and a fresh migrated database per test.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }
package pgtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"riskmap/geo/postgis"
	"riskmap/geo/postgis/cluster"
)

const template = "riskmap_template"

var (
	running *cluster.Cluster
	counter atomic.Int64
)

// Run starts the cluster, builds a migrated template database, runs the
// tests and stops the cluster. It returns the exit code for os.Exit. A
// cluster that cannot start fails the run: tests never skip for want of a
// database.
func Run(m *testing.M) int {
	reapStale()
	dir, err := os.MkdirTemp("", "riskmap-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	// A test binary killed by a timeout cannot stop its cluster: it
	// leaves its pid here for the next run to find.
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := cluster.Open(ctx, cluster.Options{Dir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest: start PostgreSQL:", err)
		return 1
	}
	defer c.Close()
	running = c
	if err := makeTemplate(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	return m.Run()
}

// reapStale stops the clusters of test binaries that died without
// stopping them, and removes their directories.
func reapStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "riskmap-test-*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue // not ours, or still starting
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || syscall.Kill(pid, 0) == nil {
			continue // its owner still runs
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if c, err := cluster.Open(ctx, cluster.Options{Dir: d}); err == nil {
			c.Close() // the last user: this stops it
		}
		cancel()
		os.RemoveAll(d)
	}
}

func makeTemplate(ctx context.Context, c *cluster.Cluster) error {
	admin, err := pgx.Connect(ctx, c.ConnString())
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+template); err != nil {
		return fmt.Errorf("create template database: %w", err)
	}
	s, err := postgis.Open(ctx, c.ConnStringDB(template), postgis.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	return nil
}

// CreateDB creates a fresh database with every migration applied and
// returns its name and connection string. It lives as long as the cluster:
// use it for a database that several tests share.
func CreateDB() (name, connString string, err error) {
	if running == nil {
		return "", "", fmt.Errorf("pgtest: no cluster; call pgtest.Run from TestMain")
	}
	ctx := context.Background()
	name = fmt.Sprintf("test_%d", counter.Add(1))
	admin, err := pgx.Connect(ctx, running.ConnString())
	if err != nil {
		return "", "", fmt.Errorf("pgtest: connect: %w", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+template); err != nil {
		return "", "", fmt.Errorf("pgtest: create database: %w", err)
	}
	return name, running.ConnStringDB(name), nil
}

// NewDB creates a fresh database with every migration applied and returns
// its connection string. The database is dropped when the test ends.
func NewDB(t testing.TB) string {
	t.Helper()
	name, conn, err := CreateDB()
	if err != nil {
		t.Fatal(err)
	}
	dropAtCleanup(t, name)
	return conn
}

// dropAtCleanup drops database name when the test ends.
func dropAtCleanup(t testing.TB, name string) {
	ctx := context.Background()
	t.Cleanup(func() {
		admin, err := pgx.Connect(ctx, running.ConnString())
		if err != nil {
			t.Errorf("pgtest: connect: %v", err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database: %v", err)
		}
	})
}

// NewEmptyDB creates a database with no migration applied (for a test of
// an upgrade) and returns its connection string; it is dropped when the
// test ends.
func NewEmptyDB(t testing.TB) string {
	t.Helper()
	if running == nil {
		t.Fatal("pgtest: no cluster; call pgtest.Run from TestMain")
	}
	ctx := context.Background()
	name := fmt.Sprintf("empty_%d", counter.Add(1))
	admin, err := pgx.Connect(ctx, running.ConnString())
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	dropAtCleanup(t, name)
	return running.ConnStringDB(name)
}

// NewStore opens a store on a fresh migrated database (see NewDB) and
// closes it when the test ends.
func NewStore(t testing.TB) *postgis.Store {
	t.Helper()
	s, err := postgis.Open(context.Background(), NewDB(t), postgis.Options{})
	if err != nil {
		t.Fatalf("pgtest: open store: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// NewReplicated starts a primary of its own, with every migration applied
// to its riskmap database, and a streaming replica of it made with
// pg_basebackup -R (package cluster), for a test of reads served from a
// replica. It returns the connection strings of the riskmap database on
// each; both clusters stop when the test ends. It does not need Run.
func NewReplicated(t testing.TB) (primary, replica string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	p, err := cluster.Open(ctx, cluster.Options{Dir: filepath.Join(dir, "primary")})
	if err != nil {
		t.Fatalf("pgtest: start the primary: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	s, err := postgis.Open(ctx, p.ConnString(), postgis.Options{})
	if err != nil {
		t.Fatalf("pgtest: open the primary: %v", err)
	}
	_, err = s.Migrate(ctx)
	s.Close()
	if err != nil {
		t.Fatalf("pgtest: migrate the primary: %v", err)
	}
	r, err := cluster.Open(ctx, cluster.Options{Dir: filepath.Join(dir, "replica"), ReplicaOf: p.ConnString()})
	if err != nil {
		t.Fatalf("pgtest: start the replica: %v", err)
	}
	t.Cleanup(func() { r.Close() }) // before the primary's: cleanups run last first
	return p.ConnString(), r.ConnString()
}

// Loaded opens a store on a fresh database (see NewDB) holding ds, and a
// connection to that database for the test's own queries; both close
// when the test ends.
func Loaded(t testing.TB, ds postgis.Dataset) (*postgis.Store, *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	conn := NewDB(t)
	s, err := postgis.Open(ctx, conn, postgis.Options{})
	if err != nil {
		t.Fatalf("pgtest: open store: %v", err)
	}
	t.Cleanup(s.Close)
	if _, err := s.Load(ctx, ds); err != nil {
		t.Fatalf("pgtest: load %s: %v", ds.Source, err)
	}
	db, err := pgx.Connect(ctx, conn)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	t.Cleanup(func() { db.Close(ctx) })
	return s, db
}
