// Package postgis is riskmap's store: the adapter to PostgreSQL + PostGIS.
// Every statement it runs comes from the sql package's embedded files and
// binds its inputs as parameters.
package postgis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net"
	"path"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/puddle/v2"

	"riskmap/geo"
	sqlfs "riskmap/sql"
)

// Options tune the connection pool.
type Options struct {
	// MaxConns caps the pool; 0 means the database address's
	// pool_max_conns, else 4 × the CPUs. The pool is smaller
	// when the server has fewer connections to spare: see PoolSize.
	MaxConns int32
	// ConnShare is the share of the server's free connections one store
	// may take (0 < share ≤ 1), leaving the rest to other riskmap
	// instances and tools; 0 means DefaultConnShare.
	ConnShare float64
	// StatementTimeout is a server-side backstop to context cancellation;
	// 0 means 30 s.
	StatementTimeout time.Duration
}

// DefaultConnShare is the share of the server's free connections a store
// takes when Options.ConnShare is 0: half, so that a second instance
// started next finds room too.
const DefaultConnShare = 0.5

// Store is riskmap's PostGIS database.
type Store struct {
	pool   *pgxpool.Pool
	knn    *pgxpool.Pool // for Nearest: generic plans (the pool itself when it is too small to share)
	q      queries
	sizing PoolSizing
	// reportLimits are how long the levels have to receive an incident.
	reportLimits geo.ReportLimits
	// grams tells Search the queries that nearly every object matches.
	grams *gramStats
}

// ServerLimits are a server's connection limits as Open found them.
type ServerLimits struct {
	MaxConnections int // max_connections
	Reserved       int // superuser_reserved_connections (+ reserved_connections from PostgreSQL 16)
	InUse          int // client connections open, not counting Open's own
}

// Free is how many connections an ordinary role could still open.
func (l ServerLimits) Free() int { return l.MaxConnections - l.Reserved - l.InUse }

// PoolSizing is what Open chose for the pool, and from what.
type PoolSizing struct {
	Limits   ServerLimits
	Want     int     // Options.MaxConns, or 4 × CPUs
	Share    float64 // Options.ConnShare, or DefaultConnShare
	MaxConns int     // what the pool may open
}

// PoolSize is the pool-sizing rule: the connections wanted (the
// configured cap, or 4 × CPUs), but no more than share of what the server
// has free (max_connections − reserved − in use, rounded down), and never
// fewer than 2 (a pool of one would deadlock a request that needs a
// second connection while it holds the first).
func PoolSize(want int, lim ServerLimits, share float64) int {
	n := min(want, int(math.Floor(float64(max(lim.Free(), 0))*share)))
	return max(n, 2)
}

// queries holds the text of every file in sql/queries, by base name.
type queries map[string]string

// requiredQueries names every file the store runs; Open fails when one is
// missing, so get cannot miss afterwards.
var requiredQueries = []string{
	"search_serial", "search_gram_stats", "user_reset", "import_history", "import_get", "import_sources", "import_template_get", "import_template_put",
	"tile_objects", "tile_counties", "tile_context", "tile_cells",
	"objects_page", "objects_count", "object_get", "divisions_page", "divisions_count",
	"extent", "collection_extent", "layer_versions", "ping",
	"migrations_table", "migrations_table_exists", "migrations_applied", "migration_record", "migrations_lock", "migrations_unlock",
	"division_upsert", "context_upsert",
	"import_stage", "import_duplicates", "import_merge", "import_retire", "import_record",
	"srid_known", "transform_points", "import_count_active", "import_staged_count", "import_settings",
	"bulk_constraints", "bulk_indexes", "bulk_update", "bulk_insert", "bulk_bump",
	"import_lock", "import_dedupe", "import_preview", "import_analyze",
	"direct_fresh", "direct_duplicates", "import_assess", "direct_lock", "direct_copy", "direct_first_id", "direct_last_id", "direct_bump", "direct_analyze", "import_linked", "regions_county", "regions_grid",
	"hazard_insert", "hazard_announce_overdue", "hazard_get", "hazard_lock", "hazard_step", "hazard_event", "hazard_events", "hazard_counts", "hazard_open_objects", "import_stage_analyze", "tile_hazards", "tile_grid", "regrade_lock", "import_rows_linked", "import_rows_regrade", "import_now", "regions_township", "object_by_source", "hazard_by_code",
	"grading_seed", "grading_seed_rule", "grading_current", "grading_add_scheme", "grading_add_rule", "grading_versions", "grading_guard",
	"regrade_batch", "regrade_stage", "regrade_apply", "regrade_clear", "assessment_history", "object_lock",
	"user_add", "user_passwd", "user_disable", "user_login", "user_list", "session_create", "session_get", "session_delete", "session_delete_user",
	"token_create", "token_list", "token_get", "token_revoke", "scope_set", "user_set_division", "division_get", "divisions_placing", "division_replace", "division_view", "incident_receipts_create", "incident_receipts", "incident_receive", "tasks_receipts", "tasks_hazards", "audit_append", "audit_list", "listen_layers", "server_limits",
	"incident_insert", "incident_get", "incident_list", "incident_lock", "incident_set_status", "incident_assignments",
	"resource_lock", "dispatch_assign", "dispatch_release", "resource_restore", "dispatch_notify", "position_lock", "position_insert", "nearest",
	"around_objects", "around_hazards", "around_population", "around_circle", "around_object_counts", "around_hazard_counts", "polygon_validity",
	"roads_delete", "roads_upsert", "roads_topology", "roads_info", "roads_snap",
	"route_setup", "route_costs", "route_path", "route_reach", "route_hull",
	"overview_categories", "overview_resources", "positions_latest", "resource_get", "resource_track",
	"supervision_insert", "supervision_get", "supervision_lock", "supervision_step", "supervisions_of_hazard", "supervisions_list", "supervision_counts",
	"tasks_supervisions", "division_names", "search", "search_fuzzy", "search_pairs",
}

