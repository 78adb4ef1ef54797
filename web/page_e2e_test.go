package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browserPage drives one map page in a browser test: its failures say
// what the page's errors were, what the panel (the element with id
// panel) showed and what state reads.
type browserPage struct {
	t     *testing.T
	ctx   context.Context
	panel string
	state string // JavaScript that says, as a string, what else a failure should show
}

func (p browserPage) pageErrors() []string {
	errs, _ := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](`window.__mapErrors || []`))
	return errs
}

// run runs actions, failing the test with what was being done.
func (p browserPage) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	for _, a := range actions {
		// A page that redraws (a list read again on an event) may replace
		// the node between the query and the action, which a person's
		// click or typing, aimed at what is on the screen, never meets:
		// the action is tried again on the new node.
		var err error
		for try := 0; try < 3; try++ {
			if err = chromedp.Do(p.ctx, a); err == nil || !strings.Contains(err.Error(), "Could not find node with given id") {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err != nil {
			p.t.Fatalf("%s: %v (page errors: %v)", what, err, p.pageErrors())
		}
	}
}

// poll waits until js is true, on whatever page is there by then: a poll
// that a navigation cut short (a link followed, a redirect) starts again
// on the new page.
func (p browserPage) poll(what, js string, timeout time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	var err error
	for {
		_, err = chromedp.Run(p.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil || time.Now().After(deadline) ||
			!(strings.Contains(err.Error(), "navigated") || strings.Contains(err.Error(), "context with specified id")) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		text, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.getElementById(%q) || {}).innerText || ''`, p.panel)))
		if p.state != "" {
			state, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](p.state))
			text += "\nstate: " + state
		}
		p.t.Fatalf("%s: %v\npanel: %s\npage errors: %v", what, err, text, p.pageErrors())
	}
}

// setSelect picks an option as a person would (the change event fires).
func (p browserPage) setSelect(sel, value string) {
	p.t.Helper()
	ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
		const s = document.querySelector(%q); s.value = %q; s.dispatchEvent(new Event('change', {bubbles: true})); return s.value === %q;
	})()`, sel, value, value)))
	if err != nil || !ok {
		p.t.Fatalf("select %s %s: %v", sel, value, err)
	}
}

// typeInto fills a text field as a person's typing would (an input
// event), in one step: the dispatch panel re-renders its form when the
// event stream brings news, keeping what was typed, and a node replaced
// halfway through chromedp's key by key typing fails it ("Could not find
// node").
func (p browserPage) typeInto(sel, text string) {
	p.t.Helper()
	ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
		const i = document.querySelector(%q); if (!i) return false; i.focus(); i.value = %q; i.dispatchEvent(new Event('input', {bubbles: true})); return true;
	})()`, sel, text)))
	if err != nil || !ok {
		p.t.Fatalf("type into %s: %v", sel, err)
	}
}

// loginFor fills and sends the login form that a ?next= address opened
// by itself (the workbench pages send their viewers there), without
// waiting for what comes after.
func (p browserPage) loginFor(next, user string) {
	p.t.Helper()
	p.run("log in for "+next,
		chromedp.WaitVisible(`#login`),
		chromedp.SendKeys(`#login input[name=username]`, user),
		chromedp.SendKeys(`#login input[name=password]`, "password for tests"),
		chromedp.Click(`#login button[type=submit]`))
}

// login logs user in from the map's 登录 button and waits for the page
// to come back with the button toggle (an id) shown.
func (p browserPage) login(user, toggle string) {
	p.t.Helper()
	p.run("log in",
		chromedp.WaitVisible(`#login-toggle`),
		chromedp.Click(`#login-toggle`),
		chromedp.WaitVisible(`#login`),
		chromedp.SendKeys(`#login input[name=username]`, user),
		chromedp.SendKeys(`#login input[name=password]`, "password for tests"),
		chromedp.Click(`#login button[type=submit]`),
	)
	// The page reloads after the login: a poll may meet the old page.
	var err error
	for try := 0; try < 10; try++ {
		time.Sleep(200 * time.Millisecond)
		if _, err = chromedp.Run(p.ctx, chromedp.Poll[bool](fmt.Sprintf(`window.__mapIdle === true && !document.getElementById(%q).hidden`, toggle),
			chromedp.WithPollingTimeout(60*time.Second))); err == nil ||
			!(strings.Contains(err.Error(), "navigated") || strings.Contains(err.Error(), "context with specified id")) {
			break
		}
	}
	if err != nil {
		p.t.Fatalf("no #%s after %s logged in: %v", toggle, user, err)
	}
}

// jumpAndSettle moves the page's map to centre (lon, lat) at zoom and
// waits until it has drawn everything there.
func jumpAndSettle(t *testing.T, ctx context.Context, lon, lat, zoom float64) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
		window.__idleAgain = false;
		window.__map.once('idle', () => { window.__idleAgain = true; });
		window.__map.jumpTo({center: [%f, %f], zoom: %f});
		return true;
	})()`, lon, lat, zoom))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.__idleAgain === true`, chromedp.WithPollingTimeout(120*time.Second))); err != nil {
		t.Fatalf("the map did not settle at %v, %v z%v: %v", lon, lat, zoom, err)
	}
}
