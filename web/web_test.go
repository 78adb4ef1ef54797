package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/geo/postgis"
	"riskmap/geo/postgis/cluster"
	"riskmap/geo/postgis/pgtest"
	"riskmap/importers"
	"riskmap/importers/demo"
	"riskmap/tiles"
	"riskmap/web"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

var (
	demoOnce  sync.Once
	demoStore *postgis.Store
	demoErr   error
)

// demoServer serves the Lishui demo data from a real PostGIS database,
// loaded once and shared by the tests that only read.
func demoServer(t testing.TB) (*httptest.Server, *postgis.Store) {
	t.Helper()
	demoOnce.Do(func() {
		ctx := context.Background()
		_, conn, err := pgtest.CreateDB()
		if err != nil {
			demoErr = err
			return
		}
		if demoStore, demoErr = postgis.Open(ctx, conn, postgis.Options{}); demoErr != nil {
			return
		}
		ds, err := demo.Lishui()
		if err != nil {
			demoErr = err
			return
		}
		if _, demoErr = demoStore.Load(ctx, postgis.Dataset{Source: demo.Source, Divisions: ds.Divisions, Context: ds.Context, Objects: ds.Objects}); demoErr != nil {
			return
		}
		_, demoErr = demoStore.ImportZones(ctx, demo.Zones(ds), nil, geo.ZoneOptions{Repair: true, Clip: true}, "demo", false)
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return newServer(t, demoStore), demoStore
}

// storeImporter runs imports on the store, as cmd wires it.
type storeImporter struct{ s *postgis.Store }

func (i storeImporter) Import(ctx context.Context, files []importers.File, opt importers.Options) (*importers.Report, error) {
	return importers.Run(ctx, importers.Adapt(i.s), files, opt)
}

// newServer serves s. Its requests act as an admin (the tests of who may
// do what use authServer): those without an Authorization header get an
// admin's API token.
func newServer(t testing.TB, s *postgis.Store) *httptest.Server {
	h := authHandler(t, s, web.Options{TokenRate: 1e6}) // the tests' one token is not held back
	tok := newToken(t, s, access.Admin)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// authServer serves s as riskmap serve does: requests act as whoever
// they authenticate as.
func authServer(t testing.TB, s *postgis.Store, opts web.Options) *httptest.Server {
	srv := httptest.NewServer(authHandler(t, s, opts))
	t.Cleanup(srv.Close)
	return srv
}

// cachedServer serves s as riskmap serve does, with a tile cache that
// reads the layers' versions when the database notifies a change (and
// every poll besides) and feeds /api/v1/events. Its requests act as
// whoever they authenticate as.
func cachedServer(t testing.TB, s *postgis.Store, poll time.Duration) (*httptest.Server, *tiles.Cache) {
	t.Helper()
	return cachedServerWith(t, s, poll, web.Options{})
}

// cachedServerWith is cachedServer with options.
func cachedServerWith(t testing.TB, s *postgis.Store, poll time.Duration, opts web.Options) (*httptest.Server, *tiles.Cache) {
	t.Helper()
	cache := &tiles.Cache{Renderer: s, Versions: s, MaxBytes: 256 << 20}
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	if err := cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	go cache.Watch(ctx, poll, slog.New(slog.NewTextHandler(io.Discard, nil)))
	go s.ListenLayers(ctx, cache, slog.New(slog.NewTextHandler(io.Discard, nil)))
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	h := web.New(opts, web.Deps{Tiles: &tiles.Service{Renderer: s, Cache: cache},
		Features: s, Health: s, Grading: s, Hazards: s, Dispatch: s, Zones: s, Overview: s, Router: s, Access: s, Search: s, CacheStats: cache.Stats, Changes: cache,
		Importer: storeImporter{s}, Imports: s, Users: s})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(h.CloseStreams) // first: Close waits for the streams
	return srv, cache
}

func authHandler(t testing.TB, s *postgis.Store, opts web.Options) http.Handler {
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	opts.Title, opts.Version = "丽水市安全风险一张图", "test"
	return web.New(opts, web.Deps{Tiles: &tiles.Service{Renderer: s}, Features: s, Health: s, Importer: storeImporter{s},
		Grading: s, Hazards: s, Dispatch: s, Zones: s, Overview: s, Router: s, Access: s, Users: s, Search: s, Imports: s, PoolStats: s.PoolStats})
}

var (
	userSeq  atomic.Int64
	testHash = sync.OnceValue(func() string {
		h, err := access.HashPassword("password for tests")
		if err != nil {
			panic(err)
		}
		return h
	})
)

// newUser adds a user of role whose password is "password for tests";
// it returns the name.
func newUser(t testing.TB, s *postgis.Store, role access.Role) string {
	t.Helper()
	return newUserIn(t, s, role, "")
}

// newUserIn adds a user of role in a division ("" the whole deployment).
func newUserIn(t testing.TB, s *postgis.Store, role access.Role, division string) string {
	t.Helper()
	name := fmt.Sprintf("%s%d", role, userSeq.Add(1))
	if _, err := s.AddUser(context.Background(), name, "", role, testHash(), division); err != nil {
		t.Fatal(err)
	}
	return name
}

// newToken adds a user of role and returns an API token of theirs.
func newToken(t testing.TB, s *postgis.Store, role access.Role) string {
	t.Helper()
	return newTokenIn(t, s, role, "")
}

// newTokenIn adds a user of role in a division and returns an API token
// of theirs.
func newTokenIn(t testing.TB, s *postgis.Store, role access.Role, division string) string {
	t.Helper()
	name := newUserIn(t, s, role, division)
	_, _, tok, err := s.CreateToken(context.Background(), name+"-key", name, role, "", time.Now().Add(time.Hour), "test")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestTileHasLayersIdsAndGrades(t *testing.T) {
	srv, _ := demoServer(t)
	// z12 tile over 莲都 (the city seat, where enterprises cluster): the
	// first zoom of single points.
	tile := maptile.At([2]float64{119.92, 28.45}, 12)
	resp, body := get(t, fmt.Sprintf("%s/tiles/counties,context,enterprises,bridges,black_spots,rescue_resources,shelters/%d/%d/%d.mvt", srv.URL, tile.Z, tile.X, tile.Y))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	layers, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]mvt.Layer{}
	for _, l := range layers {
		names[l.Name] = *l
	}
	for _, want := range []string{"counties", "context", "enterprises", "bridges", "rescue_resources", "shelters"} {
		if len(names[want].Features) == 0 {
			t.Errorf("layer %s missing or empty in tile %v", want, tile)
		}
	}
	grades := map[string]int{}
	for _, cat := range geo.AllCategories {
		for _, f := range names[string(cat)].Features {
			if f.ID == nil {
				t.Fatalf("%s feature without id", cat)
			}
			if f.Properties.MustString("category") != string(cat) {
				t.Errorf("%s feature %v has category %v", cat, f.ID, f.Properties["category"])
			}
			if f.Properties.MustString("name") == "" || len(f.Properties.MustString("county")) != 6 {
				t.Errorf("%s feature %v: name %q county %q", cat, f.ID, f.Properties["name"], f.Properties["county"])
			}
			g, err := geo.ParseGrade(f.Properties.MustString("grade"))
			if err != nil {
				t.Errorf("feature %v: %v", f.ID, err)
			}
			grades[g.String()]++
		}
	}
	for _, g := range geo.AllGrades {
		if grades[g.String()] == 0 {
			t.Errorf("no %s feature in tile %v (grades %v)", g, tile, grades)
		}
	}
}

func TestFeatureLandsInItsTile(t *testing.T) {
	srv, store := demoServer(t)
	ctx := context.Background()
	for _, cat := range geo.AllCategories {
		t.Run(string(cat), func(t *testing.T) {
			objs, _, err := store.Objects(ctx, cat, geo.Page{Limit: 3, Offset: 17})
			if err != nil || len(objs) == 0 {
				t.Fatalf("objects: %v, %v", len(objs), err)
			}
			o := objs[0]
			// Below z12 it is counted in the cell of its place, a cell
			// that shows its grade or a higher one.
			cell := maptile.At(o.Point, 8+5)
			_, body := get(t, fmt.Sprintf("%s/tiles/%s/8/%d/%d.mvt", srv.URL, cat, cell.X>>5, cell.Y>>5))
			layers, err := mvt.Unmarshal(body)
			if err != nil || len(layers) != 1 {
				t.Fatalf("z8 tile: %d layers, %v", len(layers), err)
			}
			var in *mvt.Layer = layers[0]
			found := false
			for _, f := range in.Features {
				if id, _ := f.ID.(float64); uint64(id) == 1<<52+13<<44+uint64(cell.X)<<22+uint64(cell.Y) {
					found = true
					g, _ := geo.ParseGrade(f.Properties.MustString("grade"))
					if g < o.Grade || f.Properties.MustInt("n_"+o.Grade.String()) < 1 || f.Properties["cluster"] != true {
						t.Errorf("object %d (%s) in a cell showing %v", o.ID, o.Grade, f.Properties)
					}
				}
			}
			if !found {
				t.Errorf("object %d: no cell of its place at z8", o.ID)
			}
			for _, z := range []maptile.Zoom{12, 14} {
				tile := maptile.At(o.Point, z)
				far := maptile.New(tile.X+2, tile.Y, z)
				for _, tc := range []struct {
					tile maptile.Tile
					want bool
				}{{tile, true}, {far, false}} {
					_, body := get(t, fmt.Sprintf("%s/tiles/%s/%d/%d/%d.mvt", srv.URL, cat, tc.tile.Z, tc.tile.X, tc.tile.Y))
					layers, err := mvt.Unmarshal(body)
					if err != nil {
						t.Fatal(err)
					}
					found := false
					for _, l := range layers {
						for _, f := range l.Features {
							if id, ok := f.ID.(float64); ok && int64(id) == o.ID {
								found = true
								if f.Properties.MustString("grade") != o.Grade.String() {
									t.Errorf("object %d: tile grade %v, stored %v", o.ID, f.Properties["grade"], o.Grade)
								}
							}
						}
					}
					if found != tc.want {
						t.Errorf("object %d at %v: in tile %v = %v, want %v", o.ID, o.Point, tc.tile, found, tc.want)
					}
				}
			}
		})
	}
}

func TestBadRequestsGetProblems(t *testing.T) {
	srv, _ := demoServer(t)
	tests := []struct {
		name, path string
		status     int
		param      string
	}{
		{"unknown layer", "/tiles/factories/8/213/107.mvt", 400, "layers"},
		{"layer twice", "/tiles/bridges,bridges/8/213/107.mvt", 400, "layers"},
		{"zoom too deep", "/tiles/bridges/23/0/0.mvt", 400, "z"},
		{"zoom not a number", "/tiles/bridges/ten/0/0.mvt", 400, "z"},
		{"x out of range", "/tiles/bridges/2/4/0.mvt", 400, "x"},
		{"negative y", "/tiles/bridges/2/0/-1.mvt", 400, "y"},
		{"no extension", "/tiles/bridges/2/0/0", 400, "y"},
		{"tilejson of unknown layer", "/tiles/nope.json", 400, "layers"},
		{"unknown collection", "/ogc/collections/factories/items", 400, "layer"},
		{"bad bbox", "/ogc/collections/bridges/items?bbox=1,2,3", 400, "bbox"},
		{"inverted bbox", "/ogc/collections/bridges/items?bbox=120,28,119,29", 400, "bbox"},
		{"limit zero", "/ogc/collections/bridges/items?limit=0", 400, "limit"},
		{"limit huge", "/ogc/collections/bridges/items?limit=1000000", 400, "limit"},
		{"negative offset", "/ogc/collections/bridges/items?offset=-1", 400, "offset"},
		{"bad id", "/ogc/collections/bridges/items/abc", 400, "id"},
		{"bad county code", "/ogc/collections/counties/items/33", 400, "id"},
		{"absent feature", "/ogc/collections/bridges/items/999999999", 404, ""},
		{"absent county", "/ogc/collections/counties/items/110101", 404, ""},
		{"unknown path", "/nope", 404, ""},
		{"absent asset", "/vendor/maplibre-gl/nope.mjs", 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, srv.URL+tc.path)
			if resp.StatusCode != tc.status {
				t.Fatalf("GET %s: status %d, want %d; body %s", tc.path, resp.StatusCode, tc.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("GET %s: Content-Type %q, want application/problem+json", tc.path, ct)
			}
			var p struct {
				Status int    `json:"status"`
				Title  string `json:"title"`
				Detail string `json:"detail"`
				Param  string `json:"param"`
			}
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatalf("problem body %q: %v", body, err)
			}
			if p.Status != tc.status || p.Title == "" || p.Detail == "" || p.Param != tc.param {
				t.Errorf("GET %s: problem %+v, want status %d, param %q", tc.path, p, tc.status, tc.param)
			}
		})
	}
}

func TestTileJSON(t *testing.T) {
	srv, _ := demoServer(t)
	resp, body := get(t, srv.URL+"/tiles/counties,enterprises.json")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var tj tiles.TileJSON
	if err := json.Unmarshal(body, &tj); err != nil {
		t.Fatal(err)
	}
	if tj.TileJSON != "3.0.0" || len(tj.Tiles) != 1 || !strings.HasSuffix(tj.Tiles[0], "/tiles/counties,enterprises/{z}/{x}/{y}.mvt") {
		t.Errorf("tilejson %s, tiles %v", tj.TileJSON, tj.Tiles)
	}
	if len(tj.VectorLayers) != 2 || tj.VectorLayers[0].ID != "counties" || tj.VectorLayers[1].ID != "enterprises" || tj.VectorLayers[1].Fields["grade"] == "" {
		t.Errorf("vector_layers %+v", tj.VectorLayers)
	}
	// Lishui lies within about 118.6–120.5°E, 27.4–29.0°N.
	b := tj.Bounds
	if b[0] < 118.5 || b[0] > 119 || b[2] < 120.2 || b[2] > 120.6 || b[1] < 27.2 || b[3] > 29.2 {
		t.Errorf("bounds %v are not Lishui's", b)
	}
}

type featureCollection struct {
	Type           string `json:"type"`
	NumberMatched  int    `json:"numberMatched"`
	NumberReturned int    `json:"numberReturned"`
	Features       []struct {
		ID         any            `json:"id"`
		Geometry   map[string]any `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
	Links []struct {
		Href string `json:"href"`
		Rel  string `json:"rel"`
	} `json:"links"`
}

func TestItemsPaging(t *testing.T) {
	srv, _ := demoServer(t)
	url := srv.URL + "/ogc/collections/shelters/items?limit=700"
	seen := map[float64]bool{}
	pages := 0
	for url != "" {
		resp, body := get(t, url)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/geo+json" {
			t.Fatalf("GET %s: %d %q", url, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var fc featureCollection
		if err := json.Unmarshal(body, &fc); err != nil {
			t.Fatal(err)
		}
		if fc.Type != "FeatureCollection" || fc.NumberMatched != 1500 || fc.NumberReturned != len(fc.Features) {
			t.Fatalf("page %d: type %s matched %d returned %d of %d", pages, fc.Type, fc.NumberMatched, fc.NumberReturned, len(fc.Features))
		}
		for _, f := range fc.Features {
			id := f.ID.(float64)
			if seen[id] {
				t.Errorf("feature %v on two pages", id)
			}
			seen[id] = true
			if f.Geometry["type"] != "Point" || f.Properties["category"] != "shelters" || f.Properties["attributes"] == nil {
				t.Errorf("feature %v: %v %v", id, f.Geometry, f.Properties)
			}
		}
		url = ""
		for _, l := range fc.Links {
			if l.Rel == "next" {
				url = l.Href
			}
		}
		pages++
	}
	if pages != 3 || len(seen) != 1500 {
		t.Errorf("paged through %d pages, %d features; want 3 pages, 1500 features", pages, len(seen))
	}
}

func TestItemsBBoxAndItem(t *testing.T) {
	srv, _ := demoServer(t)
	// 莲都区's seat and its surroundings.
	_, body := get(t, srv.URL+"/ogc/collections/enterprises/items?bbox=119.85,28.40,119.98,28.50&limit=10000")
	var fc featureCollection
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatal(err)
	}
	if fc.NumberMatched == 0 || fc.NumberMatched != len(fc.Features) {
		t.Fatalf("bbox matched %d, returned %d", fc.NumberMatched, len(fc.Features))
	}
	for _, f := range fc.Features {
		c := f.Geometry["coordinates"].([]any)
		if lon, lat := c[0].(float64), c[1].(float64); lon < 119.85 || lon > 119.98 || lat < 28.40 || lat > 28.50 {
			t.Errorf("feature %v at %v,%v is outside the bbox", f.ID, lon, lat)
		}
	}
	id := int64(fc.Features[0].ID.(float64))
	resp, body := get(t, fmt.Sprintf("%s/ogc/collections/enterprises/items/%d", srv.URL, id))
	var f struct {
		ID         int64          `json:"id"`
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(body, &f); err != nil || resp.StatusCode != 200 {
		t.Fatalf("item %d: %d %v %s", id, resp.StatusCode, err, body)
	}
	if f.ID != id || f.Properties["county_name"] == "" || f.Properties["name"] == "" {
		t.Errorf("item %d = %+v", id, f)
	}
	_, body = get(t, srv.URL+"/ogc/collections/counties/items/331102")
	var county struct {
		Properties map[string]any `json:"properties"`
	}
	json.Unmarshal(body, &county)
	if county.Properties["name"] != "莲都区" || county.Properties["n_blue"].(float64) == 0 {
		t.Errorf("county 331102 = %v", county.Properties)
	}
}

func TestHealth(t *testing.T) {
	srv, _ := demoServer(t)
	if resp, body := get(t, srv.URL+"/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz with a database: %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest(http.MethodHead, srv.URL+"/healthz", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("HEAD /healthz: %v %v", resp, err)
	}
	if resp, body := get(t, srv.URL+"/readyz"); resp.StatusCode != 200 {
		t.Errorf("readyz with a current schema: %d %s", resp.StatusCode, body)
	}
	// A schema one migration behind: alive, not ready.
	db := pgtest.NewDB(t)
	behind, err := postgis.Open(context.Background(), db, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer behind.Close()
	conn, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)"); err != nil {
		t.Fatal(err)
	}
	srv2 := authServer(t, behind, web.Options{})
	if resp, body := get(t, srv2.URL+"/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz with an old schema: %d %s", resp.StatusCode, body)
	}
	if resp, body := get(t, srv2.URL+"/readyz"); resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("readyz with an old schema: %d %s, want 503", resp.StatusCode, body)
	}
}

// TestDatabaseOutage stops a real PostgreSQL under a running server: every
// endpoint that needs the database answers 503, not 500.
func TestDatabaseOutage(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	c, err := cluster.Open(ctx, cluster.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	store, err := postgis.Open(ctx, c.ConnString(), postgis.Options{})
	if err != nil {
		c.Close()
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Migrate(ctx); err != nil {
		c.Close()
		t.Fatal(err)
	}
	srv := newServer(t, store)
	if resp, body := get(t, srv.URL+"/tiles/bridges/8/213/107.mvt"); resp.StatusCode != 200 {
		t.Fatalf("tile with the database up: %d %s", resp.StatusCode, body)
	}
	if err := c.Close(); err != nil { // the last user: this stops the server
		t.Fatal(err)
	}
	for _, path := range []string{"/healthz", "/readyz", "/tiles/bridges/8/213/107.mvt", "/ogc/collections/bridges/items", "/ogc/collections/counties/items/331102", "/config.json", "/tiles/bridges.json"} {
		start := time.Now()
		resp, body := get(t, srv.URL+path)
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("GET %s with the database down: %d %q %s", path, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("GET %s with the database down took %v: want it to fail fast", path, took)
		}
	}
	// The database comes back: the same server serves again, by itself.
	c2, err := cluster.Open(ctx, cluster.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, body := get(t, srv.URL+"/tiles/bridges/8/213/107.mvt")
		if resp.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30 s after the database came back: %d %s", resp.StatusCode, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestEmptyDatabase(t *testing.T) {
	srv := newServer(t, pgtest.NewStore(t))
	_, body := get(t, srv.URL+"/tiles/counties,bridges.json")
	var tj tiles.TileJSON
	if err := json.Unmarshal(body, &tj); err != nil {
		t.Fatal(err)
	}
	if tj.Bounds[2]-tj.Bounds[0] < 10 {
		t.Errorf("TileJSON bounds on an empty database = %v, want a wide fallback", tj.Bounds)
	}
	_, body = get(t, srv.URL+"/ogc/collections/bridges/items")
	var fc featureCollection
	if err := json.Unmarshal(body, &fc); err != nil || fc.NumberMatched != 0 || len(fc.Features) != 0 || fc.Type != "FeatureCollection" {
		t.Errorf("items on an empty database: %s", body)
	}
	resp, body := get(t, srv.URL+"/tiles/counties,bridges/0/0/0.mvt")
	if resp.StatusCode != 200 || len(body) != 0 {
		t.Errorf("tile on an empty database: %d, %d bytes", resp.StatusCode, len(body))
	}
}

func TestPublicURL(t *testing.T) {
	_, store := demoServer(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := web.New(web.Options{Logger: logger, PublicURL: "https://gis.example.gov.cn/riskmap"}, web.Deps{Tiles: &tiles.Service{Renderer: store}, Features: store, Health: store})
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/tiles/bridges.json", nil)
	req.Host = "evil.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tj tiles.TileJSON
	json.NewDecoder(resp.Body).Decode(&tj)
	if len(tj.Tiles) != 1 || tj.Tiles[0] != "https://gis.example.gov.cn/riskmap/tiles/bridges/{z}/{x}/{y}.mvt" {
		t.Errorf("tiles = %v, want the public URL, not the request's Host", tj.Tiles)
	}
}

func TestStaticAssets(t *testing.T) {
	srv, _ := demoServer(t)
	tests := []struct {
		path, ctype, contains string
	}{
		{"/", "text/html; charset=utf-8", "<html"},
		{"/app.js", "text/javascript; charset=utf-8", "maplibre-gl"},
		{"/vendor/maplibre-gl/maplibre-gl.mjs", "text/javascript; charset=utf-8", "maplibre"},
		{"/vendor/maplibre-gl/maplibre-gl-worker.mjs", "text/javascript; charset=utf-8", ""},
		{"/config.json", "application/json", "丽水市安全风险一张图"},
	}
	for _, tc := range tests {
		resp, body := get(t, srv.URL+tc.path)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tc.ctype || !strings.Contains(string(body), tc.contains) {
			t.Errorf("GET %s: %d %q (%d bytes)", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
	}
}

func TestBasemapRelay(t *testing.T) {
	_, store := demoServer(t)
	tile := []byte("\x89PNG\r\n\x1a\nfake")
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Query().Get("tk") != "secret":
			http.Error(w, "no key", http.StatusForbidden)
		case r.URL.Path == "/vec_w/9/427/214":
			w.Header().Set("Content-Type", "image/png")
			w.Write(tile)
		case r.URL.Path == "/vec_w/9/427/216":
			w.Header().Set("Content-Type", "image/svg+xml")
			w.Write([]byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`))
		case r.URL.Path == "/vec_w/9/427/217":
			panic(http.ErrAbortHandler) // the connection drops
		default:
			http.Error(w, "broken", 500)
		}
	}))
	defer upstream.Close()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	h := web.New(web.Options{Logger: logger, Basemap: &web.Basemap{URL: upstream.URL + "/vec_w/{z}/{x}/{y}?tk=secret", MinZoom: 1, MaxZoom: 18}},
		web.Deps{Tiles: &tiles.Service{Renderer: store}, Features: store, Health: store})
	srv := httptest.NewServer(h)
	defer srv.Close()

	_, body := get(t, srv.URL+"/config.json")
	if strings.Contains(string(body), "secret") || !strings.Contains(string(body), `"tiles":["basemap/{z}/{x}/{y}"]`) {
		t.Errorf("config.json = %s; want the relay's relative URL and no key", body)
	}
	tests := []struct {
		name   string
		path   string
		status int
	}{
		{"tile", "/basemap/9/427/214", 200},
		{"upstream fails", "/basemap/9/427/215", 502},
		{"upstream sends SVG", "/basemap/9/427/216", 502},
		{"upstream drops the connection", "/basemap/9/427/217", 502},
		{"zoom below the basemap's", "/basemap/0/0/0", 400},
		{"bad x", "/basemap/9/x/214", 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, srv.URL+tc.path)
			if resp.StatusCode != tc.status {
				t.Fatalf("GET %s: %d %s, want %d", tc.path, resp.StatusCode, body, tc.status)
			}
			if tc.status == 200 && (string(body) != string(tile) || resp.Header.Get("Content-Type") != "image/png") {
				t.Errorf("GET %s: %q %q", tc.path, resp.Header.Get("Content-Type"), body)
			}
			if tc.status != 200 && strings.Contains(string(body), "secret") {
				t.Errorf("GET %s leaked the key: %s", tc.path, body)
			}
		})
	}
	if strings.Contains(logs.String(), "secret") {
		t.Errorf("the basemap key reached the log:\n%s", logs.String())
	}
	// Without a configured basemap there is nothing to relay.
	srv2, _ := demoServer(t)
	if resp, _ := get(t, srv2.URL+"/basemap/9/427/214"); resp.StatusCode != 404 {
		t.Errorf("relay without a basemap: %d, want 404", resp.StatusCode)
	}
}

