package web

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"riskmap/geo"
)

// metrics are what /metrics serves, in Prometheus's text format: one
// registry per server.
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	tileTime  *prometheus.HistogramVec
	tileBytes *prometheus.HistogramVec
	imports   *prometheus.CounterVec
	rows      prometheus.Counter
	tileObs   sync.Map // of [2]prometheus.Observer by layers and zoom (see tileObservers)
}

func newMetrics(pool, cache func() map[string]float64) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "riskmap_http_requests_total",
		Help: "HTTP requests by route, method and status."}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "riskmap_http_request_duration_seconds",
		Help: "HTTP request latency by route and method.", Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12)}, []string{"route", "method"})
	m.tileTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "riskmap_tile_duration_seconds",
		Help: "Vector tile rendering time by layers and zoom.", Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12)}, []string{"layers", "zoom"})
	m.tileBytes = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "riskmap_tile_bytes",
		Help: "Vector tile size by layers and zoom.", Buckets: prometheus.ExponentialBuckets(256, 4, 9)}, []string{"layers", "zoom"})
	m.imports = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "riskmap_imports_total",
		Help: "Imports through the API by outcome (committed, refused, dry_run)."}, []string{"outcome"})
	m.rows = prometheus.NewCounter(prometheus.CounterOpts{Name: "riskmap_import_rows_total", Help: "Rows read by imports through the API."})
	m.reg.MustRegister(m.requests, m.latency, m.tileTime, m.tileBytes, m.imports, m.rows,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if pool != nil {
		for _, name := range []string{"acquired", "idle", "total", "max"} {
			m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "riskmap_db_pool_" + name + "_conns",
				Help: "Database pool connections: " + name + "."}, func() float64 { return pool()[name] }))
		}
	}
	if cache != nil {
		for _, name := range []string{"hits", "misses", "evictions"} {
			m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "riskmap_tile_cache_" + name + "_total",
				Help: "Tile cache " + name + "."}, func() float64 { return cache()[name] }))
		}
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "riskmap_tiles_truncated_total",
			Help: "Tiles rendered with a layer capped at --tile-max-features (its most severe objects kept)."}, func() float64 { return cache()["truncated"] }))
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "riskmap_tiles_cancelled_total",
			Help: "Tile renderings stopped because every request for them went away."}, func() float64 { return cache()["cancelled"] }))
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "riskmap_tile_cache_bytes",
			Help: "Bytes of tiles the cache holds."}, func() float64 { return cache()["bytes"] }))
	}
	return m
}

// middleware counts and times every request by its route pattern (not
// its path: the labels stay few).
func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		m.latency.WithLabelValues(route, c.Request().Method).Observe(time.Since(start).Seconds())
		m.requests.WithLabelValues(route, c.Request().Method, strconv.Itoa(c.Response().Status)).Inc()
		return err
	}
}

// tile records one rendered tile.
func (m *metrics) tile(layers []geo.Layer, z int, took time.Duration, size int) {
	o := m.tileObservers(layers, z)
	o[0].Observe(took.Seconds())
	o[1].Observe(float64(size))
}

// tileObservers are the time and size histograms of a layer set and
// zoom, looked up once: keyed by the set (a bit per layer of
// geo.AllLayers, so the same layers in another order share them, and
// there are at most 2^10 × 23 keys) and the zoom.
func (m *metrics) tileObservers(layers []geo.Layer, z int) [2]prometheus.Observer {
	var set uint64
	for _, l := range layers {
		if i := slices.Index(geo.AllLayers, l); i >= 0 { // always: the layers were parsed
			set |= 1 << i
		}
	}
	k := set<<5 | uint64(z)
	if o, ok := m.tileObs.Load(k); ok {
		return o.([2]prometheus.Observer)
	}
	names := make([]string, len(layers))
	for i, l := range layers {
		names[i] = string(l)
	}
	slices.Sort(names)
	key, zoom := strings.Join(names, ","), strconv.Itoa(z)
	o := [2]prometheus.Observer{m.tileTime.WithLabelValues(key, zoom), m.tileBytes.WithLabelValues(key, zoom)}
	m.tileObs.Store(k, o)
	return o
}

func (s *Server) handleMetrics(c echo.Context) error {
	promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{DisableCompression: true}).ServeHTTP(c.Response(), c.Request()) // echo compresses
	return nil
}
