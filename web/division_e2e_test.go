package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"riskmap/geo/access"
	"riskmap/web"
)

// TestCountyUserMap: a county's dispatcher logs in on the Lishui demo
// and lands on the county's map (缙云县安全风险一张图, ?division=331122):
// its tiles hold that county only, another county's object card is not
// to be had, and the county's wall counts the county's objects alone.
func TestCountyUserMap(t *testing.T) {
	store, conn := writableConn(t)
	srv := authServer(t, store, web.Options{})
	const jinyun, liandu = "331122", "331102"
	name := newUserIn(t, store, access.Dispatcher, jinyun)
	var inJinyun int
	var other int64
	cctx := context.Background()
	if err := conn.QueryRow(cctx, `SELECT count(*) FROM risk_object WHERE retired_at IS NULL AND starts_with(division_code, $1)`, jinyun).Scan(&inJinyun); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(cctx, `SELECT id FROM risk_object WHERE category = 'enterprises' AND division_code = $1 LIMIT 1`, liandu).Scan(&other); err != nil {
		t.Fatal(err)
	}

	ctx := newBrowser(t, 1400, 900)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	pg := browserPage{t: t, ctx: ctx, panel: "title"}
	openMap(t, ctx, srv.URL+"/?lang=zh")
	pg.login(name, "dispatch-toggle")
	pg.poll("the page moves to the county's map", `location.search.includes('division=`+jinyun+`') && window.__mapIdle === true &&
		!document.getElementById('dispatch-toggle').hidden`, 60*time.Second)
	pg.poll("the county's title", `document.getElementById('title').textContent === '缙云县安全风险一张图'`, 10*time.Second)
	counties, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...new Set(window.__map.querySourceFeatures('riskmap', {sourceLayer: 'counties'}).map((f) => f.properties.adcode))]`))
	if err != nil || len(counties) != 1 || counties[0] != jinyun {
		t.Errorf("the map's counties %v (%v), want only %s", counties, err, jinyun)
	}
	cells, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.__map.querySourceFeatures('riskmap', {sourceLayer: 'enterprises'}).length`))
	if err != nil || cells == 0 {
		t.Errorf("no enterprises drawn on the county's map (%v)", err)
	}
	status, err := chromedp.Run(ctx, chromedp.Evaluate[float64](fmt.Sprintf(`fetch('ogc/collections/enterprises/items/%d').then((r) => r.status)`, other), chromedp.EvalAwaitPromise))
	if err != nil || status != 404 {
		t.Errorf("a Liandu enterprise's card: %v (%v), want 404", status, err)
	}

	// The county's wall.
	pg.run("open the county's wall", chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(srv.URL+"/wall?division="+jinyun))
	pg.poll("the county's wall is up", `window.__mapIdle === true && window.__wall && window.__wall.overviews >= 1`, 120*time.Second)
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.title + '|' + document.getElementById('city-total').textContent + '|' +
		[...document.querySelectorAll('#county-bars li[data-county]')].map((li) => li.dataset.county).join(',')`))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(got, "|")
	if len(parts) != 3 || !strings.Contains(parts[0], "缙云县") || strings.ReplaceAll(parts[1], ",", "") != fmt.Sprint(inJinyun) || parts[2] != jinyun {
		t.Errorf("the county's wall: %q, want the title of 缙云县, %d objects and the county alone", got, inJinyun)
	}
}
