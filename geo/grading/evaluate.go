package grading

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"riskmap/geo"
)

// Rule is an override (一票否决) or upgrade: when its condition holds, its
// action moves the grade. Rules run after the scheme, in ascending
// priority, each on the result of the ones before.
type Rule struct {
	Key      string       `json:"key"`                // R6 …
	Priority int          `json:"priority"`           // lower runs first
	Enabled  bool         `json:"enabled"`            // switched per deployment
	Category geo.Category `json:"category,omitempty"` // "" = every category
	When     Condition    `json:"when"`
	// Action is set_grade, min_grade, max_grade, raise or lower; Grade
	// is the target of the first three, Steps (1–3) the size of the
	// others.
	Action   string    `json:"action"`
	Grade    geo.Grade `json:"grade,omitempty"`
	Steps    int       `json:"steps,omitempty"`
	ReasonZH string    `json:"reason_zh"`
	Reason   string    `json:"reason"`
	Source   string    `json:"source"`
}

// Condition compares one variable of the evaluation's context with a
// value: open_major_hidden_hazards > 0, mhs_level <= 2 …. A variable the
// context lacks makes the condition false.
type Condition struct {
	Var   string  `json:"var"`
	Op    string  `json:"op"` // >, >=, <, <=, ==, !=
	Value float64 `json:"value"`
}

// Holds evaluates the condition on ctx.
func (c Condition) Holds(ctx map[string]float64) bool {
	v, ok := ctx[c.Var]
	if !ok {
		return false
	}
	switch c.Op {
	case ">":
		return v > c.Value
	case ">=":
		return v >= c.Value
	case "<":
		return v < c.Value
	case "<=":
		return v <= c.Value
	case "==":
		return v == c.Value
	case "!=":
		return v != c.Value
	}
	return false
}

// ParseRule reads and validates a rule definition.
func ParseRule(data []byte) (Rule, error) {
	var r Rule
	if err := decodeStrict(data, &r); err != nil {
		var named struct{ Key string }
		json.Unmarshal(data, &named) // the key, if it can be read, names the rule at fault
		return r, &FieldError{Kind: "rule", Code: named.Key, Reason: err.Error()}
	}
	return r, r.Validate()
}

// Validate checks the rule; the error names the field at fault.
func (r *Rule) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &FieldError{Kind: "rule", Code: r.Key, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	if r.Key == "" {
		return bad("key", "empty")
	}
	if r.Category != "" {
		if _, err := geo.ParseCategory(string(r.Category)); err != nil {
			return bad("category", "unknown category %q", r.Category)
		}
	}
	if r.When.Var == "" {
		return bad("when.var", "empty")
	}
	if !slices.Contains([]string{">", ">=", "<", "<=", "==", "!="}, r.When.Op) {
		return bad("when.op", "want >, >=, <, <=, == or !=; got %q", r.When.Op)
	}
	switch r.Action {
	case "set_grade", "min_grade", "max_grade":
		if !r.Grade.Assessed() {
			return bad("grade", "%s needs red, orange, yellow or blue", r.Action)
		}
	case "raise", "lower":
		if r.Steps < 1 || r.Steps > 3 {
			return bad("steps", "want 1 to 3, got %d", r.Steps)
		}
	default:
		return bad("action", "want set_grade, min_grade, max_grade, raise or lower; got %q", r.Action)
	}
	if r.ReasonZH == "" {
		return bad("reason_zh", "empty: the map shows it to explain the grade")
	}
	return nil
}

// apply moves g by the rule's action. Raising an unassessed object does
// nothing: a rule never invents a grade from nothing, except set_grade and
// min_grade, which state one.
func (r Rule) apply(g geo.Grade) geo.Grade {
	switch r.Action {
	case "set_grade":
		return r.Grade
	case "min_grade":
		return max(g, r.Grade)
	case "max_grade":
		if g.Assessed() {
			return min(g, r.Grade)
		}
	case "raise":
		if g.Assessed() {
			return min(g+geo.Grade(r.Steps), geo.Red)
		}
	case "lower":
		if g.Assessed() {
			if int(g)-r.Steps < int(geo.Blue) { // Grade is unsigned
				return geo.Blue
			}
			return g - geo.Grade(r.Steps)
		}
	}
	return g
}

// Input is what an object is graded from: its assessment inputs (factor
// values, scores, classes, a stated grade under "grade") and its context
// (counts of linked hidden hazards and the like, for the rules).
type Input struct {
	Category geo.Category
	Values   map[string]any
	// Stated, when set, is the grade as stated, read before Values'
	// "grade".
	Stated  string
	Context map[string]float64
}

// Applied is a rule that changed the grade.
type Applied struct {
	Rule     string    `json:"rule"`
	From     geo.Grade `json:"from"`
	To       geo.Grade `json:"to"`
	ReasonZH string    `json:"reason_zh"`
	Reason   string    `json:"reason,omitempty"`
}

