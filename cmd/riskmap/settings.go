package main

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
)

// settings are the names a configuration file may set: the environment
// variables the commands read.
var settings = []string{
	"DATABASE_URL", "READ_DATABASE_URL", "RISKMAP_ADDR", "RISKMAP_BASEMAP_ATTRIBUTION", "RISKMAP_BASEMAP_MAXZOOM", "RISKMAP_BASEMAP_MINZOOM",
	"RISKMAP_BASEMAP_URL", "RISKMAP_CLUSTER_BELOW", "RISKMAP_CORS_ORIGINS", "RISKMAP_DATA_DIR", "RISKMAP_DB_CONN_SHARE", "RISKMAP_DB_MAX_CONNS", "RISKMAP_LANG", "RISKMAP_LOG_FORMAT", "RISKMAP_LOG_LEVEL",
	"RISKMAP_MAX_REQUESTS", "RISKMAP_OIDC_CLIENT_ID", "RISKMAP_OIDC_CLIENT_SECRET", "RISKMAP_OIDC_ISSUER", "RISKMAP_OIDC_USERNAME_CLAIM", "RISKMAP_PG_BIN", "RISKMAP_PG_USER", "RISKMAP_POSITION_STALE", "RISKMAP_PUBLIC_URL", "RISKMAP_READ_ACCESS", "RISKMAP_READ_SCOPE", "RISKMAP_REPORT_COUNTY", "RISKMAP_REPORT_FORWARD",
	"RISKMAP_RESTRICT_LAYERS", "RISKMAP_SESSION_HOURS", "RISKMAP_TILE_CACHE_MB", "RISKMAP_TILE_MAX_FEATURES", "RISKMAP_TITLE", "RISKMAP_TITLE_EN", "RISKMAP_VERSION_POLL", "RISKMAP_WALL_FOLLOW", "RISKMAP_WALL_PANELS",
}

// withConfigFile takes --config FILE (or RISKMAP_CONFIG) out of args and
// reads FILE: lines of NAME=VALUE, NAME one of settings; # starts a
// comment. It returns the arguments without it and a getenv that reads
// the environment first, then the file (flags still win over both).
func withConfigFile(args []string, getenv func(string) string) ([]string, func(string) string, error) {
	path := getenv("RISKMAP_CONFIG")
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--config" || a == "-config":
			if i+1 == len(args) {
				return nil, nil, fmt.Errorf("%w: --config needs a file", errUsage)
			}
			path, i = args[i+1], i+1
		case strings.HasPrefix(a, "--config=") || strings.HasPrefix(a, "-config="):
			path = a[strings.Index(a, "=")+1:]
		default:
			rest = append(rest, a)
		}
	}
	if path == "" {
		return args, getenv, nil
	}
	file, err := readSettings(path)
	if err != nil {
		return nil, nil, err
	}
	return rest, func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return file[k]
	}, nil
}

// readSettings reads a configuration file, refusing what it does not
// know with the line named.
func readSettings(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--config: %w", err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k, v = strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"'`)
		switch {
		case !ok:
			return nil, fmt.Errorf("%s line %d: want NAME=VALUE, got %q", path, n, clipText(line, 60))
		case !slices.Contains(settings, k):
			return nil, fmt.Errorf("%s line %d: unknown setting %q (known: %s)", path, n, clipText(k, 60), strings.Join(settings, ", "))
		case out[k] != "":
			return nil, fmt.Errorf("%s line %d: %s is set twice", path, n, k)
		}
		out[k] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

func clipText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
