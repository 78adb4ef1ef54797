package cql

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	name := Property{"name"}
	cases := []struct {
		name string
		in   string
		want Expr
		text string // canonical text; "" means the same as in
	}{
		{"equals string", "name = 'a'", Compare{Eq, name, String{"a"}}, ""},
		{"every comparison", "a <> 1 AND b < 2 AND c <= 3 AND d > 4 AND e >= 5", And{[]Expr{
			Compare{Ne, Property{"a"}, Number{1}}, Compare{Lt, Property{"b"}, Number{2}}, Compare{Le, Property{"c"}, Number{3}},
			Compare{Gt, Property{"d"}, Number{4}}, Compare{Ge, Property{"e"}, Number{5}}}}, ""},
		{"no spaces", "a>=-1.5e2", Compare{Ge, Property{"a"}, Number{-150}}, "a >= -150"},
		{"quote escape", "name='O''Brien'", Compare{Eq, name, String{"O'Brien"}}, "name = 'O''Brien'"},
		{"quoted property", `"容纳 人数" > 10`, Compare{Gt, Property{"容纳 人数"}, Number{10}}, ""},
		{"quoted keyword property", `"date" = 1`, Compare{Eq, Property{"date"}, Number{1}}, ""},
		{"unicode string", "name LIKE '%桥%'", Like{X: name, Pattern: String{"%桥%"}}, ""},
		{"and binds tighter than or", "a = 1 OR b = 2 AND c = 3", Or{[]Expr{
			Compare{Eq, Property{"a"}, Number{1}},
			And{[]Expr{Compare{Eq, Property{"b"}, Number{2}}, Compare{Eq, Property{"c"}, Number{3}}}}}}, "a = 1 OR (b = 2 AND c = 3)"},
		{"parentheses", "(a = 1 OR b = 2) AND c = 3", And{[]Expr{
			Or{[]Expr{Compare{Eq, Property{"a"}, Number{1}}, Compare{Eq, Property{"b"}, Number{2}}}},
			Compare{Eq, Property{"c"}, Number{3}}}}, ""},
		{"nested and flattened", "(a = 1 AND b = 2) AND c = 3", And{[]Expr{
			Compare{Eq, Property{"a"}, Number{1}}, Compare{Eq, Property{"b"}, Number{2}}, Compare{Eq, Property{"c"}, Number{3}}}},
			"a = 1 AND b = 2 AND c = 3"},
		{"not", "NOT a = 1", Not{Compare{Eq, Property{"a"}, Number{1}}}, "NOT (a = 1)"},
		{"lower-case keywords", "not a is null and b in (1,2)", And{[]Expr{
			Not{IsNull{X: Property{"a"}}}, In{X: Property{"b"}, List: []Expr{Number{1}, Number{2}}}}},
			"NOT (a IS NULL) AND b IN (1, 2)"},
		{"is not null", "a IS NOT NULL", IsNull{X: Property{"a"}, Not: true}, ""},
		{"not in", "status NOT IN ('a', 'b')", In{X: Property{"status"}, List: []Expr{String{"a"}, String{"b"}}, Not: true}, ""},
		{"between", "score BETWEEN 1 AND 2.5", Between{X: Property{"score"}, Low: Number{1}, High: Number{2.5}}, ""},
		{"not between", "score NOT BETWEEN 1 AND 2", Between{X: Property{"score"}, Low: Number{1}, High: Number{2}, Not: true}, ""},
		{"between inside and", "a BETWEEN 1 AND 2 AND b = 3", And{[]Expr{
			Between{X: Property{"a"}, Low: Number{1}, High: Number{2}}, Compare{Eq, Property{"b"}, Number{3}}}}, ""},
		{"not like", "name NOT LIKE 'a_%'", Like{X: name, Pattern: String{"a_%"}, Not: true}, ""},
		{"booleans", "open = TRUE OR false", Or{[]Expr{Compare{Eq, Property{"open"}, Bool{true}}, Bool{false}}}, "open = TRUE OR FALSE"},
		{"timestamp", "assessed_at > TIMESTAMP('2026-01-02T03:04:05+08:00')",
			Compare{Gt, Property{"assessed_at"}, Time{Value: time.Date(2026, 1, 1, 19, 4, 5, 0, time.UTC)}},
			"assessed_at > TIMESTAMP('2026-01-01T19:04:05Z')"},
		{"date", "assessed_at >= DATE('2026-03-01')",
			Compare{Ge, Property{"assessed_at"}, Time{Value: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Date: true}}, ""},
		{"intersects bbox", "S_INTERSECTS(geometry, BBOX(119.5, 28, 120, 28.5))",
			Intersects{Property{"geometry"}, BBox{119.5, 28, 120, 28.5}}, ""},
		{"intersects point", "s_intersects(geom,POINT(119.9 28.4))", Intersects{Property{"geom"}, Point{119.9, 28.4}},
			"S_INTERSECTS(geom, POINT(119.9 28.4))"},
		{"intersects polygon with hole", "S_INTERSECTS(geometry, POLYGON((0 0, 4 0, 4 4, 0 0), (1 1, 2 1, 2 2, 1 1)))",
			Intersects{Property{"geometry"}, Polygon{[][][2]float64{{{0, 0}, {4, 0}, {4, 4}, {0, 0}}, {{1, 1}, {2, 1}, {2, 2}, {1, 1}}}}}, ""},
		{"literal on the left", "10 < capacity_persons", Compare{Lt, Number{10}, Property{"capacity_persons"}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Parse(%q)\n got %#v\nwant %#v", tc.in, got, tc.want)
			}
			text := tc.text
			if text == "" {
				text = tc.in
			}
			if got.String() != text {
				t.Errorf("String() = %q, want %q", got.String(), text)
			}
			again, err := Parse(got.String())
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Errorf("canonical text %q parses to %#v, %v", got.String(), again, err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		pos  int
		msg  string // a part of the message
	}{
		{"empty", "", 1, "expected a filter expression"},
		{"blank", "   ", 4, "expected a filter expression"},
		{"no operator", "name 'a'", 6, "expected a comparison"},
		{"missing value", "name =", 7, "expected a property name or a value, found the end"},
		{"bang equals", "a != 1", 3, `"!=" is not CQL2`},
		{"open string", "name = 'abc", 8, "not closed"},
		{"open quoted name", `"abc = 1`, 1, "quoted name that starts here is not closed"},
		{"unbalanced parenthesis", "(a = 1", 7, `expected ")"`},
		{"extra parenthesis", "a = 1)", 6, "expected AND, OR or the end"},
		{"dangling and", "a = 1 AND", 10, "expected a property name or a value"},
		{"position counts characters", "名称 = 1 AND 等级 ?", 15, `unexpected character "?"`},
		{"not without like", "a NOT = 1", 7, "expected LIKE, BETWEEN or IN after NOT"},
		{"between without and", "a BETWEEN 1 OR 2", 13, "expected AND"},
		{"empty in", "a IN ()", 7, "expected a property name or a value"},
		{"unclosed in", "a IN (1, 2", 11, `"," or ")" in the IN list`},
		{"is without null", "a IS 1", 6, "expected NULL"},
		{"unknown function", "upper(name) = 'A'", 1, "function upper is not supported"},
		{"other spatial function", "S_WITHIN(geometry, BBOX(0,0,1,1))", 1, "S_WITHIN is not supported"},
		{"bbox of three", "S_INTERSECTS(geometry, BBOX(0, 0, 1))", 36, `expected ","`},
		{"open ring", "S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 1)))", 32, "at least four points"},
		{"bad date", "d = DATE('2026-13-01')", 10, "not a date"},
		{"bad timestamp", "d = TIMESTAMP('yesterday')", 15, "not a timestamp"},
		{"huge number", "a = 1e999", 5, "out of range"},
		{"lone minus", "a = -", 5, "expected a number"},
		{"bad exponent", "a = 1e", 6, "digits of an exponent"},
		{"keyword as value", "a = AND", 5, "expected a property name or a value"},
		{"bad utf8", "a = '\xff'", 6, "not valid UTF-8"},
		{"too deep", strings.Repeat("(", MaxDepth+1) + "a = 1" + strings.Repeat(")", MaxDepth+1), MaxDepth + 1, "nests deeper"},
		{"too long", "a = '" + strings.Repeat("x", MaxLength) + "'", 1, "longer than"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.in)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, want a *SyntaxError", tc.in, err)
			}
			if se.Pos != tc.pos || !strings.Contains(se.Msg, tc.msg) {
				t.Errorf("Parse(%q) = %q at %d, want %q at %d", tc.in, se.Msg, se.Pos, tc.msg, tc.pos)
			}
		})
	}
}

