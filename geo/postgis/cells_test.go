package postgis_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"riskmap/geo"
	"riskmap/geo/postgis"
	"riskmap/geo/postgis/pgtest"
)

// randomObjects makes n objects of a few categories in a box around
// 莲都, half of them in tight clusters, with random grades.
func randomObjects(r *rand.Rand, n int) []geo.Object {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	grades := []geo.Grade{geo.Red, geo.Orange, geo.Yellow, geo.Blue, geo.Unassessed}
	cats := []geo.Category{geo.Enterprises, geo.Bridges, geo.Shelters}
	centres := []orb.Point{{119.92, 28.45}, {120.05, 28.30}, {119.75, 28.60}}
	out := make([]geo.Object, n)
	for i := range out {
		p := orb.Point{119.6 + 0.6*r.Float64(), 28.1 + 0.6*r.Float64()}
		if i%2 == 0 {
			c := centres[r.IntN(len(centres))]
			p = orb.Point{c[0] + r.NormFloat64()*0.01, c[1] + r.NormFloat64()*0.01}
		}
		g := grades[r.IntN(len(grades))]
		o := geo.Object{Category: cats[r.IntN(len(cats))], Name: fmt.Sprint("对象", i), Point: p, Grade: g,
			SourceID: fmt.Sprint("r", i), County: "331102"}
		if i%3 == 0 {
			o.County = "331121"
		}
		if g.Assessed() {
			s := float64(g)
			o.Method, o.AssessedAt, o.Score = "stated", &at, &s
		}
		out[i] = o
	}
	return out
}

func randomDataset(objs []geo.Object) postgis.Dataset {
	return postgis.Dataset{
		Source: "random",
		Divisions: []geo.Division{
			{Code: "331102", Name: "莲都区", Level: "county", ParentCode: "331100", Geometry: square(119.9, 28.4, 0.5)},
			{Code: "331121", Name: "青田县", Level: "county", ParentCode: "331100", Geometry: square(120.9, 28.4, 0.4)},
		},
		Objects: objs,
	}
}

