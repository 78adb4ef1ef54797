package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/geo/postgis/pgtest"
	"riskmap/web"
)

// TestReadsByDivision: with --read-access login and --read-scope own, a
// user reads their division and below — tiles (decoded), OGC items and
// cards, zones, the regional statistics, the wall's overview and positions —
// and nothing of another county or city; the tile cache keeps each
// division's tiles apart (their ETags differ); with --read-scope all
// every user reads the whole map.
func TestReadsByDivision(t *testing.T) {
	f := newChainFixture(t, web.Options{})
	srv, _ := cachedServerWith(t, f.s, time.Hour, web.Options{ReadAccess: web.ReadLogin})
	all, _ := cachedServerWith(t, f.s, time.Hour, web.Options{ReadAccess: web.ReadLogin, ReadScope: web.ReadScopeAll})
	tok := map[string]string{}
	for _, code := range []string{pgtest.Province, pgtest.CityA, pgtest.CountyA, pgtest.CountyB, pgtest.TownshipA} {
		tok[code] = newTokenIn(t, f.s, access.Dispatcher, code)
	}
	// A fix of every team, so that positions have something to show.
	for code := range pgtest.Places {
		if _, err := f.s.UpdatePosition(t.Context(), objectID(t, f, geo.RescueResources, code), pgtest.Places[code], nil, time.Now(), "gps"); err != nil {
			t.Fatal(err)
		}
	}
	for code := range pgtest.Places {
		f.zone(t, code)
	}
	sees := map[string][]string{ // the divisions of the objects each reader sees
		pgtest.Province:  {pgtest.TownshipA, pgtest.CountyA, pgtest.CountyB, pgtest.CountyC},
		pgtest.CityA:     {pgtest.TownshipA, pgtest.CountyA, pgtest.CountyB},
		pgtest.CountyA:   {pgtest.TownshipA, pgtest.CountyA},
		pgtest.CountyB:   {pgtest.CountyB},
		pgtest.TownshipA: {pgtest.TownshipA},
	}
	getJSON := func(t *testing.T, base, path, token string, v any) int {
		t.Helper()
		status, body, _ := call(t, http.DefaultClient, "GET", base+path, "", token, nil)
		if status == http.StatusOK {
			if err := json.Unmarshal([]byte(body), v); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
		return status
	}
	for reader, want := range sees {
		t.Run("reader in "+reader, func(t *testing.T) {
			// OGC items: one bridge per division.
			var items struct {
				NumberMatched int `json:"numberMatched"`
				Features      []struct {
					ID int64 `json:"id"`
				} `json:"features"`
			}
			if st := getJSON(t, srv.URL, "/ogc/collections/bridges/items", tok[reader], &items); st != 200 || items.NumberMatched != len(want) {
				t.Errorf("bridges: %d, %d matched, want %d", st, items.NumberMatched, len(want))
			}
			// Zones: one in each division.
			if st := getJSON(t, srv.URL, "/api/v1/zones", tok[reader], &items); st != 200 || items.NumberMatched != len(want) {
				t.Errorf("zones: %d, %d matched, want %d", st, items.NumberMatched, len(want))
			}
			// Cards: a bridge of each division, read or not found.
			for code := range pgtest.Places {
				id := objectID(t, f, geo.Bridges, code)
				st, _, _ := call(t, http.DefaultClient, "GET", fmt.Sprintf("%s/ogc/collections/bridges/items/%d", srv.URL, id), "", tok[reader], nil)
				if wantOK := slices.Contains(want, code); (st == 200) != wantOK || (!wantOK && st != 404) {
					t.Errorf("card of the bridge in %s: %d", code, st)
				}
			}
			// Tiles, decoded: the enterprises of each county at z14, and
			// the z7 cells over city A counting only those the reader sees.
			for code, p := range pgtest.Places {
				tl := maptile.At(orb.Point{p[0], p[1]}, 14)
				n := tileFeatures(t, srv.URL, fmt.Sprintf("/tiles/enterprises/%d/%d/%d.mvt", tl.Z, tl.X, tl.Y), tok[reader], "enterprises", func(props map[string]any) float64 {
					if strings.HasPrefix(fmt.Sprint(props["name"]), code+"-") {
						return 1
					}
					return 0
				})
				if wantSome := slices.Contains(want, code); (n > 0) != wantSome {
					t.Errorf("z14 tile at %s: %v features", code, n)
				}
			}
			tl := maptile.At(orb.Point{119.5, 28.25}, 7)
			cells := tileFeatures(t, srv.URL, fmt.Sprintf("/tiles/enterprises/%d/%d/%d.mvt", tl.Z, tl.X, tl.Y), tok[reader], "enterprises", func(props map[string]any) float64 {
				n, _ := props["count"].(float64)
				return n
			})
			inCityA := 0
			for _, code := range want {
				if geo.Within(pgtest.CityA, code) {
					inCityA++
				}
			}
			if int(cells) != inCityA {
				t.Errorf("z7 cells over city A count %v enterprises, want %d", cells, inCityA)
			}
			// The regional statistics and the wall's overview.
			var regions struct {
				Regions []struct {
					Code string `json:"code"`
				} `json:"regions"`
			}
			if st := getJSON(t, srv.URL, "/api/v1/stats/regions?level=county", tok[reader], &regions); st != 200 {
				t.Fatalf("regions: %d", st)
			}
			var codes []string
			for _, r := range regions.Regions {
				codes = append(codes, r.Code)
			}
			var wantCounties []string
			for _, c := range []string{pgtest.CountyA, pgtest.CountyB, pgtest.CountyC} {
				if geo.Within(reader, c) {
					wantCounties = append(wantCounties, c)
				}
			}
			if !slices.Equal(codes, wantCounties) {
				t.Errorf("regions %v, want %v", codes, wantCounties)
			}
			var ov struct {
				Categories map[string]geo.GradeCounts `json:"categories"`
			}
			if st := getJSON(t, srv.URL, "/api/v1/stats/overview", tok[reader], &ov); st != 200 || ov.Categories["bridges"].Total != len(want) {
				t.Errorf("overview: %d, %d bridges, want %d", st, ov.Categories["bridges"].Total, len(want))
			}
			var pos struct {
				Positions []json.RawMessage `json:"features"`
			}
			if st := getJSON(t, srv.URL, "/api/v1/positions?hours=1", tok[reader], &pos); st != 200 || len(pos.Positions) != len(want) {
				t.Errorf("positions: %d, %d, want %d", st, len(pos.Positions), len(want))
			}
			// Dispatch's searches: the nearest teams and what lies around
			// county A's border with B (50 km takes in A and B).
			var near struct {
				Candidates []json.RawMessage `json:"candidates"`
			}
			if st := getJSON(t, srv.URL, "/api/v1/nearest?lon=119.5&lat=28.2&category=rescue_resources&limit=20", tok[reader], &near); st != 200 ||
				len(near.Candidates) != len(want) {
				t.Errorf("nearest: %d, %d teams, want %d", st, len(near.Candidates), len(want))
			}
			var around geo.Around
			if st := getJSON(t, srv.URL, "/api/v1/around?lon=119.5&lat=28.2&radius=50000", tok[reader], &around); st != 200 || len(around.Rings) != 1 {
				t.Errorf("around: %d %+v", st, around)
			} else {
				teams := 0
				for _, o := range around.Objects {
					if o.Category == geo.RescueResources {
						teams++
					}
				}
				wantNear := 0
				for _, code := range want {
					if code != pgtest.CountyC {
						wantNear++
					}
				}
				if teams != wantNear {
					t.Errorf("around: %d teams, want %d", teams, wantNear)
				}
			}
			// --read-scope all: the whole map, read-only.
			if st := getJSON(t, all.URL, "/ogc/collections/bridges/items", tok[reader], &items); st != 200 || items.NumberMatched != 4 {
				t.Errorf("read-scope all: %d, %d matched, want 4", st, items.NumberMatched)
			}
		})
	}
	// One tile, two readers: two cache entries, two ETags.
	tl := maptile.At(orb.Point{119.5, 28.2}, 10)
	path := fmt.Sprintf("%s/tiles/enterprises/%d/%d/%d.mvt", srv.URL, tl.Z, tl.X, tl.Y)
	_, _, ha := call(t, http.DefaultClient, "GET", path, "", tok[pgtest.CountyA], nil)
	_, _, hc := call(t, http.DefaultClient, "GET", path, "", tok[pgtest.CityA], nil)
	_, _, ha2 := call(t, http.DefaultClient, "GET", path, "", tok[pgtest.CountyA], nil)
	if ha.Get("ETag") == "" || ha.Get("ETag") == hc.Get("ETag") || ha.Get("ETag") != ha2.Get("ETag") {
		t.Errorf("ETags: county A %s, city %s, county A again %s", ha.Get("ETag"), hc.Get("ETag"), ha2.Get("ETag"))
	}
}

// objectID is the id of the chain's object of category c in division code.
func objectID(t *testing.T, f *chainFixture, c geo.Category, code string) int64 {
	t.Helper()
	var id int64
	if err := f.db.QueryRow(t.Context(), `SELECT id FROM risk_object WHERE source = 'chain' AND source_id = $1`, code+"-"+string(c)).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// tileFeatures sums what count says of each feature of layer in the
// tile at path (a 204 is an empty tile).
func tileFeatures(t *testing.T, base, path, token, layer string, count func(map[string]any) float64) float64 {
	t.Helper()
	status, body, _ := call(t, http.DefaultClient, "GET", base+path, "", token, nil)
	if status == http.StatusNoContent {
		return 0
	}
	if status != http.StatusOK {
		t.Fatalf("%s: %d %s", path, status, body)
	}
	layers, err := mvt.Unmarshal([]byte(body))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	n := 0.0
	for _, l := range layers {
		if l.Name != layer {
			continue
		}
		for _, ft := range l.Features {
			n += count(ft.Properties)
		}
	}
	return n
}

// TestDivisionView: division=CODE narrows what a page reads to one
// division (a county's map or wall): /config.json names it and fits its
// extent, the items are its own; a division outside the reader's is a
// 403, a code that is none a 400 naming the parameter.
func TestDivisionView(t *testing.T) {
	f := newChainFixture(t, web.Options{})
	county := newTokenIn(t, f.s, access.Viewer, pgtest.CountyA)
	cases := []struct {
		name, path, token string
		status            int
		want              string
	}{
		{"a county's map, anonymously", "/config.json?division=" + pgtest.CountyB, "", 200, `"title":"缙云县安全风险一张图"`},
		{"its extent", "/config.json?division=" + pgtest.CountyB, "", 200, `"bounds":[119.5,28,120,28.5]`},
		{"its division", "/config.json?division=" + pgtest.CityA, "", 200, `"division":{"code":"331100","name":"丽水市","level":"city","child_level":"county"}`},
		{"the whole map", "/config.json", "", 200, `"division":null`},
		{"a county user's own, without the parameter", "/config.json", county, 200, `"title":"莲都区安全风险一张图"`},
		{"a county user asks for the city: their own", "/ogc/collections/bridges/items?division=" + pgtest.CityA, county, 200, `"numberMatched":2`},
		{"a county user asks for their township", "/ogc/collections/bridges/items?division=" + pgtest.TownshipA, county, 200, `"numberMatched":1`},
		{"a county user asks for another county", "/ogc/collections/bridges/items?division=" + pgtest.CountyB, county, 403, "outside your division"},
		{"not a code", "/ogc/collections/bridges/items?division=33", "", 400, `"param":"division"`},
		{"a code not loaded", "/config.json?division=331199", "", 400, "no division with code 331199"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := call(t, http.DefaultClient, "GET", f.srv+tc.path, "", tc.token, nil)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("%d %s, want %d with %s", status, body, tc.status, tc.want)
			}
		})
	}
}