func TestProperties(t *testing.T) {
	e, err := Parse("a = 1 AND (b LIKE 'x' OR NOT a IN (1)) AND S_INTERSECTS(geometry, BBOX(0,0,1,1))")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Properties(e), []string{"a", "b", "geometry"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Properties = %v, want %v", got, want)
	}
}

// FuzzParse checks that Parse never panics, that its errors are
// SyntaxErrors within the text, and that what it accepts prints as text
// that parses to the same tree.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"name = 'a'", "a >= -1.5e2 AND b <> 'O''x'", `"q q" IN (1, 'two', TRUE)`, "NOT (a IS NULL OR b BETWEEN 1 AND 2)",
		"name NOT LIKE '%桥_'", "S_INTERSECTS(geometry, BBOX(119, 28, 120, 29))",
		"S_INTERSECTS(geom, POLYGON((0 0, 1 0, 1 1, 0 0)))", "assessed_at > TIMESTAMP('2026-01-02T03:04:05Z') AND d < DATE('2026-01-01')",
		"((a = 1))", "TRUE", "a = 1 OR b = 2 AND c = 3", "x IN (", "'", `"`, "1e", "a = -0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q): error %T %v is not a *SyntaxError", s, err, err)
			}
			if n := len([]rune(s)); se.Pos < 1 || se.Pos > n+1 {
				t.Fatalf("Parse(%q): position %d outside 1..%d", s, se.Pos, n+1)
			}
			return
		}
		text := e.String()
		again, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse(%q) prints as %q, which fails: %v", s, text, err)
		}
		if !reflect.DeepEqual(again, e) {
			t.Fatalf("Parse(%q) prints as %q, which parses to another tree:\n%#v\n%#v", s, text, e, again)
		}
	})
}
