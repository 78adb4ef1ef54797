// Package web is riskmap's HTTP interface: vector tiles and TileJSON, OGC
// API Features (GeoJSON), health, and the embedded map page, served with
// echo. Handlers return errors; errors.go alone turns them into statuses
// and JSON problem bodies.
package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/importers"
	"riskmap/tiles"
)

// TileRenderer gives vector tiles, gzipped, with their ETags;
// *tiles.Service is one.
type TileRenderer interface {
	Get(ctx context.Context, layers []geo.Layer, t maptile.Tile, f geo.Filter) (tiles.Tile, error)
}

// FeatureStore reads features for the OGC API; *postgis.Store is one.
type FeatureStore interface {
	Objects(ctx context.Context, c geo.Category, p geo.Page) ([]geo.Object, int, error)
	Object(ctx context.Context, c geo.Category, id int64) (geo.Object, error)
	Counties(ctx context.Context, p geo.Page) ([]geo.Division, int, error)
	County(ctx context.Context, code string) (geo.Division, error)
	Extent(ctx context.Context) (orb.Bound, bool, error)
	// CollectionExtent is the bounding box of a collection's features.
	CollectionExtent(ctx context.Context, l geo.Layer) (orb.Bound, bool, error)
	// DivisionView is what a map of one division needs.
	DivisionView(ctx context.Context, code string) (geo.DivisionView, error)
}

// Pinger tells whether the database answers, and whether the store is
// ready to serve (its schema current); *postgis.Store is one.
type Pinger interface {
	Ping(ctx context.Context) error
	Ready(ctx context.Context) error
}

// Importer runs an import (importers.Run over the store, wired in cmd).
type Importer interface {
	Import(ctx context.Context, files []importers.File, opt importers.Options) (*importers.Report, error)
}

// Deps are the server's collaborators. Importer may be nil: then the
// import endpoint answers 404.
type Deps struct {
	Tiles    TileRenderer
	Features FeatureStore
	Health   Pinger
	Importer Importer
	Grading  GradingStore  // nil: the grading endpoints answer 404
	Hazards  HazardStore   // nil: the hidden-hazard endpoints answer 404
	Dispatch DispatchStore // nil: the dispatch endpoints answer 404
	Zones    ZoneStore     // nil: the zone endpoints answer 404
	// Overview answers the map wall: GET /api/v1/stats/overview (with
	// Grading), /api/v1/positions and /api/v1/resources/{id}/track; nil:
	// they answer 404.
	Overview OverviewStore
	// Router answers road questions (travel time, routes, isochrones);
	// nil: as if no road network were loaded.
	Router Router
	// Access keeps sessions, tokens and the audit log. nil: nobody can
	// log in, and every write is refused.
	Access AccessStore
	// Users manages users and tokens over the API (admins); nil: the
	// user endpoints answer 404.
	Users UserStore
	// PoolStats reports the database pool's connections (acquired, idle,
	// total, max) for /metrics; nil: not reported.
	PoolStats func() map[string]float64
	// CacheStats reports the tile cache's hits, misses, evictions and
	// bytes for /metrics; nil: not reported.
	CacheStats func() map[string]float64
	// Changes feeds GET /api/v1/events; nil: no event stream.
	Changes ChangeFeed
	// Search answers GET /api/v1/search; nil: it answers 404.
	Search Searcher
	// Imports keeps the import history and the sources' mapping
	// templates for the import page; nil: those endpoints answer 404.
	Imports ImportHistory
}

// Basemap is an XYZ raster basemap (天地图 vec_w through the bureau's
// endpoint, say) drawn under the risk layers. The server fetches its tiles
// for the page at /basemap/{z}/{x}/{y}, so that the browser needs no CORS
// permission from the basemap's server and never sees its key.
type Basemap struct {
	URL         string // upstream template with {z}, {x} and {y}
	Attribution string
	MinZoom     int
	MaxZoom     int
}

