package cql

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on what Parse accepts, so that a request cannot make it work
// without bound.
const (
	MaxLength = 16 << 10 // bytes of text
	MaxDepth  = 64       // nesting of parentheses and NOTs
)

// SyntaxError is text that is not CQL2 (or not the part of it this package
// reads). Pos is the 1-based character (not byte) position at fault.
type SyntaxError struct {
	Pos int
	Msg string
}

// Error implements error.
func (e *SyntaxError) Error() string { return fmt.Sprintf("at character %d: %s", e.Pos, e.Msg) }

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tQuoted // a double-quoted identifier
	tString
	tNumber
	tOp // = <> < <= > >=
	tLParen
	tRParen
	tComma
)

type token struct {
	kind tokKind
	text string // identifier, string value, number text or operator
	pos  int    // 1-based character position
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "the end of the text"
	case tString:
		return fmt.Sprintf("the string '%s'", t.text)
	case tQuoted:
		return fmt.Sprintf("the name %q", t.text)
	case tLParen:
		return `"("`
	case tRParen:
		return `")"`
	case tComma:
		return `","`
	}
	return fmt.Sprintf("%q", t.text)
}

func lex(s string) ([]token, error) {
	var out []token
	pos := 0 // characters before i
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		start := pos + 1
		switch {
		case r == utf8.RuneError && w == 1:
			return nil, &SyntaxError{start, "the text is not valid UTF-8"}
		case unicode.IsSpace(r):
			i += w
			pos++
		case r == '(':
			out = append(out, token{tLParen, "(", start})
			i, pos = i+1, pos+1
		case r == ')':
			out = append(out, token{tRParen, ")", start})
			i, pos = i+1, pos+1
		case r == ',':
			out = append(out, token{tComma, ",", start})
			i, pos = i+1, pos+1
		case r == '=':
			out = append(out, token{tOp, "=", start})
			i, pos = i+1, pos+1
		case r == '<' || r == '>':
			op := string(r)
			if i+1 < len(s) && (s[i+1] == '=' || (r == '<' && s[i+1] == '>')) {
				op += string(s[i+1])
			}
			out = append(out, token{tOp, op, start})
			i, pos = i+len(op), pos+len(op)
		case r == '!' && i+1 < len(s) && s[i+1] == '=':
			return nil, &SyntaxError{start, `"!=" is not CQL2: write "<>"`}
		case r == '\'' || r == '"':
			var b strings.Builder
			j, n := i+1, pos+1
			for {
				if j >= len(s) {
					what := "string"
					if r == '"' {
						what = "quoted name"
					}
					return nil, &SyntaxError{start, "the " + what + " that starts here is not closed"}
				}
				c, cw := utf8.DecodeRuneInString(s[j:])
				if c == utf8.RuneError && cw == 1 {
					return nil, &SyntaxError{n + 1, "the text is not valid UTF-8"}
				}
				j += cw
				n++
				if c == r {
					if j < len(s) && rune(s[j]) == r { // doubled: the character itself
						j++
						n++
					} else {
						break
					}
				}
				b.WriteRune(c)
			}
			kind := tString
			if r == '"' {
				kind = tQuoted
				if b.Len() == 0 {
					return nil, &SyntaxError{start, "a quoted name may not be empty"}
				}
			}
			out = append(out, token{kind, b.String(), start})
			i, pos = j, n
		case r == '-' || r == '+' || r == '.' || (r >= '0' && r <= '9'):
			j := i
			if s[j] == '-' || s[j] == '+' {
				j++
			}
			digits := 0
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j, digits = j+1, digits+1
			}
			if j < len(s) && s[j] == '.' {
				j++
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					j, digits = j+1, digits+1
				}
			}
			if digits == 0 {
				return nil, &SyntaxError{start, fmt.Sprintf("expected a number, found %q", string(r))}
			}
			if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
				k := j + 1
				if k < len(s) && (s[k] == '-' || s[k] == '+') {
					k++
				}
				e := k
				for k < len(s) && s[k] >= '0' && s[k] <= '9' {
					k++
				}
				if k == e {
					return nil, &SyntaxError{start + (j - i), "expected the digits of an exponent"}
				}
				j = k
			}
			out = append(out, token{tNumber, s[i:j], start})
			pos += j - i
			i = j
		case r == '_' || unicode.IsLetter(r):
			j, n := i, pos
			for j < len(s) {
				c, cw := utf8.DecodeRuneInString(s[j:])
				if c != '_' && c != '.' && c != ':' && !unicode.IsLetter(c) && !unicode.IsDigit(c) {
					break
				}
				j += cw
				n++
			}
			out = append(out, token{tIdent, s[i:j], start})
			i, pos = j, n
		default:
			return nil, &SyntaxError{start, fmt.Sprintf("unexpected character %q", string(r))}
		}
	}
	out = append(out, token{tEOF, "", pos + 1})
	return out, nil
}

