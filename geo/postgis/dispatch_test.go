package postgis_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"riskmap/geo"
	"riskmap/geo/postgis"
	"riskmap/geo/postgis/pgtest"
)

var teamTypes = []string{"消防救援", "医疗急救", "危化品救援", "水域救援", "物资储备库"}
var statuses = []string{"available", "available", "available", "standby", "out_of_service"}

// dispatchObjects makes n rescue resources and n/2 shelters scattered
// over the two test counties, a quarter of them in one tight cluster
// (near-ties in distance).
func dispatchObjects(r *rand.Rand, n int) []geo.Object {
	var out []geo.Object
	place := func() orb.Point {
		if r.IntN(4) == 0 {
			return orb.Point{119.92 + r.Float64()*0.004, 28.45 + r.Float64()*0.004}
		}
		return orb.Point{119.45 + r.Float64()*1.8, 28.0 + r.Float64()*0.85}
	}
	for i := range n {
		out = append(out, geo.Object{
			Category: geo.RescueResources, Name: fmt.Sprintf("队伍%d", i), Point: place(),
			Source: "random", SourceID: fmt.Sprintf("r%d", i),
			Attributes: map[string]any{
				"team_type": teamTypes[r.IntN(len(teamTypes))], "status": statuses[r.IntN(len(statuses))],
				"headcount": r.IntN(60), "prep_time_min": 1 + r.IntN(30),
			},
		})
	}
	for i := range n / 2 {
		out = append(out, geo.Object{
			Category: geo.Shelters, Name: fmt.Sprintf("避灾点%d", i), Point: place(),
			Source: "random", SourceID: fmt.Sprintf("s%d", i),
			Attributes: map[string]any{"capacity_persons": 50 + r.IntN(500), "status": "ready"},
		})
	}
	return out
}

// loadedStore is a store holding ds, and a connection to its database.
func loadedStore(t *testing.T, ds postgis.Dataset) (*postgis.Store, *pgx.Conn) {
	t.Helper()
	return pgtest.Loaded(t, ds)
}

// TestNearestMatchesBruteForce: the KNN answer is exactly the brute-force
// ranking by spheroidal distance over every object that passes the
// filter, distances equal to the last bit.
func TestNearestMatchesBruteForce(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 7))
	s, db := loadedStore(t, randomDataset(dispatchObjects(r, 3000)))

	type row struct {
		id     int64
		metres float64
		attrs  map[string]any
	}
	brute := func(p orb.Point, cat geo.Category) []row {
		rows, err := db.Query(ctx, `SELECT id, ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4490)::geography, true), attributes
			FROM risk_object WHERE category = $3::text::risk_category AND retired_at IS NULL`, p[0], p[1], string(cat))
		if err != nil {
			t.Fatal(err)
		}
		all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var x row
			return x, r.Scan(&x.id, &x.metres, &x.attrs)
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(all, func(a, b row) int {
			if a.metres != b.metres {
				if a.metres < b.metres {
					return -1
				}
				return 1
			}
			return int(a.id - b.id)
		})
		return all
	}
	num := func(v any) float64 { f, _ := v.(float64); return f }
	cases := []struct {
		name  string
		query string
		keep  func(map[string]any) bool
	}{
		{"any resource", "limit=10", func(map[string]any) bool { return true }},
		{"available", "status=available&limit=5", func(a map[string]any) bool { return a["status"] == "available" }},
		{"fire or medical, available or standby", "type=fire,medical&status=available,standby&limit=20",
			func(a map[string]any) bool {
				return (a["team_type"] == "消防救援" || a["team_type"] == "医疗急救") && (a["status"] == "available" || a["status"] == "standby")
			}},
		{"team type by name, headcount", "type=危化品救援&min_capacity=30&limit=7",
			func(a map[string]any) bool { return a["team_type"] == "危化品救援" && num(a["headcount"]) >= 30 }},
		{"shelters with room", "category=shelters&min_capacity=300&limit=10", func(a map[string]any) bool { return num(a["capacity_persons"]) >= 300 }},
		{"more than there are", "type=mine&limit=3", func(map[string]any) bool { return false }},
		{"a hundred", "limit=100", func(map[string]any) bool { return true }},
	}
	points := []orb.Point{{119.921, 28.451}, {119.92, 28.45}, {120.5, 28.3}, {119.5, 28.8}, {121.5, 27.5}}
	for i := range 15 {
		points = append(points, orb.Point{119.4 + r.Float64()*2, 27.9 + r.Float64()})
		_ = i
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range points {
				v, _ := url.ParseQuery(c.query)
				v.Set("lon", fmt.Sprint(p[0]))
				v.Set("lat", fmt.Sprint(p[1]))
				q, err := geo.ParseNearest(v)
				if err != nil {
					t.Fatal(err)
				}
				got, err := s.Nearest(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				var want []row
				for _, x := range brute(p, q.Category) {
					if c.keep(x.attrs) {
						want = append(want, x)
					}
				}
				want = want[:min(len(want), q.Limit)]
				if len(got) != len(want) {
					t.Fatalf("at %v: %d candidates, brute force has %d", p, len(got), len(want))
				}
				for i := range want {
					if got[i].ID != want[i].id || got[i].StraightM != want[i].metres {
						t.Fatalf("at %v: #%d is %d at %v m, brute force has %d at %v m", p, i, got[i].ID, got[i].StraightM, want[i].id, want[i].metres)
					}
				}
			}
		})
	}
}

