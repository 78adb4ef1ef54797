package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/geo/postgis"
	"riskmap/geo/postgis/cluster"
	"riskmap/web"
)

// dbConfig says where the database is.
type dbConfig struct {
	url     string // DATABASE_URL; empty for the embedded cluster
	dataDir string
	pgBin   string
	pgUser  string
	// maxConns and connShare size the pool (postgis.PoolSize).
	maxConns  int
	connShare float64
}

// options are the store's pool options.
func (c *dbConfig) options() postgis.Options {
	return postgis.Options{MaxConns: int32(c.maxConns), ConnShare: c.connShare}
}

func (c *dbConfig) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&c.dataDir, "data-dir", envOr(getenv, "RISKMAP_DATA_DIR", "./riskmap-data"),
		"directory of the embedded PostgreSQL cluster (env RISKMAP_DATA_DIR); unused with DATABASE_URL")
	fs.StringVar(&c.pgBin, "pg-bin", getenv("RISKMAP_PG_BIN"),
		"directory of the PostgreSQL server programs (env RISKMAP_PG_BIN; default: newest /usr/lib/postgresql/*/bin, then PATH)")
	fs.StringVar(&c.pgUser, "pg-user", envOr(getenv, "RISKMAP_PG_USER", "postgres"),
		"system user that runs the embedded cluster when riskmap runs as root (env RISKMAP_PG_USER)")
	fs.IntVar(&c.maxConns, "db-max-conns", envInt(getenv, "RISKMAP_DB_MAX_CONNS", 0),
		"most database connections the pool opens (env RISKMAP_DB_MAX_CONNS; 0: 4 × the CPUs); fewer when the server has less to spare: at most --db-conn-share of its free connections (max_connections − reserved − in use), never below 2")
	fs.Float64Var(&c.connShare, "db-conn-share", envFloat(getenv, "RISKMAP_DB_CONN_SHARE", postgis.DefaultConnShare),
		"share of the database server's free connections this riskmap may take, leaving the rest to other instances (env RISKMAP_DB_CONN_SHARE; more than 0, at most 1)")
	c.url = getenv("DATABASE_URL")
}

// check validates the pool flags.
func (c *dbConfig) check() error {
	if c.maxConns < 0 || c.maxConns > 10000 {
		return fmt.Errorf("--db-max-conns %d: want 0 (4 × the CPUs) to 10000", c.maxConns)
	}
	if !(c.connShare > 0 && c.connShare <= 1) {
		return fmt.Errorf("--db-conn-share %v: want more than 0, at most 1", c.connShare)
	}
	return nil
}

// open connects to DATABASE_URL or starts (or joins) the embedded cluster.
// The returned function closes the store and leaves the cluster.
func (c *dbConfig) open(ctx context.Context, log io.Writer) (*postgis.Store, func(), error) {
	if err := c.check(); err != nil {
		return nil, nil, err
	}
	if c.url != "" {
		s, err := postgis.Open(ctx, c.url, c.options())
		if err != nil {
			return nil, nil, err
		}
		return s, s.Close, nil
	}
	cl, err := cluster.Open(ctx, cluster.Options{Dir: c.dataDir, BinDir: c.pgBin, User: c.pgUser, Log: log})
	if err != nil {
		return nil, nil, fmt.Errorf("embedded PostgreSQL: %w", err)
	}
	s, err := postgis.Open(ctx, cl.ConnString(), c.options())
	if err != nil {
		cl.Close()
		return nil, nil, err
	}
	return s, func() {
		s.Close()
		if err := cl.Close(); err != nil {
			fmt.Fprintln(log, "riskmap:", err)
		}
	}, nil
}

// serveConfig is what serve and demo share.
type serveConfig struct {
	db             dbConfig
	addr           string
	title          string
	titleEN        string
	basemapURL     string
	basemapEnv     string // RISKMAP_BASEMAP_URL, kept out of --help: it may hold a key
	basemapAttrib  string
	basemapMinZoom int
	basemapMaxZoom int
	publicURL      string
	logLevel       string
	readAccess     string
	readScope      string
	sessionHours   int
	logFormat      string
	maxInFlight    int
	requestTimeout time.Duration
	restricted     map[geo.Layer]access.Role
	envErr         error
	tokenRate      float64
	corsOrigins    string
	oidc           web.OIDC
	tileCacheMB    int
	clusterBelow   int
	maxFeatures    int
	versionPoll    time.Duration
	readURL        string
	readURLEnv     string // READ_DATABASE_URL, kept out of --help: it may hold a password
	lang           string
	wallPanels     string
	wallFollow     bool
	positionStale  time.Duration
	reportCounty   time.Duration
	reportForward  time.Duration
}

