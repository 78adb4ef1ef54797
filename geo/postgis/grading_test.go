package postgis_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"

	"riskmap/geo"
	"riskmap/geo/grading"
	"riskmap/geo/postgis"
	"riskmap/geo/postgis/pgtest"
)

// gradingEnv is a migrated database with the small dataset loaded, and a
// connection to check it with SQL.
func gradingEnv(t *testing.T, ds postgis.Dataset) (*postgis.Store, *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	dsn := pgtest.NewDB(t)
	s, err := postgis.Open(ctx, dsn, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if _, err := s.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return s, conn
}

func queryInt(t *testing.T, conn *pgx.Conn, q string, args ...any) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// unexplained counts graded objects whose grade no assessment record
// explains: the record the object names is not its latest, is not of
// it, or says another grade (or there is none).
const unexplained = `SELECT count(*) FROM risk_object o
	LEFT JOIN risk_assessment a ON a.id = o.assessment_id
	LEFT JOIN LATERAL (SELECT max(l.id) AS id FROM risk_assessment l WHERE l.object_id = o.id OR l.objects @> o.id) l ON true
	WHERE o.grade IS NOT NULL
	  AND (a.grade IS DISTINCT FROM o.grade OR a.id IS DISTINCT FROM l.id OR NOT coalesce(a.object_id = o.id OR a.objects @> o.id, false))`

func TestEveryGradeHasAnAssessment(t *testing.T) {
	s, conn := gradingEnv(t, smallDataset())
	ctx := context.Background()
	if n := queryInt(t, conn, unexplained); n != 0 {
		t.Errorf("%d graded objects without an assessment after a load", n)
	}
	// Recomputing changes nothing: the load graded under the same schemes.
	st, err := s.Regrade(ctx, postgis.RegradeFilter{}, "recompute", "test")
	if err != nil {
		t.Fatal(err)
	}
	if st.Objects != 5 || st.Changed != 0 || len(st.Moves) != 0 {
		t.Errorf("first recompute after a load: %+v, want 5 looked at and nothing changed", st)
	}
	// Assessments are never changed or deleted.
	for _, q := range []string{"UPDATE risk_assessment SET grade = 'red'", "DELETE FROM risk_assessment", "TRUNCATE risk_assessment"} {
		if _, err := conn.Exec(ctx, q); err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
}

func TestAssessAndHistory(t *testing.T) {
	s, conn := gradingEnv(t, smallDataset())
	ctx := context.Background()
	var id int64
	if err := conn.QueryRow(ctx, "SELECT id FROM risk_object WHERE source_id = 'o1'").Scan(&id); err != nil {
		t.Fatal(err)
	}
	a, err := s.Assess(ctx, "", id, map[string]any{"lec_l": 10.0, "lec_e": 1.0, "lec_c": 40.0}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if a.Grade != geo.Red || a.From != geo.Orange || a.Scheme != "lec_4c_A" || a.Reason != "api" || a.By != "tester" {
		t.Errorf("assessment %+v, want lec_4c_A orange→red by tester", a)
	}
	o, err := s.Object(ctx, geo.Enterprises, id)
	if err != nil {
		t.Fatal(err)
	}
	if o.Grade != geo.Red || o.Method != "lec_4c_A" || o.Score == nil || *o.Score != 400 || len(o.Assessment) == 0 {
		t.Errorf("object after the assessment: grade %v method %q score %v", o.Grade, o.Method, o.Score)
	}
	hist, err := s.History(ctx, "", id, 10)
	if err != nil || len(hist) != 2 || hist[0].ID != a.ID || hist[1].Grade != geo.Orange {
		t.Errorf("history %+v, %v: want the API assessment, then the load's", hist, err)
	}
	// Recompute keeps what the API assessed: its inputs are the object's.
	if st, err := s.Regrade(ctx, postgis.RegradeFilter{}, "recompute", "test"); err != nil || st.Changed != 0 {
		t.Errorf("recompute after an assessment: %+v, %v; want no change", st, err)
	}
	tests := []struct {
		name   string
		id     int64
		inputs map[string]any
		param  string
	}{
		{"a factor outside its table", id, map[string]any{"lec_l": 7.0, "lec_e": 1.0, "lec_c": 40.0}, "inputs.lec_l"},
		{"inputs no scheme reads", id, map[string]any{"colour": "pink"}, "inputs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := queryInt(t, conn, "SELECT count(*) FROM risk_assessment")
			_, err := s.Assess(ctx, "", tc.id, tc.inputs, "tester")
			var pe *geo.ParamError
			if !errors.As(err, &pe) || pe.Param != tc.param {
				t.Errorf("error %v, want one naming %s", err, tc.param)
			}
			if after := queryInt(t, conn, "SELECT count(*) FROM risk_assessment"); after != before {
				t.Errorf("a refused assessment wrote %d records", after-before)
			}
		})
	}
	if _, err := s.Assess(ctx, "", 999999, map[string]any{"grade": "red"}, "x"); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("unknown object: %v, want ErrNotFound", err)
	}
}

// lec252Dataset is the small dataset whose r1 has LEC D = 252: orange by
// table A, red by table B.
func lec252Dataset() postgis.Dataset {
	ds := smallDataset()
	ds.Objects[0].Attributes = map[string]any{"lec_l": 6.0, "lec_e": 6.0, "lec_c": 7.0}
	ds.Objects[0].Grade = geo.Unassessed
	return ds
}

// TestRecomputeAfterASchemeChange: a new version of a scheme regrades
// what it grades, and only that; once.
func TestRecomputeAfterASchemeChange(t *testing.T) {
	ds := lec252Dataset()
	s, _ := gradingEnv(t, ds)
	ctx := context.Background()
	set, err := s.Grading(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range set.Schemes {
		switch set.Schemes[i].Code {
		case "lec_4c_A":
			set.Schemes[i].Enabled = false
		case "lec_4c_B":
			set.Schemes[i].Enabled = true
		}
	}
	stored, err := s.LoadGrading(ctx, set, "test", "tester")
	if err != nil || len(stored) != 2 {
		t.Fatalf("stored %v, %v; want the two LEC schemes' second versions", stored, err)
	}
	st, err := s.Regrade(ctx, postgis.RegradeFilter{Category: geo.Enterprises}, "recompute", "tester")
	if err != nil {
		t.Fatal(err)
	}
	if st.Changed != 1 || st.Moves["orange→red"] != 1 {
		t.Errorf("recompute: %+v, want r1 orange→red", st)
	}
	if st, err := s.Regrade(ctx, postgis.RegradeFilter{}, "recompute", "tester"); err != nil || st.Changed != 0 {
		t.Errorf("second recompute: %+v, %v; want nothing", st, err)
	}
	if changed, err := s.SwitchRule(ctx, "R7", false, "test", "tester"); err != nil || !changed {
		t.Errorf("switch R7 off: %v, %v", changed, err)
	}
	if _, err := s.SwitchRule(ctx, "R99", false, "test", "tester"); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("switch an unknown rule: %v", err)
	}
}

// TestChangeGrading: a change in the browser's shape (switch one scheme,
// with a reason) regrades at once; its dry run shows the same moves and
// keeps nothing; the reason stays with the version; an actor of one
// county may not change what grades every county.
func TestChangeGrading(t *testing.T) {
	ds := lec252Dataset()
	s, conn := gradingEnv(t, ds)
	ctx := context.Background()
	if _, err := s.Regrade(ctx, postgis.RegradeFilter{}, "recompute", "tester"); err != nil {
		t.Fatal(err)
	}
	grade := func() string {
		var g string
		if err := conn.QueryRow(ctx, `SELECT coalesce(grade::text, '') FROM risk_object WHERE source_id = 'r1'`).Scan(&g); err != nil {
			t.Fatal(err)
		}
		return g
	}
	versions := func() int {
		return queryInt(t, conn, `SELECT (SELECT count(*) FROM grading_scheme) + (SELECT count(*) FROM grading_rule)`)
	}
	if g := grade(); g != "orange" {
		t.Fatalf("r1 is %q before the change, want orange", g)
	}
	before := versions()
	cases := []struct {
		name    string
		ch      geo.GradingChange
		ctx     context.Context
		stored  int
		moves   map[string]int
		grade   string
		wantErr func(error) bool
	}{
		{name: "dry run of A off", ch: geo.GradingChange{Kind: geo.GradingScheme, Key: "lec_4c_A", Enabled: false, Reason: "试算", DryRun: true},
			stored: 1, grade: "orange"},
		{name: "a county admin", ch: geo.GradingChange{Kind: geo.GradingScheme, Key: "lec_4c_A", Enabled: false, Reason: "县里想改"},
			ctx: as("331102", "莲都区"), grade: "orange",
			wantErr: func(err error) bool { var se *geo.ScopeError; return errors.As(err, &se) }},
		{name: "unknown rule", ch: geo.GradingChange{Kind: geo.GradingRule, Key: "R99", Reason: "x"},
			grade: "orange", wantErr: func(err error) bool { return errors.Is(err, geo.ErrNotFound) }},
		{name: "B on, after A", ch: geo.GradingChange{Kind: geo.GradingScheme, Key: "lec_4c_B", Enabled: true, Reason: "采用B表"},
			stored: 1, grade: "orange"},
		{name: "A off", ch: geo.GradingChange{Kind: geo.GradingScheme, Key: "lec_4c_A", Enabled: false, Reason: "停用A表"},
			stored: 1, moves: map[string]int{"orange→red": 1}, grade: "red"},
		{name: "A off again", ch: geo.GradingChange{Kind: geo.GradingScheme, Key: "lec_4c_A", Enabled: false, Reason: "再点一次"},
			stored: 0, grade: "red"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.ctx
			if c == nil {
				c = ctx
			}
			n := versions()
			got, err := s.ChangeGrading(c, tc.ch, grading.Set{}, "tester")
			if tc.wantErr != nil {
				if !tc.wantErr(err) {
					t.Fatalf("error %v", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if err == nil && len(got.Stored) != tc.stored {
				t.Errorf("stored %v, want %d versions", got.Stored, tc.stored)
			}
			for m, k := range tc.moves {
				if got.Regrade.Moves[m] != k {
					t.Errorf("moves %v, want %s: %d", got.Regrade.Moves, m, k)
				}
			}
			if tc.ch.DryRun && got.Regrade.Objects == 0 {
				t.Errorf("the dry run graded nothing: %+v", got.Regrade)
			}
			if g := grade(); g != tc.grade {
				t.Errorf("r1 is %q after, want %q", g, tc.grade)
			}
			if kept := versions() - n; kept != len(got.Stored) && !tc.ch.DryRun || tc.ch.DryRun && kept != 0 {
				t.Errorf("%d versions kept, stored %v (dry run %v)", kept, got.Stored, tc.ch.DryRun)
			}
		})
	}
	if versions() != before+2 {
		t.Errorf("%d versions after, want %d", versions(), before+2)
	}
	vs, err := s.GradingVersions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, v := range vs {
		if v.Kind == geo.GradingScheme && v.Key == "lec_4c_B" && v.Version == 2 {
			found = v.Reason == "采用B表" && v.By == "tester" && v.Enabled
		}
	}
	if !found {
		t.Errorf("lec_4c_B v2 is not listed with its reason: %+v", vs)
	}
}

// TestHazardLoop walks a major hidden hazard through its closed loop and
// checks that its object is red while it is open (R6), that steps out of
// order are refused, and that each step needs what it needs.
func TestHazardLoop(t *testing.T) {
	s, conn := gradingEnv(t, smallDataset())
	ctx := context.Background()
	var obj int64
	if err := conn.QueryRow(ctx, "SELECT id FROM risk_object WHERE source_id = 'b1'").Scan(&obj); err != nil {
		t.Fatal(err)
	}
	grade := func() geo.Grade {
		o, err := s.Object(ctx, geo.Shelters, obj)
		if err != nil {
			t.Fatal(err)
		}
		return o.Grade
	}
	h, err := s.ReportHazard(ctx, geo.Hazard{Code: "YH-1", ObjectID: &obj, Title: "消防通道堵塞", Level: "major", DiscoverySource: "covert_inspection", FoundOn: "2026-11-20"}, "inspector")
	if err != nil {
		t.Fatal(err)
	}
	if h.State != "reported" || h.County != "331121" || grade() != geo.Red {
		t.Errorf("reported: state %s county %s, object %v; want reported, 331121, red (R6)", h.State, h.County, grade())
	}
	deadline := time.Now().AddDate(0, 0, 20).Format(time.DateOnly)
	plan := json.RawMessage(`{"goal":"清除","methods":"搬离","funds_materials":"1万元","org_people":"物业","timeline":"20天","safety_contingency":"临时通道"}`)
	steps := []struct {
		step  geo.HazardStep
		state string // "" = refused
		param string // the field a refusal names; "" = a state conflict
	}{
		{geo.HazardStep{Action: "start"}, "", ""},
		{geo.HazardStep{Action: "assign", ResponsibleUnit: "某物业", RectifyDeadline: deadline, SupervisionLevel: "city"}, "", "plan"},
		{geo.HazardStep{Action: "assign", ResponsibleUnit: "某物业", RectifyDeadline: "2020-01-01", SupervisionLevel: "city", Plan: plan}, "", "rectify_deadline"},
		{geo.HazardStep{Action: "assign", ResponsibleUnit: "某物业", RectifyDeadline: deadline, SupervisionLevel: "city", Plan: plan}, "assigned", ""},
		{geo.HazardStep{Action: "rectify_immediately", Evidence: json.RawMessage(`["photo.jpg"]`)}, "", ""},
		{geo.HazardStep{Action: "start"}, "rectifying", ""},
		{geo.HazardStep{Action: "request_acceptance"}, "pending_acceptance", ""},
		{geo.HazardStep{Action: "reject_acceptance", Note: "未清理干净"}, "rectifying", ""},
		{geo.HazardStep{Action: "request_acceptance"}, "pending_acceptance", ""},
		{geo.HazardStep{Action: "accept"}, "accepted", ""},
		{geo.HazardStep{Action: "close"}, "", "evidence"},
		{geo.HazardStep{Action: "close", Evidence: json.RawMessage(`[{"name":"验收照片.jpg"}]`)}, "closed", ""},
		{geo.HazardStep{Action: "start"}, "", ""},
		{geo.HazardStep{Action: "fly"}, "", "action"},
	}
	for i, st := range steps {
		got, err := s.StepHazard(ctx, h.ID, st.step, "officer")
		switch {
		case st.state != "":
			if err != nil || got.State != st.state {
				t.Fatalf("step %d %s: %v, state %s; want %s", i, st.step.Action, err, got.State, st.state)
			}
		case st.param != "":
			var pe *geo.ParamError
			if !errors.As(err, &pe) || pe.Param != st.param {
				t.Errorf("step %d %s: %v, want a refusal naming %s", i, st.step.Action, err, st.param)
			}
		default:
			var se *geo.StateError
			if !errors.As(err, &se) || !errors.Is(err, geo.ErrConflict) {
				t.Errorf("step %d %s: %v, want a state conflict", i, st.step.Action, err)
			}
		}
	}
	h, err = s.Hazard(ctx, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Events) != 8 || h.Events[0].Action != "report" || h.Events[7].To != "closed" || h.SupervisionDays != 60 || h.ClosedOn == "" {
		t.Errorf("closed hazard: %d events, window %d days, closed on %q", len(h.Events), h.SupervisionDays, h.ClosedOn)
	}
	if grade() != geo.Blue {
		t.Errorf("object after the hazard closed: %v, want blue again", grade())
	}
	var reasons []string
	rows, _ := conn.Query(ctx, "SELECT reason || ':' || coalesce(grade::text, '-') FROM risk_assessment WHERE object_id = $1 OR objects @> $1::bigint ORDER BY id", obj)
	reasons, _ = pgx.CollectRows(rows, pgx.RowTo[string])
	if fmt.Sprint(reasons) != "[import:blue hidden_hazard:red hidden_hazard:blue]" {
		t.Errorf("the object's assessments: %v", reasons)
	}
	counts, err := s.HazardCountsByCounty(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range counts {
		if c.County == "331121" && (c.Open != 0 || c.ClosedMonth != 1) {
			t.Errorf("青田's hazards: %+v, want none open, one closed this month", c)
		}
	}
}

// TestOverdueRaisesTheGrade: a general hazard past its deadline raises
// its object one level (R7) until it is closed.
func TestOverdueRaisesTheGrade(t *testing.T) {
	s, conn := gradingEnv(t, smallDataset())
	ctx := context.Background()
	var obj int64
	conn.QueryRow(ctx, "SELECT id FROM risk_object WHERE source_id = 'y1'").Scan(&obj)
	h, err := s.ReportHazard(ctx, geo.Hazard{Code: "YH-2", ObjectID: &obj, Title: "护栏缺失", Level: "general", DiscoverySource: "patrol", FoundOn: "2026-11-01"}, "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.StepHazard(ctx, h.ID, geo.HazardStep{Action: "assign", ResponsibleUnit: "养护站", RectifyDeadline: time.Now().AddDate(0, 0, 5).Format(time.DateOnly), SupervisionLevel: "county"}, "x"); err != nil {
		t.Fatal(err)
	}
	// The deadline passes (the test moves it rather than wait).
	if o, _ := s.Object(ctx, geo.Bridges, obj); o.Grade != geo.Yellow {
		t.Fatalf("before the deadline: %v, want yellow", o.Grade)
	}
	if _, err := conn.Exec(ctx, "UPDATE hidden_hazard SET rectify_deadline = current_date - 3 WHERE id = $1", h.ID); err != nil {
		t.Fatal(err)
	}
	// Announced once, to a listener, and its layer moves so that its
	// tile is drawn again with the overdue ring.
	listener, err := pgx.Connect(ctx, conn.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close(ctx)
	if _, err := listener.Exec(ctx, "LISTEN riskmap_objects"); err != nil {
		t.Fatal(err)
	}
	vs, _ := s.LayerVersions(ctx)
	if n, err := s.AnnounceOverdue(ctx); n != 1 || err != nil {
		t.Errorf("announce overdue: %d, %v; want 1", n, err)
	}
	// (The marking tells the tasks pages too: their overdue counts moved.)
	wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	var note *pgconn.Notification
	var kinds []string
	for err == nil && (note == nil || !strings.Contains(note.Payload, `"hazard_overdue"`)) {
		if note, err = listener.WaitForNotification(wctx); err == nil {
			kinds = append(kinds, note.Payload)
		}
	}
	cancel()
	if len(kinds) != 2 || !strings.Contains(kinds[0], `"tasks"`) {
		t.Errorf("notifications %q, want the tasks and then the overdue hazard", kinds)
	}
	if err != nil || !strings.Contains(note.Payload, `"hazard_overdue"`) || !strings.Contains(note.Payload, `"YH-2"`) {
		t.Errorf("notification %+v, %v; want YH-2 overdue", note, err)
	}
	if after, _ := s.LayerVersions(ctx); after[geo.HiddenHazards] == vs[geo.HiddenHazards] {
		t.Error("announcing an overdue hazard left its layer's version")
	}
	if n, err := s.AnnounceOverdue(ctx); n != 0 || err != nil {
		t.Errorf("second announcement: %d, %v; want 0", n, err)
	}
	st, err := s.RegradeOverdue(ctx, "riskmap:overdue")
	if err != nil || st.Moves["yellow→orange"] != 1 {
		t.Errorf("regrade overdue: %+v, %v; want y1 yellow→orange", st, err)
	}
	if st, _ := s.RegradeOverdue(ctx, "riskmap:overdue"); st.Changed != 0 {
		t.Errorf("second regrade: %+v, want nothing", st)
	}
	if _, err := s.StepHazard(ctx, h.ID, geo.HazardStep{Action: "rectify_immediately", Evidence: json.RawMessage(`["p.jpg"]`)}, "x"); err != nil {
		t.Fatal(err)
	}
	o, _ := s.Object(ctx, geo.Bridges, obj)
	if o.Grade != geo.Yellow {
		t.Errorf("after closing: %v, want yellow", o.Grade)
	}
}

// TestRegionsAgreeWithObjects checks the county counts, kept by triggers
// through loads, assessments, retirements and hazard steps, against a
// direct query of the objects; and each county's colour against the
// highest grade inside.
func TestRegionsAgreeWithObjects(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	ds := smallDataset()
	ds.Objects = nil
	grades := []geo.Grade{geo.Unassessed, geo.Blue, geo.Yellow, geo.Orange, geo.Red}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 400 {
		county, x := "331102", 119.9
		if r.IntN(2) == 0 {
			county, x = "331121", 120.2
		}
		g := grades[r.IntN(len(grades))]
		o := geo.Object{Category: geo.AllCategories[r.IntN(len(geo.AllCategories))], Name: fmt.Sprint("对象", i), SourceID: fmt.Sprint(i),
			Point: orb.Point{x + r.Float64()*0.09, 28.4 + r.Float64()*0.09}, County: county, Grade: g}
		if g.Assessed() {
			o.Method, o.AssessedAt = "stated", &at
		}
		ds.Objects = append(ds.Objects, o)
	}
	s, conn := gradingEnv(t, ds)
	ctx := context.Background()
	check := func(when string) {
		t.Helper()
		const direct = `SELECT coalesce(county_code, ''), category::text, coalesce(grade::text, ''), count(*)::int FROM risk_object
			WHERE retired_at IS NULL AND county_code IS NOT NULL GROUP BY 1, 2, 3`
		const kept = `SELECT code, category::text, grade, n FROM region_count WHERE level = 'county'`
		if d := queryInt(t, conn, "SELECT count(*) FROM (("+direct+") EXCEPT ("+kept+") UNION ALL (("+kept+") EXCEPT ("+direct+"))) x"); d != 0 {
			t.Errorf("%s: %d rows of region_count disagree with the objects", when, d)
		}
		regions, err := s.Regions(ctx, "county", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, reg := range regions {
			var want string
			conn.QueryRow(ctx, "SELECT coalesce(max(grade)::text, 'unassessed') FROM risk_object WHERE retired_at IS NULL AND county_code = $1", reg.Code).Scan(&want)
			if reg.Grade.String() != want {
				t.Errorf("%s: county %s is %v, the highest grade inside is %s", when, reg.Code, reg.Grade, want)
			}
		}
	}
	check("after the load")
	// Edits: assessments, a hazard, and a reload that retires half.
	var ids []int64
	rows, _ := conn.Query(ctx, "SELECT id FROM risk_object WHERE category = 'enterprises' ORDER BY id LIMIT 10")
	ids, _ = pgx.CollectRows(rows, pgx.RowTo[int64])
	for _, id := range ids {
		if _, err := s.Assess(ctx, "", id, map[string]any{"lec_l": 10.0, "lec_e": 6.0, "lec_c": 40.0}, "x"); err != nil {
			t.Fatal(err)
		}
	}
	check("after assessments")
	if _, err := s.ReportHazard(ctx, geo.Hazard{Code: "Z", ObjectID: &ids[0], Title: "t", Level: "major", DiscoverySource: "report", FoundOn: "2026-11-01"}, "x"); err != nil {
		t.Fatal(err)
	}
	check("after a hazard")
	ds.Objects = ds.Objects[:200]
	if _, err := s.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	check("after a reload that retired half")
	grid, err := s.Regions(ctx, "grid5k", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, g := range grid {
		total += g.Total
	}
	if want := queryInt(t, conn, "SELECT count(*) FROM risk_object WHERE retired_at IS NULL"); total != want {
		t.Errorf("grid cells hold %d objects, want %d", total, want)
	}
	// A township, once its polygon is there, counts what lies inside it.
	ds.Divisions = append(ds.Divisions, geo.Division{Code: "331102001", Name: "紫金街道", Level: "township", ParentCode: "331102", Geometry: square(119.9, 28.4, 0.05)})
	if _, err := s.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	towns, err := s.Regions(ctx, "township", nil, nil)
	if err != nil || len(towns) != 1 {
		t.Fatalf("townships: %v, %v", towns, err)
	}
	if want := queryInt(t, conn, `SELECT count(*) FROM risk_object o JOIN admin_division d ON d.code = '331102001' AND ST_Intersects(d.geom, o.geom)
		WHERE o.retired_at IS NULL`); towns[0].Total != want || want == 0 {
		t.Errorf("紫金街道 holds %d objects, want %d", towns[0].Total, want)
	}
	if _, err := s.Regions(ctx, "hexagons", nil, nil); !errors.Is(err, geo.ErrInvalid) {
		t.Errorf("unknown level: %v", err)
	}
}

// TestRegradeKeepsWhatNoLongerFits: an object whose stored inputs a new
// scheme version refuses is left as it was and counted; the others are
// graded. New API inputs are graded by their own scheme.
func TestRegradeKeepsWhatNoLongerFits(t *testing.T) {
	ds := smallDataset()
	ds.Objects[0].Attributes = map[string]any{"lec_l": 0.2, "lec_e": 6.0, "lec_c": 100.0, "hazchem_score": 95.0} // graded by hazchem first
	ds.Objects[1].Attributes = map[string]any{"lec_l": 0.2, "lec_e": 6.0, "lec_c": 100.0}
	s, conn := gradingEnv(t, ds)
	ctx := context.Background()
	set, err := s.Grading(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range set.Schemes {
		if set.Schemes[i].Code == "lec_4c_A" {
			set.Schemes[i].Options["lec_l"] = []float64{10, 6, 3, 1, 0.5, 0.1} // no 0.2
		}
	}
	if _, err := s.LoadGrading(ctx, set, "test", "tester"); err != nil {
		t.Fatal(err)
	}
	st, err := s.Regrade(ctx, postgis.RegradeFilter{}, "recompute", "tester")
	if err != nil || st.Problems != 1 || len(st.Examples) != 1 {
		t.Errorf("regrade: %+v, %v; want one object kept as it was", st, err)
	}
	var id int64
	conn.QueryRow(ctx, "SELECT id FROM risk_object WHERE source_id = 'r1'").Scan(&id)
	a, err := s.Assess(ctx, "", id, map[string]any{"lec_l": 6.0, "lec_e": 3.0, "lec_c": 15.0}, "tester")
	if err != nil || a.Scheme != "lec_4c_A" || a.Grade != geo.Orange {
		t.Errorf("assess by LEC an object with a 100-point score: %+v, %v; want lec_4c_A orange", a, err)
	}
}

// TestSwitchedOffSchemeKeepsInputs: switching off the scheme that graded
// an object leaves it unassessed, and switching it back grades it again
// from the inputs it kept.
func TestSwitchedOffSchemeKeepsInputs(t *testing.T) {
	s, conn := gradingEnv(t, smallDataset())
	ctx := context.Background()
	toggle := func(on bool) {
		t.Helper()
		set, err := s.Grading(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := range set.Schemes {
			if set.Schemes[i].Code == "stated_shelters" {
				set.Schemes[i].Enabled = on
			}
		}
		if _, err := s.LoadGrading(ctx, set, "test", "tester"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Regrade(ctx, postgis.RegradeFilter{Category: geo.Shelters}, "recompute", "tester"); err != nil {
			t.Fatal(err)
		}
	}
	grade := func() string {
		var g string
		conn.QueryRow(ctx, "SELECT coalesce(grade::text, 'unassessed') FROM risk_object WHERE source_id = 'b1'").Scan(&g)
		return g
	}
	toggle(false)
	if g := grade(); g != "unassessed" {
		t.Errorf("with the stated scheme off: %s, want unassessed", g)
	}
	toggle(true)
	if g := grade(); g != "blue" {
		t.Errorf("with it back on: %s, want blue again", g)
	}
}
