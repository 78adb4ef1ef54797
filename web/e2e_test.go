package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"riskmap/geo/access"
	"riskmap/web"
)

// The grade colours the page must draw, as in the legend.
var gradeColours = map[string][3]uint8{
	"red":    {0xE6, 0x00, 0x12},
	"orange": {0xFF, 0x7F, 0x00},
	"yellow": {0xFF, 0xD7, 0x00},
	"blue":   {0x1E, 0x6F, 0xD9},
}

// newBrowser starts Debian's headless Chromium (installed by make
// test-deps) with software WebGL.
func newBrowser(t *testing.T, width, height int) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.NoSandbox,
		chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.Flag("use-angle", "swiftshader"),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(width, height),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// Start the browser without a deadline on this context: the first
	// Run's context owns the browser's life.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

func TestMapDrawsFourColours(t *testing.T) {
	srv, _ := demoServer(t)
	ctx := newBrowser(t, 1280, 800)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()

	openMap(t, ctx, srv.URL+"/")

	// Every category is on screen, per MapLibre's own account.
	rendered, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]int](`(() => {
		const n = {};
		for (const f of window.__map.queryRenderedFeatures()) n[f.sourceLayer] = (n[f.sourceLayer] || 0) + 1;
		return n;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"counties", "enterprises", "bridges", "black_spots", "rescue_resources", "shelters"} {
		if rendered[l] == 0 {
			t.Errorf("no %s feature rendered (rendered: %v)", l, rendered)
		}
	}

	// The legend speaks Chinese first.
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#legend")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"重大风险", "较大风险", "一般风险", "低风险", "未评估"} {
		if !strings.Contains(text, want) {
			t.Errorf("legend %q lacks %q", text, want)
		}
	}

	saveScreenshot(t, ctx, "map-zh.png")

	// Chinese labels are drawn from local fonts (no glyph server): the
	// font stack the map uses must draw 丽水 differently from a character
	// no font has, or every label would be a box.
	cjk, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(async () => {
		const { CJK_FONTS } = await import('./style.js');
		const draw = (ch) => {
			const c = document.createElement('canvas'); c.width = 64; c.height = 32;
			const g = c.getContext('2d'); g.font = '24px ' + CJK_FONTS; g.fillText(ch, 2, 26);
			return Array.from(g.getImageData(0, 0, 64, 32).data).join(',');
		};
		const box = draw('\u{10FFFD}\u{10FFFD}');
		return draw('丽水') !== box && draw('丽水') !== draw('');
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if !cjk {
		t.Error("the map's font stack draws Chinese as boxes: no CJK font (make test-deps installs fonts-wqy-microhei)")
	}

	// Hide everything but the map canvas, then count the pixels of each
	// grade colour in a screenshot: the map itself must have drawn them.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
			const canvas = window.__map.getCanvas();
			for (const el of document.querySelectorAll('body *')) if (!el.contains(canvas)) el.style.visibility = 'hidden';
			return true;
		})()`)); err != nil {
		t.Fatal(err)
	}
	png1, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	counts := countColours(t, png1)
	for g, n := range counts {
		if n < 10 {
			t.Errorf("%s: %d pixels on the map, want at least 10 (counts %v)", g, n, counts)
		}
	}
	t.Logf("pixels per grade colour: %v", counts)
}

