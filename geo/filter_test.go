package geo_test

import (
	"errors"
	"net/url"
	"reflect"
	"testing"

	"riskmap/geo"
	"riskmap/geo/cql"
)

func TestParseFilter(t *testing.T) {
	capacity := func(n float64) cql.Expr {
		return cql.Compare{Op: cql.Ge, Left: cql.Property{Name: "capacity_persons"}, Right: cql.Number{Value: n}}
	}
	cases := []struct {
		name string
		q    string
		want geo.Filter
		key  string
	}{
		{"nothing", "bbox=1,2,3,4&limit=5", geo.Filter{}, ""},
		{"grades sorted and deduplicated", "grade=red,blue,red,%20unassessed", geo.Filter{Grades: []geo.Grade{geo.Unassessed, geo.Blue, geo.Red}},
			"grade=unassessed%2Cblue%2Cred"},
		{"grade given twice", "grade=red&grade=orange", geo.Filter{Grades: []geo.Grade{geo.Orange, geo.Red}}, "grade=orange%2Cred"},
		{"counties", "county=331121,331102,331121", geo.Filter{Counties: []string{"331102", "331121"}}, "county=331102%2C331121"},
		{"categories in display order", "category=shelters,enterprises", geo.Filter{Categories: []geo.Category{geo.Enterprises, geo.Shelters}},
			"category=enterprises%2Cshelters"},
		{"cql2", "filter=name%20LIKE%20'%25桥'&filter-lang=cql2-text",
			geo.Filter{Expr: cql.Like{X: cql.Property{Name: "name"}, Pattern: cql.String{Value: "%桥"}}},
			"filter=" + url.QueryEscape("name LIKE '%桥'")},
		{"min_capacity", "min_capacity=500", geo.Filter{Expr: capacity(500)}, "filter=" + url.QueryEscape("capacity_persons >= 500")},
		{"status", "status=on_duty,standby,on_duty", geo.Filter{Expr: cql.In{X: cql.Property{Name: "status"},
			List: []cql.Expr{cql.String{Value: "on_duty"}, cql.String{Value: "standby"}}}}, "filter=" + url.QueryEscape("status IN ('on_duty', 'standby')")},
		{"all together", "filter=a%3D1%20AND%20b%3D2&min_capacity=0&grade=red&filter-crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84",
			geo.Filter{Grades: []geo.Grade{geo.Red}, Expr: cql.And{Args: []cql.Expr{
				cql.Compare{Op: cql.Eq, Left: cql.Property{Name: "a"}, Right: cql.Number{Value: 1}},
				cql.Compare{Op: cql.Eq, Left: cql.Property{Name: "b"}, Right: cql.Number{Value: 2}},
				capacity(0)}}},
			"filter=" + url.QueryEscape("a = 1 AND b = 2 AND capacity_persons >= 0") + "&grade=red"},
		{"blank filter", "filter=%20", geo.Filter{}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			got, err := geo.ParseFilter(q)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ParseFilter(%s)\n got %#v\nwant %#v", tc.q, got, tc.want)
			}
			if got.Key() != tc.key {
				t.Errorf("Key() = %q, want %q", got.Key(), tc.key)
			}
			if got.IsZero() != (tc.key == "") {
				t.Errorf("IsZero() = %v for key %q", got.IsZero(), tc.key)
			}
			if got.OnlyGradeCounty() != (got.Expr == nil) {
				t.Errorf("OnlyGradeCounty() = %v with Expr %v", got.OnlyGradeCounty(), got.Expr)
			}
		})
	}
}

func TestParseFilterErrors(t *testing.T) {
	cases := []struct {
		name  string
		q     string
		param string
	}{
		{"unknown grade", "grade=purple", "grade"},
		{"empty grade", "grade=red,,blue", "grade"},
		{"short county", "county=33110", "county"},
		{"county with letters", "county=33110x", "county"},
		{"unknown category", "category=schools", "category"},
		{"counties is no category", "category=counties", "category"},
		{"syntax", "filter=name%20%3D", "filter"},
		{"two filters", "filter=a%3D1&filter=b%3D2", "filter"},
		{"other language", "filter=a%3D1&filter-lang=cql2-json", "filter-lang"},
		{"other crs", "filter=a%3D1&filter-crs=EPSG:4326", "filter-crs"},
		{"negative capacity", "min_capacity=-1", "min_capacity"},
		{"fractional capacity", "min_capacity=1.5", "min_capacity"},
		{"empty status", "status=", "status"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			_, err = geo.ParseFilter(q)
			var pe *geo.ParamError
			if !errors.As(err, &pe) || pe.Param != tc.param {
				t.Fatalf("ParseFilter(%s) = %v, want a *ParamError for %s", tc.q, err, tc.param)
			}
		})
	}
}

func TestFilterKeyIgnoresOrder(t *testing.T) {
	a := geo.Filter{Grades: []geo.Grade{geo.Red, geo.Blue, geo.Red}, Counties: []string{"331121", "331102"},
		Categories: []geo.Category{geo.Shelters, geo.Bridges}}
	b := geo.Filter{Grades: []geo.Grade{geo.Blue, geo.Red}, Counties: []string{"331102", "331121", "331102"},
		Categories: []geo.Category{geo.Bridges, geo.Shelters}}
	if a.Key() != b.Key() || a.Key() == "" {
		t.Errorf("keys %q and %q differ", a.Key(), b.Key())
	}
	c := b
	c.Grades = []geo.Grade{geo.Red}
	if c.Key() == b.Key() {
		t.Errorf("different grades share key %q", c.Key())
	}
}

// FuzzParseFilter checks that ParseFilter never panics, that its errors
// name a filter parameter, and that a filter's key is what the same
// query gives again.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"grade=red,orange&county=331102", "filter=a%3D1&min_capacity=3&status=x,y", "category=shelters,,x", "filter=%27"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		got, err := geo.ParseFilter(q)
		if err != nil {
			var pe *geo.ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseFilter(%q): %v is not a *ParamError", s, err)
			}
			return
		}
		again, err := geo.ParseFilter(q)
		if err != nil || again.Key() != got.Key() {
			t.Fatalf("ParseFilter(%q) twice: keys %q, %q (%v)", s, got.Key(), again.Key(), err)
		}
	})
}
