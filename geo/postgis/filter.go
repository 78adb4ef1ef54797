package postgis

// Compiling a geo.Filter to SQL.
//
// FilterSQL turns a filter into a boolean SQL expression over a
// risk_object row aliased o. Safety rests on one rule: the SQL text it
// writes comes only from the shape of the CQL2 tree (which node, which
// operator, which of the fixed accessors below) and from this file's
// allow-list of columns; every value the client wrote — strings, numbers,
// times, coordinates, and the names of attributes too — goes into the
// arguments as a $n parameter. No text from the request is ever spliced
// into the statement.
//
// Properties: the columns of geo.ObjectColumns, and any other name matching
// attributeName, read from the object's attributes (o.attributes->>$n).
// A number compares with attributes holding a JSON number or a string
// that is a plain decimal number; a string with JSON strings; TRUE and
// FALSE with JSON booleans. Any other value is NULL for the comparison,
// so a text value in a numeric attribute never makes the query fail, and
// the object is simply not matched. grade compares in risk order
// (unassessed < blue < yellow < orange < red; a NULL grade is
// unassessed). A DATE literal compares with assessed_at's local
// (Asia/Shanghai) day.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"riskmap/geo"
	"riskmap/geo/cql"
)

// filterMarker is where a statement in sql/queries takes the compiled
// filter: the comment followed by TRUE, which stands alone (all rows)
// when the filter is empty. insertFilter replaces it.
const filterMarker = "/*filter*/ TRUE"

type propKind int

const (
	kText propKind = iota
	kNumber
	kTime
	kGrade
	kGeometry
	kAttribute
)

// columnKinds says how the filter compares each type of the property
// catalogue's columns (geo.ObjectColumns, the allow-list of risk_object
// columns a filter may name, with the SQL that reads them).
var columnKinds = map[geo.PropertyType]propKind{
	geo.TypeText: kText, geo.TypeNumber: kNumber, geo.TypeInteger: kNumber, geo.TypeTime: kTime,
	geo.TypeGrade: kGrade, geo.TypeGeometry: kGeometry,
}

// attributeName is what an attribute's name must look like.
var attributeName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// FilterSQL compiles f into a SQL boolean expression over a risk_object
// row aliased o, appending its values to args as parameters numbered
// after those already there. It returns "TRUE" for the zero filter.
// Names and types the store does not know are *geo.ParamError values for
// the parameter "filter".
func FilterSQL(f geo.Filter, args []any) (string, []any, error) {
	c := &compiler{args: args}
	var parts []string
	if len(f.Grades) > 0 {
		gs := make([]string, len(f.Grades))
		for i, g := range f.Grades {
			gs[i] = g.String()
		}
		parts = append(parts, "coalesce(o.grade::text, 'unassessed') = ANY("+c.param(gs)+"::text[])")
	}
	if len(f.Counties) > 0 {
		parts = append(parts, "o.county_code = ANY("+c.param(f.Counties)+"::text[])")
	}
	if len(f.Categories) > 0 {
		cs := make([]string, len(f.Categories))
		for i, cat := range f.Categories {
			cs[i] = string(cat)
		}
		parts = append(parts, "o.category::text = ANY("+c.param(cs)+"::text[])")
	}
	if f.Expr != nil {
		s, err := c.bool(f.Expr)
		if err != nil {
			return "", args, err
		}
		parts = append(parts, s)
	}
	if f.Within != "" {
		parts = append(parts, "starts_with(o.division_code, "+c.param(geo.DivisionPrefix(f.Within))+"::text)")
	}
	if len(parts) == 0 {
		return "TRUE", c.args, nil
	}
	return "(" + strings.Join(parts, " AND ") + ")", c.args, nil
}

// insertFilter puts f's SQL at the filter marker of query, which must
// hold exactly one.
func insertFilter(query string, f geo.Filter, args []any) (string, []any, error) {
	if strings.Count(query, filterMarker) != 1 {
		return "", args, fmt.Errorf("statement has %d filter markers, want 1", strings.Count(query, filterMarker))
	}
	s, args, err := FilterSQL(f, args)
	if err != nil {
		return "", args, err
	}
	return strings.Replace(query, filterMarker, s, 1), args, nil
}

type compiler struct{ args []any }

func (c *compiler) param(v any) string {
	c.args = append(c.args, v)
	return "$" + strconv.Itoa(len(c.args))
}

func bad(format string, a ...any) error { return geo.Invalidf("filter", format, a...) }

