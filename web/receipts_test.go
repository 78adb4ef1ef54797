package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/geo/postgis/pgtest"
	"riskmap/web"
)

// TestIncidentReceipts: an incident reported in county B is received by
// the county (within 1 h), the city (3 h) and the province (5 h); each
// level sees it among its tasks until it receives it, and one late is
// overdue; a level receives only for its own division or below.
func TestIncidentReceipts(t *testing.T) {
	f := newChainFixture(t, web.Options{})
	tok := map[string]string{}
	for _, code := range []string{pgtest.Province, pgtest.CityA, pgtest.CountyA, pgtest.CountyB} {
		tok[code] = newTokenIn(t, f.s, access.Dispatcher, code)
	}
	p := pgtest.Places[pgtest.CountyB]
	reported := time.Now().Add(-4 * time.Hour).Format(time.RFC3339)
	status, body, _ := call(t, http.DefaultClient, "POST", f.srv+"/api/v1/incidents",
		fmt.Sprintf(`{"kind": "fire", "level": "IV", "title": "仓库火灾", "lon": %f, "lat": %f, "reported_at": %q}`, p[0], p[1], reported), tok[pgtest.CountyB], nil)
	var in geo.Incident
	if json.Unmarshal([]byte(body), &in); status != 201 || len(in.Receipts) != 3 {
		t.Fatalf("report: %d %s", status, body)
	}
	want := []struct {
		code    string
		overdue bool
	}{{pgtest.CountyB, true}, {pgtest.CityA, true}, {pgtest.Province, false}}
	for i, w := range want {
		r := in.Receipts[i]
		if r.Division != w.code || r.Overdue != w.overdue || r.ReceivedAt != nil {
			t.Errorf("receipt %d: %+v, want %s overdue=%v", i, r, w.code, w.overdue)
		}
	}
	if d := in.Receipts[2].DueAt.Sub(in.ReportedAt); d != 5*time.Hour {
		t.Errorf("the province's receipt is due %v after the report, want 5h", d)
	}
	tasks := func(code string) geo.Tasks {
		t.Helper()
		var ts geo.Tasks
		status, body, _ := call(t, http.DefaultClient, "GET", f.srv+"/api/v1/tasks", "", tok[code], nil)
		if json.Unmarshal([]byte(body), &ts); status != 200 {
			t.Fatalf("tasks of %s: %d %s", code, status, body)
		}
		return ts
	}
	for code, n := range map[string]int{pgtest.CountyB: 1, pgtest.CityA: 1, pgtest.Province: 1, pgtest.CountyA: 0} {
		if ts := tasks(code); ts.Counts["receipts"] != n || len(ts.Receipts) != n || (n == 1 && ts.Receipts[0].IncidentID != in.ID) {
			t.Errorf("tasks of %s: %+v, want %d receipt", code, ts, n)
		}
	}
	if ts := tasks(pgtest.CityA); ts.Counts["receipts_overdue"] != 1 {
		t.Errorf("the city's receipt is not counted overdue: %+v", ts.Counts)
	}
	receive := func(code, body string) (int, string) {
		status, out, _ := call(t, http.DefaultClient, "POST", fmt.Sprintf("%s/api/v1/incidents/%d/receipts", f.srv, in.ID), body, tok[code], nil)
		return status, out
	}
	if st, out := receive(pgtest.CountyB, ""); st != 200 || !strings.Contains(out, `"received_by":"token:`) {
		t.Errorf("county B receives: %d %s", st, out)
	}
	if st, out := receive(pgtest.CountyB, `{"division": "331100"}`); st != 403 || !strings.Contains(out, "331100") {
		t.Errorf("county B receives for the city: %d %s, want 403", st, out)
	}
	if st, out := receive(pgtest.CountyA, ""); st != 403 || !strings.Contains(out, pgtest.CountyB) {
		t.Errorf("county A receives B's incident: %d %s, want 403", st, out)
	}
	if ts := tasks(pgtest.CountyB); ts.Counts["receipts"] != 0 {
		t.Errorf("county B still has %d receipts waiting", ts.Counts["receipts"])
	}
	if ts := tasks(pgtest.CityA); ts.Counts["receipts"] != 1 {
		t.Errorf("the city's receipt went with the county's: %+v", ts.Counts)
	}
	if st, _ := receive(pgtest.CityA, ""); st != 200 {
		t.Errorf("the city receives: %d", st)
	}
	// Hidden hazards wait among the tasks of their division.
	f.hazard(t, pgtest.TownshipA)
	if ts := tasks(pgtest.CountyA); ts.Counts["hazards"] != 1 || len(ts.Hazards) != 1 {
		t.Errorf("county A's hazards: %+v", ts.Counts)
	}
	if ts := tasks(pgtest.CountyB); ts.Counts["hazards"] != 0 {
		t.Errorf("county B sees A's hazard among its tasks: %+v", ts.Counts)
	}
	if st, _, _ := call(t, http.DefaultClient, "GET", f.srv+"/api/v1/tasks", "", "", nil); st != 401 {
		t.Errorf("anonymous tasks: %d, want 401", st)
	}
}
