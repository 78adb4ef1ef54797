package web_test

import (
	"context"
	"os"
	"path/filepath"
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

// TestAdminGrading: the deployment's admin switches the LEC table A off
// in 管理 › 评定方案 with a reason: the trial says which grades would
// move and keeps nothing; the change stores version 2 with the reason,
// grades the objects again and is audited. A file with faults is refused
// with each of them named by item and field. A token made on the page is
// listed and revoked there.
func TestAdminGrading(t *testing.T) {
	store, conn := writableConn(t)
	srv := authServer(t, store, web.Options{})
	admin := newUser(t, store, access.Admin)
	bg := context.Background()
	count := func(q string) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(bg, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	const gradedByA = `SELECT count(*) FROM risk_object o JOIN risk_assessment a ON a.id = o.assessment_id WHERE o.retired_at IS NULL AND a.scheme = 'lec_4c_A'`
	byA := count(gradedByA)
	if byA == 0 {
		t.Fatal("the demo has no object graded by lec_4c_A: the test would say nothing")
	}

	ctx := newBrowser(t, 1400, 1000)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	pg := browserPage{t: t, ctx: ctx, panel: "admin"}
	openMap(t, ctx, srv.URL+"/?lang=zh&next=admin")
	pg.loginFor("admin", admin)
	pg.poll("the schemes are listed", `location.pathname.endsWith('/admin') &&
		!!document.querySelector('#grading-schemes tr[data-scheme="lec_4c_A"] button[data-switch="scheme:lec_4c_A"]') &&
		document.querySelector('#grading-schemes tr[data-scheme="lec_4c_A"]').textContent.includes('启用') &&
		!!document.querySelector('#grading-rules tr[data-rule="R6"]')`, 60*time.Second)
	pg.run("switch A off", chromedp.Click(`button[data-switch="scheme:lec_4c_A"]`))
	pg.poll("the form asks why", `!!document.querySelector('#grading-change textarea[name=grading-reason]')`, 10*time.Second)
	pg.typeInto(`#grading-change textarea[name=grading-reason]`, "依据市安委办要求停用A表")
	pg.run("try it", chromedp.Click(`#grading-try`))
	pg.poll("the trial lists the moves", `document.querySelectorAll('#grading-preview li[data-move]').length > 0`, 60*time.Second)
	if n := count(`SELECT count(*) FROM grading_scheme WHERE code = 'lec_4c_A'`); n != 1 {
		t.Errorf("the trial stored a version: %d of lec_4c_A", n)
	}
	if n := count(gradedByA); n != byA {
		t.Errorf("the trial regraded: %d objects by A, was %d", n, byA)
	}
	pg.run("make it", chromedp.Click(`#grading-change button[type=submit]`))
	pg.poll("done, and A is off", `!!document.querySelector('#grading-result li[data-move]') &&
		document.querySelector('#grading-schemes tr[data-scheme="lec_4c_A"]').textContent.includes('停用') &&
		document.querySelector('#grading-schemes tr[data-scheme="lec_4c_A"]').textContent.includes('依据市安委办要求停用A表')`, 60*time.Second)
	if n := count(`SELECT count(*) FROM grading_scheme WHERE code = 'lec_4c_A' AND version = 2 AND reason = '依据市安委办要求停用A表' AND NOT (definition->>'enabled')::boolean`); n != 1 {
		t.Errorf("version 2 of lec_4c_A with its reason: %d", n)
	}
	if n := count(gradedByA); n != 0 {
		t.Errorf("%d objects still graded by A", n)
	}
	if n := count(`SELECT count(*) FROM risk_assessment WHERE reason = 'grading'`); n < byA {
		t.Errorf("%d assessments say grading, want at least %d", n, byA)
	}
	if n := count(`SELECT count(*) FROM audit_log WHERE action = 'grading.switch' AND target = 'scheme:lec_4c_A' AND actor = 'user:` + admin + `'`); n != 1 {
		t.Errorf("audited %d times", n)
	}

	// A file with two faults: both named, nothing stored.
	bad := filepath.Join(t.TempDir(), "grading.json")
	if err := os.WriteFile(bad, []byte(`{"schemes": [{"code": "lec_x", "version": 0, "category": "enterprises", "name_zh": "测试", "method": "stated"}],
		"rules": [{"key": "RX", "priority": 1, "when": {"var": "x", "op": "≈", "value": 1}, "action": "raise", "steps": 1, "reason_zh": "因"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	pg.run("choose the file", chromedp.SetUploadFiles(`#grading-load input[type=file]`, []string{bad}))
	pg.poll("the file is read", `!document.getElementById('grading-load-try').disabled`, 10*time.Second)
	pg.typeInto(`#grading-load textarea[name=grading-load-reason]`, "试一个文件")
	pg.run("try the file", chromedp.Click(`#grading-load-try`))
	pg.poll("each fault named", `!!document.querySelector('#grading-faults tr[data-item="schemes[0]"][data-field="version"]') &&
		!!document.querySelector('#grading-faults tr[data-item="rules[0]"][data-field="when.op"]')`, 20*time.Second)
	if n := count(`SELECT count(*) FROM grading_scheme WHERE code = 'lec_x'`); n != 0 {
		t.Errorf("a refused file stored %d versions", n)
	}

	// A token made here is listed, and revoked from its row.
	pg.typeInto(`#create-token input[name=name]`, "iot-feed")
	pg.typeInto(`#create-token input[name=user]`, admin)
	pg.setSelect(`#create-token select[name=role]`, "viewer")
	pg.run("make a token", chromedp.Click(`#create-token button[type=submit]`))
	pg.poll("shown once and listed", `!!document.querySelector('#new-token code') &&
		[...document.querySelectorAll('#token-list tr[data-token]')].some((tr) => tr.textContent.includes('iot-feed') && tr.textContent.includes('有效'))`, 20*time.Second)
	pg.run("revoke it", chromedp.Click(`#token-list button[data-revoke]`))
	pg.poll("revoked", `[...document.querySelectorAll('#token-list tr[data-token]')].some((tr) => tr.textContent.includes('iot-feed') && tr.textContent.includes('已吊销'))`, 20*time.Second)
	saveScreenshot(t, ctx, "admin-grading")
}