// panels lists --wall-panels, refusing a panel the wall does not have.
func (c *serveConfig) panels() ([]string, error) {
	var out []string
	for _, p := range strings.Split(c.wallPanels, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !slices.Contains(web.WallPanels, p) {
			return nil, fmt.Errorf("--wall-panels: %q is not a panel (want some of %s)", p, strings.Join(web.WallPanels, ","))
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--wall-panels: no panel (want some of %s)", strings.Join(web.WallPanels, ","))
	}
	return out, nil
}

// tileClusterBelow is --cluster-below as geo.TileQuery takes it (0 there
// means the default; here it means never).
func (c *serveConfig) tileClusterBelow() int {
	if c.clusterBelow == 0 {
		return -1
	}
	return c.clusterBelow
}

// origins lists --cors-origins.
func (c *serveConfig) origins() []string {
	var out []string
	for _, o := range strings.Split(c.corsOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}

// restrict reads LAYER=ROLE.
func (c *serveConfig) restrict(v string) error {
	name, role, ok := strings.Cut(v, "=")
	if !ok {
		return fmt.Errorf("want LAYER=ROLE, got %q", v)
	}
	layers, err := geo.ParseLayers("layer", name)
	if err != nil || len(layers) != 1 {
		return fmt.Errorf("%q: not a layer", name)
	}
	if _, ok := layers[0].Category(); !ok {
		return fmt.Errorf("%q: only the layers of risk objects can be restricted", name)
	}
	r, err := access.ParseRole(role)
	if err != nil {
		return err
	}
	c.restricted[layers[0]] = r
	return nil
}

func (c *serveConfig) register(fs *flag.FlagSet, getenv func(string) string) {
	c.db.register(fs, getenv)
	fs.StringVar(&c.addr, "addr", envOr(getenv, "RISKMAP_ADDR", "127.0.0.1:8080"), "address to listen on (env RISKMAP_ADDR)")
	fs.StringVar(&c.title, "title", envOr(getenv, "RISKMAP_TITLE", "丽水市安全风险一张图"), "map title in Chinese (env RISKMAP_TITLE)")
	fs.StringVar(&c.titleEN, "title-en", envOr(getenv, "RISKMAP_TITLE_EN", "Lishui Safety Risk Map"), "map title in English (env RISKMAP_TITLE_EN)")
	c.basemapEnv = getenv("RISKMAP_BASEMAP_URL")
	fs.StringVar(&c.basemapURL, "basemap-url", "",
		"XYZ raster basemap URL template with {z} {x} {y}, e.g. the bureau's 天地图 vec_w endpoint with its tk key (env RISKMAP_BASEMAP_URL); riskmap relays its tiles at /basemap/{z}/{x}/{y}, so the key stays on the server; empty: the offline context map")
	fs.StringVar(&c.basemapAttrib, "basemap-attribution", envOr(getenv, "RISKMAP_BASEMAP_ATTRIBUTION", ""), "attribution shown for the basemap (env RISKMAP_BASEMAP_ATTRIBUTION)")
	fs.IntVar(&c.basemapMinZoom, "basemap-minzoom", envInt(getenv, "RISKMAP_BASEMAP_MINZOOM", 1), "shallowest zoom level the basemap serves (env RISKMAP_BASEMAP_MINZOOM; 天地图 starts at 1)")
	fs.IntVar(&c.basemapMaxZoom, "basemap-maxzoom", envInt(getenv, "RISKMAP_BASEMAP_MAXZOOM", 18), "deepest zoom level the basemap serves (env RISKMAP_BASEMAP_MAXZOOM)")
	fs.StringVar(&c.publicURL, "public-url", getenv("RISKMAP_PUBLIC_URL"),
		"the URL clients reach riskmap at, e.g. https://gis.example.gov.cn/riskmap behind a reverse proxy, for the links in TileJSON and GeoJSON, the session cookie's path and the sign-on's redirect (env RISKMAP_PUBLIC_URL); empty: taken from each request's Host")
	fs.StringVar(&c.publicURL, "base-url", getenv("RISKMAP_PUBLIC_URL"), "the same as --public-url")
	fs.StringVar(&c.logLevel, "log-level", envOr(getenv, "RISKMAP_LOG_LEVEL", "info"), "debug, info, warn or error (env RISKMAP_LOG_LEVEL)")
	fs.IntVar(&c.maxInFlight, "max-requests", envInt(getenv, "RISKMAP_MAX_REQUESTS", 128), "requests served at once; more wait up to 2 s, then get 503 with Retry-After (env RISKMAP_MAX_REQUESTS)")
	fs.DurationVar(&c.requestTimeout, "request-timeout", 30*time.Second, "how long a request may take before it answers 504 (imports excepted)")
	c.restricted = map[geo.Layer]access.Role{}
	fs.Func("restrict-layer", "LAYER=ROLE: only users whose role allows ROLE see LAYER (its features, and its points in tiles), e.g. rescue_resources=dispatcher (repeatable; env RISKMAP_RESTRICT_LAYERS, comma-separated)", c.restrict)
	for _, v := range strings.Split(getenv("RISKMAP_RESTRICT_LAYERS"), ",") {
		if strings.TrimSpace(v) != "" {
			c.envErr = errors.Join(c.envErr, c.restrict(strings.TrimSpace(v)))
		}
	}
	fs.StringVar(&c.oidc.Issuer, "oidc-issuer", getenv("RISKMAP_OIDC_ISSUER"), "single sign-on: the OpenID Connect provider's issuer URL (env RISKMAP_OIDC_ISSUER); the client secret comes from RISKMAP_OIDC_CLIENT_SECRET (environment or --config file), never a flag")
	fs.StringVar(&c.oidc.ClientID, "oidc-client-id", getenv("RISKMAP_OIDC_CLIENT_ID"), "single sign-on: riskmap's client id at the provider (env RISKMAP_OIDC_CLIENT_ID)")
	fs.StringVar(&c.oidc.UsernameClaim, "oidc-username-claim", envOr(getenv, "RISKMAP_OIDC_USERNAME_CLAIM", "preferred_username"), "single sign-on: the ID token's claim that names the riskmap user, who must exist (env RISKMAP_OIDC_USERNAME_CLAIM)")
	c.oidc.ClientSecret = getenv("RISKMAP_OIDC_CLIENT_SECRET")
	fs.IntVar(&c.tileCacheMB, "tile-cache-mb", envInt(getenv, "RISKMAP_TILE_CACHE_MB", 128), "memory for rendered tiles, in MiB (env RISKMAP_TILE_CACHE_MB)")
	fs.IntVar(&c.clusterBelow, "cluster-below", envInt(getenv, "RISKMAP_CLUSTER_BELOW", geo.DefaultClusterBelow), "below this zoom, point layers come as cells counting their objects per grade (so none is lost); 0 draws single points at every zoom (env RISKMAP_CLUSTER_BELOW)")
	fs.IntVar(&c.maxFeatures, "tile-max-features", envInt(getenv, "RISKMAP_TILE_MAX_FEATURES", 20000), "most single points of one layer in one tile; a capped layer keeps the most severe and the tile says so (layer riskmap_truncated); 0 = no cap (env RISKMAP_TILE_MAX_FEATURES)")
	c.readURLEnv = getenv("READ_DATABASE_URL")
	fs.StringVar(&c.readURL, "read-database-url", "",
		"a streaming replica of the database (env READ_DATABASE_URL): tiles, feature lists, regional statistics and the layers' data versions are read there; writes, change notifications, object items and histories, hidden hazards and logins stay on the primary; empty: everything on the primary")
	fs.DurationVar(&c.versionPoll, "version-poll", envDuration(getenv, "RISKMAP_VERSION_POLL", 10*time.Second),
		"how often the layers' data versions are read even without a notification from the database, a fallback for a lost NOTIFY (env RISKMAP_VERSION_POLL)")
	fs.Float64Var(&c.tokenRate, "token-rate", 50, "requests per second one API token may make, in bursts of ten times as many; more get 429")
	fs.StringVar(&c.corsOrigins, "cors-origins", getenv("RISKMAP_CORS_ORIGINS"), "comma-separated origins (https://host) of other sites whose pages may call the API, without cookies (env RISKMAP_CORS_ORIGINS); default none")
	fs.StringVar(&c.logFormat, "log-format", envOr(getenv, "RISKMAP_LOG_FORMAT", "text"), "text or json (one JSON object per line, for a log collector) (env RISKMAP_LOG_FORMAT)")
	fs.StringVar(&c.readAccess, "read-access", envOr(getenv, "RISKMAP_READ_ACCESS", web.ReadOpen),
		"who may read the map and its data: open (anyone who reaches the server, e.g. on the intranet) or login (a session or an API token) (env RISKMAP_READ_ACCESS); writes always need a user with the right role (see riskmap user)")
	fs.StringVar(&c.readScope, "read-scope", envOr(getenv, "RISKMAP_READ_SCOPE", web.ReadScopeOwn),
		"what a logged-in user reads: own (their division and below: tiles, features, statistics, events) or all (the whole map, read-only outside their division) (env RISKMAP_READ_SCOPE); anonymous readers of an open map read everything")
	fs.IntVar(&c.sessionHours, "session-hours", envInt(getenv, "RISKMAP_SESSION_HOURS", 12), "how long a login lasts, in hours (env RISKMAP_SESSION_HOURS)")
	fs.StringVar(&c.lang, "lang", envOr(getenv, "RISKMAP_LANG", "zh"), "the pages' default language, zh or en (env RISKMAP_LANG); a user can switch")
	fs.StringVar(&c.wallPanels, "wall-panels", envOr(getenv, "RISKMAP_WALL_PANELS", strings.Join(web.WallPanels, ",")),
		"the map wall's (大屏) panels, comma-separated: some of "+strings.Join(web.WallPanels, ",")+" (env RISKMAP_WALL_PANELS)")
	fs.BoolVar(&c.wallFollow, "wall-follow", envBool(getenv, "RISKMAP_WALL_FOLLOW", true), "the map wall flies to an incident when it is reported (env RISKMAP_WALL_FOLLOW)")
	fs.DurationVar(&c.reportCounty, "report-county", envDuration(getenv, "RISKMAP_REPORT_COUNTY", time.Hour),
		"how long the county has to receive (接报) an incident from its report (env RISKMAP_REPORT_COUNTY; 国务院令493号: 1h)")
	fs.DurationVar(&c.reportForward, "report-forward", envDuration(getenv, "RISKMAP_REPORT_FORWARD", 2*time.Hour),
		"how much longer each level above the county has to receive it (env RISKMAP_REPORT_FORWARD; 493号: 2h)")
	fs.DurationVar(&c.positionStale, "position-stale", envDuration(getenv, "RISKMAP_POSITION_STALE", 5*time.Minute),
		"how old a rescue resource's last GPS fix may be before the map wall draws it as stale, 30s to 24h (env RISKMAP_POSITION_STALE)")
}

// parse reads args into the flags and validates them.
func (c *serveConfig) parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	return c.validate()
}

// validate checks the flags once they are parsed, and fills in what comes
// from the environment only.
func (c *serveConfig) validate() error {
	if err := c.db.check(); err != nil {
		return err
	}
	if c.basemapURL == "" {
		c.basemapURL = c.basemapEnv
	}
	if c.readURL == "" {
		c.readURL = c.readURLEnv
	}
	if c.basemapURL != "" {
		u, err := url.Parse(c.basemapURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--basemap-url is not an http(s) URL") // the URL itself may hold a key: not echoed
		}
		for _, p := range []string{"{z}", "{x}", "{y}"} {
			if !strings.Contains(c.basemapURL, p) {
				return fmt.Errorf("--basemap-url lacks %s", p)
			}
		}
		if c.basemapMinZoom < 0 || c.basemapMaxZoom > 22 || c.basemapMinZoom > c.basemapMaxZoom {
			return fmt.Errorf("--basemap-minzoom %d and --basemap-maxzoom %d must satisfy 0 ≤ min ≤ max ≤ 22", c.basemapMinZoom, c.basemapMaxZoom)
		}
	}
	if c.publicURL != "" {
		u, err := url.Parse(c.publicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			return fmt.Errorf("--public-url %q: want an http(s) URL such as https://gis.example.gov.cn/riskmap", c.publicURL)
		}
		c.publicURL = strings.TrimSuffix(c.publicURL, "/")
	}
	if _, err := parseLevel(c.logLevel); err != nil {
		return err
	}
	if c.envErr != nil {
		return fmt.Errorf("RISKMAP_RESTRICT_LAYERS: %w", c.envErr)
	}
	if c.oidc.Issuer != "" {
		u, err := url.Parse(c.oidc.Issuer)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("--oidc-issuer %q: want the provider's issuer URL", c.oidc.Issuer)
		}
		if c.oidc.ClientID == "" || c.oidc.ClientSecret == "" {
			return fmt.Errorf("--oidc-issuer needs --oidc-client-id and RISKMAP_OIDC_CLIENT_SECRET")
		}
	}
	if c.tileCacheMB < 0 || c.tileCacheMB > 1<<16 {
		return fmt.Errorf("--tile-cache-mb %d: want 0 to 65536", c.tileCacheMB)
	}
	if c.clusterBelow < 0 || c.clusterBelow > geo.MaxClusterBelow {
		return fmt.Errorf("--cluster-below %d: want a zoom from 0 to %d", c.clusterBelow, geo.MaxClusterBelow)
	}
	if c.maxFeatures < 0 {
		return fmt.Errorf("--tile-max-features %d: want 0 (no cap) or more", c.maxFeatures)
	}
	if c.versionPoll < 100*time.Millisecond || c.versionPoll > time.Hour {
		return fmt.Errorf("--version-poll %v: want 100ms to 1h", c.versionPoll)
	}
	if c.tokenRate <= 0 || c.tokenRate > 100000 {
		return fmt.Errorf("--token-rate %v: want more than 0", c.tokenRate)
	}
	for _, o := range c.origins() {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
			return fmt.Errorf("--cors-origins: %q is not an origin such as https://wall.example.gov.cn", o)
		}
	}
	if c.maxInFlight < 1 || c.maxInFlight > 100000 {
		return fmt.Errorf("--max-requests %d: want 1 to 100000", c.maxInFlight)
	}
	if c.requestTimeout < time.Second || c.requestTimeout > time.Hour {
		return fmt.Errorf("--request-timeout %v: want 1s to 1h", c.requestTimeout)
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return fmt.Errorf("--log-format %q: want text or json", c.logFormat)
	}
	if c.readScope != web.ReadScopeOwn && c.readScope != web.ReadScopeAll {
		return fmt.Errorf("--read-scope %q: want own or all", c.readScope)
	}
	if c.readAccess != web.ReadOpen && c.readAccess != web.ReadLogin {
		return fmt.Errorf("--read-access %q: want open or login", c.readAccess)
	}
	if c.sessionHours < 1 || c.sessionHours > 24*30 {
		return fmt.Errorf("--session-hours %d: want 1 to 720", c.sessionHours)
	}
	if c.lang != "zh" && c.lang != "en" {
		return fmt.Errorf("--lang %q: want zh or en", c.lang)
	}
	if _, err := c.panels(); err != nil {
		return err
	}
	if c.reportCounty < time.Minute || c.reportCounty > 72*time.Hour {
		return fmt.Errorf("--report-county %v: want 1m to 72h", c.reportCounty)
	}
	if c.reportForward < time.Minute || c.reportForward > 72*time.Hour {
		return fmt.Errorf("--report-forward %v: want 1m to 72h", c.reportForward)
	}
	if c.positionStale < 30*time.Second || c.positionStale > 24*time.Hour {
		return fmt.Errorf("--position-stale %v: want 30s to 24h", c.positionStale)
	}
	return nil
}

