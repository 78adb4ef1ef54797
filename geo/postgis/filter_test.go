package postgis_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"riskmap/geo"
	"riskmap/geo/cql"
	"riskmap/geo/postgis"
	"riskmap/geo/postgis/pgtest"
)

// filterTestObjects makes n objects of every category and grade in the two
// counties of smallDataset, with attributes of mixed JSON types.
func filterTestObjects(n int) []geo.Object {
	r := rand.New(rand.NewPCG(6, 6))
	statuses := []any{"on_duty", "standby", "off", "待命", 3, nil}
	capacities := []any{50.0, 100.0, 150.0, 999.0, "120", "很多", "1e3", true, nil}
	names := []string{"大桥", "桥头企业", "化工厂", "O'Brien 仓库", "避灾点"}
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var out []geo.Object
	for i := range n {
		county, lon := "331102", 119.9
		if r.IntN(2) == 1 {
			county, lon = "331121", 120.2
		}
		o := geo.Object{
			Category:   geo.AllCategories[r.IntN(len(geo.AllCategories))],
			Name:       names[r.IntN(len(names))] + strconv.Itoa(i),
			Point:      orb.Point{lon - 0.09 + r.Float64()*0.18, 28.31 + r.Float64()*0.18},
			County:     county,
			Grade:      geo.AllGrades[r.IntN(len(geo.AllGrades))],
			SourceID:   fmt.Sprintf("f%d", i),
			Attributes: map[string]any{},
		}
		if o.Grade.Assessed() {
			at := base.Add(time.Duration(r.IntN(30*24)) * time.Hour)
			o.Method, o.AssessedAt = "stated", &at
			if r.IntN(4) > 0 {
				o.Score = ptr(float64(r.IntN(100)))
			}
		}
		if v := statuses[r.IntN(len(statuses))]; v != nil {
			o.Attributes["status"] = v
		}
		if v := capacities[r.IntN(len(capacities))]; v != nil {
			o.Attributes["capacity_persons"] = v
		}
		if r.IntN(3) == 0 {
			o.Attributes["open"] = r.IntN(2) == 0
		}
		out = append(out, o)
	}
	return out
}

// Go's reading of the attributes, as the compiled SQL reads them.
var plainNumber = regexp.MustCompile(`^[-+]?[0-9]{1,15}(\.[0-9]{1,15})?$`)

func attrNum(o geo.Object, k string) (float64, bool) {
	switch v := o.Attributes[k].(type) {
	case float64:
		return v, true
	case string:
		if plainNumber.MatchString(v) {
			f, err := strconv.ParseFloat(v, 64)
			return f, err == nil
		}
	}
	return 0, false
}

func attrStr(o geo.Object, k string) (string, bool) {
	s, ok := o.Attributes[k].(string)
	return s, ok
}

