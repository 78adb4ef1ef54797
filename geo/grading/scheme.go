// Package grading turns a risk object's assessment inputs into a
// four-colour grade: grading schemes (LEC, the 5×5 risk matrix, MES, the
// hazardous-chemicals 100-point diagnostic, the GB 18218 major-hazard R
// value, bridge technical-condition classes, black-spot classes) and
// override rules (一票否决) are data, read from JSON and validated here;
// Evaluate is a pure function of them. See ../shared/docs/domain.md §1.
package grading

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"riskmap/geo"
)

// ErrDefinition wraps every error in a scheme or rule definition; the
// message names the field.
var ErrDefinition = errors.New("invalid grading definition")

// FieldError is a fault of one scheme or rule definition: which field
// (a path inside the definition, "bands[1].lt"; "" for the JSON as a
// whole) and why. It wraps ErrDefinition.
type FieldError struct {
	Kind   string `json:"kind"` // scheme or rule
	Code   string `json:"code"` // the scheme's code or the rule's key, as given
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error implements error.
func (e *FieldError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%v: %s %q: %s", ErrDefinition, e.Kind, e.Code, e.Reason)
	}
	return fmt.Sprintf("%v: %s %q: %s: %s", ErrDefinition, e.Kind, e.Code, e.Field, e.Reason)
}

// Unwrap makes a FieldError match ErrDefinition.
func (e *FieldError) Unwrap() error { return ErrDefinition }

// The methods a scheme can use.
const (
	// Product multiplies its factors (LEC: D = L×E×C; LS; MES) and bands
	// the product.
	Product = "product"
	// Score bands one number given as input (the 100-point diagnostic,
	// a bridge's Dr).
	Score = "score"
	// Class maps a class given as input (bridge 1–5类, black spot 一/二/三类)
	// to a grade.
	Class = "class"
	// MajorHazard computes GB 18218's R = α·Σ βᵢ·qᵢ/Qᵢ, or takes R as
	// given, and bands it into levels 一级…四级.
	MajorHazard = "major_hazard"
	// Stated takes the grade the source gives (an import's 风险等级 column).
	Stated = "stated"
)

// Scheme is one version of a grading scheme.
type Scheme struct {
	Code     string       `json:"code"`
	Version  int          `json:"version"`
	Category geo.Category `json:"category"`
	Name     string       `json:"name_zh"`
	Source   string       `json:"source"`
	Method   string       `json:"method"`
	// Priority orders the schemes of a category: an object is graded by
	// the enabled scheme of lowest priority whose inputs it has.
	Priority int  `json:"priority"`
	Enabled  bool `json:"enabled"`
	// Factors name the inputs a product multiplies; Options, when given,
	// list each factor's allowed values (the factor tables).
	Factors []string             `json:"factors,omitempty"`
	Options map[string][]float64 `json:"options,omitempty"`
	// Input names the input a score or class scheme reads.
	Input string `json:"input,omitempty"`
	// Map maps a class to a grade (class schemes). Pending lists the
	// values that mean "not classified yet": the object stays unassessed
	// by this scheme.
	Map     map[string]geo.Grade `json:"map,omitempty"`
	Pending []string             `json:"pending,omitempty"`
	// Bands grade the score; Levels, when given, name its native level
	// (一级, 高度危险, 3类 …).
	Bands  []Band `json:"bands,omitempty"`
	Levels []Band `json:"levels,omitempty"`
}

// Band is a score interval with its grade or native level. Each bound is
// given as exactly one of gt/ge (lower) and lt/le (upper), so inclusivity
// is explicit; a missing side is unbounded.
type Band struct {
	GT    *float64  `json:"gt,omitempty"`
	GE    *float64  `json:"ge,omitempty"`
	LT    *float64  `json:"lt,omitempty"`
	LE    *float64  `json:"le,omitempty"`
	Grade geo.Grade `json:"grade,omitempty"`
	Level string    `json:"level,omitempty"`
}

// Contains reports whether x lies in the band.
func (b Band) Contains(x float64) bool {
	switch {
	case b.GT != nil && !(x > *b.GT), b.GE != nil && !(x >= *b.GE),
		b.LT != nil && !(x < *b.LT), b.LE != nil && !(x <= *b.LE):
		return false
	}
	return true
}

