package geo

import (
	"errors"
	"math"
	"net/url"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

func TestParseCoordinates(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want orb.Point
	}{
		{"lon,lat", "119.9228,28.4517", orb.Point{119.9228, 28.4517}},
		{"lat, lon from WeChat", "28.4517, 119.9228", orb.Point{119.9228, 28.4517}},
		{"full-width comma", "119.9228，28.4517", orb.Point{119.9228, 28.4517}},
		{"spaces", "  119.9228   28.4517 ", orb.Point{119.9228, 28.4517}},
		{"semicolon", "119.9228;28.4517", orb.Point{119.9228, 28.4517}},
		{"DMS with hemispheres, lat first", "北纬28°27′06″ 东经119°55′22″", orb.Point{119 + 55.0/60 + 22.0/3600, 28 + 27.0/60 + 6.0/3600}},
		{"letters after, spaced DMS", "28 27 06 N 119 55 22 E", orb.Point{119 + 55.0/60 + 22.0/3600, 28 + 27.0/60 + 6.0/3600}},
		{"both under 90: lon first", "45.5,30.25", orb.Point{45.5, 30.25}},
		{"hemisphere says lat first", "30.25N,45.5E", orb.Point{45.5, 30.25}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseCoordinates("coordinates", c.in)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got[0]-c.want[0]) > 1e-9 || math.Abs(got[1]-c.want[1]) > 1e-9 {
				t.Fatalf("%v, want %v", got, c.want)
			}
		})
	}
	for _, bad := range []string{"", "119.92", "119.92,28.45,3", "abc,28", "119.9E,120.1E", "181,28", "119,100", "150,120"} {
		_, err := ParseCoordinates("coordinates", bad)
		var pe *ParamError
		if !errors.As(err, &pe) || pe.Param != "coordinates" {
			t.Errorf("%q: %v, want a ParamError for coordinates", bad, err)
		}
	}
}

func FuzzParseCoordinates(f *testing.F) {
	for _, s := range []string{"119.92,28.45", "28.45 119.92", "北纬28°27′06″ 东经119°55′22″", "28 27 06 N 119 55 22 E", ",", "1 2 3 4 5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseCoordinates("c", s)
		if err != nil {
			var pe *ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("%q: error %v is not a ParamError", s, err)
			}
			return
		}
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.Abs(p[0]) > 180 || math.Abs(p[1]) > 90 {
			t.Fatalf("%q: %v is not a point", s, p)
		}
	})
}

func TestParseNearest(t *testing.T) {
	cases := []struct {
		name, query, param string // param "" = valid
	}{
		{"defaults", "lon=119.9&lat=28.4", ""},
		{"everything", "lon=119.9&lat=28.4&crs=gcj02&category=rescue_resources&type=fire,消防救援&status=available&min_capacity=10&limit=100&by=time", ""},
		{"shelters", "lon=119.9&lat=28.4&category=shelters&min_capacity=200", ""},
		{"no lon", "lat=28.4", "lon"},
		{"lat NaN", "lon=119.9&lat=NaN", "lat"},
		{"lat beyond", "lon=119.9&lat=91", "lat"},
		{"EPSG crs", "lon=119.9&lat=28.4&crs=EPSG:4549", "crs"},
		{"enterprises", "lon=119.9&lat=28.4&category=enterprises", "category"},
		{"unknown type", "lon=119.9&lat=28.4&type=spaceship", "type"},
		{"type of a shelter", "lon=119.9&lat=28.4&category=shelters&type=fire", "type"},
		{"limit 0", "lon=119.9&lat=28.4&limit=0", "limit"},
		{"limit 101", "lon=119.9&lat=28.4&limit=101", "limit"},
		{"by speed", "lon=119.9&lat=28.4&by=speed", "by"},
		{"negative capacity", "lon=119.9&lat=28.4&min_capacity=-1", "min_capacity"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, _ := url.ParseQuery(c.query)
			nq, err := ParseNearest(q)
			if c.param == "" {
				if err != nil {
					t.Fatal(err)
				}
				if nq.Limit < 1 || nq.By == "" || nq.Category == "" {
					t.Fatalf("%+v", nq)
				}
				return
			}
			var pe *ParamError
			if !errors.As(err, &pe) || pe.Param != c.param {
				t.Fatalf("%v, want a ParamError for %s", err, c.param)
			}
		})
	}
	q, _ := url.ParseQuery("lon=119.9&lat=28.4&crs=gcj02")
	nq, _ := ParseNearest(q)
	if nq.Point == (orb.Point{119.9, 28.4}) {
		t.Fatal("GCJ-02 point not converted")
	}
}

func TestNewIncidentCheck(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	lon, lat := 119.9, 28.4
	future := now.Add(time.Hour)
	cases := []struct {
		name  string
		n     NewIncident
		param string
	}{
		{"ok", NewIncident{Kind: "landslide", Level: "II", Title: "滑坡", Lon: &lon, Lat: &lat}, ""},
		{"pasted", NewIncident{Kind: "fire", Level: "IV", Title: "火", Coordinates: "28.4, 119.9", CRS: "bd09"}, ""},
		{"a kind not known", NewIncident{Kind: "dam_breach", Level: "I", Title: "溃坝", Lon: &lon, Lat: &lat}, "kind"},
		{"a team type, not a kind", NewIncident{Kind: "hazmat", Level: "II", Title: "泄漏", Lon: &lon, Lat: &lat}, "kind"},
		{"no kind", NewIncident{Level: "II", Title: "x", Lon: &lon, Lat: &lat}, "kind"},
		{"bad kind", NewIncident{Kind: "Fire!", Level: "II", Title: "x", Lon: &lon, Lat: &lat}, "kind"},
		{"bad level", NewIncident{Kind: "fire", Level: "V", Title: "x", Lon: &lon, Lat: &lat}, "level"},
		{"no title", NewIncident{Kind: "fire", Level: "IV", Title: "  ", Lon: &lon, Lat: &lat}, "title"},
		{"no lat", NewIncident{Kind: "fire", Level: "IV", Title: "x", Lon: &lon}, "lat"},
		{"both", NewIncident{Kind: "fire", Level: "IV", Title: "x", Lon: &lon, Coordinates: "1,2"}, "coordinates"},
		{"future", NewIncident{Kind: "fire", Level: "IV", Title: "x", Lon: &lon, Lat: &lat, ReportedAt: &future}, "reported_at"},
		{"bad crs", NewIncident{Kind: "fire", Level: "IV", Title: "x", Lon: &lon, Lat: &lat, CRS: "mars"}, "crs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.n.Check(now)
			if c.param == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var pe *ParamError
			if !errors.As(err, &pe) || pe.Param != c.param {
				t.Fatalf("%v, want a ParamError for %s", err, c.param)
			}
		})
	}
}
