// Command riskmap serves a city's four-colour safety-risk map (红橙黄蓝
// 安全风险一张图): risk objects in PostGIS, vector tiles and GeoJSON, and a
// MapLibre map page, from one binary.
//
// Run "riskmap help" for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal, a second one kills at once: a shutdown that
	// hangs can always be forced.
	go func() {
		<-ctx.Done()
		stop()
	}()
	if p := os.Getenv("RISKMAP_CPUPROFILE"); p != "" { // for profiling a command
		if f, err := os.Create(p); err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "riskmap:", err)
		}
		stop()
		pprof.StopCPUProfile()
		os.Exit(exitCode(err))
	}
}

func exitCode(err error) int {
	if errors.Is(err, flag.ErrHelp) || errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

var errUsage = errors.New("usage")

const usage = `riskmap: the four-colour safety-risk map (红橙黄蓝安全风险一张图)

Usage:
  riskmap <command> [flags]

Commands:
  serve     serve the map page, the wall (/wall), vector tiles and GeoJSON
  migrate   bring the database schema up to date
  demo      load the Lishui demo data, then serve it
  import    import risk objects or admin areas from CSV, Excel, GeoJSON, Shapefile, GeoPackage, KML
  grade     list, load or switch grading schemes and rules; grade every object again
  user      add, change, disable or list the people who log in
  token     create or revoke API tokens for machines
  version   print riskmap's version

Without DATABASE_URL, riskmap runs its own PostgreSQL + PostGIS cluster in
--data-dir (default ./riskmap-data) and stops it when the last riskmap
process using it exits. With DATABASE_URL (postgres://user:pass@host/db),
it uses that server instead; it needs the postgis extension available.

Run "riskmap <command> --help" for a command's flags. Any command takes
--config FILE (or RISKMAP_CONFIG): lines of NAME=VALUE setting the
environment variables the flags name (RISKMAP_ADDR=…, DATABASE_URL=…);
the environment wins over the file, and flags over both.
`

// run is the whole program: args without the program name, the
// environment through getenv, and where to write.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	rest, getenv, err := withConfigFile(rest, getenv)
	if err != nil {
		return err
	}
	switch cmd {
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, getenv, stdout, stderr)
	case "demo":
		return runDemo(ctx, rest, getenv, stdout, stderr)
	case "import":
		return runImport(ctx, rest, getenv, stdout, stderr)
	case "grade":
		return runGrade(ctx, rest, getenv, stdout, stderr)
	case "user":
		return runUser(ctx, rest, getenv, os.Stdin, stdout, stderr)
	case "token":
		return runToken(ctx, rest, getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "riskmap", versionString())
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "riskmap: unknown command %q\n\n%s", cmd, usage)
	return errUsage
}

// versionString is the -ldflags version, else the VCS revision Go recorded.
func versionString() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}
