package geo_test

import (
	"errors"
	"testing"

	"riskmap/geo"
)

func TestParseZoneFeature(t *testing.T) {
	const square = `{"type":"Polygon","coordinates":[[[119.9,28.3],[120,28.3],[120,28.4],[119.9,28.4],[119.9,28.3]]]}`
	for _, tc := range []struct {
		name, body, param string // param "" : accepted
	}{
		{"a zone", `{"type":"Feature","geometry":` + square + `,"properties":{"name":"洪水区","hazard_type":"flood","zone_kind":"risk_zone","grade":"red"}}`, ""},
		{"not a feature", `{"type":"FeatureCollection","features":[]}`, "type"},
		{"no geometry", `{"type":"Feature","geometry":null,"properties":{}}`, "geometry"},
		{"not JSON", `{"type":`, "body"},
		{"unknown property", `{"type":"Feature","geometry":` + square + `,"properties":{"name":"x","hazard_type":"flood","zone_kind":"risk_zone","grade":"red","colour":"red"}}`, "properties.colour"},
		{"a number for a name", `{"type":"Feature","geometry":` + square + `,"properties":{"name":3}}`, "properties.name"},
		{"no grade", `{"type":"Feature","geometry":` + square + `,"properties":{"name":"x","hazard_type":"flood","zone_kind":"risk_zone"}}`, "properties.grade"},
		{"bad season", `{"type":"Feature","geometry":` + square + `,"properties":{"name":"x","hazard_type":"flood","zone_kind":"risk_zone","grade":"red","season_from":"4-15","season_to":"10-15"}}`, "properties.season_from"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := geo.ParseZoneFeature([]byte(tc.body))
			if tc.param == "" {
				if err != nil || f.Fields.Source != "planner" || f.Geometry == nil {
					t.Fatalf("%+v %v", f, err)
				}
				return
			}
			var pe *geo.ParamError
			if !errors.As(err, &pe) || pe.Param != tc.param {
				t.Fatalf("%v, want a ParamError for %s", err, tc.param)
			}
		})
	}
}

// FuzzParseZoneFeature: any body is a zone or a client's error, never a
// panic; what passes the structural check is closed and oriented.
func FuzzParseZoneFeature(f *testing.F) {
	f.Add(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[119.9,28.3],[120,28.3],[120,28.4],[119.9,28.3]]]},"properties":{"name":"x","hazard_type":"flood","zone_kind":"risk_zone","grade":"red"}}`)
	f.Add(`{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,0],[0,0]]],[[[5,5],[5,6],[6,6]]]]},"properties":{}}`)
	f.Add(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[2,2],[2,0],[0,2],[0,0]],[]]}}`)
	f.Fuzz(func(t *testing.T, body string) {
		zf, err := geo.ParseZoneFeature([]byte(body))
		if err != nil && !errors.Is(err, geo.ErrInvalid) {
			t.Fatalf("%v is not a client's error", err)
		}
		if zf.Geometry == nil {
			return
		}
		mp, problems, err := geo.CheckPolygons("geometry", zf.Geometry)
		if err != nil {
			if !errors.Is(err, geo.ErrInvalid) {
				t.Fatalf("%v is not a client's error", err)
			}
			return
		}
		for _, p := range problems {
			if !p.Repairable {
				return
			}
		}
		for _, poly := range mp {
			for _, r := range poly {
				if len(r) < 4 || r[0] != r[len(r)-1] {
					t.Fatalf("a ring passed unclosed or short: %v", r)
				}
			}
		}
	})
}
