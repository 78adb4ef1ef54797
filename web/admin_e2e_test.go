package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"riskmap/geo/access"
	"riskmap/web"
)

// TestAdminPage: the city's admin opens 管理 from the map, adds a county
// clerk with a role and a division, and the clerk logs in and out; the
// audit page lists the addition, the clerk's login and logout, and a
// filter by action keeps the addition alone.
func TestAdminPage(t *testing.T) {
	store, conn := writableConn(t)
	srv := authServer(t, store, web.Options{})
	admin := newUserIn(t, store, access.Admin, "331100")

	ctx := newBrowser(t, 1400, 900)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	pg := browserPage{t: t, ctx: ctx, panel: "admin"}
	openMap(t, ctx, srv.URL+"/?lang=zh")
	pg.login(admin, "admin-link")
	pg.poll("the city's map offers 管理", `location.search.includes('division=331100') && !document.getElementById('admin-link').hidden`, 60*time.Second)
	pg.run("open it", chromedp.Click(`#admin-link`))
	pg.poll("the users are listed", `document.title === '系统管理' && !!document.querySelector('#a-users tr[data-user="`+admin+`"]')`, 30*time.Second)
	pg.typeInto(`#add-user input[name=name]`, "clerk_jy")
	pg.typeInto(`#add-user input[name=display_name]`, "缙云县录入员")
	pg.setSelect(`#add-user select[name=role]`, "viewer")
	pg.typeInto(`#add-user input[name=division]`, "331122")
	pg.typeInto(`#add-user input[name=password]`, "password for tests")
	pg.run("add the clerk", chromedp.Click(`#add-user button[type=submit]`))
	pg.poll("the clerk is listed in the county", `!!document.querySelector('#a-users tr[data-user="clerk_jy"]') &&
		document.querySelector('#a-users tr[data-user="clerk_jy"]').textContent.includes('缙云县') &&
		!!document.querySelector('#a-audit tr[data-action="user.add"]')`, 30*time.Second)

	// The clerk logs in, and out.
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	pg.run("the map", chromedp.Navigate(srv.URL+"/?lang=zh"))
	pg.login("clerk_jy", "logout")
	pg.poll("the clerk is logged in", `document.getElementById('who').textContent === 'clerk_jy · 查看 · 缙云县' && document.getElementById('admin-link').hidden`, 30*time.Second)
	pg.run("log out", chromedp.Click(`#logout`))
	pg.poll("logged out", `!document.getElementById('login-toggle').hidden && document.getElementById('who').hidden`, 20*time.Second)

	// Back as the admin: the audit lists what was done.
	pg.run("the map again", chromedp.Navigate(srv.URL+"/?lang=zh&next=admin"))
	pg.loginFor("admin", admin)
	pg.poll("the audit lists the clerk's login and logout", `location.pathname.endsWith('/admin') &&
		[...document.querySelectorAll('#a-audit tr[data-action]')].some((tr) => tr.dataset.action === 'login' && tr.textContent.includes('user:clerk_jy')) &&
		[...document.querySelectorAll('#a-audit tr[data-action]')].some((tr) => tr.dataset.action === 'logout' && tr.textContent.includes('user:clerk_jy'))`, 30*time.Second)
	pg.typeInto(`#audit-filter input[name=action]`, "user.add")
	pg.run("filter by action", chromedp.Click(`#audit-filter button[type=submit]`))
	pg.poll("only the addition", `[...document.querySelectorAll('#a-audit tr[data-action]')].every((tr) => tr.dataset.action === 'user.add') &&
		document.querySelectorAll('#a-audit tr[data-action]').length === 1`, 20*time.Second)
	saveScreenshot(t, ctx, "admin")

	// The clerk forgot the password: the admin resets it, and the one-time
	// password shown once logs the clerk in to choose their own.
	pg.run("reset the clerk's password", chromedp.Click(`#a-users button[data-reset="clerk_jy"]`))
	pg.poll("the one-time password, shown once", `(document.querySelector('#new-otp code')?.textContent ?? '').length === 16`, 20*time.Second)
	otp, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#new-otp code').textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	pg.run("the map", chromedp.Navigate(srv.URL+"/?lang=zh"))
	pg.poll("the map is ready", `window.__mapIdle === true && !document.getElementById('login-toggle').hidden`, 60*time.Second)
	pg.run("log in with it", chromedp.Click(`#login-toggle`), chromedp.WaitVisible(`#login`))
	pg.typeInto(`#login input[name=username]`, "clerk_jy")
	pg.typeInto(`#login input[name=password]`, otp)
	pg.run("send", chromedp.Click(`#login button[type=submit]`))
	pg.poll("asked for a password of their own", `!document.getElementById('password-change').hidden`, 20*time.Second)
	pg.typeInto(`#password-change input[name=password]`, "clerk's own password")
	pg.typeInto(`#password-change input[name=again]`, "clerk's own pass")
	pg.run("two different ones", chromedp.Click(`#password-change button[type=submit]`))
	pg.poll("refused", `document.querySelector('#password-change .login-error').textContent.includes('不一致')`, 10*time.Second)
	pg.typeInto(`#password-change input[name=again]`, "clerk's own password")
	pg.run("save it", chromedp.Click(`#password-change button[type=submit]`))
	pg.poll("logged in as the clerk", `(document.getElementById('who')?.textContent ?? '') === 'clerk_jy · 查看 · 缙云县'`, 30*time.Second)
	var must bool
	if err := conn.QueryRow(context.Background(), `SELECT must_change_password FROM app_user WHERE username = 'clerk_jy'`).Scan(&must); err != nil || must {
		t.Errorf("after choosing a password, must change = %v (%v)", must, err)
	}
}
