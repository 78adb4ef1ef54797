package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"riskmap/geo/access"
	"riskmap/geo/postgis"
	"riskmap/geo/postgis/pgtest"
)

// TestUserAndTokenCommands runs riskmap user and riskmap token as
// processes, the password on standard input, against a real database.
func TestUserAndTokenCommands(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	store, err := postgis.Open(ctx, db, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Load(ctx, pgtest.Chain()); err != nil {
		t.Fatal(err)
	}
	cli := func(stdin string, args ...string) (string, error) {
		cmd := riskmapCmd(args...)
		cmd.Env = append(cmd.Env, "DATABASE_URL="+db)
		cmd.Stdin = strings.NewReader(stdin)
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return out.String() + errOut.String(), err
	}
	tests := []struct {
		name, stdin string
		args        []string
		fails       bool
		want        string
	}{
		{"add", "a long password\n", []string{"user", "add", "ops", "--role", "planner", "--display", "值班员"}, false, "added ops (planner, the whole deployment)"},
		{"add in a county", "a long password\n", []string{"user", "add", "lian", "--role", "planner", "--division", pgtest.CountyA}, false, "added lian (planner, division 331102)"},
		{"add in an unknown division", "a long password\n", []string{"user", "add", "nowhere", "--role", "planner", "--division", "331199"}, true, "no division with code 331199"},
		{"move to another county", "", []string{"user", "set-division", "lian", "--division", pgtest.CountyB}, false, "lian now works in division 331122"},
		{"move nobody", "", []string{"user", "set-division", "nobody", "--division", pgtest.CountyB}, true, "not found"},
		{"add again", "a long password\n", []string{"user", "add", "ops", "--role", "planner"}, true, "exists already"},
		{"unknown role", "a long password\n", []string{"user", "add", "x", "--role", "root"}, true, "unknown role"},
		{"short password", "short\n", []string{"user", "add", "y", "--role", "viewer"}, true, "too short"},
		{"bad name", "a long password\n", []string{"user", "add", "张三", "--role", "viewer"}, true, "letters, digits"},
		{"list", "", []string{"user", "list"}, false, "ops                  planner    whole deployment         值班员"},
		{"list names divisions", "", []string{"user", "list"}, false, "lian                 planner    331122 缙云县"},
		{"token beyond its user's division", "", []string{"token", "create", "feed", "--user", "lian", "--division", pgtest.CityA}, true, "cannot act in 331100"},
		{"token above the user's role", "", []string{"token", "create", "feed", "--user", "ops", "--role", "admin"}, true, "cannot be admin"},
		{"token of nobody", "", []string{"token", "create", "feed", "--user", "nobody"}, true, "not found"},
		{"token for too long", "", []string{"token", "create", "feed", "--user", "ops", "--expires", "9999d"}, true, "730d"},
		{"passwd of nobody", "a long password\n", []string{"user", "passwd", "nobody"}, true, "not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := cli(tc.stdin, tc.args...)
			if (err != nil) != tc.fails || !strings.Contains(out, tc.want) {
				t.Errorf("riskmap %v: %v\n%s\nwant fails=%v and %q", tc.args, err, out, tc.fails, tc.want)
			}
		})
	}
	out, err := cli("", "token", "create", "feed", "--user", "ops", "--expires", "30d")
	tok := regexp.MustCompile(`rmt_\d+_\S+`).FindString(out)
	if err != nil || tok == "" {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	p, err := store.Token(ctx, tok)
	id := strings.Split(tok, "_")[1]
	if err != nil || p.Name != "feed" || p.Role != access.Planner || p.Actor() != "token:feed#"+id {
		t.Errorf("the new token: %+v, %v", p, err)
	}
	if out, err := cli("", "token", "revoke", id); err != nil || !strings.Contains(out, "revoked token "+id+" (feed)") {
		t.Errorf("revoke: %v\n%s", err, out)
	}
	if _, err := store.Token(ctx, tok); err == nil {
		t.Error("a revoked token still works")
	}
	if _, _, _, err := store.Login(ctx, "ops", "a long password", "test", time.Hour); err != nil {
		t.Errorf("login with the password given on standard input: %v", err)
	}
	if out, err := cli("another long one\n", "user", "passwd", "ops"); err != nil {
		t.Errorf("passwd: %v\n%s", err, out)
	}
	if out, err := cli("", "user", "disable", "ops"); err != nil || !strings.Contains(out, "disabled ops") {
		t.Errorf("disable: %v\n%s", err, out)
	}
	if _, _, _, err := store.Login(ctx, "ops", "another long one", "test", time.Hour); err == nil {
		t.Error("a disabled user logged in")
	}
	entries, err := store.AuditLog(ctx, access.AuditFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Actor, "cli:") {
			t.Errorf("entry %+v is not by the command line", e)
		}
		actions = append(actions, e.Action+" "+e.Target)
	}
	want := "user.disable user:ops,user.passwd user:ops,token.revoke token:" + id + ",token.create token:" + id + ",user.division user:lian,user.add user:lian,user.add user:ops"
	if got := strings.Join(actions, ","); got != want {
		t.Errorf("audit log %s, want %s", got, want)
	}
}

