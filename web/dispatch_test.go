package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"riskmap/geo"
	"riskmap/geo/access"
)

// sseEvents reads an event stream's events (name and data) into a channel.
func sseEvents(t *testing.T, ctx context.Context, url string) <-chan [2]string {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("events: %v %v", resp, err)
	}
	out := make(chan [2]string, 64)
	go func() {
		defer resp.Body.Close()
		var name string
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				name = line[7:]
			case strings.HasPrefix(line, "data: ") && name != "":
				select {
				case out <- [2]string{name, line[6:]}:
				default:
				}
				name = ""
			}
		}
	}()
	return out
}

// TestDispatchAPI goes from a call to an assignment over HTTP on the demo
// data: an incident pasted in GCJ-02, the nearest available resources, an
// assignment that every screen hears of, a double booking refused, the
// area around, a GPS fix, and the close that releases.
func TestDispatchAPI(t *testing.T) {
	store, db := writableStore(t)
	srv, _ := cachedServer(t, store, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	dispatcher := newToken(t, store, access.Dispatcher)
	admin := newToken(t, store, access.Admin)
	events := sseEvents(t, ctx, srv.URL+"/api/v1/events")

	decode := func(body string, v any) {
		t.Helper()
		if err := json.Unmarshal([]byte(body), v); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
	}
	// 莲都, as AMap shows it (GCJ-02 is some 500 m off WGS84 here).
	st, body, _ := call(t, http.DefaultClient, "POST", srv.URL+"/api/v1/incidents",
		`{"kind": "landslide", "level": "III", "title": "紫金街道山体滑坡", "coordinates": "28.4565, 119.9277", "crs": "gcj02"}`, dispatcher, nil)
	if st != http.StatusCreated {
		t.Fatalf("report: %d %s", st, body)
	}
	var in geo.Incident
	decode(body, &in)
	if in.County != "331102" || in.Status != geo.IncidentOpen || in.Lon == 119.9277 || in.Lon < 119.92 || in.Lon > 119.93 {
		t.Fatalf("incident: %+v", in)
	}
	for _, bad := range []struct{ body, param string }{
		{`{"kind": "landslide", "title": "x", "lon": 119.9, "lat": 28.4}`, "level"},
		{`{"kind": "landslide", "level": "III", "title": "x", "lon": 119.9, "lat": 128.4}`, "lat"},
		{`{"kind": "landslide", "level": "III", "title": "x", "coordinates": "hello"}`, "coordinates"},
		{`{"kind": "landslide", "level": "III", "title": "x", "lon": 119.9, "lat": 28.4, "colour": "red"}`, "colour"},
	} {
		st, body, _ := call(t, http.DefaultClient, "POST", srv.URL+"/api/v1/incidents", bad.body, dispatcher, nil)
		var p struct{ Param string }
		json.Unmarshal([]byte(body), &p)
		if st != http.StatusBadRequest || p.Param != bad.param {
			t.Errorf("%s: %d %s, want 400 naming %s", bad.body, st, body, bad.param)
		}
	}

	near := func(query string) geo.Nearest {
		t.Helper()
		st, body, _ := call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/nearest?"+query, "", "", nil)
		if st != http.StatusOK {
			t.Fatalf("nearest %s: %d %s", query, st, body)
		}
		var n geo.Nearest
		decode(body, &n)
		return n
	}
	at := url.Values{"lon": {fmt.Sprint(in.Lon)}, "lat": {fmt.Sprint(in.Lat)}}.Encode()
	n := near(at + "&type=fire&status=available&limit=5")
	if n.Method != "knn" || n.RankedBy != geo.ByDistance || len(n.Candidates) != 5 {
		t.Fatalf("nearest: %+v", n)
	}
	for i, c := range n.Candidates {
		var attrs map[string]any
		decode(string(c.Attributes), &attrs)
		if attrs["team_type"] != "消防救援" || attrs["status"] != "available" || (i > 0 && c.StraightM < n.Candidates[i-1].StraightM) {
			t.Fatalf("candidate %d: %+v", i, c)
		}
	}
	if n.Candidates[0].StraightM > 15000 {
		t.Fatalf("nearest fire station %v m from 莲都's centre", n.Candidates[0].StraightM)
	}
	first := n.Candidates[0]

	// By road time on the demo's network: the 40 straight-line nearest
	// ranked by travel time, every one with its time and ETA.
	nt := near(at + "&type=fire&status=available&limit=5&by=time")
	if nt.Method != "knn+network" || nt.RankedBy != geo.ByTime || nt.Preselect != 40 || nt.Network.Edges == 0 || len(nt.Candidates) != 5 {
		t.Fatalf("nearest by time: %+v", nt)
	}
	for i, c := range nt.Candidates {
		if c.Travel == nil || !c.Travel.Reachable || c.Travel.Metres < c.StraightM || c.ETASeconds == nil || *c.ETASeconds < c.Travel.Seconds ||
			(i > 0 && c.Travel.Seconds < nt.Candidates[i-1].Travel.Seconds) {
			t.Fatalf("by time, candidate %d: %+v", i, c)
		}
	}
	st, body, _ = call(t, http.DefaultClient, "GET", fmt.Sprintf("%s/api/v1/route?from_lon=%v&from_lat=%v&to_lon=%v&to_lat=%v", srv.URL, first.Lon, first.Lat, in.Lon, in.Lat), "", "", nil)
	var route struct {
		Geometry struct {
			Type        string
			Coordinates [][2]float64
		}
		Properties struct{ Seconds, Metres float64 }
	}
	decode(body, &route)
	if st != http.StatusOK || route.Geometry.Type != "LineString" || len(route.Geometry.Coordinates) < 2 || route.Properties.Metres < first.StraightM ||
		route.Geometry.Coordinates[0] != [2]float64{first.Lon, first.Lat} {
		t.Fatalf("route: %d %.300s", st, body)
	}
	st, body, _ = call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/isochrones?"+at, "", "", nil)
	var iso struct {
		Features []struct{ Properties struct{ Minutes int } }
	}
	decode(body, &iso)
	if st != http.StatusOK || len(iso.Features) != 4 || iso.Features[3].Properties.Minutes != 30 {
		t.Fatalf("isochrones: %d %.300s", st, body)
	}
	for _, bad := range []string{"minutes=0", "minutes=5,x", "direction=up"} {
		if st, body, _ := call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/isochrones?"+at+"&"+bad, "", "", nil); st != http.StatusBadRequest {
			t.Errorf("isochrones %s: %d %s", bad, st, body)
		}
	}

	st, body, _ = call(t, http.DefaultClient, "POST", fmt.Sprintf("%s/api/v1/incidents/%d/assignments", srv.URL, in.ID), fmt.Sprintf(`{"resource_id": %d}`, first.ID), dispatcher, nil)
	if st != http.StatusCreated {
		t.Fatalf("assign: %d %s", st, body)
	}
	var a geo.Assignment
	decode(body, &a)
	if !a.Active || a.ResourceID != first.ID || a.StraightM <= 0 {
		t.Fatalf("assignment: %+v", a)
	}
	deadline := time.After(5 * time.Second)
	for heard := false; !heard; {
		select {
		case e := <-events:
			if e[0] == "dispatch" && strings.Contains(e[1], `"assigned"`) && strings.Contains(e[1], fmt.Sprint(first.ID)) {
				heard = true
			}
		case <-deadline:
			t.Fatal("no dispatch event on the stream")
		}
	}
	if n := near(at + "&type=fire&status=available&limit=5"); n.Candidates[0].ID == first.ID {
		t.Fatal("a dispatched resource is still offered as available")
	}

	// A second incident cannot have the same resource.
	st, body, _ = call(t, http.DefaultClient, "POST", srv.URL+"/api/v1/incidents",
		`{"kind": "fire", "level": "IV", "title": "火情", "lon": 119.93, "lat": 28.46}`, dispatcher, nil)
	var other geo.Incident
	decode(body, &other)
	st, body, _ = call(t, http.DefaultClient, "POST", fmt.Sprintf("%s/api/v1/incidents/%d/assignments", srv.URL, other.ID), fmt.Sprintf(`{"resource_id": %d}`, first.ID), dispatcher, nil)
	if st != http.StatusConflict || !strings.Contains(body, fmt.Sprintf("incident %d", in.ID)) {
		t.Fatalf("double booking: %d %s, want 409", st, body)
	}

	// Around: rings grow outwards, and count what the database counts.
	st, body, _ = call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/around?"+at, "", "", nil)
	if st != http.StatusOK {
		t.Fatalf("around: %d %s", st, body)
	}
	var around geo.Around
	decode(body, &around)
	if len(around.Rings) != 3 {
		t.Fatalf("around: %s", body)
	}
	prev := -1
	for _, r := range around.Rings {
		total := 0
		for _, c := range r.Objects {
			total += c.Total
		}
		var want int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM risk_object WHERE retired_at IS NULL AND ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4490)::geography, $3)`, in.Lon, in.Lat, *r.RadiusM).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if total != want || total < prev || r.PopulationEstimate == nil {
			t.Errorf("%g m: %d objects, database has %d (previous ring %d); population %v", *r.RadiusM, total, want, prev, r.PopulationEstimate)
		}
		prev = total
	}
	if prev == 0 {
		t.Fatal("nothing within 5 km of 莲都's centre")
	}
	if st, body, _ := call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/around?"+at+"&radius=0", "", "", nil); st != http.StatusBadRequest || !strings.Contains(body, `"param":"radius"`) {
		t.Errorf("radius 0: %d %s", st, body)
	}
	poly := url.QueryEscape(fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%[1]f,%[2]f],[%[3]f,%[2]f],[%[3]f,%[4]f],[%[1]f,%[4]f],[%[1]f,%[2]f]]]}`, in.Lon-0.02, in.Lat-0.02, in.Lon+0.02, in.Lat+0.02))
	if st, body, _ := call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/around?polygon="+poly+"&f=geojson", "", "", nil); st != http.StatusOK || !strings.Contains(body, `"FeatureCollection"`) {
		t.Errorf("polygon as GeoJSON: %d %.200s", st, body)
	}

	for name, bad := range map[string]string{
		"unclosed": `{"type":"Polygon","coordinates":[[[119.9,28.4],[120.0,28.4],[120.0,28.5]]]}`,
		"bowtie":   `{"type":"Polygon","coordinates":[[[119.9,28.4],[120.0,28.5],[120.0,28.4],[119.9,28.5],[119.9,28.4]]]}`,
		"a point":  `{"type":"Point","coordinates":[119.9,28.4]}`,
	} {
		st, body, _ := call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/around?polygon="+url.QueryEscape(bad), "", "", nil)
		if st != http.StatusBadRequest || !strings.Contains(body, `"param":"polygon"`) {
			t.Errorf("around, %s polygon: %d %s", name, st, body)
		}
	}

	// A fix without a latitude is refused (not taken for 0°).
	if st, body, _ := call(t, http.DefaultClient, "POST", fmt.Sprintf("%s/api/v1/resources/%d/positions", srv.URL, first.ID), `{"lon": 119.935}`, dispatcher, nil); st != http.StatusBadRequest || !strings.Contains(body, `"param":"lat"`) {
		t.Errorf("fix without lat: %d %s", st, body)
	}

	// A GPS fix moves the resource on the map.
	st, body, _ = call(t, http.DefaultClient, "POST", fmt.Sprintf("%s/api/v1/resources/%d/positions", srv.URL, first.ID), `{"lon": 119.935, "lat": 28.455, "accuracy_m": 8}`, dispatcher, nil)
	if st != http.StatusOK || !strings.Contains(body, `"moved":true`) {
		t.Fatalf("position: %d %s", st, body)
	}
	var lon float64
	if err := conn.QueryRow(ctx, `SELECT ST_X(geom) FROM risk_object WHERE id = $1`, first.ID).Scan(&lon); err != nil || lon != 119.935 {
		t.Fatalf("resource at lon %v (%v) after the fix", lon, err)
	}

	// Closing releases.
	st, body, _ = call(t, http.DefaultClient, "PATCH", fmt.Sprintf("%s/api/v1/incidents/%d", srv.URL, in.ID), `{"status": "closed"}`, dispatcher, nil)
	if st != http.StatusOK {
		t.Fatalf("close: %d %s", st, body)
	}
	var status string
	if err := conn.QueryRow(ctx, `SELECT attributes->>'status' FROM risk_object WHERE id = $1`, first.ID).Scan(&status); err != nil || status != "available" {
		t.Fatalf("status %q (%v) after close", status, err)
	}
	if st, body, _ := call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/incidents?f=geojson", "", "", nil); st != http.StatusOK || strings.Contains(body, "紫金街道") || !strings.Contains(body, "火情") {
		t.Fatalf("open incidents: %d %s", st, body)
	}
	st, body, _ = call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/audit?limit=100", "", admin, nil)
	if !strings.Contains(body, "released_resources") {
		t.Errorf("the audit of closing names no released resource: %.300s", body)
	}
	for _, action := range []string{"incident.report", "incident.assign", "incident.status"} {
		if !strings.Contains(body, action) {
			t.Errorf("audit log lacks %s: %d %.300s", action, st, body)
		}
	}
}
