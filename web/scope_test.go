package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/geo/postgis"
	"riskmap/geo/postgis/pgtest"
	"riskmap/web"
)

// chainFixture is a store holding pgtest.Chain, served as riskmap serve
// serves it, with helpers that make targets in a division as the system.
type chainFixture struct {
	s   *postgis.Store
	db  *pgx.Conn
	srv string
	seq atomic.Int64
}

func newChainFixture(t *testing.T, opts web.Options) *chainFixture {
	t.Helper()
	s, db := pgtest.Loaded(t, pgtest.Chain())
	return &chainFixture{s: s, db: db, srv: authServer(t, s, opts).URL}
}

func (f *chainFixture) next() int64 { return f.seq.Add(1) }

// place is a point of division code, a little apart for each target made.
func (f *chainFixture) place(code string) orb.Point {
	p := pgtest.Places[code]
	n := f.next()
	return orb.Point{p[0] + float64(n%50)*0.0004, p[1] + float64(n/50%50)*0.0004}
}

// object makes a risk object of category c in division code (in SQL:
// the import's own path is tested elsewhere, and is slow for hundreds of
// single objects).
func (f *chainFixture) object(t *testing.T, c geo.Category, code string) int64 {
	t.Helper()
	n := f.next()
	attrs := `{}`
	if c == geo.RescueResources {
		attrs = `{"team_type": "消防救援", "status": "available", "headcount": 10}`
	}
	p := f.place(code)
	var id int64
	err := f.db.QueryRow(context.Background(), `INSERT INTO risk_object (category, name, geom, county_code, division_code, source, source_id, attributes)
		VALUES ($1::text::risk_category, $2, ST_SetSRID(ST_MakePoint($3, $4), 4490), $5, $6, 'matrix', $7, $8::jsonb) RETURNING id`,
		string(c), fmt.Sprintf("对象%d", n), p[0], p[1], geo.CountyOf(code), code, fmt.Sprint(n), attrs).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *chainFixture) hazard(t *testing.T, code string) int64 {
	t.Helper()
	p := f.place(code)
	h, err := f.s.ReportHazard(context.Background(), geo.Hazard{Code: fmt.Sprintf("YH-%d", f.next()), Title: "隐患", Level: "general",
		DiscoverySource: "patrol", FoundOn: "2026-11-20", Lon: p[0], Lat: p[1]}, "system")
	if err != nil {
		t.Fatal(err)
	}
	return h.ID
}

// supervision puts a new hazard in division code under the supervision
// of the division above it, acknowledged already with acked.
func (f *chainFixture) supervision(t *testing.T, code string, acked bool) int64 {
	t.Helper()
	ctx := context.Background()
	sv, err := f.s.Supervise(ctx, f.hazard(t, code), geo.NewSupervision{Division: geo.ParentDivision(code), Mode: "listed"}, "system")
	if err != nil {
		t.Fatal(err)
	}
	if acked {
		if _, err := f.s.StepSupervision(ctx, sv.ID, geo.SupervisionStep{Action: "acknowledge"}, "system"); err != nil {
			t.Fatal(err)
		}
	}
	return sv.ID
}

// belowSupervisor: 签收 and 反馈 are for the divisions below the one that
// supervises (the fixture's: the one above the target's).
func belowSupervisor(actor, target string) bool {
	return !geo.Within(actor, geo.ParentDivision(target))
}

func (f *chainFixture) incident(t *testing.T, code string) int64 {
	t.Helper()
	now := time.Now()
	in, err := f.s.ReportIncident(context.Background(), geo.NewIncident{Kind: "fire", Level: "IV", Title: "火情", ReportedAt: &now}, f.place(code), "system")
	if err != nil {
		t.Fatal(err)
	}
	return in.ID
}

// zoneRingIn is a small square ring in division code, as GeoJSON.
func (f *chainFixture) zoneRingIn(code string) (string, orb.Polygon) {
	p := f.place(code)
	x0, y0, x1, y1 := p[0]-0.01, p[1]-0.01, p[0]+0.01, p[1]+0.01
	ring := orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
	return fmt.Sprintf(`[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]`, x0, y0, x1, y0, x1, y1, x0, y1, x0, y0), ring
}

func (f *chainFixture) zone(t *testing.T, code string) (int64, string) {
	t.Helper()
	ringText, ring := f.zoneRingIn(code)
	z, err := f.s.CreateZone(context.Background(), geo.ZoneFeature{Fields: geo.ZoneFields{Name: "区", HazardType: "flood", Kind: "risk_zone", Grade: "red", Source: "survey"},
		Geometry: ring}, geo.ZoneOptions{}, "system")
	if err != nil {
		t.Fatal(err)
	}
	return z.ID, ringText
}