func TestClickOpensCard(t *testing.T) {
	srv, _ := demoServer(t)
	ctx := newBrowser(t, 1280, 800)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	// Zoom in on 莲都 so that points stand apart.
	openMap(t, ctx, srv.URL+"/")
	jumpAndSettle(t, ctx, 119.92, 28.45, 13)
	type point struct {
		X, Y float64
		Name string
	}
	target, err := chromedp.Run(ctx, chromedp.Evaluate[point](`(() => {
		const c = window.__map.getCanvas();
		const w = c.clientWidth, h = c.clientHeight;
		const fs = window.__map.queryRenderedFeatures([[w*0.3, h*0.3], [w*0.7, h*0.7]])
			.filter(f => f.sourceLayer === 'enterprises');
		if (!fs.length) return null;
		const p = window.__map.project(fs[0].geometry.coordinates);
		const r = c.getBoundingClientRect();
		return {X: r.left + p.x, Y: r.top + p.y, Name: fs[0].properties.name};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if target.Name == "" {
		t.Fatal("no enterprise rendered near the centre of 莲都")
	}
	if err := chromedp.Do(ctx,
		chromedp.MouseClickXY(target.X, target.Y),
	); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => {
		const c = document.getElementById('card');
		return !!c && c.offsetParent !== null && c.textContent.includes('行业');
	})()`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("clicking %q at %v,%v opened no card with its attributes: %v", target.Name, target.X, target.Y, err)
	}
	saveScreenshot(t, ctx, "card-zh.png")
	card, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#card")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(card, target.Name) {
		t.Errorf("card %q does not name %q", card, target.Name)
	}
	// Why the grade: the scheme that gave it, and the history beneath.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => {
		const c = document.getElementById('card');
		return c.textContent.includes('评估依据') && c.textContent.includes('等级历史') &&
			c.querySelectorAll('table.history tr[data-reason="import"]').length === 1;
	})()`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		card, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#card")))
		t.Fatalf("the card does not explain the grade: %v\n%s", err, card)
	}
}

// TestHazardsAndRegionalMaps reports a major hidden hazard through the
// API, finds it drawn and opens its card; then turns the grid
// four-colour map on and opens a cell's counts.
func TestHazardsAndRegionalMaps(t *testing.T) {
	base, _ := writableServer(t)
	resp, h := post(t, base+"/api/v1/hidden-hazards", `{"code": "E2E-1", "title": "液氨储罐区无泄漏报警", "level": "major",
		"discovery_source": "covert_inspection", "found_on": "2026-11-20", "lon": 119.925, "lat": 28.452}`)
	if resp.StatusCode != 201 {
		t.Fatalf("report: %d %v", resp.StatusCode, h)
	}
	ctx := newBrowser(t, 1280, 800)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	openMap(t, ctx, base+"/?lang=zh")
	jumpAndSettle(t, ctx, 119.925, 28.452, 14)
	type point struct{ X, Y float64 }
	at, err := chromedp.Run(ctx, chromedp.Evaluate[point](`(() => {
		const p = window.__map.project([119.925, 28.452]);
		const r = window.__map.getCanvas().getBoundingClientRect();
		return {X: r.left + p.x, Y: r.top + p.y};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.__map.queryRenderedFeatures({layers: ['hazards']}).length`))
	if err != nil || n != 1 {
		t.Fatalf("%d hazards drawn (%v), want the one reported", n, err)
	}
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(at.X, at.Y)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => {
		const c = document.getElementById('card');
		return !!c && c.offsetParent !== null && c.textContent.includes('重大事故隐患') && c.textContent.includes('已上报');
	})()`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		card, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#card")))
		t.Fatalf("no hazard card: %v\n%s", err, card)
	}
	saveScreenshot(t, ctx, "hazard-card.png")
	// The grid four-colour map, switched on from the layer list.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[data-layer="regions_grid"]`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.__map.queryRenderedFeatures({layers: ['region-grid-fill']}).length > 0`,
		chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		t.Fatalf("no grid cells drawn: %v", err)
	}
	// The cell nearest the middle of the map (clear of the panels).
	cell, err := chromedp.Run(ctx, chromedp.Evaluate[point](`(() => {
		const c = window.__map.getCanvas();
		const w = c.clientWidth, h = c.clientHeight;
		let best = null, bestD = Infinity;
		for (let x = w * 0.3; x <= w * 0.7; x += 20) for (let y = h * 0.3; y <= h * 0.7; y += 20) {
			if (window.__map.queryRenderedFeatures([x, y], {layers: ['region-grid-fill']}).length === 0) continue;
			const d = (x - w / 2) ** 2 + (y - h / 2) ** 2;
			if (d < bestD) { bestD = d; best = [x, y]; }
		}
		if (!best) return null;
		const r = c.getBoundingClientRect();
		return {X: r.left + best[0], Y: r.top + best[1]};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"hidden_hazards", "enterprises", "bridges", "black_spots", "rescue_resources", "shelters"} {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[data-layer="`+key+`"]`))); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(cell.X, cell.Y)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => {
		const c = document.getElementById('card');
		return !!c && c.offsetParent !== null && c.textContent.includes('区域四色统计') && c.textContent.includes('对象总数');
	})()`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		card, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#card")))
		t.Fatalf("no region card: %v\n%s", err, card)
	}
	saveScreenshot(t, ctx, "grid-region.png")
}

// openMap loads the page and waits until MapLibre reports idle with no
// error.
func openMap(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.__mapIdle === true`, chromedp.WithPollingTimeout(150*time.Second))); err != nil {
		errs, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__mapErrors || []`))
		t.Fatalf("map never became idle: %v (page errors: %v)", err, errs)
	}
	errs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__mapErrors`))
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) > 0 {
		t.Errorf("page errors: %v", errs)
	}
}