// Result is an evaluation: which scheme graded the object, from what,
// and what the rules did.
type Result struct {
	Scheme  string             `json:"scheme,omitempty"` // "" when no scheme applied
	Version int                `json:"version,omitempty"`
	Method  string             `json:"method,omitempty"`
	Inputs  map[string]any     `json:"inputs"` // the values the scheme used
	Context map[string]float64 `json:"context,omitempty"`
	Score   *float64           `json:"score,omitempty"`
	Level   string             `json:"level,omitempty"` // native level (一级, 4类 …)
	Scored  geo.Grade          `json:"scored"`          // from the scheme alone
	Applied []Applied          `json:"applied"`
	Final   geo.Grade          `json:"final"`
	// Previous is the assessment Apply graded from (decoded from the
	// object's), nil when it had none; not part of the record.
	Previous *Result `json:"-"`
}

// Same reports whether r says what other says: scheme and version, the
// inputs and context, score, native level, the rules that applied and the
// grades (not the rules' reasons, which are prose).
func (r Result) Same(other Result) bool {
	return r.Scheme == other.Scheme && r.Version == other.Version && r.Method == other.Method &&
		r.Level == other.Level && r.Scored == other.Scored && r.Final == other.Final &&
		(r.Score == nil) == (other.Score == nil) && (r.Score == nil || *r.Score == *other.Score) &&
		maps.Equal(r.Context, other.Context) && sameValues(r.Inputs, other.Inputs) &&
		slices.EqualFunc(r.Applied, other.Applied, func(a, b Applied) bool { return a.Rule == b.Rule && a.From == b.From && a.To == b.To })
}

// sameValues compares inputs as JSON keeps them (numbers as float64).
func sameValues(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range b {
		w, ok := a[k]
		if !ok {
			return false
		}
		if x, ok := v.(int); ok {
			v = float64(x)
		}
		if !reflect.DeepEqual(w, v) {
			return false
		}
	}
	return true
}

// Problem is an input a scheme could not use; the object stays
// ungraded by that scheme.
type Problem struct {
	Scheme, Input, Value, Reason string
}

func (p *Problem) Error() string {
	return fmt.Sprintf("%s: input %s = %q: %s", p.Scheme, p.Input, p.Value, p.Reason)
}

// Evaluate grades in by the first enabled scheme of its category (in
// priority order) whose inputs it has, then runs the enabled rules. An
// object with no usable input stays unassessed, unless a rule sets a
// grade. Schemes and rules must be valid (see Validate).
func Evaluate(schemes []Scheme, rules []Rule, in Input) (Result, error) {
	return evaluate(ordered(schemes, in.Category), sortedRules(rules), in)
}

// sortedRules returns the enabled rules in priority order.
func sortedRules(rules []Rule) []Rule {
	var rs []Rule
	for _, r := range rules {
		if r.Enabled {
			rs = append(rs, r)
		}
	}
	slices.SortStableFunc(rs, func(a, b Rule) int { return a.Priority - b.Priority })
	return rs
}

// evaluate grades in by schemes (of its category, in order) and rules
// (enabled, in order).
func evaluate(schemes []Scheme, rules []Rule, in Input) (Result, error) {
	res := Result{Inputs: map[string]any{}, Applied: []Applied{}, Context: in.Context}
	for _, s := range schemes {
		ok, err := s.grade(in, &res)
		if err != nil {
			return res, err
		}
		if ok {
			res.Scheme, res.Version, res.Method = s.Code, s.Version, s.Method
			break
		}
	}
	g := res.Scored
	for _, r := range rules {
		if (r.Category != "" && r.Category != in.Category) || !r.When.Holds(in.Context) {
			continue
		}
		if to := r.apply(g); to != g {
			res.Applied = append(res.Applied, Applied{Rule: r.Key, From: g, To: to, ReasonZH: r.ReasonZH, Reason: r.Reason})
			g = to
		}
	}
	res.Final = g
	return res, nil
}

// ordered returns the enabled schemes of category c by priority.
func ordered(schemes []Scheme, c geo.Category) []Scheme {
	var out []Scheme
	for _, s := range schemes {
		if s.Enabled && s.Category == c {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b Scheme) int { return a.Priority - b.Priority })
	return out
}