// stored reads the active objects as the database has them.
func stored(t *testing.T, ctx context.Context, conn *pgx.Conn) []geo.Object {
	t.Helper()
	rows, err := conn.Query(ctx, `SELECT id, category::text, name, ST_X(geom), ST_Y(geom), coalesce(grade::text, 'unassessed'), coalesce(county_code, '')
		FROM risk_object WHERE retired_at IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (geo.Object, error) {
		var o geo.Object
		var cat, grade string
		err := row.Scan(&o.ID, &cat, &o.Name, &o.Point[0], &o.Point[1], &grade, &o.County)
		o.Category = geo.Category(cat)
		if err == nil {
			o.Grade, err = geo.ParseGrade(grade)
		}
		return o, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// cellID is the id tile_cells gives the cell that is tile c.
func cellID(c maptile.Tile) uint64 {
	return 1<<52 + uint64(c.Z)<<44 + uint64(c.X)<<22 + uint64(c.Y)
}

// checkEveryZoom renders every tile of the objects' categories at every
// zoom from 0 to 13 and checks that each object is in the tile of its
// place: at clustered zooms in the cell of its place, counted under its
// grade, the cell showing the highest grade inside (so a red object is
// always in a red feature); at deeper zooms as itself.
func checkEveryZoom(t *testing.T, ctx context.Context, s *postgis.Store, objs []geo.Object, clusterBelow int) {
	t.Helper()
	checkFiltered(t, ctx, s, objs, clusterBelow, geo.Filter{})
}

// checkFiltered is checkEveryZoom of the tiles filtered by f, objs being
// the objects f matches: no other object may be drawn or counted.
func checkFiltered(t *testing.T, ctx context.Context, s *postgis.Store, objs []geo.Object, clusterBelow int, f geo.Filter) {
	t.Helper()
	matched := map[int64]bool{}
	for _, o := range objs {
		matched[o.ID] = true
	}
	for z := maptile.Zoom(0); z <= 13; z++ {
		clustered := int(z) < clusterBelow
		byTile := map[geo.Category]map[maptile.Tile][]geo.Object{}
		for _, o := range objs {
			if byTile[o.Category] == nil {
				byTile[o.Category] = map[maptile.Tile][]geo.Object{}
			}
			tl := maptile.At(o.Point, z)
			byTile[o.Category][tl] = append(byTile[o.Category][tl], o)
		}
		for cat, tilesOf := range byTile {
			for tl, inside := range tilesOf {
				d, err := s.Tile(ctx, geo.TileQuery{Layers: []geo.Layer{geo.Layer(cat)}, Tile: tl, ClusterBelow: clusterBelow, Filter: f})
				if err != nil {
					t.Fatalf("z%d %v: %v", z, tl, err)
				}
				layers, err := mvt.Unmarshal(d.MVT)
				if err != nil || len(layers) != 1 {
					t.Fatalf("z%d %v: %d layers, %v", z, tl, len(layers), err)
				}
				features := map[uint64]map[string]any{}
				for _, f := range layers[0].Features {
					features[toUint(f.ID)] = f.Properties
				}
				if !clustered {
					for id := range features {
						if !matched[int64(id)] {
							t.Errorf("z%d %v: %s %d drawn, which the filter leaves out", z, tl, cat, id)
						}
					}
					for _, o := range inside {
						p, ok := features[uint64(o.ID)]
						if !ok {
							t.Errorf("z%d %v: %s %d (%s) missing", z, tl, cat, o.ID, o.Grade)
						} else if p["grade"] != o.Grade.String() {
							t.Errorf("z%d: %s %d drawn %v, is %s", z, cat, o.ID, p["grade"], o.Grade)
						}
					}
					continue
				}
				want := map[uint64]map[geo.Grade]int{}
				for _, o := range inside {
					id := cellID(maptile.At(o.Point, z+5))
					if want[id] == nil {
						want[id] = map[geo.Grade]int{}
					}
					want[id][o.Grade]++
				}
				if len(features) != len(want) {
					t.Errorf("z%d %v %s: %d cells drawn, want %d", z, tl, cat, len(features), len(want))
				}
				for id, counts := range want {
					p, ok := features[id]
					if !ok {
						t.Errorf("z%d %v %s: cell %x with %v missing", z, tl, cat, id, counts)
						continue
					}
					top, total := geo.Unassessed, 0
					for g, n := range counts {
						total += n
						if g > top {
							top = g
						}
						if got := toInt(p["n_"+g.String()]); got != n {
							t.Errorf("z%d cell %x %s: n_%s = %d, want %d", z, id, cat, g, got, n)
						}
					}
					if p["grade"] != top.String() || toInt(p["count"]) != total || p["cluster"] != true {
						t.Errorf("z%d cell %x %s: grade %v count %v, want %s %d", z, id, cat, p["grade"], p["count"], top, total)
					}
				}
			}
		}
	}
}

func toUint(v any) uint64 {
	switch n := v.(type) {
	case uint64:
		return n
	case int64:
		return uint64(n)
	case float64:
		return uint64(n)
	}
	return 0
}

func toInt(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int64:
		return int(n)
	case uint64:
		return int(n)
	}
	return -1
}

// storeWithConns opens a store on a fresh migrated database, and n
// connections of its own to the same database; all are closed when the
// test ends.
func storeWithConns(t *testing.T, n int) (*postgis.Store, []*pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	s, err := postgis.Open(ctx, db, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	conns := make([]*pgx.Conn, n)
	for i := range conns {
		if conns[i], err = pgx.Connect(ctx, db); err != nil {
			t.Fatal(err)
		}
		c := conns[i]
		t.Cleanup(func() { c.Close(ctx) })
	}
	return s, conns
}

// checkCellsKept compares object_cell with the cells counted afresh from
// the objects.
func checkCellsKept(t *testing.T, ctx context.Context, conn *pgx.Conn, when string) {
	t.Helper()
	const fresh = `
		SELECT l, category, floor((ST_X(geom_3857) + 20037508.342789244) / (40075016.68557849 / (1 << l)))::int,
		       floor((20037508.342789244 - ST_Y(geom_3857)) / (40075016.68557849 / (1 << l)))::int,
		       coalesce(county_code::text, ''), object_cell_grade(grade), count(*)::int
		FROM risk_object, generate_series(5, 16) AS l
		WHERE retired_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6`
	const kept = `SELECT level, category, cx, cy, county, grade, n FROM object_cell`
	var diff int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM ((`+fresh+` EXCEPT `+kept+`) UNION ALL (`+kept+` EXCEPT `+fresh+`)) d`).Scan(&diff); err != nil {
		t.Fatal(err)
	}
	if diff != 0 {
		t.Errorf("%s: %d cells of object_cell disagree with the objects", when, diff)
	}
	// The sums that place a cell's feature, to a millimetre a cell.
	const sums = `
		WITH f AS (
		    SELECT l, category, floor((ST_X(geom_3857) + 20037508.342789244) / (40075016.68557849 / (1 << l)))::int AS cx,
		           floor((20037508.342789244 - ST_Y(geom_3857)) / (40075016.68557849 / (1 << l)))::int AS cy,
		           coalesce(county_code::text, '') AS county, object_cell_grade(grade) AS grade,
		           sum(ST_X(geom_3857)) AS sx, sum(ST_Y(geom_3857)) AS sy
		    FROM risk_object, generate_series(5, 16) AS l
		    WHERE retired_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6)
		SELECT count(*) FROM f JOIN object_cell c
		    ON (c.level, c.category, c.cx, c.cy, c.county, c.grade) = (f.l, f.category, f.cx, f.cy, f.county, f.grade)
		WHERE abs(c.sx - f.sx) > 0.001 OR abs(c.sy - f.sy) > 0.001`
	if err := conn.QueryRow(ctx, sums).Scan(&diff); err != nil {
		t.Fatal(err)
	}
	if diff != 0 {
		t.Errorf("%s: %d cells of object_cell are placed off their objects", when, diff)
	}
}

