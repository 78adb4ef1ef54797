package crs

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// haversine returns the great-circle distance between two lon/lat points in
// metres, on a sphere of the mean Earth radius.
func haversine(a, b orb.Point) float64 {
	const r = 6371008.8
	lat1 := a[1] * math.Pi / 180
	lat2 := b[1] * math.Pi / 180
	dLat := lat2 - lat1
	dLon := (b[0] - a[0]) * math.Pi / 180
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1)*math.Cos(lat2)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// near reports whether a and b agree within tol degrees in both axes.
func near(a, b orb.Point, tol float64) bool {
	return math.Abs(a[0]-b[0]) <= tol && math.Abs(a[1]-b[1]) <= tol
}

// TestReferenceVectors checks the forward formulas against published values
// and the inverses against the same pairs.
func TestReferenceVectors(t *testing.T) {
	tests := []struct {
		name    string
		wgs     orb.Point
		gcj     orb.Point
		bd      orb.Point // zero when not published
		tol     float64   // degrees, from the precision the value is given to
		inverse float64   // degrees, for the inverses
	}{
		// shared/docs/frontend.md §2.3, "Test vectors", given to 6 decimals.
		{"frontend.md 莲都", orb.Point{119.922, 28.452}, orb.Point{119.926403, 28.448589}, orb.Point{119.932977, 28.454318}, 5.1e-7, 1e-6},
		{"frontend.md 龙泉", orb.Point{119.140, 28.070}, orb.Point{119.145088, 28.066884}, orb.Point{119.151516, 28.073135}, 5.1e-7, 1e-6},
		// The test table of github.com/googollee/eviltransform,
		// go/transform_test.go (an independent implementation of the same
		// forward formula, values given to about 1e-14°).
		{"eviltransform shanghai", orb.Point{121.5272106, 31.1774276}, orb.Point{121.531541859215, 31.17530398364597}, orb.Point{}, 1e-11, 1e-10},
		{"eviltransform shenzhen", orb.Point{113.912316, 22.543847}, orb.Point{113.9171764808363, 22.540796131694766}, orb.Point{}, 1e-11, 1e-10},
		{"eviltransform beijing", orb.Point{116.377817, 39.911954}, orb.Point{116.38404722455657, 39.91334545536069}, orb.Point{}, 1e-11, 1e-10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WGS84ToGCJ02(tt.wgs); !near(got, tt.gcj, tt.tol) {
				t.Errorf("WGS84ToGCJ02(%v) = %.10f, want %.10f", tt.wgs, got, tt.gcj)
			}
			if got := GCJ02ToWGS84(tt.gcj); !near(got, tt.wgs, tt.inverse) {
				t.Errorf("GCJ02ToWGS84(%v) = %.10f, want %.10f", tt.gcj, got, tt.wgs)
			}
			if tt.bd == (orb.Point{}) {
				return
			}
			if got := WGS84ToBD09(tt.wgs); !near(got, tt.bd, tt.tol) {
				t.Errorf("WGS84ToBD09(%v) = %.10f, want %.10f", tt.wgs, got, tt.bd)
			}
			if got := BD09ToWGS84(tt.bd); !near(got, tt.wgs, tt.inverse) {
				t.Errorf("BD09ToWGS84(%v) = %.10f, want %.10f", tt.bd, got, tt.wgs)
			}
			if got := GCJ02ToBD09(tt.gcj); !near(got, tt.bd, tt.inverse) {
				t.Errorf("GCJ02ToBD09(%v) = %.10f, want %.10f", tt.gcj, got, tt.bd)
			}
			if got := BD09ToGCJ02(tt.bd); !near(got, tt.gcj, tt.inverse) {
				t.Errorf("BD09ToGCJ02(%v) = %.10f, want %.10f", tt.bd, got, tt.gcj)
			}
		})
	}
}

// TestDataVCenters converts two GCJ-02 points published by AMap, the
// `center` attributes of 丽水市 (330000.json, feature 331100) and 莲都区
// (331100.json, feature 331102) in Alibaba DataV.GeoAtlas areas_v3, and
// compares them with shared/data/lishui/lishui_county_seats.geojson, where
// the data team converted the same points to WGS84 with their own
// implementation. Both sides are rounded to 6 decimals.
func TestDataVCenters(t *testing.T) {
	tests := []struct {
		name     string
		gcj, wgs orb.Point
	}{
		{"丽水市", orb.Point{119.921786, 28.451993}, orb.Point{119.917382, 28.455407}},
		{"莲都区", orb.Point{119.922293, 28.451103}, orb.Point{119.91789, 28.454517}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := GCJ02ToWGS84(tt.gcj); !near(got, tt.wgs, 1.1e-6) {
				t.Errorf("GCJ02ToWGS84(%v) = %.7f, want %.6f", tt.gcj, got, tt.wgs)
			}
			if got := WGS84ToGCJ02(tt.wgs); !near(got, tt.gcj, 1.1e-6) {
				t.Errorf("WGS84ToGCJ02(%v) = %.7f, want %.6f", tt.wgs, got, tt.gcj)
			}
		})
	}
}