// TestAuditByDivision: an admin of a division reads what the actors of
// that division and below did (refusals too), and nothing of another's.
func TestAuditByDivision(t *testing.T) {
	f := newChainFixture(t, web.Options{})
	planner := map[string]string{}
	admin := map[string]string{}
	for _, code := range []string{pgtest.CityA, pgtest.CountyA, pgtest.CountyB, pgtest.TownshipA} {
		planner[code] = newTokenIn(t, f.s, access.Planner, code)
		admin[code] = newTokenIn(t, f.s, access.Admin, code)
	}
	report := func(code, by string) int {
		p := f.place(code)
		status, _, _ := call(t, http.DefaultClient, "POST", f.srv+"/api/v1/hidden-hazards", fmt.Sprintf(`{"code": "A%d", "title": "隐患", "level": "general",
			"discovery_source": "patrol", "found_on": "2026-11-20", "lon": %f, "lat": %f}`, f.next(), p[0], p[1]), planner[by], nil)
		return status
	}
	if report(pgtest.CountyA, pgtest.CountyA) != 201 || report(pgtest.CountyA, pgtest.CountyB) != 403 || report(pgtest.TownshipA, pgtest.TownshipA) != 201 {
		t.Fatal("the writes to audit went otherwise")
	}
	for reader, want := range map[string][]string{
		pgtest.CityA:     {pgtest.CountyA, pgtest.CountyB, pgtest.TownshipA},
		pgtest.CountyA:   {pgtest.CountyA, pgtest.TownshipA},
		pgtest.CountyB:   {pgtest.CountyB},
		pgtest.TownshipA: {pgtest.TownshipA},
	} {
		var log struct{ Entries []access.Entry }
		status, body, _ := call(t, http.DefaultClient, "GET", f.srv+"/api/v1/audit?action=hazard.report", "", admin[reader], nil)
		if json.Unmarshal([]byte(body), &log); status != 200 {
			t.Fatalf("audit as %s: %d %s", reader, status, body)
		}
		var got []string
		for _, e := range log.Entries {
			got = append(got, e.Division)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("the audit an admin of %s reads: %v, want %v", reader, got, want)
		}
	}
}
