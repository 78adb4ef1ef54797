package postgis_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"riskmap/geo"
	"riskmap/geo/postgis"
	"riskmap/geo/postgis/pgtest"
)

// benchObjects is the size of the grading benchmarks' map.
const benchObjects = 200_000

// benchStore is a database holding benchObjects enterprises in the small
// dataset's two counties, graded by LEC from their factors.
func benchStore(b *testing.B) *postgis.Store {
	b.Helper()
	ctx := context.Background()
	s, err := postgis.Open(ctx, pgtest.NewDB(b), postgis.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	ds := smallDataset()
	ds.Objects = nil
	r := rand.New(rand.NewPCG(1, 2))
	l, e, c := []float64{10, 6, 3, 1, 0.5}, []float64{10, 6, 3, 2, 1}, []float64{100, 40, 15, 7, 3, 1}
	for i := range benchObjects {
		county, x := "331102", 119.9
		if i%2 == 1 {
			county, x = "331121", 120.2
		}
		ds.Objects = append(ds.Objects, geo.Object{Category: geo.Enterprises, Name: fmt.Sprint("企业", i), SourceID: fmt.Sprint(i), County: county,
			Point:      orb.Point{x + r.Float64()*0.09, 28.4 + r.Float64()*0.09},
			Attributes: map[string]any{"lec_l": l[r.IntN(len(l))], "lec_e": e[r.IntN(len(e))], "lec_c": c[r.IntN(len(c))]}})
	}
	if _, err := s.Load(ctx, ds); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkRecompute times riskmap grade --recompute over 200,000
// objects: when nothing changed, and after the LEC scheme in force
// changed (preset A to B and back), which regrades about a third of them.
//
//	go test -run '^$' -bench Recompute -benchtime 3x ./geo/postgis/
func BenchmarkRecompute(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	b.Run("unchanged", func(b *testing.B) {
		for b.Loop() {
			st, err := s.Regrade(ctx, postgis.RegradeFilter{}, "recompute", "bench")
			if err != nil || st.Objects != benchObjects || st.Changed != 0 {
				b.Fatalf("%+v, %v", st, err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/recompute")
	})
	b.Run("scheme-change", func(b *testing.B) {
		useB := true
		changed := 0
		for b.Loop() {
			b.StopTimer()
			set, err := s.Grading(ctx)
			if err != nil {
				b.Fatal(err)
			}
			for i := range set.Schemes {
				switch set.Schemes[i].Code {
				case "lec_4c_A":
					set.Schemes[i].Enabled = !useB
				case "lec_4c_B":
					set.Schemes[i].Enabled = useB
				}
			}
			if _, err := s.LoadGrading(ctx, set, "bench", "bench"); err != nil {
				b.Fatal(err)
			}
			useB = !useB
			b.StartTimer()
			st, err := s.Regrade(ctx, postgis.RegradeFilter{}, "recompute", "bench")
			if err != nil || st.Changed == 0 {
				b.Fatalf("%+v, %v", st, err)
			}
			changed = st.Changed
		}
		b.ReportMetric(float64(changed), "objects-changed")
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/recompute")
	})
}

// BenchmarkEditToRegion times one assessment that changes an object's
// grade, until the county's regional counts (and its colour) show it:
// the counts move in the edit's own transaction, so this is the whole
// latency from the request to a region read.
//
//	go test -run '^$' -bench EditToRegion ./geo/postgis/
func BenchmarkEditToRegion(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	objs, _, err := s.Objects(ctx, geo.Enterprises, geo.Page{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	id := objs[0].ID
	inputs := []map[string]any{{"lec_l": 10.0, "lec_e": 10.0, "lec_c": 100.0}, {"lec_l": 0.5, "lec_e": 1.0, "lec_c": 1.0}}
	i := 0
	var worst time.Duration
	for b.Loop() {
		start := time.Now()
		a, err := s.Assess(ctx, "", id, inputs[i%2], "bench")
		if err != nil {
			b.Fatal(err)
		}
		regions, err := s.Regions(ctx, "county", []geo.Category{geo.Enterprises}, nil)
		if err != nil {
			b.Fatal(err)
		}
		found := false
		for _, r := range regions {
			found = found || r.Counts[a.Grade.String()] > 0
		}
		if !found {
			b.Fatalf("no region counts a %s object", a.Grade)
		}
		worst = max(worst, time.Since(start))
		i++
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
}
