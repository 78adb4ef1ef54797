package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/web"
)

// openWall opens /wall and waits until its map drew, its counts came and
// its event stream is open.
func openWall(t *testing.T, ctx context.Context, url string, width, height int) browserPage {
	t.Helper()
	p := browserPage{t: t, ctx: ctx, panel: "wall-foot", state: `JSON.stringify({mode: window.__wall.mode(), alerts: window.__wall.alerts(),
		rings: window.__wall.drawn('wall-rings'), routes: window.__wall.drawn('wall-routes'), zoom: window.__map.getZoom(), link: window.__wall.link()})`}
	// The page is the whole screen, as on a wall (a window's frame takes
	// some of it).
	p.run("open the wall", chromedp.EmulateViewport(int64(width), int64(height)), chromedp.Navigate(url+"/wall"))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.__mapIdle === true && window.__wall && window.__wall.overviews >= 1 && window.__wall.link() === 'open'`,
		chromedp.WithPollingTimeout(150*time.Second))); err != nil {
		state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({idle: window.__mapIdle, overviews: window.__wall && window.__wall.overviews, link: window.__wall && window.__wall.link()})`))
		t.Fatalf("the wall is not up: %v: %s (page errors: %v)", err, state, p.pageErrors())
	}
	return p
}

// wallLayout is what the layout test reads off the page.
type wallLayout struct {
	Width, Height     int
	ScrollW, ScrollH  int
	RootFont          float64
	Overflowing       []string // elements whose content does not fit, or that stick out of the screen
	Hidden            []string // panels not shown
	Total             string   // the city's ring
	CategoryRed       map[string]string
	Counties          int
	CountyRows        []string
	Map               [4]float64 // the map's box
	HazardOpen        string
	ResourceAvailable string
}

const readWallLayout = `(() => {
	const r = {Width: innerWidth, Height: innerHeight, ScrollW: document.documentElement.scrollWidth, ScrollH: document.documentElement.scrollHeight,
		RootFont: parseFloat(getComputedStyle(document.documentElement).fontSize), Overflowing: [], Hidden: [], CategoryRed: {}, CountyRows: []};
	const name = (e) => e.id || e.className || e.tagName;
	for (const e of document.querySelectorAll('#wall-head, .panel, .overlay:not([hidden]), #wall-foot, .bars li, .items li, .figure')) {
		if (e.closest('[hidden]')) continue;
		const b = e.getBoundingClientRect();
		if (b.right > innerWidth + 1 || b.bottom > innerHeight + 1 || b.left < -1 || b.top < -1) r.Overflowing.push(name(e) + ' off screen');
		if (e.scrollHeight > e.clientHeight + 2 || e.scrollWidth > e.clientWidth + 2) r.Overflowing.push(name(e) + ' ' + e.scrollWidth + 'x' + e.scrollHeight + ' in ' + e.clientWidth + 'x' + e.clientHeight);
	}
	for (const e of document.querySelectorAll('section[data-panel]')) if (e.hidden) r.Hidden.push(e.dataset.panel);
	r.Total = document.getElementById('city-total').textContent;
	for (const li of document.querySelectorAll('#category-bars li')) r.CategoryRed[li.dataset.category] = li.querySelector('.red-n').textContent;
	r.Counties = document.querySelectorAll('#county-bars li[data-county]').length;
	for (const li of document.querySelectorAll('#county-bars li[data-county]')) r.CountyRows.push(li.dataset.county + ' ' + li.querySelector('.red-n').textContent);
	const m = document.getElementById('map').getBoundingClientRect();
	r.Map = [m.left, m.top, m.width, m.height];
	r.HazardOpen = (document.querySelector('#hazard-figures [data-figure=open] .v') || {}).textContent || '';
	r.ResourceAvailable = (document.querySelector('#resource-figures [data-figure=available] .v') || {}).textContent || '';
	return r;
})()`

// digits reads a number the page wrote with its thousands separators.
func digits(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.NewReplacer(",", "", " ", "", "\u00a0", "").Replace(s))
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return n
}

