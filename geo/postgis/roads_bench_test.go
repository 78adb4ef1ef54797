package postgis_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"riskmap/geo"
	"riskmap/geo/postgis"
	"riskmap/geo/postgis/pgtest"
)

// networkSide is the benchmark network's side in vertices: a 224 × 224
// jittered grid over Lishui's extent (lon 118.8–120.5, lat 27.2–28.9,
// about 760 m between vertices) has 99,904 edges; a tenth are one-way,
// and the classes (so the speeds) are mixed.
const networkSide = 224

// networkStore is a database holding the benchmark network, built by
// one INSERT … SELECT (as an import would store it) and the topology.
func networkStore(b *testing.B) *postgis.Store {
	b.Helper()
	ctx := context.Background()
	conn := pgtest.NewDB(b)
	s, err := postgis.Open(ctx, conn, postgis.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	db, err := pgx.Connect(ctx, conn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close(ctx)
	_, err = db.Exec(ctx, `
WITH v AS (
    SELECT i, j, 118.8 + i * 1.7 / ($1 - 1) + (random() - 0.5) * 0.002 AS x, 27.2 + j * 1.7 / ($1 - 1) + (random() - 0.5) * 0.002 AS y
    FROM generate_series(0, $1 - 1) i, generate_series(0, $1 - 1) j
), e AS (
    SELECT a.i || '-' || a.j || 'h' AS sid,
           ST_SetSRID(ST_MakeLine(ST_MakePoint(a.x, a.y), ST_MakePoint(b.x, b.y)), 4490) AS g,
           (ARRAY['national', 'provincial', 'county', 'township', 'village'])[1 + floor(random() * 5)::int] AS class,
           CASE WHEN random() < 0.1 THEN 1 ELSE 0 END AS oneway
    FROM v a JOIN v b ON b.i = a.i + 1 AND b.j = a.j
    UNION ALL
    SELECT a.i || '-' || a.j || 'v',
           ST_SetSRID(ST_MakeLine(ST_MakePoint(a.x, a.y), ST_MakePoint(b.x, b.y)), 4490),
           (ARRAY['national', 'provincial', 'county', 'township', 'village'])[1 + floor(random() * 5)::int],
           CASE WHEN random() < 0.1 THEN 1 ELSE 0 END
    FROM v a JOIN v b ON b.i = a.i AND b.j = a.j + 1
), c AS (
    SELECT e.*, ST_Length(e.g::geography, true) AS len,
           CASE e.class WHEN 'national' THEN 60 WHEN 'provincial' THEN 50 WHEN 'county' THEN 40 WHEN 'township' THEN 30 ELSE 20 END AS speed
    FROM e
)
INSERT INTO road_edge (source_name, source_id, name, class, oneway, speed_kmh, geom, length_m, cost, reverse_cost)
SELECT 'bench', sid, '', class, oneway, speed, g, len, len / (speed / 3.6), CASE WHEN oneway = 1 THEN -1 ELSE len / (speed / 3.6) END
FROM c`, networkSide)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(ctx, `SELECT road_topology()`); err != nil {
		b.Fatal(err)
	}
	n, err := s.RoadNetwork(ctx)
	if err != nil || n.Edges < 99_000 {
		b.Fatalf("network %+v %v", n, err)
	}
	return s
}

// BenchmarkTravelTimesTop10 ranks 40 candidates (the nearest a
// dispatcher's query pre-selects, within about 15 km of a random
// incident) by road travel time and keeps the 10 fastest, on the
// 100,000-edge network (issue 7: ≤ 300 ms). BenchmarkIsochrones30 draws
// the 5, 10, 15 and 30 minute bands round a random incident (≤ 1 s).
//
//	go test -run '^$' -bench 'TravelTimes|Isochrones' ./geo/postgis/
func BenchmarkTravelTimesTop10(b *testing.B) {
	ctx := context.Background()
	s := networkStore(b)
	r := rand.New(rand.NewPCG(3, 3))
	reached := 0
	for b.Loop() {
		at := orb.Point{119.2 + r.Float64()*0.9, 27.6 + r.Float64()*0.9}
		from := make([]orb.Point, 40)
		for i := range from {
			from[i] = orb.Point{at[0] + (r.Float64()-0.5)*0.3, at[1] + (r.Float64()-0.5)*0.3}
		}
		ts, err := s.TravelTimes(ctx, at, from)
		if err != nil {
			b.Fatal(err)
		}
		idx := make([]int, len(ts))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(x, y int) int {
			if ts[x].Reachable != ts[y].Reachable {
				if ts[x].Reachable {
					return -1
				}
				return 1
			}
			switch {
			case ts[x].Seconds < ts[y].Seconds:
				return -1
			case ts[x].Seconds > ts[y].Seconds:
				return 1
			}
			return 0
		})
		for _, i := range idx[:10] {
			if ts[i].Reachable {
				reached++
			}
		}
	}
	if reached == 0 {
		b.Fatal("nothing reachable: the benchmark measured nothing")
	}
}

func BenchmarkIsochrones30(b *testing.B) {
	ctx := context.Background()
	s := networkStore(b)
	r := rand.New(rand.NewPCG(4, 4))
	for b.Loop() {
		at := orb.Point{119.2 + r.Float64()*0.9, 27.6 + r.Float64()*0.9}
		bands, err := s.Isochrones(ctx, at, geo.IsochroneMinutes, true)
		if err != nil || len(bands) != 4 {
			b.Fatalf("%d bands, %v", len(bands), err)
		}
	}
}
