package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"riskmap/geo/access"
)

// TestRegradeOnCard: a planner finds a blue enterprise graded by LEC,
// opens 重新评估 on its card, sets L, E and C to the worst, sees 将评为重大风险
// before saving, saves with a comment; the card and the map's tile turn
// red, and the card shows the new inputs once (not the import's too).
func TestRegradeOnCard(t *testing.T) {
	store, conn := writableConn(t)
	srv, _ := cachedServer(t, store, time.Hour)
	planner := newUser(t, store, access.Planner)
	e := demoEnterprise(t, conn, "method = 'lec_4c_A' AND grade = 'blue'")
	id, name, part := e.id, e.name, e.part

	ctx := newBrowser(t, 1400, 900)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	pg := browserPage{t: t, ctx: ctx, panel: "card"}
	openMap(t, ctx, srv.URL+"/?lang=zh")
	pg.login(planner, "logout")
	pg.run("find it", chromedp.Click(`#search-input`), chromedp.SendKeys(`#search-input`, part))
	hit := fmt.Sprintf(`#search-results li[data-id="%d"]`, id)
	pg.poll("listed", `!!document.querySelector('`+hit+`')`, 20*time.Second)
	pg.run("open its card", chromedp.Evaluate[chromedp.Void](`document.querySelector('`+hit+`').dispatchEvent(new MouseEvent('mousedown', {bubbles: true}))`))
	pg.poll("its card with 重新评估", `document.getElementById('card-title')?.textContent === '`+name+`' && !!document.getElementById('regrade-open')`, 30*time.Second)
	pg.run("open the form", chromedp.Click(`#regrade-open`))
	pg.poll("the LEC inputs", `!!document.querySelector('#regrade select[name=lec_l]') && document.querySelector('#regrade select[name=scheme]').value === 'lec_4c_A'`, 20*time.Second)
	for k, v := range map[string]string{"lec_l": "10", "lec_e": "10", "lec_c": "100"} {
		pg.setSelect(`#regrade select[name=`+k+`]`, v)
	}
	pg.typeInto(`#regrade textarea[name=comment]`, "现场复核：储罐区无防火堤")
	pg.run("preview", chromedp.Click(`#regrade-preview`))
	pg.poll("the grade it would give", `document.querySelector('.regrade-preview')?.dataset.grade === 'red' && document.querySelector('.regrade-preview').textContent.includes('重大风险')`, 20*time.Second)
	var n int
	conn.QueryRow(context.Background(), `SELECT count(*) FROM risk_assessment WHERE object_id = $1`, id).Scan(&n)
	pg.run("save", chromedp.Click(`#regrade-save`))
	pg.poll("the card is red, the inputs shown once", `document.querySelector('#card .card-grade')?.textContent.includes('重大风险') && !document.getElementById('regrade') &&
		!document.querySelector('#card tr[data-key=lec_l]')`, 30*time.Second)
	pg.poll("the map's tile too", fmt.Sprintf(`window.__map.querySourceFeatures('riskmap', {sourceLayer: 'enterprises'}).some((f) => f.id === %d && f.properties.grade === 'red')`, id), 30*time.Second)
	var after int
	var comment string
	conn.QueryRow(context.Background(), `SELECT count(*) FROM risk_assessment WHERE object_id = $1`, id).Scan(&after)
	conn.QueryRow(context.Background(), `SELECT after->>'comment' FROM audit_log WHERE action = 'assess' ORDER BY id DESC LIMIT 1`).Scan(&comment)
	if after != n+1 || comment != "现场复核：储罐区无防火堤" {
		t.Errorf("assessments %d → %d (the preview must write none), audited comment %q", n, after, comment)
	}
}