// Options configure the server.
type Options struct {
	Title   string   // the map's title in Chinese
	TitleEN string   // the map's title in English
	Basemap *Basemap // nil: the offline context is the background
	Version string   // riskmap's version, for TileJSON and logs
	// PublicURL is where clients reach riskmap (scheme, host and any path
	// prefix), for absolute links; empty means each request's own Host.
	PublicURL string
	Logger    *slog.Logger
	// ReadAccess is ReadOpen (default: anyone who reaches the server
	// reads the map) or ReadLogin (reads need a session or a token).
	ReadAccess string
	// ReadScope is ReadScopeOwn (default: a logged-in user reads their
	// division and below: tiles, features, statistics, events) or
	// ReadScopeAll (every user reads the whole map; writes stay limited
	// to their division). Anonymous readers of an open map read
	// everything either way.
	ReadScope string
	// SessionTTL is how long a login lasts (default 12 hours).
	SessionTTL time.Duration
	// MaxInFlight is how many requests may run at once (default 128);
	// RequestTimeout how long one may take (default 30 s; imports
	// excepted).
	MaxInFlight    int
	RequestTimeout time.Duration
	// MaxUpload bounds one import's upload (default 256 MiB).
	MaxUpload int64
	// OIDC, when set, offers a single sign-on besides passwords.
	OIDC *OIDC
	// TokenRate is how many requests per second one API token may make
	// (bursts of ten times as many); default 50.
	TokenRate float64
	// CORSOrigins are the other sites whose pages may call the API (with
	// no cookies); none by default.
	CORSOrigins []string
	// Restricted layers are seen only by the roles that allow the role
	// given (rescue_resources: dispatcher, say): others get tiles
	// without them, and 403 for their features.
	Restricted map[geo.Layer]access.Role
	// Lang is the page's default language, zh (default) or en.
	Lang string
	// Wall configures the map wall (大屏); the zero value shows every
	// panel, follows a newly reported incident and counts a fix stale
	// after 5 minutes.
	Wall Wall
}

// Server serves riskmap over HTTP.
type Server struct {
	opts     Options
	client   *http.Client // for the basemap's tiles
	tiles    TileRenderer
	features FeatureStore
	health   Pinger
	importer Importer
	imports  ImportHistory
	grading  GradingStore
	hazards  HazardStore
	search   Searcher
	dispatch DispatchStore
	zones    ZoneStore
	overview OverviewStore
	router   Router
	net      netCache
	access   AccessStore
	users    UserStore
	metrics  *metrics
	oidc     *oidcClient // nil: no single sign-on
	changes  ChangeFeed
	streams  atomic.Int64  // event streams open
	closing  chan struct{} // closed by CloseStreams
	closeMu  sync.Once
	echo     *echo.Echo
}

// CloseStreams ends the open event streams (their clients reconnect
// elsewhere): call it when the server shuts down, since a graceful
// shutdown waits for every request, and a stream never ends by itself.
func (s *Server) CloseStreams() { s.closeMu.Do(func() { close(s.closing) }) }

