package postgis_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"riskmap/geo"
	"riskmap/geo/postgis"
	"riskmap/geo/postgis/pgtest"
	sqlfs "riskmap/sql"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// square is a closed ring around (lon, lat) with half-width r degrees.
func square(lon, lat, r float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{lon - r, lat - r}, {lon + r, lat - r}, {lon + r, lat + r}, {lon - r, lat + r}, {lon - r, lat - r}}}}
}

func ptr[T any](v T) *T { return &v }

// smallDataset has two counties side by side and one object of each grade.
func smallDataset() postgis.Dataset {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	obj := func(id string, c geo.Category, g geo.Grade, lon, lat float64, county string) geo.Object {
		o := geo.Object{Category: c, Name: "对象" + id, Point: orb.Point{lon, lat}, County: county, Grade: g,
			SourceID: id, Attributes: map[string]any{"k": id}}
		if g.Assessed() {
			o.Method, o.AssessedAt, o.Score = "stated", &at, ptr(float64(g))
		}
		return o
	}
	return postgis.Dataset{
		Source: "test",
		Divisions: []geo.Division{
			{Code: "331102", Name: "莲都区", Level: "county", ParentCode: "331100", Population: ptr(int64(100)), Geometry: square(119.9, 28.4, 0.1), Label: orb.Point{119.9, 28.4}},
			{Code: "331121", Name: "青田县", Level: "county", ParentCode: "331100", Geometry: square(120.2, 28.4, 0.1)},
		},
		Context: []geo.ContextFeature{{Kind: "river", Name: "瓯江", SourceID: "ou", Geometry: orb.LineString{{119.8, 28.3}, {120.3, 28.5}}}},
		Objects: []geo.Object{
			obj("r1", geo.Enterprises, geo.Red, 119.91, 28.41, "331102"),
			obj("o1", geo.Enterprises, geo.Orange, 119.92, 28.42, "331102"),
			obj("y1", geo.Bridges, geo.Yellow, 120.21, 28.41, "331121"),
			obj("b1", geo.Shelters, geo.Blue, 120.22, 28.42, "331121"),
			obj("u1", geo.Enterprises, geo.Unassessed, 119.93, 28.43, "331102"),
		},
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	ctx := context.Background()
	s := pgtest.NewStore(t) // already migrated
	applied, err := s.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Errorf("second Migrate applied %v, want nothing", applied)
	}
	st, err := s.SchemaStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Current() || st.Known == 0 {
		t.Errorf("SchemaStatus = %+v; want current", st)
	}
}

func TestSchemaStatus(t *testing.T) {
	ctx := context.Background()
	all, err := postgis.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	known := len(all)
	tests := []struct {
		name    string
		sql     string
		current bool
		applied int
		unknown []int
	}{
		{"migrated", "", true, known, nil},
		{"never migrated", "DELETE FROM schema_migrations", false, 0, nil},
		{"one behind", "DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)", false, known - 1, nil},
		{"newer than this riskmap", "INSERT INTO schema_migrations VALUES (9999, '9999_future.sql')", false, known, []int{9999}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := pgtest.NewDB(t)
			s, err := postgis.Open(ctx, db, postgis.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if tc.sql != "" {
				conn, err := pgx.Connect(ctx, db)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := conn.Exec(ctx, tc.sql); err != nil {
					t.Fatal(err)
				}
				conn.Close(ctx)
			}
			st, err := s.SchemaStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.Current() != tc.current || st.Applied != tc.applied || !slices.Equal(st.Unknown, tc.unknown) {
				t.Errorf("SchemaStatus = %+v, want current %v, applied %d, unknown %v", st, tc.current, tc.applied, tc.unknown)
			}
		})
	}
}