func TestFilterSQL(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.NewDB(t)
	s, err := postgis.Open(ctx, conn, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ds := smallDataset()
	ds.Objects = filterTestObjects(400)
	if _, err := s.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	var all []geo.Object
	for _, c := range geo.AllCategories {
		objs, _, err := s.Objects(ctx, c, geo.Page{Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, objs...)
	}
	if len(all) != 400 {
		t.Fatalf("loaded %d objects, want 400", len(all))
	}
	db, err := pgx.Connect(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)

	cst := time.FixedZone("CST", 8*3600)
	cutoff := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	inBox := func(p orb.Point, x0, y0, x1, y1 float64) bool {
		return p[0] >= x0 && p[0] <= x1 && p[1] >= y0 && p[1] <= y1
	}
	statusIn := func(o geo.Object, vs ...string) bool {
		s, ok := attrStr(o, "status")
		return ok && slices.Contains(vs, s)
	}
	cases := []struct {
		name  string
		query string // parameters for geo.ParseFilter
		want  func(o geo.Object) bool
	}{
		{"no filter", "", func(geo.Object) bool { return true }},
		{"grades", "grade=red,unassessed", func(o geo.Object) bool { return o.Grade == geo.Red || o.Grade == geo.Unassessed }},
		{"county", "county=331121", func(o geo.Object) bool { return o.County == "331121" }},
		{"categories", "category=shelters,bridges", func(o geo.Object) bool { return o.Category == geo.Shelters || o.Category == geo.Bridges }},
		{"lists together", "grade=blue&county=331102&category=enterprises",
			func(o geo.Object) bool {
				return o.Grade == geo.Blue && o.County == "331102" && o.Category == geo.Enterprises
			}},
		{"min_capacity reads numbers and decimal text", "min_capacity=100", func(o geo.Object) bool {
			n, ok := attrNum(o, "capacity_persons")
			return ok && n >= 100
		}},
		{"status", "status=on_duty,standby", func(o geo.Object) bool { return statusIn(o, "on_duty", "standby") }},
		{"not in leaves out missing and non-text", "filter=status NOT IN ('on_duty', '待命')", func(o geo.Object) bool {
			_, ok := attrStr(o, "status")
			return ok && !statusIn(o, "on_duty", "待命")
		}},
		{"grade order", "filter=grade >= 'orange'", func(o geo.Object) bool { return o.Grade >= geo.Orange }},
		{"below yellow includes unassessed", "filter='yellow' > grade", func(o geo.Object) bool { return o.Grade < geo.Yellow }},
		{"grade unassessed", "filter=grade = 'unassessed'", func(o geo.Object) bool { return o.Grade == geo.Unassessed }},
		{"grade is null", "filter=grade IS NULL", func(o geo.Object) bool { return o.Grade == geo.Unassessed }},
		{"grade like", "filter=grade LIKE '%o%'", func(o geo.Object) bool { return strings.Contains(o.Grade.String(), "o") }},
		{"name like", "filter=name LIKE '%桥%'", func(o geo.Object) bool { return strings.Contains(o.Name, "桥") }},
		{"name not like with _", "filter=name NOT LIKE '_桥%'", func(o geo.Object) bool { return !strings.HasPrefix(o.Name, "大桥") }},
		{"name with a quote", "filter=name LIKE 'O''Brien%'", func(o geo.Object) bool { return strings.HasPrefix(o.Name, "O'Brien") }},
		{"name order is byte order", "filter=name < '化'", func(o geo.Object) bool { return o.Name < "化" }},
		{"score between", "filter=score BETWEEN 20 AND 60", func(o geo.Object) bool { return o.Score != nil && *o.Score >= 20 && *o.Score <= 60 }},
		{"score not between", "filter=score NOT BETWEEN 20 AND 60", func(o geo.Object) bool { return o.Score != nil && (*o.Score < 20 || *o.Score > 60) }},
		{"score is null", "filter=score IS NULL", func(o geo.Object) bool { return o.Score == nil }},
		{"id", "filter=id <= " + strconv.FormatInt(all[0].ID+99, 10), func(o geo.Object) bool { return o.ID <= all[0].ID+99 }},
		{"timestamp", "filter=assessed_at >= TIMESTAMP('2026-03-15T12:00:00Z')", func(o geo.Object) bool {
			return o.AssessedAt != nil && !o.AssessedAt.Before(cutoff)
		}},
		{"timestamp as string", "filter=assessed_at < '2026-03-15T20:00:00+08:00'", func(o geo.Object) bool {
			return o.AssessedAt != nil && o.AssessedAt.Before(cutoff)
		}},
		{"date is the local day", "filter=assessed_at = DATE('2026-03-10')", func(o geo.Object) bool {
			return o.AssessedAt != nil && o.AssessedAt.In(cst).Format(time.DateOnly) == "2026-03-10"
		}},
		{"bbox", "filter=S_INTERSECTS(geometry, BBOX(119.85, 28.35, 120.15, 28.45))", func(o geo.Object) bool {
			return inBox(o.Point, 119.85, 28.35, 120.15, 28.45)
		}},
		{"polygon", "filter=S_INTERSECTS(geom, POLYGON((119.8 28.3, 120.3 28.3, 119.8 28.5, 119.8 28.3)))", func(o geo.Object) bool {
			// below the line from (120.3, 28.3) to (119.8, 28.5)
			return o.Point[1]-28.3 < (120.3-o.Point[0])*0.4
		}},
		{"attribute number", "filter=capacity_persons > 100 AND capacity_persons <> 999", func(o geo.Object) bool {
			n, ok := attrNum(o, "capacity_persons")
			return ok && n > 100 && n != 999
		}},
		{"attribute text only matches text", "filter=capacity_persons = '120' OR capacity_persons >= 'a'", func(o geo.Object) bool {
			s, ok := attrStr(o, "capacity_persons")
			return ok && (s == "120" || s >= "a")
		}},
		{"attribute boolean", "filter=open = TRUE", func(o geo.Object) bool { return o.Attributes["open"] == true }},
		{"attribute is null", "filter=open IS NULL", func(o geo.Object) bool { _, ok := o.Attributes["open"]; return !ok }},
		{"attribute is not null", "filter=status IS NOT NULL", func(o geo.Object) bool { _, ok := o.Attributes["status"]; return ok }},
		{"absent attribute", "filter=nothere = 1", func(geo.Object) bool { return false }},
		{"or, not, parentheses", "filter=(county = '331121' OR grade = 'red') AND NOT (category = 'bridges')", func(o geo.Object) bool {
			return (o.County == "331121" || o.Grade == geo.Red) && o.Category != geo.Bridges
		}},
		{"true and false", "filter=TRUE AND NOT FALSE", func(geo.Object) bool { return true }},
		{"everything at once", "grade=red,orange,yellow&category=shelters,enterprises&min_capacity=50&status=on_duty,off&filter=name LIKE '%1%'",
			func(o geo.Object) bool {
				n, ok := attrNum(o, "capacity_persons")
				return o.Grade >= geo.Yellow && (o.Category == geo.Shelters || o.Category == geo.Enterprises) && ok && n >= 50 &&
					statusIn(o, "on_duty", "off") && strings.Contains(o.Name, "1")
			}},
		{"an injection is a value", "filter=name = 'x''); DROP TABLE risk_object; --'", func(geo.Object) bool { return false }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := geo.ParseFilter(rawQuery(tc.query))
			if err != nil {
				t.Fatal(err)
			}
			cond, args, err := postgis.FilterSQL(f, []any{int64(0)})
			if err != nil {
				t.Fatal(err)
			}
			rows, err := db.Query(ctx, "SELECT o.id FROM risk_object o WHERE o.id > $1 AND "+cond+" ORDER BY o.id", args...)
			if err != nil {
				t.Fatalf("%s %v: %v", cond, args, err)
			}
			got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				t.Fatalf("%s %v: %v", cond, args, err)
			}
			var want []int64
			for _, o := range all {
				if tc.want(o) {
					want = append(want, o.ID)
				}
			}
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s\n%s %v\ngot %d rows, want %d; only in got %v, only in want %v", tc.query, cond, args, len(got), len(want),
					diff(got, want), diff(want, got))
			}
			// The store's pages and counts apply the same filter.
			matched, listed := 0, 0
			for _, c := range geo.AllCategories {
				objs, n, err := s.Objects(ctx, c, geo.Page{Filter: f, Limit: 50})
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range objs {
					if !slices.Contains(want, o.ID) {
						t.Errorf("Objects(%s) gives %d, which the filter does not pick", c, o.ID)
					}
				}
				matched, listed = matched+n, listed+len(objs)
			}
			if matched != len(want) || listed > len(want) {
				t.Errorf("Objects matched %d and listed %d, want %d", matched, listed, len(want))
			}
			if len(want) == 0 && tc.name != "absent attribute" && tc.name != "an injection is a value" {
				t.Errorf("the case picks no object: it tests nothing")
			}
			if len(want) == len(all) && f.Expr != nil && tc.name != "true and false" {
				t.Errorf("the case picks every object: it tests nothing")
			}
		})
	}
}

