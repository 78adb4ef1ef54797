package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"riskmap/geo/postgis/pgtest"
)

// TestImportZonesCommand: zones from GeoJSON with Chinese field names and
// values, all or nothing: a bad field or geometry names the row and
// stores nothing; --repair mends a bow tie.
func TestImportZonesCommand(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	getenv := env("DATABASE_URL", db)
	if _, _, err := runCmd(t, ctx, getenv, "demo", "--load-only"); err != nil { // the counties: the service area
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("区划.geojson", `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"名称":"紫金滑坡危险区","灾害类型":"滑坡","区划类别":"危险区","风险等级":"重大风险","季节起":"04-15","季节止":"10-15"},
		 "geometry":{"type":"Polygon","coordinates":[[[119.90,28.44],[119.93,28.44],[119.93,28.46],[119.90,28.46],[119.90,28.44]]]}},
		{"type":"Feature","properties":{"名称":"瓯江洪水风险区","灾害类型":"洪涝","风险等级":"较大"},
		 "geometry":{"type":"Polygon","coordinates":[[[119.91,28.43],[119.95,28.43],[119.95,28.45],[119.91,28.45],[119.91,28.43]]]}}]}`)
	badField := write("坏字段.geojson", `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"名称":"火山区","灾害类型":"火山","风险等级":"红"},
		 "geometry":{"type":"Polygon","coordinates":[[[119.90,28.44],[119.93,28.44],[119.93,28.46],[119.90,28.44]]]}}]}`)
	bowTie := write("自相交.geojson", `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"名称":"好区","灾害类型":"台风","风险等级":"蓝"},
		 "geometry":{"type":"Polygon","coordinates":[[[119.90,28.40],[119.92,28.40],[119.92,28.42],[119.90,28.40]]]}},
		{"type":"Feature","properties":{"名称":"蝴蝶区","灾害类型":"崩塌","风险等级":"黄"},
		 "geometry":{"type":"Polygon","coordinates":[[[119.90,28.44],[119.93,28.46],[119.93,28.44],[119.90,28.46],[119.90,28.44]]]}}]}`)
	runTable(t, ctx, getenv, []cmdCase{
		{"dry run", []string{"import", "--category", "zones", "--dry-run", good}, false, "dry run: 2 zones would be imported"},
		{"import", []string{"import", "--category", "zones", good}, false, "imported 2 zones"},
		{"a bad field", []string{"import", "--category", "zones", badField}, true, "灾害类型"},
		{"a bow tie", []string{"import", "--category", "zones", bowTie}, true, "自相交.geojson row 2: geometry: self-intersection"},
		{"a bow tie, repaired", []string{"import", "--category", "zones", "--repair", bowTie}, false, "imported 2 zones"},
		{"replace", []string{"import", "--category", "zones", "--replace", good}, true, "never replaced"},
		{"repair elsewhere", []string{"import", "--category", "shelters", "--repair", good}, true, "--repair and --clip are for --category zones"},
	})
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n, repaired int
	var grade, kind string
	if err := conn.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE name = '蝴蝶区' AND ST_IsValid(geom)),
		max(grade::text) FILTER (WHERE name = '紫金滑坡危险区'), max(zone_kind) FILTER (WHERE name = '紫金滑坡危险区') FROM hazard_zone
		WHERE source = 'import'`).Scan(&n, &repaired, &grade, &kind); err != nil {
		t.Fatal(err)
	}
	if n != 4 || repaired != 1 || grade != "red" || kind != "danger_area" {
		t.Fatalf("stored %d zones (%d repaired bow ties), 紫金 %s %s; want 4, 1, red danger_area", n, repaired, grade, kind)
	}
}
