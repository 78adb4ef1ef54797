package importers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"riskmap/geo"
	"riskmap/geo/crs"
	"riskmap/geo/postgis"
	"riskmap/geo/postgis/pgtest"
	"riskmap/importers"
	"riskmap/importers/demo"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// env is a fresh database holding Lishui's counties, and its address.
type env struct {
	t     *testing.T
	store *postgis.Store
	conn  string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	conn := pgtest.NewDB(t)
	s, err := postgis.Open(context.Background(), conn, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ds, err := demo.Lishui()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(context.Background(), postgis.Dataset{Source: "boundaries", Divisions: ds.Divisions}); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, store: s, conn: conn}
}

// run imports files (written into a temporary folder from name → content).
func (e *env) run(opt importers.Options, files ...importers.File) *importers.Report {
	e.t.Helper()
	rep, err := importers.Run(context.Background(), importers.Adapt(e.store), files, opt)
	if err != nil {
		e.t.Fatalf("Run: %v", err)
	}
	return rep
}

// write puts content into a file of the test's folder.
func write(t *testing.T, name string, content []byte) importers.File {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return importers.File{Name: name, Path: p}
}

// snapshot is every table an import may touch, as text.
func (e *env) snapshot() string {
	e.t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, e.conn)
	if err != nil {
		e.t.Fatal(err)
	}
	defer conn.Close(ctx)
	var out strings.Builder
	for _, q := range []string{
		"SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY id)), '') FROM risk_object t",
		"SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY code)), '') FROM admin_division t",
		"SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY id)), '') FROM import_run t",
		"SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY layer)), '') FROM layer_version t",
	} {
		var s string
		if err := conn.QueryRow(ctx, q).Scan(&s); err != nil {
			e.t.Fatal(err)
		}
		out.WriteString(s + "\n")
	}
	return out.String()
}

// indexes lists risk_object's indexes, constraints and enabled triggers,
// as text: a bulk import drops and restores them.
func (e *env) indexes() string {
	e.t.Helper()
	conn, err := pgx.Connect(context.Background(), e.conn)
	if err != nil {
		e.t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var s string
	if err := conn.QueryRow(context.Background(), `SELECT string_agg(indexdef, ';' ORDER BY indexdef) || '|' ||
		(SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated, ';' ORDER BY conname) FROM pg_constraint WHERE conrelid = 'risk_object'::regclass) || '|' ||
		(SELECT string_agg(tgname || ' ' || tgenabled::text, ';' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'risk_object'::regclass AND NOT tgisinternal)
		FROM pg_indexes WHERE tablename = 'risk_object'`).Scan(&s); err != nil {
		e.t.Fatal(err)
	}
	return s
}

// objects returns the stored objects of a category by source id.
func (e *env) objects(c geo.Category) map[string]geo.Object {
	e.t.Helper()
	objs, _, err := e.store.Objects(context.Background(), c, geo.Page{Limit: 10000})
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]geo.Object{}
	for _, o := range objs {
		out[o.SourceID] = o
	}
	return out
}

