package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"riskmap/geo/postgis/pgtest"
	"riskmap/web"
)

// TestConfigFile: a file sets what the environment would; bad lines are
// refused by number; the environment wins over the file.
func TestConfigFile(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	write := func(text string) string {
		p := filepath.Join(t.TempDir(), "riskmap.conf")
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("# riskmap\nDATABASE_URL=\"" + db + "\"\n\nRISKMAP_LOG_LEVEL = warn\n")
	if out, errOut, err := runCmd(t, ctx, env(), "migrate", "--config", good); err != nil || !strings.Contains(out+errOut, "up to date") {
		t.Errorf("migrate with the database from --config: %v\n%s%s", err, out, errOut)
	}
	if _, _, err := runCmd(t, ctx, env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"), "migrate", "--config="+good); err == nil {
		t.Error("the file's DATABASE_URL won over the environment's")
	}
	for name, tc := range map[string]struct{ text, want string }{
		"unknown":   {"RISKMAP_ADRR=:8080\n", "line 1: unknown setting \"RISKMAP_ADRR\""},
		"no equals": {"# x\nRISKMAP_ADDR\n", "line 2: want NAME=VALUE"},
		"set twice": {"RISKMAP_ADDR=a\nRISKMAP_ADDR=b\n", "line 2: RISKMAP_ADDR is set twice"},
		"no file":   {"", "--config"},
		"bad value": {"RISKMAP_READ_ACCESS=everyone\n", "--read-access \"everyone\""},
	} {
		t.Run(name, func(t *testing.T) {
			p := write(tc.text)
			if name == "no file" {
				p += ".missing"
			}
			_, _, err := runCmd(t, ctx, env(), "serve", "--config", p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("serve --config: %v, want %q", err, tc.want)
			}
		})
	}
}

// TestSettingsListEveryVariable: each environment variable a command's
// help names can be set in a file.
func TestSettingsListEveryVariable(t *testing.T) {
	ctx := context.Background()
	found := map[string]bool{}
	for _, cmd := range []string{"serve", "demo", "import", "grade", "migrate"} {
		_, help, _ := runCmd(t, ctx, env(), cmd, "--help")
		for _, m := range regexp.MustCompile(`RISKMAP_[A-Z_]+`).FindAllString(help, -1) {
			found[m] = true
		}
	}
	if len(found) < 10 {
		t.Fatalf("only %d variables in the help texts: %v", len(found), found)
	}
	for v := range found {
		if !slices.Contains(settings, v) {
			t.Errorf("%s is in --help but cannot be set in a --config file", v)
		}
	}
}

// TestWallOptions: the map wall's flags and variables reach the server's
// options, with their defaults when unset; flags win over the
// environment.
func TestWallOptions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		env    []string
		args   []string
		lang   string
		panels []string
		follow bool
		stale  time.Duration
	}{
		{"defaults", nil, nil, "zh", web.WallPanels, true, 5 * time.Minute},
		{"from the environment", []string{"RISKMAP_LANG", "en", "RISKMAP_WALL_PANELS", "clock, incidents", "RISKMAP_WALL_FOLLOW", "false", "RISKMAP_POSITION_STALE", "2m"},
			nil, "en", []string{"clock", "incidents"}, false, 2 * time.Minute},
		{"flags over the environment", []string{"RISKMAP_LANG", "en", "RISKMAP_WALL_FOLLOW", "false"},
			[]string{"--lang", "zh", "--wall-follow=true", "--wall-panels", "resources,resources,alerts", "--position-stale", "30s"}, "zh", []string{"resources", "alerts"}, true, 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cfg serveConfig
			fs := newFlagSet("serve", serveHelp, io.Discard)
			cfg.register(fs, env(tc.env...))
			if err := cfg.parse(fs, tc.args); err != nil {
				t.Fatal(err)
			}
			o := cfg.webOptions(slog.New(slog.NewTextHandler(io.Discard, nil)))
			if o.Lang != tc.lang || !slices.Equal(o.Wall.Panels, tc.panels) || o.Wall.StayOnCity == tc.follow || o.Wall.StaleAfter != tc.stale {
				t.Errorf("options lang %q, wall %+v; want %q, %v, follow %v, stale %v", o.Lang, o.Wall, tc.lang, tc.panels, tc.follow, tc.stale)
			}
		})
	}
}
