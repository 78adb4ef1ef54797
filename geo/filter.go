package geo

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"riskmap/geo/cql"
)

// Filter picks risk objects; the tiles and the OGC API's items both read
// one from their query parameters (ParseFilter). A zero Filter picks
// everything. Each non-empty list keeps the objects whose value is in it;
// Expr, when not nil, must hold too.
type Filter struct {
	Grades     []Grade    // ascending, no repeats
	Counties   []string   // 6-digit GB/T 2260 codes, sorted, no repeats
	Categories []Category // in AllCategories order, no repeats
	// Expr is a CQL2 condition on the object's properties: the filter
	// parameter and the conditions min_capacity and status stand for.
	// Which properties exist and what their types are is the store's
	// business (geo/postgis).
	Expr cql.Expr
	// Within is a division's code: only what lies in it or below. The
	// server sets it from the reader's division (--read-scope own), never
	// from a query parameter; "" is everything.
	Within string
}

// FilterParams are the query parameters ParseFilter reads.
var FilterParams = []string{"grade", "county", "category", "filter", "filter-lang", "filter-crs", "min_capacity", "status"}

const crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

// ParseFilter reads a filter from query parameters:
//
//	grade=red,orange            grades (red, orange, yellow, blue, unassessed)
//	county=331102,331121        county codes
//	category=shelters,bridges   categories
//	filter=<CQL2 text>          with filter-lang=cql2-text (the default) and filter-crs CRS84 (the default)
//	min_capacity=N              capacity_persons >= N
//	status=a,b                  status IN ('a', 'b')
//
// A parameter given twice counts as one comma list (filter excepted).
// Other parameters are ignored. Errors are *ParamError values naming the
// parameter.
func ParseFilter(q url.Values) (Filter, error) {
	var f Filter
	for _, v := range list(q["grade"]) {
		if v == "" {
			return Filter{}, Invalidf("grade", "empty grade in the list (want red, orange, yellow, blue or unassessed, comma-separated)")
		}
		g, err := ParseGrade(v)
		if err != nil {
			return Filter{}, Invalidf("grade", "unknown grade %q (want red, orange, yellow, blue or unassessed)", v)
		}
		f.Grades = append(f.Grades, g)
	}
	slices.Sort(f.Grades)
	f.Grades = slices.Compact(f.Grades)
	for _, v := range list(q["county"]) {
		if !isCountyCode(v) {
			return Filter{}, Invalidf("county", "%q is not a county code (six digits, GB/T 2260)", v)
		}
		f.Counties = append(f.Counties, v)
		if len(f.Counties) > maxListValues {
			return Filter{}, Invalidf("county", "more than %d counties", maxListValues)
		}
	}
	slices.Sort(f.Counties)
	f.Counties = slices.Compact(f.Counties)
	for _, v := range list(q["category"]) {
		c, err := ParseCategory(v)
		if err != nil {
			return Filter{}, Invalidf("category", "unknown category %q (want one of enterprises, bridges, black_spots, rescue_resources, shelters)", v)
		}
		if !slices.Contains(f.Categories, c) {
			f.Categories = append(f.Categories, c)
		}
	}
	slices.SortFunc(f.Categories, func(a, b Category) int {
		return slices.Index(AllCategories, a) - slices.Index(AllCategories, b)
	})

	if l := q["filter-lang"]; len(l) > 0 && (len(l) > 1 || l[0] != "cql2-text") {
		return Filter{}, Invalidf("filter-lang", "%q is not supported (only cql2-text)", strings.Join(l, ","))
	}
	if c := q["filter-crs"]; len(c) > 0 && (len(c) > 1 || c[0] != crs84) {
		return Filter{}, Invalidf("filter-crs", "%q is not supported (only %s)", strings.Join(c, ","), crs84)
	}
	var conds []cql.Expr
	switch fs := q["filter"]; {
	case len(fs) > 1:
		return Filter{}, Invalidf("filter", "given %d times (want one CQL2 expression; combine them with AND)", len(fs))
	case len(fs) == 1 && strings.TrimSpace(fs[0]) != "":
		e, err := cql.Parse(fs[0])
		var se *cql.SyntaxError
		if errors.As(err, &se) {
			return Filter{}, Invalidf("filter", "%s", se.Error())
		} else if err != nil {
			return Filter{}, Invalidf("filter", "not a CQL2 text expression")
		}
		conds = append(conds, e)
	}
	if vs := q["min_capacity"]; len(vs) > 0 {
		if len(vs) > 1 {
			return Filter{}, Invalidf("min_capacity", "given %d times (want one number)", len(vs))
		}
		n, err := strconv.ParseInt(vs[0], 10, 64)
		if err != nil || n < 0 || n > 1<<53 {
			return Filter{}, Invalidf("min_capacity", "%q is not a whole number of persons (0 or more)", vs[0])
		}
		conds = append(conds, cql.Compare{Op: cql.Ge, Left: cql.Property{Name: "capacity_persons"}, Right: cql.Number{Value: float64(n)}})
	}
	if _, ok := q["status"]; ok {
		var in cql.In
		in.X = cql.Property{Name: "status"}
		seen := map[string]bool{}
		for _, v := range list(q["status"]) {
			if v == "" {
				return Filter{}, Invalidf("status", "empty status in the list (want one or more comma-separated values)")
			}
			if !seen[v] {
				seen[v] = true
				in.List = append(in.List, cql.String{Value: v})
			}
			if len(in.List) > maxListValues {
				return Filter{}, Invalidf("status", "more than %d statuses", maxListValues)
			}
		}
		conds = append(conds, in)
	}
	switch len(conds) {
	case 0:
	case 1:
		f.Expr = conds[0]
	default:
		var and cql.And
		for _, c := range conds {
			if a, ok := c.(cql.And); ok {
				and.Args = append(and.Args, a.Args...)
			} else {
				and.Args = append(and.Args, c)
			}
		}
		f.Expr = and
	}
	return f, nil
}