// TestLishuiOffsets checks the size and direction of the shifts against
// frontend.md §2.2: GCJ-02 574 m at 莲都 (119.922, 28.452) and 608 m at
// 龙泉, BD-09 1.10–1.19 km. Over the county seats of
// shared/data/lishui/lishui_county_seats.geojson the GCJ-02 shift ranges
// from 555 m (青田) to 608 m, so "about 570–610 m" is checked as 550–615 m
// there and as 570–610 m at the two points frontend.md names.
func TestLishuiOffsets(t *testing.T) {
	tests := []struct {
		name           string
		wgs            orb.Point
		gcjMin, gcjMax float64 // metres
	}{
		{"frontend.md 莲都", orb.Point{119.922, 28.452}, 570, 580},
		{"frontend.md 龙泉", orb.Point{119.140, 28.070}, 600, 610},
		{"莲都区", orb.Point{119.91789, 28.454517}, 550, 615},
		{"青田县", orb.Point{120.287629, 28.138481}, 550, 615},
		{"缙云县", orb.Point{120.074282, 28.657179}, 550, 615},
		{"遂昌县", orb.Point{119.270923, 28.595579}, 550, 615},
		{"松阳县", orb.Point{119.480329, 28.453119}, 550, 615},
		{"云和县", orb.Point{119.564808, 28.114504}, 550, 615},
		{"庆元县", orb.Point{119.062179, 27.621283}, 550, 615},
		{"景宁畲族自治县", orb.Point{119.630069, 27.980659}, 550, 615},
		{"龙泉市", orb.Point{119.127212, 28.072276}, 550, 615},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gcj := WGS84ToGCJ02(tt.wgs)
			bd := WGS84ToBD09(tt.wgs)
			dg, db := haversine(tt.wgs, gcj), haversine(tt.wgs, bd)
			t.Logf("GCJ-02 %.1f m, BD-09 %.1f m", dg, db)
			if dg < tt.gcjMin || dg > tt.gcjMax {
				t.Errorf("GCJ-02 offset %.1f m, want %g–%g m", dg, tt.gcjMin, tt.gcjMax)
			}
			// Direction: east and south (frontend.md: about +0.0044° lon,
			// −0.0034° lat).
			if dLon, dLat := gcj[0]-tt.wgs[0], gcj[1]-tt.wgs[1]; dLon < 0.004 || dLon > 0.0055 || dLat > -0.0028 || dLat < -0.004 {
				t.Errorf("GCJ-02 shift (%+.5f°, %+.5f°), want about (+0.0044°, −0.0034°)", dLon, dLat)
			}
			if db < 1100 || db > 1200 {
				t.Errorf("BD-09 offset %.1f m, want 1100–1200 m", db)
			}
		})
	}
}

// chinaGrid returns a grid of WGS84 points across China, kept away from
// the edges of the China rectangle, including the lines x = 0 and y = 0
// of the formula (105°E, 35°N), where √|x| is least smooth.
func chinaGrid() []orb.Point {
	var pts []orb.Point
	for lon := 73.0; lon <= 135.5; lon += 0.25 {
		for lat := 3.5; lat <= 53.5; lat += 0.25 {
			pts = append(pts, orb.Point{lon, lat})
		}
	}
	for _, lat := range []float64{20, 35, 35 + 1e-12, 45} {
		for _, lon := range []float64{105 - 1e-9, 105 - 1e-13, 105, 105 + 1e-13, 105 + 1e-9} {
			pts = append(pts, orb.Point{lon, lat})
		}
	}
	return pts
}

// TestRoundTrips measures WGS84→GCJ02→WGS84, WGS84→BD09→WGS84 and the
// reverse trips over a grid across China.
func TestRoundTrips(t *testing.T) {
	const maxMetres = 0.01
	pts := chinaGrid()
	tests := []struct {
		name    string
		forward func(orb.Point) orb.Point
		inverse func(orb.Point) orb.Point
	}{
		{"wgs84→gcj02→wgs84", WGS84ToGCJ02, GCJ02ToWGS84},
		{"gcj02→wgs84→gcj02", GCJ02ToWGS84, WGS84ToGCJ02},
		{"wgs84→bd09→wgs84", WGS84ToBD09, BD09ToWGS84},
		{"bd09→wgs84→bd09", BD09ToWGS84, WGS84ToBD09},
		{"gcj02→bd09→gcj02", GCJ02ToBD09, BD09ToGCJ02},
		{"bd09→gcj02→bd09", BD09ToGCJ02, GCJ02ToBD09},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			worst, worstAt := 0.0, orb.Point{}
			for _, p := range pts {
				q := tt.inverse(tt.forward(p))
				d := haversine(p, q)
				if !(d <= worst) {
					worst, worstAt = d, p
				}
			}
			t.Logf("%d points, worst error %.3g m at %v", len(pts), worst, worstAt)
			if !(worst <= maxMetres) {
				t.Errorf("worst round-trip error %.3g m at %v, want ≤ %g m", worst, worstAt, maxMetres)
			}
		})
	}
}

