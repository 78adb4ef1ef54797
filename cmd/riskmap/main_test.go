package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"riskmap/geo/postgis/pgtest"
)

// TestMain runs the tests, or, when RISKMAP_TEST_RUN_MAIN=1, is the
// riskmap program itself, so that tests can start it as a real process.
func TestMain(m *testing.M) {
	if os.Getenv("RISKMAP_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(pgtest.Run(m))
}

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
		env     []string
		fails   bool
		wantErr error  // when set, the error must match it
		wantOut string // in stdout, stderr or the error
		notOut  string // must appear nowhere
	}{
		{name: "no command", fails: true, wantErr: errUsage, wantOut: "Commands:"},
		{name: "unknown command", args: []string{"frobnicate"}, fails: true, wantErr: errUsage, wantOut: `unknown command "frobnicate"`},
		{name: "help", args: []string{"help"}, wantOut: "riskmap <command>"},
		{name: "version", args: []string{"version"}, wantOut: "riskmap " + versionString() + "\n"},
		{name: "serve help", args: []string{"serve", "--help"}, fails: true, wantErr: flag.ErrHelp, wantOut: "-addr"},
		{name: "demo help", args: []string{"demo", "--help"}, fails: true, wantErr: flag.ErrHelp, wantOut: "-load-only"},
		{name: "migrate help", args: []string{"migrate", "--help"}, fails: true, wantErr: flag.ErrHelp, wantOut: "-data-dir"},
		{name: "help keeps the basemap key secret", args: []string{"serve", "--help"}, env: []string{"RISKMAP_BASEMAP_URL", "http://t0/{z}/{x}/{y}?tk=SECRETKEY"},
			fails: true, wantErr: flag.ErrHelp, wantOut: "RISKMAP_BASEMAP_URL", notOut: "SECRETKEY"},
		{name: "bad flag", args: []string{"serve", "--nope"}, fails: true, wantOut: "flag provided but not defined"},
		{name: "basemap without placeholders", args: []string{"serve", "--basemap-url", "http://x/tiles?tk=SECRETKEY"}, fails: true, wantOut: "lacks {z}", notOut: "SECRETKEY"},
		{name: "basemap not http", args: []string{"serve", "--basemap-url", "ftp://x/{z}/{x}/{y}"}, fails: true, wantOut: "not an http(s) URL"},
		{name: "basemap zooms inverted", args: []string{"serve", "--basemap-url", "http://x/{z}/{x}/{y}", "--basemap-minzoom", "9", "--basemap-maxzoom", "3"}, fails: true, wantOut: "--basemap-minzoom"},
		{name: "bad public url", args: []string{"serve", "--public-url", "gis.example"}, fails: true, wantOut: "--public-url"},
		{name: "bad log level", args: []string{"serve", "--log-level", "loud"}, fails: true, wantOut: "--log-level"},
		{name: "share above 1", args: []string{"serve", "--db-conn-share", "1.5"}, fails: true, wantOut: "--db-conn-share"},
		{name: "negative pool cap", args: []string{"migrate", "--db-max-conns", "-1"}, fails: true, wantOut: "--db-max-conns"},
		{name: "version poll too fast", args: []string{"serve", "--version-poll", "1ms"}, fails: true, wantOut: "--version-poll"},
		{name: "unknown language", args: []string{"serve", "--lang", "fr"}, fails: true, wantOut: `--lang "fr": want zh or en`},
		{name: "unknown language from the environment", env: []string{"RISKMAP_LANG", "de"}, args: []string{"serve"}, fails: true, wantOut: `--lang "de"`},
		{name: "unknown wall panel", args: []string{"serve", "--wall-panels", "clock,weather"}, fails: true,
			wantOut: `--wall-panels: "weather" is not a panel (want some of categories,counties,hazards,incidents,resources,alerts,clock)`},
		{name: "no wall panel", args: []string{"serve", "--wall-panels", " , "}, fails: true, wantOut: "--wall-panels: no panel"},
		{name: "position stale too short", args: []string{"serve", "--position-stale", "10s"}, fails: true, wantOut: "--position-stale 10s: want 30s to 24h"},
		{name: "position stale too long", env: []string{"RISKMAP_POSITION_STALE", "48h"}, args: []string{"serve"}, fails: true, wantOut: "--position-stale 48h0m0s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, err := runCmd(t, ctx, env(tc.env...), tc.args...)
			if (err != nil) != tc.fails {
				t.Errorf("run(%q) = %v, want failure %v", tc.args, err, tc.fails)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("run(%q) = %v, want %v", tc.args, err, tc.wantErr)
			}
			all := out + errOut
			if err != nil {
				all += err.Error()
			}
			if !strings.Contains(all, tc.wantOut) {
				t.Errorf("run(%q) printed %q, want it to contain %q", tc.args, all, tc.wantOut)
			}
			if tc.notOut != "" && strings.Contains(all, tc.notOut) {
				t.Errorf("run(%q) printed %q", tc.args, tc.notOut)
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
	if !strings.Contains(out, "changed 10800 objects, 10 divisions") || !strings.Contains(out, "demo hidden hazards: 48, 48 new") {
		t.Errorf("first demo load printed %q", out)
	}
	out, _, err = runCmd(t, ctx, env("DATABASE_URL", db), "demo", "--load-only")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "changed 0 objects, 0 divisions, 0 background features, removed 0") || !strings.Contains(out, "demo hidden hazards: 48, 0 new") {
		t.Errorf("second demo load printed %q, want nothing changed", out)
	}
}

// riskmapCmd runs this test binary as the riskmap program (see TestMain).
func riskmapCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "RISKMAP_TEST_RUN_MAIN=1", "DATABASE_URL=")
	return cmd
}