// rawQuery splits "a=b&c=d" without unescaping, so that cases read as
// the CQL2 they send.
func rawQuery(s string) url.Values {
	q := url.Values{}
	for _, kv := range strings.Split(s, "&") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			q.Add(k, v)
		}
	}
	return q
}

func diff(a, b []int64) []int64 {
	var out []int64
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func TestFilterSQLRefuses(t *testing.T) {
	cases := []struct {
		name   string
		filter string
		msg    string
	}{
		{"upper-case name", "Name = 'a'", `unknown property "Name"`},
		{"quoted odd name", `"a'b" = 1`, `unknown property "a'b"`},
		{"text with a number", "name = 5", "name is text"},
		{"number with text", "score > 'x'", "score is a number"},
		{"unknown grade", "grade = 'purple'", "grade is a grade"},
		{"grade by number", "grade >= 3", "grade is a grade"},
		{"bad time", "assessed_at > 'yesterday'", "assessed_at is a time"},
		{"geometry compared", "geometry = 1", "use S_INTERSECTS"},
		{"two properties", "score = id", "compares two properties"},
		{"two values", "1 = 1", "compares two values"},
		{"like a number", "score LIKE '1%'", "LIKE reads text"},
		{"intersects a column", "S_INTERSECTS(name, BBOX(0, 0, 1, 1))", "reads the property geometry"},
		{"inverted bbox", "S_INTERSECTS(geometry, BBOX(1, 0, 0, 1))", "minimum is greater"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := geo.ParseFilter(url.Values{"filter": {tc.filter}})
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = postgis.FilterSQL(f, nil)
			var pe *geo.ParamError
			if !errors.As(err, &pe) || pe.Param != "filter" || !strings.Contains(pe.Reason, tc.msg) {
				t.Errorf("FilterSQL(%s) = %v, want a filter error with %q", tc.filter, err, tc.msg)
			}
		})
	}
}

