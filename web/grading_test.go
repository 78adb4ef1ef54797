package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/xuri/excelize/v2"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/geo/postgis"
	"riskmap/geo/postgis/pgtest"
	"riskmap/importers/demo"
	"riskmap/web"
)

// writableServer serves a fresh copy of the demo data, for tests that write.
func writableServer(t *testing.T) (string, *postgis.Store) {
	t.Helper()
	s, _ := writableStore(t)
	return newServer(t, s).URL, s
}

// writableStore is a fresh copy of the demo data, and its database's
// address.
func writableStore(t testing.TB) (*postgis.Store, string) {
	t.Helper()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	s, err := postgis.Open(ctx, db, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ds, err := demo.Lishui()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, postgis.Dataset{Source: demo.Source, Divisions: ds.Divisions, Objects: ds.Objects}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportRoads(ctx, demo.Source, ds.Roads, false); err != nil {
		t.Fatal(err)
	}
	return s, db
}

// writableConn is writableStore with a connection to its database, for
// the tests that read what the API did; both close with the test.
func writableConn(t testing.TB) (*postgis.Store, *pgx.Conn) {
	t.Helper()
	store, db := writableStore(t)
	conn, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return store, conn
}

func post(t *testing.T, url, body string) (*http.Response, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("POST %s: %d %s is not JSON", url, resp.StatusCode, b)
	}
	return resp, m
}

