package grading

import (
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"time"

	"riskmap/geo"
)

// Hazards are an object's open hidden hazards: the context the rules
// R6 and R7 read.
type Hazards struct{ OpenMajor, Overdue, Open int64 }

// ContextVars are attributes that rules read as context.
var ContextVars = []string{"mhs_level", "hazchem_direct_red"}

// Apply grades o under the set and writes the result into it: Grade,
// Score, Method, AssessedAt and Assessment. The values graded are o's
// attributes, then the inputs of its current assessment (or, when it has
// none, its grade as stated), then extra; the context is h and the
// attributes named by ContextVars.
//
// A stated grade keeps its own method and score; a scheme's grade takes
// the scheme's code as method, and its score. AssessedAt, the date of the
// inputs, is kept when o has one, else set to now (left nil when now is
// the zero time: an import lets the store settle it).
func (s *Set) Apply(o *geo.Object, h Hazards, extra map[string]any, now time.Time) (Result, error) {
	// The values graded: the attributes as they are when nothing is laid
	// over them (an import's rows, a million of them), else a copy.
	values, stated := o.Attributes, ""
	var cur Result
	var previous *Result
	if len(o.Assessment) > 0 || len(extra) > 0 {
		values = maps.Clone(o.Attributes)
		if values == nil {
			values = map[string]any{}
		}
		if len(o.Assessment) > 0 {
			if err := json.Unmarshal(o.Assessment, &cur); err != nil {
				return Result{}, fmt.Errorf("decode the current assessment: %w", err)
			}
			maps.Copy(values, cur.Inputs)
			previous = &cur
		} else if o.Grade.Assessed() {
			values["grade"] = o.Grade.String()
		}
		maps.Copy(values, extra)
	} else if o.Grade.Assessed() {
		stated = o.Grade.String()
	}
	var c map[string]float64 // only what is there: a million assessments carry it
	set := func(k string, x float64) {
		if c == nil {
			c = map[string]float64{}
		}
		c[k] = x
	}
	if h.OpenMajor != 0 {
		set("open_major_hidden_hazards", float64(h.OpenMajor))
	}
	if h.Overdue != 0 {
		set("overdue_hidden_hazards", float64(h.Overdue))
	}
	if h.Open != 0 {
		set("open_hidden_hazards", float64(h.Open))
	}
	for _, k := range ContextVars {
		if v, ok := values[k]; ok {
			if x, err := toFloat(v); err == nil {
				set(k, x)
			}
		}
	}
	res, err := s.Evaluate(Input{Category: o.Category, Values: values, Stated: stated, Context: c})
	if len(extra) > 0 {
		// New inputs are graded by the scheme they are for, not by one
		// that other, older inputs of the object would choose first.
		if own, ownErr := s.Evaluate(Input{Category: o.Category, Values: extra, Context: c}); ownErr == nil && own.Scheme != "" {
			res, err = own, nil
		}
		o.AssessedAt = &now
	}
	if err != nil {
		return res, err
	}
	res.Previous = previous
	if res.Scheme == "" && len(cur.Inputs) > 0 {
		// No scheme in force reads them now (one was switched off, say):
		// keep them, so that the next regrade can use them again.
		res.Inputs = cur.Inputs
	}
	if o.AssessedAt == nil && !now.IsZero() {
		o.AssessedAt = &now
	}
	switch {
	case !res.Final.Assessed():
		o.Score, o.Method, o.AssessedAt = nil, "", nil
	case res.Method == Stated:
		if o.Method == "" || !o.Grade.Assessed() {
			o.Method = "stated"
		}
	case res.Scheme == "":
		o.Score, o.Method = nil, "rules"
	default:
		o.Score, o.Method = res.Score, res.Scheme
	}
	o.Grade = res.Final
	o.Assessment, o.Scheme, o.SchemeVersion = nil, res.Scheme, res.Version
	if res.Scheme != "" || len(res.Applied) > 0 {
		if o.Assessment, err = s.encode(res); err != nil {
			return res, fmt.Errorf("encode the assessment: %w", err)
		}
	}
	return res, nil
}

// encode marshals res, reusing the encoding of a plain stated grade once
// Prepare has run (an import of a million stated grades has eight).
func (s *Set) encode(res Result) ([]byte, error) {
	if s.stated == nil || res.Method != Stated || len(res.Applied) > 0 || len(res.Context) > 0 || len(res.Inputs) != 1 {
		return json.Marshal(res)
	}
	g, _ := res.Inputs["grade"].(string)
	key := res.Scheme + "@" + strconv.Itoa(res.Version) + "/" + g
	if b, ok := s.stated[key]; ok {
		return b, nil
	}
	b, err := json.Marshal(res)
	if err == nil {
		s.stated[key] = b
	}
	return b, err
}
