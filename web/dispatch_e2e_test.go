package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/geo/postgis"
	"riskmap/geo/postgis/pgtest"
	"riskmap/importers/demo"
)

// dispatchStore is a database with Lishui's counties and a few rescue
// resources and a shelter at known places around 莲都 (119.92, 28.45),
// the nearest of them a mine rescue team that a fire does not call for.
// With roads, a grid of national roads 0.005° apart round them is the
// road network.
func dispatchStore(t *testing.T, roads bool) (*postgis.Store, string) {
	t.Helper()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	s, err := postgis.Open(ctx, db, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ds, err := demo.Lishui()
	if err != nil {
		t.Fatal(err)
	}
	team := func(name, teamType string, lon, lat float64, headcount int) geo.Object {
		return geo.Object{Category: geo.RescueResources, Name: name, Point: orb.Point{lon, lat}, Source: "e2e", SourceID: name,
			Attributes: map[string]any{"team_type": teamType, "status": "available", "headcount": headcount, "prep_time_min": 3}}
	}
	objs := []geo.Object{
		team("矿山救护队", "矿山救护", 119.9205, 28.4505, 12),
		team("城西消防站", "消防救援", 119.900, 28.460, 30),
		team("莲都消防站", "消防救援", 119.925, 28.452, 25),
		team("市急救中心", "医疗急救", 119.940, 28.440, 8),
		team("远郊消防队", "消防救援", 119.990, 28.500, 40),
		{Category: geo.Shelters, Name: "紫金小学避灾点", Point: orb.Point{119.928, 28.455}, Source: "e2e", SourceID: "s1",
			Attributes: map[string]any{"capacity_persons": 300, "status": "ready"}},
	}
	if _, err := s.Load(ctx, postgis.Dataset{Source: "e2e", Divisions: ds.Divisions, Objects: objs}); err != nil {
		t.Fatal(err)
	}
	if roads {
		var grid []geo.Road
		pt := func(i, j int) orb.Point { return orb.Point{119.88 + float64(i)*0.005, 28.42 + float64(j)*0.005} }
		for i := range 25 {
			for j := range 19 {
				if i < 24 {
					grid = append(grid, geo.Road{SourceID: fmt.Sprintf("h%d-%d", i, j), Class: "国道", Line: orb.LineString{pt(i, j), pt(i+1, j)}})
				}
				if j < 18 {
					grid = append(grid, geo.Road{SourceID: fmt.Sprintf("v%d-%d", i, j), Class: "县道", Line: orb.LineString{pt(i, j), pt(i, j+1)}})
				}
			}
		}
		if _, err := s.ImportRoads(ctx, "e2e", grid, false); err != nil {
			t.Fatal(err)
		}
	}
	return s, db
}

// metresBetween is the great-circle distance (to well under 1% of the
// spheroid's at these few kilometres).
func metresBetween(a, b orb.Point) float64 {
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	dLat, dLon := rad(b[1]-a[1]), rad(b[0]-a[0])
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(rad(a[1]))*math.Cos(rad(b[1]))*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * 6371008.8 * math.Asin(math.Sqrt(h))
}

// TestDispatchPanel: a dispatcher logs in on the map, types an incident's
// coordinates, sees the nearest fire and medical teams ranked (the
// nearest first, the mine team left out), the rings and what is around,
// a route, and assigns the nearest with one click; the database has it
// dispatched. A second incident cannot have it too: the panel says so in
// Chinese. Closing the first releases it.
func TestDispatchPanel(t *testing.T) {
	t.Run("no road network", func(t *testing.T) { dispatchPanel(t, false) })
	t.Run("road network", func(t *testing.T) { dispatchPanel(t, true) })
}

func dispatchPanel(t *testing.T, roads bool) {
	store, db := dispatchStore(t, roads)
	srv, _ := cachedServer(t, store, time.Hour)
	cctx := context.Background()
	conn, err := pgx.Connect(cctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(cctx)
	ids := map[string]int64{}
	pos := map[string]orb.Point{}
	rows, err := conn.Query(cctx, "SELECT id, name, ST_X(geom), ST_Y(geom) FROM risk_object WHERE source = 'e2e'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var name string
		var p orb.Point
		if err := rows.Scan(&id, &name, &p[0], &p[1]); err != nil {
			t.Fatal(err)
		}
		ids[name], pos[name] = id, p
	}
	if rows.Err() != nil || len(ids) != 6 {
		t.Fatalf("loaded %v (%v)", ids, rows.Err())
	}
	name := newUser(t, store, access.Dispatcher)

	ctx := newBrowser(t, 1400, 900)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	pg := browserPage{t: t, ctx: ctx, panel: "dispatch"}
	run, poll, setSelect := pg.run, pg.poll, pg.setSelect

	// The map is open to all; a dispatcher logs in from its 登录 button.
	openMap(t, ctx, srv.URL+"/?lang=zh")
	if hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('dispatch-toggle').hidden`)); err != nil || !hidden {
		t.Errorf("the 调度 button shows before anyone logs in (%v)", err)
	}
	pg.login(name, "dispatch-toggle")
	run("open the panel", chromedp.Click(`#dispatch-toggle`), chromedp.WaitVisible(`#dispatch-form`))
	poll("the panel reads the dispatch meta", `!!(window.__dispatch && window.__dispatch.meta)`, 10*time.Second)
	network, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__dispatch.meta.network.edges > 0`))
	if err != nil || network != roads {
		t.Fatalf("the panel sees a road network: %v (%v), want %v", network, err, roads)
	}

	// An incident by typed coordinates (WGS84).
	incident := orb.Point{119.92, 28.45}
	setSelect(`#dispatch-form select[name=kind]`, "fire")
	setSelect(`#dispatch-form select[name=level]`, "II")
	setSelect(`#dispatch-form select[name=crs]`, "wgs84")
	run("fill in the incident",
		chromedp.SendKeys(`#dispatch-form input[name=title]`, "紫金街道厂房火灾"),
		chromedp.SendKeys(`#dispatch-form textarea[name=description]`, "三层厂房起火，有人员被困"),
		chromedp.SendKeys(`#dispatch-form input[name=coords]`, "119.92,28.45"),
		chromedp.Click(`#dispatch-create`),
	)
	poll("the incident opens with its nearest teams", `document.querySelectorAll('#dispatch-candidates tr.cand').length > 0`, 20*time.Second)
	saveScreenshot(t, ctx, "dispatch-incident.png")

	var first geo.Incident
	if err := conn.QueryRow(cctx, "SELECT id, kind, level, ST_X(geom), ST_Y(geom), status FROM incident WHERE title = '紫金街道厂房火灾'").
		Scan(&first.ID, &first.Kind, &first.Level, &first.Lon, &first.Lat, &first.Status); err != nil {
		t.Fatalf("the incident is not in the database: %v", err)
	}
	if first.Kind != "fire" || first.Level != "II" || first.Status != "open" || math.Abs(first.Lon-incident[0]) > 1e-7 || math.Abs(first.Lat-incident[1]) > 1e-7 {
		t.Errorf("stored incident %+v, want a level II fire at %v", first, incident)
	}

	// The ranked list: fire and medical teams (the fire's teams,
	// preselected), nearest first, as the known positions say.
	type cand struct {
		ID     int64
		Metres float64
		Name   string
		Status string
	}
	list, err := chromedp.Run(ctx, chromedp.Evaluate[[]cand](`[...document.querySelectorAll('#dispatch-candidates tr.cand')].map((tr) => ({
		ID: Number(tr.dataset.id), Metres: Number(tr.querySelector('[data-metres]').dataset.metres),
		Name: tr.querySelector('.name').firstChild.textContent, Status: tr.querySelector('[data-status]').dataset.status}))`))
	if err != nil {
		t.Fatal(err)
	}
	// By distance without a network, the order the positions give; by
	// road time with one, the order the store's travel times give (they
	// are tested against pgRouting's Dijkstra in geo/postgis).
	want := []string{"莲都消防站", "城西消防站", "市急救中心", "远郊消防队"}
	key := map[string]float64{}
	for _, n := range want {
		key[n] = metresBetween(pos[n], incident)
	}
	if network {
		for _, n := range want {
			tt, err := store.TravelTimes(cctx, incident, []orb.Point{pos[n]})
			if err != nil || !tt[0].Reachable {
				t.Fatalf("travel time of %s: %+v %v", n, tt, err)
			}
			key[n] = tt[0].Seconds
		}
	}
	sort.SliceStable(want, func(i, j int) bool { return key[want[i]] < key[want[j]] })
	if len(list) != len(want) {
		t.Fatalf("listed %+v, want %v (the mine team is not for a fire)", list, want)
	}
	for i, c := range list {
		if c.Name != want[i] || c.ID != ids[want[i]] {
			t.Errorf("rank %d: %s (%d), want %s (%d)", i+1, c.Name, c.ID, want[i], ids[want[i]])
		}
		if d := metresBetween(pos[c.Name], incident); math.Abs(c.Metres-d) > d*0.005+2 {
			t.Errorf("%s listed %v m away, the positions say %.0f m", c.Name, c.Metres, d)
		}
		if c.Status != "available" {
			t.Errorf("%s listed as %q", c.Name, c.Status)
		}
	}
	nearest := list[0]
	types, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#dispatch-types input:checked')].map((i) => i.value).sort()`))
	if err != nil || strings.Join(types, ",") != "fire,medical" {
		t.Errorf("preselected types %v (%v), want fire and medical", types, err)
	}

	// The 1/3/5 km rings, the incident's symbol, and what lies around.
	poll("rings and the incident drawn", `(() => {
		const m = window.__map;
		const radii = m.querySourceFeatures('dispatch-rings').map((f) => f.properties.radius_m);
		return [1000, 3000, 5000].every((r) => radii.includes(r)) &&
			m.queryRenderedFeatures({layers: ['incidents']}).some((f) => f.properties.id === `+fmt.Sprint(first.ID)+` && f.properties.level === 'II');
	})()`, 20*time.Second)
	poll("the around summary", `document.querySelectorAll('#dispatch-around table.ring').length === 3`, 20*time.Second)
	around, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#dispatch-around table.ring[data-radius="1000"]').innerText`))
	if err != nil || !strings.Contains(around, "1 处，可容纳 300 人") || !strings.Contains(around, "救援力量") {
		t.Errorf("within 1 km the summary says %q (%v), want the shelter of 300 and the rescue teams", around, err)
	}

	// A click on a team draws its route (a straight line without a road network).
	run("select the nearest team", chromedp.Click(fmt.Sprintf(`#dispatch-candidates tr[data-id="%d"] td.name`, nearest.ID)))
	if network {
		poll("a road route", `document.getElementById('dispatch-route')?.dataset.kind === 'road' &&
			window.__map.queryRenderedFeatures({layers: ['dispatch-route']}).length > 0`, 20*time.Second)
	} else {
		poll("the straight line, and why", `document.getElementById('dispatch-route')?.dataset.kind === 'straight' &&
			document.getElementById('dispatch-route').textContent.includes('未加载路网') &&
			window.__map.querySourceFeatures('dispatch-route').length > 0`, 20*time.Second)
	}

	// Isochrones on request: coloured bands, or why there are none.
	run("isochrones", chromedp.Click(`#dispatch-iso`))
	if network {
		poll("isochrone bands", `window.__map.querySourceFeatures('dispatch-iso').length > 0`, 30*time.Second)
	} else {
		poll("no isochrones, and why", `document.getElementById('dispatch-iso-note')?.textContent.includes('未加载路网')`, 20*time.Second)
	}
	run("isochrones off", chromedp.Click(`#dispatch-iso`))

	// 派遣: one click.
	run("assign", chromedp.Click(fmt.Sprintf(`button[data-assign="%d"]`, nearest.ID)))
	// It moves to the assigned list, and leaves the list of available teams.
	poll("the team shows as assigned", fmt.Sprintf(`!!document.querySelector('#dispatch-assigned li[data-resource="%d"]') &&
		document.querySelector('#dispatch-candidates tr.cand') && !document.querySelector('#dispatch-candidates tr[data-id="%d"]')`, nearest.ID, nearest.ID), 20*time.Second)
	saveScreenshot(t, ctx, "dispatch-assigned.png")
	checkDispatched := func(incidentID int64) {
		t.Helper()
		var status string
		var n int
		var on int64
		if err := conn.QueryRow(cctx, `SELECT o.attributes->>'status', count(a.id), coalesce(max(a.incident_id), 0) FROM risk_object o
			LEFT JOIN dispatch_assignment a ON a.resource_id = o.id AND a.released_at IS NULL WHERE o.id = $1 GROUP BY o.id`, nearest.ID).Scan(&status, &n, &on); err != nil {
			t.Fatal(err)
		}
		if status != geo.StatusDispatched || n != 1 || on != incidentID {
			t.Errorf("%s: status %q with %d active assignments (to incident %d), want dispatched once, to %d", nearest.Name, status, n, on, incidentID)
		}
	}
	checkDispatched(first.ID)
	resp, err := http.Get(fmt.Sprintf("%s/api/v1/incidents/%d", srv.URL, first.ID))
	if err != nil {
		t.Fatal(err)
	}
	var got geo.Incident
	err = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if err != nil || len(got.Assignments) != 1 || !got.Assignments[0].Active || got.Assignments[0].ResourceID != nearest.ID || got.Assignments[0].AssignedBy == "" {
		t.Errorf("the API has the incident's assignments %+v (%v)", got.Assignments, err)
	}

	// A second incident, pasted in degrees and minutes: the team is taken.
	run("back to the list", chromedp.Click(`#dispatch-back`), chromedp.WaitVisible(`#dispatch-form`))
	poll("the first incident listed", fmt.Sprintf(`!!document.querySelector('#dispatch-incidents [data-incident="%d"]')`, first.ID), 10*time.Second)
	setSelect(`#dispatch-form select[name=kind]`, "traffic")
	pg.typeInto(`#dispatch-form input[name=title]`, "丽青线追尾事故")
	pg.typeInto(`#dispatch-form input[name=coords]`, "28°27'N 119°55'E")
	run("second incident", chromedp.Click(`#dispatch-create`))
	poll("the second incident opens", `document.querySelector('#dispatch-incident .incident-title')?.textContent.includes('丽青线追尾事故') &&
		document.querySelectorAll('#dispatch-candidates tr.cand').length > 0`, 20*time.Second)
	// Only available teams are listed at first; all of them on request.
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll('#dispatch-candidates tr[data-id="%d"]').length`, nearest.ID))); err != nil || n != 0 {
		t.Errorf("the dispatched team is listed as available for the second incident (%d, %v)", n, err)
	}
	run("list every status", chromedp.Click(`#dispatch-only-available`))
	poll("the dispatched team listed as such", fmt.Sprintf(`document.querySelector('#dispatch-candidates tr[data-id="%d"] [data-status]')?.textContent === '已出动'`, nearest.ID), 20*time.Second)
	// Its 派遣 is disabled; pressed anyway (as when another dispatcher sent
	// it a moment ago), the refusal names the incident it went to.
	assign := fmt.Sprintf(`button[data-assign="%d"]`, nearest.ID)
	if off, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('`+assign+`').disabled`)); err != nil || !off {
		t.Errorf("a dispatched team's 派遣 is not disabled (%v)", err)
	}
	run("assign it again", chromedp.Evaluate[chromedp.Void](`(() => { const b = document.querySelector('`+assign+`'); b.disabled = false; b.click(); })()`))
	poll("the refusal, in Chinese", `(() => {
		const e = document.getElementById('dispatch-error');
		return !!e && !e.hidden && e.textContent === '该力量已派往「紫金街道厂房火灾」，不能重复派遣。';
	})()`, 20*time.Second)
	saveScreenshot(t, ctx, "dispatch-refused.png")
	checkDispatched(first.ID)

	// 结束 the first incident: its team is free again.
	run("back", chromedp.Click(`#dispatch-back`), chromedp.WaitVisible(`#dispatch-form`))
	poll("both incidents listed", `document.querySelectorAll('#dispatch-incidents [data-incident]').length === 2`, 10*time.Second)
	run("open the first", chromedp.Click(fmt.Sprintf(`#dispatch-incidents button[data-incident="%d"]`, first.ID)))
	poll("the first incident opens", fmt.Sprintf(`document.getElementById('dispatch-incident')?.dataset.incident === '%d'`, first.ID), 10*time.Second)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.confirm = () => true; true`)); err != nil {
		t.Fatal(err)
	}
	run("close it", chromedp.Click(`#dispatch-close`))
	poll("back at the list with one incident", `!!document.getElementById('dispatch-form') &&
		document.querySelectorAll('#dispatch-incidents [data-incident]').length === 1`, 20*time.Second)
	var status, incStatus string
	var active int
	if err := conn.QueryRow(cctx, `SELECT o.attributes->>'status', (SELECT count(*) FROM dispatch_assignment a WHERE a.resource_id = o.id AND a.released_at IS NULL),
		(SELECT status FROM incident WHERE id = $2) FROM risk_object o WHERE o.id = $1`, nearest.ID, first.ID).Scan(&status, &active, &incStatus); err != nil {
		t.Fatal(err)
	}
	if status != "available" || active != 0 || incStatus != "closed" {
		t.Errorf("after 结束: the team is %q with %d active assignments, the incident %q", status, active, incStatus)
	}
	// The live layer follows: only the second incident is drawn.
	poll("the closed incident leaves the map", `(() => {
		const fs = window.__map.querySourceFeatures('incidents');
		return fs.length > 0 && fs.every((f) => f.properties.title === '丽青线追尾事故');
	})()`, 20*time.Second)
	if errs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__mapErrors`)); err != nil || len(errs) > 0 {
		t.Errorf("page errors: %v (%v)", errs, err)
	}
}
