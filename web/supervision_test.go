package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/geo/postgis/pgtest"
	"riskmap/web"
)

// TestSupervisionLoop follows 挂牌督办 over HTTP: city A supervises
// hazards in county A, its township and county B; each county sees its
// own as tasks with their deadlines, acknowledges (签收) and feeds back
// (反馈); the city sees how far each county has come, what is overdue,
// and lifts (摘牌) a supervision once its hazard is closed.
func TestSupervisionLoop(t *testing.T) {
	f := newChainFixture(t, web.Options{})
	ctx := context.Background()
	tok := map[string]string{}
	for _, code := range []string{pgtest.CityA, pgtest.CountyA, pgtest.CountyB, pgtest.TownshipA} {
		tok[code] = newTokenIn(t, f.s, access.Planner, code)
	}
	if _, err := f.db.Exec(ctx, `LISTEN riskmap_objects`); err != nil {
		t.Fatal(err)
	}
	do := func(method, path, body, code string, want int) string {
		t.Helper()
		status, got, _ := call(t, http.DefaultClient, method, f.srv+path, body, tok[code], nil)
		if status != want {
			t.Fatalf("%s %s as %s: %d %s, want %d", method, path, code, status, got, want)
		}
		return got
	}
	supervise := func(hazard int64, body string) geo.Supervision {
		t.Helper()
		var sv geo.Supervision
		json.Unmarshal([]byte(do("POST", fmt.Sprintf("/api/v1/hidden-hazards/%d/supervisions", hazard), body, pgtest.CityA, http.StatusCreated)), &sv)
		return sv
	}
	hA, hT, hB := f.hazard(t, pgtest.CountyA), f.hazard(t, pgtest.TownshipA), f.hazard(t, pgtest.CountyB)
	before := time.Now()
	svA := supervise(hA, `{"mode": "listed", "requirements": "30日内完成整改"}`)
	today := time.Now().In(geo.Local)
	if svA.Division != pgtest.CityA || svA.HazardDivision != pgtest.CountyA || svA.Step != "acknowledge" || svA.WindowDays != 60 ||
		svA.DeadlineOn != today.AddDate(0, 0, 60).Format(time.DateOnly) || svA.Overdue {
		t.Errorf("city's supervision: %+v", svA)
	}
	if d := svA.AckDue.Sub(before); d < 24*time.Hour-time.Minute || d > 24*time.Hour+time.Minute {
		t.Errorf("签收 due %v after 交办, want a day", d)
	}
	if d := svA.FeedbackDue.Sub(svA.AckDue); d < 6*24*time.Hour-time.Minute || d > 6*24*time.Hour+time.Minute {
		t.Errorf("反馈 due %v after 签收, want six days more", d)
	}
	// The pages hear that county A's tasks moved.
	n, err := f.db.WaitForNotification(ctx)
	if err != nil || !strings.Contains(n.Payload, `"kind" : "tasks"`) || !strings.Contains(n.Payload, pgtest.CountyA) {
		t.Errorf("notification %+v %v, want county A's tasks", n, err)
	}
	svT := supervise(hT, `{"mode": "covert", "window_days": 30, "ack_days": 2, "feedback_days": 10}`)
	svB := supervise(hB, `{"mode": "ordinary"}`)
	if svT.WindowDays != 30 || svT.HazardDivision != pgtest.TownshipA {
		t.Errorf("township's supervision: %+v", svT)
	}
	// Once per hazard and division, and only what lies below.
	do("POST", fmt.Sprintf("/api/v1/hidden-hazards/%d/supervisions", hA), `{"mode": "listed"}`, pgtest.CityA, http.StatusConflict)
	do("POST", fmt.Sprintf("/api/v1/hidden-hazards/%d/supervisions", hA), `{"mode": "listed", "ack_days": 90}`, pgtest.CityA, http.StatusBadRequest)
	do("POST", fmt.Sprintf("/api/v1/hidden-hazards/%d/supervisions", hA), `{"mode": "often"}`, pgtest.CityA, http.StatusBadRequest)
	do("POST", fmt.Sprintf("/api/v1/hidden-hazards/%d/supervisions", hA), `{"mode": "listed"}`, pgtest.CountyA, http.StatusConflict)
	// The county's supervision of its township's hazard goes beside the city's.
	svTC := geo.Supervision{}
	json.Unmarshal([]byte(do("POST", fmt.Sprintf("/api/v1/hidden-hazards/%d/supervisions", hT), `{"mode": "ordinary"}`, pgtest.CountyA, http.StatusCreated)), &svTC)

	tasks := func(code string) geo.Tasks {
		t.Helper()
		var ts geo.Tasks
		json.Unmarshal([]byte(do("GET", "/api/v1/tasks", "", code, http.StatusOK)), &ts)
		return ts
	}
	ids := func(ts geo.Tasks) []int64 {
		var out []int64
		for _, s := range ts.Supervisions {
			out = append(out, s.ID)
		}
		slices.Sort(out)
		return out
	}
	for code, want := range map[string][]int64{
		pgtest.CountyA:   {svA.ID, svT.ID},
		pgtest.TownshipA: {svT.ID, svTC.ID},
		pgtest.CountyB:   {svB.ID},
		pgtest.CityA:     nil,
	} {
		slices.Sort(want)
		if ts := tasks(code); !slices.Equal(ids(ts), want) || ts.Counts["supervisions"] != len(want) {
			t.Errorf("tasks of %s: %v (%d), want %v", code, ids(ts), ts.Counts["supervisions"], want)
		}
	}

	// 签收, then 反馈 (which needs what was done).
	step := func(id int64, action, body, code string, want int) geo.Supervision {
		t.Helper()
		var sv geo.Supervision
		json.Unmarshal([]byte(do("POST", fmt.Sprintf("/api/v1/supervisions/%d/%s", id, action), body, code, want)), &sv)
		return sv
	}
	step(svA.ID, "feedback", `{"note": "已整改"}`, pgtest.CountyA, http.StatusConflict)
	step(svA.ID, "acknowledge", "", pgtest.CityA, http.StatusConflict)
	if sv := step(svA.ID, "acknowledge", `{"note": "收到"}`, pgtest.CountyA, http.StatusOK); sv.Step != "feedback" || sv.AckedAt == nil || sv.AckLate {
		t.Errorf("acknowledged: %+v", sv)
	}
	step(svA.ID, "acknowledge", "", pgtest.CountyA, http.StatusConflict)
	if body := do("POST", fmt.Sprintf("/api/v1/supervisions/%d/feedback", svA.ID), `{}`, pgtest.CountyA, http.StatusBadRequest); !strings.Contains(body, "note") {
		t.Errorf("feedback without a note: %s", body)
	}
	if sv := step(svA.ID, "feedback", `{"note": "已制定治理方案, 停产整改中"}`, pgtest.CountyA, http.StatusOK); sv.Step != "rectify" || sv.Feedbacks != 1 || sv.FedBackBy == "" {
		t.Errorf("fed back: %+v", sv)
	}
	step(svT.ID, "acknowledge", "", pgtest.TownshipA, http.StatusOK)
	step(svB.ID, "acknowledge", "", pgtest.CountyA, http.StatusForbidden)

	// County B's 签收 is late.
	if _, err := f.db.Exec(ctx, `UPDATE hazard_supervision SET ack_due = now() - interval '1 hour', issued_at = now() - interval '2 hours' WHERE id = $1`, svB.ID); err != nil {
		t.Fatal(err)
	}
	if ts := tasks(pgtest.CountyB); ts.Counts["supervisions_overdue"] != 1 || !ts.Supervisions[0].Overdue || !ts.Supervisions[0].AckLate {
		t.Errorf("county B's late 签收: %+v", ts)
	}

	// The city sees how far each county has come.
	var list geo.Supervisions
	json.Unmarshal([]byte(do("GET", "/api/v1/supervisions", "", pgtest.CityA, http.StatusOK)), &list)
	wantBy := []geo.SupervisionSummary{
		{Division: pgtest.CountyA, Name: "莲都区", Total: 2, Acknowledged: 2, FedBack: 1},
		{Division: pgtest.CountyB, Name: "缙云县", Total: 1, Overdue: 1},
	}
	if len(list.Items) != 3 || !slices.Equal(list.ByDivision, wantBy) {
		t.Errorf("the city's supervisions: %d items, by division %+v, want %+v", len(list.Items), list.ByDivision, wantBy)
	}
	// County A sees the one it issued; county B none (its own are the city's).
	json.Unmarshal([]byte(do("GET", "/api/v1/supervisions", "", pgtest.CountyA, http.StatusOK)), &list)
	if len(list.Items) != 1 || list.Items[0].ID != svTC.ID || len(list.ByDivision) != 1 || list.ByDivision[0].Division != pgtest.TownshipA {
		t.Errorf("county A's supervisions: %+v", list)
	}
	do("GET", fmt.Sprintf("/api/v1/supervisions/%d", svA.ID), "", pgtest.CountyA, http.StatusOK)
	do("GET", fmt.Sprintf("/api/v1/supervisions/%d", svA.ID), "", pgtest.CountyB, http.StatusNotFound)

	// County A closes the hazard; the city is to lift the supervision.
	for _, st := range []geo.HazardStep{
		{Action: "assign", ResponsibleUnit: "某公司", RectifyDeadline: today.AddDate(0, 0, 5).Format(time.DateOnly), SupervisionLevel: "county"},
		{Action: "rectify_immediately", Evidence: json.RawMessage(`[{"name": "整改照片"}]`)},
	} {
		if _, err := f.s.StepHazard(ctx, hA, st, "system"); err != nil {
			t.Fatal(err)
		}
	}
	if ts := tasks(pgtest.CityA); len(ts.Supervisions) != 1 || ts.Supervisions[0].ID != svA.ID || ts.Supervisions[0].Step != "lift" {
		t.Errorf("the city's tasks once the hazard is closed: %+v", ts.Supervisions)
	}
	if ts := tasks(pgtest.CountyA); !slices.Equal(ids(ts), []int64{svT.ID}) {
		t.Errorf("county A's tasks once the hazard is closed: %v", ids(ts))
	}
	step(svA.ID, "lift", "", pgtest.CountyA, http.StatusForbidden)
	if sv := step(svA.ID, "lift", "", pgtest.CityA, http.StatusOK); sv.Step != "lifted" || sv.LiftedAt == nil {
		t.Errorf("lifted: %+v", sv)
	}
	step(svA.ID, "lift", "", pgtest.CityA, http.StatusConflict)
	// Lifting before the hazard is closed needs a reason.
	step(svB.ID, "lift", "", pgtest.CityA, http.StatusBadRequest)
	if ts := tasks(pgtest.CityA); len(ts.Supervisions) != 0 {
		t.Errorf("the city's tasks after lifting: %+v", ts.Supervisions)
	}
	json.Unmarshal([]byte(do("GET", "/api/v1/supervisions?all=true", "", pgtest.CityA, http.StatusOK)), &list)
	if len(list.ByDivision) != 2 || list.ByDivision[0].Lifted != 1 || list.ByDivision[0].Rectified != 1 {
		t.Errorf("the city's supervisions with the lifted: %+v", list.ByDivision)
	}
	// A closed hazard is supervised no more.
	do("POST", fmt.Sprintf("/api/v1/hidden-hazards/%d/supervisions", hA), `{"mode": "listed"}`, pgtest.CityA, http.StatusConflict)

	// The hazard tells its supervisions and their steps.
	var h geo.Hazard
	json.Unmarshal([]byte(do("GET", fmt.Sprintf("/api/v1/hidden-hazards/%d", hA), "", pgtest.CountyA, http.StatusOK)), &h)
	var actions []string
	for _, e := range h.Events {
		actions = append(actions, e.Action)
	}
	if len(h.Supervisions) != 1 || !slices.Contains(actions, "supervise") || !slices.Contains(actions, "supervision_feedback") || !slices.Contains(actions, "supervision_lift") {
		t.Errorf("hazard: %d supervisions, steps %v", len(h.Supervisions), actions)
	}
}