func (q queries) get(name string) string { return q[name] }

// Open connects to the database at connString (a URL or libpq keyword
// string). It does not migrate; call Migrate or SchemaStatus next.
func Open(ctx context.Context, connString string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("parse database address: %w", classify(err))
	}
	if opts.ConnShare < 0 || opts.ConnShare > 1 || math.IsNaN(opts.ConnShare) {
		return nil, fmt.Errorf("connection share %v: want more than 0, at most 1", opts.ConnShare)
	}
	if opts.ConnShare == 0 {
		opts.ConnShare = DefaultConnShare
	}
	sizing := PoolSizing{Want: int(opts.MaxConns), Share: opts.ConnShare}
	if sizing.Want <= 0 && strings.Contains(connString, "pool_max_conns") {
		sizing.Want = int(cfg.MaxConns) // the address's own pool_max_conns
	}
	if sizing.Want <= 0 {
		sizing.Want = 4 * runtime.NumCPU()
	}
	if opts.StatementTimeout == 0 {
		opts.StatementTimeout = 30 * time.Second
	}
	cfg.ConnConfig.RuntimeParams["statement_timeout"] = fmt.Sprint(opts.StatementTimeout.Milliseconds())
	cfg.ConnConfig.RuntimeParams["application_name"] = "riskmap"
	// A cancelled request (a map that panned on) stops its query with a
	// cancel request and keeps its connection for the next query; pgx's
	// default closes the connection (cancelling too), which the pool
	// then has to open again.
	cfg.ConnConfig.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: 2 * time.Second}
	}
	cfg.ConnConfig.RuntimeParams["timezone"] = "Asia/Shanghai"
	// Imports stage rows in a temporary table: let it stay in memory
	// (allocated only when used).
	cfg.ConnConfig.RuntimeParams["temp_buffers"] = "128MB"
	q, err := loadQueries()
	if err != nil {
		return nil, err
	}
	if sizing.Limits, err = serverLimits(ctx, cfg.ConnConfig, q); err != nil {
		return nil, err
	}
	sizing.MaxConns = PoolSize(sizing.Want, sizing.Limits, sizing.Share)
	// A quarter of the connections, in a pool of their own, run the
	// nearest queries with generic plans (see nearest.sql).
	knnConns := int32(sizing.MaxConns / 4)
	cfg.MaxConns = int32(sizing.MaxConns) - knnConns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", classify(err))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database: %w", classify(err))
	}
	st := &Store{pool: pool, knn: pool, q: q, sizing: sizing, grams: &gramStats{}}
	if knnConns > 0 {
		kc := cfg.Copy()
		kc.MaxConns, kc.MinConns = knnConns, 0
		kc.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
		if st.knn, err = pgxpool.NewWithConfig(ctx, kc); err != nil {
			pool.Close()
			return nil, fmt.Errorf("connect to database: %w", classify(err))
		}
	}
	return st, nil
}

