package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/web"
)

// TestSearch searches the Lishui demo over HTTP: a part of a name, a
// credit code's beginning, a name with a character missing, a category,
// a county reader's own county, and queries too short to mean anything.
func TestSearch(t *testing.T) {
	store, conn := writableConn(t)
	srv := authServer(t, store, web.Options{})
	ctx := context.Background()
	var id int64
	var name, uscc, division string
	if err := conn.QueryRow(ctx, `SELECT id, name, attributes->>'uscc', division_code FROM risk_object
		WHERE category = 'enterprises' AND name LIKE '%有限公司' AND char_length(name) >= 12 ORDER BY id LIMIT 1`).Scan(&id, &name, &uscc, &division); err != nil {
		t.Fatal(err)
	}
	runes := []rune(strings.TrimSuffix(name, "有限公司"))
	part := string(runes[len(runes)-5:]) // the trade name and trade, say 丽源竹木制品
	search := func(q, extra, token string) (int, []geo.SearchHit, string) {
		t.Helper()
		var out struct{ Results []geo.SearchHit }
		status, body, _ := call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/search?q="+url.QueryEscape(q)+extra, "", token, nil)
		json.Unmarshal([]byte(body), &out)
		return status, out.Results, body
	}
	has := func(hits []geo.SearchHit, match string) int {
		for i, h := range hits {
			if h.ID == id && (match == "" || h.Match == match) {
				return i
			}
		}
		return -1
	}
	tests := []struct {
		name, q, extra string
		match          string // how the object must be found
		within         int    // at most at this place
	}{
		{"a part of the name", part, "", "name", 19},
		{"the whole name", name, "", "name", 0},
		{"the credit code's beginning", uscc[:15], "", "code", 19},
		{"the credit code in lower case", strings.ToLower(uscc), "", "code", 0},
		{"a character missing", string(runes[len(runes)-5:len(runes)-2]) + string(runes[len(runes)-1:]), "", "", 19},
		{"spaces and punctuation", " " + string(runes[len(runes)-5:len(runes)-3]) + "，" + string(runes[len(runes)-3:]) + " ", "", "words", 19},
		{"its category", part, "&category=enterprises", "name", 19},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, hits, body := search(tc.q, tc.extra, "")
			if status != 200 {
				t.Fatalf("%d %s", status, body)
			}
			if i := has(hits, tc.match); i < 0 || i > tc.within {
				t.Errorf("%q: %s (%d) at %d of %d, want within %d: %s", tc.q, name, id, i, len(hits), tc.within, body)
			}
			for _, h := range hits {
				if h.Division == "" || h.Grade == "" || h.Lon == 0 {
					t.Errorf("a hit without its place or grade: %+v", h)
				}
			}
		})
	}
	if _, hits, _ := search(part, "&category=bridges", ""); has(hits, "") >= 0 {
		t.Error("an enterprise found among the bridges")
	}
	// A county's reader finds its own county's only.
	other := "331122"
	if strings.HasPrefix(division, other) {
		other = "331102"
	}
	tok := newTokenIn(t, store, access.Viewer, other)
	if _, hits, _ := search(part, "", tok); has(hits, "") >= 0 {
		t.Errorf("a reader of %s found %s of %s", other, name, division)
	} else {
		for _, h := range hits {
			if !geo.Within(other, h.Division) {
				t.Errorf("a reader of %s found %+v", other, h)
			}
		}
	}
	// Too short, too long, a bad category.
	for _, bad := range []struct{ query, param string }{
		{"q=" + url.QueryEscape("丽"), "q"},
		{"q=" + url.QueryEscape(" 丽 ，"), "q"},
		{"q=", "q"},
		{"q=" + strings.Repeat("丽", 101), "q"},
		{"q=" + url.QueryEscape(part) + "&category=farms", "category"},
		{"q=" + url.QueryEscape(part) + "&limit=1000", "limit"},
	} {
		status, body, _ := call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/search?"+bad.query, "", "", nil)
		if status != 400 || !strings.Contains(body, bad.param) {
			t.Errorf("%s: %d %s, want 400 naming %s", bad.query, status, body, bad.param)
		}
	}
}
