package grading

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"riskmap/geo"
	sqlfs "riskmap/sql"
)

// defaults loads the shipped set; it must be valid.
func defaults(t *testing.T) Set {
	t.Helper()
	b, err := sqlfs.FS.ReadFile("grading/defaults.json")
	if err != nil {
		t.Fatal(err)
	}
	set, err := ParseSet(b)
	if err != nil {
		t.Fatalf("the shipped defaults: %v", err)
	}
	return set
}

// TestDefaultsAtBoundaries grades by every shipped method at and around
// each band boundary (../shared/docs/domain.md §1.2).
func TestDefaultsAtBoundaries(t *testing.T) {
	set := defaults(t)
	type want struct {
		scheme string
		score  float64
		level  string
		grade  geo.Grade
	}
	tests := []struct {
		name string
		cat  geo.Category
		in   map[string]any
		want want
	}{
		// LEC preset A: D ≤ 70 blue, (70,160] yellow, (160,320] orange, > 320 red.
		{"LEC D=18", geo.Enterprises, map[string]any{"lec_l": 6, "lec_e": 3, "lec_c": 1}, want{"lec_4c_A", 18, "稍有危险", geo.Blue}},
		{"LEC D=20 is 稍有危险 (upper-inclusive)", geo.Enterprises, map[string]any{"lec_l": 10, "lec_e": 2, "lec_c": 1}, want{"lec_4c_A", 20, "稍有危险", geo.Blue}},
		{"LEC D=21", geo.Enterprises, map[string]any{"lec_l": 1, "lec_e": 3, "lec_c": 7}, want{"lec_4c_A", 21, "一般危险", geo.Blue}},
		{"LEC D=70 is still blue", geo.Enterprises, map[string]any{"lec_l": 10, "lec_e": 1, "lec_c": 7}, want{"lec_4c_A", 70, "一般危险", geo.Blue}},
		{"LEC D=90 yellow", geo.Enterprises, map[string]any{"lec_l": 6, "lec_e": 1, "lec_c": 15}, want{"lec_4c_A", 90, "显著危险", geo.Yellow}},
		{"LEC D=180 orange", geo.Enterprises, map[string]any{"lec_l": 6, "lec_e": 2, "lec_c": 15}, want{"lec_4c_A", 180, "高度危险", geo.Orange}},
		{"LEC D=300 orange", geo.Enterprises, map[string]any{"lec_l": 10, "lec_e": 2, "lec_c": 15}, want{"lec_4c_A", 300, "高度危险", geo.Orange}},
		{"LEC D=400 red", geo.Enterprises, map[string]any{"lec_l": 10, "lec_e": 1, "lec_c": 40}, want{"lec_4c_A", 400, "极其危险", geo.Red}},
		{"LEC factors as text", geo.Enterprises, map[string]any{"lec_l": "3", "lec_e": "6", "lec_c": "15"}, want{"lec_4c_A", 270, "高度危险", geo.Orange}},
		// MES preset A: < 50 blue, [50,90) yellow, [90,180) orange, ≥ 180 red.
		{"MES R=18", geo.Enterprises, map[string]any{"mes_m": 3, "mes_e": 6, "mes_s": 1}, want{"mes_4c_A", 18, "五级", geo.Blue}},
		{"MES R=48", geo.Enterprises, map[string]any{"mes_m": 3, "mes_e": 2, "mes_s": 8}, want{"mes_4c_A", 48, "四级", geo.Blue}},
		{"MES R=50", geo.Enterprises, map[string]any{"mes_m": 5, "mes_e": 10, "mes_s": 1}, want{"mes_4c_A", 50, "三级", geo.Yellow}},
		{"MES R=80", geo.Enterprises, map[string]any{"mes_m": 5, "mes_e": 2, "mes_s": 8}, want{"mes_4c_A", 80, "三级", geo.Yellow}},
		{"MES R=90", geo.Enterprises, map[string]any{"mes_m": 3, "mes_e": 3, "mes_s": 10}, want{"mes_4c_A", 90, "二级", geo.Orange}},
		{"MES R=150", geo.Enterprises, map[string]any{"mes_m": 5, "mes_e": 3, "mes_s": 10}, want{"mes_4c_A", 150, "二级", geo.Orange}},
		{"MES R=180 (attainable, in no published band) is 一级", geo.Enterprises, map[string]any{"mes_m": 3, "mes_e": 6, "mes_s": 10}, want{"mes_4c_A", 180, "一级", geo.Red}},
		// Risk matrix preset A: 1–8 blue, 9–12 yellow, 15–16 orange, 20–25 red.
		{"LS 8", geo.Enterprises, map[string]any{"ls_l": 2, "ls_s": 4}, want{"ls_4c_A", 8, "", geo.Blue}},
		{"LS 9", geo.Enterprises, map[string]any{"ls_l": 3, "ls_s": 3}, want{"ls_4c_A", 9, "", geo.Yellow}},
		{"LS 12", geo.Enterprises, map[string]any{"ls_l": 3, "ls_s": 4}, want{"ls_4c_A", 12, "", geo.Yellow}},
		{"LS 15", geo.Enterprises, map[string]any{"ls_l": 3, "ls_s": 5}, want{"ls_4c_A", 15, "", geo.Orange}},
		{"LS 16", geo.Enterprises, map[string]any{"ls_l": 4, "ls_s": 4}, want{"ls_4c_A", 16, "", geo.Orange}},
		{"LS 20", geo.Enterprises, map[string]any{"ls_l": 4, "ls_s": 5}, want{"ls_4c_A", 20, "", geo.Red}},
		// Hazardous-chemicals 100-point diagnostic: < 60 red … ≥ 90 blue.
		{"hazchem 59.9", geo.Enterprises, map[string]any{"hazchem_score": 59.9}, want{"hazchem_100pt", 59.9, "", geo.Red}},
		{"hazchem 60", geo.Enterprises, map[string]any{"hazchem_score": 60}, want{"hazchem_100pt", 60, "", geo.Orange}},
		{"hazchem 74.9", geo.Enterprises, map[string]any{"hazchem_score": 74.9}, want{"hazchem_100pt", 74.9, "", geo.Orange}},
		{"hazchem 75", geo.Enterprises, map[string]any{"hazchem_score": 75}, want{"hazchem_100pt", 75, "", geo.Yellow}},
		{"hazchem 89.9", geo.Enterprises, map[string]any{"hazchem_score": 89.9}, want{"hazchem_100pt", 89.9, "", geo.Yellow}},
		{"hazchem 90", geo.Enterprises, map[string]any{"hazchem_score": 90}, want{"hazchem_100pt", 90, "", geo.Blue}},
		{"hazchem beats LEC (priority)", geo.Enterprises, map[string]any{"hazchem_score": 95, "lec_l": 10, "lec_e": 1, "lec_c": 40}, want{"hazchem_100pt", 95, "", geo.Blue}},
		// GB 18218 R: 一级 ≥ 100, 二级 [50,100), 三级 [10,50), 四级 < 10.
		{"MHS R=100", geo.Enterprises, map[string]any{"mhs_r": 100}, want{"mhs_gb18218", 100, "一级", geo.Red}},
		{"MHS R=99.9", geo.Enterprises, map[string]any{"mhs_r": 99.9}, want{"mhs_gb18218", 99.9, "二级", geo.Red}},
		{"MHS R=50", geo.Enterprises, map[string]any{"mhs_r": 50}, want{"mhs_gb18218", 50, "二级", geo.Red}},
		{"MHS R=49.9", geo.Enterprises, map[string]any{"mhs_r": 49.9}, want{"mhs_gb18218", 49.9, "三级", geo.Orange}},
		{"MHS R=10", geo.Enterprises, map[string]any{"mhs_r": 10}, want{"mhs_gb18218", 10, "三级", geo.Orange}},
		{"MHS R=9.99", geo.Enterprises, map[string]any{"mhs_r": 9.99}, want{"mhs_gb18218", 9.99, "四级", geo.Yellow}},
		{"MHS R from units, α=2 (≥100 people)", geo.Enterprises, map[string]any{"mhs_pop_500m": 100, "mhs_units": []any{map[string]any{"q": 50.0, "Q": 10.0, "beta": 2.0}, map[string]any{"q": 5.0, "Q": 5.0, "beta": 1.0}}},
			want{"mhs_gb18218", 22, "三级", geo.Orange}},
		{"MHS R from units, α=1.5 (99 people)", geo.Enterprises, map[string]any{"mhs_pop_500m": 99, "mhs_units": []any{map[string]any{"q": 50.0, "Q": 10.0, "beta": 2.0}, map[string]any{"q": 5.0, "Q": 5.0, "beta": 1.0}}},
			want{"mhs_gb18218", 16.5, "三级", geo.Orange}},
		{"MHS R from units, α=0.5 (nobody)", geo.Enterprises, map[string]any{"mhs_pop_500m": 0, "mhs_units": []any{map[string]any{"q": 30.0, "Q": 1.0, "beta": 4.0}}},
			want{"mhs_gb18218", 60, "二级", geo.Red}},
		// Bridges: class 1–5 and Dr bands ≥95 / [80,95) / [60,80) / [40,60) / < 40.
		{"bridge 5类", geo.Bridges, map[string]any{"tech_class": 5.0}, want{"bridge_class_4c", 0, "5", geo.Red}},
		{"bridge 4类 as text", geo.Bridges, map[string]any{"tech_class": "4类"}, want{"bridge_class_4c", 0, "4", geo.Orange}},
		{"bridge III", geo.Bridges, map[string]any{"tech_class": "III"}, want{"bridge_class_4c", 0, "3", geo.Yellow}},
		{"bridge 2类", geo.Bridges, map[string]any{"tech_class": "二类"}, want{"bridge_class_4c", 0, "2", geo.Blue}},
		{"bridge 1", geo.Bridges, map[string]any{"tech_class": "1"}, want{"bridge_class_4c", 0, "1", geo.Blue}},
		{"bridge Dr 39.9", geo.Bridges, map[string]any{"dr_score": 39.9}, want{"bridge_dr_4c", 39.9, "5类", geo.Red}},
		{"bridge Dr 40", geo.Bridges, map[string]any{"dr_score": 40}, want{"bridge_dr_4c", 40, "4类", geo.Orange}},
		{"bridge Dr 60", geo.Bridges, map[string]any{"dr_score": 60}, want{"bridge_dr_4c", 60, "3类", geo.Yellow}},
		{"bridge Dr 79.9", geo.Bridges, map[string]any{"dr_score": 79.9}, want{"bridge_dr_4c", 79.9, "3类", geo.Yellow}},
		{"bridge Dr 80", geo.Bridges, map[string]any{"dr_score": 80}, want{"bridge_dr_4c", 80, "2类", geo.Blue}},
		{"bridge Dr 95", geo.Bridges, map[string]any{"dr_score": 95}, want{"bridge_dr_4c", 95, "1类", geo.Blue}},
		{"bridge class beats Dr", geo.Bridges, map[string]any{"tech_class": 4, "dr_score": 95}, want{"bridge_class_4c", 0, "4", geo.Orange}},
		// Black spots.
		{"black spot 一类", geo.BlackSpots, map[string]any{"class": "一类"}, want{"blackspot_class_4c", 0, "1", geo.Red}},
		{"black spot 2", geo.BlackSpots, map[string]any{"class": "2"}, want{"blackspot_class_4c", 0, "2", geo.Orange}},
		{"black spot 三类", geo.BlackSpots, map[string]any{"class": "三类"}, want{"blackspot_class_4c", 0, "3", geo.Yellow}},
		// Stated, and nothing at all.
		{"stated 橙", geo.Shelters, map[string]any{"grade": "橙"}, want{"stated_shelters", 0, "", geo.Orange}},
		{"inputs win over a stated grade", geo.Bridges, map[string]any{"grade": "blue", "tech_class": 5}, want{"bridge_class_4c", 0, "5", geo.Red}},
		{"nothing to grade: unassessed, never blue", geo.Enterprises, map[string]any{"employees": 30}, want{"", 0, "", geo.Unassessed}},
		{"half an LEC: unassessed", geo.Enterprises, map[string]any{"lec_l": 6, "lec_e": 3}, want{"", 0, "", geo.Unassessed}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := set.Evaluate(Input{Category: tc.cat, Values: tc.in})
			if err != nil {
				t.Fatal(err)
			}
			score := 0.0
			if res.Score != nil {
				score = *res.Score
			}
			got := want{res.Scheme, score, res.Level, res.Final}
			if d := got.score - tc.want.score; got.scheme != tc.want.scheme || d > 1e-9 || d < -1e-9 || got.level != tc.want.level || got.grade != tc.want.grade {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if res.Final != res.Scored {
				t.Errorf("no rule should apply: %+v", res.Applied)
			}
		})
	}
}