func (f *chainFixture) user(t *testing.T, code string) string {
	t.Helper()
	name := fmt.Sprintf("u%d", f.next())
	if _, err := f.s.AddUser(context.Background(), name, "", access.Viewer, testHash(), code); err != nil {
		t.Fatal(err)
	}
	return name
}

// scopeReq is one request of the matrix.
type scopeReq struct {
	method, path, body, ctype string
	hdr                       map[string]string
}

// scopeWrites are every route that writes, each with the role it needs
// and how to make its target in a division; TestWritesByDivision fails
// for a write route that has no row here.
var scopeWrites = []struct {
	route string
	need  access.Role
	make  func(t *testing.T, f *chainFixture, code string) scopeReq
	// refused is the status of a target outside the actor's division
	// (default 403; an import reports the rows, 422).
	refused int
	// level, when set, says which actors inside the target's division
	// may do it at all (receiving an incident is for a county and the
	// levels above); the others get a 409.
	level func(actor, target string) bool
	// scopeOf, when set, is the division whose actors may do it, for a
	// target made in division target (default target itself): lifting a
	// supervision is for the division that issued it.
	scopeOf func(target string) string
}{
	{"POST /api/v1/imports", access.Editor, func(t *testing.T, f *chainFixture, code string) scopeReq {
		p := f.place(code)
		csv := fmt.Sprintf("编号,企业名称,经度,纬度\nE%d,某企业,%f,%f\n", f.next(), p[0], p[1])
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.WriteField("category", "enterprises")
		mw.WriteField("source", fmt.Sprintf("list%d", f.next()))
		w, _ := mw.CreateFormFile("file", "list.csv")
		io.WriteString(w, csv)
		mw.Close()
		return scopeReq{method: "POST", path: "/api/v1/imports", body: b.String(), ctype: mw.FormDataContentType()}
	}, http.StatusUnprocessableEntity, nil, nil},
	{"PUT /api/v1/import-templates", access.Editor, func(t *testing.T, f *chainFixture, code string) scopeReq {
		// The target is a template saved from division code.
		src := fmt.Sprintf("tpl%d", f.next())
		if _, err := f.db.Exec(context.Background(), `INSERT INTO import_template (category, source, mapping, division_code, updated_by)
			VALUES ('enterprises', $1, '{"columns": {}}', $2, 'test')`, src, code); err != nil {
			t.Fatal(err)
		}
		return scopeReq{method: "PUT", path: "/api/v1/import-templates", body: `{"category": "enterprises", "source": "` + src + `", "mapping": {"columns": {"单位名": "name"}}}`}
	}, 0, nil, nil},
	{"POST /api/v1/objects/:id/assessments", access.Planner, func(t *testing.T, f *chainFixture, code string) scopeReq {
		return scopeReq{method: "POST", path: fmt.Sprintf("/api/v1/objects/%d/assessments", f.object(t, geo.Bridges, code)), body: `{"inputs": {"grade": "red"}}`}
	}, 0, nil, nil},
	{"POST /api/v1/hidden-hazards", access.Planner, func(t *testing.T, f *chainFixture, code string) scopeReq {
		p := f.place(code)
		return scopeReq{method: "POST", path: "/api/v1/hidden-hazards", body: fmt.Sprintf(`{"code": "H%d", "title": "通道堵塞", "level": "general",
			"discovery_source": "patrol", "found_on": "2026-11-20", "lon": %f, "lat": %f}`, f.next(), p[0], p[1])}
	}, 0, nil, nil},
	{"POST /api/v1/hidden-hazards/:id/steps", access.Planner, func(t *testing.T, f *chainFixture, code string) scopeReq {
		return scopeReq{method: "POST", path: fmt.Sprintf("/api/v1/hidden-hazards/%d/steps", f.hazard(t, code)),
			body: `{"action": "assign", "responsible_unit": "某公司", "supervision_level": "county", "rectify_deadline": "` + time.Now().AddDate(0, 0, 10).Format(time.DateOnly) + `"}`}
	}, 0, nil, nil},
	{"POST /api/v1/hidden-hazards/:id/supervisions", access.Planner, func(t *testing.T, f *chainFixture, code string) scopeReq {
		return scopeReq{method: "POST", path: fmt.Sprintf("/api/v1/hidden-hazards/%d/supervisions", f.hazard(t, code)), body: `{"mode": "listed", "requirements": "限期整改"}`}
	}, 0, func(actor, target string) bool { return actor != target }, nil},
	{"POST /api/v1/supervisions/:id/acknowledge", access.Planner, func(t *testing.T, f *chainFixture, code string) scopeReq {
		return scopeReq{method: "POST", path: fmt.Sprintf("/api/v1/supervisions/%d/acknowledge", f.supervision(t, code, false))}
	}, 0, belowSupervisor, nil},
	{"POST /api/v1/supervisions/:id/feedback", access.Planner, func(t *testing.T, f *chainFixture, code string) scopeReq {
		return scopeReq{method: "POST", path: fmt.Sprintf("/api/v1/supervisions/%d/feedback", f.supervision(t, code, true)), body: `{"note": "已停产整改"}`}
	}, 0, belowSupervisor, nil},
	{"POST /api/v1/supervisions/:id/lift", access.Planner, func(t *testing.T, f *chainFixture, code string) scopeReq {
		return scopeReq{method: "POST", path: fmt.Sprintf("/api/v1/supervisions/%d/lift", f.supervision(t, code, false)), body: `{"note": "误报, 撤销督办"}`}
	}, 0, nil, geo.ParentDivision},
	{"POST /api/v1/incidents", access.Dispatcher, func(t *testing.T, f *chainFixture, code string) scopeReq {
		p := f.place(code)
		return scopeReq{method: "POST", path: "/api/v1/incidents", body: fmt.Sprintf(`{"kind": "fire", "level": "IV", "title": "火情", "lon": %f, "lat": %f}`, p[0], p[1])}
	}, 0, nil, nil},
	{"PATCH /api/v1/incidents/:id", access.Dispatcher, func(t *testing.T, f *chainFixture, code string) scopeReq {
		return scopeReq{method: "PATCH", path: fmt.Sprintf("/api/v1/incidents/%d", f.incident(t, code)), body: `{"status": "closed"}`}
	}, 0, nil, nil},
	{"POST /api/v1/incidents/:id/assignments", access.Dispatcher, func(t *testing.T, f *chainFixture, code string) scopeReq {
		return scopeReq{method: "POST", path: fmt.Sprintf("/api/v1/incidents/%d/assignments", f.incident(t, code)),
			body: fmt.Sprintf(`{"resource_id": %d}`, f.object(t, geo.RescueResources, code))}
	}, 0, nil, nil},
	{"DELETE /api/v1/incidents/:id/assignments/:resource", access.Dispatcher, func(t *testing.T, f *chainFixture, code string) scopeReq {
		in, res := f.incident(t, code), f.object(t, geo.RescueResources, code)
		if _, err := f.s.Assign(context.Background(), in, res, nil, "system"); err != nil {
			t.Fatal(err)
		}
		return scopeReq{method: "DELETE", path: fmt.Sprintf("/api/v1/incidents/%d/assignments/%d", in, res)}
	}, 0, nil, nil},
	{"POST /api/v1/resources/:id/positions", access.Dispatcher, func(t *testing.T, f *chainFixture, code string) scopeReq {
		p := f.place(code)
		return scopeReq{method: "POST", path: fmt.Sprintf("/api/v1/resources/%d/positions", f.object(t, geo.RescueResources, code)),
			body: fmt.Sprintf(`{"lon": %f, "lat": %f}`, p[0], p[1])}
	}, 0, nil, nil},
	{"POST /api/v1/zones", access.Planner, func(t *testing.T, f *chainFixture, code string) scopeReq {
		ring, _ := f.zoneRingIn(code)
		return scopeReq{method: "POST", path: "/api/v1/zones", body: zoneBody("新区", "red", ring)}
	}, 0, nil, nil},
	{"PUT /api/v1/zones/:id", access.Planner, func(t *testing.T, f *chainFixture, code string) scopeReq {
		id, ring := f.zone(t, code)
		return scopeReq{method: "PUT", path: fmt.Sprintf("/api/v1/zones/%d", id), body: zoneBody("改名", "orange", ring), hdr: map[string]string{"If-Match": `"1"`}}
	}, 0, nil, nil},
	{"DELETE /api/v1/zones/:id", access.Planner, func(t *testing.T, f *chainFixture, code string) scopeReq {
		id, _ := f.zone(t, code)
		return scopeReq{method: "DELETE", path: fmt.Sprintf("/api/v1/zones/%d", id), hdr: map[string]string{"If-Match": `"1"`}}
	}, 0, nil, nil},
	{"POST /api/v1/zones/:id/versions/:version/restore", access.Planner, func(t *testing.T, f *chainFixture, code string) scopeReq {
		id, _ := f.zone(t, code)
		if _, err := f.s.DeleteZone(context.Background(), id, 1, "system"); err != nil {
			t.Fatal(err)
		}
		return scopeReq{method: "POST", path: fmt.Sprintf("/api/v1/zones/%d/versions/1/restore", id), hdr: map[string]string{"If-Match": `"2"`}}
	}, 0, nil, nil},
	{"POST /api/v1/zones/:id/split", access.Planner, func(t *testing.T, f *chainFixture, code string) scopeReq {
		id, _ := f.zone(t, code)
		var x, y0, y1 float64
		f.db.QueryRow(context.Background(), `SELECT ST_X(ST_Centroid(geom)), ST_YMin(geom) - 0.01, ST_YMax(geom) + 0.01 FROM hazard_zone WHERE id = $1`, id).Scan(&x, &y0, &y1)
		return scopeReq{method: "POST", path: fmt.Sprintf("/api/v1/zones/%d/split", id),
			body: fmt.Sprintf(`{"line": {"type": "LineString", "coordinates": [[%f, %f], [%f, %f]]}}`, x, y0, x, y1), hdr: map[string]string{"If-Match": `"1"`}}
	}, 0, nil, nil},
	{"POST /api/v1/zones/merge", access.Planner, func(t *testing.T, f *chainFixture, code string) scopeReq {
		a, _ := f.zone(t, code)
		b, _ := f.zone(t, code)
		return scopeReq{method: "POST", path: "/api/v1/zones/merge", body: fmt.Sprintf(`{"zones": [{"id": %d, "version": 1}, {"id": %d, "version": 1}]}`, a, b)}
	}, 0, nil, nil},
	{"POST /api/v1/incidents/:id/receipts", access.Dispatcher, func(t *testing.T, f *chainFixture, code string) scopeReq {
		return scopeReq{method: "POST", path: fmt.Sprintf("/api/v1/incidents/%d/receipts", f.incident(t, code))}
	}, 0, func(actor, _ string) bool { return geo.DivisionLevel(actor) != geo.LevelTownship }, nil},
	{"POST /api/v1/users", access.Admin, func(t *testing.T, f *chainFixture, code string) scopeReq {
		return scopeReq{method: "POST", path: "/api/v1/users", body: fmt.Sprintf(`{"name": "n%d", "role": "viewer", "division": %q, "password": "password for tests"}`, f.next(), code)}
	}, 0, nil, nil},
	{"PATCH /api/v1/users/:name", access.Admin, func(t *testing.T, f *chainFixture, code string) scopeReq {
		return scopeReq{method: "PATCH", path: "/api/v1/users/" + f.user(t, code), body: `{"disabled": true}`}
	}, 0, nil, nil},
	{"POST /api/v1/users/:name/password", access.Admin, func(t *testing.T, f *chainFixture, code string) scopeReq {
		return scopeReq{method: "POST", path: "/api/v1/users/" + f.user(t, code) + "/password"}
	}, 0, nil, nil},
	{"POST /api/v1/tokens", access.Admin, func(t *testing.T, f *chainFixture, code string) scopeReq {
		return scopeReq{method: "POST", path: "/api/v1/tokens", body: fmt.Sprintf(`{"name": "feed", "user": %q, "role": "viewer"}`, f.user(t, code))}
	}, 0, nil, nil},
	{"DELETE /api/v1/tokens/:id", access.Admin, func(t *testing.T, f *chainFixture, code string) scopeReq {
		id, _, _, err := f.s.CreateToken(context.Background(), "k", f.user(t, code), access.Viewer, "", time.Now().Add(time.Hour), "system")
		if err != nil {
			t.Fatal(err)
		}
		return scopeReq{method: "DELETE", path: fmt.Sprintf("/api/v1/tokens/%d", id)}
	}, 0, nil, nil},
	// The grading configuration grades every division: only an actor of
	// the whole deployment may change it (a dry run, to change nothing).
	{"POST /api/v1/grading/switch", access.Admin, func(t *testing.T, f *chainFixture, code string) scopeReq {
		return scopeReq{method: "POST", path: "/api/v1/grading/switch", body: `{"kind": "rule", "key": "R7", "enabled": false, "reason": "矩阵", "dry_run": true}`}
	}, 0, nil, func(string) string { return "" }},
	{"POST /api/v1/grading/load", access.Admin, func(t *testing.T, f *chainFixture, code string) scopeReq {
		return scopeReq{method: "POST", path: "/api/v1/grading/load", body: `{"reason": "矩阵", "dry_run": true, "set": {"rules": [
			{"key": "RX", "priority": 99, "enabled": true, "when": {"var": "open_major_hidden_hazards", "op": ">", "value": 5}, "action": "raise", "steps": 1, "reason_zh": "测试"}]}}`}
	}, 0, nil, func(string) string { return "" }},
}