func TestLoadTwiceChangesNothing(t *testing.T) {
	ctx := context.Background()
	s := pgtest.NewStore(t)
	st, err := s.Load(ctx, smallDataset())
	if err != nil {
		t.Fatal(err)
	}
	if st.Divisions != 2 || st.Context != 1 || st.Objects != 5 {
		t.Fatalf("first load = %+v, want 2 divisions, 1 context, 5 objects", st)
	}
	v1, err := s.LayerVersions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, err = s.Load(ctx, smallDataset())
	if err != nil {
		t.Fatal(err)
	}
	if st != (postgis.LoadStats{}) {
		t.Errorf("second load = %+v, want no change", st)
	}
	v2, _ := s.LayerVersions(ctx)
	for l, v := range v1 {
		if v2[l] != v {
			t.Errorf("layer %s version moved from %d to %d on a no-op load", l, v, v2[l])
		}
	}
	_, n, err := s.Objects(ctx, geo.Enterprises, geo.Page{Limit: 10})
	if err != nil || n != 3 {
		t.Errorf("enterprises after two loads: %d, %v; want 3", n, err)
	}
}

func TestLoadBumpsOnlyChangedLayers(t *testing.T) {
	ctx := context.Background()
	s := pgtest.NewStore(t)
	ds := smallDataset()
	if _, err := s.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	before, _ := s.LayerVersions(ctx)
	ds.Objects[2].Grade = geo.Red // a bridge
	ds.Objects[2].Score = ptr(9.0)
	if _, err := s.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	after, _ := s.LayerVersions(ctx)
	for _, tc := range []struct {
		layer geo.Layer
		moved bool
	}{
		{geo.Layer(geo.Bridges), true},
		{geo.Counties, true},
		{geo.Layer(geo.Enterprises), false},
		{geo.Layer(geo.Shelters), false},
		{geo.Context, false},
	} {
		if moved := after[tc.layer] > before[tc.layer]; moved != tc.moved {
			t.Errorf("layer %s: version %d → %d, moved = %v, want %v", tc.layer, before[tc.layer], after[tc.layer], moved, tc.moved)
		}
	}
}

