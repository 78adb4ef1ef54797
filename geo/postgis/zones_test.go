package postgis_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"riskmap/geo"
	"riskmap/geo/postgis"
)

// zoneStore has 莲都 (119.4–120.4, 27.9–28.9) and 青田 (120.5–121.3) as
// the service area, with enterprises of every grade and shelters.
func zoneStore(t *testing.T) (*postgis.Store, *pgx.Conn) {
	t.Helper()
	r := rand.New(rand.NewPCG(8, 8))
	var objs []geo.Object
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 400 {
		g := geo.Grade(r.IntN(5))
		o := geo.Object{Category: geo.Enterprises, Name: fmt.Sprintf("企业%d", i), Point: orb.Point{119.8 + r.Float64()*0.3, 28.3 + r.Float64()*0.2},
			Source: "random", SourceID: fmt.Sprintf("e%d", i), Grade: g}
		if g.Assessed() {
			o.Method, o.AssessedAt = "lec_4c_A", &at
		}
		objs = append(objs, o)
	}
	for i := range 60 {
		objs = append(objs, geo.Object{Category: geo.Shelters, Name: fmt.Sprintf("避难场所%d", i), Point: orb.Point{119.8 + r.Float64()*0.3, 28.3 + r.Float64()*0.2},
			Source: "random", SourceID: fmt.Sprintf("s%d", i), Attributes: map[string]any{"capacity_persons": float64(100 + r.IntN(900))}})
	}
	return loadedStore(t, randomDataset(objs))
}

func zoneOf(name, grade string, p orb.Polygon) geo.ZoneFeature {
	return geo.ZoneFeature{Fields: geo.ZoneFields{Name: name, HazardType: "flood", Kind: "risk_zone", Grade: grade,
		SeasonFrom: "04-15", SeasonTo: "10-15"}, Geometry: p}
}

// box is a counter-clockwise rectangle.
func box(x0, y0, x1, y1 float64) orb.Polygon {
	return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
}

