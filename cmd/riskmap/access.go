package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"riskmap/geo/access"
)

const userHelp = `Usage: riskmap user add NAME --role ROLE [--division CODE] [--display NAME]
       riskmap user set-division NAME --division CODE
       riskmap user passwd NAME
       riskmap user disable NAME
       riskmap user list

Manages the people who log in to the map. Roles: viewer (reads: the map
wall), dispatcher (incidents and assignments), planner (assessments,
hidden hazards, hazard zones), admin (everything: imports, users,
schemes). A user works in a division (--division: its code, 331100 for a
city, 331122 for a county, 331122001 for a township; a loaded one): they
change only what lies there or below, and a county's admin manages the
county's users only. Without --division a user works for the whole
deployment (the province, or whatever the top is). add and passwd read the password from standard input (its first
line; at least 10 characters), so that it stays out of the shell's history
and the process list. passwd and disable end the user's sessions; a
disabled user's API tokens stop working. Every change is in the audit log.
`

const tokenHelp = `Usage: riskmap token create NAME --user USER [--role ROLE] [--division CODE] [--expires 90d]
       riskmap token revoke ID

API tokens are for machines (a GPS feed, an importer script): they send
"Authorization: Bearer TOKEN". A token acts for its user, with the user's
role or a lesser one, in the user's division or one below it (--division),
until it expires (default 90 days; 1d to 730d) or is revoked. create prints the token once: only its hash is kept.
`

// runUser runs "riskmap user".
func runUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	verb, args, err := subcommand(args, userHelp, "add, set-division, passwd, disable or list", stderr)
	if err != nil {
		return err
	}
	var db dbConfig
	fs := newFlagSet("user "+verb, userHelp, stderr)
	db.register(fs, getenv)
	role := fs.String("role", "", "with add: viewer, dispatcher, editor, planner or admin")
	display := fs.String("display", "", "with add: the name shown, e.g. 张三")
	division := fs.String("division", "", "with add and set-division: the code of the division the user works in (none: the whole deployment)")
	name, err := parseWithName(fs, args, verb != "list")
	if err != nil {
		return err
	}
	store, closeDB, err := db.openCurrent(ctx, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	cli := cliEntry()
	switch verb {
	case "add":
		r, err := access.ParseRole(*role)
		if err != nil {
			return fmt.Errorf("%w: --role: %v", errUsage, err)
		}
		if err := access.ValidUserName(name); err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		hash, err := readPassword(stdin)
		if err != nil {
			return err
		}
		if _, err := store.AddUser(ctx, name, *display, r, hash, *division); err != nil {
			return err
		}
		cli.Action, cli.Target = "user.add", "user:"+name
		if err := store.Audit(ctx, cli, nil, map[string]any{"role": r, "display_name": *display, "division": *division}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added %s (%s, %s)\n", name, r, wholeOr(*division))
	case "set-division":
		if err := store.SetUserDivision(ctx, name, *division); err != nil {
			return err
		}
		cli.Action, cli.Target = "user.division", "user:"+name
		if err := store.Audit(ctx, cli, nil, map[string]any{"division": *division}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s now works in %s\n", name, wholeOr(*division))
	case "passwd":
		hash, err := readPassword(stdin)
		if err != nil {
			return err
		}
		if err := store.SetPassword(ctx, name, hash); err != nil {
			return err
		}
		cli.Action, cli.Target = "user.passwd", "user:"+name
		if err := store.Audit(ctx, cli, nil, nil); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "changed the password of %s; their sessions have ended\n", name)
	case "disable":
		if err := store.DisableUser(ctx, name); err != nil {
			return err
		}
		cli.Action, cli.Target = "user.disable", "user:"+name
		if err := store.Audit(ctx, cli, nil, map[string]any{"disabled": true}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "disabled %s\n", name)
	case "list":
		users, err := store.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			state := ""
			if u.Disabled {
				state = " (disabled)"
			}
			div := "whole deployment"
			if u.Division != "" {
				div = u.Division + " " + u.DivisionName
			}
			fmt.Fprintf(stdout, "%-20s %-10s %-24s %s%s\n", u.Name, u.Role, div, u.DisplayName, state)
		}
	default:
		fmt.Fprint(stderr, userHelp)
		return fmt.Errorf("%w: unknown user command %q", errUsage, verb)
	}
	return nil
}