// String writes the band as an interval, e.g. (160, 320].
func (b Band) String() string {
	lo, hi := "(-∞", "+∞)"
	if b.GT != nil {
		lo = "(" + fmtNum(*b.GT)
	} else if b.GE != nil {
		lo = "[" + fmtNum(*b.GE)
	}
	if b.LT != nil {
		hi = fmtNum(*b.LT) + ")"
	} else if b.LE != nil {
		hi = fmtNum(*b.LE) + "]"
	}
	return lo + ", " + hi
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func (b Band) lower() (float64, bool) {
	switch {
	case b.GT != nil:
		return *b.GT, false
	case b.GE != nil:
		return *b.GE, true
	}
	return math.Inf(-1), false
}

func (b Band) upper() (float64, bool) {
	switch {
	case b.LT != nil:
		return *b.LT, false
	case b.LE != nil:
		return *b.LE, true
	}
	return math.Inf(1), false
}

// ParseScheme reads and validates a scheme definition.
func ParseScheme(data []byte) (Scheme, error) {
	var s Scheme
	if err := decodeStrict(data, &s); err != nil {
		var named struct{ Code string }
		json.Unmarshal(data, &named) // the code, if it can be read, names the scheme at fault
		return s, &FieldError{Kind: "scheme", Code: named.Code, Reason: err.Error()}
	}
	return s, s.Validate()
}

// decodeStrict reads JSON into v, refusing unknown fields; its error
// is the decoder's, for a FieldError's reason.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Validate checks the definition; the error names the field at fault.
func (s *Scheme) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &FieldError{Kind: "scheme", Code: s.Code, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	if s.Code == "" || strings.ContainsAny(s.Code, " \t\n") {
		return bad("code", "want a name without spaces")
	}
	if s.Version < 1 {
		return bad("version", "want 1 or more, got %d", s.Version)
	}
	if _, err := geo.ParseCategory(string(s.Category)); err != nil {
		return bad("category", "unknown category %q", s.Category)
	}
	if s.Name == "" {
		return bad("name_zh", "empty")
	}
	switch s.Method {
	case Product:
		if len(s.Factors) < 2 {
			return bad("factors", "a product needs two factors or more")
		}
		for _, f := range s.Factors {
			if f == "" {
				return bad("factors", "empty factor name")
			}
			for _, v := range s.Options[f] {
				if !(v > 0) || math.IsInf(v, 0) {
					return bad("options."+f, "factor values must be positive numbers, got %v", v)
				}
			}
		}
		for f := range s.Options {
			if !slices.Contains(s.Factors, f) {
				return bad("options."+f, "not one of the factors %v", s.Factors)
			}
		}
	case Score, MajorHazard:
		if s.Input == "" {
			return bad("input", "name the input to band")
		}
	case Class:
		if s.Input == "" {
			return bad("input", "name the class input")
		}
		if len(s.Map) == 0 {
			return bad("map", "empty: map each class to a grade")
		}
		for k, g := range s.Map {
			if !g.Assessed() {
				return bad("map."+k, "want red, orange, yellow or blue")
			}
		}
	case Stated:
	default:
		return bad("method", "want product, score, class, major_hazard or stated; got %q", s.Method)
	}
	if s.Method == Product || s.Method == Score || s.Method == MajorHazard {
		if len(s.Bands) == 0 && !(s.Method == MajorHazard && len(s.Levels) > 0 && len(s.Map) > 0) {
			return bad("bands", "empty: give the grade bands")
		}
	}
	if err := checkBands(s.Bands, true, func(f, m string) error { return bad(f, "%s", m) }, "bands"); err != nil {
		return err
	}
	if err := checkBands(s.Levels, false, func(f, m string) error { return bad(f, "%s", m) }, "levels"); err != nil {
		return err
	}
	for k, g := range s.Map {
		if !g.Assessed() {
			return bad("map."+k, "want red, orange, yellow or blue")
		}
	}
	if s.Method == MajorHazard && len(s.Bands) == 0 {
		for _, b := range s.Levels {
			if _, ok := s.Map[b.Level]; !ok {
				return bad("map", "level %q has no grade", b.Level)
			}
		}
	}
	return nil
}

// checkBands checks each band's bounds, that no two bands overlap, and
// that together they leave no gap between the lowest and the highest.
func checkBands(bands []Band, graded bool, bad func(field, msg string) error, name string) error {
	type iv struct {
		i        int
		lo, hi   float64
		loI, hiI bool
	}
	var ivs []iv
	for i, b := range bands {
		f := fmt.Sprintf("%s[%d]", name, i)
		if b.GT != nil && b.GE != nil {
			return bad(f, "give gt or ge, not both")
		}
		if b.LT != nil && b.LE != nil {
			return bad(f, "give lt or le, not both")
		}
		for _, p := range []*float64{b.GT, b.GE, b.LT, b.LE} {
			if p != nil && (math.IsNaN(*p) || math.IsInf(*p, 0)) {
				return bad(f, "bounds must be finite numbers")
			}
		}
		if graded && !b.Grade.Assessed() {
			return bad(f+".grade", "want red, orange, yellow or blue")
		}
		if !graded && b.Level == "" {
			return bad(f+".level", "empty")
		}
		lo, loI := b.lower()
		hi, hiI := b.upper()
		if lo > hi || (lo == hi && !(loI && hiI)) {
			return bad(f, "empty interval "+b.String())
		}
		ivs = append(ivs, iv{i, lo, hi, loI, hiI})
	}
	slices.SortFunc(ivs, func(a, b iv) int {
		switch {
		case a.lo < b.lo || (a.lo == b.lo && a.loI && !b.loI):
			return -1
		case a.lo > b.lo || (a.lo == b.lo && !a.loI && b.loI):
			return 1
		}
		return 0
	})
	for k := 1; k < len(ivs); k++ {
		p, c := ivs[k-1], ivs[k]
		f := fmt.Sprintf("%s[%d]", name, c.i)
		switch {
		case c.lo < p.hi || (c.lo == p.hi && c.loI && p.hiI):
			return bad(f, fmt.Sprintf("overlaps %s[%d]", name, p.i))
		case c.lo > p.hi || (c.lo == p.hi && !c.loI && !p.hiI):
			return bad(f, fmt.Sprintf("leaves a gap after %s[%d]: say which band holds %s", name, p.i, fmtNum(p.hi)))
		}
	}
	return nil
}

// band finds the band holding x.
func band(bands []Band, x float64) (Band, bool) {
	for _, b := range bands {
		if b.Contains(x) {
			return b, true
		}
	}
	return Band{}, false
}
