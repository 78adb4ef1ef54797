package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/web"
)

// overview is GET /api/v1/stats/overview's answer.
type overview struct {
	AsOf       string                    `json:"as_of"`
	Categories map[string]map[string]int `json:"categories"`
	Counties   []struct {
		Code   string         `json:"code"`
		Name   string         `json:"name"`
		Grade  string         `json:"grade"`
		Counts map[string]int `json:"counts"`
		Total  int            `json:"total"`
	} `json:"counties"`
	Hazards   map[string]int `json:"hazards"`
	Incidents *struct {
		Active   int            `json:"active"`
		ByLevel  map[string]int `json:"by_level"`
		ByStatus map[string]int `json:"by_status"`
	} `json:"incidents"`
	Resources *struct {
		Total    int            `json:"total"`
		ByStatus map[string]int `json:"by_status"`
		Tracked  int            `json:"tracked"`
	} `json:"resources"`
}

func getOverview(t *testing.T, url, token string) (overview, map[string]json.RawMessage) {
	t.Helper()
	st, body, _ := call(t, http.DefaultClient, "GET", url+"/api/v1/stats/overview", "", token, nil)
	if st != http.StatusOK {
		t.Fatalf("overview: %d %s", st, body)
	}
	var o overview
	var keys map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &o); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	json.Unmarshal([]byte(body), &keys)
	return o, keys
}

// fix posts a GPS fix of resource id; it fails the test unless taken.
func fix(t *testing.T, url, token string, id int64, lon, lat float64, at time.Time) {
	t.Helper()
	body := fmt.Sprintf(`{"lon": %v, "lat": %v, "accuracy_m": 5, "recorded_at": %q}`, lon, lat, at.Format(time.RFC3339Nano))
	if st, b, _ := call(t, http.DefaultClient, "POST", fmt.Sprintf("%s/api/v1/resources/%d/positions", url, id), body, token, nil); st != http.StatusOK {
		t.Fatalf("fix of %d: %d %s", id, st, b)
	}
}