// saveScreenshot writes a screenshot of the page to $RISKMAP_SCREENSHOTS
// when it is set, for a person to look at.
func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("RISKMAP_SCREENSHOTS")
	if dir == "" {
		return
	}
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// countColours counts the screenshot's pixels close to each grade colour.
func countColours(t *testing.T, b []byte) map[string]int {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	near := func(a uint32, b uint8) bool {
		d := int(a>>8) - int(b)
		return d > -12 && d < 12
	}
	out := map[string]int{}
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			pr, pg, pb, _ := img.At(x, y).RGBA()
			for name, c := range gradeColours {
				if near(pr, c[0]) && near(pg, c[1]) && near(pb, c[2]) {
					out[name]++
				}
			}
		}
	}
	for name := range gradeColours {
		out[name] += 0
	}
	return out
}

// TestLoginPage: with reads behind a login, the page asks for one, says
// so when the password is wrong, and draws the map once it is right.
func TestLoginPage(t *testing.T) {
	store, _ := writableStore(t)
	srv := authServer(t, store, web.Options{ReadAccess: web.ReadLogin})
	name := newUser(t, store, access.Viewer)
	ctx := newBrowser(t, 1024, 700)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(`#login`),
		chromedp.SendKeys(`#login input[name=username]`, name),
		chromedp.SendKeys(`#login input[name=password]`, "not the password"),
		chromedp.Click(`#login button`),
		chromedp.WaitVisible(`#login-error`),
	); err != nil {
		t.Fatal(err)
	}
	if sso, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('login-sso').hidden`)); err != nil || !sso {
		t.Errorf("the single sign-on link shows on a server without one (%v)", err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('login-error').textContent`))
	if err != nil || msg != "用户名或密码错误。" {
		t.Errorf("after a wrong password the page says %q (%v)", msg, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('#login input[name=password]').value = '') === ''`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(`#login input[name=password]`, "password for tests"),
		chromedp.Click(`#login button`),
	); err != nil {
		t.Fatal(err)
	}
	// The page reloads with its session: wait through the navigation.
	var err2 error
	for try := 0; try < 10; try++ {
		time.Sleep(200 * time.Millisecond)
		if _, err2 = chromedp.Run(ctx, chromedp.Poll[bool](`window.__mapIdle === true`, chromedp.WithPollingTimeout(150*time.Second))); err2 == nil ||
			!(strings.Contains(err2.Error(), "navigated") || strings.Contains(err2.Error(), "context with specified id")) {
			break
		}
	}
	if err2 != nil {
		errs, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__mapErrors || []`))
		t.Fatalf("the map never drew after the login: %v (page errors: %v)", err2, errs)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.__map.queryRenderedFeatures().length`))
	if err != nil || n == 0 {
		t.Errorf("after the login the map shows %d features (%v)", n, err)
	}
}