// list splits every value at commas and trims the parts.
// maxListValues bounds the values of one list parameter (status, county):
// more would only serve to make the database work.
const maxListValues = 200

func list(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, p := range strings.Split(v, ",") {
			out = append(out, strings.TrimSpace(p))
		}
	}
	return out
}

func isCountyCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// IsZero reports whether f picks every object.
func (f Filter) IsZero() bool {
	return len(f.Grades) == 0 && len(f.Counties) == 0 && len(f.Categories) == 0 && f.Expr == nil && f.Within == ""
}

// OnlyGradeCounty reports whether f uses nothing but grades, counties,
// categories and a division no deeper than a county (no CQL2 condition):
// the filters that counts per county, grade and category can answer
// without reading the objects.
func (f Filter) OnlyGradeCounty() bool {
	return f.Expr == nil && len(DivisionPrefix(f.Within)) <= 6
}

// Key returns a canonical text of f for cache keys: filters with the
// same lists (in any order, with any repeats, as ParseFilter keeps them
// sorted and without repeats) and the same CQL2 tree have the same key,
// and the zero filter has "". It is query-string encoded, so it holds
// no separator a cache key might use other than & and =.
func (f Filter) Key() string {
	v := url.Values{}
	if len(f.Grades) > 0 {
		gs := slices.Clone(f.Grades)
		slices.Sort(gs)
		gs = slices.Compact(gs)
		parts := make([]string, len(gs))
		for i, g := range gs {
			parts[i] = g.String()
		}
		v.Set("grade", strings.Join(parts, ","))
	}
	if len(f.Counties) > 0 {
		cs := slices.Clone(f.Counties)
		slices.Sort(cs)
		v.Set("county", strings.Join(slices.Compact(cs), ","))
	}
	if len(f.Categories) > 0 {
		cs := make([]string, 0, len(f.Categories))
		for _, c := range AllCategories {
			if slices.Contains(f.Categories, c) {
				cs = append(cs, string(c))
			}
		}
		v.Set("category", strings.Join(cs, ","))
	}
	if f.Expr != nil {
		v.Set("filter", f.Expr.String())
	}
	if f.Within != "" {
		v.Set("within", f.Within)
	}
	return v.Encode()
}
