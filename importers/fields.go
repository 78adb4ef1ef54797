package importers

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/width"

	"riskmap/geo"
	"riskmap/geo/crs"
)

// The core fields every risk object has (geo.ObjectColumns). Anything
// else a file holds goes into the object's attributes.
const (
	FieldID         = "source_id" // a mapping may also call it "id"
	FieldName       = "name"
	FieldLon        = "lon"
	FieldLat        = "lat"
	FieldCounty     = "county"
	FieldGrade      = "grade"
	FieldScore      = "score"
	FieldMethod     = "method"
	FieldAssessedAt = "assessed_at"
	// For admin areas (category counties, geo.DivisionColumns).
	FieldCode       = "code"
	FieldPopulation = "population"
	FieldLevel      = "level"
	FieldParent     = "parent_code"
)

// kind says how an attribute's text is read.
type kind int

const (
	text    kind = iota
	number       // a number, units and thousands separators allowed
	integer      // a whole number
	class        // 1–5 written as 4, 4类, 四类, IV
	stake        // a road stake: K12+345 → 12.345
)

// kinds reads the catalogue's types; the others are read as text.
var kinds = map[geo.PropertyType]kind{geo.TypeNumber: number, geo.TypeInteger: integer, geo.TypeClass: class, geo.TypeStake: stake}

// field is a target of column mapping: a property of the catalogue.
type field struct {
	key     string
	kind    kind
	aliases []string // header names, compared after normalise
	zh      string   // Chinese name, for messages
	core    bool     // stored in a column of its own, not in the attributes
}

// fieldsOf lists the mapping targets of an import of category, from the
// catalogue (geo.ImportTargets).
func fieldsOf(category string) []field {
	props := geo.ImportTargets(category)
	out := make([]field, len(props))
	for i, p := range props {
		out[i] = field{key: p.Key, kind: kinds[p.Type], aliases: p.Aliases, zh: p.ZH, core: p.SQL != "" || p.Type == geo.TypeCoordinate || category == string(geo.Counties)}
		if len(out[i].aliases) == 0 {
			out[i].aliases = []string{p.Key}
		}
	}
	return out
}