func TestAssessmentAPI(t *testing.T) {
	base, _ := writableServer(t)
	// An unassessed enterprise of the demo.
	resp, body := get(t, base+"/ogc/collections/enterprises/items?limit=1000")
	var fc struct {
		Features []struct {
			ID         int64          `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(body, &fc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("items: %d %v", resp.StatusCode, err)
	}
	var id int64
	for _, f := range fc.Features {
		if f.Properties["grade"] == "unassessed" {
			id = f.ID
			break
		}
	}
	if id == 0 {
		t.Fatal("no unassessed enterprise in the demo")
	}
	url := fmt.Sprintf("%s/api/v1/objects/%d/assessments", base, id)
	resp, a := post(t, url, `{"inputs": {"lec_l": 6, "lec_e": 6, "lec_c": 15}}`)
	if resp.StatusCode != http.StatusCreated || a["grade"] != "red" || a["scheme"] != "lec_4c_A" || a["from"] != "unassessed" {
		t.Fatalf("assess: %d %v", resp.StatusCode, a)
	}
	resp, body = get(t, fmt.Sprintf("%s/api/v1/objects/%d/history", base, id))
	var hist struct {
		Assessments []map[string]any `json:"assessments"`
	}
	json.Unmarshal(body, &hist)
	if resp.StatusCode != 200 || len(hist.Assessments) != 1 || hist.Assessments[0]["reason"] != "api" {
		t.Errorf("history: %d %s", resp.StatusCode, body)
	}
	tests := []struct {
		name, url, body string
		status          int
		param           string
	}{
		{"factor outside its table", url, `{"inputs": {"lec_l": 7, "lec_e": 6, "lec_c": 15}}`, 400, "inputs.lec_l"},
		{"no inputs", url, `{"inputs": {}}`, 400, "inputs"},
		{"unknown field", url, `{"inputs": {"lec_l": 6}, "grade": "blue"}`, 400, "grade"},
		{"not JSON", url, `{inputs`, 400, "body"},
		{"inputs of the wrong type", url, `{"inputs": [1, 2]}`, 400, "inputs"},
		{"bad id", base + "/api/v1/objects/abc/assessments", `{"inputs": {"grade": "red"}}`, 400, "id"},
		{"unknown object", base + "/api/v1/objects/99999999/assessments", `{"inputs": {"grade": "red"}}`, 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, p := post(t, tc.url, tc.body)
			if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != "application/problem+json" || (tc.param != "" && p["param"] != tc.param) {
				t.Errorf("%d %v, want %d naming %q", resp.StatusCode, p, tc.status, tc.param)
			}
		})
	}
}

func TestRegionsAPI(t *testing.T) {
	base, _ := demoServer(t)
	resp, body := get(t, base.URL+"/api/v1/stats/regions?level=county")
	var out struct {
		Regions []struct {
			Code   string         `json:"code"`
			Name   string         `json:"name"`
			Grade  string         `json:"grade"`
			Counts map[string]int `json:"counts"`
			Total  int            `json:"total"`
		} `json:"regions"`
	}
	if err := json.Unmarshal(body, &out); err != nil || resp.StatusCode != 200 || len(out.Regions) != 9 {
		t.Fatalf("county regions: %d %v %d", resp.StatusCode, err, len(out.Regions))
	}
	total := 0
	for _, r := range out.Regions {
		total += r.Total
		if r.Counts["red"] > 0 && r.Grade != "red" {
			t.Errorf("%s has %d red objects but is %s", r.Name, r.Counts["red"], r.Grade)
		}
	}
	if total != 10800 {
		t.Errorf("the counties hold %d objects, want the demo's 10800", total)
	}
	resp, body = get(t, base.URL+"/api/v1/stats/regions?level=county&format=csv&category=bridges")
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
	if err != nil || resp.StatusCode != 200 || len(rows) != 10 || !strings.Contains(rows[0][0], "级别") {
		t.Errorf("csv: %d %v %d rows", resp.StatusCode, err, len(rows))
	}
	resp, body = get(t, base.URL+"/api/v1/stats/regions?level=grid5k&format=xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("xlsx: %d %v", resp.StatusCode, err)
	}
	if rows, _ := f.GetRows("Sheet1"); len(rows) < 50 {
		t.Errorf("xlsx has %d rows, want a row per 5 km cell", len(rows))
	}
	resp, body = get(t, base.URL+"/api/v1/stats/regions?level=county&rule=index&normaliser=area_km2")
	var idx struct {
		Rule    string `json:"rule"`
		Regions []struct {
			Grade  string         `json:"grade"`
			Index  *float64       `json:"index"`
			Counts map[string]int `json:"counts"`
			Area   float64        `json:"area_km2"`
		} `json:"regions"`
	}
	if err := json.Unmarshal(body, &idx); err != nil || resp.StatusCode != 200 || idx.Rule != "index" || len(idx.Regions) != 9 {
		t.Fatalf("index rule: %d %v %s", resp.StatusCode, err, body)
	}
	colours := map[string]int{}
	for _, r := range idx.Regions {
		if r.Index == nil || r.Area < 100 {
			t.Errorf("a county without an index or with %v km²", r.Area)
		}
		if r.Counts["red"] > 0 && r.Grade != "red" && r.Grade != "orange" {
			t.Errorf("a county with red objects coloured %s by the index", r.Grade)
		}
		colours[r.Grade]++
	}
	if len(colours) < 2 {
		t.Errorf("the index gave every county one colour: %v", colours)
	}
	for _, q := range []string{"level=hex", "format=pdf", "category=volcanoes", "level=grid1k&bbox=1,2,3", "rule=mean", "rule=index&normaliser=people", "normaliser=area_km2"} {
		resp, body := get(t, base.URL+"/api/v1/stats/regions?"+q)
		if resp.StatusCode != 400 {
			t.Errorf("%s: %d %s", q, resp.StatusCode, body)
		}
	}
}

func TestHiddenHazardAPI(t *testing.T) {
	base, _ := writableServer(t)
	resp, h := post(t, base+"/api/v1/hidden-hazards", `{"code": "LS-2026-001", "title": "仓库消防通道堵塞", "level": "general",
		"discovery_source": "covert_inspection", "found_on": "2026-11-20", "lon": 119.92, "lat": 28.45}`)
	if resp.StatusCode != 201 || h["state"] != "reported" || h["county_code"] != "331102" {
		t.Fatalf("report: %d %v", resp.StatusCode, h)
	}
	id := int64(h["id"].(float64))
	steps := fmt.Sprintf("%s/api/v1/hidden-hazards/%d/steps", base, id)
	deadline := time.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	tests := []struct {
		name, url, body string
		status          int
		param, state    string
	}{
		{"a step out of order", steps, `{"action": "accept"}`, 409, "", ""},
		{"assign without a unit", steps, `{"action": "assign", "rectify_deadline": "` + deadline + `", "supervision_level": "county"}`, 400, "responsible_unit", ""},
		{"assign", steps, `{"action": "assign", "responsible_unit": "某仓储公司", "rectify_deadline": "` + deadline + `", "supervision_level": "county"}`, 200, "", "assigned"},
		{"close on the spot without evidence", steps, `{"action": "rectify_immediately"}`, 400, "evidence", ""},
		{"close on the spot", steps, `{"action": "rectify_immediately", "evidence": ["现场照片.jpg"]}`, 200, "", "closed"},
		{"a step after closing", steps, `{"action": "start"}`, 409, "", ""},
		{"an unknown hazard", base + "/api/v1/hidden-hazards/999999/steps", `{"action": "start"}`, 404, "", ""},
		{"a duplicate code", base + "/api/v1/hidden-hazards", `{"code": "LS-2026-001", "title": "x", "level": "general", "discovery_source": "patrol", "found_on": "2026-11-20", "lon": 119.92, "lat": 28.45}`, 400, "code", ""},
		{"a bad level", base + "/api/v1/hidden-hazards", `{"code": "X", "title": "x", "level": "huge", "discovery_source": "patrol", "found_on": "2026-11-20", "lon": 119.92, "lat": 28.45}`, 400, "level", ""},
		{"no place", base + "/api/v1/hidden-hazards", `{"code": "Y", "title": "x", "level": "general", "discovery_source": "patrol", "found_on": "2026-11-20"}`, 400, "lon", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, p := post(t, tc.url, tc.body)
			if resp.StatusCode != tc.status || (tc.param != "" && p["param"] != tc.param) || (tc.state != "" && p["state"] != tc.state) {
				t.Errorf("%d %v, want %d (param %q, state %q)", resp.StatusCode, p, tc.status, tc.param, tc.state)
			}
			if tc.status >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("a %d without a problem body", resp.StatusCode)
			}
		})
	}
	resp, body := get(t, fmt.Sprintf("%s/api/v1/hidden-hazards/%d", base, id))
	var got struct {
		Events []map[string]any `json:"events"`
	}
	if json.Unmarshal(body, &got); resp.StatusCode != 200 || len(got.Events) != 3 {
		t.Errorf("hazard: %d %s", resp.StatusCode, body)
	}
	resp, body = get(t, base+"/api/v1/stats/hidden-hazards")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"closed_this_month":1`) {
		t.Errorf("hazard counts: %d %s", resp.StatusCode, body)
	}
}

// TestRegionalTileLayers: the regional layers and hidden hazards come in
// tiles under their names, with their colours and counts; a grid cell's
// counts are the objects inside it, also across the tile's edge.
func TestRegionalTileLayers(t *testing.T) {
	base, _ := writableServer(t)
	if resp, h := post(t, base+"/api/v1/hidden-hazards", `{"code": "T-1", "title": "t", "level": "major", "discovery_source": "patrol",
		"found_on": "2026-11-01", "lon": 119.921, "lat": 28.451}`); resp.StatusCode != 201 {
		t.Fatalf("report: %d %v", resp.StatusCode, h)
	}
	tile := maptile.At([2]float64{119.921, 28.451}, 12)
	resp, body := get(t, fmt.Sprintf("%s/tiles/regions_county,regions_grid,hidden_hazards/%d/%d/%d.mvt", base, tile.Z, tile.X, tile.Y))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	layers, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]*mvt.Layer{}
	for _, l := range layers {
		names[l.Name] = l
	}
	if l := names["regions_county"]; l == nil || len(l.Features) == 0 || l.Features[0].Properties.MustString("grade") == "" {
		t.Errorf("regions_county: %+v", l)
	}
	if l := names["hidden_hazards"]; l == nil || len(l.Features) != 1 || l.Features[0].Properties.MustString("level") != "major" {
		t.Errorf("hidden_hazards: %+v", l)
	}
	grid := names["regions_grid"]
	if grid == nil || len(grid.Features) == 0 {
		t.Fatalf("regions_grid: %+v", grid)
	}
	// Every cell's total against the regional statistics of the same cells.
	resp, body = get(t, base+"/api/v1/stats/regions?level=grid1k")
	var stats struct {
		Regions []struct {
			Code  string `json:"code"`
			Total int    `json:"total"`
		} `json:"regions"`
	}
	if err := json.Unmarshal(body, &stats); err != nil || resp.StatusCode != 200 {
		t.Fatal(err)
	}
	totals := map[string]int{}
	for _, r := range stats.Regions {
		totals[r.Code] = r.Total
	}
	for _, f := range grid.Features {
		n := 0
		for _, g := range []string{"red", "orange", "yellow", "blue", "unassessed"} {
			n += int(f.Properties.MustFloat64("n_" + g))
		}
		if code := f.Properties.MustString("code"); totals[code] != n {
			t.Errorf("cell %s: %d objects in the tile, %d in the statistics", code, n, totals[code])
		}
	}
}

// TestAssessPreview: ?dry_run=true answers the assessment the inputs would
// make and writes nothing; the schemes in force are listed by category.
func TestAssessPreview(t *testing.T) {
	store, conn := writableConn(t)
	srv := authServer(t, store, web.Options{})
	tok := newToken(t, store, access.Planner)
	ctx := context.Background()
	var id int64
	var grade string
	if err := conn.QueryRow(ctx, `SELECT id, grade::text FROM risk_object WHERE category = 'enterprises' AND method = 'lec_4c_A' AND grade = 'blue' ORDER BY id LIMIT 1`).Scan(&id, &grade); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		conn.QueryRow(ctx, `SELECT count(*) FROM risk_assessment WHERE object_id = $1`, id).Scan(&n)
		return n
	}
	before := count()
	status, body, _ := call(t, http.DefaultClient, "POST", fmt.Sprintf("%s/api/v1/objects/%d/assessments?dry_run=true", srv.URL, id),
		`{"inputs": {"lec_l": 10, "lec_e": 10, "lec_c": 100}, "comment": "复核"}`, tok, nil)
	var a geo.Assessment
	if json.Unmarshal([]byte(body), &a); status != 200 || a.Grade != geo.Red || a.ID != 0 {
		t.Fatalf("preview: %d %s", status, body)
	}
	var now string
	conn.QueryRow(ctx, `SELECT grade::text FROM risk_object WHERE id = $1`, id).Scan(&now)
	if count() != before || now != grade {
		t.Errorf("a preview wrote: %d assessments (was %d), grade %s (was %s)", count(), before, now, grade)
	}
	if status, body, _ := call(t, http.DefaultClient, "POST", fmt.Sprintf("%s/api/v1/objects/%d/assessments?dry_run=true", srv.URL, id),
		`{"inputs": {"lec_l": 11, "lec_e": 10, "lec_c": 100}}`, tok, nil); status != 400 || !strings.Contains(body, "lec_l") {
		t.Errorf("a bad input previewed: %d %s", status, body)
	}
	var schemes struct {
		Schemes []struct {
			Code    string               `json:"code"`
			Options map[string][]float64 `json:"options"`
		}
	}
	status, body, _ = call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/grading/schemes?category=enterprises", "", "", nil)
	if json.Unmarshal([]byte(body), &schemes); status != 200 || len(schemes.Schemes) == 0 || schemes.Schemes[0].Code != "hazchem_100pt" {
		t.Fatalf("schemes: %d %s", status, body)
	}
	found := false
	for _, s := range schemes.Schemes {
		found = found || s.Code == "lec_4c_A" && len(s.Options["lec_c"]) == 6
		if s.Code == "lec_4c_B" {
			t.Error("a disabled scheme listed")
		}
	}
	if !found {
		t.Errorf("no LEC with its options: %s", body)
	}
	if status, body, _ := call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/grading/schemes?category=farms", "", "", nil); status != 400 || !strings.Contains(body, "category") {
		t.Errorf("a bad category: %d %s", status, body)
	}
}