// TestEmbeddedClusterSharedByTwoProcesses runs riskmap as real processes on
// one data directory: serve, then migrate while serve runs. migrate must
// join the running cluster and leave it running; SIGINT stops serve, and
// the cluster with it, its last user.
func TestEmbeddedClusterSharedByTwoProcesses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	pid := filepath.Join(dir, "pg", "postmaster.pid")
	if out, err := riskmapCmd("demo", "--load-only", "--data-dir", dir).CombinedOutput(); err != nil {
		t.Fatalf("demo --load-only: %v\n%s", err, out)
	}
	if _, err := os.Stat(pid); !os.IsNotExist(err) {
		t.Fatalf("cluster still running after demo --load-only exited: %v", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var serveOut bytes.Buffer
	serve := riskmapCmd("serve", "--addr", addr, "--data-dir", dir)
	serve.Stdout, serve.Stderr = &serveOut, &serveOut
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	var waitErr error
	exited := make(chan struct{})
	go func() { waitErr = serve.Wait(); close(exited) }()
	defer func() {
		serve.Process.Kill()
		<-exited
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
		select {
		case <-exited:
			t.Fatalf("serve exited: %v\n%s", waitErr, serveOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("serve never became healthy")
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, err := riskmapCmd("migrate", "--data-dir", dir).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "up to date") {
		t.Fatalf("migrate beside serve: %v\n%s", err, out)
	}
	if !healthy() {
		t.Fatal("serve lost its database when migrate exited")
	}
	if err := serve.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		if waitErr != nil {
			t.Fatalf("serve after SIGINT: %v\n%s", waitErr, serveOut.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not stop within 60 s of SIGINT")
	}
	if _, err := os.Stat(pid); !os.IsNotExist(err) {
		t.Errorf("cluster still running after its last user exited: %v", err)
	}
}

func TestImportCommand(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	getenv := env("DATABASE_URL", db)
	if _, _, err := runCmd(t, ctx, getenv, "demo", "--load-only"); err != nil { // the counties
		t.Fatal(err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "救援队伍.csv")
	os.WriteFile(good, []byte("队伍编号,队伍名称,经度,纬度,人数\nT1,莲都区应急救援队,119.91,28.45,30\n"), 0o644)
	bad := filepath.Join(dir, "坏.csv")
	os.WriteFile(bad, []byte("队伍名称,经度,纬度\n甲,119.91,abc\n乙,28.45,119.91\n"), 0o644)
	report := filepath.Join(dir, "problems.csv")

	tests := []cmdCase{
		{"no category", []string{"import", good}, true, "--category is required"},
		{"no file", []string{"import", "--category", "rescue_resources"}, true, "no FILE"},
		{"bad crs", []string{"import", "--category", "rescue_resources", "--crs", "mars", good}, true, "--crs"},
		{"unknown EPSG", []string{"import", "--category", "rescue_resources", "--crs", "EPSG:999999", good}, true, "does not know"},
		{"dry run", []string{"import", "--category", "rescue_resources", "--dry-run", good}, false, "dry run, nothing written; would import 救援队伍.csv"},
		{"import", []string{"import", "--category", "rescue_resources", "--source", "teams", good}, false, "imported 救援队伍.csv into rescue_resources (source \"teams\"): 1 rows read, 1 valid, 0 invalid, 0 warnings; 1 new"},
		{"again", []string{"import", "--category", "rescue_resources", "--source", "teams", good}, false, "0 new, 0 updated, 1 unchanged"},
		{"bad rows", []string{"import", "--category", "rescue_resources", "--report", report, bad}, true, "nothing imported"},
	}
	runTable(t, ctx, getenv, tests)
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "坏.csv,2,纬度,abc") || !strings.Contains(string(b), "坏.csv,3,") || !strings.Contains(string(b), "经纬度") {
		t.Errorf("report file:\n%s", b)
	}
}

// TestGradeCommand lists, switches, loads and recomputes on the demo data.
func TestGradeCommand(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	getenv := env("DATABASE_URL", db)
	if _, _, err := runCmd(t, ctx, getenv, "demo", "--load-only"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	presetB := filepath.Join(dir, "lec-b.json")
	os.WriteFile(presetB, []byte(`{"schemes": [
		{"code": "lec_4c_A", "version": 1, "category": "enterprises", "priority": 30, "enabled": false, "method": "product",
		 "name_zh": "LEC A", "source": "test", "factors": ["lec_l", "lec_e", "lec_c"], "bands": [{"gt": 320, "grade": "red"}, {"le": 320, "grade": "blue"}]},
		{"code": "lec_4c_B", "version": 1, "category": "enterprises", "priority": 31, "enabled": true, "method": "product",
		 "name_zh": "LEC B", "source": "test", "factors": ["lec_l", "lec_e", "lec_c"],
		 "bands": [{"gt": 160, "grade": "red"}, {"gt": 70, "le": 160, "grade": "orange"}, {"gt": 20, "le": 70, "grade": "yellow"}, {"le": 20, "grade": "blue"}]}]}`), 0o644)
	overlapping := filepath.Join(dir, "bad.json")
	os.WriteFile(overlapping, []byte(`{"schemes": [{"code": "x", "version": 1, "category": "bridges", "name_zh": "x", "method": "score", "input": "dr_score",
		"bands": [{"ge": 10, "grade": "red"}, {"le": 10, "grade": "blue"}]}]}`), 0o644)
	tests := []cmdCase{
		{"nothing asked", []string{"grade"}, true, "give --list"},
		{"recompute after the load changes nothing", []string{"grade", "--recompute"}, false, ": 0 new assessments"},
		{"list", []string{"grade", "--list"}, false, "lec_4c_A"},
		{"switch a rule", []string{"grade", "--rule", "R7=off"}, false, "rule R7: off"},
		{"an unknown rule", []string{"grade", "--rule", "R99=off"}, true, "no rule \"R99\""},
		{"a bad rule switch", []string{"grade", "--rule", "R7=maybe"}, true, "KEY=on or KEY=off"},
		{"overlapping bands", []string{"grade", "--load", overlapping}, true, "bands[0]: overlaps bands[1]"},
		{"load preset B", []string{"grade", "--load", presetB}, false, "stored 2 new versions: lec_4c_A v2, lec_4c_B v2"},
		{"recompute enterprises under B", []string{"grade", "--recompute", "--category", "enterprises"}, false, "orange→red"},
		{"a second recompute changes nothing", []string{"grade", "--recompute"}, false, ": 0 new assessments"},
	}
	runTable(t, ctx, getenv, tests)
}

// cmdCase is a riskmap command line, whether it fails, and what its output
// (or error) contains.
type cmdCase struct {
	name    string
	args    []string
	fails   bool
	wantOut string
}

// runTable runs each case in order, as a subtest.
func runTable(t *testing.T, ctx context.Context, getenv func(string) string, tests []cmdCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, err := runCmd(t, ctx, getenv, tc.args...)
			if (err != nil) != tc.fails {
				t.Fatalf("run(%q) = %v\n%s%s", tc.args, err, out, errOut)
			}
			all := out + errOut
			if err != nil {
				all += err.Error()
			}
			if !strings.Contains(all, tc.wantOut) {
				t.Errorf("run(%q) printed %q, want %q", tc.args, all, tc.wantOut)
			}
		})
	}
}