// metres between two lon/lat points (haversine).
func metres(a, b orb.Point) float64 {
	const r = 6371008.8
	la1, la2 := a[1]*math.Pi/180, b[1]*math.Pi/180
	dla, dlo := la2-la1, (b[0]-a[0])*math.Pi/180
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// Truth: real places in Lishui (WGS84), from the county seats file.
var places = []struct {
	id, name, county string
	p                orb.Point
}{
	{"E1", "莲都示范阀门有限公司", "331102", orb.Point{119.917382, 28.455407}},
	{"E2", "龙泉青瓷制造有限公司", "331181", orb.Point{119.13653, 28.078917}},
	{"E3", "景宁竹木制品有限公司", "331127", orb.Point{119.630563, 27.976735}},
}

func csvOf(header string, rows ...string) []byte {
	return []byte(header + "\n" + strings.Join(rows, "\n") + "\n")
}

func TestCSVInEveryCRS(t *testing.T) {
	tests := []struct {
		name   string
		crs    string
		coords func(orb.Point) (string, string)
	}{
		{"wgs84 decimal", "wgs84", func(p orb.Point) (string, string) { return fmt.Sprint(p[0]), fmt.Sprint(p[1]) }},
		{"cgcs2000", "cgcs2000", func(p orb.Point) (string, string) { return fmt.Sprint(p[0]), fmt.Sprint(p[1]) }},
		{"gcj02 (AMap)", "gcj02", func(p orb.Point) (string, string) {
			q := crs.WGS84ToGCJ02(p)
			return fmt.Sprintf("%.7f", q[0]), fmt.Sprintf("%.7f", q[1])
		}},
		{"bd09 (Baidu)", "bd09", func(p orb.Point) (string, string) {
			q := crs.WGS84ToBD09(p)
			return fmt.Sprintf("%.7f", q[0]), fmt.Sprintf("%.7f", q[1])
		}},
		{"degrees minutes seconds", "wgs84", func(p orb.Point) (string, string) { return dms(p[0], "E"), dms(p[1], "N") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			var rows []string
			for _, pl := range places {
				x, y := tc.coords(pl.p)
				rows = append(rows, fmt.Sprintf("%s,%s,%q,%q,红,阀门", pl.id, pl.name, x, y))
			}
			f := write(t, "企业清单.csv", csvOf("统一社会信用代码,单位名称,经度,纬度,风险等级,所属行业", rows...))
			rep := e.run(importers.Options{Category: "enterprises", CRS: tc.crs}, f)
			if !rep.Committed || rep.Inserted != 3 || rep.Invalid != 0 {
				t.Fatalf("report: %+v problems %v", rep, rep.Problems)
			}
			got := e.objects(geo.Enterprises)
			for _, pl := range places {
				o := got[pl.id]
				if d := metres(o.Point, pl.p); d > 1 {
					t.Errorf("%s stored at %v, %.2f m from the truth %v", pl.id, o.Point, d, pl.p)
				}
				if o.County != pl.county || o.Grade != geo.Red || o.Method != "stated" || o.Attributes["industry"] != "阀门" {
					t.Errorf("%s = county %s grade %v method %q attrs %v", pl.id, o.County, o.Grade, o.Method, o.Attributes)
				}
			}
		})
	}
}

func dms(v float64, hemi string) string {
	d := math.Floor(v)
	m := math.Floor((v - d) * 60)
	s := ((v-d)*60 - m) * 60
	return fmt.Sprintf("%.0f°%.0f′%.4f″%s", d, m, s, hemi)
}

// meridianArc is the distance along the CGCS2000 meridian from the
// equator to latitude lat (degrees), by Simpson's rule: an independent
// check of PostGIS's Gauss-Krüger projection on the central meridian,
// where the easting is exactly the false easting.
func meridianArc(lat float64) float64 {
	const a, f = 6378137.0, 1 / 298.257222101
	e2 := f * (2 - f)
	g := func(phi float64) float64 { s := math.Sin(phi); return a * (1 - e2) / math.Pow(1-e2*s*s, 1.5) }
	n, phi := 20000, lat*math.Pi/180
	h := phi / float64(n)
	sum := g(0) + g(phi)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		sum += w * g(float64(i)*h)
	}
	return sum * h / 3
}

func TestGaussKrugerCSV(t *testing.T) {
	e := newEnv(t)
	// On the central meridian 120°E of EPSG:4549: easting 500000,
	// northing the meridian arc. The X/Y columns follow the Chinese
	// surveying habit (X = northing), which the importer must notice.
	truth := orb.Point{120, 28.2}
	north := meridianArc(truth[1])
	f := write(t, "bridges.csv", csvOf("桥梁编码,桥梁名称,X坐标,Y坐标,技术状况等级",
		fmt.Sprintf("B1,测试大桥,%.3f,%.3f,4类", north, 500000.0)))
	rep := e.run(importers.Options{Category: "bridges", CRS: "EPSG:4549"}, f)
	if !rep.Committed || rep.Inserted != 1 {
		t.Fatalf("report %+v %v", rep, rep.Problems)
	}
	o := e.objects(geo.Bridges)["B1"]
	if d := metres(o.Point, truth); d > 1 {
		t.Errorf("stored at %v, %.3f m from %v", o.Point, d, truth)
	}
	if o.Attributes["tech_class"] != float64(4) {
		t.Errorf("tech_class = %#v, want 4", o.Attributes["tech_class"])
	}
}

func TestGeoJSONAndLines(t *testing.T) {
	e := newEnv(t)
	fc := geojson.NewFeatureCollection()
	for _, pl := range places {
		f := geojson.NewFeature(pl.p)
		f.Properties = geojson.Properties{"名称": pl.name, "编号": pl.id, "容纳人数": 300, "风险等级": "蓝"}
		fc.Append(f)
	}
	b, _ := json.Marshal(fc)
	rep := e.run(importers.Options{Category: "shelters"}, write(t, "shelters.geojson", b))
	if !rep.Committed || rep.Inserted != 3 {
		t.Fatalf("collection: %+v %v", rep, rep.Problems)
	}
	var nd []string
	for _, f := range fc.Features {
		f.Properties["容纳人数"] = 400
		line, _ := json.Marshal(f)
		nd = append(nd, string(line))
	}
	rep = e.run(importers.Options{Category: "shelters", Source: "shelters"}, write(t, "shelters.geojsonl", []byte(strings.Join(nd, "\n"))))
	if !rep.Committed || rep.Updated != 3 || rep.Inserted != 0 {
		t.Fatalf("newline-delimited re-import: %+v %v", rep, rep.Problems)
	}
	if got := e.objects(geo.Shelters)["E2"].Attributes["capacity_persons"]; got != float64(400) {
		t.Errorf("capacity after update = %#v", got)
	}
}

