package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"riskmap/geo"
	"riskmap/geo/postgis/cluster"
	"riskmap/importers/demo"
)

// nearestResources is the size of the nearest benchmark's resource table
// (issue 7: p99 ≤ 10 ms at concurrency 8 on 100,000 resources).
const nearestResources = 100_000

// BenchmarkNearest measures GET /api/v1/nearest over HTTP against riskmap
// serve (a process of its own, as deployed) with 100,000 rescue resources
// in Lishui, 60 % clustered round the county seats, of 8 team types and 4
// statuses: 8 workers on kept-alive connections ask for the 10 nearest
// (half of them with a type and status filter) at 2,000 random incident
// points, round and round for RISKMAP_BENCH_SECONDS (default 10). First
// with no road network (straight line only: issue 7's p99 ≤ 10 ms), then
// with the demo's road network loaded, where every answer carries road
// travel times, by distance and by time.
func BenchmarkNearest(b *testing.B) {
	repeat := benchSeconds(b)
	dir := b.TempDir()
	data := filepath.Join(dir, "data")
	if out, err := riskmapCmd("demo", "--load-only", "--data-dir", data).CombinedOutput(); err != nil {
		b.Fatalf("demo: %v\n%s", err, out)
	}
	retireDemoObjects(b, data)
	ds, err := demo.Lishui()
	if err != nil {
		b.Fatal(err)
	}
	loc := geo.NewLocator(ds.Divisions)
	r := rand.New(rand.NewPCG(7, 100))
	seats := []orb.Point{{119.92, 28.45}, {119.14, 28.07}, {120.29, 28.14}, {119.57, 28.11}, {119.06, 27.62},
		{120.09, 28.66}, {119.27, 28.59}, {119.48, 28.45}, {119.64, 27.97}}
	point := func() orb.Point {
		for {
			var p orb.Point
			if r.Float64() < 0.6 {
				s := seats[r.IntN(len(seats))]
				p = orb.Point{s[0] + r.NormFloat64()*0.07, s[1] + r.NormFloat64()*0.07}
			} else {
				p = orb.Point{loadBox.Min[0] + r.Float64()*1.7, loadBox.Min[1] + r.Float64()*1.7}
			}
			if _, ok := loc.Locate(p); ok {
				return p
			}
		}
	}
	path := filepath.Join(dir, "resources.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	types := []string{"消防救援", "森林消防", "危化品救援", "矿山救护", "水域救援", "医疗急救", "物资储备库", "社会应急力量"}
	statuses := []string{"available", "available", "standby", "out_of_service"}
	fmt.Fprintln(w, "编号,名称,经度,纬度,队伍类型,状态,人数")
	for i := range nearestResources {
		p := point()
		fmt.Fprintf(w, "R%06d,救援力量%06d,%.6f,%.6f,%s,%s,%d\n", i, i, p[0], p[1], types[r.IntN(len(types))], statuses[r.IntN(len(statuses))], 5+r.IntN(80))
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	if out, err := riskmapCmd("import", "--category", "rescue_resources", "--source", "bench", "--quiet", "--data-dir", data, path).CombinedOutput(); err != nil {
		b.Fatalf("import: %v\n%s", err, out)
	}
	execSQL(b, data, "CREATE TABLE road_edge_saved AS SELECT * FROM road_edge; TRUNCATE road_edge; SELECT road_topology()")
	srv := startServe(b, data)
	defer srv.stop()
	var urls []string
	for i := range 2000 {
		p := point()
		u := fmt.Sprintf("%s/api/v1/nearest?lon=%.6f&lat=%.6f&limit=10", srv.base, p[0], p[1])
		if i%2 == 1 {
			u += "&type=fire,medical&status=available,standby"
		}
		urls = append(urls, u)
	}
	hammer(b, urls[:200], 0, false) // warm up
	for b.Loop() {
		res := hammer(b, urls, repeat, false)
		fmt.Printf("nearest, 10 of %d resources, straight line, c=8: %.0f req/s p50 %.2f p99 %.2f ms\n", nearestResources, res.rate(), ms(res.pct(0.5)), ms(res.pct(0.99)))
		b.ReportMetric(res.rate(), "nearest-req/s")
		b.ReportMetric(ms(res.pct(0.5)), "nearest-p50-ms")
		b.ReportMetric(ms(res.pct(0.99)), "nearest-p99-ms")

		execSQL(b, data, "INSERT INTO road_edge OVERRIDING SYSTEM VALUE SELECT * FROM road_edge_saved; SELECT road_topology()")
		time.Sleep(6 * time.Second) // the server rereads the network's size every 5 s
		byTime := make([]string, len(urls))
		for i, u := range urls {
			byTime[i] = u + "&by=time"
		}
		for _, c := range []struct {
			name string
			urls []string
		}{{"network-distance", urls}, {"network-time", byTime}} {
			res := hammer(b, c.urls, repeat, false)
			fmt.Printf("nearest, 10 of %d resources, demo road network (%s), c=8: %.0f req/s p50 %.2f p99 %.2f ms\n", nearestResources, c.name, res.rate(), ms(res.pct(0.5)), ms(res.pct(0.99)))
			b.ReportMetric(res.rate(), c.name+"-req/s")
			b.ReportMetric(ms(res.pct(0.99)), c.name+"-p99-ms")
		}
		execSQL(b, data, "TRUNCATE road_edge; SELECT road_topology()")
		time.Sleep(6 * time.Second)
	}
}

// execSQL runs sql on data's database (serve may be running on it).
func execSQL(b *testing.B, data, sql string) {
	cl, err := cluster.Open(context.Background(), cluster.Options{Dir: data})
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	conn, err := pgx.Connect(context.Background(), cl.ConnString())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		b.Fatalf("%s: %v", sql, err)
	}
}

// benchSeconds is how long a load run lasts: RISKMAP_BENCH_SECONDS, or
// 10 s.
func benchSeconds(b *testing.B) time.Duration {
	if v := os.Getenv("RISKMAP_BENCH_SECONDS"); v != "" {
		var n int
		if _, err := fmt.Sscan(v, &n); err != nil || n <= 0 || math.IsNaN(float64(n)) {
			b.Fatalf("RISKMAP_BENCH_SECONDS=%q is not a number of seconds", v)
		}
		return time.Duration(n) * time.Second
	}
	return 10 * time.Second
}

// retireDemoObjects takes the demo's objects off the map of data, so
// that a benchmark measures only its own.
func retireDemoObjects(b *testing.B, data string) {
	execSQL(b, data, "UPDATE risk_object SET retired_at = now()")
}
