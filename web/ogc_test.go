package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"riskmap/geo"
)

func getJSON(t *testing.T, u string, v any) int {
	t.Helper()
	resp, body := get(t, u)
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v in %s", u, err, body)
		}
	}
	return resp.StatusCode
}

func TestOGCConformanceAndCollections(t *testing.T) {
	srv, _ := demoServer(t)
	var conf struct {
		ConformsTo []string `json:"conformsTo"`
	}
	getJSON(t, srv.URL+"/ogc/conformance", &conf)
	for _, want := range []string{"ogcapi-features-1/1.0/conf/core", "ogcapi-features-1/1.0/conf/geojson",
		"ogcapi-features-3/1.0/conf/filter", "ogcapi-features-3/1.0/conf/features-filter", "cql2/1.0/conf/cql2-text", "cql2/1.0/conf/basic-cql2"} {
		if !slices.Contains(conf.ConformsTo, "http://www.opengis.net/spec/"+want) {
			t.Errorf("conformance lacks %s: %v", want, conf.ConformsTo)
		}
	}
	var cols struct {
		Collections []struct {
			ID     string `json:"id"`
			Extent struct {
				Spatial struct {
					BBox [][]float64 `json:"bbox"`
					CRS  string      `json:"crs"`
				} `json:"spatial"`
			} `json:"extent"`
			Links []struct{ Href, Rel string } `json:"links"`
		} `json:"collections"`
	}
	getJSON(t, srv.URL+"/ogc/collections", &cols)
	if len(cols.Collections) != 7 { // counties, five categories, zones
		t.Fatalf("%d collections, want 7", len(cols.Collections))
	}
	for _, c := range cols.Collections {
		b := c.Extent.Spatial.BBox
		// Lishui lies within about 118.6–120.5°E, 27.4–29.0°N.
		if len(b) != 1 || len(b[0]) != 4 || b[0][0] < 118.4 || b[0][2] > 120.6 || b[0][1] < 27.1 || b[0][3] > 29.2 || b[0][0] >= b[0][2] {
			t.Errorf("%s: extent %v", c.ID, b)
		}
		if !strings.HasSuffix(c.Extent.Spatial.CRS, "/CRS84") {
			t.Errorf("%s: extent crs %q", c.ID, c.Extent.Spatial.CRS)
		}
		var q string
		for _, l := range c.Links {
			if l.Rel == "http://www.opengis.net/def/rel/ogc/1.0/queryables" {
				q = l.Href
			}
		}
		if q != srv.URL+"/ogc/collections/"+c.ID+"/queryables" {
			t.Errorf("%s: queryables link %q", c.ID, q)
		}
	}
}

// Every queryable a collection lists can be filtered on.
func TestOGCQueryablesCanBeFiltered(t *testing.T) {
	srv, _ := demoServer(t)
	var q struct {
		Schema     string                    `json:"$schema"`
		Properties map[string]map[string]any `json:"properties"`
	}
	if st := getJSON(t, srv.URL+"/ogc/collections/shelters/queryables", &q); st != 200 {
		t.Fatalf("queryables: %d", st)
	}
	for _, want := range []string{"geometry", "name", "grade", "county", "capacity_persons"} {
		if q.Properties[want] == nil {
			t.Errorf("queryables lack %s: %v", want, q.Properties)
		}
	}
	for name := range q.Properties {
		f := name + " IS NULL"
		if name == "geometry" {
			f = "S_INTERSECTS(geometry, BBOX(119, 28, 120, 29))"
		}
		resp, body := get(t, srv.URL+"/ogc/collections/shelters/items?limit=1&filter="+url.QueryEscape(f))
		if resp.StatusCode != 200 {
			t.Errorf("filter %s: %d %s", f, resp.StatusCode, body)
		}
	}
}