// TestMapFollowsChanges: the page listens to the event stream; an
// assessment made elsewhere makes it fetch its tiles again, without a
// reload.
func TestMapFollowsChanges(t *testing.T) {
	store, db := writableStore(t)
	srv, _ := cachedServer(t, store, 200*time.Millisecond)
	cctx := context.Background()
	ctx := newBrowser(t, 1024, 700)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	openMap(t, ctx, srv.URL+"/")
	conn, err := pgx.Connect(cctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(cctx)
	var id int64
	// One that is not red yet, so that the map has something to show.
	if err := conn.QueryRow(cctx, "SELECT id FROM risk_object WHERE category = 'enterprises' AND retired_at IS NULL AND grade IS DISTINCT FROM 'red' ORDER BY id LIMIT 1").Scan(&id); err != nil {
		t.Fatal(err)
	}
	planner := newToken(t, store, access.Planner)
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/objects/%d/assessments", srv.URL, id), strings.NewReader(`{"inputs": {"lec_l": 10, "lec_e": 6, "lec_c": 40}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+planner)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("assess: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.__tileRefreshes >= 1`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("the page did not refresh its tiles after the change: %v", err)
	}
	// The grade change is listed, in Chinese, with the new grade.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll('#change-list li')].some((li) => li.textContent.includes('→ 重大风险'))`,
		chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("the grade change is not listed under 最新变化: %v", err)
	}
	// A change far from where the map looks fetches no tile.
	var lon, lat float64
	if err := conn.QueryRow(cctx, "SELECT ST_X(geom), ST_Y(geom) FROM risk_object WHERE id = $1", id).Scan(&lon, &lat); err != nil {
		t.Fatal(err)
	}
	// (Outside Lishui: a change's area holds its county too.)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__map.jumpTo({center: [121.6, 29.7], zoom: 15}); true`)); err != nil {
		t.Fatal(err)
	}
	// What the first change still brings (the cache's poll may hear it
	// after the notification did, as a change anywhere) comes first: wait
	// until the refreshes have stood still for 1.5 s (a loaded CI machine
	// can bring it late).
	refreshes := -1
	for try := 0; try < 10; try++ {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.__tileRefreshes`))
		if err != nil {
			t.Fatal(err)
		}
		if n == refreshes {
			break
		}
		refreshes = n
		time.Sleep(1500 * time.Millisecond)
	}
	req, _ = http.NewRequest("POST", fmt.Sprintf("%s/api/v1/objects/%d/assessments", srv.URL, id), strings.NewReader(`{"inputs": {"lec_l": 1, "lec_e": 1, "lec_c": 1}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+planner)
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("assess: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.__tileSkips >= 1`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("the change outside the view was not heard: %v", err)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`window.__tileRefreshes`)); n != refreshes {
		t.Errorf("a change outside the view refreshed the tiles (%d → %d)", refreshes, n)
	}
	// Back there, the map fetches what changed while it looked away (its
	// own cache of tiles would otherwise show the old ones).
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`window.__map.jumpTo({center: [%f, %f], zoom: 14}); true`, lon, lat))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`window.__tileRefreshes > %d`, refreshes), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("back at the change, the map did not fetch its tiles again: %v", err)
	}
}

// TestHazardCardLinksItsObject: a hidden hazard reported on an enterprise
// is drawn over the enterprise's symbol; a click there opens the hazard,
// whose card names the enterprise, and one more click opens the
// enterprise's own card.
func TestHazardCardLinksItsObject(t *testing.T) {
	store, conn := writableConn(t)
	base := newServer(t, store).URL
	e := demoEnterprise(t, conn, "TRUE")
	var lon, lat float64
	if err := conn.QueryRow(context.Background(), `SELECT ST_X(geom), ST_Y(geom) FROM risk_object WHERE id = $1`, e.id).Scan(&lon, &lat); err != nil {
		t.Fatal(err)
	}
	resp, h := post(t, base+"/api/v1/hidden-hazards", fmt.Sprintf(`{"code": "E2E-OBJ", "title": "配电房无绝缘垫", "level": "general",
		"discovery_source": "patrol", "found_on": "2026-11-20", "object_id": %d}`, e.id))
	if resp.StatusCode != 201 {
		t.Fatalf("report: %d %v", resp.StatusCode, h)
	}
	ctx := newBrowser(t, 1280, 800)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	pg := browserPage{t: t, ctx: ctx, panel: "card"}
	openMap(t, ctx, base+"/?lang=zh")
	jumpAndSettle(t, ctx, lon, lat, 15)
	type point struct{ X, Y float64 }
	at, err := chromedp.Run(ctx, chromedp.Evaluate[point](fmt.Sprintf(`(() => {
		const p = window.__map.project([%f, %f]);
		const r = window.__map.getCanvas().getBoundingClientRect();
		return {X: r.left + p.x, Y: r.top + p.y};
	})()`, lon, lat)))
	if err != nil {
		t.Fatal(err)
	}
	pg.run("click the hazard on the enterprise", chromedp.MouseClickXY(at.X, at.Y))
	pg.poll("the hazard's card names its enterprise", `(document.getElementById('hazard-object')?.textContent ?? '') === `+jsString(e.name), 30*time.Second)
	pg.run("open the enterprise", chromedp.Click(`#hazard-object`))
	pg.poll("the enterprise's card", `(document.getElementById('card-title')?.textContent ?? '') === `+jsString(e.name)+` && !document.getElementById('hazard-object')`, 30*time.Second)
}

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestCountyMapRule: on the demo map every county holds a red site, so
// the county four-colour map by 就高 is red all over; switched to the
// weighted index, the counties take different colours, and the legend
// says which rule colours them.
func TestCountyMapRule(t *testing.T) {
	srv, _ := demoServer(t)
	ctx := newBrowser(t, 1280, 800)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	pg := browserPage{t: t, ctx: ctx, panel: "legend"}
	openMap(t, ctx, srv.URL+"/?lang=zh")
	pg.run("the county map", chromedp.Click(`input[data-layer="regions_county"]`))
	grades := `[...new Set(window.__map.queryRenderedFeatures({layers: ['region-county-fill']}).map((f) => (f.state && f.state.index_grade) || f.properties.grade))]`
	pg.poll("by 就高, all red", `window.__map.queryRenderedFeatures({layers: ['region-county-fill']}).length > 0 && `+grades+`.join() === 'red' &&
		document.getElementById('legend-hint').textContent.includes('就高')`, 60*time.Second)
	pg.run("by the weighted index", chromedp.Click(`#county-rule input[value=index]`))
	pg.poll("several colours, and the legend says so", `!!window.__countyIndex && `+grades+`.length >= 2 &&
		document.getElementById('legend-hint').textContent.includes('加权指数')`, 30*time.Second)
	pg.run("back to 就高", chromedp.Click(`#county-rule input[value=max]`))
	pg.poll("red again", `window.__map.getPaintProperty('region-county-fill', 'fill-color')[1][0] === 'get'`, 10*time.Second)
}