// grade applies the scheme if the input's values hold its inputs.
func (s Scheme) grade(in Input, res *Result) (bool, error) {
	values := in.Values
	num := func(name string) (float64, bool, error) {
		v, ok := values[name]
		if !ok || v == nil || v == "" {
			return 0, false, nil
		}
		x, err := toFloat(v)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, false, &Problem{s.Code, name, fmt.Sprint(v), "not a number"}
		}
		return x, true, nil
	}
	var x float64
	switch s.Method {
	case Stated:
		var v any = in.Stated
		ok := in.Stated != ""
		if !ok {
			v, ok = values["grade"]
		}
		if !ok {
			return false, nil
		}
		g, err := geo.ParseGrade(fmt.Sprint(v))
		if err != nil || !g.Assessed() {
			return false, nil
		}
		res.Inputs["grade"] = g.String()
		res.Scored = g
		return true, nil
	case Class:
		v, ok := values[s.Input]
		if !ok || v == nil || v == "" {
			return false, nil
		}
		k := classKey(v)
		if slices.Contains(s.Pending, k) {
			return false, nil
		}
		g, ok := s.Map[k]
		if !ok {
			return false, &Problem{s.Code, s.Input, fmt.Sprint(v), "not one of the scheme's classes"}
		}
		res.Inputs[s.Input] = v
		res.Level = k
		res.Scored = g
		return true, nil
	case Product:
		x = 1
		for _, f := range s.Factors {
			v, ok, err := num(f)
			if err != nil {
				return false, err
			}
			if !ok {
				return false, nil
			}
			if opts := s.Options[f]; len(opts) > 0 && !slices.Contains(opts, v) {
				return false, &Problem{s.Code, f, fmtNum(v), fmt.Sprintf("not a value of the %s table %v", f, opts)}
			}
			x *= v
		}
		for _, f := range s.Factors {
			res.Inputs[f] = values[f]
		}
	case Score:
		v, ok, err := num(s.Input)
		if err != nil || !ok {
			return false, err
		}
		x = v
		res.Inputs[s.Input] = values[s.Input]
	case MajorHazard:
		v, ok, err := majorHazardR(values, s.Code, s.Input)
		if err != nil || !ok {
			return false, err
		}
		x = v
		for _, k := range []string{s.Input, "mhs_units", "mhs_pop_500m"} {
			if v, ok := values[k]; ok {
				res.Inputs[k] = v
			}
		}
	}
	res.Score = &x
	if b, ok := band(s.Levels, x); ok {
		res.Level = b.Level
	}
	if b, ok := band(s.Bands, x); ok {
		res.Scored = b.Grade
	} else if g, ok := s.Map[res.Level]; ok {
		res.Scored = g
	} else {
		return false, &Problem{s.Code, strings.Join(append(slices.Clone(s.Factors), s.Input), ","), fmtNum(x), "the score falls in no band of the scheme"}
	}
	return true, nil
}

// classKey normalises a class: 4, "4", "4类", "IV", "四类" → "4";
// 一类/二类 likewise; anything else is kept as written (trimmed).
func classKey(v any) string {
	s := strings.TrimSpace(fmt.Sprint(v))
	if f, ok := v.(float64); ok && f == math.Trunc(f) {
		s = strconv.Itoa(int(f))
	}
	s = strings.TrimSuffix(strings.TrimSuffix(s, "桥"), "类")
	s = strings.TrimSuffix(s, "级")
	if k, ok := map[string]string{"一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
		"I": "1", "II": "2", "III": "3", "IV": "4", "V": "5", "Ⅰ": "1", "Ⅱ": "2", "Ⅲ": "3", "Ⅳ": "4", "Ⅴ": "5"}[strings.ToUpper(s)]; ok {
		return k
	}
	return s
}

// majorHazardR reads GB 18218's R: given as input, or computed from the
// units [{"q":t,"Q":t,"beta":β}] and the population within 500 m.
func majorHazardR(values map[string]any, code, input string) (float64, bool, error) {
	if v, ok := values[input]; ok && v != nil && v != "" {
		x, err := toFloat(v)
		if err != nil || !(x >= 0) || math.IsInf(x, 0) {
			return 0, false, &Problem{code, input, fmt.Sprint(v), "not a non-negative number"}
		}
		return x, true, nil
	}
	units, ok := values["mhs_units"].([]any)
	if !ok {
		return 0, false, nil
	}
	pop, err := toFloat(values["mhs_pop_500m"])
	if err != nil || pop < 0 {
		return 0, false, &Problem{code, "mhs_pop_500m", fmt.Sprint(values["mhs_pop_500m"]), "the population within 500 m is needed for α"}
	}
	alpha := 0.5
	switch {
	case pop >= 100:
		alpha = 2
	case pop >= 50:
		alpha = 1.5
	case pop >= 30:
		alpha = 1.2
	case pop >= 1:
		alpha = 1
	}
	sum := 0.0
	for i, u := range units {
		m, ok := u.(map[string]any)
		q, e1 := toFloat(m["q"])
		qt, e2 := toFloat(m["Q"])
		beta, e3 := toFloat(m["beta"])
		if !ok || e1 != nil || e2 != nil || e3 != nil || !(qt > 0) || q < 0 || !(beta > 0) {
			return 0, false, &Problem{code, fmt.Sprintf("mhs_units[%d]", i), fmt.Sprint(u), `want {"q": tonnes, "Q": threshold tonnes > 0, "beta": β > 0}`}
		}
		sum += beta * q / qt
	}
	return alpha * sum, true, nil
}

func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case json.Number:
		return x.Float64()
	case string:
		return strconv.ParseFloat(strings.TrimSpace(x), 64)
	}
	return 0, errNotNumber
}

var errNotNumber = errors.New("not a number")