func TestBadInputs(t *testing.T) {
	set := defaults(t)
	tests := []struct {
		name  string
		cat   geo.Category
		in    map[string]any
		input string
	}{
		{"LEC factor not in its table", geo.Enterprises, map[string]any{"lec_l": 7, "lec_e": 3, "lec_c": 1}, "lec_l"},
		{"LEC factor not a number", geo.Enterprises, map[string]any{"lec_l": "高", "lec_e": 3, "lec_c": 1}, "lec_l"},
		{"bridge class 6", geo.Bridges, map[string]any{"tech_class": 6}, "tech_class"},
		{"negative R", geo.Enterprises, map[string]any{"mhs_r": -1}, "mhs_r"},
		{"unit without Q", geo.Enterprises, map[string]any{"mhs_pop_500m": 3, "mhs_units": []any{map[string]any{"q": 1.0, "beta": 1.0}}}, "mhs_units[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := set.Evaluate(Input{Category: tc.cat, Values: tc.in})
			var p *Problem
			if !errors.As(err, &p) || p.Input != tc.input {
				t.Errorf("error %v, want a problem naming input %s", err, tc.input)
			}
		})
	}
}

// TestRules checks that rules run in priority order, each on the result
// of the ones before, only when enabled and for their category.
func TestRules(t *testing.T) {
	set := defaults(t)
	blue := map[string]any{"grade": "blue"}
	tests := []struct {
		name    string
		cat     geo.Category
		in      map[string]any
		ctx     map[string]float64
		disable string
		want    geo.Grade
		applied []string
	}{
		{"open major hazard forces red", geo.Bridges, blue, map[string]float64{"open_major_hidden_hazards": 1}, "", geo.Red, []string{"R6"}},
		{"overdue hazard raises one level", geo.Bridges, map[string]any{"tech_class": 3}, map[string]float64{"overdue_hidden_hazards": 2}, "", geo.Orange, []string{"R7"}},
		{"R6 before R7: red stays red", geo.Enterprises, blue, map[string]float64{"open_major_hidden_hazards": 1, "overdue_hidden_hazards": 1}, "", geo.Red, []string{"R6"}},
		{"R5 floor orange, then R7 raises to red", geo.Enterprises, blue, map[string]float64{"mhs_level": 3, "overdue_hidden_hazards": 1}, "", geo.Red, []string{"R5", "R7"}},
		{"R4 floor red on a level-2 major hazard", geo.Enterprises, map[string]any{"lec_l": 6, "lec_e": 3, "lec_c": 1}, map[string]float64{"mhs_level": 2}, "", geo.Red, []string{"R4"}},
		{"R4 and R5 are for enterprises", geo.Shelters, blue, map[string]float64{"mhs_level": 1}, "", geo.Blue, nil},
		{"a floor does not lower", geo.Enterprises, map[string]any{"grade": "red"}, map[string]float64{"mhs_level": 4}, "", geo.Red, nil},
		{"switched off", geo.Bridges, map[string]any{"tech_class": 3}, map[string]float64{"overdue_hidden_hazards": 1}, "R7", geo.Yellow, nil},
		{"raising nothing leaves it unassessed", geo.Bridges, map[string]any{}, map[string]float64{"overdue_hidden_hazards": 1}, "", geo.Unassessed, nil},
		{"R6 grades even the unassessed", geo.Bridges, map[string]any{}, map[string]float64{"open_major_hidden_hazards": 1}, "", geo.Red, []string{"R6"}},
		{"zero open hazards: nothing", geo.Bridges, blue, map[string]float64{"open_major_hidden_hazards": 0}, "", geo.Blue, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Set{Schemes: set.Schemes}
			for _, r := range set.Rules {
				if r.Key == tc.disable {
					r.Enabled = false
				}
				s.Rules = append(s.Rules, r)
			}
			res, err := s.Evaluate(Input{Category: tc.cat, Values: tc.in, Context: tc.ctx})
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, a := range res.Applied {
				keys = append(keys, a.Rule)
				if a.ReasonZH == "" {
					t.Errorf("rule %s applied without a reason", a.Rule)
				}
			}
			if res.Final != tc.want || strings.Join(keys, ",") != strings.Join(tc.applied, ",") {
				t.Errorf("final %v by %v, want %v by %v", res.Final, keys, tc.want, tc.applied)
			}
		})
	}
}

