package importers_test

import (
	"archive/zip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb/geojson"

	"riskmap/geo"
	"riskmap/importers"
)

// bridgesGeoJSON writes the places as bridges in WGS84 GeoJSON.
func bridgesGeoJSON(t *testing.T) string {
	t.Helper()
	fc := geojson.NewFeatureCollection()
	for i, pl := range places {
		f := geojson.NewFeature(pl.p)
		f.Properties = geojson.Properties{"QLBM": pl.id, "QLMC": pl.name + "桥", "JSZK": []string{"1类", "3类", "5类"}[i]}
		fc.Append(f)
	}
	b, _ := json.Marshal(fc)
	p := filepath.Join(t.TempDir(), "src.geojson")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// The bureau's habit: short pinyin column names, mapped by a mapping file.
var bridgeMapping = &importers.Mapping{Columns: map[string]string{"QLBM": "id", "QLMC": "name", "JSZK": "tech_class"}}

// shapefile makes a Shapefile of the bridges in CGCS2000 3° Gauss-Krüger
// (EPSG:4549) with GBK attributes, in its own folder, and returns the .shp.
func shapefile(t *testing.T, cpg bool) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bridges")
	os.Mkdir(dir, 0o755)
	shp := filepath.Join(dir, "桥梁.shp")
	gdalConvert(t, "-f", "ESRI Shapefile", shp, bridgesGeoJSON(t), "-s_srs", "EPSG:4326", "-t_srs", "EPSG:4549", "-lco", "ENCODING=GBK")
	if !cpg {
		os.Remove(filepath.Join(dir, "桥梁.cpg"))
	}
	return shp
}

func zipDir(t *testing.T, dir string, skip string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "bridges.zip")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if skip != "" && strings.HasSuffix(e.Name(), skip) {
			continue
		}
		w, _ := zw.Create("data/" + e.Name())
		src, _ := os.Open(filepath.Join(dir, e.Name()))
		io.Copy(w, src)
		src.Close()
	}
	zw.Close()
	f.Close()
	return p
}

func checkBridges(t *testing.T, e *env, rep *importers.Report) {
	t.Helper()
	if !rep.Committed || rep.Valid != 3 || rep.Invalid != 0 {
		t.Fatalf("report %+v %v", rep, rep.Problems)
	}
	got := e.objects(geo.Bridges)
	for i, pl := range places {
		o := got[pl.id]
		if d := metres(o.Point, pl.p); d > 1 {
			t.Errorf("%s at %v is %.2f m from the truth", pl.id, o.Point, d)
		}
		if o.Name != pl.name+"桥" {
			t.Errorf("%s name %q, want %q (GBK attributes read right)", pl.id, o.Name, pl.name+"桥")
		}
		if o.Attributes["tech_class"] != float64([]int{1, 3, 5}[i]) || o.County != pl.county {
			t.Errorf("%s: tech_class %v county %s", pl.id, o.Attributes["tech_class"], o.County)
		}
	}
}

func TestShapefileForms(t *testing.T) {
	tests := []struct {
		name string
		file func(t *testing.T) importers.File
		enc  string
	}{
		{"a .shp with .prj and .cpg", func(t *testing.T) importers.File {
			p := shapefile(t, true)
			return importers.File{Name: filepath.Base(p), Path: p}
		}, ""},
		{"a folder, GBK given because there is no .cpg", func(t *testing.T) importers.File {
			p := shapefile(t, false)
			return importers.File{Name: "bridges", Path: filepath.Dir(p)}
		}, "gbk"},
		{"a zip", func(t *testing.T) importers.File {
			p := zipDir(t, filepath.Dir(shapefile(t, true)), "")
			return importers.File{Name: "bridges.zip", Path: p}
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			rep := e.run(importers.Options{Category: "bridges", Mapping: bridgeMapping, Encoding: tc.enc, Source: "jt"}, tc.file(t))
			checkBridges(t, e, rep)
		})
	}
}

func TestGeoPackageAndKML(t *testing.T) {
	for _, format := range []struct{ driver, ext string }{{"GPKG", ".gpkg"}, {"KML", ".kml"}} {
		t.Run(format.driver, func(t *testing.T) {
			e := newEnv(t)
			p := filepath.Join(t.TempDir(), "bridges"+format.ext)
			gdalConvert(t, "-f", format.driver, p, bridgesGeoJSON(t))
			rep := e.run(importers.Options{Category: "bridges", Mapping: bridgeMapping, Source: "jt"}, importers.File{Name: filepath.Base(p), Path: p})
			checkBridges(t, e, rep)
		})
	}
}

func TestBrokenShapefiles(t *testing.T) {
	tests := []struct {
		name   string
		file   func(t *testing.T) importers.File
		crs    string
		reason string
	}{
		{"no .dbf", func(t *testing.T) importers.File {
			return importers.File{Name: "b.zip", Path: zipDir(t, filepath.Dir(shapefile(t, true)), ".dbf")}
		}, "", ".dbf"},
		{"no .prj", func(t *testing.T) importers.File {
			return importers.File{Name: "b.zip", Path: zipDir(t, filepath.Dir(shapefile(t, true)), ".prj")}
		}, "", ".prj"},
		{"truncated zip", func(t *testing.T) importers.File {
			p := zipDir(t, filepath.Dir(shapefile(t, true)), "")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o644)
			return importers.File{Name: "b.zip", Path: p}
		}, "", "zip"},
		{"path outside the zip", func(t *testing.T) importers.File {
			return importers.File{Name: "b.zip", Path: zipWith(t, map[string][]byte{"../../etc/cron.d/x.shp": []byte("x")})}
		}, "", "outside"},
		{"zip bomb", func(t *testing.T) importers.File {
			return importers.File{Name: "b.zip", Path: zipWith(t, map[string][]byte{"b.shp": make([]byte, 50<<20)})}
		}, "", "zip bomb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			before := e.snapshot()
			rep := e.run(importers.Options{Category: "bridges", Mapping: bridgeMapping, CRS: tc.crs}, tc.file(t))
			if rep.Committed || !hasError(rep, tc.reason) {
				t.Errorf("report %+v problems %v", rep, rep.Problems)
			}
			if e.snapshot() != before {
				t.Error("the database changed")
			}
		})
	}
	// Without a .prj the CRS can be given.
	e := newEnv(t)
	p := zipDir(t, filepath.Dir(shapefile(t, true)), ".prj")
	checkBridges(t, e, e.run(importers.Options{Category: "bridges", Mapping: bridgeMapping, CRS: "EPSG:4549", Source: "jt"}, importers.File{Name: "b.zip", Path: p}))
}

// zipWith writes a zip of the given entries (deflated).
func zipWith(t *testing.T, entries map[string][]byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "b.zip")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, b := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}
