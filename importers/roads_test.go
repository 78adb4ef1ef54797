package importers_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"riskmap/geo/crs"
	"riskmap/importers"
)

func TestParseOneWayAndSpeed(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"", 0, true}, {"yes", 1, true}, {"是", 1, true}, {"-1", -1, true}, {"反向", -1, true}, {" No ", 0, true}, {"双向", 0, true}, {"maybe", 0, false},
		// Geofabrik shapefiles: B both ways, F along the line, T against it
		{"B", 0, true}, {"F", 1, true}, {"T", -1, true},
	} {
		got, err := importers.ParseOneWay(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseOneWay(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"", 0, true}, {"60", 60, true}, {"60 km/h", 60, true}, {"40公里/小时", 40, true}, {"30 mph", 30 * 1.609344, true},
		{"fast", 0, false}, {"-5", 0, false}, {"500", 0, false}, {"NaN", 0, false},
	} {
		got, err := importers.ParseSpeed(c.in)
		if (err == nil) != c.ok || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("ParseSpeed(%q) = %v, %v; want %v, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

func FuzzParseOneWay(f *testing.F) {
	for _, s := range []string{"yes", "-1", "是", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := importers.ParseOneWay(s)
		if err == nil && (v < -1 || v > 1) {
			t.Fatalf("%q: %d", s, v)
		}
	})
}

func FuzzParseSpeed(f *testing.F) {
	for _, s := range []string{"60", "60 km/h", "30mph", "", "1e400", "-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := importers.ParseSpeed(s)
		if err == nil && (math.IsNaN(v) || v < 0 || v > 200) {
			t.Fatalf("%q: %v", s, v)
		}
	})
}

const roadsGeoJSON = `{"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"编号": "R1", "名称": "丽云线", "道路等级": "国道"}, "geometry": {"type": "LineString", "coordinates": [[119.90, 28.40], [119.92, 28.40]]}},
{"type": "Feature", "properties": {"名称": "环城路", "highway": "primary", "oneway": "yes", "maxspeed": "50"}, "geometry": {"type": "MultiLineString", "coordinates": [[[119.92, 28.40], [119.94, 28.40]], [[119.94, 28.40], [119.94, 28.42]]]}},
{"type": "Feature", "properties": {"编号": "R3", "道路等级": "飞行道"}, "geometry": {"type": "LineString", "coordinates": [[119.9, 28.4], [119.91, 28.41]]}},
{"type": "Feature", "properties": {"编号": "R4", "单行": "也许"}, "geometry": {"type": "LineString", "coordinates": [[119.9, 28.4], [119.91, 28.41]]}},
{"type": "Feature", "properties": {"编号": "R1"}, "geometry": {"type": "LineString", "coordinates": [[119.9, 28.4], [119.91, 28.41]]}},
{"type": "Feature", "properties": {"编号": "R6"}, "geometry": {"type": "Point", "coordinates": [119.9, 28.4]}}
]}`

// TestReadRoads: fields by their Chinese and OSM names, a multi-line
// road in parts, bad rows named, GCJ-02 converted, and a Shapefile.
func TestReadRoads(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "roads.geojson")
	if err := os.WriteFile(path, []byte(roadsGeoJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	files := []importers.File{{Name: "roads.geojson", Path: path}}
	roads, probs, err := importers.ReadRoads(context.Background(), files, importers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(roads) != 3 || roads[0].SourceID != "R1" || roads[0].Class != "national" || roads[1].OneWay != 1 || roads[1].SpeedKMH != 50 ||
		roads[1].Class != "provincial" || roads[1].SourceID != "roads.geojson#2/1" || roads[2].SourceID != "roads.geojson#2/2" {
		t.Fatalf("roads %+v", roads)
	}
	want := map[int]string{3: "道路等级", 4: "单行", 5: "id", 6: ""}
	if len(probs) != len(want) {
		t.Fatalf("problems %v", probs)
	}
	for _, p := range probs {
		if col, ok := want[p.Row]; !ok || p.Column != col || p.File != "roads.geojson" {
			t.Errorf("problem %v, want row %d column %q", p, p.Row, want[p.Row])
		}
	}
	gcj, _, err := importers.ReadRoads(context.Background(), files, importers.Options{CRS: "gcj02"})
	if err != nil {
		t.Fatal(err)
	}
	if w := crs.GCJ02ToWGS84(orb.Point{119.90, 28.40}); gcj[0].Line[0] != w {
		t.Fatalf("GCJ-02 road starts at %v, want %v", gcj[0].Line[0], w)
	}

	shp := filepath.Join(dir, "shp", "道路.shp")
	os.Mkdir(filepath.Dir(shp), 0o755)
	gdalConvert(t, "-f", "ESRI Shapefile", shp, path, "-lco", "ENCODING=GBK", "-nlt", "MULTILINESTRING", "-where", "\"名称\" IS NOT NULL")
	roads, probs, err = importers.ReadRoads(context.Background(), []importers.File{{Name: "道路.shp", Path: shp}}, importers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(roads) != 3 || len(probs) != 0 || !strings.Contains(roads[0].Name+roads[1].Name, "丽云线") {
		t.Fatalf("from the Shapefile: %+v %v", roads, probs)
	}
}
