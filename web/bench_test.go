package web_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// lishuiTiles lists the tiles at zoom z that cover Lishui's seats and towns,
// where the demo's objects are.
func lishuiTiles(z maptile.Zoom) []maptile.Tile {
	b := orb.Bound{Min: orb.Point{118.9, 27.6}, Max: orb.Point{120.3, 28.8}}
	min, max := maptile.At(orb.Point{b.Min[0], b.Max[1]}, z), maptile.At(orb.Point{b.Max[0], b.Min[1]}, z)
	var out []maptile.Tile
	for x := min.X; x <= max.X; x++ {
		for y := min.Y; y <= max.Y; y++ {
			out = append(out, maptile.New(x, y, z))
		}
	}
	return out
}

// benchmarkTiles fetches the full map's tiles (all nine layers, as the
// page asks for them) round-robin over Lishui at zoom z, through HTTP and
// PostGIS, uncached (or, cached, from the tile cache once each is in).
func benchmarkTiles(b *testing.B, z maptile.Zoom, cached bool) {
	srv, store := demoServer(b)
	if cached {
		srv, _ = cachedServer(b, store, time.Second)
	}
	ts := lishuiTiles(z)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	fetch := func(t maptile.Tile) int64 {
		url := fmt.Sprintf("%s/tiles/counties,regions_grid,context,enterprises,bridges,black_spots,rescue_resources,shelters,hidden_hazards/%d/%d/%d.mvt", srv.URL, t.Z, t.X, t.Y)
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("GET %s: %d", url, resp.StatusCode)
		}
		return n
	}
	if cached {
		for _, t := range ts { // every tile in the cache first
			fetch(t)
		}
	}
	var bytes int64
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		bytes += fetch(ts[i%len(ts)])
	}
	b.ReportMetric(float64(bytes)/float64(b.N), "wire-bytes/tile")
}

func BenchmarkTileZ10(b *testing.B)       { benchmarkTiles(b, 10, false) }
func BenchmarkTileZ14(b *testing.B)       { benchmarkTiles(b, 14, false) }
func BenchmarkTileCachedZ10(b *testing.B) { benchmarkTiles(b, 10, true) }
func BenchmarkTileCachedZ14(b *testing.B) { benchmarkTiles(b, 14, true) }

// BenchmarkWallOverview: what each wall asks after a change, GET
// /api/v1/stats/overview over the demo's 10,800 objects, through HTTP
// and PostGIS; walls × changes per second × this is the load walls add.
func BenchmarkWallOverview(b *testing.B) {
	srv, _ := demoServer(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	for b.Loop() {
		resp, err := client.Get(srv.URL + "/api/v1/stats/overview")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("overview: %d", resp.StatusCode)
		}
	}
}