// TestBadDefinitions: every mistake is refused with the field named.
func TestBadDefinitions(t *testing.T) {
	const lec = `{"code":"x","version":1,"category":"enterprises","name_zh":"测试","method":"product","factors":["a","b"],"bands":%s}`
	tests := []struct{ name, def, field string }{
		{"overlapping bands", strings.Replace(lec, "%s", `[{"ge":10,"grade":"red"},{"le":10,"grade":"blue"}]`, 1), "bands[0]: overlaps bands[1]"},
		{"a gap between bands", strings.Replace(lec, "%s", `[{"gt":10,"grade":"red"},{"lt":10,"grade":"blue"}]`, 1), "bands[0]: leaves a gap"},
		{"both gt and ge", strings.Replace(lec, "%s", `[{"gt":1,"ge":1,"grade":"red"}]`, 1), "bands[0]: give gt or ge"},
		{"a band without a grade", strings.Replace(lec, "%s", `[{"gt":1}]`, 1), "bands[0].grade"},
		{"an empty band", strings.Replace(lec, "%s", `[{"gt":5,"lt":5,"grade":"red"}]`, 1), "bands[0]: empty interval"},
		{"no bands", strings.Replace(lec, "%s", `[]`, 1), "bands: empty"},
		{"unknown grade", strings.Replace(lec, "%s", `[{"gt":1,"grade":"purple"}]`, 1), "purple"},
		{"unknown method", `{"code":"x","version":1,"category":"enterprises","name_zh":"测试","method":"vibes"}`, "method: want"},
		{"unknown field", `{"code":"x","version":1,"category":"enterprises","name_zh":"测试","method":"stated","bandz":[]}`, `unknown field "bandz"`},
		{"version 0", `{"code":"x","version":0,"category":"enterprises","name_zh":"测试","method":"stated"}`, "version"},
		{"unknown category", `{"code":"x","version":1,"category":"volcanoes","name_zh":"测试","method":"stated"}`, "category"},
		{"one factor", `{"code":"x","version":1,"category":"enterprises","name_zh":"测试","method":"product","factors":["a"],"bands":[{"grade":"red"}]}`, "factors"},
		{"option of no factor", `{"code":"x","version":1,"category":"enterprises","name_zh":"测试","method":"product","factors":["a","b"],"options":{"c":[1]},"bands":[{"grade":"red"}]}`, "options.c"},
		{"class map to unassessed", `{"code":"x","version":1,"category":"bridges","name_zh":"测试","method":"class","input":"k","map":{"1":"unassessed"}}`, "map.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseScheme([]byte(tc.def))
			if !errors.Is(err, ErrDefinition) || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("error %v, want one naming %q", err, tc.field)
			}
		})
	}
	rules := []struct{ name, def, field string }{
		{"bad op", `{"key":"R","priority":1,"when":{"var":"x","op":"≈","value":1},"action":"raise","steps":1,"reason_zh":"因"}`, "when.op"},
		{"no var", `{"key":"R","priority":1,"when":{"op":">","value":1},"action":"raise","steps":1,"reason_zh":"因"}`, "when.var"},
		{"steps 4", `{"key":"R","priority":1,"when":{"var":"x","op":">","value":1},"action":"raise","steps":4,"reason_zh":"因"}`, "steps"},
		{"set without grade", `{"key":"R","priority":1,"when":{"var":"x","op":">","value":1},"action":"set_grade","reason_zh":"因"}`, "grade"},
		{"no reason", `{"key":"R","priority":1,"when":{"var":"x","op":">","value":1},"action":"lower","steps":1}`, "reason_zh"},
		{"unknown action", `{"key":"R","priority":1,"when":{"var":"x","op":">","value":1},"action":"paint","reason_zh":"因"}`, "action"},
	}
	for _, tc := range rules {
		t.Run("rule "+tc.name, func(t *testing.T) {
			_, err := ParseRule([]byte(tc.def))
			if !errors.Is(err, ErrDefinition) || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("error %v, want one naming %q", err, tc.field)
			}
		})
	}
}