func TestOGCFilteredItems(t *testing.T) {
	srv, store := demoServer(t)
	ctx := context.Background()
	all := map[geo.Category][]geo.Object{}
	for _, c := range geo.AllCategories {
		objs, _, err := store.Objects(ctx, c, geo.Page{Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		all[c] = objs
	}
	num := func(o geo.Object, k string) float64 {
		f, _ := o.Attributes[k].(float64)
		return f
	}
	cases := []struct {
		name  string
		cat   geo.Category
		query string
		want  func(geo.Object) bool
	}{
		{"capacity and status", geo.Shelters, "min_capacity=1000&status=ready", func(o geo.Object) bool {
			return num(o, "capacity_persons") >= 1000 && o.Attributes["status"] == "ready"
		}},
		{"grades and county", geo.Enterprises, "grade=red,orange&county=331102", func(o geo.Object) bool {
			return (o.Grade == geo.Red || o.Grade == geo.Orange) && o.County == "331102"
		}},
		{"cql2 grade order and bbox", geo.Bridges, "filter=" + url.QueryEscape("grade >= 'yellow' AND S_INTERSECTS(geometry, BBOX(119.5, 28, 120.2, 28.6))") + "&filter-lang=cql2-text",
			func(o geo.Object) bool {
				return o.Grade >= geo.Yellow && o.Point[0] >= 119.5 && o.Point[0] <= 120.2 && o.Point[1] >= 28 && o.Point[1] <= 28.6
			}},
		{"cql2 between and bbox parameter", geo.RescueResources, "filter=" + url.QueryEscape("headcount BETWEEN 20 AND 50") + "&bbox=119,27.5,120.5,29",
			func(o geo.Object) bool {
				h := num(o, "headcount")
				return h >= 20 && h <= 50 && o.Point[0] >= 119 && o.Point[0] <= 120.5 && o.Point[1] >= 27.5 && o.Point[1] <= 29
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var want []float64
			for _, o := range all[tc.cat] {
				if tc.want(o) {
					want = append(want, float64(o.ID))
				}
			}
			if len(want) == 0 || len(want) == len(all[tc.cat]) {
				t.Fatalf("the case picks %d of %d objects: it tests nothing", len(want), len(all[tc.cat]))
			}
			var fc featureCollection
			if st := getJSON(t, srv.URL+"/ogc/collections/"+string(tc.cat)+"/items?limit=10000&"+tc.query, &fc); st != 200 {
				t.Fatalf("status %d", st)
			}
			var got []float64
			for _, f := range fc.Features {
				got = append(got, f.ID.(float64))
			}
			if fc.NumberMatched != len(want) || !slices.Equal(got, want) {
				t.Errorf("matched %d, returned %d; want %d", fc.NumberMatched, len(got), len(want))
			}
		})
	}
}

// Paging keeps the filter and every other parameter; prev goes back.
func TestOGCPagingLinksKeepParameters(t *testing.T) {
	srv, _ := demoServer(t)
	first := srv.URL + "/ogc/collections/enterprises/items?grade=red&properties=name,grade&limit=7&foo=bar"
	var fc featureCollection
	getJSON(t, first, &fc)
	if fc.NumberMatched <= 14 {
		t.Fatalf("only %d red enterprises", fc.NumberMatched)
	}
	links := func(fc featureCollection) map[string]string {
		m := map[string]string{}
		for _, l := range fc.Links {
			m[l.Rel] = l.Href
		}
		return m
	}
	l := links(fc)
	if l["prev"] != "" || l["next"] == "" {
		t.Fatalf("first page links %v", l)
	}
	var second featureCollection
	getJSON(t, l["next"], &second)
	u, _ := url.Parse(l["next"])
	q := u.Query()
	if q.Get("grade") != "red" || q.Get("properties") != "name,grade" || q.Get("foo") != "bar" || q.Get("offset") != "7" || q.Get("limit") != "7" {
		t.Errorf("next link %s", l["next"])
	}
	if second.NumberMatched != fc.NumberMatched || second.NumberReturned != 7 {
		t.Errorf("second page: matched %d returned %d", second.NumberMatched, second.NumberReturned)
	}
	for _, f := range second.Features {
		if len(f.Properties) != 2 || f.Properties["grade"] != "red" || f.Properties["name"] == nil {
			t.Errorf("feature %v: properties %v, want name and grade only", f.ID, f.Properties)
		}
		if slices.ContainsFunc(fc.Features, func(g struct {
			ID         any            `json:"id"`
			Geometry   map[string]any `json:"geometry"`
			Properties map[string]any `json:"properties"`
		}) bool {
			return g.ID == f.ID
		}) {
			t.Errorf("feature %v on both pages", f.ID)
		}
	}
	prev := links(second)["prev"]
	var back featureCollection
	getJSON(t, prev, &back)
	if len(back.Features) != 7 || back.Features[0].ID != fc.Features[0].ID {
		t.Errorf("prev link %s does not lead back to the first page", prev)
	}
	// properties= on one item and on counties.
	var item struct {
		Properties map[string]any `json:"properties"`
	}
	getJSON(t, fmt.Sprintf("%s/ogc/collections/enterprises/items/%v?properties=county", srv.URL, fc.Features[0].ID), &item)
	if len(item.Properties) != 1 || item.Properties["county"] == nil {
		t.Errorf("item properties %v", item.Properties)
	}
	var counties featureCollection
	getJSON(t, srv.URL+"/ogc/collections/counties/items?properties=adcode,n_red", &counties)
	if len(counties.Features) != 9 || len(counties.Features[0].Properties) != 2 || counties.Features[0].Properties["adcode"] == nil {
		t.Errorf("counties with two properties: %d features, the first with %v", len(counties.Features), counties.Features[0].Properties)
	}
}

func TestOGCBadFilterValues(t *testing.T) {
	srv, _ := demoServer(t)
	cases := []struct {
		name, query string
		param       string
		detail      string
	}{
		{"syntax", "filter=" + url.QueryEscape("name = "), "filter", "at character 8"},
		{"unknown column type", "filter=" + url.QueryEscape("score = 'high'"), "filter", "score is a number"},
		{"bad property name", "filter=" + url.QueryEscape(`"Bad Name" = 1`), "filter", "unknown property"},
		{"language", "filter=a%3D1&filter-lang=cql2-json", "filter-lang", ""},
		{"grade", "grade=pink", "grade", ""},
		{"county", "county=3311", "county", ""},
		{"category", "category=roads", "category", ""},
		{"min_capacity", "min_capacity=many", "min_capacity", ""},
		{"status", "status=", "status", ""},
		{"properties", "properties=name,secret", "properties", ""},
		// Each of these made PostgreSQL fail (a 500) before it was checked.
		{"LIKE ending in an escape", "filter=" + url.QueryEscape(`name LIKE 'ab\'`), "filter", "escape character"},
		{"bbox off the map", "filter=" + url.QueryEscape("S_INTERSECTS(geometry, BBOX(0, 0, 1000, 10))"), "filter", "off the map"},
		{"point beyond Mercator", "filter=" + url.QueryEscape("S_INTERSECTS(geometry, POINT(120 89.9))"), "filter", "off the map"},
		{"polygon off the map", "filter=" + url.QueryEscape("S_INTERSECTS(geometry, POLYGON((0 0, 200 0, 200 1, 0 0)))"), "filter", "off the map"},
		{"too many statuses", "status=" + manyValues(201), "status", "more than 200"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, srv.URL+"/ogc/collections/shelters/items?"+tc.query)
			var p struct {
				Param  string `json:"param"`
				Detail string `json:"detail"`
			}
			json.Unmarshal(body, &p)
			if resp.StatusCode != 400 || p.Param != tc.param || !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("%s: %d %s, want 400 for %s with %q", tc.query, resp.StatusCode, body, tc.param, tc.detail)
			}
		})
	}
	resp, body := get(t, srv.URL+"/ogc/collections/counties/items?grade=red")
	if resp.StatusCode != 400 || !strings.Contains(string(body), `"param":"grade"`) {
		t.Errorf("counties with a filter: %d %s", resp.StatusCode, body)
	}
}

// manyValues is a comma list of n distinct values.
func manyValues(n int) string {
	v := make([]string, n)
	for i := range v {
		v[i] = fmt.Sprint("s", i)
	}
	return strings.Join(v, ",")
}