// New returns a server with every route registered.
func New(opts Options, deps Deps) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Title == "" {
		opts.Title = "安全风险一张图"
	}
	if opts.TitleEN == "" {
		opts.TitleEN = "Safety Risk Map"
	}
	if opts.MaxInFlight <= 0 {
		opts.MaxInFlight = defaultMaxInFlight
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = defaultRequestTimeout
	}
	if opts.TokenRate <= 0 {
		opts.TokenRate = 50
	}
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = defaultMaxUpload
	}
	if opts.Lang == "" {
		opts.Lang = "zh"
	}
	if opts.Wall.Panels == nil {
		opts.Wall.Panels = WallPanels
	}
	if opts.Wall.StaleAfter <= 0 {
		opts.Wall.StaleAfter = 5 * time.Minute
	}
	s := &Server{opts: opts, tiles: deps.Tiles, features: deps.Features, health: deps.Health, importer: deps.Importer, imports: deps.Imports, grading: deps.Grading, hazards: deps.Hazards, search: deps.Search, dispatch: deps.Dispatch, zones: deps.Zones, overview: deps.Overview, router: deps.Router, access: deps.Access, users: deps.Users, metrics: newMetrics(deps.PoolStats, deps.CacheStats), changes: deps.Changes, closing: make(chan struct{}), echo: echo.New(),
		client: &http.Client{Timeout: 15 * time.Second}}
	s.echo.HideBanner, s.echo.HidePort = true, true
	// The client's address (for the audit log, the login limit and the
	// logs) is the connection's, or, when the connection comes from this
	// machine (a reverse proxy such as nginx), what X-Forwarded-For says:
	// a client elsewhere cannot pass for another address.
	s.echo.IPExtractor = echo.ExtractIPFromXFFHeader(echo.TrustLoopback(true), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false))
	s.echo.HTTPErrorHandler = s.handleError
	s.echo.Use(middleware.RequestID())
	if opts.OIDC != nil && deps.Access != nil {
		s.oidc = &oidcClient{cfg: *opts.OIDC}
	}
	s.echo.Use(securityHeaders)
	s.echo.Use(s.metrics.middleware)
	s.echo.Use(middleware.Recover())
	s.echo.Use(s.logRequests)
	s.echo.Use(limitInFlight(opts.MaxInFlight))
	s.echo.Use(requestTimeout(opts.RequestTimeout))
	s.echo.Use(middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 512,
		Skipper: func(c echo.Context) bool { // tiles come gzipped; events stream
			return c.Path() == "/tiles/:layers/:z/:x/:y" || c.Path() == "/api/v1/events"
		}}))
	if len(opts.CORSOrigins) > 0 {
		s.echo.Use(middleware.CORSWithConfig(middleware.CORSConfig{AllowOrigins: opts.CORSOrigins,
			AllowMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost},
			AllowHeaders: []string{echo.HeaderAuthorization, echo.HeaderContentType, "If-Match"}, ExposeHeaders: []string{"ETag"}}))
	}
	s.echo.Use(s.authenticate)
	s.echo.Use(s.scopeReads)
	s.echo.Use(tokenLimiter(opts.TokenRate))
	s.routes()
	return s
}

