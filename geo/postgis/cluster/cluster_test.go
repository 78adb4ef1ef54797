package cluster

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestSocketDir(t *testing.T) {
	short := "/work/riskmap-data/pg"
	if got := socketDir(short); got != short {
		t.Errorf("socketDir(%q) = %q, want the cluster directory itself", short, got)
	}
	long := "/" + strings.Repeat("deep/", 30) + "pg"
	got := socketDir(long)
	if got == long || len(got)+len("/.s.PGSQL.5432") > 100 {
		t.Errorf("socketDir(long) = %q, want a short directory", got)
	}
	if socketDir(long) != got {
		t.Error("socketDir is not stable: a second process would not find the socket")
	}
	if socketDir(long+"2") == got {
		t.Error("two data directories share a socket directory")
	}
}

func TestQuoting(t *testing.T) {
	if got := quoteDSN("/a b/it's"); got != `'/a b/it\'s'` {
		t.Errorf("quoteDSN = %s", got)
	}
	if got := quoteDSN("/plain"); got != "/plain" {
		t.Errorf("quoteDSN = %s", got)
	}
	if got := shellQuote("/a'b"); got != `'/a'\''b'` {
		t.Errorf("shellQuote = %s", got)
	}
}

func TestMissingPostgreSQLNamesPackages(t *testing.T) {
	_, err := Open(context.Background(), Options{Dir: t.TempDir(), BinDir: t.TempDir()})
	if !errors.Is(err, ErrMissing) {
		t.Fatalf("Open with no binaries: %v, want ErrMissing", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "apt-get install postgresql-15 postgresql-15-postgis-3") {
		t.Errorf("error %q is not one line naming the packages", msg)
	}
}

func pidFile(dir string) string { return filepath.Join(dir, "pg", "postmaster.pid") }

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestLifecycle runs a real cluster through the states a user's Ctrl-C can
// leave it in.
func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")

	c, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	// A second user joins the running server; the first leaving keeps it up.
	c2, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if !exists(pidFile(dir)) {
		t.Fatal("server stopped while a second user still had it")
	}
	conn, err := pgx.Connect(ctx, c2.ConnString())
	if err != nil {
		t.Fatalf("second user cannot connect after the first left: %v", err)
	}
	// Simulate a first run interrupted between initdb and CREATE DATABASE.
	if _, err := conn.Exec(ctx, "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	admin, err := pgx.Connect(ctx, c2.ConnStringDB("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "DROP DATABASE "+Database); err != nil {
		t.Fatal(err)
	}
	admin.Close(ctx)
	if err := c2.Close(); err != nil {
		t.Fatal(err)
	}
	if exists(pidFile(dir)) {
		t.Fatal("server still running after its last user left")
	}

	// Open recreates the missing database.
	c3, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatalf("reopen after an interrupted first run: %v", err)
	}
	conn, err = pgx.Connect(ctx, c3.ConnString())
	if err != nil {
		t.Fatalf("database %s was not recreated: %v", Database, err)
	}
	conn.Close(ctx)
	if err := c3.Close(); err != nil {
		t.Fatal(err)
	}

	// An Open that fails after starting the server stops it again.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Open(cancelled, Options{Dir: dir}); err == nil {
		t.Fatal("Open with a cancelled context succeeded")
	}
	if exists(pidFile(dir)) {
		t.Error("a failed Open left the server running")
	}
}

func TestSocketDirMustBeOurs(t *testing.T) {
	d := filepath.Join(t.TempDir(), "sock")
	if err := os.Mkdir(d, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(d, 0o777)
	c := &Cluster{sockDir: d}
	if err := c.makeSocketDir(); err == nil || !strings.Contains(err.Error(), "not a private directory") {
		t.Errorf("makeSocketDir on a world-writable directory: %v", err)
	}
	os.Remove(d)
	if err := c.makeSocketDir(); err != nil {
		t.Errorf("makeSocketDir on a fresh path: %v", err)
	}
}

// TestReplica copies a running cluster with pg_basebackup -R, starts the
// copy beside it, and watches a write on the primary reach it.
func TestReplica(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p, err := Open(ctx, Options{Dir: filepath.Join(dir, "primary")})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	pc, err := pgx.Connect(ctx, p.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close(ctx)
	if _, err := pc.Exec(ctx, `CREATE TABLE t (n int); INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	r, err := Open(ctx, Options{Dir: filepath.Join(dir, "replica"), ReplicaOf: p.ConnString()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !r.Standby() || p.Standby() {
		t.Errorf("Standby: replica %v, primary %v", r.Standby(), p.Standby())
	}
	if r.ConnString() == p.ConnString() {
		t.Fatal("the replica shares the primary's socket")
	}
	rc, err := pgx.Connect(ctx, r.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close(ctx)
	var recovering bool
	if err := rc.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&recovering); err != nil || !recovering {
		t.Fatalf("replica in recovery: %v %v", recovering, err)
	}
	if _, err := rc.Exec(ctx, `INSERT INTO t VALUES (3)`); err == nil {
		t.Error("the replica accepted a write")
	}
	if _, err := pc.Exec(ctx, `INSERT INTO t VALUES (2)`); err != nil {
		t.Fatal(err)
	}
	var n int
	for range 100 {
		if err := rc.QueryRow(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 2 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("the replica has %d rows 5 s after the primary's second, want 2", n)
}