// upload posts files (name → content) and form fields to the import API.
func upload(t *testing.T, url string, fields map[string]string, files map[string][]byte) (*http.Response, []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for name, content := range files {
		w, _ := mw.CreateFormFile("file", name)
		w.Write(content)
	}
	mw.Close()
	resp, err := http.Post(url+"/api/v1/imports", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestImportAPI(t *testing.T) {
	store := pgtest.NewStore(t)
	ds, err := demo.Lishui()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Load(context.Background(), postgis.Dataset{Source: "b", Divisions: ds.Divisions}); err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, store)
	good := []byte("名称,经度,纬度,风险等级\n莲都某化工厂,119.91,28.45,橙\n")
	tests := []struct {
		name      string
		fields    map[string]string
		files     map[string][]byte
		status    int
		committed bool
	}{
		{"csv", map[string]string{"category": "enterprises", "source": "s"}, map[string][]byte{"企业.csv": good}, 200, true},
		{"dry run", map[string]string{"category": "enterprises", "dry_run": "true"}, map[string][]byte{"企业.csv": good}, 200, false},
		{"invalid row", map[string]string{"category": "enterprises"}, map[string][]byte{"企业.csv": []byte("名称,经度,纬度\n甲,abc,28.45\n")}, 422, false},
		{"no category", map[string]string{}, map[string][]byte{"企业.csv": good}, 400, false},
		{"bad category", map[string]string{"category": "factories"}, map[string][]byte{"企业.csv": good}, 400, false},
		{"bad flag", map[string]string{"category": "enterprises", "dry_run": "maybe"}, map[string][]byte{"企业.csv": good}, 400, false},
		{"no file", map[string]string{"category": "enterprises"}, nil, 400, false},
		{"shapefile side files only", map[string]string{"category": "bridges"}, map[string][]byte{"a.dbf": []byte("x")}, 400, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := upload(t, srv.URL, tc.fields, tc.files)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if tc.status == 400 {
				if resp.Header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("400 without a problem body: %s", body)
				}
				return
			}
			var rep importers.Report
			if err := json.Unmarshal(body, &rep); err != nil {
				t.Fatal(err)
			}
			if rep.Committed != tc.committed {
				t.Errorf("committed = %v, want %v: %s", rep.Committed, tc.committed, body)
			}
			if tc.status == 422 {
				found := false
				for _, p := range rep.Problems {
					found = found || (p.Level == "error" && p.Row == 2 && p.Column == "经度" && p.ReasonZH != "")
				}
				if !found {
					t.Errorf("422 report lacks the row's problem: %s", body)
				}
			}
		})
	}
	objs, _, _ := store.Objects(context.Background(), geo.Enterprises, geo.Page{Limit: 10})
	if len(objs) != 1 || objs[0].Grade != geo.Orange || objs[0].County != "331102" {
		t.Errorf("after the API imports: %+v", objs)
	}
}