// TestWallLayout: at 1920×1080 and at 3840×2160 the wall shows every
// panel on one screen with nothing cut off and no scroll bar, twice as
// big on the larger screen, with the numbers the API gives.
func TestWallLayout(t *testing.T) {
	_, store := demoServer(t)
	srv, _ := cachedServer(t, store, time.Hour) // with the event stream
	want, _ := getOverview(t, srv.URL, "")
	var base float64
	for _, size := range []struct {
		name string
		w, h int
	}{{"1080p", 1920, 1080}, {"4K", 3840, 2160}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := newBrowser(t, size.w, size.h)
			ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
			defer cancel()
			p := openWall(t, ctx, srv.URL, size.w, size.h)
			p.poll("the map draws the points", `window.__map.queryRenderedFeatures().some((f) => f.sourceLayer === 'enterprises')`, 30*time.Second)
			saveScreenshot(t, ctx, fmt.Sprintf("wall-%dx%d.png", size.w, size.h))
			l, err := chromedp.Run(ctx, chromedp.Evaluate[wallLayout](readWallLayout))
			if err != nil {
				t.Fatal(err)
			}
			if l.Width != size.w || l.Height != size.h {
				t.Fatalf("the window is %dx%d, want %dx%d", l.Width, l.Height, size.w, size.h)
			}
			if l.ScrollW > l.Width || l.ScrollH > l.Height {
				t.Errorf("the page scrolls: %dx%d in %dx%d", l.ScrollW, l.ScrollH, l.Width, l.Height)
			}
			if len(l.Overflowing) > 0 {
				t.Errorf("cut off or off screen: %v", l.Overflowing)
			}
			if len(l.Hidden) > 0 {
				t.Errorf("panels not shown: %v", l.Hidden)
			}
			// The map takes the middle, most of the screen.
			if l.Map[2] < 0.5*float64(size.w) || l.Map[3] < 0.75*float64(size.h) {
				t.Errorf("the map is only %v of %dx%d", l.Map, size.w, size.h)
			}
			if base == 0 {
				base = l.RootFont
			} else if l.RootFont < 1.9*base || l.RootFont > 2.1*base {
				t.Errorf("at 4K the text is %.1fpx against %.1fpx at 1080p: want twice", l.RootFont, base)
			}
			total := 0
			for cat, counts := range want.Categories {
				total += counts["total"]
				if got := digits(t, l.CategoryRed[cat]); got != counts["red"] {
					t.Errorf("%s red: the wall shows %d, the API %d", cat, got, counts["red"])
				}
			}
			if got := digits(t, l.Total); got != total || total == 0 {
				t.Errorf("the city's total: the wall shows %d, the API %d", got, total)
			}
			if l.Counties != len(want.Counties) || len(want.Counties) != 9 {
				t.Errorf("the wall lists %d counties (%v), the API %d", l.Counties, l.CountyRows, len(want.Counties))
			}
			if got := digits(t, l.HazardOpen); got != want.Hazards["open"] {
				t.Errorf("open hazards: the wall shows %d, the API %d", got, want.Hazards["open"])
			}
			if got := digits(t, l.ResourceAvailable); got != want.Resources.ByStatus["available"] {
				t.Errorf("available resources: the wall shows %d, the API %d", got, want.Resources.ByStatus["available"])
			}
			// Chinese first, the city's title at the top, the clock going.
			text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('wall-head').innerText`))
			if !strings.Contains(text, "安全风险一张图") || !strings.Contains(text, "实时连接正常") {
				t.Errorf("the head says %q", text)
			}
			clock, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('clock').textContent`))
			p.poll("the clock goes", fmt.Sprintf(`document.getElementById('clock').textContent !== %q`, clock), 3*time.Second)
		})
	}
}

