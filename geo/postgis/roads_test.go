package postgis_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/planar"

	"riskmap/geo"
	"riskmap/geo/postgis"
)

// gridRoads is an n × n grid of roads 0.01° apart from (119.9, 28.3),
// each edge its own road, random classes, a fifth of them one-way, and
// two roads far off (an island no road joins).
func gridRoads(r *rand.Rand, n int) []geo.Road {
	var out []geo.Road
	pt := func(i, j int) orb.Point { return orb.Point{119.9 + float64(i)*0.01, 28.3 + float64(j)*0.01} }
	classes := []string{"国道", "省道", "县道", "乡道", "村道"}
	add := func(a, b orb.Point, id string) {
		ow := 0
		if r.IntN(5) == 0 {
			ow = []int{-1, 1}[r.IntN(2)]
		}
		out = append(out, geo.Road{SourceID: id, Name: id, Class: classes[r.IntN(len(classes))], OneWay: ow, Line: orb.LineString{a, b}})
	}
	for i := range n {
		for j := range n {
			if i+1 < n {
				add(pt(i, j), pt(i+1, j), fmt.Sprintf("h%d-%d", i, j))
			}
			if j+1 < n {
				add(pt(i, j), pt(i, j+1), fmt.Sprintf("v%d-%d", i, j))
			}
		}
	}
	add(orb.Point{120.5, 28.3}, orb.Point{120.51, 28.3}, "island1")
	add(orb.Point{120.51, 28.3}, orb.Point{120.52, 28.31}, "island2")
	return out
}

func roadStore(t *testing.T, roads []geo.Road) (*postgis.Store, *pgx.Conn) {
	t.Helper()
	s, db := loadedStore(t, randomDataset(nil))
	if _, err := s.ImportRoads(context.Background(), "test", roads, false); err != nil {
		t.Fatal(err)
	}
	return s, db
}

