package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"riskmap/geo"
	"riskmap/geo/access"
)

// TestTasksPage follows 挂牌督办 in the browser on the Lishui demo: the
// city's planner opens 待办 from the map, finds a 缙云县 hazard among the
// hazards waiting and supervises it; the county's planner finds it among
// its tasks, acknowledges (签收) and reports back (反馈); a second
// supervision issued meanwhile appears on the county's page by itself
// (the tasks event); and the city's page counts the county's progress.
func TestTasksPage(t *testing.T) {
	store, conn := writableConn(t)
	srv, _ := cachedServer(t, store, time.Hour)
	const lishui, jinyun = "331100", "331122"
	city := newUserIn(t, store, access.Planner, lishui)
	county := newUserIn(t, store, access.Planner, jinyun)
	cctx := context.Background()
	var objects [2]int64
	rows, err := conn.Query(cctx, `SELECT id FROM risk_object WHERE category = 'enterprises' AND division_code = $1 ORDER BY id LIMIT 2`, jinyun)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; rows.Next(); i++ {
		rows.Scan(&objects[i])
	}
	rows.Close()
	var hazards [2]geo.Hazard
	for i, o := range objects {
		if hazards[i], err = store.ReportHazard(cctx, geo.Hazard{Code: fmt.Sprintf("JY-2026-%d", i+1), ObjectID: &o, Title: fmt.Sprintf("仓库消防通道堵塞%d", i+1),
			Level: "major", DiscoverySource: "covert_inspection", FoundOn: time.Now().In(geo.Local).Format(time.DateOnly)}, "system"); err != nil {
			t.Fatal(err)
		}
		if hazards[i].Division != jinyun {
			t.Fatalf("hazard %d lies in %q, want %s", i, hazards[i].Division, jinyun)
		}
	}

	ctx := newBrowser(t, 1400, 900)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	pg := browserPage{t: t, ctx: ctx, panel: "title"}
	openMap(t, ctx, srv.URL+"/?lang=zh")
	pg.login(city, "tasks-link")
	pg.poll("the city's map offers its tasks", `location.search.includes('division=`+lishui+`') && !document.getElementById('tasks-link').hidden`, 60*time.Second)
	pg.run("open the tasks", chromedp.Click(`#tasks-link`))
	row := fmt.Sprintf(`#t-hazards tr[data-hazard="%d"]`, hazards[0].ID)
	pg.poll("the city's tasks list the county's hazard", `document.title === '丽水市待办事项' && !!document.querySelector('`+row+` button')`, 30*time.Second)
	pg.run("supervise it",
		chromedp.Click(row+` button`),
		chromedp.WaitVisible(row+` form[data-form=supervise]`),
	)
	pg.typeInto(row+` textarea[name=requirements]`, "限期30日内完成整改")
	pg.run("submit the supervision", chromedp.Click(row+` button[type=submit]`))
	pg.poll("the city counts it for the county", `!!document.querySelector('#t-issued tr[data-division="`+jinyun+`"]') &&
		document.querySelector('#t-issued tr[data-division="`+jinyun+`"] td.num').textContent === '1' &&
		document.querySelector('.message.done') !== null && !document.querySelector('`+row+` button')`, 30*time.Second)

	// The county.
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatalf("log out: %v", err)
	}
	pg.run("back to the map", chromedp.Navigate(srv.URL+"/?lang=zh&next=tasks"))
	pg.loginFor("tasks", county)
	sup := `#t-supervisions tr[data-step]`
	pg.poll("the county's tasks hold the supervision", `location.pathname.endsWith('/tasks') && location.search.includes('division=`+jinyun+`') &&
		document.title === '缙云县待办事项' && document.querySelector('`+sup+`')?.dataset.step === 'acknowledge' &&
		document.querySelector('`+sup+`').textContent.includes('丽水市督办')`, 60*time.Second)
	pg.run("acknowledge", chromedp.Click(sup+` button`))
	pg.poll("acknowledged", `document.querySelector('`+sup+`')?.dataset.step === 'feedback'`, 30*time.Second)
	pg.run("report back",
		chromedp.Click(sup+` button`),
		chromedp.WaitVisible(sup+` form[data-form=feedback]`),
	)
	pg.typeInto(sup+` textarea[name=note]`, "已停产整改，清理通道")
	pg.run("submit the feedback", chromedp.Click(sup+` button[type=submit]`))
	pg.poll("reported back", `document.querySelector('`+sup+`')?.dataset.step === 'rectify' &&
		document.querySelector('`+sup+`').textContent.includes('已停产整改')`, 30*time.Second)

	// The city supervises the second hazard; the county's page hears of it.
	if _, err := store.Supervise(cctx, hazards[1].ID, geo.NewSupervision{Division: lishui, Mode: "listed"}, "system"); err != nil {
		t.Fatal(err)
	}
	pg.poll("the new supervision arrives by itself", `document.querySelectorAll('`+sup+`').length === 2`, 30*time.Second)
	saveScreenshot(t, ctx, "tasks-county")
}