func countZones(t *testing.T, db *pgx.Conn) (zones, versions int) {
	t.Helper()
	if err := db.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM hazard_zone), (SELECT count(*) FROM hazard_zone_version)`).Scan(&zones, &versions); err != nil {
		t.Fatal(err)
	}
	return zones, versions
}

// TestZoneGeometry: faults are found with their places, mended only with
// consent, and a refused zone stores nothing.
func TestZoneGeometry(t *testing.T) {
	ctx := context.Background()
	s, db := zoneStore(t)
	cw := box(119.9, 28.3, 120.0, 28.4)
	cw[0].Reverse()
	for _, tc := range []struct {
		name       string
		g          orb.Geometry
		code       string
		at         *orb.Point // where the problem is, when the test knows
		repairable bool
		clip       bool // repaired by clipping, not by repair
	}{
		{"unclosed ring", orb.Polygon{{{119.9, 28.3}, {120.0, 28.3}, {120.0, 28.4}, {119.9, 28.4}}}, geo.ProblemUnclosedRing, &orb.Point{119.9, 28.4}, true, false},
		{"clockwise shell", cw, geo.ProblemOrientation, &orb.Point{119.9, 28.3}, true, false},
		{"spike", orb.Polygon{{{119.9, 28.3}, {120.0, 28.3}, {120.05, 28.3}, {120.0, 28.3}, {120.0, 28.4}, {119.9, 28.4}, {119.9, 28.3}}}, geo.ProblemSpike, &orb.Point{120.05, 28.3}, true, false},
		{"bow tie", orb.Polygon{{{119.9, 28.3}, {120.0, 28.4}, {120.0, 28.3}, {119.9, 28.4}, {119.9, 28.3}}}, geo.ProblemSelfIntersection, &orb.Point{119.95, 28.35}, true, false},
		{"hole outside its shell", orb.Polygon{box(119.9, 28.3, 120.0, 28.4)[0], {{120.1, 28.3}, {120.1, 28.35}, {120.15, 28.35}, {120.1, 28.3}}}, geo.ProblemSelfIntersection, nil, true, false},
		{"two points", orb.Polygon{{{119.9, 28.3}, {120.0, 28.3}, {119.9, 28.3}}}, geo.ProblemTooFewPoints, nil, false, false},
		{"out of range", orb.Polygon{{{119.9, 28.3}, {190, 28.3}, {120.0, 28.4}, {119.9, 28.3}}}, geo.ProblemOutOfRange, nil, false, false},
		{"outside the service area", box(122, 30, 122.1, 30.1), geo.ProblemOutsideArea, nil, false, false},
		{"partly outside", box(120.3, 28.3, 120.45, 28.4), geo.ProblemOutsideArea, nil, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			zones, versions := countZones(t, db)
			_, err := s.CreateZone(ctx, zoneOf(tc.name, "red", nil), geo.ZoneOptions{}, "planner")
			if err == nil {
				t.Fatal("a zone without geometry was stored")
			}
			f := zoneOf(tc.name, "red", nil)
			f.Geometry = tc.g
			_, err = s.CreateZone(ctx, f, geo.ZoneOptions{}, "planner")
			var ge *geo.GeometryError
			if !errors.As(err, &ge) || ge.Param != "geometry" {
				t.Fatalf("%v, want a GeometryError for geometry", err)
			}
			found := false
			for _, p := range ge.Problems {
				if p.Code != tc.code {
					continue
				}
				found = true
				if p.Repairable != tc.repairable {
					t.Errorf("%s repairable %v, want %v", p.Code, p.Repairable, tc.repairable)
				}
				if tc.at != nil && (p.Location == nil || math.Abs(p.Location[0]-tc.at[0]) > 1e-6 || math.Abs(p.Location[1]-tc.at[1]) > 1e-6) {
					t.Errorf("%s at %v, want %v", p.Code, p.Location, *tc.at)
				}
			}
			if !found {
				t.Fatalf("problems %+v, want %s", ge.Problems, tc.code)
			}
			if z, v := countZones(t, db); z != zones || v != versions {
				t.Fatalf("a refused zone changed the tables: %d zones, %d versions (were %d, %d)", z, v, zones, versions)
			}
			opt := geo.ZoneOptions{Repair: true, Clip: tc.clip}
			z, err := s.CreateZone(ctx, f, opt, "planner")
			if !tc.repairable {
				if err == nil {
					t.Fatalf("an unrepairable zone was stored: %+v", z)
				}
				return
			}
			if err != nil {
				t.Fatalf("repaired: %v", err)
			}
			if len(z.Repaired) == 0 {
				t.Error("the repaired zone says nothing was mended")
			}
			var valid, ccw bool
			if err := db.QueryRow(ctx, `SELECT ST_IsValid(geom), ST_IsPolygonCCW(geom) FROM hazard_zone WHERE id = $1`, z.ID).Scan(&valid, &ccw); err != nil || !valid || !ccw {
				t.Fatalf("stored: valid %v, counter-clockwise %v (%v)", valid, ccw, err)
			}
			if tc.clip {
				var outside float64
				if err := db.QueryRow(ctx, `SELECT ST_Area(ST_Difference(z.geom, (SELECT ST_Union(geom) FROM admin_division))::geography)
					FROM hazard_zone z WHERE id = $1`, z.ID).Scan(&outside); err != nil || outside > 1 {
					t.Fatalf("clipped, %v m² still outside (%v)", outside, err)
				}
			}
		})
	}
	t.Run("fields", func(t *testing.T) {
		for _, tc := range []struct {
			param string
			edit  func(*geo.ZoneFields)
		}{
			{"properties.name", func(f *geo.ZoneFields) { f.Name = " " }},
			{"properties.grade", func(f *geo.ZoneFields) { f.Grade = "unassessed" }},
			{"properties.hazard_type", func(f *geo.ZoneFields) { f.HazardType = "volcano" }},
			{"properties.season_from", func(f *geo.ZoneFields) { f.SeasonFrom = "13-01" }},
			{"properties.season_to", func(f *geo.ZoneFields) { f.SeasonTo = "" }},
			{"properties.valid_to", func(f *geo.ZoneFields) { f.ValidFrom, f.ValidTo = "2026-05-01", "2026-04-01" }},
		} {
			f := zoneOf("字段", "red", box(119.9, 28.3, 120.0, 28.4))
			tc.edit(&f.Fields)
			_, err := s.CreateZone(ctx, f, geo.ZoneOptions{}, "planner")
			var pe *geo.ParamError
			if !errors.As(err, &pe) || pe.Param != tc.param {
				t.Errorf("%s: %v", tc.param, err)
			}
		}
	})
	t.Run("snap to the county boundary", func(t *testing.T) {
		// 30 m short of 莲都's east edge (120.4): snapped, it reaches it.
		f := zoneOf("吸附", "yellow", box(120.3, 28.5, 120.4-0.0003, 28.6))
		z, err := s.CreateZone(ctx, f, geo.ZoneOptions{SnapM: 50}, "planner")
		if err != nil {
			t.Fatal(err)
		}
		if b := z.Geometry.Bound(); math.Abs(b.Max[0]-120.4) > 1e-9 {
			t.Fatalf("snapped east edge at %v, want 120.4", b.Max[0])
		}
	})
}

// TestZoneVersions: every write is a version; a stale If-Match loses,
// with the current zone; deletion is soft; any version can be restored.
func TestZoneVersions(t *testing.T) {
	ctx := context.Background()
	s, db := zoneStore(t)
	var layer0 int64
	if err := db.QueryRow(ctx, `SELECT version FROM layer_version WHERE layer = 'zones'`).Scan(&layer0); err != nil {
		t.Fatal(err)
	}
	z, err := s.CreateZone(ctx, zoneOf("瓯江洪水风险区", "orange", box(119.9, 28.4, 120.0, 28.45)), geo.ZoneOptions{}, "张规划")
	if err != nil {
		t.Fatal(err)
	}
	if z.Version != 1 || z.DrawnBy != "张规划" || len(z.Counties) != 1 || z.Counties[0] != "331102" || z.AreaM2 <= 0 {
		t.Fatalf("created %+v", z)
	}
	var layer1 int64
	if err := db.QueryRow(ctx, `SELECT version FROM layer_version WHERE layer = 'zones'`).Scan(&layer1); err != nil || layer1 <= layer0 {
		t.Fatalf("the zones layer's version %d after a create, was %d (%v)", layer1, layer0, err)
	}
	edit := zoneOf("瓯江洪水风险区", "red", box(119.9, 28.4, 120.05, 28.45))
	z2, err := s.UpdateZone(ctx, z.ID, 1, edit, geo.ZoneOptions{}, "李规划")
	if err != nil || z2.Version != 2 || z2.Grade != geo.Red || z2.UpdatedBy != "李规划" || z2.DrawnBy != "张规划" {
		t.Fatalf("update: %+v %v", z2, err)
	}
	// Another planner saved first: version 1 is stale.
	_, err = s.UpdateZone(ctx, z.ID, 1, zoneOf("旧的", "blue", box(119.9, 28.4, 120.0, 28.45)), geo.ZoneOptions{}, "张规划")
	var ve *geo.VersionError
	if !errors.As(err, &ve) || ve.CurrentVersion != 2 || ve.Given != 1 || ve.Current == nil {
		t.Fatalf("stale update: %v", err)
	}
	if cur, _ := s.Zone(ctx, z.ID); cur.Name != "瓯江洪水风险区" || cur.Version != 2 {
		t.Fatalf("a stale update changed the zone: %+v", cur)
	}
	// Two planners at once with the same version: one wins.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.UpdateZone(ctx, z.ID, 2, zoneOf(fmt.Sprintf("并发%d", i), "yellow", box(119.9, 28.4, 120.0, 28.46)), geo.ZoneOptions{}, "p")
		}()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) || !(errors.As(errs[0], &ve) || errors.As(errs[1], &ve)) {
		t.Fatalf("concurrent updates: %v, %v; want one to win", errs[0], errs[1])
	}
	d, err := s.DeleteZone(ctx, z.ID, 3, "李规划")
	if err != nil || !d.Deleted || d.Version != 4 {
		t.Fatalf("delete: %+v %v", d, err)
	}
	list, total, err := s.Zones(ctx, geo.ZoneQuery{})
	if err != nil || total != 0 || len(list) != 0 {
		t.Fatalf("a deleted zone listed: %d %v", total, err)
	}
	if _, n, _ := s.Zones(ctx, geo.ZoneQuery{Deleted: true}); n != 1 {
		t.Fatalf("%d deleted zones listed", n)
	}
	if page, n, err := s.Zones(ctx, geo.ZoneQuery{Deleted: true, Offset: 5}); err != nil || n != 1 || len(page) != 0 {
		t.Fatalf("a page past the end: %d listed of %d (%v)", len(page), n, err)
	}
	if _, err := s.UpdateZone(ctx, z.ID, 4, edit, geo.ZoneOptions{}, "p"); !errors.Is(err, geo.ErrConflict) {
		t.Fatalf("update of a deleted zone: %v", err)
	}
	r, err := s.RestoreZone(ctx, z.ID, 2, 4, "王规划")
	if err != nil || r.Deleted || r.Version != 5 || r.Grade != geo.Red || r.Action != "restore" {
		t.Fatalf("restore: %+v %v", r, err)
	}
	v2, err := s.ZoneVersion(ctx, z.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	var same bool
	if err := db.QueryRow(ctx, `SELECT ST_Equals(z.geom, v.geom) FROM hazard_zone z, hazard_zone_version v
		WHERE z.id = $1 AND v.zone_id = z.id AND v.version = 2`, z.ID).Scan(&same); err != nil || !same || v2.Name != r.Name {
		t.Fatalf("restored geometry equals version 2's: %v (%v)", same, err)
	}
	vs, err := s.ZoneVersions(ctx, z.ID)
	if err != nil || len(vs) != 5 {
		t.Fatalf("versions: %+v %v", vs, err)
	}
	want := []string{"restore", "delete", "update", "update", "create"}
	for i, v := range vs {
		if v.Version != 5-i || v.Action != want[i] {
			t.Errorf("version %d: %+v, want version %d %s", i, v, 5-i, want[i])
		}
	}
	if _, err := s.RestoreZone(ctx, z.ID, 4, 5, "p"); err == nil {
		t.Error("restored the deletion itself")
	}
	if _, err := s.UpdateZone(ctx, 999999, 1, edit, geo.ZoneOptions{}, "p"); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("update of no zone: %v", err)
	}
}

// TestZoneAnalysis: what the zone holds agrees with direct SQL.
func TestZoneAnalysis(t *testing.T) {
	ctx := context.Background()
	s, db := zoneStore(t)
	a, err := s.CreateZone(ctx, zoneOf("甲区", "red", box(119.85, 28.35, 120.0, 28.45)), geo.ZoneOptions{}, "p")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateZone(ctx, zoneOf("乙区", "blue", box(119.95, 28.4, 120.05, 28.48)), geo.ZoneOptions{}, "p")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.ZoneAnalysis(ctx, a.ID, 2000)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(ctx, `SELECT o.category::text, coalesce(o.grade::text, 'unassessed'), count(*)
		FROM risk_object o, hazard_zone z WHERE z.id = $1 AND ST_Intersects(o.geom, z.geom) GROUP BY 1, 2`, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[geo.Category]*geo.GradeCounts{}
	var cat, grade string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&cat, &grade, &n}, func() error {
		g, _ := geo.ParseGrade(grade)
		if want[geo.Category(cat)] == nil {
			want[geo.Category(cat)] = &geo.GradeCounts{}
		}
		want[geo.Category(cat)].AddN(g, n)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(want) < 2 {
		t.Fatalf("the zone holds %d categories: the test proves little", len(want))
	}
	ring := got.Inside.Rings[0]
	for _, c := range []geo.Category{geo.Enterprises, geo.Shelters} {
		if want[c] == nil || *ring.Objects[c] != *want[c] {
			t.Errorf("%s inside: %+v, want %+v", c, ring.Objects[c], want[c])
		}
	}
	var reach int
	var reachCap float64
	if err := db.QueryRow(ctx, `SELECT count(*), coalesce(sum((o.attributes->>'capacity_persons')::float8), 0)
		FROM risk_object o, hazard_zone z WHERE z.id = $1 AND o.category = 'shelters'
		AND NOT ST_Intersects(o.geom, z.geom) AND ST_Distance(o.geom::geography, z.geom::geography) <= 2000`, a.ID).Scan(&reach, &reachCap); err != nil {
		t.Fatal(err)
	}
	if got.ReachSummary.Count != reach || math.Abs(got.ReachSummary.Capacity-reachCap) > 1e-6 || reach == 0 {
		t.Errorf("shelters within reach: %+v, want %d with %v", got.ReachSummary, reach, reachCap)
	}
	var overlap float64
	if err := db.QueryRow(ctx, `SELECT ST_Area(ST_Intersection(a.geom, b.geom)::geography) FROM hazard_zone a, hazard_zone b WHERE a.id = $1 AND b.id = $2`, a.ID, b.ID).Scan(&overlap); err != nil {
		t.Fatal(err)
	}
	if len(got.Overlaps) != 1 || got.Overlaps[0].ID != b.ID || math.Abs(got.Overlaps[0].AreaM2-overlap) > 1 || math.Abs(got.Overlaps[0].Share-overlap/a.AreaM2) > 1e-9 {
		t.Fatalf("overlaps %+v, want zone %d over %v m²", got.Overlaps, b.ID, overlap)
	}
	// Deleting b leaves no overlap.
	if _, err := s.DeleteZone(ctx, b.ID, 1, "p"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ZoneAnalysis(ctx, a.ID, 2000); err != nil || len(got.Overlaps) != 0 {
		t.Fatalf("after deleting the other zone: %+v %v", got.Overlaps, err)
	}
}

// TestZoneSplitMerge: a line cuts a zone in two (areas adding up), the
// pieces merge back; stale versions and lines that cut nothing change
// nothing.
func TestZoneSplitMerge(t *testing.T) {
	ctx := context.Background()
	s, db := zoneStore(t)
	z, err := s.CreateZone(ctx, zoneOf("整区", "yellow", box(119.9, 28.3, 120.0, 28.4)), geo.ZoneOptions{}, "p")
	if err != nil {
		t.Fatal(err)
	}
	cut := orb.LineString{{119.95, 28.25}, {119.95, 28.45}}
	if _, _, err := s.SplitZone(ctx, z.ID, 1, orb.LineString{{119.8, 28.25}, {119.8, 28.45}}, "p"); !isParam(err, "line") {
		t.Fatalf("a line beside the zone: %v", err)
	}
	if _, _, err := s.SplitZone(ctx, z.ID, 7, cut, "p"); !errors.As(err, new(*geo.VersionError)) {
		t.Fatalf("a stale split: %v", err)
	}
	kept, created, err := s.SplitZone(ctx, z.ID, 1, cut, "切分者")
	if err != nil || len(created) != 1 || kept.Version != 2 || kept.Action != "split" || created[0].Action != "split" || created[0].Name != "整区" {
		t.Fatalf("split: %+v %+v %v", kept, created, err)
	}
	// (new vertices on the edges sit on the lon/lat lines, not on the
	// geodesics the spheroid's area follows: a millionth apart at most)
	if d := kept.AreaM2 + created[0].AreaM2 - z.AreaM2; math.Abs(d) > z.AreaM2*1e-6 {
		t.Fatalf("the pieces' areas %v + %v differ from the zone's %v by %v m²", kept.AreaM2, created[0].AreaM2, z.AreaM2, d)
	}
	var overlap float64
	if err := db.QueryRow(ctx, `SELECT ST_Area(ST_Intersection(a.geom, b.geom)) FROM hazard_zone a, hazard_zone b WHERE a.id = $1 AND b.id = $2`,
		kept.ID, created[0].ID).Scan(&overlap); err != nil || overlap > 1e-12 {
		t.Fatalf("the pieces overlap by %v (%v)", overlap, err)
	}
	if _, err := s.MergeZones(ctx, []geo.ZoneRef{{ID: kept.ID, Version: 2}, {ID: created[0].ID, Version: 5}}, "p"); !errors.As(err, new(*geo.VersionError)) {
		t.Fatalf("a stale merge: %v", err)
	}
	if cur, _ := s.Zone(ctx, created[0].ID); cur.Deleted || cur.Version != 1 {
		t.Fatalf("a refused merge changed a zone: %+v", cur)
	}
	m, err := s.MergeZones(ctx, []geo.ZoneRef{{ID: kept.ID, Version: 2}, {ID: created[0].ID, Version: 1}}, "合并者")
	if err != nil || m.Version != 3 || m.Action != "merge" || math.Abs(m.AreaM2-z.AreaM2) > z.AreaM2*1e-6 || len(m.Geometry) != 1 {
		t.Fatalf("merge: %+v %v", m, err)
	}
	if other, _ := s.Zone(ctx, created[0].ID); !other.Deleted || other.Action != "merge" {
		t.Fatalf("the merged-in zone: %+v", other)
	}
	if _, err := s.MergeZones(ctx, []geo.ZoneRef{{ID: m.ID, Version: 3}, {ID: m.ID, Version: 3}}, "p"); !isParam(err, "zones[1].id") {
		t.Fatalf("a zone merged with itself: %v", err)
	}
}

func isParam(err error, param string) bool {
	var pe *geo.ParamError
	return errors.As(err, &pe) && pe.Param == param
}