// routes lists every route in one place, each with who may use it:
// s.read (open, or logged in, as configured), s.write (a role), or
// public (health, the login, the page's own files).
func (s *Server) routes() {
	e, read := s.echo, s.read
	e.GET("/healthz", s.handleHealth)
	e.HEAD("/healthz", s.handleHealth)
	e.GET("/readyz", s.handleReady)
	e.HEAD("/readyz", s.handleReady)
	e.GET("/metrics", read(s.handleMetrics))
	if s.changes != nil {
		e.GET("/api/v1/events", read(s.handleEvents))
	}
	e.GET("/config.json", read(s.handleConfig))
	e.GET("/api/v1/schema", read(s.handleSchema))

	e.GET("/tiles/:layers/:z/:x/:y", read(s.handleTile))
	e.GET("/tiles/:file", read(s.handleTileJSON))
	e.GET("/style.json", read(s.handleStyle))
	e.GET("/basemap/:z/:x/:y", read(s.handleBasemap))

	if s.access != nil {
		e.POST("/api/v1/session", s.handleLogin, loginLimiter())
		e.GET("/api/v1/session", s.handleSession)
		e.DELETE("/api/v1/session", s.handleLogout)
		e.POST("/api/v1/session/password", s.handleChangePassword, loginLimiter())
		e.GET("/api/v1/audit", s.write(access.Admin, "audit.read", s.handleAudit))
		e.GET("/api/v1/session/methods", s.handleLoginMethods)
		if s.oidc != nil {
			e.GET("/api/v1/oidc/login", s.handleOIDCLogin, loginLimiter())
			e.GET("/api/v1/oidc/callback", s.handleOIDCCallback)
		}
		if s.users != nil {
			s.userRoutes()
		}
	}
	e.POST("/api/v1/imports", s.write(access.Editor, "import", s.handleImport))
	if s.imports != nil {
		s.importRoutes()
	}
	if s.grading != nil {
		e.POST("/api/v1/objects/:id/assessments", s.write(access.Planner, "assess", s.handleAssess))
		e.GET("/api/v1/objects/:id/history", read(s.handleHistory))
		e.GET("/api/v1/grading/schemes", read(s.handleSchemes))
		s.gradingAdminRoutes(read)
		e.GET("/api/v1/stats/regions", read(s.handleRegions))
	}
	if s.overview != nil {
		if s.grading != nil {
			e.GET("/api/v1/stats/overview", read(s.handleOverview))
		}
		e.GET("/api/v1/positions", read(s.handlePositions))
		e.GET("/api/v1/resources/:id/track", read(s.handleTrack))
	}
	if s.search != nil {
		e.GET("/api/v1/search", read(s.handleSearch))
	}
	if s.hazards != nil {
		e.POST("/api/v1/hidden-hazards", s.write(access.Planner, "hazard.report", s.handleReportHazard))
		e.GET("/api/v1/hidden-hazards/:id", read(s.handleHazard))
		e.POST("/api/v1/hidden-hazards/:id/steps", s.write(access.Planner, "hazard.step", s.handleStepHazard))
		e.GET("/api/v1/stats/hidden-hazards", read(s.handleHazardCounts))
		s.supervisionRoutes()
	}
	if s.dispatch != nil {
		e.GET("/api/v1/dispatch/meta", read(s.handleDispatchMeta))
		e.GET("/api/v1/incidents", read(s.handleIncidents))
		e.GET("/api/v1/incidents/:id", read(s.handleIncident))
		e.POST("/api/v1/incidents", s.write(access.Dispatcher, "incident.report", s.handleReportIncident))
		e.PATCH("/api/v1/incidents/:id", s.write(access.Dispatcher, "incident.status", s.handleUpdateIncident))
		e.POST("/api/v1/incidents/:id/assignments", s.write(access.Dispatcher, "incident.assign", s.handleAssign))
		e.DELETE("/api/v1/incidents/:id/assignments/:resource", s.write(access.Dispatcher, "incident.release", s.handleRelease))
		e.POST("/api/v1/resources/:id/positions", s.write(access.Dispatcher, "resource.position", s.handlePosition))
		e.POST("/api/v1/incidents/:id/receipts", s.write(access.Dispatcher, "incident.receive", s.handleReceive))
		e.GET("/api/v1/tasks", read(s.handleTasks))
		e.GET("/api/v1/nearest", read(s.handleNearest))
		e.GET("/api/v1/around", read(s.handleAround))
		e.GET("/api/v1/route", read(s.handleRoute))
		e.GET("/api/v1/isochrones", read(s.handleIsochrones))
	}

	if s.zones != nil {
		s.zoneRoutes()
	}

	e.GET("/ogc", read(s.handleLanding))
	e.GET("/ogc/api", read(s.handleOpenAPI))
	e.GET("/ogc/conformance", read(s.handleConformance))
	e.GET("/ogc/collections", read(s.handleCollections))
	e.GET("/ogc/collections/:layer", read(s.handleCollection))
	e.GET("/ogc/collections/:layer/queryables", read(s.handleQueryables))
	e.GET("/ogc/collections/:layer/items", read(s.handleItems))
	e.GET("/ogc/collections/:layer/items/:id", read(s.handleItem))

	e.GET("/", s.handleStatic)
	e.GET("/*", s.handleStatic)
}

// contentSecurity is the pages' Content-Security-Policy: everything from
// this server, and no inline script but the pages' import maps (allowed
// by their hashes, taken from the embedded pages themselves); MapLibre's
// workers and images come as blob: URLs, its canvas styles are set inline.
var contentSecurity = func() string {
	scripts := "'self'"
	seen := map[string]bool{}
	pages, _ := fs.Glob(uiFS, "ui/*.html")
	for _, name := range pages {
		page, err := fs.ReadFile(uiFS, name)
		if err != nil {
			continue
		}
		for _, m := range inlineScript.FindAllSubmatch(page, -1) {
			h := sha256.Sum256(m[1])
			if src := " 'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"; !seen[src] {
				seen[src] = true
				scripts += src
			}
		}
	}
	return "default-src 'self'; script-src " + scripts + "; worker-src 'self' blob:; child-src 'self' blob:; " +
		"img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; connect-src 'self'; " +
		"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
}()

// inlineScript finds the page's inline scripts (its import map).
var inlineScript = regexp.MustCompile(`(?s)<script type="importmap">(.*?)</script>`)

// securityHeaders are on every answer.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", contentSecurity)
		return next(c)
	}
}