// TestOverview: the map wall's numbers are the database's, counted
// directly; a role that may not read rescue_resources gets no resources
// section, and counts without them.
func TestOverview(t *testing.T) {
	store, conn := writableConn(t)
	ctx := context.Background()
	srv := authServer(t, store, web.Options{Restricted: map[geo.Layer]access.Role{geo.Layer(geo.RescueResources): access.Dispatcher}})
	tok := map[access.Role]string{}
	for _, r := range access.Roles {
		tok[r] = newToken(t, store, r)
	}

	// Something to count besides the demo's objects: a hidden hazard, two
	// incidents (one responding), a resource with a fix.
	if st, b, _ := call(t, http.DefaultClient, "POST", srv.URL+"/api/v1/hidden-hazards",
		`{"code": "WALL-1", "title": "大屏测试隐患", "level": "major", "lon": 119.92, "lat": 28.45, "found_on": "2026-01-05", "discovery_source": "inspection"}`, tok[access.Planner], nil); st != http.StatusCreated {
		t.Fatalf("hazard: %d %s", st, b)
	}
	var ids []int64
	for _, level := range []string{"III", "IV"} {
		st, b, _ := call(t, http.DefaultClient, "POST", srv.URL+"/api/v1/incidents",
			fmt.Sprintf(`{"kind": "fire", "level": %q, "title": "大屏测试", "lon": 119.92, "lat": 28.45}`, level), tok[access.Dispatcher], nil)
		var in struct{ ID int64 }
		if st != http.StatusCreated || json.Unmarshal([]byte(b), &in) != nil {
			t.Fatalf("incident: %d %s", st, b)
		}
		ids = append(ids, in.ID)
	}
	if st, b, _ := call(t, http.DefaultClient, "PATCH", fmt.Sprintf("%s/api/v1/incidents/%d", srv.URL, ids[1]), `{"status": "responding"}`, tok[access.Dispatcher], nil); st != http.StatusOK {
		t.Fatalf("responding: %d %s", st, b)
	}
	var res int64
	if err := conn.QueryRow(ctx, "SELECT id FROM risk_object WHERE category = 'rescue_resources' AND retired_at IS NULL ORDER BY id LIMIT 1").Scan(&res); err != nil {
		t.Fatal(err)
	}
	fix(t, srv.URL, tok[access.Dispatcher], res, 119.91, 28.44, time.Now().Add(-time.Hour))

	// What the database says.
	wantCats := map[string]map[string]int{}
	rows, _ := conn.Query(ctx, "SELECT category::text, coalesce(grade::text, 'unassessed'), count(*) FROM risk_object WHERE retired_at IS NULL GROUP BY 1, 2")
	var cat, grade string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&cat, &grade, &n}, func() error {
		if wantCats[cat] == nil {
			wantCats[cat] = map[string]int{}
		}
		wantCats[cat][grade] += n
		wantCats[cat]["total"] += n
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	wantStatus := map[string]int{}
	wantResources := 0
	rows, _ = conn.Query(ctx, "SELECT coalesce(nullif(attributes->>'status', ''), 'unknown'), count(*) FROM risk_object WHERE category = 'rescue_resources' AND retired_at IS NULL GROUP BY 1")
	if _, err := pgx.ForEachRow(rows, []any{&cat, &n}, func() error {
		wantStatus[cat] += n
		wantResources += n
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var wantHazards [4]int
	if err := conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state NOT IN ('closed', 'invalid')), count(*) FILTER (WHERE overdue),
		count(*) FILTER (WHERE level = 'major' AND state NOT IN ('closed', 'invalid')), count(*) FILTER (WHERE state = 'closed' AND date_trunc('month', closed_on) = date_trunc('month', now()))
		FROM hidden_hazard_status WHERE county_code IS NOT NULL`).Scan(&wantHazards[0], &wantHazards[1], &wantHazards[2], &wantHazards[3]); err != nil {
		t.Fatal(err)
	}
	var wantActive, wantOpen, wantResponding, wantIII int
	if err := conn.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'open'), count(*) FILTER (WHERE status = 'responding'),
		count(*) FILTER (WHERE level = 'III') FROM incident WHERE status <> 'closed'`).Scan(&wantActive, &wantOpen, &wantResponding, &wantIII); err != nil {
		t.Fatal(err)
	}
	if wantActive != 2 || wantHazards[0] != 1 || len(wantCats) != 5 || wantResources == 0 {
		t.Fatalf("the test's data: %d incidents, %v hazards, categories %v, %d resources", wantActive, wantHazards, wantCats, wantResources)
	}

	for _, tc := range []struct {
		name      string
		role      access.Role
		resources bool
	}{
		{"a dispatcher sees the resources", access.Dispatcher, true},
		{"a viewer does not", access.Viewer, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, keys := getOverview(t, srv.URL, tok[tc.role])
			if at, err := time.Parse(time.RFC3339, o.AsOf); err != nil || time.Since(at) > time.Minute {
				t.Errorf("as_of %q (%v)", o.AsOf, err)
			}
			catSum := 0
			for _, c := range geo.AllCategories {
				got, ok := o.Categories[string(c)]
				if c == geo.RescueResources && !tc.resources {
					if ok {
						t.Errorf("categories has rescue_resources for a %s", tc.role)
					}
					continue
				}
				for _, g := range []string{"red", "orange", "yellow", "blue", "unassessed", "total"} {
					if v, ok := got[g]; !ok || v != wantCats[string(c)][g] {
						t.Errorf("%s %s: %d (present %v), database %d", c, g, v, ok, wantCats[string(c)][g])
					}
				}
				catSum += got["total"]
			}
			countySum := 0
			for _, c := range o.Counties {
				sum := 0
				for _, g := range []string{"red", "orange", "yellow", "blue", "unassessed"} {
					v, ok := c.Counts[g]
					if !ok {
						t.Errorf("county %s lacks %s in counts: %v", c.Code, g, c.Counts)
					}
					sum += v
				}
				if sum != c.Total || c.Code == "" || c.Name == "" || c.Grade == "" {
					t.Errorf("county %+v", c)
				}
				countySum += c.Total
			}
			var inCounties int
			q := "SELECT count(*) FROM risk_object o JOIN admin_division d ON d.code = o.county_code AND d.level = 'county' WHERE o.retired_at IS NULL"
			if !tc.resources {
				q += " AND o.category <> 'rescue_resources'"
			}
			if err := conn.QueryRow(ctx, q).Scan(&inCounties); err != nil {
				t.Fatal(err)
			}
			if len(o.Counties) != 9 || countySum != inCounties || countySum > catSum || countySum == 0 {
				t.Errorf("%d counties with %d objects, database %d in counties, %d in the readable categories", len(o.Counties), countySum, inCounties, catSum)
			}
			if h := o.Hazards; h["open"] != wantHazards[0] || h["overdue"] != wantHazards[1] || h["open_major"] != wantHazards[2] || h["closed_this_month"] != wantHazards[3] || len(h) != 4 {
				t.Errorf("hazards %v, database %v", h, wantHazards)
			}
			if in := o.Incidents; in == nil || in.Active != wantActive || in.ByStatus["open"] != wantOpen || in.ByStatus["responding"] != wantResponding ||
				in.ByLevel["III"] != wantIII || len(in.ByLevel) != 4 {
				t.Errorf("incidents %+v, database %d active, %d open, %d responding, %d III", in, wantActive, wantOpen, wantResponding, wantIII)
			}
			_, has := keys["resources"]
			if has != tc.resources {
				t.Fatalf("resources section present %v, want %v", has, tc.resources)
			}
			if !tc.resources {
				return
			}
			r := o.Resources
			if r.Total != wantResources || r.Tracked != 1 {
				t.Errorf("resources: %d, %d tracked; database %d, one fix posted", r.Total, r.Tracked, wantResources)
			}
			for s, v := range wantStatus {
				if r.ByStatus[s] != v {
					t.Errorf("resources %s: %d, database %d", s, r.ByStatus[s], v)
				}
			}
			for _, s := range []string{"available", "dispatched", "standby", "out_of_service"} {
				if _, ok := r.ByStatus[s]; !ok {
					t.Errorf("by_status lacks %s: %v", s, r.ByStatus)
				}
			}
		})
	}
}