// normalise folds a header for comparison: full-width to half-width,
// lower case, without spaces, underscores, hyphens, colons, and without a
// trailing unit in brackets ("经度（°）" → "经度").
func normalise(s string) string {
	s = width.Narrow.String(strings.TrimSpace(s))
	for _, pair := range [][2]string{{"(", ")"}, {"[", "]"}} {
		if strings.HasSuffix(s, pair[1]) {
			if i := strings.LastIndex(s, pair[0]); i > 0 {
				s = s[:i]
			}
		}
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsSpace(r) || r == '_' || r == '-' || r == ':' || r == '.' || r == '*' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Mapping overrides the header recognition: it names, for headers of the
// file, the field or attribute key they hold, and says how to read what
// is not self-evident. It is read from a JSON file (--mapping), e.g.
//
//	{"columns": {"单位名": "name", "X": "lon", "Y": "lat", "备注": ""},
//	 "crs": "gcj02",
//	 "grade_scale": {"1": "red", "2": "orange", "3": "yellow", "4": "blue"}}
//
// A column mapped to "" is ignored.
type Mapping struct {
	Columns    map[string]string `json:"columns"`
	CRS        string            `json:"crs,omitempty"`
	GradeScale map[string]string `json:"grade_scale,omitempty"`
}

// ReadMapping reads a mapping file; errors name what is wrong.
func ReadMapping(r io.Reader) (*Mapping, error) {
	var m Mapping
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("mapping file: %w (want {\"columns\": {\"header\": \"field\"}, \"crs\": …, \"grade_scale\": {…}})", err)
	}
	for v, g := range m.GradeScale {
		if _, err := geo.ParseGrade(g); err != nil {
			return nil, fmt.Errorf("mapping file: grade_scale %q: %w", v, err)
		}
	}
	return &m, nil
}

// Check checks what ReadMapping does not: a column goes to a property of
// the catalogue, to an attribute key of its own (up to 64 characters, no
// dots or quotes) or to "" (skipped), and the CRS is one riskmap reads.
// Errors name the column.
func (m *Mapping) Check() error {
	if len(m.Columns) > 1000 {
		return fmt.Errorf("%d columns: at most 1,000", len(m.Columns))
	}
	for h, to := range m.Columns {
		if strings.TrimSpace(h) == "" {
			return fmt.Errorf("columns: an empty header")
		}
		if to == "" {
			continue
		}
		if len([]rune(to)) > 64 || strings.ContainsAny(to, ".\"'`\x00") {
			return fmt.Errorf("columns %q: %q is not a property or attribute key", h, to)
		}
	}
	if m.CRS != "" {
		if _, err := crs.Parse(m.CRS); err != nil {
			return fmt.Errorf("crs: %w", err)
		}
	}
	return nil
}

// target is what one column of a file holds.
type target struct {
	field field
	attr  string // attribute key when not a known field ("" for fields)
	skip  bool
}

// resolver maps header names to targets, remembering what it decided.
type resolver struct {
	fields  []field
	areas   bool // an import of divisions
	mapping *Mapping
	cache   map[string]target
	columns map[string]string // field key → the header that holds it
	// shadowed lists headers that name a field another column holds
	// already, with that column: {header, first}.
	shadowed [][2]string
}

func newResolver(category string, m *Mapping) *resolver {
	return &resolver{fields: fieldsOf(category), areas: category == string(geo.Counties), mapping: m, cache: map[string]target{}, columns: map[string]string{}}
}

// resolve says what the column named header holds.
func (r *resolver) resolve(header string) target {
	if t, ok := r.cache[header]; ok {
		return t
	}
	t := r.lookup(header)
	if !t.skip && t.attr == "" {
		if first, seen := r.columns[t.field.key]; seen && first != header {
			// Two columns for one field (编号 and 统一社会信用代码, say):
			// the first in the file holds it, the other is kept as an
			// attribute under its own name.
			t = target{attr: strings.TrimSpace(header)}
			r.shadowed = append(r.shadowed, [2]string{header, first})
		} else {
			r.columns[t.field.key] = header
		}
	}
	r.cache[header] = t
	return t
}

func (r *resolver) lookup(header string) target {
	if r.mapping != nil {
		if to, ok := r.mapping.Columns[header]; ok {
			if to == "" {
				return target{skip: true}
			}
			if to == "id" && !r.areas {
				to = FieldID // the name mappings used before source_id
			}
			for _, f := range r.fields {
				if f.key == to {
					return target{field: f}
				}
			}
			return target{attr: to}
		}
	}
	n := normalise(header)
	for _, f := range r.fields {
		for _, a := range f.aliases {
			if n == normalise(a) {
				return target{field: f}
			}
		}
	}
	return target{attr: strings.TrimSpace(header)}
}

// describe says what each header holds, in order.
func (r *resolver) describe(headers []string) []Column {
	out := make([]Column, 0, len(headers))
	for _, h := range headers {
		t := r.resolve(h)
		c := Column{Header: h}
		_, mapped := r.mapping.columns()[h]
		switch {
		case t.skip:
			c.Via = "skip"
		case t.attr != "":
			c.Key, c.Via = t.attr, "attribute"
			for _, s := range r.shadowed {
				if s[0] == h {
					c.Via = "shadowed"
				}
			}
			if mapped && c.Via == "attribute" {
				c.Via = "mapping"
			}
		default:
			c.Key, c.Via = t.field.key, "alias"
			if mapped {
				c.Via = "mapping"
			}
		}
		out = append(out, c)
	}
	return out
}

// columns is the mapping's columns, nil without a mapping.
func (m *Mapping) columns() map[string]string {
	if m == nil {
		return nil
	}
	return m.Columns
}

// column is the header holding field key, or the key itself when none
// has been seen.
func (r *resolver) column(key string) string {
	if c, ok := r.columns[key]; ok {
		return c
	}
	return key
}

// missing checks that headers cover the required fields and returns a
// Problem naming each one that is missing, the headers found and the
// closest of them.
func (r *resolver) missing(headers []string, required []string) *Problem {
	have := map[string]bool{}
	for _, h := range headers {
		if t := r.resolve(h); !t.skip && t.attr == "" {
			have[t.field.key] = true
		}
	}
	for _, key := range required {
		if have[key] {
			continue
		}
		var f field
		for _, g := range r.fields {
			if g.key == key {
				f = g
			}
		}
		best, bestD := "", 1<<30
		for _, h := range headers {
			for _, a := range f.aliases {
				if d := editDistance(normalise(h), normalise(a)); d < bestD {
					best, bestD = h, d
				}
			}
		}
		hs := append([]string(nil), headers...)
		sort.Strings(hs)
		p := problemf(0, "", "",
			fmt.Sprintf("no column for %s (%s); headers found: %s; closest: %q — rename it or map it with --mapping", key, strings.Join(f.aliases[:min(4, len(f.aliases))], ", "), strings.Join(hs, ", "), best),
			fmt.Sprintf("找不到“%s”列（可用列名：%s）；文件中的列：%s；最接近的是“%s”——请改列名或用 --mapping 指定", f.zh, strings.Join(f.aliases[:min(4, len(f.aliases))], "、"), strings.Join(hs, "、"), best))
		return p
	}
	return nil
}

// editDistance is the Levenshtein distance between a and b in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