// sqlLiterals are the only quoted texts the compiled SQL may hold: its
// own, never the client's.
var sqlLiterals = regexp.MustCompile(`'[^']*'`)

var ownLiterals = []string{"'unassessed'", "'number'", "'string'", "'boolean'", "'null'", "'Asia/Shanghai'",
	`'^[-+]?[0-9]{1,15}(\.[0-9]{1,15})?$'`}

// FuzzFilterSQL compiles whatever parses and checks that the SQL text
// holds nothing of the client's: no quoted text but the compiler's own,
// no identifier but the allow-listed columns, every value a parameter.
func FuzzFilterSQL(f *testing.F) {
	for _, s := range []string{
		"name = 'x''; DROP TABLE risk_object; --'", `"a; DELETE" = 1`, "status IN ('a', 'b') AND capacity_persons >= 3",
		"grade >= 'orange' OR score BETWEEN 1 AND 2", "NOT name LIKE '%桥' AND open = TRUE AND assessed_at > DATE('2026-01-01')",
		"S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 0)))", "S_INTERSECTS(geom, BBOX(0, 0, 1, 1)) AND x IS NULL",
	} {
		f.Add(s)
	}
	column := regexp.MustCompile(`\bo\.([a-z_0-9]+)`)
	allowed := map[string]bool{"id": true, "name": true, "category": true, "grade": true, "county_code": true, "score": true,
		"method": true, "assessed_at": true, "source": true, "source_id": true, "geom": true, "geom_3857": true, "attributes": true}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := cql.Parse(s)
		if err != nil {
			return
		}
		sql, args, err := postgis.FilterSQL(geo.Filter{Expr: e}, nil)
		if err != nil {
			var pe *geo.ParamError
			if !errors.As(err, &pe) || pe.Param != "filter" {
				t.Fatalf("FilterSQL(%q): %v is not a filter error", s, err)
			}
			return
		}
		rest := sqlLiterals.ReplaceAllStringFunc(sql, func(lit string) string {
			if !slices.Contains(ownLiterals, lit) {
				t.Fatalf("FilterSQL(%q) holds the literal %s:\n%s", s, lit, sql)
			}
			return ""
		})
		rest = strings.ReplaceAll(rest, `COLLATE "C"`, "")
		if strings.ContainsAny(rest, `";`) || strings.Contains(rest, "--") || strings.Contains(rest, "/*") {
			t.Fatalf("FilterSQL(%q) = %s", s, sql)
		}
		for _, m := range column.FindAllStringSubmatch(rest, -1) {
			if !allowed[m[1]] {
				t.Fatalf("FilterSQL(%q) reads column %s", s, m[1])
			}
		}
		if n := strings.Count(rest, "$"); n < len(args) {
			t.Fatalf("FilterSQL(%q): %d placeholders for %d arguments", s, n, len(args))
		}
	})
}
