package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"riskmap/geo/access"
	"riskmap/web"
)

// FuzzHTTPAPI drives the server with random methods, paths, query
// strings and bodies, as an admin (who gets past every door): whatever
// comes, the answer is never a 5xx (a panic would be a 500) with the
// database up.
func FuzzHTTPAPI(f *testing.F) {
	seeds := []struct {
		method      uint8
		path, query string
		body        string
	}{
		{0, "/tiles/enterprises,bridges/10/853/441.mvt", "", ""},
		{0, "/tiles/enterprises.json", "", ""},
		{0, "/ogc/collections/enterprises/items", "bbox=119,28,120,29&limit=5&offset=3", ""},
		{0, "/ogc/collections/counties/items/331102", "", ""},
		{0, "/ogc/collections/shelters/items", "filter=capacity_persons%3E%3D100%20AND%20S_INTERSECTS(geometry,BBOX(119,28,120,29))&grade=red,unassessed&status=ready&properties=name", ""},
		{0, "/ogc/collections/bridges/queryables", "", ""},
		{0, "/api/v1/stats/regions", "level=grid1k&bbox=119.8,28.3,120,28.5&rule=index&normaliser=population_10k&format=csv", ""},
		{0, "/api/v1/objects/1/history", "limit=3", ""},
		{0, "/api/v1/audit", "since=2026-01-01T00:00:00Z&limit=5", ""},
		{1, "/api/v1/objects/1/assessments", "", `{"inputs": {"lec_l": 6, "lec_e": 3, "lec_c": 15}}`},
		{1, "/api/v1/hidden-hazards", "", `{"title": "x", "level": "major", "lon": 119.9, "lat": 28.4, "found_on": "2026-11-01", "discovery_source": "inspection"}`},
		{1, "/api/v1/hidden-hazards/1/steps", "", `{"action": "assign"}`},
		{1, "/api/v1/session", "", `{"username": "a", "password": "b"}`},
		{2, "/api/v1/session", "", ""},
		{0, "/tiles/../../etc/passwd", "", ""},
		{0, "/ogc/collections/%00/items", "limit=-1", ""},
		{1, "/api/v1/objects/99999999999999999999/assessments", "", `{"inputs": [1, 2]}`},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.query, []byte(s.body))
	}
	store, _ := writableStore(f)
	h, tok := authHandler(f, store, web.Options{}), newToken(f, store, access.Admin)
	f.Fuzz(func(t *testing.T, method uint8, path, query string, body []byte) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n#?") || strings.ContainsAny(query, " \r\n#") || len(path) > 2000 || len(query) > 2000 {
			return // not a request line a client can send
		}
		if _, err := url.ParseRequestURI(path + "?" + query); err != nil {
			return
		}
		m := []string{http.MethodGet, http.MethodPost, http.MethodDelete, http.MethodHead}[int(method)%4]
		req := httptest.NewRequest(m, path+"?"+query, strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+tok)
		if len(body) > 0 && body[0] == '{' {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Errorf("%s %s?%s %q: %d %s", m, path, query, body, rec.Code, rec.Body.String())
		}
	})
}
