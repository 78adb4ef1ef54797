package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"riskmap/geo/access"
	"riskmap/web"
)

// contrastJS is the lowest contrast ratio (WCAG 2: (L1 + 0.05) / (L2 +
// 0.05) of relative luminances) of the text of the elements sel matches
// against the first opaque background behind each.
const contrastJS = `((sel) => {
	const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
	const lum = ([r, g, b]) => { const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
		return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
	const bg = (e) => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || c[3] > 0.99) return c.slice(0, 3); } return [255, 255, 255]; };
	let worst = 99;
	for (const e of document.querySelectorAll(sel)) {
		if (!e.offsetParent) continue;
		const a = lum(rgb(getComputedStyle(e).color).slice(0, 3)), b = lum(bg(e));
		worst = Math.min(worst, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05));
	}
	return worst;
})`

// TestAccount: the login form is readable (contrast at least 4.5:1); once
// logged in, the title bar names the user, the role and the division, and
// logs out; a session that ends meanwhile is noticed and said.
func TestAccount(t *testing.T) {
	store, conn := writableConn(t)
	srv := authServer(t, store, web.Options{})
	name := newUserIn(t, store, access.Planner, "331122")

	ctx := newBrowser(t, 1400, 900)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	pg := browserPage{t: t, ctx: ctx, panel: "titlebar"}
	openMap(t, ctx, srv.URL+"/?lang=zh")
	pg.run("open the login", chromedp.Click(`#login-toggle`), chromedp.WaitVisible(`#login`))
	worst, err := chromedp.Run(ctx, chromedp.Evaluate[float64](contrastJS+`('#login h2, #login .hint, #login label span, #login input, #login button')`))
	if err != nil || worst < 4.5 {
		t.Errorf("the login form's lowest contrast is %.2f:1 (%v), want at least 4.5:1", worst, err)
	}
	pg.login(name, "logout")
	pg.poll("the title bar names who is logged in", `document.getElementById('who').textContent === '`+name+` · 业务员 · 缙云县'`, 20*time.Second)
	if worst, err := chromedp.Run(ctx, chromedp.Evaluate[float64](contrastJS+`('#who, #logout')`)); err != nil || worst < 4.5 {
		t.Errorf("the title bar's lowest contrast is %.2f:1 (%v)", worst, err)
	}

	// The session ends on the server: the page notices when it is looked at again.
	if _, err := conn.Exec(context.Background(), `DELETE FROM app_session`); err != nil {
		t.Fatal(err)
	}
	pg.run("come back to the window", chromedp.Evaluate[chromedp.Void](`window.dispatchEvent(new Event('focus'))`))
	pg.poll("the end is said", `!document.getElementById('notice').hidden && document.getElementById('notice').textContent.includes('登录已过期') &&
		document.getElementById('who').hidden && !document.getElementById('login-toggle').hidden`, 20*time.Second)

	// Log in again, then out.
	pg.login(name, "logout")
	pg.run("log out", chromedp.Click(`#logout`))
	pg.poll("logged out", `!!document.getElementById('login-toggle') && !document.getElementById('login-toggle').hidden && document.getElementById('who').hidden`, 20*time.Second)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`fetch('api/v1/session').then((r) => r.status)`, chromedp.EvalAwaitPromise)); err != nil || n != 401 {
		t.Errorf("after logging out the session answers %v (%v), want 401", n, err)
	}
}