// TestTravelTimesAgreeWithDijkstra: from vertices to vertices, the times
// are pgRouting's own pgr_dijkstraCost on the whole network, one-ways
// and islands included.
func TestTravelTimesAgreeWithDijkstra(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(5, 6))
	s, db := roadStore(t, gridRoads(r, 8))
	type vertex struct {
		id int64
		p  orb.Point
	}
	rows, err := db.Query(ctx, `SELECT id, ST_X(geom), ST_Y(geom) FROM road_vertex ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (vertex, error) {
		var v vertex
		return v, row.Scan(&v.id, &v.p[0], &v.p[1])
	})
	if err != nil || len(vs) != 67 {
		t.Fatalf("%d vertices (%v), want 64 + 3", len(vs), err)
	}
	oneways := 0
	for range 12 {
		to := vs[r.IntN(len(vs))]
		var from []orb.Point
		var ids []int64
		for range 15 {
			v := vs[r.IntN(len(vs))]
			from, ids = append(from, v.p), append(ids, v.id)
		}
		got, err := s.TravelTimes(ctx, to.p, from)
		if err != nil {
			t.Fatal(err)
		}
		for i, id := range ids {
			var want float64
			err := db.QueryRow(ctx, `SELECT coalesce((SELECT agg_cost FROM pgr_dijkstraCost('SELECT id, source, target, cost, reverse_cost FROM road_edge', $1::bigint, $2::bigint, true)), -1)`, id, to.id).Scan(&want)
			if err != nil {
				t.Fatal(err)
			}
			if id == to.id {
				want = 0
			}
			switch {
			case want < 0 && got[i].Reachable:
				t.Errorf("%d → %d: %v, but Dijkstra finds no path", id, to.id, got[i])
			case want >= 0 && !got[i].Reachable:
				t.Errorf("%d → %d: unreachable, Dijkstra says %v s", id, to.id, want)
			case want >= 0 && math.Abs(got[i].Seconds-want) > 1e-6:
				t.Errorf("%d → %d: %v s, Dijkstra says %v s", id, to.id, got[i].Seconds, want)
			}
			var back float64
			db.QueryRow(ctx, `SELECT coalesce((SELECT agg_cost FROM pgr_dijkstraCost('SELECT id, source, target, cost, reverse_cost FROM road_edge', $2::bigint, $1::bigint, true)), -1)`, id, to.id).Scan(&back)
			if back >= 0 && want >= 0 && math.Abs(back-want) > 1 {
				oneways++
			}
		}
	}
	if oneways == 0 {
		t.Fatal("no pair whose times differ by direction: the one-way roads were not tested")
	}
}

// TestRoutingByHand: a small network worked out by hand, points between
// vertices, and a one-way street forcing a detour.
func TestRoutingByHand(t *testing.T) {
	ctx := context.Background()
	a, b, c := orb.Point{119.90, 28.40}, orb.Point{119.92, 28.40}, orb.Point{119.94, 28.40}
	d, e := orb.Point{119.92, 28.42}, orb.Point{119.94, 28.42}
	roads := []geo.Road{
		{SourceID: "ab", Class: "national", Line: orb.LineString{a, b}},
		{SourceID: "bc", Class: "国道", Line: orb.LineString{b, c}},
		{SourceID: "bd", Class: "county", Line: orb.LineString{b, d}},
		{SourceID: "de", Class: "county", Line: orb.LineString{d, e}},
		{SourceID: "ec", Class: "county", OneWay: 1, Line: orb.LineString{e, c}}, // only from e to c
	}
	s, db := roadStore(t, roads)
	length := func(id string) float64 {
		var m float64
		if err := db.QueryRow(ctx, `SELECT length_m FROM road_edge WHERE source_id = $1`, id).Scan(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	at := func(km, l float64) float64 { return l / (km / 3.6) }
	ab, bc, bd, de, ec := length("ab"), length("bc"), length("bd"), length("de"), length("ec")
	mid := orb.Point{119.91, 28.40} // halfway along ab
	cases := []struct {
		name     string
		from, to orb.Point
		secs     float64
	}{
		{"along", a, c, at(60, ab) + at(60, bc)},
		{"with the one-way", e, c, at(40, ec)},
		{"against the one-way: round by b and d", c, e, at(60, bc) + at(40, bd) + at(40, de)},
		{"from halfway along a road", mid, d, at(60, ab)/2 + at(40, bd)},
		{"from a junction to itself", b, b, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.TravelTimes(ctx, tc.to, []orb.Point{tc.from})
			if err != nil {
				t.Fatal(err)
			}
			if !got[0].Reachable || math.Abs(got[0].Seconds-tc.secs) > 0.5 {
				t.Fatalf("%+v, want %v s", got[0], tc.secs)
			}
			route, err := s.Route(ctx, tc.from, tc.to)
			if err != nil {
				t.Fatal(err)
			}
			if !route.Reachable || math.Abs(route.Seconds-tc.secs) > 0.5 || math.Abs(route.Metres-got[0].Metres) > 0.5 {
				t.Fatalf("route %+v, want %v s and %v m", route.Travel, tc.secs, got[0].Metres)
			}
			if route.Line[0] != tc.from || route.Line[len(route.Line)-1] != tc.to {
				t.Fatalf("route from %v to %v, want %v to %v", route.Line[0], route.Line[len(route.Line)-1], tc.from, tc.to)
			}
		})
	}
	// A point a few hundred metres off the road: the leg counts.
	off := orb.Point{119.91, 28.403}
	got, err := s.TravelTimes(ctx, d, []orb.Point{off})
	if err != nil {
		t.Fatal(err)
	}
	if !got[0].Reachable || got[0].Seconds < at(60, ab)/2+at(40, bd)+55 { // a 333 m leg at 20 km/h: 60 s
		t.Fatalf("from off the road: %+v", got[0])
	}
	// Far from every road: unreachable.
	if got, err := s.TravelTimes(ctx, d, []orb.Point{{121.5, 29.5}}); err != nil || got[0].Reachable {
		t.Fatalf("from nowhere: %+v %v", got, err)
	}
	if r, err := s.Route(ctx, orb.Point{121.5, 29.5}, d); err != nil || r.Reachable {
		t.Fatalf("route from nowhere: %+v %v", r, err)
	}
}

// TestIsochrones: bands nest, and each holds the vertices Dijkstra
// reaches within it.
func TestIsochrones(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(9, 9))
	s, db := roadStore(t, gridRoads(r, 10))
	start := orb.Point{119.94, 28.34}
	var sv int64
	if err := db.QueryRow(ctx, `SELECT id FROM road_vertex ORDER BY geom <-> ST_SetSRID(ST_MakePoint(119.94, 28.34), 4490) LIMIT 1`).Scan(&sv); err != nil {
		t.Fatal(err)
	}
	bands, err := s.Isochrones(ctx, start, []int{5, 2, 10}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(bands) != 3 || bands[0].Minutes != 2 || bands[2].Minutes != 10 {
		t.Fatalf("bands %+v", bands)
	}
	for i, b := range bands {
		rows, err := db.Query(ctx, `SELECT ST_X(v.geom), ST_Y(v.geom) FROM pgr_drivingDistance('SELECT id, source, target, cost, reverse_cost FROM road_edge', $1::bigint, $2::float8, true) d JOIN road_vertex v ON v.id = d.node`, sv, float64(b.Minutes*60))
		if err != nil {
			t.Fatal(err)
		}
		var n int
		for rows.Next() {
			var p orb.Point
			rows.Scan(&p[0], &p[1])
			if !contains(b.Area, p) {
				t.Errorf("%d min: vertex %v reached by Dijkstra lies outside the band", b.Minutes, p)
			}
			n++
		}
		if n < 2 {
			t.Fatalf("%d min: Dijkstra reaches %d vertices: the test proves nothing", b.Minutes, n)
		}
		if i > 0 {
			var inside bool
			if err := db.QueryRow(ctx, `SELECT ST_Covers(ST_GeomFromWKB($1), ST_GeomFromWKB($2))`, wkbOf(bands[i].Area), wkbOf(bands[i-1].Area)).Scan(&inside); err != nil || !inside {
				t.Errorf("%d min does not hold %d min (%v)", b.Minutes, bands[i-1].Minutes, err)
			}
		}
	}
	if _, err := s.Isochrones(ctx, start, []int{0}, false); !errors.Is(err, geo.ErrInvalid) {
		t.Fatalf("0 minutes: %v", err)
	}
}

func contains(g orb.Geometry, p orb.Point) bool {
	switch a := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(a, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(a, p)
	}
	return false
}

// TestImportRoadsAllOrNothing: a bad road leaves the network as it was;
// a re-import with replace keeps only the new roads.
func TestImportRoadsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	roads := gridRoads(r, 4)
	s, _ := roadStore(t, roads)
	before, err := s.RoadNetwork(ctx)
	if err != nil || before.Edges != int64(len(roads)) {
		t.Fatalf("%+v %v", before, err)
	}
	for _, c := range []struct {
		name, param string
		road        geo.Road
	}{
		{"one point", "line", geo.Road{SourceID: "x", Line: orb.LineString{{119.9, 28.3}}}},
		{"unknown class", "class", geo.Road{SourceID: "x", Class: "flyover", Line: orb.LineString{{119.9, 28.3}, {119.91, 28.3}}}},
		{"speed", "speed", geo.Road{SourceID: "x", SpeedKMH: 500, Line: orb.LineString{{119.9, 28.3}, {119.91, 28.3}}}},
		{"no id", "source_id", geo.Road{Line: orb.LineString{{119.9, 28.3}, {119.91, 28.3}}}},
	} {
		_, err := s.ImportRoads(ctx, "test", append(roads[:3:3], c.road), true)
		var pe *geo.ParamError
		if !errors.As(err, &pe) || pe.Param != fmt.Sprintf("roads[3] (%s).%s", c.road.SourceID, c.param) {
			t.Errorf("%s: %v, want a ParamError for roads[3]'s %s", c.name, err, c.param)
		}
		if after, _ := s.RoadNetwork(ctx); after != before {
			t.Fatalf("%s: the network changed: %+v, was %+v", c.name, after, before)
		}
	}
	res, err := s.ImportRoads(ctx, "test", roads[:5], true)
	if err != nil || res.Edges != 5 || res.Removed != int64(len(roads)-5) {
		t.Fatalf("replace: %+v %v", res, err)
	}
	// One road gone, one new: one removed, though as many stored as before.
	res, err = s.ImportRoads(ctx, "test", roads[1:6], true)
	if err != nil || res.Edges != 5 || res.Removed != 1 {
		t.Fatalf("replace one road by another: %+v %v", res, err)
	}
}

func wkbOf(g orb.Geometry) []byte { return wkb.MustMarshal(g) }
