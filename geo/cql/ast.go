// Package cql parses the text encoding of OGC CQL2 (Common Query Language,
// OGC 21-065), as far as riskmap's filters need it: the Basic CQL2
// conformance class (comparisons, AND, OR, NOT, IS [NOT] NULL on
// properties and literals) plus IN, BETWEEN, LIKE, TIMESTAMP and DATE
// literals, and S_INTERSECTS with a BBOX, POINT or POLYGON.
//
// Parse gives an abstract syntax tree (Expr). Its String method prints the
// canonical CQL2 text of the tree, which parses to the same tree: callers
// use it as a cache key. The package knows nothing of riskmap's
// properties; checking names and types is the compiler's job
// (geo/postgis).
package cql

import (
	"strconv"
	"strings"
	"time"
)

// Expr is a node of the syntax tree: a boolean expression (And, Or, Not,
// Compare, Like, Between, In, IsNull, Intersects, Bool), a scalar (Property,
// String, Number, Bool, Time) or a geometry (BBox, Point, Polygon).
type Expr interface {
	// String returns the node as canonical CQL2 text.
	String() string
	node()
}

// And is true when all of Args are (two or more).
type And struct{ Args []Expr }

// Or is true when any of Args is (two or more).
type Or struct{ Args []Expr }

// Not negates X.
type Not struct{ X Expr }

// Comparison operators.
const (
	Eq = "="
	Ne = "<>"
	Lt = "<"
	Le = "<="
	Gt = ">"
	Ge = ">="
)

// Compare is Left Op Right, Op one of Eq, Ne, Lt, Le, Gt, Ge.
type Compare struct {
	Op          string
	Left, Right Expr
}

// Like is X [NOT] LIKE Pattern; in Pattern, % matches any run of
// characters and _ any one character.
type Like struct {
	X       Expr
	Pattern Expr
	Not     bool
}

// Between is X [NOT] BETWEEN Low AND High (inclusive).
type Between struct {
	X, Low, High Expr
	Not          bool
}

// In is X [NOT] IN (List...).
type In struct {
	X    Expr
	List []Expr
	Not  bool
}

// IsNull is X IS [NOT] NULL.
type IsNull struct {
	X   Expr
	Not bool
}

// Intersects is S_INTERSECTS(Left, Right).
type Intersects struct{ Left, Right Expr }

// Property is a property name (a queryable).
type Property struct{ Name string }

// String is a character string literal.
type String struct{ Value string }

// Number is a numeric literal.
type Number struct{ Value float64 }

// Bool is TRUE or FALSE, as a literal or as a whole predicate.
type Bool struct{ Value bool }

// Time is a TIMESTAMP('…') literal (an instant, in UTC) or, when Date is
// set, a DATE('…') literal (a calendar day; Value is its midnight UTC).
type Time struct {
	Value time.Time
	Date  bool
}

// BBox is BBOX(MinX, MinY, MaxX, MaxY), in CRS84 degrees.
type BBox struct{ MinX, MinY, MaxX, MaxY float64 }

// Point is POINT(X Y).
type Point struct{ X, Y float64 }

// Polygon is POLYGON((x y, …), …): the outer ring, then any holes; each
// ring closed (first point = last) with at least four points.
type Polygon struct{ Rings [][][2]float64 }

func (And) node()        {}
func (Or) node()         {}
func (Not) node()        {}
func (Compare) node()    {}
func (Like) node()       {}
func (Between) node()    {}
func (In) node()         {}
func (IsNull) node()     {}
func (Intersects) node() {}
func (Property) node()   {}
func (String) node()     {}
func (Number) node()     {}
func (Bool) node()       {}
func (Time) node()       {}
func (BBox) node()       {}
func (Point) node()      {}
func (Polygon) node()    {}

func join(args []Expr, sep string) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = a.String()
	}
	return strings.Join(parts, sep)
}

// Every boolean operand is printed in parentheses unless it is a single
// predicate, so that the text parses back to the same tree.
func operand(e Expr) string {
	switch e.(type) {
	case And, Or:
		return "(" + e.String() + ")"
	}
	return e.String()
}