// TestWallLive: changes made through the API reach the wall without a
// reload: a grade change (the point's colour, the counts, an alert that
// pulses until acknowledged) within 2 s, positions that move and fade, a
// trail, and an incident the wall follows until Esc takes it back to the
// city.
func TestWallLive(t *testing.T) {
	store, conn := writableConn(t)
	srv, _ := cachedServer(t, store, time.Hour)
	cctx := context.Background()
	planner := newToken(t, store, access.Planner)
	dispatcher := newToken(t, store, access.Dispatcher)

	ctx := newBrowser(t, 1920, 1080)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	p := openWall(t, ctx, srv.URL, 1920, 1080)

	// An enterprise not red, in a county, looked at closely (below zoom
	// 12 it would be one of a cell's objects).
	var id int64
	var lon, lat float64
	var county, from string
	if err := conn.QueryRow(cctx, `SELECT id, ST_X(geom), ST_Y(geom), county_code, coalesce(grade::text, 'unassessed') FROM risk_object
		WHERE category = 'enterprises' AND retired_at IS NULL AND grade IN ('blue', 'yellow') AND county_code IS NOT NULL ORDER BY id LIMIT 1`).Scan(&id, &lon, &lat, &county, &from); err != nil {
		t.Fatal(err)
	}
	jumpAndSettle(t, ctx, lon, lat, 15)
	p.poll("the enterprise is drawn", fmt.Sprintf(`window.__map.queryRenderedFeatures({layers: ['pt-enterprises']}).some((f) => f.id === %d && f.properties.grade === %q)`, id, from), 30*time.Second)
	before, _ := getOverview(t, srv.URL, "")
	redText := func(sel string) string {
		s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ''`, sel)))
		return s
	}
	if got := digits(t, redText(`#category-bars li[data-category=enterprises] .red-n`)); got != before.Categories["enterprises"]["red"] {
		t.Fatalf("before: the wall shows %d red enterprises, the API %d", got, before.Categories["enterprises"]["red"])
	}
	countyRed := func() int { return digits(t, redText(fmt.Sprintf(`#county-bars li[data-county=%q] .red-n`, county))) }
	wasCountyRed := countyRed()

	st, body, _ := call(t, http.DefaultClient, "POST", fmt.Sprintf("%s/api/v1/objects/%d/assessments", srv.URL, id), `{"inputs": {"lec_l": 10, "lec_e": 6, "lec_c": 40}}`, planner, nil)
	if st != http.StatusCreated {
		t.Fatalf("assess: %d %s", st, body)
	}
	changed := time.Now()
	p.poll("within 2 s: the point red, the counts up, the alert raised and pulsing", fmt.Sprintf(`(() => {
		const red = window.__map.queryRenderedFeatures({layers: ['pt-enterprises']}).some((f) => f.id === %d && f.properties.grade === 'red');
		const cat = document.querySelector('#category-bars li[data-category=enterprises] .red-n').textContent.replace(/\D/g, '');
		const cty = document.querySelector('#county-bars li[data-county="%s"] .red-n').textContent.replace(/\D/g, '');
		const alert = window.__wall.alerts().some((a) => a.key === 'grade:%d' && a.loud);
		return red && Number(cat) === %d && Number(cty) === %d && alert && window.__wall.pulses() >= 1;
	})()`, id, county, id, before.Categories["enterprises"]["red"]+1, wasCountyRed+1), 2*time.Second)
	t.Logf("the grade change showed on the wall in %v", time.Since(changed).Round(10*time.Millisecond))
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('wall-foot').innerText`))
	if !strings.Contains(text, "新增重大风险") || !strings.Contains(text, "未确认告警 1") {
		t.Errorf("the ticker says %q", text)
	}
	// Reloaded (a wall's browser restarts), the wall still has the alarm
	// to acknowledge, pulsing where it is.
	p = openWall(t, ctx, srv.URL, 1920, 1080)
	jumpAndSettle(t, ctx, lon, lat, 15)
	p.poll("the alarm outlives the reload", fmt.Sprintf(`window.__wall.alerts().some((a) => a.key === 'grade:%d' && a.loud) && window.__wall.pulses() >= 1 &&
		document.getElementById('alert-count').dataset.count === '1'`, id), 10*time.Second)
	// Acknowledged, it stops pulsing and leaves the ticker (and is not
	// back after another reload).
	p.run("acknowledge", chromedp.Click(`#alert-list li.loud .ack`))
	p.poll("acknowledged", `window.__wall.alerts().length === 0 && window.__wall.pulses() === 0`, 5*time.Second)
	p = openWall(t, ctx, srv.URL, 1920, 1080)
	jumpAndSettle(t, ctx, lon, lat, 15)
	p.poll("still acknowledged after a reload", `window.__wall.alerts().length === 0 && window.__wall.pulses() === 0`, 5*time.Second)

	// Graded down again: listed quietly, no pulse.
	st, body, _ = call(t, http.DefaultClient, "POST", fmt.Sprintf("%s/api/v1/objects/%d/assessments", srv.URL, id), `{"inputs": {"lec_l": 1, "lec_e": 1, "lec_c": 1}}`, planner, nil)
	if st != http.StatusCreated {
		t.Fatalf("assess: %d %s", st, body)
	}
	p.poll("the downgrade is quiet", fmt.Sprintf(`window.__wall.alerts().some((a) => a.key === 'grade:%d' && !a.loud) && window.__wall.pulses() === 0 &&
		document.getElementById('alert-count').dataset.count === '0'`, id), 5*time.Second)

	// A hidden hazard at it goes past its deadline (the test moves the
	// deadline rather than wait): it pulses, and the overdue count says 1.
	h, err := store.ReportHazard(cctx, geo.Hazard{Code: "YH-WALL-1", ObjectID: &id, Title: "消防通道堵塞", Level: "general", DiscoverySource: "patrol", FoundOn: time.Now().AddDate(0, 0, -10).Format(time.DateOnly)}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.StepHazard(cctx, h.ID, geo.HazardStep{Action: "assign", ResponsibleUnit: "企业安全科", RectifyDeadline: time.Now().AddDate(0, 0, 5).Format(time.DateOnly), SupervisionLevel: "county"}, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(cctx, "UPDATE hidden_hazard SET rectify_deadline = current_date - 3 WHERE id = $1", h.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := store.AnnounceOverdue(cctx); n != 1 || err != nil {
		t.Fatalf("announce overdue: %d, %v", n, err)
	}
	p.poll("the overdue hazard pulses and is counted", fmt.Sprintf(`window.__wall.alerts().some((a) => a.key === 'overdue:%d' && a.loud) && window.__wall.pulses() === 1 &&
		document.querySelector('#hazard-figures [data-figure=overdue]').classList.contains('alarm') &&
		document.querySelector('#hazard-figures [data-figure=overdue] .v').textContent === '1' &&
		getComputedStyle(document.querySelector('.pulse')).getPropertyValue('--c').trim().toUpperCase() === '#FF7F00'`, h.ID), 5*time.Second)
	p.run("acknowledge all", chromedp.Click(`#ack-all`))
	p.poll("all acknowledged", `window.__wall.alerts().length === 0 && window.__wall.pulses() === 0`, 5*time.Second)

	// Positions: a team reports twice and moves; another reported long ago and fades.
	var team, old int64
	if err := conn.QueryRow(cctx, `SELECT min(id), max(id) FROM (SELECT id FROM risk_object WHERE category = 'rescue_resources' AND retired_at IS NULL ORDER BY id LIMIT 2) x`).Scan(&team, &old); err != nil {
		t.Fatal(err)
	}
	fix(t, srv.URL, dispatcher, team, 119.90, 28.44, time.Now().Add(-2*time.Minute))
	fix(t, srv.URL, dispatcher, team, 119.91, 28.45, time.Now())
	fix(t, srv.URL, dispatcher, old, 119.95, 28.47, time.Now().Add(-20*time.Minute))
	p.poll("the team moved there and the old one faded", fmt.Sprintf(`(() => {
		const ps = window.__wall.positions();
		const a = ps.find((x) => x.id === %d), b = ps.find((x) => x.id === %d);
		return a && Math.abs(a.lon - 119.91) < 1e-6 && Math.abs(a.lat - 28.45) < 1e-6 && a.stale === 'fresh' && b && b.stale === 'stale';
	})()`, team, old), 2*time.Second)
	jumpAndSettle(t, ctx, 119.91, 28.45, 13)
	at, err := chromedp.Run(ctx, chromedp.Evaluate[struct{ X, Y float64 }](`(() => { const p = window.__map.project([119.91, 28.45]); const r = document.getElementById('map').getBoundingClientRect(); return {X: p.x + r.left, Y: p.y + r.top}; })()`))
	if err != nil {
		t.Fatal(err)
	}
	p.run("click the team", chromedp.MouseClickXY(at.X, at.Y))
	p.poll("its trail", `!document.getElementById('trail-note').hidden && document.getElementById('trail-note').textContent.includes('2 个定位点') &&
		window.__wall.drawn('wall-trail') === 1`, 10*time.Second)

	// An incident: the wall follows it.
	st, body, _ = call(t, http.DefaultClient, "POST", srv.URL+"/api/v1/incidents",
		`{"kind": "fire", "level": "II", "title": "莲都区仓库火灾", "coordinates": "119.915, 28.452"}`, dispatcher, nil)
	if st != http.StatusCreated {
		t.Fatalf("report: %d %s", st, body)
	}
	var inc struct{ ID int64 }
	if err := json.Unmarshal([]byte(body), &inc); err != nil {
		t.Fatal(err)
	}
	p.poll("the wall follows the incident", fmt.Sprintf(`(() => {
		const m = window.__wall.mode();
		return m && m.id === %d && !document.getElementById('incident-card').hidden && window.__map.getZoom() > 11 &&
			window.__wall.drawn('wall-rings') === 3 &&
			window.__wall.alerts().some((a) => a.key === 'incident:%d' && a.loud) &&
			document.getElementById('incident-shelters-heading') !== null && document.getElementById('mode').textContent.includes('莲都区仓库火灾');
	})()`, inc.ID, inc.ID), 10*time.Second)
	st, body, _ = call(t, http.DefaultClient, "POST", fmt.Sprintf("%s/api/v1/incidents/%d/assignments", srv.URL, inc.ID), fmt.Sprintf(`{"resource_id": %d}`, team), dispatcher, nil)
	if st != http.StatusCreated && st != http.StatusOK {
		t.Fatalf("assign: %d %s", st, body)
	}
	p.poll("the assigned team and its route", fmt.Sprintf(`document.querySelector('#incident-assigned li[data-resource="%d"]') !== null &&
		window.__wall.drawn('wall-routes') === 1`, team), 10*time.Second)
	saveScreenshot(t, ctx, "wall-incident.png")
	p.run("Esc", chromedp.KeyEvent("\u001b"))
	p.poll("back to the city", `window.__wall.mode() === null && document.getElementById('incident-card').hidden && window.__map.getZoom() < 10.5`, 10*time.Second)
	if errs := p.pageErrors(); len(errs) > 0 {
		t.Errorf("page errors: %v", errs)
	}
}

// TestWallFitsTheRoom: a deployment's choices reach the wall: its title,
// only the panels it asked for (the map takes the room of a column left
// empty), English as its language, and the viewer's own switch back to
// Chinese.
func TestWallFitsTheRoom(t *testing.T) {
	_, store := demoServer(t)
	srv, _ := cachedServerWith(t, store, time.Hour, web.Options{Title: "丽水市应急指挥中心", TitleEN: "Lishui Emergency Command",
		Lang: "en", Wall: web.Wall{Panels: []string{"incidents", "clock"}}})
	ctx := newBrowser(t, 1920, 1080)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	p := openWall(t, ctx, srv.URL, 1920, 1080)
	type shown struct {
		Head, Incidents string
		Panels          []string
		MapWidth        float64
		Lang            string
	}
	read := func() shown {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[shown](`({
			Head: document.getElementById('wall-head').innerText,
			Incidents: document.getElementById('p-incidents').innerText,
			Panels: [...document.querySelectorAll('[data-panel]')].filter((e) => !e.hidden && e.getBoundingClientRect().width > 0).map((e) => e.dataset.panel),
			MapWidth: document.getElementById('map').getBoundingClientRect().width,
			Lang: document.documentElement.lang,
		})`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	got := read()
	if !slices.Equal(got.Panels, []string{"clock", "incidents"}) {
		t.Errorf("panels shown: %v, want the clock and the incidents", got.Panels)
	}
	if !strings.Contains(got.Head, "Lishui Emergency Command") || !strings.Contains(got.Incidents, "No active incident") || got.Lang != "en" {
		t.Errorf("in English: head %q, incidents %q, lang %q", got.Head, got.Incidents, got.Lang)
	}
	// The left column had nothing left: the map has its room.
	if got.MapWidth < 0.72*1920 {
		t.Errorf("the map is %.0f px wide with one column of panels", got.MapWidth)
	}
	p.run("switch to Chinese", chromedp.Click(`#lang-toggle`))
	p.poll("in Chinese", `document.getElementById('wall-head').innerText.includes('丽水市应急指挥中心') &&
		document.getElementById('p-incidents').innerText.includes('当前无进行中的事件') && document.documentElement.lang === 'zh-CN'`, 5*time.Second)
}
