package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"riskmap/geo"
	"riskmap/geo/postgis"
	"riskmap/importers"
	"riskmap/tiles"
	"riskmap/web"
)

const serveHelp = `Usage: riskmap serve [flags]

Serves the map page at /, vector tiles at /tiles/{layers}/{z}/{x}/{y}.mvt,
TileJSON at /tiles/{layers}.json, GeoJSON (OGC API Features) under /ogc, and
/healthz. Refuses to start on a database schema that is behind: run
"riskmap migrate" first. Stops on SIGINT or SIGTERM, and with it the
embedded PostgreSQL unless another riskmap process still uses it.
`

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg serveConfig
	fs := newFlagSet("serve", serveHelp, stderr)
	cfg.register(fs, getenv)
	if err := cfg.parse(fs, args); err != nil {
		return err
	}
	store, closeDB, err := cfg.db.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	if err := requireCurrentSchema(ctx, store); err != nil {
		return err
	}
	db, closeRead, err := cfg.openRead(ctx, store)
	if err != nil {
		return err
	}
	defer closeRead()
	return serve(ctx, &cfg, db, stdout, stderr)
}

// regradeOverdue, every hour, announces the hidden hazards that turned
// overdue and grades again the objects with open ones: a hazard turns
// overdue with the date, not with a write, and rule R7 raises its
// object's grade while it is.
func regradeOverdue(ctx context.Context, store *postgis.Store, logger *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := store.AnnounceOverdue(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("announce overdue hazards", "err", err)
		} else if n > 0 {
			logger.Info("hidden hazards became overdue", "hazards", n)
		}
		st, err := store.RegradeOverdue(ctx, "riskmap:overdue")
		if err != nil && ctx.Err() == nil {
			logger.Warn("regrade overdue hazards", "err", err)
		} else if st.Changed > 0 {
			logger.Info("regraded objects with overdue hazards", "changed", st.Changed, "moves", st.Moves)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// serve listens on cfg.addr until ctx is done, then shuts down gracefully.
func serve(ctx context.Context, cfg *serveConfig, db stores, stdout, stderr io.Writer) error {
	store := db.primary
	level, _ := parseLevel(cfg.logLevel)
	var handler slog.Handler = slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})
	if cfg.logFormat == "json" {
		handler = slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level})
	}
	logger := slog.New(handler)
	for _, s := range []struct {
		name  string
		store *postgis.Store
	}{{"primary", db.primary}, {"read", db.read}} {
		if s.name == "read" && db.read == db.primary {
			break
		}
		sz := s.store.PoolSizing()
		logger.Info("database pool", "database", s.name, "max_conns", sz.MaxConns, "wanted", sz.Want, "share", sz.Share,
			"server_max_connections", sz.Limits.MaxConnections, "reserved", sz.Limits.Reserved, "in_use", sz.Limits.InUse)
	}
	if !web.HasVendor() {
		logger.Warn("this binary was built without the front-end libraries; the map page will not draw (build with make build)")
	}
	h, _ := newHandler(ctx, cfg, db, logger)
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	srv.RegisterOnShutdown(h.CloseStreams) // event streams would hold the shutdown
	fmt.Fprintf(stdout, "riskmap %s serving the map on http://%s/\n", versionString(), ln.Addr())
	go regradeOverdue(ctx, store, logger)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "riskmap: shutting down")
	// Requests in flight finish (an import too, if it ends within the
	// grace; one that does not is rolled back, leaving the data as it was).
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// stores are the databases one riskmap serves from: writes, the change
// notifications and the reads that must see their own writes (object
// items, histories, hidden hazards, sessions and tokens) go to primary;
// tiles, feature lists, regional statistics and the layers' versions to
// read (the primary itself, or a streaming replica of it:
// --read-database-url).
type stores struct {
	primary, read *postgis.Store
}

// newHandler wires one riskmap server: a tile cache that renders from the
// read store, keyed by the versions read from that same store, woken by
// the primary's change notifications (and polled every cfg.versionPoll in
// case one is lost), and the web handler over it. The cache's watch and
// the listener run until ctx ends.
func newHandler(ctx context.Context, cfg *serveConfig, db stores, logger *slog.Logger) (*web.Server, *tiles.Cache) {
	// Tiles are kept, gzipped, keyed by their layers' data versions,
	// which are read again as soon as the database notifies a change
	// (LISTEN riskmap_layers, on a connection of its own), and every
	// --version-poll in case a notification is lost: a change made
	// through any riskmap sharing the database stops being served stale
	// at once.
	//
	// The versions are read from the store the tiles are rendered from:
	// a tile is cached under the versions read, and a replica shows a
	// version only once it has replayed the write that made it, so a
	// tile rendered from a replica that lags can never be cached under a
	// version it does not hold yet. The notifications come from the
	// primary, before the replica has the change: after one the cache
	// reads the replica's versions again until they have caught up with
	// the primary's (up to 2 s, then the poll), and only then announces
	// the change on /api/v1/events, so that a map that fetches its
	// tiles at once gets the new ones.
	cache := &tiles.Cache{Renderer: db.read, Versions: db.read, MaxBytes: int64(cfg.tileCacheMB) << 20}
	if db.read != db.primary {
		cache.Primary = db.primary
	}
	if err := cache.Refresh(ctx); err != nil {
		logger.Warn("tile cache", "err", err)
	}
	go cache.Watch(ctx, cfg.versionPoll, logger)
	go db.primary.ListenLayers(ctx, cache, logger)
	db.primary.SetReportLimits(geo.ReportLimits{County: cfg.reportCounty, PerLevel: cfg.reportForward})
	h := web.New(cfg.webOptions(logger), web.Deps{Tiles: &tiles.Service{Renderer: db.read, Cache: cache, ClusterBelow: cfg.tileClusterBelow(), MaxFeatures: cfg.maxFeatures}, Features: splitFeatures{db.primary, db.read},
		Health: bothHealth{db.primary, db.read}, Importer: storeImporter{importers.Adapt(db.primary)}, Grading: splitGrading{db.primary, db.read}, Hazards: db.primary, Dispatch: db.primary, Zones: db.primary, Overview: db.primary, Router: db.primary, Access: db.primary, Users: db.primary, Search: db.read, Imports: db.primary,
		PoolStats: db.primary.PoolStats, CacheStats: cache.Stats, Changes: cache})
	return h, cache
}

// shutdownGrace is how long serve waits for requests in flight when told
// to stop (systemd's TimeoutStopSec should be longer).
const shutdownGrace = 50 * time.Second