// position is a feature of GET /api/v1/positions.
type position struct {
	ID       int64 `json:"id"`
	Geometry struct {
		Type        string     `json:"type"`
		Coordinates [2]float64 `json:"coordinates"`
	} `json:"geometry"`
	Properties struct {
		ResourceID int64           `json:"resource_id"`
		Name       string          `json:"name"`
		TeamType   string          `json:"team_type"`
		Status     string          `json:"status"`
		IncidentID json.RawMessage `json:"incident_id"`
		RecordedAt time.Time       `json:"recorded_at"`
		ReceivedAt time.Time       `json:"received_at"`
		AccuracyM  *float64        `json:"accuracy_m"`
		AgeS       float64         `json:"age_s"`
	} `json:"properties"`
}

// TestPositionsAndTrack: fixes posted at known times give each resource's
// newest fix in the window, and its track in time order; bad windows are
// 400s naming the parameter, an id that is no rescue resource a 404, and
// a role that may not read rescue_resources is refused.
func TestPositionsAndTrack(t *testing.T) {
	store, conn := writableConn(t)
	ctx := context.Background()
	srv := authServer(t, store, web.Options{Restricted: map[geo.Layer]access.Role{geo.Layer(geo.RescueResources): access.Dispatcher}})
	dispatcher, viewer := newToken(t, store, access.Dispatcher), newToken(t, store, access.Viewer)
	var a, b, bridge int64
	var aName, aTeam string
	if err := conn.QueryRow(ctx, "SELECT id, name, attributes->>'team_type' FROM risk_object WHERE category = 'rescue_resources' AND retired_at IS NULL ORDER BY id LIMIT 1").Scan(&a, &aName, &aTeam); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT id FROM risk_object WHERE category = 'rescue_resources' AND retired_at IS NULL AND id > $1 ORDER BY id LIMIT 1", a).Scan(&b); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT id FROM risk_object WHERE category = 'bridges' ORDER BY id LIMIT 1").Scan(&bridge); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	// a: three fixes in the last 40 minutes, posted out of order, and one
	// two days ago; b: one fix 30 hours ago.
	fix(t, srv.URL, dispatcher, a, 119.90, 28.40, now.Add(-48*time.Hour))
	fix(t, srv.URL, dispatcher, a, 119.92, 28.42, now.Add(-10*time.Minute))
	fix(t, srv.URL, dispatcher, a, 119.91, 28.41, now.Add(-40*time.Minute))
	fix(t, srv.URL, dispatcher, a, 119.93, 28.43, now.Add(-2*time.Minute))
	fix(t, srv.URL, dispatcher, b, 120.10, 28.10, now.Add(-30*time.Hour))

	positions := func(query string) []position {
		t.Helper()
		st, body, hdr := call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/positions"+query, "", dispatcher, nil)
		if st != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "application/geo+json") {
			t.Fatalf("positions%s: %d %s %s", query, st, hdr.Get("Content-Type"), body)
		}
		var fc struct {
			Type     string     `json:"type"`
			Features []position `json:"features"`
		}
		if err := json.Unmarshal([]byte(body), &fc); err != nil || fc.Type != "FeatureCollection" {
			t.Fatalf("positions%s: %v %s", query, err, body)
		}
		return fc.Features
	}
	for _, tc := range []struct {
		name  string
		query string
		want  []int64
	}{
		{"the last 24 hours by default", "", []int64{a}},
		{"the last 72 hours", "?hours=72", []int64{a, b}},
		{"the last hour", "?hours=1", []int64{a}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := positions(tc.query)
			var ids []int64
			for _, f := range got {
				ids = append(ids, f.ID)
				if f.ID != f.Properties.ResourceID || f.Geometry.Type != "Point" {
					t.Errorf("feature %+v", f)
				}
			}
			if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
				t.Fatalf("resources %v, want %v", ids, tc.want)
			}
			p := got[0]
			if p.Geometry.Coordinates != [2]float64{119.93, 28.43} || !p.Properties.RecordedAt.Equal(now.Add(-2*time.Minute)) {
				t.Errorf("a's newest fix: %+v, want 119.93,28.43 at %v", p, now.Add(-2*time.Minute))
			}
			if age := p.Properties.AgeS; math.Abs(age-120) > 10 {
				t.Errorf("age_s %v, want about 120", age)
			}
			if p.Properties.Name != aName || p.Properties.TeamType != aTeam || p.Properties.Status == "" || string(p.Properties.IncidentID) != "null" ||
				p.Properties.AccuracyM == nil || *p.Properties.AccuracyM != 5 || time.Since(p.Properties.ReceivedAt) > time.Minute {
				t.Errorf("a's properties %+v", p.Properties)
			}
		})
	}

	track := func(id int64, query string) (int, map[string]any) {
		t.Helper()
		st, body, _ := call(t, http.DefaultClient, "GET", fmt.Sprintf("%s/api/v1/resources/%d/track%s", srv.URL, id, query), "", dispatcher, nil)
		var f map[string]any
		json.Unmarshal([]byte(body), &f)
		return st, f
	}
	for _, tc := range []struct {
		name     string
		id       int64
		query    string
		geometry string // "" for null
		coords   string
		fixes    int
	}{
		{"the last hour by default: three fixes in time order", a, "", "LineString", "[[119.91 28.41] [119.92 28.42] [119.93 28.43]]", 3},
		{"the last 20 minutes", a, "?minutes=20", "LineString", "[[119.92 28.42] [119.93 28.43]]", 2},
		{"the last 5 minutes: a point", a, "?minutes=5", "Point", "[119.93 28.43]", 1},
		{"the last day of b: none", b, "?minutes=1440", "", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, f := track(tc.id, tc.query)
			if st != http.StatusOK || f["type"] != "Feature" {
				t.Fatalf("track: %d %v", st, f)
			}
			props, _ := f["properties"].(map[string]any)
			if props["fixes"] != float64(tc.fixes) || props["resource_id"] != float64(tc.id) || len(props["times"].([]any)) != tc.fixes {
				t.Errorf("properties %v", props)
			}
			if tc.geometry == "" {
				if f["geometry"] != nil {
					t.Errorf("geometry %v, want null", f["geometry"])
				}
				return
			}
			g, _ := f["geometry"].(map[string]any)
			if g["type"] != tc.geometry || fmt.Sprint(g["coordinates"]) != tc.coords {
				t.Errorf("geometry %v, want %s %s", g, tc.geometry, tc.coords)
			}
			times := props["times"].([]any)
			for i := 1; i < len(times); i++ {
				if times[i].(string) <= times[i-1].(string) {
					t.Errorf("times out of order: %v", times)
				}
			}
		})
	}

	for _, tc := range []struct {
		name, path, token string
		status            int
		param             string
	}{
		{"hours 0", "/api/v1/positions?hours=0", dispatcher, 400, "hours"},
		{"hours 169", "/api/v1/positions?hours=169", dispatcher, 400, "hours"},
		{"hours not a number", "/api/v1/positions?hours=a", dispatcher, 400, "hours"},
		{"minutes 0", fmt.Sprintf("/api/v1/resources/%d/track?minutes=0", a), dispatcher, 400, "minutes"},
		{"minutes 1441", fmt.Sprintf("/api/v1/resources/%d/track?minutes=1441", a), dispatcher, 400, "minutes"},
		{"a bridge has no track", fmt.Sprintf("/api/v1/resources/%d/track", bridge), dispatcher, 404, ""},
		{"no such object", "/api/v1/resources/999999999/track", dispatcher, 404, ""},
		{"a viewer may not see positions", "/api/v1/positions", viewer, 403, ""},
		{"a viewer may not see a track", fmt.Sprintf("/api/v1/resources/%d/track", a), viewer, 403, ""},
		{"nobody may not either", "/api/v1/positions", "", 401, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, body, _ := call(t, http.DefaultClient, "GET", srv.URL+tc.path, "", tc.token, nil)
			if st != tc.status || (tc.param != "" && !strings.Contains(body, `"param":"`+tc.param+`"`)) {
				t.Errorf("%d %s, want %d naming %q", st, body, tc.status, tc.param)
			}
		})
	}
}