func newIncident(t *testing.T, s *postgis.Store, p orb.Point) geo.Incident {
	t.Helper()
	n := geo.NewIncident{Kind: "landslide", Level: "III", Title: "山体滑坡", Lon: &p[0], Lat: &p[1]}
	pt, err := n.Check(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	in, err := s.ReportIncident(context.Background(), n, pt, "tester")
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func resourceStatus(t *testing.T, db *pgx.Conn, id int64) string {
	t.Helper()
	var st string
	if err := db.QueryRow(context.Background(), `SELECT attributes->>'status' FROM risk_object WHERE id = $1`, id).Scan(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestAssignNoDoubleBooking: a resource is dispatched to one incident at
// a time, even when many dispatchers click at once; closing the incident
// gives it back its status, and then it can go again.
func TestAssignNoDoubleBooking(t *testing.T) {
	ctx := context.Background()
	objs := []geo.Object{
		{Category: geo.RescueResources, Name: "城东消防救援站", Point: orb.Point{119.93, 28.46}, Source: "t", SourceID: "a",
			Attributes: map[string]any{"team_type": "消防救援", "status": "standby"}},
		{Category: geo.RescueResources, Name: "检修中的队", Point: orb.Point{119.94, 28.46}, Source: "t", SourceID: "b",
			Attributes: map[string]any{"team_type": "消防救援", "status": "out_of_service"}},
		{Category: geo.Shelters, Name: "避灾点", Point: orb.Point{119.95, 28.46}, Source: "t", SourceID: "c",
			Attributes: map[string]any{"capacity_persons": 100}},
	}
	ds := randomDataset(objs)
	ds.Source = "t"
	s, db := loadedStore(t, ds)
	ids := map[string]int64{}
	for _, sid := range []string{"a", "b", "c"} {
		var id int64
		if err := db.QueryRow(ctx, `SELECT id FROM risk_object WHERE source_id = $1`, sid).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[sid] = id
	}

	incidents := make([]geo.Incident, 12)
	for i := range incidents {
		incidents[i] = newIncident(t, s, orb.Point{119.92, 28.45})
	}
	if incidents[0].County != "331102" || incidents[0].Status != geo.IncidentOpen {
		t.Fatalf("incident: %+v", incidents[0])
	}
	var wg sync.WaitGroup
	errs := make([]error, len(incidents))
	for i, in := range incidents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Assign(ctx, in.ID, ids["a"], nil, "dispatcher")
		}()
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Fatalf("resource assigned twice: to incidents %d and %d", incidents[won].ID, incidents[i].ID)
		case err == nil:
			won = i
		case !errors.Is(err, geo.ErrConflict):
			t.Fatalf("assignment %d: %v, want a conflict", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no assignment succeeded")
	}
	var active int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM dispatch_assignment WHERE resource_id = $1 AND released_at IS NULL`, ids["a"]).Scan(&active); err != nil || active != 1 {
		t.Fatalf("%d active assignments (%v), want 1", active, err)
	}
	if st := resourceStatus(t, db, ids["a"]); st != geo.StatusDispatched {
		t.Fatalf("status %q after assignment", st)
	}
	in, err := s.Incident(ctx, incidents[won].ID)
	if err != nil || in.Status != geo.IncidentResponding || len(in.Assignments) != 1 || !in.Assignments[0].Active ||
		in.Assignments[0].ETAMethod != "straight_line" || in.Assignments[0].StraightM < 1000 {
		t.Fatalf("incident after assignment: %+v, %v", in, err)
	}

	// A re-import while it is out keeps it dispatched; what the source
	// now says is what it gets back.
	objs[0].Attributes["status"] = "available"
	if _, err := s.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	if st := resourceStatus(t, db, ids["a"]); st != geo.StatusDispatched {
		t.Fatalf("status %q after a re-import, want still dispatched", st)
	}

	// Even past the application's checks, the index refuses.
	_, err = db.Exec(ctx, `INSERT INTO dispatch_assignment (incident_id, resource_id, previous_status, straight_m, eta_method, assigned_by)
		VALUES ($1, $2, 'available', 0, 'straight_line', 'sql')`, incidents[(won+1)%len(incidents)].ID, ids["a"])
	if err == nil {
		t.Fatal("the database took a second active assignment")
	}

	for _, c := range []struct {
		name string
		res  int64
		want error
	}{
		{"out of service", ids["b"], geo.ErrConflict},
		{"a shelter", ids["c"], geo.ErrInvalid},
		{"no such object", 999999, geo.ErrInvalid},
	} {
		if _, err := s.Assign(ctx, incidents[0].ID, c.res, nil, "dispatcher"); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}

	closed, err := s.SetIncidentStatus(ctx, incidents[won].ID, geo.IncidentUpdate{Status: geo.IncidentClosed}, "dispatcher")
	if err != nil || closed.Status != geo.IncidentClosed || closed.ClosedAt == nil || closed.Assignments[0].Active {
		t.Fatalf("closing: %+v, %v", closed, err)
	}
	if st := resourceStatus(t, db, ids["a"]); st != "available" {
		t.Fatalf("status %q after close, want the source's available", st)
	}
	if _, err := s.SetIncidentStatus(ctx, incidents[won].ID, geo.IncidentUpdate{Status: geo.IncidentOpen}, "dispatcher"); !errors.Is(err, geo.ErrConflict) {
		t.Fatalf("reopening a closed incident: %v", err)
	}
	if _, err := s.Assign(ctx, incidents[won].ID, ids["a"], nil, "dispatcher"); !errors.Is(err, geo.ErrConflict) {
		t.Fatalf("assigning to a closed incident: %v", err)
	}
	other := incidents[(won+1)%len(incidents)]
	travel := &geo.Travel{Seconds: 420, Metres: 5200, Reachable: true}
	a, err := s.Assign(ctx, other.ID, ids["a"], travel, "dispatcher")
	if err != nil || a.ETAMethod != "network" || a.ETASeconds == nil || *a.ETASeconds != 420 {
		t.Fatalf("assigning again after release: %+v, %v", a, err)
	}
	if err := s.Release(ctx, other.ID, ids["a"], "dispatcher"); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(ctx, other.ID, ids["a"], "dispatcher"); !errors.Is(err, geo.ErrNotFound) {
		t.Fatalf("releasing twice: %v", err)
	}
	if st := resourceStatus(t, db, ids["a"]); st != "available" {
		t.Fatalf("status %q after release", st)
	}
}

// TestUpdatePosition: the newest fix moves the resource; a late older
// one is kept in the track but does not move it back.
func TestUpdatePosition(t *testing.T) {
	ctx := context.Background()
	ds := randomDataset([]geo.Object{{Category: geo.RescueResources, Name: "车", Point: orb.Point{119.9, 28.4}, Source: "t", SourceID: "v",
		Attributes: map[string]any{"status": "available"}}})
	s, db := loadedStore(t, ds)
	var id int64
	if err := db.QueryRow(ctx, `SELECT id FROM risk_object`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	where := func() orb.Point {
		var p orb.Point
		if err := db.QueryRow(ctx, `SELECT ST_X(geom), ST_Y(geom) FROM risk_object WHERE id = $1`, id).Scan(&p[0], &p[1]); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name  string
		p     orb.Point
		at    time.Time
		moved bool
		want  orb.Point
	}{
		{"first fix", orb.Point{119.95, 28.42}, at, true, orb.Point{119.95, 28.42}},
		{"newer", orb.Point{119.97, 28.43}, at.Add(time.Minute), true, orb.Point{119.97, 28.43}},
		{"late, older", orb.Point{119.96, 28.425}, at.Add(30 * time.Second), false, orb.Point{119.97, 28.43}},
	} {
		moved, err := s.UpdatePosition(ctx, id, c.p, nil, c.at, "gps")
		if err != nil || moved != c.moved {
			t.Fatalf("%s: moved %v, %v; want %v", c.name, moved, err, c.moved)
		}
		if got := where(); got != c.want {
			t.Fatalf("%s: at %v, want %v", c.name, got, c.want)
		}
	}
	if _, err := s.UpdatePosition(ctx, id+1, orb.Point{120, 28}, nil, at, "gps"); !errors.Is(err, geo.ErrNotFound) {
		t.Fatalf("unknown resource: %v", err)
	}
}

// TestAround: rings count what a brute-force distance check counts.
func TestAround(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	objs := dispatchObjects(r, 600)
	for i := range 300 {
		g := geo.Grade(r.IntN(5))
		o := geo.Object{Category: geo.Enterprises, Name: fmt.Sprintf("企业%d", i), Point: orb.Point{119.9 + r.Float64()*0.12, 28.41 + r.Float64()*0.1},
			Source: "random", SourceID: fmt.Sprintf("e%d", i), Grade: g}
		if g.Assessed() {
			o.Method, o.AssessedAt = "lec_4c_A", ptr(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		}
		objs = append(objs, o)
	}
	ds := randomDataset(objs)
	ds.Divisions[0].Population = ptr(int64(500000))
	s, db := loadedStore(t, ds)
	p := orb.Point{119.96, 28.46}
	got, err := s.Around(ctx, geo.AroundQuery{Point: p, Radii: geo.DefaultAroundRadii})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rings) != 3 {
		t.Fatalf("%d rings", len(got.Rings))
	}
	for _, ring := range got.Rings {
		rows, err := db.Query(ctx, `SELECT category::text, coalesce(grade::text, 'unassessed'), coalesce((attributes->>'capacity_persons')::float8, 0)
			FROM risk_object WHERE ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4490)::geography, true) <= $3`, p[0], p[1], *ring.RadiusM)
		if err != nil {
			t.Fatal(err)
		}
		want := map[geo.Category]*geo.GradeCounts{}
		var shelters geo.ShelterSum
		for rows.Next() {
			var cat, grade string
			var capacity float64
			if err := rows.Scan(&cat, &grade, &capacity); err != nil {
				t.Fatal(err)
			}
			c := geo.Category(cat)
			if want[c] == nil {
				want[c] = &geo.GradeCounts{}
			}
			g, _ := geo.ParseGrade(grade)
			want[c].Add(g)
			if c == geo.Shelters {
				shelters.Count++
				shelters.Capacity += capacity
			}
		}
		if rows.Err() != nil {
			t.Fatal(rows.Err())
		}
		total := 0
		for _, c := range geo.AllCategories {
			w := geo.GradeCounts{}
			if want[c] != nil {
				w = *want[c]
			}
			if *ring.Objects[c] != w {
				t.Errorf("%g m, %s: %+v, want %+v", *ring.RadiusM, c, *ring.Objects[c], w)
			}
			total += w.Total
		}
		if total == 0 {
			t.Errorf("%g m: nothing around, the test proves nothing", *ring.RadiusM)
		}
		if ring.Shelters != shelters {
			t.Errorf("%g m: shelters %+v, want %+v", *ring.RadiusM, ring.Shelters, shelters)
		}
		if len(ring.Population) != 1 || ring.Population[0].County != "331102" || ring.PopulationEstimate == nil {
			t.Fatalf("%g m: population %+v", *ring.RadiusM, ring.Population)
		}
		// 莲都's test square is 1°×1°; the circle's share of it is its area.
		var share float64
		if err := db.QueryRow(ctx, `SELECT ST_Area(ST_Buffer(ST_SetSRID(ST_MakePoint($1, $2), 4490)::geography, $3, 'quad_segs=16'))
			/ ST_Area(ST_MakeEnvelope(119.4, 27.9, 120.4, 28.9, 4490)::geography)`, p[0], p[1], *ring.RadiusM).Scan(&share); err != nil {
			t.Fatal(err)
		}
		if d := ring.Population[0].Share - share; d > share*0.01 || d < -share*0.01 {
			t.Errorf("%g m: share %v, want %v", *ring.RadiusM, ring.Population[0].Share, share)
		}
	}
	poly := orb.Polygon{{{119.95, 28.45}, {119.98, 28.45}, {119.98, 28.48}, {119.95, 28.48}, {119.95, 28.45}}}
	pa, err := s.Around(ctx, geo.AroundQuery{Point: orb.Point{119.965, 28.465}, Polygon: poly})
	if err != nil {
		t.Fatal(err)
	}
	var want int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM risk_object WHERE ST_Intersects(geom, ST_MakeEnvelope(119.95, 28.45, 119.98, 28.48, 4490))`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range pa.Rings[0].Objects {
		n += c.Total
	}
	if n != want || len(pa.Objects) != want || want == 0 {
		t.Fatalf("polygon: %d objects (%d listed), want %d", n, len(pa.Objects), want)
	}

	// More objects than the list holds: the list is cut, the counts are not.
	extra := geo.MaxAroundList + 100
	if _, err := db.Exec(ctx, `INSERT INTO risk_object (category, name, geom, source, source_id)
		SELECT 'enterprises', '密集' || i, ST_SetSRID(ST_MakePoint(119.96 + (i % 100) * 0.00005, 28.46 + (i / 100) * 0.00005), 4490), 'dense', i::text
		FROM generate_series(1, $1) i`, extra); err != nil {
		t.Fatal(err)
	}
	dense, err := s.Around(ctx, geo.AroundQuery{Point: p, Radii: []float64{1000}})
	if err != nil {
		t.Fatal(err)
	}
	var wantDense int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM risk_object WHERE category = 'enterprises' AND grade IS NULL
		AND ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4490)::geography, true) <= 1000`, p[0], p[1]).Scan(&wantDense); err != nil {
		t.Fatal(err)
	}
	if !dense.Truncated || len(dense.Objects) != geo.MaxAroundList {
		t.Errorf("dense: truncated %v, %d listed", dense.Truncated, len(dense.Objects))
	}
	if got := dense.Rings[0].Objects[geo.Enterprises].Unassessed; got != wantDense || got <= geo.MaxAroundList {
		t.Errorf("dense: %d unassessed enterprises counted, want %d (more than the list's %d)", got, wantDense, geo.MaxAroundList)
	}
}