// Routes lists the server's routes as "METHOD /path", sorted.
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.echo.Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	slices.Sort(out)
	return out
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		r := c.Request()
		level := slog.LevelDebug
		if c.Response().Status >= 500 {
			level = slog.LevelWarn
		}
		if !s.opts.Logger.Enabled(r.Context(), level) {
			return nil // the common case: building the line costs a tile hit's time
		}
		attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", c.Response().Status), slog.Duration("took", time.Since(start)),
			slog.String("id", c.Response().Header().Get(echo.HeaderXRequestID)), slog.String("remote", c.RealIP())}
		if p := principal(c); p != nil {
			attrs = append(attrs, slog.String("actor", p.Actor()))
		}
		s.opts.Logger.LogAttrs(r.Context(), level, "request", attrs...)
		return nil
	}
}

// handleReady: GET /readyz, 200 when the database answers and its schema
// is current, else 503.
func (s *Server) handleReady(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.health.Ready(ctx); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) handleHealth(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.health.Ping(ctx); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
}

// clientConfig is what the map page reads at start.
type clientConfig struct {
	Title   string         `json:"title"`
	TitleEN string         `json:"title_en"`
	Center  [2]float64     `json:"center"`
	Zoom    float64        `json:"zoom"`
	Bounds  [4]float64     `json:"bounds"`
	Basemap *clientBasemap `json:"basemap"`
	Version string         `json:"version"`
	Lang    string         `json:"lang"` // the page's default language: zh or en
	Wall    clientWall     `json:"wall"`
	// Division is the division the map shows (division=CODE, or the
	// reader's own); null: the whole map.
	Division *clientDivision `json:"division"`
}

// clientDivision is the division a map or wall shows.
type clientDivision struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level string `json:"level"`
	// ChildLevel is the level of its regional units (its children; ""
	// when none is loaded).
	ChildLevel string `json:"child_level"`
}

// clientWall is the map wall's configuration.
type clientWall struct {
	Panels          []string `json:"panels"`
	FollowIncidents bool     `json:"follow_incidents"`
	StaleAfterS     int      `json:"stale_after_s"`
}

// clientBasemap is a MapLibre raster source, pointing at our proxy.
type clientBasemap struct {
	Tiles       []string `json:"tiles"`
	Attribution string   `json:"attribution,omitempty"`
	TileSize    int      `json:"tileSize"`
	MinZoom     int      `json:"minzoom"`
	MaxZoom     int      `json:"maxzoom"`
}

func (s *Server) handleConfig(c echo.Context) error {
	b, err := s.extent(c)
	if err != nil {
		return err
	}
	title, titleEN := s.opts.Title, s.opts.TitleEN
	var div *clientDivision
	if code := s.viewScope(c); code != "" {
		v, err := s.features.DivisionView(c.Request().Context(), code)
		if errors.Is(err, geo.ErrNotFound) {
			return geo.Invalidf("division", "no division with code %s is loaded", code)
		}
		if err != nil {
			return err
		}
		b = v.Bound
		title, titleEN = v.Name+"安全风险一张图", "Safety Risk Map · "+v.Name
		div = &clientDivision{Code: v.Code, Name: v.Name, Level: v.Level, ChildLevel: v.ChildLevel}
	}
	ctr := b.Center()
	cfg := clientConfig{
		Title: title, TitleEN: titleEN, Division: div, Center: [2]float64{ctr[0], ctr[1]}, Zoom: 8,
		Bounds: [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}, Version: s.opts.Version,
		Lang: s.opts.Lang, Wall: clientWall{Panels: s.opts.Wall.Panels, FollowIncidents: !s.opts.Wall.StayOnCity,
			StaleAfterS: int(s.opts.Wall.StaleAfter / time.Second)},
	}
	if bm := s.opts.Basemap; bm != nil {
		cfg.Basemap = &clientBasemap{Tiles: []string{"basemap/{z}/{x}/{y}"}, Attribution: bm.Attribution,
			TileSize: 256, MinZoom: bm.MinZoom, MaxZoom: bm.MaxZoom}
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return c.JSON(http.StatusOK, cfg)
}

// extent is the area the data covers, or all of China while nothing is
// loaded.
func (s *Server) extent(c echo.Context) (orb.Bound, error) {
	b, ok, err := s.features.Extent(c.Request().Context())
	if err != nil {
		return orb.Bound{}, err
	}
	if !ok {
		b = orb.Bound{Min: orb.Point{73, 18}, Max: orb.Point{135, 54}}
	}
	return b, nil
}
