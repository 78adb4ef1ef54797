package crs

import (
	"errors"
	"math"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Axis says which coordinate a hemisphere written with a value names.
type Axis uint8

// The axes ParseDegrees reports.
const (
	// AxisUnknown means no hemisphere was written.
	AxisUnknown Axis = iota
	// AxisLat means N/S (北纬/南纬) was written: the value is a latitude.
	AxisLat
	// AxisLon means E/W (东经/西经) was written: the value is a longitude.
	AxisLon
)

// String returns "unknown", "latitude" or "longitude".
func (a Axis) String() string {
	switch a {
	case AxisLat:
		return "latitude"
	case AxisLon:
		return "longitude"
	}
	return "unknown"
}

// ErrBadDegrees is wrapped by every error ParseDegrees returns.
var ErrBadDegrees = errors.New("bad degrees")

// DegreesError is the error ParseDegrees returns. It wraps ErrBadDegrees.
type DegreesError struct {
	Input  string // the input, shortened to 40 characters
	Reason string // a short English reason, e.g. "minutes must be below 60"
}

// Error implements error.
func (e *DegreesError) Error() string {
	return "bad degrees " + strconv.Quote(e.Input) + ": " + e.Reason
}

// Unwrap returns ErrBadDegrees.
func (e *DegreesError) Unwrap() error { return ErrBadDegrees }

// maxDegreesLen is the longest input ParseDegrees reads, in bytes.
const maxDegreesLen = 100

// ParseDegrees reads a longitude or latitude written as decimal degrees
// ("119.92", "-33.5", "+28.4", "119.92E", "119.92°") or as
// degrees-minutes-seconds in the forms people type:
//
//	119°55′12″E   119°55'12"E   119°55'12.5"   119°55′12″   119 55 12 E
//	E119°55′12″   119度55分12秒   北纬28°27′   28°27.5′N   119:55:12
//
// Degree marks are °, º, ˚ and 度; minute marks ′, ', ’, ‘, ´ and 分;
// second marks ″, ", ”, “, 秒 and two primes (two ASCII apostrophes, or
// ′′). Without marks the numbers are degrees, minutes and seconds in order,
// separated by spaces or colons; a number after a mark is the next smaller
// unit. Only the last number may have a fraction. Full-width digits, letters and punctuation
// (０-９, Ｎ, ．, ＇, －) and ideographic spaces, common in Chinese
// spreadsheets, are read as their ASCII forms.
//
// A hemisphere, N/S/E/W in either case or 北纬/南纬/东经/西经 (also 北, 南,
// 东, 西 alone and the traditional 緯/經/東), may come before or after the
// number; S and W make the value negative. When one is written, axis says
// whether it names a latitude (N/S) or a longitude (E/W), so that callers
// can detect swapped columns; otherwise axis is AxisUnknown.
//
// It rejects empty input, NaN, infinities, exponents, minutes or seconds
// of 60 or more, negative minutes, a minus sign together with a hemisphere,
// two hemispheres, decimal commas, latitudes beyond ±90° and values beyond
// ±180°, and anything else. Every error is a *DegreesError wrapping
// ErrBadDegrees, with a short English reason. A nil error always comes with
// a finite value in [-180, 180].
func ParseDegrees(s string) (v float64, axis Axis, err error) {
	fail := func(reason string) (float64, Axis, error) {
		return 0, AxisUnknown, &DegreesError{Input: shorten(s), Reason: reason}
	}
	if len(s) > maxDegreesLen {
		return fail("too long")
	}
	if !utf8.ValidString(s) {
		return fail("not valid UTF-8")
	}

	var toks [maxTokens]token
	n, reason := tokenize(s, &toks)
	if reason != "" {
		return fail(reason)
	}
	t := toks[:n]
	if len(t) == 0 {
		return fail("empty")
	}

	// Hemisphere before or after, and a sign at the start.
	var hemi byte
	if t[0].kind == tokHemi {
		hemi = t[0].hemi
		t = t[1:]
	}
	if len(t) > 0 && t[len(t)-1].kind == tokHemi {
		if hemi != 0 {
			return fail("two hemispheres")
		}
		hemi = t[len(t)-1].hemi
		t = t[:len(t)-1]
	}
	neg := false
	if len(t) > 0 && t[0].kind == tokSign {
		neg = t[0].neg
		t = t[1:]
		if neg && hemi != 0 {
			return fail("both a minus sign and a hemisphere")
		}
	}
	if len(t) == 0 {
		return fail("no number")
	}

	// The numbers, each with an optional unit mark: degrees first.
	var parts [3]float64 // degrees, minutes, seconds
	last := unitNone     // unit of the previous number
	lastMarked := false  // whether the previous number had a mark
	count := 0           // numbers seen
	for i := 0; i < len(t); i++ {
		if t[i].kind == tokColon {
			if count == 0 || lastMarked || i+1 >= len(t) || t[i+1].kind != tokNum {
				return fail("misplaced colon")
			}
			continue
		}
		if t[i].kind != tokNum {
			switch t[i].kind {
			case tokSign:
				return fail("misplaced sign")
			case tokHemi:
				return fail("misplaced hemisphere")
			}
			return fail("unit mark without a number")
		}
		num := t[i].text
		unit := last + 1
		lastMarked = false
		if i+1 < len(t) && t[i+1].kind == tokUnit {
			i++
			if t[i].unit <= last {
				return fail("degrees, minutes and seconds out of order")
			}
			unit = t[i].unit
			lastMarked = true
		}
		if unit > unitSec {
			return fail("too many numbers")
		}
		if count == 0 && unit != unitDeg {
			return fail("degrees missing")
		}
		x, ok := parseUnsigned(num)
		if !ok {
			return fail("not a number")
		}
		parts[unit-unitDeg] = x
		last = unit
		count++
		// Only the last number may have a fraction.
		if hasDot(num) && i+1 < len(t) {
			return fail("only the last number may have a decimal point")
		}
	}

	if parts[1] >= 60 {
		return fail("minutes must be below 60")
	}
	if parts[2] >= 60 {
		return fail("seconds must be below 60")
	}
	v = parts[0] + parts[1]/60 + parts[2]/3600
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fail("not a number")
	}

	switch hemi {
	case 'N':
		axis = AxisLat
	case 'S':
		axis, neg = AxisLat, true
	case 'E':
		axis = AxisLon
	case 'W':
		axis, neg = AxisLon, true
	}
	if axis == AxisLat && v > 90 {
		return fail("latitude beyond 90°")
	}
	if v > 180 {
		return fail("beyond 180°")
	}
	if neg {
		v = -v
	}
	return v, axis, nil
}