// TestOneStepInverseIsWorse shows why the inverse iterates: the usual
// one-step approximation is off by up to a couple of metres, the iteration
// by far less than a millimetre.
func TestOneStepInverseIsWorse(t *testing.T) {
	w := orb.Point{119.922, 28.452}
	g := WGS84ToGCJ02(w)
	dLon, dLat := gcjDelta(g[0], g[1])
	oneStep := orb.Point{g[0] - dLon, g[1] - dLat}
	d1 := haversine(w, oneStep)
	d2 := haversine(w, GCJ02ToWGS84(g))
	t.Logf("one-step error %.3f m, iterated error %.2g m", d1, d2)
	if d1 < 0.1 || d2 > 1e-4 {
		t.Errorf("one-step error %.3f m, iterated %.2g m", d1, d2)
	}
}

func TestOutsideChina(t *testing.T) {
	tests := []struct {
		name string
		p    orb.Point
	}{
		{"paris", orb.Point{2.3522, 48.8566}},
		{"new york", orb.Point{-74.006, 40.7128}},
		{"tokyo", orb.Point{139.6917, 35.6895}},
		{"sydney", orb.Point{151.2093, -33.8688}},
		{"null island", orb.Point{0, 0}},
		{"west of the rectangle", orb.Point{72.003, 40}},
		{"north of the rectangle", orb.Point{120, 55.828}},
		{"south of the rectangle", orb.Point{110, 0.8292}},
		{"east of the rectangle", orb.Point{137.8348, 40}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WGS84ToGCJ02(tt.p); got != tt.p {
				t.Errorf("WGS84ToGCJ02(%v) = %v, want identity", tt.p, got)
			}
			if got := GCJ02ToWGS84(tt.p); got != tt.p {
				t.Errorf("GCJ02ToWGS84(%v) = %v, want identity", tt.p, got)
			}
			// Baidu's shift applies everywhere, and inverts.
			if got := BD09ToWGS84(WGS84ToBD09(tt.p)); haversine(got, tt.p) > 0.01 {
				t.Errorf("BD-09 round trip of %v gave %v", tt.p, got)
			}
			if got := GCJ02ToWGS84(WGS84ToGCJ02(tt.p)); got != tt.p {
				t.Errorf("GCJ-02 round trip of %v gave %v", tt.p, got)
			}
		})
	}
}

// TestRoughRectangle documents that places outside the mainland but inside
// the rough rectangle are shifted like the mainland.
func TestRoughRectangle(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    orb.Point
	}{
		{"hong kong", orb.Point{114.1694, 22.3193}},
		{"macau", orb.Point{113.5439, 22.1987}},
		{"taipei", orb.Point{121.5654, 25.033}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if d := haversine(tt.p, WGS84ToGCJ02(tt.p)); d < 100 {
				t.Errorf("shift %.1f m, want the mainland's hundreds of metres", d)
			}
		})
	}
}

func TestNonFinite(t *testing.T) {
	nan := math.NaN()
	inf := math.Inf(1)
	fns := []struct {
		name string
		f    func(orb.Point) orb.Point
	}{
		{"WGS84ToGCJ02", WGS84ToGCJ02}, {"GCJ02ToWGS84", GCJ02ToWGS84},
		{"GCJ02ToBD09", GCJ02ToBD09}, {"BD09ToGCJ02", BD09ToGCJ02},
		{"WGS84ToBD09", WGS84ToBD09}, {"BD09ToWGS84", BD09ToWGS84},
	}
	for _, fn := range fns {
		for _, p := range []orb.Point{{nan, 30}, {120, nan}, {inf, 30}, {120, -inf}} {
			// Only that it returns; the values are meaningless.
			_ = fn.f(p)
		}
	}
}

func TestGCJ02ToWGS84Allocs(t *testing.T) {
	g := orb.Point{119.926403, 28.448589}
	var sink orb.Point
	if n := testing.AllocsPerRun(100, func() { sink = GCJ02ToWGS84(g) }); n != 0 {
		t.Errorf("GCJ02ToWGS84 allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { sink = BD09ToWGS84(g) }); n != 0 {
		t.Errorf("BD09ToWGS84 allocates %v times", n)
	}
	_ = sink
}

func BenchmarkGCJ02ToWGS84(b *testing.B) {
	// 1024 GCJ-02 points spread over Lishui.
	pts := make([]orb.Point, 1024)
	for i := range pts {
		w := orb.Point{118.7 + 1.9*float64(i%32)/32, 27.4 + 1.5*float64(i/32)/32}
		pts[i] = WGS84ToGCJ02(w)
	}
	var sink orb.Point
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sink = GCJ02ToWGS84(pts[i&1023])
		i++
	}
	_ = sink
}

func BenchmarkWGS84ToGCJ02(b *testing.B) {
	p := orb.Point{119.922, 28.452}
	var sink orb.Point
	b.ReportAllocs()
	for b.Loop() {
		sink = WGS84ToGCJ02(p)
	}
	_ = sink
}

func BenchmarkBD09ToWGS84(b *testing.B) {
	p := orb.Point{119.932977, 28.454318}
	var sink orb.Point
	b.ReportAllocs()
	for b.Loop() {
		sink = BD09ToWGS84(p)
	}
	_ = sink
}