func TestReimportReplaceDryRunSkipInvalid(t *testing.T) {
	e := newEnv(t)
	head := "编号,名称,经度,纬度"
	all := []string{"A,甲,119.91,28.45", "B,乙,119.92,28.46", "C,丙,119.93,28.44"}
	opt := importers.Options{Category: "rescue_resources", Source: "teams"}
	if rep := e.run(opt, write(t, "t.csv", csvOf(head, all...))); rep.Inserted != 3 {
		t.Fatalf("first import %+v", rep)
	}
	before := e.snapshot()
	if rep := e.run(opt, write(t, "t.csv", csvOf(head, all...))); rep.Inserted != 0 || rep.Updated != 0 || rep.Unchanged != 3 {
		t.Errorf("same file again: %+v", rep)
	}
	// The import record is the only change.
	if e.snapshot() == before {
		t.Error("a committed import left no record")
	}

	before = e.snapshot()
	dry := opt
	dry.DryRun, dry.Replace = true, true
	rep := e.run(dry, write(t, "t.csv", csvOf(head, all[0], "D,丁,119.90,28.43")))
	if rep.Committed || rep.Inserted != 1 || rep.Retired != 2 {
		t.Errorf("dry run report %+v", rep)
	}
	if e.snapshot() != before {
		t.Error("a dry run changed the database")
	}

	rep = e.run(importers.Options{Category: "rescue_resources", Source: "teams", Replace: true}, write(t, "t.csv", csvOf(head, all[0], "D,丁,119.90,28.43")))
	if !rep.Committed || rep.Retired != 2 || rep.Inserted != 1 {
		t.Fatalf("replace: %+v", rep)
	}
	got := e.objects(geo.RescueResources)
	if len(got) != 2 || got["B"].Name != "" {
		t.Errorf("after replace the map shows %v", got)
	}
	// Retired, not lost: the object is still there, with when it left.
	conn, err := pgx.Connect(context.Background(), e.conn)
	if err != nil {
		t.Fatal(err)
	}
	var retired int
	conn.QueryRow(context.Background(), "SELECT count(*) FROM risk_object WHERE source = 'teams' AND source_id IN ('B', 'C') AND retired_at IS NOT NULL").Scan(&retired)
	conn.Close(context.Background())
	if retired != 2 {
		t.Errorf("%d of B, C kept as retired, want 2", retired)
	}

	before = e.snapshot()
	bad := csvOf(head, "E,戊,119.91,28.45", "F,己,abc,28.45", "G,,119.9,28.4")
	rep = e.run(importers.Options{Category: "rescue_resources", Source: "teams"}, write(t, "bad.csv", bad))
	if rep.Committed || rep.Invalid != 2 || e.snapshot() != before {
		t.Errorf("invalid rows without --skip-invalid: committed %v invalid %d, database changed %v", rep.Committed, rep.Invalid, e.snapshot() != before)
	}
	rep = e.run(importers.Options{Category: "rescue_resources", Source: "teams", SkipInvalid: true}, write(t, "bad.csv", bad))
	if !rep.Committed || rep.Inserted != 1 || rep.Invalid != 2 {
		t.Errorf("with --skip-invalid: %+v", rep)
	}
}

