package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/geo/postgis"
	"riskmap/web"
)

// TestProvinceOfTwoCities: one database holds a province of two cities,
// Lishui (the demo's real counties) and a second city made for the test,
// each with its own users. With reads scoped, a user of one city reads
// nothing of the other; the province's user reads and grades both.
func TestProvinceOfTwoCities(t *testing.T) {
	store, conn := writableConn(t)
	ctx := t.Context()
	rect := orb.MultiPolygon{{{{121.0, 28.0}, {121.5, 28.0}, {121.5, 28.5}, {121.0, 28.5}, {121.0, 28.0}}}}
	ds := postgis.Dataset{Source: "second-city", Divisions: []geo.Division{
		{Code: "339900", Name: "测试市", Level: geo.LevelCity, ParentCode: "330000", Geometry: rect},
		{Code: "339901", Name: "测试县", Level: geo.LevelCounty, ParentCode: "339900", Geometry: rect},
	}}
	for i := range 5 {
		ds.Objects = append(ds.Objects, geo.Object{Category: geo.Enterprises, Name: fmt.Sprintf("测试企业%d", i), Point: orb.Point{121.1 + float64(i)*0.05, 28.2},
			Source: "second-city", SourceID: fmt.Sprint(i), Attributes: map[string]any{}})
	}
	if _, err := store.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	// The province: the union of its two cities.
	if _, err := conn.Exec(ctx, `INSERT INTO admin_division (code, name, level, geom, source)
		SELECT '330000', '浙江省', 'province', ST_Multi(ST_Union(geom)), 'test' FROM admin_division WHERE code IN ('331100', '339900')`); err != nil {
		t.Fatal(err)
	}
	var lishui, second int
	conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE starts_with(division_code, '3311')), count(*) FILTER (WHERE starts_with(division_code, '3399'))
		FROM risk_object WHERE category = 'enterprises' AND retired_at IS NULL`).Scan(&lishui, &second)
	if lishui == 0 || second != 5 {
		t.Fatalf("enterprises: %d in Lishui, %d in the second city", lishui, second)
	}
	srv := authServer(t, store, web.Options{ReadAccess: web.ReadLogin})
	readers := []struct {
		name, code  string
		enterprises int
		counties    int
	}{
		{"the province", "330000", lishui + second, 10},
		{"Lishui", "331100", lishui, 9},
		{"the second city", "339900", second, 1},
	}
	var inLishui, inSecond int64
	conn.QueryRow(ctx, `SELECT id FROM risk_object WHERE category = 'bridges' AND starts_with(division_code, '3311') LIMIT 1`).Scan(&inLishui)
	conn.QueryRow(ctx, `SELECT id FROM risk_object WHERE category = 'enterprises' AND division_code = '339901' LIMIT 1`).Scan(&inSecond)
	for _, r := range readers {
		t.Run(r.name, func(t *testing.T) {
			tok := newTokenIn(t, store, access.Admin, r.code)
			var items struct {
				NumberMatched int `json:"numberMatched"`
			}
			status, body, _ := call(t, http.DefaultClient, "GET", srv.URL+"/ogc/collections/enterprises/items?limit=1", "", tok, nil)
			if json.Unmarshal([]byte(body), &items); status != 200 || items.NumberMatched != r.enterprises {
				t.Errorf("enterprises: %d, %d matched, want %d", status, items.NumberMatched, r.enterprises)
			}
			var regions struct {
				Regions []json.RawMessage `json:"regions"`
			}
			status, body, _ = call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/stats/regions?level=county", "", tok, nil)
			if json.Unmarshal([]byte(body), &regions); status != 200 || len(regions.Regions) != r.counties {
				t.Errorf("regions: %d, %d counties, want %d", status, len(regions.Regions), r.counties)
			}
			for _, target := range []struct {
				id       int64
				cat      string
				division string
			}{{inLishui, "bridges", "3311"}, {inSecond, "enterprises", "3399"}} {
				status, body, _ := call(t, http.DefaultClient, "POST", fmt.Sprintf("%s/api/v1/objects/%d/assessments", srv.URL, target.id), `{"inputs": {"grade": "red"}}`, tok, nil)
				mine := strings.HasPrefix(r.code, target.division) || r.code == "330000"
				if mine && status >= 300 || !mine && (status != 403 || !strings.Contains(body, r.code)) {
					t.Errorf("grade a %s in %s…: %d %s", target.cat, target.division, status, body)
				}
			}
		})
	}
}