// runToken runs "riskmap token".
func runToken(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	verb, args, err := subcommand(args, tokenHelp, "create or revoke", stderr)
	if err != nil {
		return err
	}
	var db dbConfig
	fs := newFlagSet("token "+verb, tokenHelp, stderr)
	db.register(fs, getenv)
	user := fs.String("user", "", "with create: the user the token acts for")
	role := fs.String("role", "", "with create: the token's role (default: the user's)")
	expires := fs.String("expires", "90d", "with create: how long it is valid, in days (1d to 730d)")
	division := fs.String("division", "", "with create: a division below the user's that the token is limited to (default: the user's)")
	arg, err := parseWithName(fs, args, true)
	if err != nil {
		return err
	}
	store, closeDB, err := db.openCurrent(ctx, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	cli := cliEntry()
	switch verb {
	case "create":
		if err := access.ValidUserName(arg); err != nil {
			return fmt.Errorf("%w: token name: %v", errUsage, err)
		}
		days, err := strconv.Atoi(strings.TrimSuffix(*expires, "d"))
		if err != nil || days < 1 || days > 730 {
			return fmt.Errorf("%w: --expires: want 1d to 730d, got %q", errUsage, *expires)
		}
		var r access.Role // "": the user's
		if *role != "" {
			if r, err = access.ParseRole(*role); err != nil {
				return fmt.Errorf("%w: --role: %v", errUsage, err)
			}
		}
		until := time.Now().AddDate(0, 0, days)
		id, r, text, err := store.CreateToken(ctx, arg, *user, r, *division, until, cli.Actor)
		if err != nil {
			return err
		}
		cli.Action, cli.Target = "token.create", fmt.Sprintf("token:%d", id)
		if err := store.Audit(ctx, cli, nil, map[string]any{"name": arg, "user": *user, "role": r, "division": *division, "expires_at": until}); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "token %d (%s) for %s as %s, valid until %s; it is shown once:\n", id, arg, *user, r, until.Format("2006-01-02"))
		fmt.Fprintln(stdout, text)
	case "revoke":
		id, err := strconv.ParseInt(arg, 10, 64)
		if err != nil {
			return fmt.Errorf("%w: revoke takes the token's id, got %q", errUsage, arg)
		}
		name, err := store.RevokeToken(ctx, id)
		if err != nil {
			return err
		}
		cli.Action, cli.Target = "token.revoke", fmt.Sprintf("token:%d", id)
		if err := store.Audit(ctx, cli, nil, map[string]any{"name": name, "revoked": true}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked token %d (%s)\n", id, name)
	default:
		fmt.Fprint(stderr, tokenHelp)
		return fmt.Errorf("%w: unknown token command %q", errUsage, verb)
	}
	return nil
}

// wholeOr names a division for the command line's answers.
func wholeOr(division string) string {
	if division == "" {
		return "the whole deployment"
	}
	return "division " + division
}

// subcommand splits off the verb of "riskmap user VERB …"; without one it
// prints help (flag.ErrHelp when help was asked for).
func subcommand(args []string, help, verbs string, stderr io.Writer) (string, []string, error) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:], nil
	}
	fmt.Fprint(stderr, help)
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		return "", nil, flag.ErrHelp
	}
	return "", nil, fmt.Errorf("%w: give %s", errUsage, verbs)
}

// parseWithName parses flags around one positional argument (a name or
// an id), which may come before or after them.
func parseWithName(fs interface {
	Parse([]string) error
	Args() []string
}, args []string, want bool) (string, error) {
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if rest := fs.Args(); len(rest) > 0 {
		if name != "" || len(rest) > 1 {
			return "", fmt.Errorf("%w: unexpected %q", errUsage, rest)
		}
		name = rest[0]
	}
	if want && name == "" {
		return "", fmt.Errorf("%w: a name is needed", errUsage)
	}
	return name, nil
}

// readPassword reads the first line of r and hashes it.
func readPassword(r io.Reader) (string, error) {
	if isTerminal(os.Stderr) && r == os.Stdin {
		fmt.Fprint(os.Stderr, "password (shown as you type; pipe it in to hide it): ")
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password: %w", err)
	}
	return access.HashPassword(strings.TrimRight(line, "\r\n"))
}

// cliEntry is an audit entry for a command run by the machine's user.
func cliEntry() access.Entry {
	return access.Entry{Actor: "cli:" + currentUser(), Role: string(access.Admin), Remote: "local"}
}