// isBareName reports whether s can be written as a property name without
// double quotes.
func isBareName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if c == '_' || unicode.IsLetter(c) || (i > 0 && (c == '.' || c == ':' || unicode.IsDigit(c))) {
			continue
		}
		return false
	}
	return true
}

var keywords = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "IN": true, "BETWEEN": true, "LIKE": true, "IS": true, "NULL": true,
	"TRUE": true, "FALSE": true, "TIMESTAMP": true, "DATE": true, "BBOX": true, "POINT": true, "POLYGON": true,
	"S_INTERSECTS": true,
}

func isKeyword(s string) bool { return keywords[strings.ToUpper(s)] }

type parser struct {
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// is reports whether the next token is the keyword kw.
func (p *parser) is(kw string) bool {
	t := p.peek()
	return t.kind == tIdent && strings.EqualFold(t.text, kw)
}

func (p *parser) errorf(t token, format string, args ...any) error {
	return &SyntaxError{t.pos, fmt.Sprintf(format, args...) + ", found " + t.describe()}
}

func (p *parser) expect(kind tokKind, what string) (token, error) {
	t := p.next()
	if t.kind != kind {
		return t, p.errorf(t, "expected %s", what)
	}
	return t, nil
}

func (p *parser) expectKeyword(kw string) error {
	t := p.next()
	if t.kind != tIdent || !strings.EqualFold(t.text, kw) {
		return p.errorf(t, "expected %s", kw)
	}
	return nil
}

// Parse reads a CQL2 text expression. Errors are *SyntaxError values.
func Parse(s string) (Expr, error) {
	if len(s) > MaxLength {
		return nil, &SyntaxError{1, fmt.Sprintf("the filter is longer than %d bytes", MaxLength)}
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if p.peek().kind == tEOF {
		return nil, p.errorf(p.peek(), "expected a filter expression")
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errorf(t, "expected AND, OR or the end of the filter")
	}
	return e, nil
}

func (p *parser) enter(at token) error {
	p.depth++
	if p.depth > MaxDepth {
		return &SyntaxError{at.pos, fmt.Sprintf("the filter nests deeper than %d levels", MaxDepth)}
	}
	return nil
}

func (p *parser) or() (Expr, error) {
	args, err := p.chain("OR", p.and, func(e Expr) ([]Expr, bool) { o, ok := e.(Or); return o.Args, ok })
	if err != nil || len(args) == 1 {
		return first(args), err
	}
	return Or{args}, nil
}

func (p *parser) and() (Expr, error) {
	args, err := p.chain("AND", p.not, func(e Expr) ([]Expr, bool) { a, ok := e.(And); return a.Args, ok })
	if err != nil || len(args) == 1 {
		return first(args), err
	}
	return And{args}, nil
}

// chain reads operands joined by the keyword op. When there are several,
// an operand that is itself a chain of op (a parenthesised one) gives its
// own operands instead, as inner tells: a OR (b OR c) is a OR b OR c.
func (p *parser) chain(op string, operand func() (Expr, error), inner func(Expr) ([]Expr, bool)) ([]Expr, error) {
	e, err := operand()
	if err != nil {
		return nil, err
	}
	args := []Expr{e}
	for p.is(op) {
		p.next()
		e, err := operand()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	if len(args) == 1 {
		return args, nil
	}
	var flat []Expr
	for _, a := range args {
		if sub, ok := inner(a); ok {
			flat = append(flat, sub...)
		} else {
			flat = append(flat, a)
		}
	}
	return flat, nil
}

func first(args []Expr) Expr {
	if len(args) == 0 {
		return nil
	}
	return args[0]
}

func (p *parser) not() (Expr, error) {
	if p.is("NOT") {
		if err := p.enter(p.next()); err != nil {
			return nil, err
		}
		x, err := p.not()
		p.depth--
		if err != nil {
			return nil, err
		}
		return Not{x}, nil
	}
	return p.predicate()
}

func (p *parser) predicate() (Expr, error) {
	t := p.peek()
	if t.kind == tLParen {
		if err := p.enter(p.next()); err != nil {
			return nil, err
		}
		e, err := p.or()
		p.depth--
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen, `")"`); err != nil {
			return nil, err
		}
		return e, nil
	}
	if p.is("S_INTERSECTS") {
		return p.intersects()
	}
	if t.kind == tIdent && strings.HasPrefix(strings.ToUpper(t.text), "S_") && p.toks[p.i+1].kind == tLParen {
		return nil, &SyntaxError{t.pos, fmt.Sprintf("the spatial function %s is not supported (only S_INTERSECTS)", t.text)}
	}
	left, err := p.scalar()
	if err != nil {
		return nil, err
	}
	t = p.peek()
	if t.kind == tOp {
		p.next()
		right, err := p.scalar()
		if err != nil {
			return nil, err
		}
		return Compare{Op: t.text, Left: left, Right: right}, nil
	}
	if p.is("IS") {
		p.next()
		neg := false
		if p.is("NOT") {
			p.next()
			neg = true
		}
		if err := p.expectKeyword("NULL"); err != nil {
			return nil, err
		}
		return IsNull{X: left, Not: neg}, nil
	}
	neg := false
	if p.is("NOT") {
		p.next()
		neg = true
	}
	switch {
	case p.is("LIKE"):
		p.next()
		pat, err := p.scalar()
		if err != nil {
			return nil, err
		}
		return Like{X: left, Pattern: pat, Not: neg}, nil
	case p.is("BETWEEN"):
		p.next()
		lo, err := p.scalar()
		if err != nil {
			return nil, err
		}
		if err := p.expectKeyword("AND"); err != nil {
			return nil, err
		}
		hi, err := p.scalar()
		if err != nil {
			return nil, err
		}
		return Between{X: left, Low: lo, High: hi, Not: neg}, nil
	case p.is("IN"):
		p.next()
		if _, err := p.expect(tLParen, `"(" to open the IN list`); err != nil {
			return nil, err
		}
		var list []Expr
		for {
			v, err := p.scalar()
			if err != nil {
				return nil, err
			}
			list = append(list, v)
			if p.peek().kind != tComma {
				break
			}
			p.next()
		}
		if _, err := p.expect(tRParen, `"," or ")" in the IN list`); err != nil {
			return nil, err
		}
		return In{X: left, List: list, Not: neg}, nil
	}
	if neg {
		return nil, p.errorf(p.peek(), "expected LIKE, BETWEEN or IN after NOT")
	}
	if b, ok := left.(Bool); ok {
		return b, nil
	}
	return nil, p.errorf(t, "expected a comparison (=, <>, <, <=, >, >=, LIKE, BETWEEN, IN or IS NULL)")
}

// scalar reads a property name or a literal.
func (p *parser) scalar() (Expr, error) {
	t := p.next()
	switch t.kind {
	case tQuoted:
		return Property{t.text}, nil
	case tString:
		return String{t.text}, nil
	case tNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, &SyntaxError{t.pos, fmt.Sprintf("the number %s is out of range", t.text)}
		}
		if f == 0 {
			f = 0 // no negative zero: it would print as -0
		}
		return Number{f}, nil
	case tIdent:
		switch strings.ToUpper(t.text) {
		case "TRUE":
			return Bool{true}, nil
		case "FALSE":
			return Bool{false}, nil
		case "TIMESTAMP", "DATE":
			return p.instant(t)
		}
		if isKeyword(t.text) {
			return nil, p.errorf(t, "expected a property name or a value")
		}
		if p.peek().kind == tLParen {
			return nil, &SyntaxError{t.pos, fmt.Sprintf("the function %s is not supported", t.text)}
		}
		return Property{t.text}, nil
	}
	return nil, p.errorf(t, "expected a property name or a value")
}

func (p *parser) instant(kw token) (Expr, error) {
	if _, err := p.expect(tLParen, `"(" after `+strings.ToUpper(kw.text)); err != nil {
		return nil, err
	}
	s, err := p.expect(tString, "a quoted date or time")
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(tRParen, `")"`); err != nil {
		return nil, err
	}
	if strings.EqualFold(kw.text, "DATE") {
		d, err := time.Parse(time.DateOnly, s.text)
		if err != nil {
			return nil, &SyntaxError{s.pos, fmt.Sprintf("%q is not a date like '2026-01-31'", s.text)}
		}
		return Time{Value: d, Date: true}, nil
	}
	ts, err := time.Parse(time.RFC3339Nano, s.text)
	if err != nil {
		return nil, &SyntaxError{s.pos, fmt.Sprintf("%q is not a timestamp like '2026-01-31T08:00:00Z'", s.text)}
	}
	if y := ts.UTC().Year(); y < 1 || y > 9999 {
		return nil, &SyntaxError{s.pos, fmt.Sprintf("%q is outside the years 0001 to 9999", s.text)}
	}
	return Time{Value: ts.UTC()}, nil
}

func (p *parser) intersects() (Expr, error) {
	p.next()
	if _, err := p.expect(tLParen, `"(" after S_INTERSECTS`); err != nil {
		return nil, err
	}
	a, err := p.spatialArg()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(tComma, `","`); err != nil {
		return nil, err
	}
	b, err := p.spatialArg()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(tRParen, `")"`); err != nil {
		return nil, err
	}
	return Intersects{Left: a, Right: b}, nil
}

// spatialArg reads a property name or a geometry literal.
func (p *parser) spatialArg() (Expr, error) {
	t := p.peek()
	switch {
	case p.is("BBOX"):
		p.next()
		if _, err := p.expect(tLParen, `"(" after BBOX`); err != nil {
			return nil, err
		}
		v, err := p.numbers(4)
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen, `")" after the four numbers of BBOX`); err != nil {
			return nil, err
		}
		return BBox{v[0], v[1], v[2], v[3]}, nil
	case p.is("POINT"):
		p.next()
		if _, err := p.expect(tLParen, `"(" after POINT`); err != nil {
			return nil, err
		}
		xy, err := p.coord()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen, `")" after the point's coordinates`); err != nil {
			return nil, err
		}
		return Point{xy[0], xy[1]}, nil
	case p.is("POLYGON"):
		p.next()
		return p.polygon()
	case t.kind == tQuoted || (t.kind == tIdent && !isKeyword(t.text)):
		p.next()
		return Property{t.text}, nil
	}
	p.next()
	return nil, p.errorf(t, "expected a geometry property or BBOX, POINT or POLYGON")
}