func (c *compiler) bool(e cql.Expr) (string, error) {
	switch n := e.(type) {
	case cql.And, cql.Or:
		var args []cql.Expr
		op := " AND "
		if o, ok := n.(cql.Or); ok {
			args, op = o.Args, " OR "
		} else {
			args = n.(cql.And).Args
		}
		parts := make([]string, len(args))
		for i, a := range args {
			s, err := c.bool(a)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return "(" + strings.Join(parts, op) + ")", nil
	case cql.Not:
		s, err := c.bool(n.X)
		if err != nil {
			return "", err
		}
		return "(NOT " + s + ")", nil
	case cql.Bool:
		if n.Value {
			return "TRUE", nil
		}
		return "FALSE", nil
	case cql.Compare:
		prop, lit, op, err := orient(n.Left, n.Right, n.Op)
		if err != nil {
			return "", err
		}
		return c.compare(prop, op, lit)
	case cql.In:
		prop, ok := n.X.(cql.Property)
		if !ok {
			return "", bad("IN needs a property on its left, not %s", n.X)
		}
		parts := make([]string, len(n.List))
		for i, v := range n.List {
			s, err := c.compare(prop, cql.Eq, v)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		s := "(" + strings.Join(parts, " OR ") + ")"
		if n.Not {
			s = "(NOT " + s + ")"
		}
		return s, nil
	case cql.Between:
		prop, ok := n.X.(cql.Property)
		if !ok {
			return "", bad("BETWEEN needs a property on its left, not %s", n.X)
		}
		lo, err := c.compare(prop, cql.Ge, n.Low)
		if err != nil {
			return "", err
		}
		hi, err := c.compare(prop, cql.Le, n.High)
		if err != nil {
			return "", err
		}
		s := "(" + lo + " AND " + hi + ")"
		if n.Not {
			s = "(NOT " + s + ")"
		}
		return s, nil
	case cql.Like:
		prop, ok := n.X.(cql.Property)
		if !ok {
			return "", bad("LIKE needs a property on its left, not %s", n.X)
		}
		pat, ok := n.Pattern.(cql.String)
		if !ok {
			return "", bad("LIKE needs a string pattern, not %s", n.Pattern)
		}
		acc, err := c.textOf(prop)
		if err != nil {
			return "", err
		}
		// \ escapes the next character (PostgreSQL's LIKE, as CQL2's):
		// a pattern may not end in an escape that escapes nothing.
		if trailing := len(pat.Value) - len(strings.TrimRight(pat.Value, `\`)); trailing%2 == 1 {
			return "", bad("the LIKE pattern %q ends in an escape character (\\) with nothing after it", pat.Value)
		}
		op := " LIKE "
		if n.Not {
			op = " NOT LIKE "
		}
		return "(" + acc + op + c.param(pat.Value) + "::text)", nil
	case cql.IsNull:
		prop, ok := n.X.(cql.Property)
		if !ok {
			return "", bad("IS NULL needs a property, not %s", n.X)
		}
		s, err := c.isNull(prop)
		if err != nil {
			return "", err
		}
		if n.Not {
			s = "(NOT " + s + ")"
		}
		return s, nil
	case cql.Intersects:
		return c.intersects(n)
	}
	return "", bad("%s is not a condition", e)
}

// orient puts the property on the left of a comparison, turning the
// operator when the literal was on the left.
func orient(l, r cql.Expr, op string) (cql.Property, cql.Expr, string, error) {
	if p, ok := l.(cql.Property); ok {
		if _, ok := r.(cql.Property); ok {
			return p, nil, "", bad("%s compares two properties; compare a property with a value", cql.Compare{Op: op, Left: l, Right: r})
		}
		return p, r, op, nil
	}
	if p, ok := r.(cql.Property); ok {
		flip := map[string]string{cql.Lt: cql.Gt, cql.Le: cql.Ge, cql.Gt: cql.Lt, cql.Ge: cql.Le}
		if f, ok := flip[op]; ok {
			op = f
		}
		return p, l, op, nil
	}
	return cql.Property{}, nil, "", bad("%s compares two values; name a property", cql.Compare{Op: op, Left: l, Right: r})
}

func (c *compiler) lookup(p cql.Property) (string, propKind, error) {
	if col, ok := geo.ObjectColumn(p.Name); ok {
		return col.SQL, columnKinds[col.Type], nil
	}
	if !attributeName.MatchString(p.Name) {
		return "", 0, bad("unknown property %q (see the collection's queryables; attribute names are lower-case letters, digits and _)", p.Name)
	}
	return "", kAttribute, nil
}

// The typed readers of an attribute: NULL unless the JSON value has the
// type. key is the $n parameter holding the attribute's name.
func attrNumber(key string) string {
	return "(CASE jsonb_typeof(o.attributes->" + key + "::text)" +
		" WHEN 'number' THEN (o.attributes->>" + key + "::text)::float8" +
		" WHEN 'string' THEN CASE WHEN (o.attributes->>" + key + "::text) ~ '^[-+]?[0-9]{1,15}(\\.[0-9]{1,15})?$'" +
		" THEN (o.attributes->>" + key + "::text)::float8 END END)"
}

func attrText(key string) string {
	return "(CASE WHEN jsonb_typeof(o.attributes->" + key + "::text) = 'string' THEN o.attributes->>" + key + "::text END)"
}

func attrBool(key string) string {
	return "(CASE WHEN jsonb_typeof(o.attributes->" + key + "::text) = 'boolean' THEN (o.attributes->>" + key + "::text)::boolean END)"
}

// gradeRank is a grade's place in risk order: 0 unassessed, 1 blue … 4
// red, as geo.Grade numbers them.
const gradeRank = "coalesce(array_position(enum_range(NULL::risk_grade), o.grade), 0)"

var sqlOps = map[string]string{cql.Eq: "=", cql.Ne: "<>", cql.Lt: "<", cql.Le: "<=", cql.Gt: ">", cql.Ge: ">="}

func (c *compiler) compare(p cql.Property, op string, lit cql.Expr) (string, error) {
	sqlOp, ok := sqlOps[op]
	if !ok {
		return "", bad("unknown operator %q", op)
	}
	col, kind, err := c.lookup(p)
	if err != nil {
		return "", err
	}
	wrong := func(what, want string) error {
		return bad("%s is %s: compare it with %s, not %s", p.Name, what, want, lit)
	}
	switch kind {
	case kText:
		s, ok := lit.(cql.String)
		if !ok {
			return "", wrong("text", "a string in single quotes")
		}
		return "(" + col + " COLLATE \"C\" " + sqlOp + " " + c.param(s.Value) + "::text)", nil
	case kNumber:
		n, ok := lit.(cql.Number)
		if !ok {
			return "", wrong("a number", "a number")
		}
		return "(" + col + " " + sqlOp + " " + c.param(n.Value) + "::float8)", nil
	case kTime:
		switch t := lit.(type) {
		case cql.Time:
			if t.Date {
				return "((" + col + " AT TIME ZONE 'Asia/Shanghai')::date " + sqlOp + " " + c.param(t.Value.Format(time.DateOnly)) + "::date)", nil
			}
			return "(" + col + " " + sqlOp + " " + c.param(t.Value) + "::timestamptz)", nil
		case cql.String:
			v, err := time.Parse(time.RFC3339Nano, t.Value)
			if err != nil {
				return "", wrong("a time", "TIMESTAMP('2026-01-31T08:00:00Z') or DATE('2026-01-31')")
			}
			return "(" + col + " " + sqlOp + " " + c.param(v) + "::timestamptz)", nil
		}
		return "", wrong("a time", "TIMESTAMP('2026-01-31T08:00:00Z') or DATE('2026-01-31')")
	case kGrade:
		s, ok := lit.(cql.String)
		if !ok {
			return "", wrong("a grade", "'red', 'orange', 'yellow', 'blue' or 'unassessed'")
		}
		g, err := gradeCode(s.Value)
		if err != nil {
			return "", wrong("a grade", "'red', 'orange', 'yellow', 'blue' or 'unassessed'")
		}
		return "(" + gradeRank + " " + sqlOp + " " + c.param(int(g)) + "::int)", nil
	case kGeometry:
		return "", bad("%s is a geometry: use S_INTERSECTS(%s, BBOX(…))", p.Name, p.Name)
	}
	switch v := lit.(type) {
	case cql.Number:
		return "(" + attrNumber(c.param(p.Name)) + " " + sqlOp + " " + c.param(v.Value) + "::float8)", nil
	case cql.String:
		return "(" + attrText(c.param(p.Name)) + " COLLATE \"C\" " + sqlOp + " " + c.param(v.Value) + "::text)", nil
	case cql.Bool:
		return "(" + attrBool(c.param(p.Name)) + " " + sqlOp + " " + c.param(v.Value) + "::boolean)", nil
	}
	return "", bad("the attribute %s compares with a number, a string or TRUE/FALSE, not %s", p.Name, lit)
}

// gradeCode reads a grade's code (not the Chinese names ParseGrade also
// reads: a CQL2 string is compared as written).
func gradeCode(s string) (geo.Grade, error) {
	for _, g := range geo.AllGrades {
		if g.String() == s {
			return g, nil
		}
	}
	return 0, bad("unknown grade %q", s)
}

// textOf reads a property as text, for LIKE.
func (c *compiler) textOf(p cql.Property) (string, error) {
	col, kind, err := c.lookup(p)
	if err != nil {
		return "", err
	}
	switch kind {
	case kText:
		return col, nil
	case kGrade:
		return "coalesce(o.grade::text, 'unassessed')", nil
	case kAttribute:
		return attrText(c.param(p.Name)), nil
	}
	return "", bad("LIKE reads text, and %s is not text", p.Name)
}

func (c *compiler) isNull(p cql.Property) (string, error) {
	col, kind, err := c.lookup(p)
	if err != nil {
		return "", err
	}
	switch kind {
	case kAttribute:
		k := c.param(p.Name)
		return "(coalesce(jsonb_typeof(o.attributes->" + k + "::text), 'null') = 'null')", nil
	case kGeometry:
		return "", bad("%s is never null", p.Name)
	case kGrade:
		return "(o.grade IS NULL)", nil
	}
	return "(" + col + " IS NULL)", nil
}

// maxMercatorLat is the latitude Web Mercator (the tiles' and the spatial
// index's projection) reaches.
const maxMercatorLat = 85.05112878

// onMap refuses a geometry with a point off the map: a longitude outside
// ±180 or a latitude beyond Web Mercator's, which PostGIS cannot
// project (an error of the server's, not the client's, otherwise).
func onMap(g cql.Expr, pts ...[2]float64) error {
	for _, p := range pts {
		if p[0] < -180 || p[0] > 180 || p[1] < -maxMercatorLat || p[1] > maxMercatorLat {
			return bad("%s: (%g %g) is off the map (longitude within ±180, latitude within ±%g)", g, p[0], p[1], maxMercatorLat)
		}
	}
	return nil
}

func (c *compiler) intersects(n cql.Intersects) (string, error) {
	prop, ok := n.Left.(cql.Property)
	geom := n.Right
	if !ok {
		prop, ok = n.Right.(cql.Property)
		geom = n.Left
	}
	if !ok {
		return "", bad("S_INTERSECTS needs the property geometry and a BBOX, POINT or POLYGON")
	}
	if _, kind, err := c.lookup(prop); err != nil || kind != kGeometry {
		return "", bad("S_INTERSECTS reads the property geometry, not %q", prop.Name)
	}
	switch g := geom.(type) {
	case cql.BBox:
		if g.MinX > g.MaxX || g.MinY > g.MaxY {
			return "", bad("%s: the minimum is greater than the maximum", g)
		}
		if err := onMap(g, [2]float64{g.MinX, g.MinY}, [2]float64{g.MaxX, g.MaxY}); err != nil {
			return "", err
		}
		env := "ST_MakeEnvelope(" + c.param(g.MinX) + "::float8, " + c.param(g.MinY) + "::float8, " +
			c.param(g.MaxX) + "::float8, " + c.param(g.MaxY) + "::float8, 4490)"
		return "(o.geom_3857 && ST_Transform(" + env + ", 3857))", nil
	case cql.Point:
		if err := onMap(g, [2]float64{g.X, g.Y}); err != nil {
			return "", err
		}
		pt := "ST_SetSRID(ST_MakePoint(" + c.param(g.X) + "::float8, " + c.param(g.Y) + "::float8), 4490)"
		return "ST_Intersects(o.geom, " + pt + ")", nil
	case cql.Polygon:
		for _, ring := range g.Rings {
			if err := onMap(g, ring...); err != nil {
				return "", err
			}
		}
		// The WKT is printed here from the parsed numbers, and sent as a
		// parameter.
		poly := "ST_MakeValid(ST_GeomFromText(" + c.param(g.String()) + "::text, 4490))"
		return "(o.geom_3857 && ST_Transform(ST_Envelope(" + poly + "), 3857) AND ST_Intersects(o.geom, " + poly + "))", nil
	}
	return "", bad("S_INTERSECTS needs a BBOX, POINT or POLYGON, not %s", geom)
}