// TestImportKilledMidway kills riskmap import (SIGKILL: no cleanup of
// its own) while it copies a large file: the data before it is intact,
// and the same import then runs to the end.
func TestImportKilledMidway(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	if _, _, err := runCmd(t, ctx, env("DATABASE_URL", db), "demo", "--load-only"); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("编号,名称,经度,纬度,风险等级\n")
	for i := range 200000 {
		fmt.Fprintf(&b, "K%d,企业%d,%.5f,%.5f,%s\n", i, i, 119.85+float64(i%300)*0.0003, 28.40+float64(i/300%300)*0.0003, []string{"红", "橙", "黄", "蓝"}[i%4])
	}
	file := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	snapshot := func() string {
		var s string
		if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM risk_object)::text || '/' || (SELECT count(*) FROM risk_assessment)::text || '/' ||
			(SELECT coalesce(sum(n), 0) FROM region_count)::text || '/' || (SELECT count(*) FROM pg_indexes WHERE tablename = 'risk_object')::text`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := snapshot()
	cmd := riskmapCmd("import", "--category", "enterprises", "--source", "killed", "--quiet", file)
	cmd.Env = append(cmd.Env, "DATABASE_URL="+db)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once its transaction holds the table (the direct copy has
	// begun), well before it can finish.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if tableHeld(ctx, conn) {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the import never took the table")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()
	// The server ends the dead client's transaction; wait for its locks.
	for i := 0; i < 100 && tableHeld(ctx, conn); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	if after := snapshot(); after != before {
		t.Errorf("objects/assessments/counted/indexes %s after the killed import, %s before", after, before)
	}
	out, errOut, err := runCmd(t, ctx, env("DATABASE_URL", db), "import", "--category", "enterprises", "--source", "killed", "--quiet", file)
	if err != nil || !strings.Contains(out, "200000 new") {
		t.Errorf("the import again: %v\n%s%s", err, out, errOut)
	}
}

// tableHeld reports whether another session holds risk_object
// exclusively (a direct import's copy).
func tableHeld(ctx context.Context, conn *pgx.Conn) bool {
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'risk_object' AND l.mode = 'AccessExclusiveLock' AND l.granted").Scan(&n); err != nil {
		return true
	}
	return n > 0
}

// TestShutdownFinishesInFlight: SIGINT while an import is being served:
// the import finishes and is answered, then serve exits cleanly.
func TestShutdownFinishesInFlight(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	getenv := env("DATABASE_URL", db)
	if _, _, err := runCmd(t, ctx, getenv, "demo", "--load-only"); err != nil {
		t.Fatal(err)
	}
	store, err := postgis.Open(ctx, db, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	hash, _ := access.HashPassword("password for tests")
	if _, err := store.AddUser(ctx, "ops", "", access.Admin, hash, ""); err != nil {
		t.Fatal(err)
	}
	_, _, tok, err := store.CreateToken(ctx, "t", "ops", access.Admin, "", time.Now().Add(time.Hour), "test")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var serveOut strings.Builder
	serve := riskmapCmd("serve", "--addr", addr)
	serve.Env = append(serve.Env, "DATABASE_URL="+db)
	serve.Stdout, serve.Stderr = &serveOut, &serveOut
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- serve.Wait() }()
	defer serve.Process.Kill()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never became healthy\n%s", serveOut.String())
		}
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("category", "enterprises")
	mw.WriteField("source", "shutdown")
	w, _ := mw.CreateFormFile("file", "big.csv")
	io.WriteString(w, "编号,名称,经度,纬度,风险等级\n")
	for i := range 150000 {
		fmt.Fprintf(w, "S%d,企业%d,%.5f,%.5f,黄\n", i, i, 119.85+float64(i%300)*0.0003, 28.40+float64(i/300%300)*0.0003)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tok)
	type answer struct {
		status int
		body   string
		err    error
	}
	done := make(chan answer, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		done <- answer{status: resp.StatusCode, body: string(b)}
	}()
	time.Sleep(500 * time.Millisecond) // the import is under way
	if err := serve.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	a := <-done
	if a.err != nil || a.status != http.StatusOK || !strings.Contains(a.body, `"committed":true`) {
		t.Errorf("the import in flight at SIGINT: %d %v %.300s", a.status, a.err, a.body)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("serve after SIGINT: %v\n%s", err, serveOut.String())
		}
	case <-time.After(60 * time.Second):
		t.Error("serve did not stop within 60 s of SIGINT")
	}
}