// serverLimits reads the server's connection limits on a connection of
// its own (the pool's size must be known before the pool exists).
func serverLimits(ctx context.Context, cc *pgx.ConnConfig, q queries) (ServerLimits, error) {
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return ServerLimits{}, fmt.Errorf("connect to database: %w", classify(err))
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var l ServerLimits
	if err := conn.QueryRow(ctx, q.get("server_limits")).Scan(&l.MaxConnections, &l.Reserved, &l.InUse); err != nil {
		return ServerLimits{}, fmt.Errorf("read the server's connection limits: %w", classify(err))
	}
	l.InUse-- // this connection, closed before the pool opens
	return l, nil
}

// PoolSizing reports how Open sized the pool.
func (s *Store) PoolSizing() PoolSizing { return s.sizing }

func loadQueries() (queries, error) {
	q := queries{}
	ents, err := fs.ReadDir(sqlfs.FS, "queries")
	if err != nil {
		return nil, fmt.Errorf("read embedded queries: %w", classify(err))
	}
	for _, e := range ents {
		b, err := fs.ReadFile(sqlfs.FS, path.Join("queries", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read embedded query %s: %w", e.Name(), classify(err))
		}
		q[strings.TrimSuffix(e.Name(), ".sql")] = string(b)
	}
	// search.sql's variant for queries nearly every object matches (Search).
	if dense := strings.Replace(q["search"], "o.search_grams /*pairs*/", "(o.search_grams || '{}'::text[])", 1); dense != q["search"] {
		q["search_dense"] = dense
	}
	for _, name := range append(append(requiredQueries, "search_dense"), zoneQueries...) {
		if q[name] == "" {
			return nil, fmt.Errorf("embedded query sql/queries/%s.sql is missing or empty", name)
		}
	}
	return q, nil
}

// Close closes every connection.
func (s *Store) Close() {
	if s.knn != s.pool {
		s.knn.Close()
	}
	s.pool.Close()
}

// Ping checks that the database answers. Failures wrap geo.ErrUnavailable.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.pool.QueryRow(ctx, s.q.get("ping")).Scan(&one); err != nil {
		if c := classify(err); errors.Is(c, geo.ErrTimeout) || errors.Is(c, context.DeadlineExceeded) || errors.Is(c, context.Canceled) {
			return fmt.Errorf("ping database: %w", c)
		}
		// Whatever else stops a ping, the database is not answering.
		return fmt.Errorf("%w: ping database: %w", geo.ErrUnavailable, classify(err))
	}
	return nil
}

// LayerVersions returns the current data version of every layer. A
// version changes with every committed write to the layer's data.
func (s *Store) LayerVersions(ctx context.Context) (map[geo.Layer]int64, error) {
	rows, err := s.pool.Query(ctx, s.q.get("layer_versions"))
	if err != nil {
		return nil, fmt.Errorf("read layer versions: %w", classify(err))
	}
	out := map[geo.Layer]int64{}
	var name string
	var v int64
	_, err = pgx.ForEachRow(rows, []any{&name, &v}, func() error {
		out[geo.Layer(name)] = v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read layer versions: %w", classify(err))
	}
	return out, nil
}

// classify marks database errors with the geo sentinel the web layer maps
// to a status: no rows → ErrNotFound, a statement timeout → ErrTimeout, a
// server that is down, restarting or refusing connections →
// ErrUnavailable. It is the only place that looks at pgx's errors.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %w", geo.ErrNotFound, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if se, ok := scopeError(pgErr); ok {
			return se
		}
		switch {
		case pgErr.Code == "57014": // query_canceled: statement_timeout
			return fmt.Errorf("%w: %w", geo.ErrTimeout, err)
		case strings.HasPrefix(pgErr.Code, "08"), // connection exceptions
			pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03", // shutting down, cannot connect now
			pgErr.Code == "53300": // too many connections
			return fmt.Errorf("%w: %w", geo.ErrUnavailable, err)
		}
		return err
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	if errors.As(err, &connectErr) || errors.As(err, &netErr) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, puddle.ErrClosedPool) || pgconn.SafeToRetry(err) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return fmt.Errorf("%w: %w", geo.ErrUnavailable, err)
	}
	return err
}

// PoolStats reports the connection pools (the nearest queries' with the
// rest): connections acquired, idle, in all, and the most they may open.
func (s *Store) PoolStats() map[string]float64 {
	out := map[string]float64{}
	pools := []*pgxpool.Pool{s.pool}
	if s.knn != s.pool {
		pools = append(pools, s.knn)
	}
	for _, p := range pools {
		st := p.Stat()
		out["acquired"] += float64(st.AcquiredConns())
		out["idle"] += float64(st.IdleConns())
		out["total"] += float64(st.TotalConns())
		out["max"] += float64(st.MaxConns())
	}
	return out
}