func (c *serveConfig) webOptions(logger *slog.Logger) web.Options {
	o := web.Options{Title: c.title, TitleEN: c.titleEN, Version: versionString(), Logger: logger, PublicURL: c.publicURL,
		ReadAccess: c.readAccess, ReadScope: c.readScope, SessionTTL: time.Duration(c.sessionHours) * time.Hour,
		MaxInFlight: c.maxInFlight, RequestTimeout: c.requestTimeout, Restricted: c.restricted,
		TokenRate: c.tokenRate, CORSOrigins: c.origins(), Lang: c.lang}
	o.Wall.Panels, _ = c.panels() // checked by validate
	o.Wall.StayOnCity, o.Wall.StaleAfter = !c.wallFollow, c.positionStale
	if c.oidc.Issuer != "" {
		oidc := c.oidc
		o.OIDC = &oidc
	}
	if c.basemapURL != "" {
		o.Basemap = &web.Basemap{URL: c.basemapURL, Attribution: c.basemapAttrib, MinZoom: c.basemapMinZoom, MaxZoom: c.basemapMaxZoom}
	}
	return o
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("--log-level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

func envInt(getenv func(string) string, key string, def int) int {
	if v, err := strconv.Atoi(getenv(key)); err == nil {
		return v
	}
	return def
}

// envFloat reads a number from the environment; def when unset or
// unreadable.
func envFloat(getenv func(string) string, key string, def float64) float64 {
	if v, err := strconv.ParseFloat(getenv(key), 64); err == nil {
		return v
	}
	return def
}

// envBool reads true or false (1, 0, …) from the environment; def when
// unset or unreadable.
func envBool(getenv func(string) string, key string, def bool) bool {
	if v, err := strconv.ParseBool(getenv(key)); err == nil {
		return v
	}
	return def
}

// envDuration reads a duration (10s, 1m) from the environment; def when
// unset or unreadable.
func envDuration(getenv func(string) string, key string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(getenv(key)); err == nil {
		return v
	}
	return def
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// newFlagSet makes a flag set whose --help prints the command's text and
// its flags.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}
