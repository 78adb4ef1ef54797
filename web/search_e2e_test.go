package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"riskmap/web"
)

// enterprise is one of the demo's enterprises, with a part of its name a
// search finds it by (the last five characters before 有限公司: its trade
// name and trade, say).
type enterprise struct {
	id         int64
	name, part string
}

// demoEnterprise is the demo's enterprise of lowest id named …有限公司
// that meets where (SQL over risk_object, a constant of the test).
func demoEnterprise(t *testing.T, conn *pgx.Conn, where string) enterprise {
	t.Helper()
	var e enterprise
	if err := conn.QueryRow(context.Background(), `SELECT id, name FROM risk_object WHERE category = 'enterprises'
		AND name LIKE '%有限公司' AND char_length(name) >= 12 AND `+where+` ORDER BY id LIMIT 1`).Scan(&e.id, &e.name); err != nil {
		t.Fatalf("an enterprise where %s: %v", where, err)
	}
	runes := []rune(strings.TrimSuffix(e.name, "有限公司"))
	e.part = string(runes[len(runes)-5:])
	return e
}

// TestSearchBox: on the demo map, part of an enterprise's name typed into
// the search box lists it with its county; Enter flies to it and opens its
// card, and the map's centre is then the enterprise.
func TestSearchBox(t *testing.T) {
	store, conn := writableConn(t)
	srv := authServer(t, store, web.Options{})
	e := demoEnterprise(t, conn, "TRUE")
	id, name, part := e.id, e.name, e.part
	var county string
	var lon, lat float64
	if err := conn.QueryRow(context.Background(), `SELECT d.name, ST_X(o.geom), ST_Y(o.geom) FROM risk_object o
		JOIN admin_division d ON d.code = o.division_code WHERE o.id = $1`, id).Scan(&county, &lon, &lat); err != nil {
		t.Fatal(err)
	}

	ctx := newBrowser(t, 1400, 900)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	pg := browserPage{t: t, ctx: ctx, panel: "search"}
	openMap(t, ctx, srv.URL+"/?lang=zh")
	pg.run("type part of the name", chromedp.Click(`#search-input`), chromedp.SendKeys(`#search-input`, part))
	hit := fmt.Sprintf(`#search-results li[data-id="%d"]`, id)
	pg.poll("the enterprise is listed with its county", `!!document.querySelector('`+hit+`') &&
		document.querySelector('`+hit+`').textContent.includes('`+county+`')`, 20*time.Second)
	pg.run("pick it", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const i = [...document.querySelectorAll('#search-results li.search-hit')].findIndex((li) => li.dataset.id === '%d');
		for (let k = 0; k < i; k++) document.getElementById('search-input').dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowDown', bubbles: true})); })()`, id)),
		chromedp.KeyEvent("\r"))
	pg.poll("its card opens", `!document.getElementById('card').hidden && document.getElementById('card-title')?.textContent === '`+name+`'`, 20*time.Second)
	pg.poll("the map flies there", fmt.Sprintf(`(() => { const c = window.__map.getCenter(); return !window.__map.isMoving() && Math.abs(c.lng - %f) < 0.001 && Math.abs(c.lat - %f) < 0.001 && window.__map.getZoom() >= 14; })()`, lon, lat), 20*time.Second)
	saveScreenshot(t, ctx, "search")
}
