package main

import (
	"context"
	"errors"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"riskmap/geo/access"
	"riskmap/geo/postgis"
	"riskmap/geo/postgis/pgtest"
)

// TestUserAndTokenCommands runs riskmap user and riskmap token as
// processes, the password on standard input, against a real database.
func TestUserAndTokenCommands(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
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
		{"add", "a long password\n", []string{"user", "add", "ops", "--role", "planner", "--display", "值班员"}, false, "added ops (planner)"},
		{"add again", "a long password\n", []string{"user", "add", "ops", "--role", "planner"}, true, "exists already"},
		{"unknown role", "a long password\n", []string{"user", "add", "x", "--role", "root"}, true, "unknown role"},
		{"short password", "short\n", []string{"user", "add", "y", "--role", "viewer"}, true, "too short"},
		{"bad name", "a long password\n", []string{"user", "add", "张三", "--role", "viewer"}, true, "letters, digits"},
		{"list", "", []string{"user", "list"}, false, "ops                  planner    值班员"},
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
	store, err := postgis.Open(ctx, db, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
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
	want := "user.disable user:ops,user.passwd user:ops,token.revoke token:" + id + ",token.create token:" + id + ",user.add user:ops"
	if got := strings.Join(actions, ","); got != want {
		t.Errorf("audit log %s, want %s", got, want)
	}
}
