package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"riskmap/geo/postgis/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// env returns a getenv that knows only the given variables.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func runCmd(t *testing.T, ctx context.Context, getenv func(string) string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(ctx, args, getenv, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestCommandLine(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		args    []string
		wantErr error
		wantOut string // in stdout or stderr
	}{
		{"no command", nil, errUsage, "Commands:"},
		{"unknown command", []string{"frobnicate"}, errUsage, `unknown command "frobnicate"`},
		{"help", []string{"help"}, nil, "riskmap <command>"},
		{"version", []string{"version"}, nil, "riskmap "},
		{"serve help", []string{"serve", "--help"}, flag.ErrHelp, "-addr"},
		{"demo help", []string{"demo", "--help"}, flag.ErrHelp, "-load-only"},
		{"migrate help", []string{"migrate", "--help"}, flag.ErrHelp, "-data-dir"},
		{"bad flag", []string{"serve", "--nope"}, nil, "flag provided but not defined"},
		{"bad basemap", []string{"serve", "--basemap-url", "http://x/tiles"}, nil, "lacks {z}"},
		{"bad log level", []string{"serve", "--log-level", "loud"}, nil, "--log-level"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, err := runCmd(t, ctx, env(), tc.args...)
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("run(%q) = %v, want %v", tc.args, err, tc.wantErr)
			}
			if tc.wantErr == nil && strings.HasPrefix(tc.name, "bad") && err == nil {
				t.Errorf("run(%q) succeeded", tc.args)
			}
			all := out + errOut
			if err != nil {
				all += err.Error()
			}
			if !strings.Contains(all, tc.wantOut) {
				t.Errorf("run(%q) printed %q, want it to contain %q", tc.args, all, tc.wantOut)
			}
		})
	}
}

func TestServeRefusesOldSchema(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "DELETE FROM schema_migrations"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	_, _, err = runCmd(t, ctx, env("DATABASE_URL", db), "serve", "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "riskmap migrate") {
		t.Fatalf("serve on an old schema: %v, want a hint to run riskmap migrate", err)
	}
}

func TestDemoTwiceWithDatabaseURL(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	out, _, err := runCmd(t, ctx, env("DATABASE_URL", db), "demo", "--load-only")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "changed 10800 objects, 9 counties") {
		t.Errorf("first demo load printed %q", out)
	}
	out, _, err = runCmd(t, ctx, env("DATABASE_URL", db), "demo", "--load-only")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "changed 0 objects, 0 counties, 0 background features, removed 0") {
		t.Errorf("second demo load printed %q, want nothing changed", out)
	}
}

// TestEmbeddedClusterSharedByTwoProcesses runs serve on an embedded
// cluster, then migrate on the same data directory while serve runs: the
// second must join the running cluster and leave it running; the cluster
// stops when serve, its last user, exits.
func TestEmbeddedClusterSharedByTwoProcesses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	getenv := env()
	// Load first (this initialises the cluster and stops it again).
	if _, errOut, err := runCmd(t, context.Background(), getenv, "demo", "--load-only", "--data-dir", dir); err != nil {
		t.Fatalf("demo: %v\n%s", err, errOut)
	}
	pid := filepath.Join(dir, "pg", "postmaster.pid")
	if _, err := os.Stat(pid); !os.IsNotExist(err) {
		t.Fatalf("cluster still running after demo --load-only exited: %v", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var serveErr bytes.Buffer
	go func() {
		var out bytes.Buffer
		done <- run(ctx, []string{"serve", "--addr", addr, "--data-dir", dir}, getenv, &out, &serveErr)
	}()
	healthy := func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}
	deadline := time.Now().Add(60 * time.Second)
	for !healthy() {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve never became healthy: %s", serveErr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, errOut, err := runCmd(t, context.Background(), getenv, "migrate", "--data-dir", dir)
	if err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate beside serve: %v %q %q", err, out, errOut)
	}
	if !healthy() {
		t.Fatal("serve lost its database when migrate exited")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if _, err := os.Stat(pid); !os.IsNotExist(err) {
		t.Errorf("cluster still running after its last user exited: %v", err)
	}
}
