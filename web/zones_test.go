package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"riskmap/geo/access"
)

func zoneBody(name, grade, ring string) string {
	return fmt.Sprintf(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[%s]},
		"properties":{"name":%q,"hazard_type":"landslide","zone_kind":"danger_area","grade":%q,"description":"山体滑坡危险区","source":"survey"}}`, ring, name, grade)
}

const (
	zoneRing   = `[[119.90,28.44],[119.94,28.44],[119.94,28.47],[119.90,28.47],[119.90,28.44]]`
	zoneRing2  = `[[119.90,28.44],[119.95,28.44],[119.95,28.47],[119.90,28.47],[119.90,28.44]]`
	bowTieRing = `[[119.90,28.44],[119.94,28.47],[119.94,28.44],[119.90,28.47],[119.90,28.44]]`
)

// TestZonesAPI: a planner draws, saves, edits and deletes a zone over
// HTTP; bad geometry is refused with where, stale edits with the current
// version; the zone is in the tiles and the OGC API, and analysed.
func TestZonesAPI(t *testing.T) {
	store, _ := writableStore(t)
	srv, _ := cachedServer(t, store, time.Hour)
	planner, viewer, admin := newToken(t, store, access.Planner), newToken(t, store, access.Viewer), newToken(t, store, access.Admin)
	post := func(query, body, token string) (int, string, http.Header) {
		return call(t, http.DefaultClient, "POST", srv.URL+"/api/v1/zones"+query, body, token, map[string]string{"Content-Type": "application/geo+json"})
	}
	if st, _, _ := post("", zoneBody("甲", "red", zoneRing), viewer); st != http.StatusForbidden {
		t.Fatalf("a viewer drew a zone: %d", st)
	}
	// A bow tie: refused, with where it crosses and that it can be mended.
	st, body, _ := post("", zoneBody("甲", "red", bowTieRing), planner)
	var prob struct {
		Param      string
		Repairable bool
		Problems   []struct {
			Code     string
			Location []float64
		}
		CurrentVersion int `json:"current_version"`
	}
	if st != http.StatusBadRequest || json.Unmarshal([]byte(body), &prob) != nil || prob.Param != "geometry" || !prob.Repairable ||
		len(prob.Problems) != 1 || prob.Problems[0].Code != "self_intersection" || len(prob.Problems[0].Location) != 2 {
		t.Fatalf("bow tie: %d %s", st, body)
	}
	if st, body, _ := post("?repair=maybe", zoneBody("甲", "red", zoneRing), planner); st != http.StatusBadRequest || !strings.Contains(body, `"param":"repair"`) {
		t.Fatalf("repair=maybe: %d %s", st, body)
	}
	if st, body, _ := post("", `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[`+zoneRing+`]},"properties":{"name":"甲"}}`, planner); st != http.StatusBadRequest || !strings.Contains(body, `"param":"properties.hazard_type"`) {
		t.Fatalf("no hazard type: %d %s", st, body)
	}
	st, body, hdr := post("?repair=true", zoneBody("滑坡危险区", "red", bowTieRing), planner)
	if st != http.StatusCreated || hdr.Get("ETag") != `"1"` || !strings.Contains(body, `"repaired"`) {
		t.Fatalf("repaired bow tie: %d %s %v", st, body, hdr)
	}
	st, body, hdr = post("", zoneBody("滑坡危险区", "red", zoneRing), planner)
	if st != http.StatusCreated || hdr.Get("Location") == "" {
		t.Fatalf("create: %d %s", st, body)
	}
	var z struct {
		ID         int64
		Properties map[string]any
	}
	if err := json.Unmarshal([]byte(body), &z); err != nil || z.ID == 0 || z.Properties["grade"] != "red" {
		t.Fatalf("created: %s %v", body, err)
	}
	at := fmt.Sprintf("%s/api/v1/zones/%d", srv.URL, z.ID)

	// In the tiles, as anyone sees them.
	tile := maptile.At([2]float64{119.92, 28.455}, 12)
	st, body, _ = call(t, http.DefaultClient, "GET", fmt.Sprintf("%s/tiles/zones/%d/%d/%d.mvt", srv.URL, tile.Z, tile.X, tile.Y), "", "", nil)
	layers, err := mvt.Unmarshal([]byte(body))
	if st != http.StatusOK || err != nil || len(layers) != 1 || len(layers[0].Features) != 2 {
		t.Fatalf("zones tile: %d %v %v", st, err, layers)
	}
	if st, body, _ := call(t, http.DefaultClient, "GET", srv.URL+"/ogc/collections/zones/items?grade=red&bbox=119.8,28.4,120,28.5", "", "", nil); st != http.StatusOK || !strings.Contains(body, `"numberMatched":2`) {
		t.Fatalf("OGC items: %d %.300s", st, body)
	}
	if st, body, _ := call(t, http.DefaultClient, "GET", srv.URL+"/ogc/collections", "", "", nil); st != http.StatusOK || !strings.Contains(body, `"id":"zones"`) {
		t.Fatalf("collections lack zones: %d", st)
	}

	// Edits need the version read; another planner's save wins.
	edit := zoneBody("滑坡危险区", "orange", zoneRing2)
	if st, body, _ := call(t, http.DefaultClient, "PUT", at, edit, planner, nil); st != http.StatusPreconditionRequired || !strings.Contains(body, `"current_version":1`) {
		t.Fatalf("PUT without If-Match: %d %s", st, body)
	}
	st, body, hdr = call(t, http.DefaultClient, "PUT", at, edit, planner, map[string]string{"If-Match": `"1"`})
	if st != http.StatusOK || hdr.Get("ETag") != `"2"` {
		t.Fatalf("PUT: %d %s", st, body)
	}
	st, body, _ = call(t, http.DefaultClient, "PUT", at, zoneBody("我的版本", "blue", zoneRing), planner, map[string]string{"If-Match": `"1"`})
	if st != http.StatusConflict || json.Unmarshal([]byte(body), &prob) != nil || prob.CurrentVersion != 2 || !strings.Contains(body, `"current":{"id":`) || !strings.Contains(body, `"version":2`) {
		t.Fatalf("stale PUT: %d %s", st, body)
	}
	if st, body, _ := call(t, http.DefaultClient, "GET", at+"/analysis?reach=3000", "", viewer, nil); st != http.StatusOK || !strings.Contains(body, `"inside"`) || !strings.Contains(body, `"overlaps":[{`) {
		t.Fatalf("analysis: %d %.300s", st, body)
	}
	if st, body, _ := call(t, http.DefaultClient, "GET", at+"/analysis?reach=-1", "", viewer, nil); st != http.StatusBadRequest || !strings.Contains(body, `"param":"reach"`) {
		t.Fatalf("reach -1: %d %s", st, body)
	}

	// Deleted, it leaves the map; restored, it is back at version 1's shape.
	if st, body, _ := call(t, http.DefaultClient, "DELETE", at, "", planner, map[string]string{"If-Match": `"2"`}); st != http.StatusOK || !strings.Contains(body, `"deleted":true`) {
		t.Fatalf("DELETE: %d %s", st, body)
	}
	if st, body, _ := call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/zones", "", "", nil); st != http.StatusOK || !strings.Contains(body, `"numberMatched":1`) {
		t.Fatalf("list after delete: %d %.200s", st, body)
	}
	st, body, hdr = call(t, http.DefaultClient, "POST", at+"/versions/1/restore", "", planner, map[string]string{"If-Match": `"3"`})
	if st != http.StatusOK || hdr.Get("ETag") != `"4"` || !strings.Contains(body, `"grade":"red"`) {
		t.Fatalf("restore: %d %s", st, body)
	}
	if st, body, _ := call(t, http.DefaultClient, "GET", at+"/versions", "", "", nil); st != http.StatusOK || strings.Count(body, `"version":`) != 4 {
		t.Fatalf("versions: %d %s", st, body)
	}
	if st, body, _ := call(t, http.DefaultClient, "GET", at+"/versions/2", "", "", nil); st != http.StatusOK || !strings.Contains(body, `"grade":"orange"`) {
		t.Fatalf("version 2: %d %s", st, body)
	}
	st, body, _ = call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/audit?limit=100", "", admin, nil)
	for _, action := range []string{"zone.create", "zone.update", "zone.delete", "zone.restore"} {
		if !strings.Contains(body, action) {
			t.Errorf("audit log lacks %s: %d %.200s", action, st, body)
		}
	}
}