func (e And) String() string {
	parts := make([]string, len(e.Args))
	for i, a := range e.Args {
		parts[i] = operand(a)
	}
	return strings.Join(parts, " AND ")
}

func (e Or) String() string {
	parts := make([]string, len(e.Args))
	for i, a := range e.Args {
		parts[i] = operand(a)
	}
	return strings.Join(parts, " OR ")
}

func (e Not) String() string { return "NOT (" + e.X.String() + ")" }

func (e Compare) String() string { return e.Left.String() + " " + e.Op + " " + e.Right.String() }

func not(b bool) string {
	if b {
		return " NOT"
	}
	return ""
}

func (e Like) String() string { return e.X.String() + not(e.Not) + " LIKE " + e.Pattern.String() }

func (e Between) String() string {
	return e.X.String() + not(e.Not) + " BETWEEN " + e.Low.String() + " AND " + e.High.String()
}

func (e In) String() string { return e.X.String() + not(e.Not) + " IN (" + join(e.List, ", ") + ")" }

func (e IsNull) String() string { return e.X.String() + " IS" + not(e.Not) + " NULL" }

func (e Intersects) String() string {
	return "S_INTERSECTS(" + e.Left.String() + ", " + e.Right.String() + ")"
}

func (e Property) String() string {
	if isBareName(e.Name) && !isKeyword(e.Name) {
		return e.Name
	}
	return `"` + strings.ReplaceAll(e.Name, `"`, `""`) + `"`
}

func (e String) String() string { return "'" + strings.ReplaceAll(e.Value, "'", "''") + "'" }

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func (e Number) String() string { return num(e.Value) }

func (e Bool) String() string {
	if e.Value {
		return "TRUE"
	}
	return "FALSE"
}

func (e Time) String() string {
	if e.Date {
		return "DATE('" + e.Value.Format(time.DateOnly) + "')"
	}
	return "TIMESTAMP('" + e.Value.UTC().Format(time.RFC3339Nano) + "')"
}

func (e BBox) String() string {
	return "BBOX(" + num(e.MinX) + ", " + num(e.MinY) + ", " + num(e.MaxX) + ", " + num(e.MaxY) + ")"
}

func (e Point) String() string { return "POINT(" + num(e.X) + " " + num(e.Y) + ")" }

func (e Polygon) String() string {
	var b strings.Builder
	b.WriteString("POLYGON(")
	for i, r := range e.Rings {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(")
		for j, p := range r {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(num(p[0]) + " " + num(p[1]))
		}
		b.WriteString(")")
	}
	b.WriteString(")")
	return b.String()
}

// Properties returns the property names e uses, in order of first use.
func Properties(e Expr) []string {
	var out []string
	seen := map[string]bool{}
	Walk(e, func(n Expr) {
		if p, ok := n.(Property); ok && !seen[p.Name] {
			seen[p.Name] = true
			out = append(out, p.Name)
		}
	})
	return out
}

// Walk calls fn for e and every node below it, parents first.
func Walk(e Expr, fn func(Expr)) {
	if e == nil {
		return
	}
	fn(e)
	switch n := e.(type) {
	case And:
		for _, a := range n.Args {
			Walk(a, fn)
		}
	case Or:
		for _, a := range n.Args {
			Walk(a, fn)
		}
	case Not:
		Walk(n.X, fn)
	case Compare:
		Walk(n.Left, fn)
		Walk(n.Right, fn)
	case Like:
		Walk(n.X, fn)
		Walk(n.Pattern, fn)
	case Between:
		Walk(n.X, fn)
		Walk(n.Low, fn)
		Walk(n.High, fn)
	case In:
		Walk(n.X, fn)
		for _, a := range n.List {
			Walk(a, fn)
		}
	case IsNull:
		Walk(n.X, fn)
	case Intersects:
		Walk(n.Left, fn)
		Walk(n.Right, fn)
	}
}