// TestBadInput: every kind of bad file gets a clear problem naming the
// row and column, and the database is exactly as it was.
func TestBadInput(t *testing.T) {
	head := "编号,名称,经度,纬度"
	tests := []struct {
		name    string
		file    string
		content []byte
		opt     importers.Options
		row     int
		column  string
		reason  string // part of the English reason
	}{
		{"empty file", "a.csv", nil, importers.Options{}, 0, "", "empty"},
		{"missing coordinate column", "a.csv", csvOf("编号,名称,经度", "A,甲,119.9"), importers.Options{}, 0, "", "no column for lat"},
		{"missing coordinates", "a.csv", csvOf(head, "A,甲,,28.4"), importers.Options{}, 2, "经度", "missing"},
		{"not a number", "a.csv", csvOf(head, "A,甲,东经一百,28.4"), importers.Options{}, 2, "经度", "not a longitude"},
		{"NaN", "a.csv", csvOf(head, "A,甲,NaN,28.4"), importers.Options{}, 2, "经度", "not a longitude"},
		{"infinite", "a.csv", csvOf(head, "A,甲,119.9,Inf"), importers.Options{}, 2, "纬度", "not a latitude"},
		{"out of range", "a.csv", csvOf(head, "A,甲,219.9,28.4"), importers.Options{}, 2, "经度", "range"},
		{"swapped", "a.csv", csvOf(head, "A,甲,28.45,119.91"), importers.Options{}, 2, "经度", "swapped"},
		{"swapped by hemisphere", "a.csv", csvOf(head, "A,甲,28°27′N,119°55′E"), importers.Options{}, 2, "经度", "swapped"},
		{"outside the service area", "a.csv", csvOf(head, "A,甲,116.39,39.91"), importers.Options{}, 2, "经度", "outside the service area"},
		{"projected read as degrees", "a.csv", csvOf(head, "A,甲,500000,3120000"), importers.Options{}, 2, "经度", "projected"},
		{"duplicate ids", "a.csv", csvOf(head, "A,甲,119.91,28.45", "A,乙,119.92,28.46"), importers.Options{}, 3, "编号", "already used by row 2"},
		{"unknown county", "a.csv", csvOf(head+",区县", "A,甲,119.91,28.45,朝阳区"), importers.Options{}, 2, "区县", "unknown county"},
		{"numeric grade without scale", "a.csv", csvOf(head+",风险等级", "A,甲,119.91,28.45,3"), importers.Options{}, 2, "风险等级", "grade_scale"},
		{"unknown file type", "a.doc", []byte("x"), importers.Options{}, 0, "", "unknown file type"},
		{"bad GeoJSON", "a.geojson", []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[119.9]},"properties":{"name":"x"}}]}`), importers.Options{}, 1, "", "not a GeoJSON Feature"},
		{"truncated zip", "a.zip", []byte("PK\x03\x04\x14\x00\x00\x00"), importers.Options{}, 0, "", "zip"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.run(importers.Options{Category: "enterprises", Source: "a"}, write(t, "seed.csv", csvOf(head, "S,种子,119.91,28.45")))
			before := e.snapshot()
			opt := tc.opt
			opt.Category, opt.Source = "enterprises", "a"
			rep := e.run(opt, write(t, tc.file, tc.content))
			if rep.Committed || rep.OK() {
				t.Fatalf("bad input was accepted: %+v", rep)
			}
			if after := e.snapshot(); after != before {
				t.Error("the database changed")
			}
			found := false
			for _, p := range rep.Problems {
				if p.Level == "error" && p.Row == tc.row && p.Column == tc.column && strings.Contains(p.Reason, tc.reason) && p.ReasonZH != "" && p.File == tc.file {
					found = true
				}
			}
			if !found {
				var got []string
				for _, p := range rep.Problems {
					got = append(got, fmt.Sprintf("row %d column %q: %s", p.Row, p.Column, p.Reason))
				}
				t.Errorf("want a problem at row %d column %q saying %q; got %v", tc.row, tc.column, tc.reason, got)
			}
		})
	}
}

func TestCountiesFromGeoJSON(t *testing.T) {
	conn := pgtest.NewDB(t)
	s, err := postgis.Open(context.Background(), conn, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, err := os.ReadFile("demo/data/lishui_counties.geojson")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := importers.Run(context.Background(), importers.Adapt(s), []importers.File{write(t, "counties.geojson", b)}, importers.Options{Category: "counties"})
	if err != nil || !rep.Committed || rep.Valid != 9 {
		t.Fatalf("counties: %v %+v %v", err, rep, rep.Problems)
	}
	d, err := s.County(context.Background(), "331127")
	if err != nil || d.Name != "景宁畲族自治县" || d.Population == nil || *d.Population == 0 {
		t.Errorf("331127 = %+v, %v", d, err)
	}
}

// gdalConvert runs ogr2ogr, which make test-deps installs with gdal-bin.
func gdalConvert(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("ogr2ogr", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ogr2ogr %v: %v\n%s", args, err, out)
	}
}

// xlsx builds a workbook for the bad-input table.
func xlsx(t *testing.T, build func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBadTablesLeaveNoTrace(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("编号,名称,经度,纬度\nA,莲都化工厂,119.91,28.45\n"))
	long := append([]byte("编号,名称,经度,纬度\nA,"), bytes.Repeat([]byte("x"), 5<<20)...)
	rows := func(f *excelize.File, sheet string) {
		f.SetSheetRow(sheet, "A1", &[]any{"编号", "名称", "经度", "纬度"})
		f.SetSheetRow(sheet, "A2", &[]any{"A", "莲都化工厂", 119.91, 28.45})
	}
	tests := []struct {
		name    string
		file    string
		content []byte
		reason  string
	}{
		{"header only", "a.csv", []byte("编号,名称,经度,纬度\n"), "no rows"},
		{"GBK declared UTF-8", "a.csv", gbk, "not valid UTF-8"},
		{"a 5 MB line", "a.csv", long, "longer than 4 MiB"},
		{"formula without a saved value", "a.xlsx", xlsx(t, func(f *excelize.File) {
			f.SetSheetRow("Sheet1", "A1", &[]any{"编号", "名称", "经度", "纬度"})
			f.SetSheetRow("Sheet1", "A2", &[]any{"A", "莲都化工厂"})
			f.SetCellValue("Sheet1", "D2", 28.45)
			f.SetCellFormula("Sheet1", "C2", "100+19.91")
		}), "formula"},
		{"merged header cells", "a.xlsx", xlsx(t, func(f *excelize.File) {
			rows(f, "Sheet1")
			f.MergeCell("Sheet1", "A1", "B1")
		}), "merged header"},
		{"several sheets", "a.xlsx", xlsx(t, func(f *excelize.File) {
			rows(f, "Sheet1")
			f.NewSheet("第二页")
			rows(f, "第二页")
		}), "several sheets"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.run(importers.Options{Category: "enterprises", Source: "a"}, write(t, "seed.csv", csvOf("编号,名称,经度,纬度", "S,种子,119.91,28.45")))
			before := e.snapshot()
			rep := e.run(importers.Options{Category: "enterprises", Source: "a", Encoding: map[bool]string{true: "utf-8"}[tc.name == "GBK declared UTF-8"], Replace: true},
				write(t, tc.file, tc.content))
			if rep.Committed || rep.OK() {
				t.Fatalf("accepted: %+v", rep)
			}
			if e.snapshot() != before {
				t.Error("the database changed")
			}
			found := false
			for _, p := range rep.Problems {
				if strings.Contains(p.Reason, tc.reason) && p.ReasonZH != "" {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem saying %q: %v", tc.reason, rep.Problems)
			}
		})
	}
}

func TestInterruptedImportLeavesNoTrace(t *testing.T) {
	e := newEnv(t)
	e.run(importers.Options{Category: "enterprises", Source: "a"}, write(t, "seed.csv", csvOf("编号,名称,经度,纬度", "S,种子,119.91,28.45")))
	before := e.snapshot()
	var rows []string
	for i := 0; i < 30000; i++ {
		rows = append(rows, fmt.Sprintf("R%d,企业%d,119.9%d,28.4%d", i, i, i%10, i%7))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opt := importers.Options{Category: "enterprises", Source: "a", Replace: true, Progress: func(n, _, _ int64) {
		if n >= 20000 {
			cancel() // as a Ctrl-C or a closed connection would
		}
	}}
	_, err := importers.Run(ctx, importers.Adapt(e.store), []importers.File{write(t, "big.csv", csvOf("编号,名称,经度,纬度", rows...))}, opt)
	if err == nil {
		t.Fatal("an interrupted import reported success")
	}
	if e.snapshot() != before {
		t.Error("an interrupted import changed the database")
	}
}

// hasError reports whether the report has an error whose English reason
// contains reason and that also has a Chinese reason.
func hasError(rep *importers.Report, reason string) bool {
	for _, p := range rep.Problems {
		if p.Level == "error" && strings.Contains(p.Reason, reason) && p.ReasonZH != "" {
			return true
		}
	}
	return false
}

func TestReplaceRefusesWhatItCannotRead(t *testing.T) {
	head := "编号,名称,经度,纬度"
	tests := []struct {
		name  string
		files func(t *testing.T) []importers.File
	}{
		{"an invalid row", func(t *testing.T) []importers.File {
			return []importers.File{write(t, "t.csv", csvOf(head, "A,甲,119.91,28.45", "B,乙,abc,28.46"))}
		}},
		{"a file that cannot be read", func(t *testing.T) []importers.File {
			return []importers.File{write(t, "t.csv", csvOf(head, "A,甲,119.91,28.45")), write(t, "broken.zip", []byte("PK\x03\x04"))}
		}},
		{"a header only", func(t *testing.T) []importers.File {
			return []importers.File{write(t, "t.csv", csvOf(head))}
		}},
		{"a truncated collection", func(t *testing.T) []importers.File {
			return []importers.File{write(t, "t.geojson", []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"编号":"A","名称":"甲"},"geometry":{"type":"Point","coordinates":[119.91,28.45]}},{"type":"Feat`))}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.run(importers.Options{Category: "shelters", Source: "s"}, write(t, "seed.csv", csvOf(head, "A,甲,119.91,28.45", "B,乙,119.92,28.46", "C,丙,119.93,28.44")))
			before := e.snapshot()
			rep := e.run(importers.Options{Category: "shelters", Source: "s", Replace: true, SkipInvalid: true}, tc.files(t)...)
			if rep.Committed || rep.OK() || rep.Retired != 0 {
				t.Fatalf("replace went ahead: %+v %v", rep, rep.Problems)
			}
			if e.snapshot() != before {
				t.Error("the database changed")
			}
		})
	}
}