// TestMapFilter: the filter bar beside the search box limits the map's
// risk layers by grade and county (the tiles' grade= and county=), keeps
// the filter across a reload, and clears it.
func TestMapFilter(t *testing.T) {
	srv, _ := demoServer(t)
	ctx := newBrowser(t, 1280, 800)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	pg := browserPage{t: t, ctx: ctx, panel: "filters"}
	openMap(t, ctx, srv.URL+"/?lang=zh")
	jumpAndSettle(t, ctx, 119.92, 28.45, 14)
	shown := `(() => { const fs = window.__map.queryRenderedFeatures({layers: window.__map.getStyle().layers.filter((l) => l.id.startsWith('pt-')).map((l) => l.id)});
		return {n: fs.length, grades: [...new Set(fs.map((f) => f.properties.grade))].sort().join()}; })()`
	type seen struct {
		N      int
		Grades string
	}
	before, err := chromedp.Run(ctx, chromedp.Evaluate[seen](shown))
	if err != nil || before.N == 0 || !strings.Contains(before.Grades, ",") {
		t.Fatalf("before the filter: %+v (%v), want several grades", before, err)
	}
	pg.run("only red", chromedp.Click(`#filters button[data-grade=red]`))
	pg.poll("only red objects are drawn", `(() => { const s = `+shown+`; return window.__map.getStyle().sources.riskmap.tiles[0].includes('grade=red') &&
		window.__map.areTilesLoaded() && s.n > 0 && s.grades === 'red'; })()`, 30*time.Second)
	pg.run("reload", chromedp.Reload())
	pg.poll("the filter is kept", `window.__mapIdle === true && document.querySelector('#filters button[data-grade=red]').getAttribute('aria-pressed') === 'true' &&
		window.__map.getStyle().sources.riskmap.tiles[0].includes('grade=red') && !!document.getElementById('filter-on')`, 60*time.Second)
	pg.poll("the counties are offered", `document.querySelectorAll('#filters select[name=county] option').length > 5`, 20*time.Second)
	pg.setSelect(`#filters select[name=county]`, "331121")
	pg.poll("the county too", `window.__map.getStyle().sources.riskmap.tiles[0].includes('county=331121')`, 10*time.Second)
	pg.run("clear", chromedp.Click(`#filter-clear`))
	pg.poll("everything again", `!window.__map.getStyle().sources.riskmap.tiles[0].includes('grade=') && !document.getElementById('filter-on')`, 10*time.Second)
	if errs := pg.pageErrors(); len(errs) > 0 {
		t.Errorf("the filtered tiles: %v", errs)
	}
}