// notDivisionWrites are the write routes (by what they need) that no
// division limits, and why.
var notDivisionWrites = map[string]string{
	"POST /api/v1/session/password": "one's own password",
	"POST /api/v1/session":          "the login: for everyone",
	"DELETE /api/v1/session":        "the logout: one's own session",
}

// TestWritesByDivision is the matrix of who may write where: actors of
// every level (and anonymous) × targets in township A, county A, county
// B and the second city's county, on every write route. An actor may
// write what lies in their division or below; anything else is a 403
// naming both divisions (an import: a 422 whose report names the row),
// audited, and leaves nothing behind.
func TestWritesByDivision(t *testing.T) {
	f := newChainFixture(t, web.Options{})
	h := authHandler(t, f.s, web.Options{}).(*web.Server)
	listed := map[string]bool{}
	for _, w := range scopeWrites {
		listed[w.route] = true
	}
	for _, r := range h.Routes() {
		if strings.HasPrefix(r, "GET ") || strings.HasPrefix(r, "HEAD ") {
			continue
		}
		if _, ok := notDivisionWrites[r]; !ok && !listed[r] {
			t.Errorf("write route %s has no row in the division matrix (scopeWrites)", r)
		}
	}
	actors := []struct{ name, code string }{
		{"province", pgtest.Province}, {"city A", pgtest.CityA}, {"county A", pgtest.CountyA},
		{"county B", pgtest.CountyB}, {"township of A", pgtest.TownshipA}, {"anonymous", "-"},
	}
	targets := []string{pgtest.TownshipA, pgtest.CountyA, pgtest.CountyB, pgtest.CountyC}
	tokens := map[string]string{}
	token := func(code string, role access.Role) string {
		k := code + "/" + string(role)
		if tokens[k] == "" {
			tokens[k] = newTokenIn(t, f.s, role, code)
		}
		return tokens[k]
	}
	var refusals atomic.Int64
	for _, w := range scopeWrites {
		for _, a := range actors {
			for _, target := range targets {
				t.Run(fmt.Sprintf("%s by %s in %s", w.route, a.name, target), func(t *testing.T) {
					rq := w.make(t, f, target)
					req, err := http.NewRequest(rq.method, f.srv+rq.path, strings.NewReader(rq.body))
					if err != nil {
						t.Fatal(err)
					}
					if rq.ctype == "" && rq.body != "" {
						rq.ctype = "application/json"
					}
					if rq.ctype != "" {
						req.Header.Set("Content-Type", rq.ctype)
					}
					for k, v := range rq.hdr {
						req.Header.Set(k, v)
					}
					if a.code != "-" {
						req.Header.Set("Authorization", "Bearer "+token(a.code, w.need))
					}
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					body := string(b)
					refused := w.refused
					if refused == 0 {
						refused = http.StatusForbidden
					}
					where := target
					if w.scopeOf != nil {
						where = w.scopeOf(target)
					}
					switch {
					case a.code == "-":
						if resp.StatusCode != http.StatusUnauthorized {
							t.Errorf("anonymous: %d %s, want 401", resp.StatusCode, body)
						}
					case geo.Within(a.code, where) && w.level != nil && !w.level(a.code, target):
						if resp.StatusCode != http.StatusConflict {
							t.Errorf("not for this level: %d %s, want 409", resp.StatusCode, body)
						}
					case geo.Within(a.code, where):
						if resp.StatusCode >= 300 {
							t.Errorf("allowed: %d %s", resp.StatusCode, body)
						}
					default:
						if resp.StatusCode != refused || !strings.Contains(body, where) || !strings.Contains(body, a.code) {
							t.Errorf("want %d naming %s and %s, got %d %s", refused, where, a.code, resp.StatusCode, body)
						}
						if refused == http.StatusForbidden {
							refusals.Add(1)
							var p struct {
								TargetDivision string `json:"target_division"`
								ActorDivision  string `json:"actor_division"`
							}
							json.Unmarshal(b, &p)
							if p.TargetDivision != where || p.ActorDivision != a.code {
								t.Errorf("problem body names %+v", p)
							}
						}
					}
				})
			}
		}
	}
	// Every refusal is in the audit log, with both divisions.
	var n int
	if err := f.db.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE outcome = 'refused' AND after ? 'target_division'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := refusals.Load(); int64(n) != want || want == 0 {
		t.Errorf("%d refusals audited with their divisions, want %d", n, want)
	}
}