// TestBulkImport goes past BulkRows into a small table: the path that
// drops and rebuilds risk_object's indexes must store everything, keep
// the other sources, and leave every index and constraint in place.
func TestBulkImport(t *testing.T) {
	e := newEnv(t)
	e.run(importers.Options{Category: "enterprises", Source: "other"}, write(t, "o.csv", csvOf("编号,名称,经度,纬度", "X,别的,119.91,28.45")))
	before := e.indexes()
	n := postgis.BulkRows + 500
	rows := make([]string, n)
	for i := range rows {
		rows[i] = fmt.Sprintf("B%d,企业%d,%.5f,%.5f", i, i, 119.85+float64(i%100)*0.001, 28.40+float64(i/100%100)*0.001)
	}
	rep := e.run(importers.Options{Category: "enterprises", Source: "bulk"}, write(t, "b.csv", csvOf("编号,名称,经度,纬度", rows...)))
	if !rep.Committed || rep.Inserted != int64(n) {
		t.Fatalf("bulk import: %+v", rep)
	}
	if after := e.indexes(); after != before {
		t.Errorf("indexes and constraints changed:\nbefore %s\nafter  %s", before, after)
	}
	_, total, err := e.store.Objects(context.Background(), geo.Enterprises, geo.Page{Limit: 1})
	if err != nil || total != n+1 {
		t.Errorf("%d enterprises after the bulk import, want %d: %v", total, n+1, err)
	}
	// The same again: nothing changes; then a replace retires, keeping rows.
	rep = e.run(importers.Options{Category: "enterprises", Source: "bulk"}, write(t, "b.csv", csvOf("编号,名称,经度,纬度", rows...)))
	if rep.Inserted != 0 || rep.Updated != 0 || rep.Unchanged != int64(n) {
		t.Errorf("bulk re-import: %+v", rep)
	}
	rep = e.run(importers.Options{Category: "enterprises", Source: "bulk", Replace: true}, write(t, "b.csv", csvOf("编号,名称,经度,纬度", rows[:10]...)))
	if rep.Retired != int64(n-10) {
		t.Errorf("replace retired %d, want %d", rep.Retired, n-10)
	}
	objs, _, _ := e.store.Objects(context.Background(), geo.Enterprises, geo.Page{Limit: 100})
	if len(objs) != 11 {
		t.Errorf("%d active after replace, want 11 (10 + the other source)", len(objs))
	}
	var retiredID int64
	conn, _ := pgx.Connect(context.Background(), e.conn)
	conn.QueryRow(context.Background(), "SELECT id FROM risk_object WHERE source = 'bulk' AND source_id = 'B20'").Scan(&retiredID)
	conn.Close(context.Background())
	o, err := e.store.Object(context.Background(), geo.Enterprises, retiredID)
	if err != nil || o.RetiredAt == nil {
		t.Errorf("retired object B20: %v, retired_at %v; want it kept with retired_at", err, o.RetiredAt)
	}
}