// tokKind is the kind of a token of ParseDegrees's input.
type tokKind uint8

const (
	tokNum   tokKind = iota + 1 // digits and decimal points, in text
	tokUnit                     // a degree, minute or second mark, in unit
	tokHemi                     // a hemisphere, in hemi
	tokSign                     // + or -, in neg
	tokColon                    // a colon between numbers
)

// Units of the numbers.
const (
	unitNone = iota
	unitDeg
	unitMin
	unitSec
)

// maxTokens bounds the tokens of one input: a hemisphere, a sign, three
// numbers with marks, two colons and a hemisphere need at most 11.
const maxTokens = 12

type token struct {
	kind tokKind
	text string // tokNum
	unit int    // tokUnit
	hemi byte   // tokHemi: 'N', 'S', 'E' or 'W'
	neg  bool   // tokSign
}

// tokenize splits s into tokens, normalising full-width forms. It returns
// the number of tokens, or a reason when s cannot be read.
func tokenize(s string, toks *[maxTokens]token) (int, string) {
	n := 0
	emit := func(t token) bool {
		if n == maxTokens {
			return false
		}
		toks[n] = t
		n++
		return true
	}
	// next returns the normalised rune at byte offset i and its width.
	next := func(i int) (rune, int) {
		r, w := utf8.DecodeRuneInString(s[i:])
		return normalizeRune(r), w
	}
	for i := 0; i < len(s); {
		r, w := next(i)
		var t token
		switch {
		case unicode.IsSpace(r):
			i += w
			continue
		case r >= '0' && r <= '9' || r == '.':
			// A run of digits and points. Full-width forms are normalised
			// into a small buffer only when present.
			j := i
			ascii := true
			for j < len(s) {
				r2, w2 := next(j)
				if !(r2 >= '0' && r2 <= '9' || r2 == '.') {
					break
				}
				if w2 != 1 {
					ascii = false
				}
				j += w2
			}
			text := s[i:j]
			if !ascii {
				buf := make([]byte, 0, j-i)
				for k := i; k < j; {
					r2, w2 := next(k)
					buf = append(buf, byte(r2))
					k += w2
				}
				text = string(buf)
			}
			t = token{kind: tokNum, text: text}
			w = j - i
		case r == '+' || r == '-':
			t = token{kind: tokSign, neg: r == '-'}
		case r == ':':
			t = token{kind: tokColon}
		case r == ',':
			return 0, "comma: write one value with a decimal point"
		case r == '°' || r == 'º' || r == '˚' || r == '度':
			t = token{kind: tokUnit, unit: unitDeg}
		case r == '分':
			t = token{kind: tokUnit, unit: unitMin}
		case isPrime(r):
			t = token{kind: tokUnit, unit: unitMin}
			// Two primes ('' or ′′) are a second mark.
			if i+w < len(s) {
				if r2, w2 := next(i + w); isPrime(r2) {
					t.unit = unitSec
					w += w2
				}
			}
		case r == '"' || r == '″' || r == '”' || r == '“' || r == '秒':
			t = token{kind: tokUnit, unit: unitSec}
		case r == 'N' || r == 'n':
			t = token{kind: tokHemi, hemi: 'N'}
		case r == 'S' || r == 's':
			t = token{kind: tokHemi, hemi: 'S'}
		case r == 'E' || r == 'e':
			t = token{kind: tokHemi, hemi: 'E'}
		case r == 'W' || r == 'w':
			t = token{kind: tokHemi, hemi: 'W'}
		case r == '北' || r == '南' || r == '东' || r == '東' || r == '西':
			h, lat := byte('N'), true
			switch r {
			case '南':
				h = 'S'
			case '东', '東':
				h, lat = 'E', false
			case '西':
				h, lat = 'W', false
			}
			t = token{kind: tokHemi, hemi: h}
			// An optional 纬/緯 (latitude) or 经/經 (longitude) after it.
			if i+w < len(s) {
				r2, w2 := next(i + w)
				switch {
				case r2 == '纬' || r2 == '緯':
					if !lat {
						return 0, "unexpected " + strconv.QuoteRune(r2)
					}
					w += w2
				case r2 == '经' || r2 == '經':
					if lat {
						return 0, "unexpected " + strconv.QuoteRune(r2)
					}
					w += w2
				}
			}
		default:
			return 0, "unexpected " + strconv.QuoteRune(r)
		}
		if !emit(t) {
			return 0, "too many parts"
		}
		i += w
	}
	return n, ""
}

// isPrime reports whether r is one of the prime-like minute marks.
func isPrime(r rune) bool {
	switch r {
	case '\'', '′', '’', '‘', '´':
		return true
	}
	return false
}

// normalizeRune maps full-width ASCII forms (U+FF01–U+FF5E) to ASCII, the
// ideographic space to a space and the minus sign U+2212 to '-'.
func normalizeRune(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == '\u3000':
		return ' '
	case r == '−':
		return '-'
	}
	return r
}

// parseUnsigned reads digits with at most one decimal point and at least
// one digit.
func parseUnsigned(s string) (float64, bool) {
	digits, dots := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] >= '0' && s[i] <= '9':
			digits++
		case s[i] == '.':
			dots++
		default:
			return 0, false
		}
	}
	if digits == 0 || dots > 1 {
		return 0, false
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return x, true
}

// hasDot reports whether s contains a decimal point.
func hasDot(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return true
		}
	}
	return false
}