// TestParseSetNamesEveryItemAtFault: a file with several faults is
// refused with each of them, where it is and in which field, so that it
// can be mended in one go; a good item between them is no fault.
func TestParseSetNamesEveryItemAtFault(t *testing.T) {
	good := `{"code":"ok","version":1,"category":"enterprises","name_zh":"测试","method":"stated"}`
	tests := []struct {
		name string
		doc  string
		want []SetProblem
	}{
		{"three faults", `{"schemes":[` + good + `,
			{"code":"x","version":0,"category":"enterprises","name_zh":"测试","method":"stated"},
			{"code":"y","version":1,"category":"enterprises","name_zh":"测试","method":"stated","bandz":[]}],
		  "rules":[{"key":"R","priority":1,"when":{"var":"x","op":"≈","value":1},"action":"raise","steps":1,"reason_zh":"因"}]}`,
			[]SetProblem{
				{Item: "schemes[1]", FieldError: FieldError{Kind: "scheme", Code: "x", Field: "version"}},
				{Item: "schemes[2]", FieldError: FieldError{Kind: "scheme", Code: "y", Field: ""}},
				{Item: "rules[0]", FieldError: FieldError{Kind: "rule", Code: "R", Field: "when.op"}},
			}},
		{"twice", `{"schemes":[` + good + `,` + good + `]}`,
			[]SetProblem{{Item: "schemes[1]", FieldError: FieldError{Kind: "scheme", Code: "ok", Field: "code"}}}},
		{"empty", `{}`, []SetProblem{{FieldError: FieldError{Kind: "set", Field: "schemes"}}}},
		{"not a set", `{"schemas":[]}`, []SetProblem{{FieldError: FieldError{Kind: "set"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSet([]byte(tc.doc))
			var se *SetError
			if !errors.As(err, &se) || !errors.Is(err, ErrDefinition) {
				t.Fatalf("error %v, want a *SetError", err)
			}
			if len(se.Problems) != len(tc.want) {
				t.Fatalf("problems %+v, want %d", se.Problems, len(tc.want))
			}
			for i, p := range se.Problems {
				w := tc.want[i]
				if p.Item != w.Item || p.Kind != w.Kind || p.Code != w.Code || p.Field != w.Field || p.Reason == "" {
					t.Errorf("problem %d: %+v, want %+v with a reason", i, p, w)
				}
			}
		})
	}
}

// FuzzParseScheme: any definition is refused with ErrDefinition or
// accepted as valid, never a panic; an accepted scheme grades any score
// into at most one band.
func FuzzParseScheme(f *testing.F) {
	b, _ := sqlfs.FS.ReadFile("grading/defaults.json")
	set, _ := ParseSet(b)
	for _, s := range set.Schemes {
		f.Add([]byte(`{"code":"`+s.Code+`","version":1,"category":"`+string(s.Category)+`","name_zh":"x","method":"score","input":"v","bands":[{"lt":1,"grade":"red"},{"ge":1,"grade":"blue"}]}`), 1.0)
	}
	f.Fuzz(func(t *testing.T, def []byte, x float64) {
		s, err := ParseScheme(def)
		if err != nil {
			if !errors.Is(err, ErrDefinition) {
				t.Fatalf("error %v does not wrap ErrDefinition", err)
			}
			return
		}
		n := 0
		for _, b := range s.Bands {
			if b.Contains(x) {
				n++
			}
		}
		if n > 1 {
			t.Fatalf("%v lies in %d bands of a valid scheme", x, n)
		}
	})
}

// TestLowerNeverWraps: lowering blue by more than it has stays blue.
func TestLowerNeverWraps(t *testing.T) {
	r := Rule{Key: "L", Action: "lower", Steps: 3, When: Condition{Var: "x", Op: ">", Value: 0}, ReasonZH: "降"}
	for g, want := range map[geo.Grade]geo.Grade{geo.Blue: geo.Blue, geo.Yellow: geo.Blue, geo.Red: geo.Blue, geo.Unassessed: geo.Unassessed} {
		if got := r.apply(g); got != want {
			t.Errorf("lower %v by 3 = %v, want %v", g, got, want)
		}
	}
	r.Steps = 1
	if got := r.apply(geo.Orange); got != geo.Yellow {
		t.Errorf("lower orange by 1 = %v", got)
	}
}

// TestResultSame: a result read back from its JSON is the same; a change
// of input, context, rule or grade is not.
func TestResultSame(t *testing.T) {
	set := defaults(t)
	res, err := set.Evaluate(Input{Category: geo.Enterprises, Values: map[string]any{"lec_l": 6, "lec_e": 3, "lec_c": 15}, Context: map[string]float64{"overdue_hidden_hazards": 1}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res)
	var back Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back.Same(res) {
		t.Errorf("%+v read back is not the same as %+v", back, res)
	}
	tests := map[string]func(r *Result){
		"another input":  func(r *Result) { r.Inputs = map[string]any{"lec_l": 6.0, "lec_e": 3.0, "lec_c": 7.0} },
		"no context":     func(r *Result) { r.Context = nil },
		"no rule":        func(r *Result) { r.Applied = nil },
		"another grade":  func(r *Result) { r.Final = geo.Blue },
		"another scheme": func(r *Result) { r.Version = 2 },
	}
	for name, change := range tests {
		t.Run(name, func(t *testing.T) {
			other := back
			change(&other)
			if other.Same(res) {
				t.Error("still the same")
			}
		})
	}
}