// bigCSV is n enterprises across Lishui with grades, counties and
// attributes, ids D0…; edit may change a row before it is written.
func bigCSV(n int, edit func(i int, row []string)) []byte {
	grades := []string{"红", "橙", "黄", "蓝", ""}
	dates := []string{"1999-07-01", "", "", "2025-11-09", "", ""} // before and after PostgreSQL's epoch
	rows := make([]string, n)
	for i := range rows {
		row := []string{fmt.Sprintf("D%d", i), fmt.Sprintf("企业%d", i), fmt.Sprintf("%.5f", 119.85+float64(i%200)*0.0005),
			fmt.Sprintf("%.5f", 28.40+float64(i/200%200)*0.0005), grades[i%len(grades)], "莲都区", fmt.Sprint(5 + i%300), "阀门", dates[i%len(dates)]}
		if edit != nil {
			edit(i, row)
		}
		rows[i] = strings.Join(row, ",")
	}
	return csvOf("编号,名称,经度,纬度,风险等级,所属区县,从业人数,所属行业,评估日期", rows...)
}

// TestDirectImport is a first load of a large source, copied straight
// into risk_object: it must store exactly what the staged path stores,
// restore every index, constraint and trigger, move the layer versions,
// and fall back to staging when ids repeat.
func TestDirectImport(t *testing.T) {
	e := newEnv(t)
	// Large enough that the estimate from the first rows (which counts
	// the readers' read-ahead as read) is past BulkRows.
	n := 2 * postgis.BulkRows
	// The staged twin: a source that exists already is never copied
	// directly.
	e.run(importers.Options{Category: "enterprises", Source: "staged"}, write(t, "seed.csv", csvOf("编号,名称,经度,纬度", "SEED,种子,119.91,28.45")))
	before := e.indexes()
	versions := func() (v [2]int64) {
		conn, err := pgx.Connect(context.Background(), e.conn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if err := conn.QueryRow(context.Background(), "SELECT (SELECT version FROM layer_version WHERE layer = 'enterprises'), (SELECT version FROM layer_version WHERE layer = 'counties')").Scan(&v[0], &v[1]); err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := versions()
	file := write(t, "big.csv", bigCSV(n, nil))
	rep := e.run(importers.Options{Category: "enterprises", Source: "direct", Replace: true}, file)
	if !rep.Committed || !rep.Direct || rep.Inserted != int64(n) || rep.Retired != 0 || rep.Valid != n {
		t.Fatalf("direct import: %+v", rep)
	}
	if after := e.indexes(); after != before {
		t.Errorf("indexes, constraints or triggers changed:\nbefore %s\nafter  %s", before, after)
	}
	if v := versions(); v[0] <= v0[0] || v[1] <= v0[1] {
		t.Errorf("layer versions %v after the import, %v before: want both moved", v, v0)
	}
	rep = e.run(importers.Options{Category: "enterprises", Source: "staged", Replace: true}, file)
	if !rep.Committed || rep.Direct || rep.Inserted != int64(n) || rep.Retired != 1 {
		t.Fatalf("staged import: %+v", rep)
	}
	conn, err := pgx.Connect(context.Background(), e.conn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var same, direct int
	if err := conn.QueryRow(context.Background(), `
		SELECT count(*) FILTER (WHERE s.id IS NOT NULL
		         AND (d.name, d.geom, d.geom_3857, d.county_code, d.grade, d.score, d.method, d.attributes, d.retired_at)
		             IS NOT DISTINCT FROM (s.name, s.geom, s.geom_3857, s.county_code, s.grade, s.score, s.method, s.attributes, s.retired_at)
		         -- a date from the file exactly; without one, each import's time
		         AND (d.assessed_at IS NOT DISTINCT FROM s.assessed_at
		              OR (d.assessed_at > now() - interval '1 hour' AND s.assessed_at > now() - interval '1 hour'))),
		       count(*)
		FROM risk_object d
		LEFT JOIN risk_object s ON s.source = 'staged' AND s.category = d.category AND s.source_id = d.source_id
		WHERE d.source = 'direct'`).Scan(&same, &direct); err != nil {
		t.Fatal(err)
	}
	if direct != n || same != n {
		t.Errorf("%d objects copied directly, %d of them the same as staged; want %d and %d", direct, same, n, n)
	}
	// Every graded object names its record, which is of it and says what
	// the staged twin's says; the copied objects share a record per
	// result (four grades here), so there are few.
	var graded, explained, records int
	if err := conn.QueryRow(context.Background(), `
		SELECT count(*) FILTER (WHERE d.grade IS NOT NULL),
		       count(*) FILTER (WHERE da.result = sa.result AND da.grade = d.grade AND da.reason = 'import'
		                          AND coalesce(da.object_id = d.id OR da.objects @> d.id, false)),
		       count(DISTINCT da.id)
		FROM risk_object d
		JOIN risk_object s ON s.source = 'staged' AND s.category = d.category AND s.source_id = d.source_id
		LEFT JOIN risk_assessment da ON da.id = d.assessment_id
		LEFT JOIN risk_assessment sa ON sa.id = s.assessment_id
		WHERE d.source = 'direct'`).Scan(&graded, &explained, &records); err != nil {
		t.Fatal(err)
	}
	if graded != n*4/5 || explained != graded || records > 4*(n/8192+2) {
		t.Errorf("%d copied objects graded, %d explained by their record, %d records; want %d, all, and a few per result", graded, explained, records, n*4/5)
	}
	// The history of a copied object starts with its shared record.
	store, err := postgis.Open(context.Background(), e.conn, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var id int64
	if err := conn.QueryRow(context.Background(), "SELECT id FROM risk_object WHERE source = 'direct' AND source_id = 'D6'").Scan(&id); err != nil {
		t.Fatal(err)
	}
	hist, err := store.History(context.Background(), geo.Enterprises, id, 10)
	if err != nil || len(hist) != 1 || hist[0].ObjectID != id || hist[0].Grade != geo.Orange || hist[0].Reason != "import" || hist[0].Scheme != "stated_enterprises" {
		t.Errorf("history of a copied object: %+v, %v", hist, err)
	}
	// Spot checks: the staged path is tested against the truth elsewhere.
	var grade, county, attrs string
	if err := conn.QueryRow(context.Background(), "SELECT grade::text, county_code, attributes::text FROM risk_object WHERE source = 'direct' AND source_id = 'D0'").Scan(&grade, &county, &attrs); err != nil {
		t.Fatal(err)
	}
	if grade != "red" || county != "331102" || attrs != `{"industry": "阀门", "employees": 5}` {
		t.Errorf("D0: grade %s, county %s, attributes %s", grade, county, attrs)
	}

	// Each case on a fresh map: a source larger than the map is copied
	// directly.
	t.Run("duplicate ids are staged and reported", func(t *testing.T) {
		e := newEnv(t)
		dup := write(t, "dup.csv", bigCSV(n, func(i int, row []string) {
			if i == n-5 {
				row[0] = "D7"
			}
		}))
		before := e.snapshot()
		rep := e.run(importers.Options{Category: "enterprises", Source: "dups"}, dup)
		if rep.Committed || rep.Direct || rep.Invalid != 1 {
			t.Fatalf("import with a duplicate id: %+v", rep)
		}
		found := false
		for _, p := range rep.Problems {
			found = found || (p.Row == n-3 && p.Value == "D7" && strings.Contains(p.Reason, "row 9 of dup.csv"))
		}
		if !found { // rows count from the header, row 1
			t.Errorf("no problem names row %d (the duplicate of row 9): %v", n-3, rep.Problems)
		}
		if e.snapshot() != before {
			t.Error("the refused import changed the database")
		}
		rep = e.run(importers.Options{Category: "enterprises", Source: "dups", SkipInvalid: true}, dup)
		if !rep.Committed || rep.Direct || rep.Inserted != int64(n-1) || rep.Invalid != 1 {
			t.Errorf("--skip-invalid import with a duplicate id: %+v", rep)
		}
	})

	t.Run("an invalid last row leaves no trace", func(t *testing.T) {
		e := newEnv(t)
		bad := write(t, "bad.csv", bigCSV(n, func(i int, row []string) {
			if i == n-1 {
				row[2] = "abc"
			}
		}))
		before, idx := e.snapshot(), e.indexes()
		rep := e.run(importers.Options{Category: "enterprises", Source: "bad"}, bad)
		if rep.Committed || !rep.Direct || rep.Invalid != 1 {
			t.Fatalf("import with a bad row: %+v", rep)
		}
		if e.snapshot() != before || e.indexes() != idx {
			t.Error("the refused import changed the database")
		}
	})

	t.Run("a cancelled copy leaves no trace", func(t *testing.T) {
		e := newEnv(t)
		before, idx := e.snapshot(), e.indexes()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		opt := importers.Options{Category: "enterprises", Source: "cancelled", Progress: func(rows, _, _ int64) {
			if rows >= int64(n)/2 {
				cancel()
			}
		}}
		if _, err := importers.Run(ctx, importers.Adapt(e.store), []importers.File{file}, opt); err == nil {
			t.Fatal("a cancelled import reported success")
		}
		if e.snapshot() != before || e.indexes() != idx {
			t.Error("the cancelled import changed the database")
		}
	})
}

// TestReimportKeepsHazardGrades: an object that an open major hidden
// hazard makes red stays red, and unchanged, when its unchanged file is
// imported again.
func TestReimportKeepsHazardGrades(t *testing.T) {
	e := newEnv(t)
	file := write(t, "s.csv", csvOf("编号,名称,经度,纬度,风险等级", "A,甲避难所,119.91,28.45,蓝", "B,乙避难所,119.92,28.46,黄"))
	if rep := e.run(importers.Options{Category: "shelters", Source: "s"}, file); !rep.Committed {
		t.Fatalf("first import: %+v", rep)
	}
	a := e.objects(geo.Shelters)["A"]
	if _, err := e.store.ReportHazard(context.Background(), geo.Hazard{Code: "H1", ObjectID: &a.ID, Title: "疏散通道封堵", Level: "major",
		DiscoverySource: "inspection", FoundOn: "2026-11-01"}, "test"); err != nil {
		t.Fatal(err)
	}
	if g := e.objects(geo.Shelters)["A"].Grade; g != geo.Red {
		t.Fatalf("A with an open major hazard: %v, want red", g)
	}
	before := e.snapshot()
	for _, dry := range []bool{true, false} {
		rep := e.run(importers.Options{Category: "shelters", Source: "s", DryRun: dry}, file)
		if rep.Updated != 0 || rep.Unchanged != 2 {
			t.Errorf("re-import (dry run %v): %d updated, %d unchanged; want 0 and 2", dry, rep.Updated, rep.Unchanged)
		}
	}
	after := e.snapshot()
	// Only the import record is new.
	if strings.Split(before, "\n")[0] != strings.Split(after, "\n")[0] {
		t.Error("the re-import changed the objects")
	}
	if g := e.objects(geo.Shelters)["A"].Grade; g != geo.Red {
		t.Errorf("A after the re-import: %v, want red", g)
	}
}