// TestMetrics: /metrics counts requests by route and status, times tiles
// by layers and zoom, and reports the database pool.
func TestMetrics(t *testing.T) {
	srv, _ := demoServer(t)
	get(t, srv.URL+"/tiles/bridges,enterprises/8/213/110.mvt")
	get(t, srv.URL+"/ogc/collections/nothing/items")
	resp, body := get(t, srv.URL+"/metrics")
	if resp.StatusCode != 200 {
		t.Fatalf("metrics: %d", resp.StatusCode)
	}
	for _, want := range []string{
		`riskmap_tile_duration_seconds_count{layers="bridges,enterprises",zoom="8"} 1`,
		`riskmap_tile_bytes_count{layers="bridges,enterprises",zoom="8"} 1`,
		`riskmap_http_requests_total{method="GET",route="/tiles/:layers/:z/:x/:y",status="200"} 1`,
		`riskmap_http_requests_total{method="GET",route="/ogc/collections/:layer/items",status="400"} 1`,
		`riskmap_db_pool_max_conns`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestStyleJSON: /style.json is a MapLibre style whose one source is the
// TileJSON of its layers, and whose every layer draws a layer that the
// TileJSON describes.
func TestStyleJSON(t *testing.T) {
	srv, _ := demoServer(t)
	resp, body := get(t, srv.URL+"/style.json")
	if resp.StatusCode != 200 {
		t.Fatalf("style.json: %d %s", resp.StatusCode, body)
	}
	var style struct {
		Version int
		Sources map[string]struct{ Type, URL string }
		Layers  []struct {
			ID, Type, Source string
			SourceLayer      string `json:"source-layer"`
		}
	}
	if err := json.Unmarshal(body, &style); err != nil || style.Version != 8 || len(style.Sources) != 1 {
		t.Fatalf("style %s: %v", body, err)
	}
	src := style.Sources["riskmap"]
	if src.Type != "vector" || !strings.HasPrefix(src.URL, srv.URL+"/tiles/") {
		t.Fatalf("source %+v", src)
	}
	resp, body = get(t, src.URL)
	var tj tiles.TileJSON
	if err := json.Unmarshal(body, &tj); resp.StatusCode != 200 || err != nil {
		t.Fatalf("the source's TileJSON: %d %v", resp.StatusCode, err)
	}
	described := map[string]bool{}
	for _, l := range tj.VectorLayers {
		described[l.ID] = true
	}
	seen := map[string]bool{}
	for _, l := range style.Layers {
		if l.Type == "background" {
			continue
		}
		if l.Source != "riskmap" || !described[l.SourceLayer] {
			t.Errorf("style layer %s draws %q of %q, which the TileJSON does not describe", l.ID, l.SourceLayer, l.Source)
		}
		seen[l.SourceLayer] = true
	}
	for _, want := range []string{"counties", "enterprises", "shelters", "hidden_hazards"} {
		if !seen[want] {
			t.Errorf("the style does not draw %s", want)
		}
	}
}

// TestTileBrotli: a client that accepts brotli gets a large tile in
// brotli, the same tile as in gzip, under its own ETag (304 on it), and
// a small tile in gzip.
func TestTileBrotli(t *testing.T) {
	srv, _ := demoServer(t)
	fetch := func(url, accept, inm string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Accept-Encoding", accept)
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	tile := maptile.At([2]float64{119.92, 28.45}, 12)
	big := fmt.Sprintf("%s/tiles/counties,context,enterprises,bridges,black_spots,rescue_resources,shelters/%d/%d/%d.mvt", srv.URL, tile.Z, tile.X, tile.Y)
	gz, gzBody := fetch(big, "gzip", "")
	br, brBody := fetch(big, "gzip, deflate, br", "")
	if gz.Header.Get("Content-Encoding") != "gzip" || br.Header.Get("Content-Encoding") != "br" {
		t.Fatalf("encodings %q and %q, want gzip and br", gz.Header.Get("Content-Encoding"), br.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gzBody))
	if err != nil {
		t.Fatal(err)
	}
	fromGzip, _ := io.ReadAll(zr)
	fromBrotli, err := io.ReadAll(brotli.NewReader(bytes.NewReader(brBody)))
	if err != nil || !bytes.Equal(fromGzip, fromBrotli) || len(fromGzip) < tiles.BrotliMin {
		t.Fatalf("brotli body (%d bytes, %v) differs from gzip's (%d bytes)", len(fromBrotli), err, len(fromGzip))
	}
	if br.Header.Get("ETag") == gz.Header.Get("ETag") || br.Header.Get("ETag") == "" {
		t.Errorf("ETags %q (br) and %q (gzip): want two", br.Header.Get("ETag"), gz.Header.Get("ETag"))
	}
	if again, _ := fetch(big, "br", br.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match with the brotli ETag: %d, want 304", again.StatusCode)
	}
	if again, _ := fetch(big, "br;q=0, gzip", gz.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
		t.Errorf("br refused, gzip ETag: %d, want 304", again.StatusCode)
	}
	id, idBody := fetch(big, "", "")
	if id.Header.Get("Content-Encoding") != "" || !bytes.Equal(idBody, fromGzip) || id.Header.Get("ETag") == gz.Header.Get("ETag") {
		t.Errorf("no Accept-Encoding: coding %q, ETag %q (gzip's %q)", id.Header.Get("Content-Encoding"), id.Header.Get("ETag"), gz.Header.Get("ETag"))
	}
	if noGzip, _ := fetch(big, "gzip;q=0", ""); noGzip.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 got %q", noGzip.Header.Get("Content-Encoding"))
	}
	if again, _ := fetch(big, "gzip", `"other", W/`+gz.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match listing the ETag weakly: %d, want 304", again.StatusCode)
	}
	small := fmt.Sprintf("%s/tiles/shelters/16/0/0.mvt", srv.URL)
	if resp, _ := fetch(small, "br, gzip", ""); resp.Header.Get("Content-Encoding") == "br" {
		t.Error("an empty tile came in brotli")
	}
}

// TestTileFilters: ?grade= (and the other filters) keep only the objects
// they match, in points and in cells; a bad one is a 400 naming its
// parameter; a filtered TileJSON's tiles carry the filter.
func TestTileFilters(t *testing.T) {
	srv, _ := demoServer(t)
	for _, z := range []maptile.Zoom{8, 12} {
		tile := maptile.At([2]float64{119.92, 28.45}, z)
		url := fmt.Sprintf("%s/tiles/enterprises,shelters/%d/%d/%d.mvt", srv.URL, tile.Z, tile.X, tile.Y)
		_, all := get(t, url)
		resp, body := get(t, url+"?grade=red&category=enterprises")
		if resp.StatusCode != 200 {
			t.Fatalf("z%d filtered: %d %s", z, resp.StatusCode, body)
		}
		count := func(b []byte, onlyRed bool) (n int, layers map[string]bool, grades map[string]bool) {
			ls, err := mvt.Unmarshal(b)
			if err != nil {
				t.Fatal(err)
			}
			layers, grades = map[string]bool{}, map[string]bool{}
			for _, l := range ls {
				layers[l.Name] = true
				for _, f := range l.Features {
					grades[f.Properties.MustString("grade")] = true
					if c, ok := f.Properties["count"].(float64); ok {
						n += int(c)
						if onlyRed && f.Properties.MustInt("n_red") != int(c) {
							t.Errorf("z%d: a filtered cell counts %v", z, f.Properties)
						}
					} else {
						n++
					}
				}
			}
			return n, layers, grades
		}
		nAll, _, _ := count(all, false)
		nRed, layers, grades := count(body, true)
		if nRed == 0 || nRed >= nAll || len(grades) != 1 || !grades["red"] || layers["shelters"] {
			t.Errorf("z%d: grade=red&category=enterprises gave %d of %d objects, grades %v, layers %v", z, nRed, nAll, grades, layers)
		}
	}
	for _, tc := range []struct{ name, query, param string }{
		{"unknown grade", "grade=purple", "grade"},
		{"bad county", "county=3311", "county"},
		{"bad CQL2", "filter=grade%20%3D", "filter"},
		{"unknown property", "filter=nosuch(1)%20%3D%201", "filter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, srv.URL+"/tiles/enterprises/12/3412/1706.mvt?"+tc.query)
			var p struct{ Param string }
			json.Unmarshal(body, &p)
			if resp.StatusCode != 400 || p.Param != tc.param {
				t.Errorf("%s: %d %s, want 400 naming %s", tc.query, resp.StatusCode, body, tc.param)
			}
		})
	}
	_, body := get(t, srv.URL+"/tiles/enterprises.json?grade=red")
	var tj tiles.TileJSON
	if err := json.Unmarshal(body, &tj); err != nil || len(tj.Tiles) != 1 || !strings.HasSuffix(tj.Tiles[0], ".mvt?grade=red") {
		t.Errorf("filtered TileJSON tiles %v (%v)", tj.Tiles, err)
	}
}
