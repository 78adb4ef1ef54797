package geo_test

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"riskmap/geo"
)

// twoCounties are two squares side by side with a triangular bite, so
// that cells along the shared edge and the bite need the exact test.
func twoCounties() []geo.Division {
	a := orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}}
	b := orb.MultiPolygon{{{{1, 0}, {2, 0}, {2, 1}, {1.5, 0.5}, {1, 1}, {1, 0}}}}
	return []geo.Division{{Code: "000001", Geometry: a}, {Code: "000002", Geometry: b}}
}

func TestLocatorAgreesWithPolygonTest(t *testing.T) {
	divs := twoCounties()
	l := geo.NewLocator(divs)
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 200000; n++ {
		p := orb.Point{r.Float64()*2.4 - 0.2, r.Float64()*1.4 - 0.2}
		want := ""
		for _, d := range divs {
			if planar.MultiPolygonContains(d.Geometry, p) {
				want = d.Code
			}
		}
		got, ok := l.Locate(p)
		if (ok && got.Code != want) || (!ok && want != "") {
			t.Fatalf("Locate(%v) = %q, %v; want %q", p, got.Code, ok, want)
		}
	}
}

func TestLocatorNearest(t *testing.T) {
	l := geo.NewLocator(twoCounties())
	d, m := l.Nearest(orb.Point{2.01, 0.2})
	if d.Code != "000002" || m < 900 || m > 1200 {
		t.Errorf("Nearest = %s at %.0f m; want 000002 at about 1,050 m", d.Code, m)
	}
	if geo.NewLocator(nil) != nil {
		t.Error("NewLocator(nil) is not nil")
	}
}

func BenchmarkLocate(b *testing.B) {
	l := geo.NewLocator(twoCounties())
	r := rand.New(rand.NewPCG(1, 2))
	pts := make([]orb.Point, 4096)
	for i := range pts {
		pts[i] = orb.Point{r.Float64() * 2, r.Float64()}
	}
	for i := 0; b.Loop(); i++ {
		l.Locate(pts[i%len(pts)])
	}
}
