package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"riskmap/geo/access"
)

// TestZoneEditor: a planner logs in, draws a zone on the map with
// terra-draw, grades and saves it, sees it in the tiles and its analysis
// (which agrees with the API), edits it, and, when another planner saved
// first, is shown the conflict instead of overwriting their save.
func TestZoneEditor(t *testing.T) {
	store, db := dispatchStore(t, false)
	srv, _ := cachedServer(t, store, time.Hour)
	cctx := context.Background()
	conn, err := pgx.Connect(cctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(cctx)
	name := newUser(t, store, access.Planner)
	other := newToken(t, store, access.Planner)

	ctx := newBrowser(t, 1400, 900)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	pg := browserPage{t: t, ctx: ctx, panel: "zones"}
	run, poll, setSelect := pg.run, pg.poll, pg.setSelect

	openMap(t, ctx, srv.URL+"/?lang=zh")
	pg.login(name, "zones-toggle")
	if hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('dispatch-toggle').hidden`)); err != nil || !hidden {
		t.Errorf("a planner got the 调度 button (%v)", err)
	}
	jumpAndSettle(t, ctx, 119.913, 28.455, 14) // the square right of the editor
	run("open the editor", chromedp.Click(`#zones-toggle`), chromedp.WaitVisible(`#zones button[data-action=new]`), chromedp.Click(`#zones button[data-action=new]`))
	poll("drawing", `window.__zones.mode === 'drawing'`, 5*time.Second)

	// Draw a square around 紫金小学避灾点 (119.928, 28.455) point by point,
	// and close it on its first point.
	type px struct{ X, Y float64 }
	corners := [][2]float64{{119.922, 28.450}, {119.934, 28.450}, {119.934, 28.460}, {119.922, 28.460}}
	var pts []px
	for _, c := range corners {
		p, err := chromedp.Run(ctx, chromedp.Evaluate[px](fmt.Sprintf(`(() => {
			const p = window.__map.project([%f, %f]); const r = window.__map.getCanvas().getBoundingClientRect();
			return {X: r.left + p.x, Y: r.top + p.y};
		})()`, c[0], c[1])))
		if err != nil {
			t.Fatal(err)
		}
		pts = append(pts, p)
	}
	for i, p := range append(pts, pts[0]) {
		// as a hand moves: towards the corner, then a click
		for k := 5; k >= 0; k-- {
			run("move", chromedp.MouseEvent(chromedp.MouseMoved, p.X-float64(k*4), p.Y-float64(k*4)))
		}
		time.Sleep(100 * time.Millisecond)
		run(fmt.Sprintf("click corner %d", i), chromedp.MouseClickXY(p.X, p.Y))
		time.Sleep(400 * time.Millisecond)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.__zones.mode === 'editing'`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		snap, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify(window.__zoneDraw())`))
		t.Fatalf("the polygon did not close into a draft: %v; terra-draw holds %s; clicked %v", err, snap, pts)
	}

	// Attributes, then save: a clockwise drawing comes back with the
	// problem and where, and is saved once the planner consents.
	run("name it", chromedp.SendKeys(`#zones input[data-field=name]`, "紫金滑坡危险区"))
	setSelect(`#zones select[data-field=hazard_type]`, "landslide")
	setSelect(`#zones select[data-field=zone_kind]`, "danger_area")
	setSelect(`#zones select[data-field=grade]`, "red")
	run("save", chromedp.Click(`#zones button[data-action=save]`))
	poll("saved, or problems to repair", `!!window.__zones.zone || !!window.__zones.problems`, 20*time.Second)
	if repair, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!window.__zones.zone && !!window.__zones.problems`)); repair {
		run("repair", chromedp.Click(`#zones button[data-action=repair]`))
		poll("saved after repair", `!!window.__zones.zone`, 20*time.Second)
	}
	id, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`window.__zones.zone.id`))
	if err != nil || id == 0 {
		t.Fatalf("zone id %d (%v)", id, err)
	}
	// Saved, the shape is no longer edited: no yellow draft over the zone's red.
	poll("the draft is put away", `window.__zones.mode === 'idle' && !!document.querySelector('#zones button[data-action=shape]') &&
		!window.__map.getStyle().layers.some((l) => l.id.startsWith('td-') && window.__map.queryRenderedFeatures({layers: [l.id]}).length > 0)`, 10*time.Second)
	var dbName, grade string
	var within bool
	if err := conn.QueryRow(cctx, `SELECT name, grade::text, ST_Contains(geom, ST_SetSRID(ST_MakePoint(119.928, 28.455), 4490)) FROM hazard_zone WHERE id = $1`, id).Scan(&dbName, &grade, &within); err != nil ||
		dbName != "紫金滑坡危险区" || grade != "red" || !within {
		t.Fatalf("stored: %q %q holds the shelter %v (%v)", dbName, grade, within, err)
	}
	poll("the zone is in the map's tiles", fmt.Sprintf(`window.__map.queryRenderedFeatures({layers: ['zone-fill']}).some(f => f.id === %d)`, id), 30*time.Second)

	// The analysis panel agrees with the API.
	st, body, _ := call(t, http.DefaultClient, "GET", fmt.Sprintf("%s/api/v1/zones/%d/analysis", srv.URL, id), "", other, nil)
	var a struct {
		Inside struct {
			Rings []struct {
				Shelters struct{ Count int }
			}
		}
	}
	if st != http.StatusOK || json.Unmarshal([]byte(body), &a) != nil || len(a.Inside.Rings) != 1 || a.Inside.Rings[0].Shelters.Count != 1 {
		t.Fatalf("analysis over the API: %d %s", st, body)
	}
	poll("the analysis panel", `!!document.querySelector('#zones .zone-analysis [data-stat=shelters]')`, 20*time.Second)
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#zones .zone-analysis [data-stat=shelters]').textContent`))
	if err != nil || !strings.Contains(text, "区内避灾安置场所 1 处") || !strings.Contains(text, "300") {
		t.Fatalf("analysis panel says %q (%v)", text, err)
	}

	// An edit: the grade, saved as version 2.
	setSelect(`#zones select[data-field=grade]`, "orange")
	run("save the edit", chromedp.Click(`#zones button[data-action=save]`))
	poll("version 2", `window.__zones.version === 2`, 20*time.Second)
	if err := conn.QueryRow(cctx, `SELECT grade::text FROM hazard_zone WHERE id = $1`, id).Scan(&grade); err != nil || grade != "orange" {
		t.Fatalf("after the edit: %q (%v)", grade, err)
	}

	// Another planner saves first; this one's save is a conflict, shown.
	theirs := fmt.Sprintf(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[119.922,28.45],[119.936,28.45],[119.936,28.46],[119.922,28.46],[119.922,28.45]]]},
		"properties":{"name":"紫金滑坡危险区（复核）","hazard_type":"landslide","zone_kind":"danger_area","grade":"red"}}`)
	if st, body, _ := call(t, http.DefaultClient, "PUT", fmt.Sprintf("%s/api/v1/zones/%d", srv.URL, id), theirs, other, map[string]string{"If-Match": `"2"`}); st != http.StatusOK {
		t.Fatalf("the other planner's save: %d %s", st, body)
	}
	setSelect(`#zones select[data-field=grade]`, "yellow")
	run("save over theirs", chromedp.Click(`#zones button[data-action=save]`))
	poll("the conflict is shown", `!!window.__zones.conflict && !!document.querySelector('#zones .zone-conflict')`, 20*time.Second)
	msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#zones .zone-conflict').textContent`))
	if !strings.Contains(msg, "另一位规划人员已先保存") || !strings.Contains(msg, "3") {
		t.Errorf("conflict says %q", msg)
	}
	if err := conn.QueryRow(cctx, `SELECT name, grade::text FROM hazard_zone WHERE id = $1`, id).Scan(&dbName, &grade); err != nil || grade != "red" || dbName != "紫金滑坡危险区（复核）" {
		t.Fatalf("the other planner's save was overwritten: %q %q (%v)", dbName, grade, err)
	}
	run("load theirs", chromedp.Click(`#zones button[data-action=reload]`))
	poll("their version in the form", `window.__zones.version === 3 && document.querySelector('#zones input[data-field=name]').value === '紫金滑坡危险区（复核）'`, 10*time.Second)

	// Split it along a line drawn across it, then merge the pieces back.
	pixel := func(lon, lat float64) px {
		t.Helper()
		p, err := chromedp.Run(ctx, chromedp.Evaluate[px](fmt.Sprintf(`(() => {
			const p = window.__map.project([%f, %f]); const r = window.__map.getCanvas().getBoundingClientRect();
			return {X: r.left + p.x, Y: r.top + p.y};
		})()`, lon, lat)))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	clickAt := func(what string, p px) {
		t.Helper()
		for k := 5; k >= 0; k-- {
			run("move", chromedp.MouseEvent(chromedp.MouseMoved, p.X-float64(k*4), p.Y-float64(k*4)))
		}
		time.Sleep(100 * time.Millisecond)
		run(what, chromedp.MouseClickXY(p.X, p.Y))
		time.Sleep(400 * time.Millisecond)
	}
	run("split", chromedp.Click(`#zones button[data-action=split]`))
	poll("splitting", `window.__zones.mode === 'splitting'`, 5*time.Second)
	clickAt("line start", pixel(119.929, 28.446))
	end := pixel(119.929, 28.464)
	clickAt("line end", end)
	clickAt("line end again", end)
	poll("split in two", `window.__zones.version === 4 && window.__zones.mode === 'editing'`, 20*time.Second)
	var pieces int
	var newID int64
	if err := conn.QueryRow(cctx, `SELECT count(*), max(id) FROM hazard_zone WHERE deleted_at IS NULL`).Scan(&pieces, &newID); err != nil || pieces != 2 || newID == id {
		t.Fatalf("after the split: %d zones (%v)", pieces, err)
	}
	poll("the new piece is in the tiles", fmt.Sprintf(`window.__map.queryRenderedFeatures({layers: ['zone-fill']}).some(f => f.id === %d)`, newID), 30*time.Second)
	// The piece that is not the selected zone's: the smaller one, east
	// or west of the line.
	var cx, cy float64
	if err := conn.QueryRow(cctx, `SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM hazard_zone WHERE id = $1`, newID).Scan(&cx, &cy); err != nil {
		t.Fatal(err)
	}
	run("merge", chromedp.Click(`#zones button[data-action=merge]`))
	poll("merging", `window.__zones.mode === 'merging'`, 5*time.Second)
	clickAt("the other piece", pixel(cx, cy))
	poll("merged", `window.__zones.version === 5`, 20*time.Second)
	var action string
	var deleted bool
	if err := conn.QueryRow(cctx, `SELECT last_action, deleted_at IS NOT NULL FROM hazard_zone WHERE id = $1`, newID).Scan(&action, &deleted); err != nil || action != "merge" || !deleted {
		t.Fatalf("the merged piece: %q deleted %v (%v)", action, deleted, err)
	}
	saveScreenshot(t, ctx, "zone-editor.png")
}