func (p *parser) number() (float64, error) {
	t, err := p.expect(tNumber, "a number")
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(t.text, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, &SyntaxError{t.pos, fmt.Sprintf("the number %s is out of range", t.text)}
	}
	if f == 0 {
		f = 0
	}
	return f, nil
}

func (p *parser) numbers(n int) ([]float64, error) {
	out := make([]float64, n)
	for i := range out {
		if i > 0 {
			if _, err := p.expect(tComma, `","`); err != nil {
				return nil, err
			}
		}
		f, err := p.number()
		if err != nil {
			return nil, err
		}
		out[i] = f
	}
	return out, nil
}

func (p *parser) coord() ([2]float64, error) {
	x, err := p.number()
	if err != nil {
		return [2]float64{}, err
	}
	y, err := p.number()
	if err != nil {
		return [2]float64{}, err
	}
	return [2]float64{x, y}, nil
}

func (p *parser) polygon() (Expr, error) {
	if _, err := p.expect(tLParen, `"(" after POLYGON`); err != nil {
		return nil, err
	}
	var rings [][][2]float64
	for {
		open, err := p.expect(tLParen, `"(" to open a ring`)
		if err != nil {
			return nil, err
		}
		var ring [][2]float64
		for {
			c, err := p.coord()
			if err != nil {
				return nil, err
			}
			ring = append(ring, c)
			if p.peek().kind != tComma {
				break
			}
			p.next()
		}
		if _, err := p.expect(tRParen, `"," or ")" in the ring`); err != nil {
			return nil, err
		}
		if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
			return nil, &SyntaxError{open.pos, "a polygon ring needs at least four points, the last the same as the first"}
		}
		rings = append(rings, ring)
		if p.peek().kind != tComma {
			break
		}
		p.next()
	}
	if _, err := p.expect(tRParen, `")" to close the POLYGON`); err != nil {
		return nil, err
	}
	return Polygon{rings}, nil
}