func TestFailedLoadKeepsData(t *testing.T) {
	ctx := context.Background()
	s := pgtest.NewStore(t)
	if _, err := s.Load(ctx, smallDataset()); err != nil {
		t.Fatal(err)
	}
	snapshot := func() string {
		objs, _, err := s.Objects(ctx, geo.Enterprises, geo.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		ds, _, err := s.Counties(ctx, geo.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		vs, err := s.LayerVersions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tile, err := s.Tile(ctx, geo.TileQuery{Layers: []geo.Layer{geo.Context}, Tile: maptile.At(orb.Point{119.9, 28.4}, 8)})
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal([]any{objs, ds, vs, tile})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	before := snapshot()
	// Divisions and the background are written first and succeed; the
	// objects come last and fail on an unknown county.
	bad := smallDataset()
	bad.Divisions[0].Name = "改名区"
	bad.Context[0].Name = "改名江"
	bad.Objects[0].Name = "改了名字"
	bad.Objects[len(bad.Objects)-1].County = "999999"
	if _, err := s.Load(ctx, bad); err == nil {
		t.Fatal("load with an unknown county succeeded")
	}
	if after := snapshot(); after != before {
		t.Errorf("a failed load changed stored data:\nbefore %s\nafter  %s", before, after)
	}
}

func TestObjectsPagingAndBBox(t *testing.T) {
	ctx := context.Background()
	s := pgtest.NewStore(t)
	if _, err := s.Load(ctx, smallDataset()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		page      geo.Page
		wantTotal int
		wantN     int
	}{
		{"all", geo.Page{Limit: 10}, 3, 3},
		{"limit", geo.Page{Limit: 2}, 3, 2},
		{"offset past end", geo.Page{Limit: 2, Offset: 5}, 3, 0},
		{"bbox around two", geo.Page{Limit: 10, BBox: &orb.Bound{Min: orb.Point{119.905, 28.405}, Max: orb.Point{119.925, 28.425}}}, 2, 2},
		{"bbox elsewhere", geo.Page{Limit: 10, BBox: &orb.Bound{Min: orb.Point{100, 20}, Max: orb.Point{101, 21}}}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			objs, total, err := s.Objects(ctx, geo.Enterprises, tc.page)
			if err != nil {
				t.Fatal(err)
			}
			if total != tc.wantTotal || len(objs) != tc.wantN {
				t.Errorf("Objects(%+v) = %d objects of %d, want %d of %d", tc.page, len(objs), total, tc.wantN, tc.wantTotal)
			}
		})
	}
}

func TestObjectAndCounty(t *testing.T) {
	ctx := context.Background()
	s := pgtest.NewStore(t)
	if _, err := s.Load(ctx, smallDataset()); err != nil {
		t.Fatal(err)
	}
	objs, _, _ := s.Objects(ctx, geo.Enterprises, geo.Page{Limit: 1})
	o, err := s.Object(ctx, geo.Enterprises, objs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if o.Name != "对象r1" || o.Grade != geo.Red || o.CountyName != "莲都区" || o.Attributes["k"] != "r1" || o.Point != (orb.Point{119.91, 28.41}) {
		t.Errorf("Object = %+v", o)
	}
	if _, err := s.Object(ctx, geo.Bridges, objs[0].ID); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("Object in the wrong category: err = %v, want ErrNotFound", err)
	}
	d, err := s.County(ctx, "331102")
	if err != nil {
		t.Fatal(err)
	}
	want := [5]int{geo.Unassessed: 1, geo.Orange: 1, geo.Red: 1}
	if d.Risk.Max != geo.Red || d.Risk.Counts != want {
		t.Errorf("county risk = %+v, want max red, counts %v", d.Risk, want)
	}
	d, _ = s.County(ctx, "331121")
	if d.Risk.Max != geo.Yellow || d.Population != nil {
		t.Errorf("331121 = max %v population %v, want yellow and nil", d.Risk.Max, d.Population)
	}
	if _, err := s.County(ctx, "331199"); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("County(331199) err = %v, want ErrNotFound", err)
	}
}

func TestTileLayersAndFeatures(t *testing.T) {
	ctx := context.Background()
	s := pgtest.NewStore(t)
	if _, err := s.Load(ctx, smallDataset()); err != nil {
		t.Fatal(err)
	}
	z := maptile.Zoom(10)
	tile := maptile.At(orb.Point{119.91, 28.41}, z)
	// Single points, not cells, at this zoom.
	d, err := s.Tile(ctx, geo.TileQuery{Layers: []geo.Layer{geo.Counties, geo.Context, geo.Layer(geo.Enterprises), geo.Layer(geo.Bridges)}, Tile: tile, ClusterBelow: -1})
	if err != nil {
		t.Fatal(err)
	}
	layers, err := mvt.Unmarshal(d.MVT)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, l := range layers {
		got[l.Name] = len(l.Features)
	}
	if got["enterprises"] != 3 || got["counties"] == 0 || got["context"] != 1 {
		t.Errorf("layers in tile %v: %v", tile, got)
	}
	for _, l := range layers {
		if l.Name != "enterprises" {
			continue
		}
		grades := map[string]bool{}
		for _, f := range l.Features {
			if f.ID == nil {
				t.Errorf("feature without id: %v", f.Properties)
			}
			for _, k := range []string{"name", "category", "grade", "county"} {
				if _, ok := f.Properties[k]; !ok {
					t.Errorf("feature %v lacks property %s", f.ID, k)
				}
			}
			grades[f.Properties.MustString("grade")] = true
		}
		if !grades["red"] || !grades["orange"] || !grades["unassessed"] {
			t.Errorf("grades in tile: %v", grades)
		}
	}
	// A tile far away is empty.
	for _, below := range []int{-1, 0} { // points, then cells
		d, err = s.Tile(ctx, geo.TileQuery{Layers: []geo.Layer{geo.Layer(geo.Enterprises)}, Tile: maptile.New(0, 0, 10), ClusterBelow: below})
		if err != nil || len(d.MVT) != 0 {
			t.Errorf("far tile (cluster below %d) = %d bytes, %v; want empty", below, len(d.MVT), err)
		}
	}
}

// TestMigrationKeepsCurrentAssessments migrates a database of schema 3,
// whose objects carried a copy of their current assessment, to the
// current schema, where they name its record: every object keeps what it
// said, and one whose copy had no record gets one.
func TestMigrationKeepsCurrentAssessments(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	admin, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	name := fmt.Sprintf("schema3_%d", time.Now().UnixNano())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec(context.WithoutCancel(ctx), "DROP DATABASE "+name+" WITH (FORCE)")
	dsn := db + " dbname=" + name // a later key wins
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	all, err := postgis.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	table, err := fs.ReadFile(sqlfs.FS, "queries/migrations_table.sql")
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	exec(string(table))
	for _, m := range all {
		if m.Version <= 3 {
			exec(m.SQL)
			exec("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.Version, m.Name)
		}
	}
	// Three objects: one whose copy is its latest record, one whose copy
	// has no record, one never assessed.
	const result = `{"scheme": "stated_enterprises", "version": 1, "method": "stated", "inputs": {"grade": "red"}, "scored": "red", "applied": [], "final": "red"}`
	const orphan = `{"scheme": "stated_enterprises", "version": 1, "method": "stated", "inputs": {"grade": "blue"}, "scored": "blue", "applied": [], "final": "blue"}`
	exec(`INSERT INTO risk_object (category, name, geom, grade, method, assessed_at, source, source_id, assessment) VALUES
		('enterprises', '甲', ST_SetSRID(ST_MakePoint(119.9, 28.4), 4490), 'red', 'stated', now(), 's', 'a', $1),
		('enterprises', '乙', ST_SetSRID(ST_MakePoint(119.9, 28.4), 4490), 'blue', 'stated', now(), 's', 'b', $2),
		('enterprises', '丙', ST_SetSRID(ST_MakePoint(119.9, 28.4), 4490), NULL, NULL, NULL, 's', 'c', NULL)`, result, orphan)
	exec(`INSERT INTO risk_assessment (object_id, scheme, version, result, grade, reason, assessed_by)
		SELECT id, 'stated_enterprises', 1, '{"final": "orange"}', 'orange', 'import', 'old' FROM risk_object WHERE source_id = 'a'`)
	exec(`INSERT INTO risk_assessment (object_id, scheme, version, result, grade, reason, assessed_by)
		SELECT id, 'stated_enterprises', 1, assessment, grade, 'import', 'test' FROM risk_object WHERE source_id = 'a'`)

	s, err := postgis.Open(ctx, dsn, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, `SELECT o.source_id, coalesce(c.assessment::text, ''), coalesce(a.assessed_by, ''), coalesce(a.object_id = o.id, false)
		FROM risk_object o JOIN risk_object_card c ON c.id = o.id LEFT JOIN risk_assessment a ON a.id = o.assessment_id ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var id, card, by string
	var own bool
	if _, err := pgx.ForEachRow(rows, []any{&id, &card, &by, &own}, func() error {
		got = append(got, fmt.Sprintf("%s %v %s", id, own, by))
		want := map[string]string{"a": result, "b": orphan, "c": ""}[id]
		if want != "" {
			var x, y any
			json.Unmarshal([]byte(card), &x)
			json.Unmarshal([]byte(want), &y)
			if !reflect.DeepEqual(x, y) {
				t.Errorf("object %s: card says %s, want %s", id, card, want)
			}
		} else if card != "" {
			t.Errorf("object %s: card says %s, want no assessment", id, card)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"a true test", "b true migration 0004", "c false "}; !slices.Equal(got, want) {
		t.Errorf("objects and their records %q, want %q", got, want)
	}
}