// TestNoObjectLostAtAnyZoom: on random data, every object is in the tile
// of its place at every zoom, counted under its grade (a red object in a
// red cell), after a load and after edits that regrade, move and retire
// objects through the triggers.
func TestNoObjectLostAtAnyZoom(t *testing.T) {
	ctx := context.Background()
	s, conns := storeWithConns(t, 1)
	conn := conns[0]
	r := rand.New(rand.NewPCG(6, 12))
	objs := randomObjects(r, 1500)
	if _, err := s.Load(ctx, randomDataset(objs)); err != nil {
		t.Fatal(err)
	}
	checkCellsKept(t, ctx, conn, "after the load")
	checkEveryZoom(t, ctx, s, stored(t, ctx, conn), geo.DefaultClusterBelow)

	// Edits one statement at a time, as the API makes them, and a few in
	// bulk.
	edits := []string{
		`UPDATE risk_object SET grade = 'red', method = 'stated', assessed_at = now() WHERE id % 7 = 0`,
		`UPDATE risk_object SET grade = NULL, method = NULL, assessed_at = NULL WHERE id % 11 = 0`,
		`UPDATE risk_object SET geom = ST_SetSRID(ST_MakePoint(ST_X(geom) + 0.05, ST_Y(geom) - 0.03), 4490) WHERE id % 13 = 0`,
		// a few metres: most stay in their cells at every level
		`UPDATE risk_object SET geom = ST_SetSRID(ST_MakePoint(ST_X(geom) + 0.00003, ST_Y(geom) + 0.00002), 4490) WHERE id % 3 = 0`,
		`UPDATE risk_object SET geom = ST_SetSRID(ST_MakePoint(ST_X(geom) - 0.00002, ST_Y(geom) + 0.00001), 4490) WHERE id % 3 = 0`,
		`UPDATE risk_object SET retired_at = now() WHERE id % 17 = 0`,
		`UPDATE risk_object SET county_code = NULL WHERE id % 19 = 0`,
		`UPDATE risk_object SET retired_at = NULL WHERE id % 34 = 0`,
		`UPDATE risk_object SET name = name || '改' WHERE id % 5 = 0`,
		`DELETE FROM risk_object WHERE id % 23 = 0`,
	}
	for _, e := range edits {
		if _, err := conn.Exec(ctx, e); err != nil {
			t.Fatalf("%s: %v", e, err)
		}
	}
	for i := range 20 {
		if _, err := conn.Exec(ctx, `UPDATE risk_object SET grade = 'orange', method = 'stated', assessed_at = now() WHERE id = $1`, int64(i*29+3)); err != nil {
			t.Fatal(err)
		}
	}
	checkCellsKept(t, ctx, conn, "after the edits")
	now := stored(t, ctx, conn)
	checkEveryZoom(t, ctx, s, now, geo.DefaultClusterBelow)
	// Cells counted from the objects (zooms object_cell does not keep)
	// agree too.
	checkEveryZoom(t, ctx, s, now, 14)

	// Filtered tiles: by grade and county (object_cell answers these),
	// and by a CQL2 condition on a column (counted from the objects).
	red, _ := geo.ParseFilter(url.Values{"grade": {"red,orange"}})
	qingtian, _ := geo.ParseFilter(url.Values{"county": {"331121"}, "grade": {"unassessed"}})
	named, err := geo.ParseFilter(url.Values{"filter": {"name LIKE '对象1%' AND grade <> 'blue'"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    geo.Filter
		keep func(geo.Object) bool
	}{
		{"grade=red,orange", red, func(o geo.Object) bool { return o.Grade >= geo.Orange }},
		{"county and unassessed", qingtian, func(o geo.Object) bool { return o.County == "331121" && o.Grade == geo.Unassessed }},
		{"CQL2 on the name", named, func(o geo.Object) bool { return strings.HasPrefix(o.Name, "对象1") && o.Grade != geo.Blue }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var keep []geo.Object
			for _, o := range now {
				if tc.keep(o) {
					keep = append(keep, o)
				}
			}
			if len(keep) == 0 || len(keep) == len(now) {
				t.Fatalf("the filter keeps %d of %d objects: a test that cannot fail", len(keep), len(now))
			}
			checkFiltered(t, ctx, s, keep, geo.DefaultClusterBelow, tc.f)
		})
	}
}