// TestEventsPositionFix: a fix where the resource already is (nothing
// moves on the map) and one elsewhere both reach the event stream as
// "position" events naming the resource.
func TestEventsPositionFix(t *testing.T) {
	store, conn := writableConn(t)
	srv, _ := cachedServer(t, store, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dispatcher := newToken(t, store, access.Dispatcher)
	var id int64
	var lon, lat float64
	if err := conn.QueryRow(ctx, "SELECT id, ST_X(geom), ST_Y(geom) FROM risk_object WHERE category = 'rescue_resources' AND retired_at IS NULL ORDER BY id LIMIT 1").Scan(&id, &lon, &lat); err != nil {
		t.Fatal(err)
	}
	events := sseEvents(t, ctx, srv.URL+"/api/v1/events")
	for _, tc := range []struct {
		name      string
		lon, lat  float64
		wantLayer bool
	}{
		{"where it is", lon, lat, false},
		{"elsewhere", lon + 0.01, lat + 0.01, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fix(t, srv.URL, dispatcher, id, tc.lon, tc.lat, time.Now())
			deadline := time.After(3 * time.Second)
			var layers bool
			for {
				select {
				case e := <-events:
					switch e[0] {
					case "layers":
						layers = true
					case "position":
						var p struct {
							Kind       string    `json:"kind"`
							ResourceID int64     `json:"resource_id"`
							Lon        float64   `json:"lon"`
							Lat        float64   `json:"lat"`
							RecordedAt time.Time `json:"recorded_at"`
							Status     *string   `json:"status"`
						}
						if err := json.Unmarshal([]byte(e[1]), &p); err != nil || p.ResourceID != id || p.Kind != "position" || p.Status == nil ||
							math.Abs(p.Lon-tc.lon) > 1e-6 || math.Abs(p.Lat-tc.lat) > 1e-6 || time.Since(p.RecordedAt) > time.Minute {
							t.Fatalf("position event %s (%v), want resource %d at %v,%v", e[1], err, id, tc.lon, tc.lat)
						}
						if tc.wantLayer {
							// The layers event of the same change comes after it.
							select {
							case e := <-events:
								layers = e[0] == "layers"
							case <-time.After(2 * time.Second):
							}
							if !layers {
								t.Error("a fix elsewhere moved no layer")
							}
						}
						return
					}
				case <-deadline:
					t.Fatalf("no position event within 3 s (layers event seen: %v)", layers)
				}
			}
		})
	}
}

// TestWallConfig: /config.json tells the page its default language and
// the map wall's configuration, with the defaults when none is given.
func TestWallConfig(t *testing.T) {
	_, store := demoServer(t)
	for _, tc := range []struct {
		name string
		opts web.Options
		want string
	}{
		{"defaults", web.Options{}, `"lang":"zh","wall":{"panels":["categories","counties","hazards","incidents","resources","alerts","clock"],"follow_incidents":true,"stale_after_s":300}`},
		{"configured", web.Options{Lang: "en", Wall: web.Wall{Panels: []string{"clock", "incidents"}, StayOnCity: true, StaleAfter: 90 * time.Second}},
			`"lang":"en","wall":{"panels":["clock","incidents"],"follow_incidents":false,"stale_after_s":90}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := authServer(t, store, tc.opts)
			st, body, _ := call(t, http.DefaultClient, "GET", srv.URL+"/config.json", "", "", nil)
			if st != http.StatusOK || !strings.Contains(body, tc.want) {
				t.Errorf("config: %d %s, want %s", st, body, tc.want)
			}
		})
	}
}
