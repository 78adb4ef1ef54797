package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"riskmap/geo/access"
	"riskmap/web"
)

// TestImportPage: 缙云县's data keeper (an editor) opens 导入 from the map,
// drops this month's enterprise list, whose name column no alias knows
// (单位名): the preview says the name is missing and lists the column as
// kept as an attribute; the keeper maps it to 名称 in the page, previews
// again (the rows as they will be stored, their positions on a small
// map), imports, and the mapping is kept as the source's template. Next
// month's file of the same source is read with the template by itself
// and updates the objects instead of adding them; the same file under a
// new source name is flagged as duplicates; the history lists both
// imports with their reports, and the map's search finds the new object.
func TestImportPage(t *testing.T) {
	store, conn := writableConn(t)
	srv := authServer(t, store, web.Options{})
	editor := newUserIn(t, store, access.Editor, "331122")
	dir := t.TempDir()
	csv := func(name string, employees int) string {
		p := filepath.Join(dir, name)
		body := "编号,单位名,经度,纬度,从业人数,地址\n" +
			fmt.Sprintf("JYT001,缙云县测试竹木制品有限公司,120.0743,28.6572,%d,五云街道\n", employees) +
			"JYT002,缙云县测试机械厂,120.0801,28.6603,120,新建镇\n"
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	november, december := csv("jinyun-2026-11.csv", 35), csv("jinyun-2026-12.csv", 40)
	const source = "缙云县企业清单"

	ctx := newBrowser(t, 1400, 1000)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	pg := browserPage{t: t, ctx: ctx, panel: "import", state: `JSON.stringify({msg: window.__import && window.__import.message, running: !!(window.__import && window.__import.running)})`}
	openMap(t, ctx, srv.URL+"/?lang=zh")
	pg.login(editor, "import-link")
	pg.poll("the editor's map offers 导入", `!document.getElementById('import-link').hidden && document.getElementById('admin-link').hidden`, 60*time.Second)
	pg.run("open it", chromedp.Click(`#import-link`))
	pg.poll("the import page", `document.title === '数据导入' && !!document.querySelector('#import-form') && !!document.getElementById('file-input')`, 30*time.Second)

	setSource := func(name string) {
		t.Helper()
		pg.run("name the source", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const i = document.querySelector('#import-form input[name=source]');
			i.value = %q; i.dispatchEvent(new Event('input', {bubbles: true})); i.dispatchEvent(new Event('change', {bubbles: true})); })()`, name)))
	}
	setSource(source)
	pg.poll("a new source is said to be new", `(document.getElementById('source-note')?.textContent ?? '').includes('新的数据来源')`, 10*time.Second)
	pg.run("drop this month's list", chromedp.SetUploadFiles(`#file-input`, []string{november}))
	name := `#columns select[data-header="单位名"]`
	pg.poll("the preview names the missing column and keeps 单位名 as an attribute",
		`!!document.querySelector('`+name+`') && document.querySelector('`+name+`').value === '@attr' &&
		[...document.querySelectorAll('#problems td')].some((td) => td.textContent.includes('找不到“名称”列'))`, 30*time.Second)
	crs, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#i-preview .files .crs').textContent`))
	if err != nil || !strings.Contains(crs, "WGS84") || !strings.Contains(crs, "文件未说明") {
		t.Errorf("the preview's CRS line %q (%v), want WGS84 and why", crs, err)
	}
	pg.setSelect(name, "name")
	pg.run("preview with the column mapped", chromedp.Click(`#import-remap`))
	pg.poll("two good rows, as stored, on the small map",
		`document.querySelector('#preview-counts [data-count=valid] b').textContent === '2' &&
		document.querySelector('#preview-counts [data-count=inserted] b').textContent === '2' &&
		document.querySelectorAll('#sample tbody tr').length === 2 &&
		document.querySelector('#sample tbody').textContent.includes('缙云县测试竹木制品有限公司') &&
		document.querySelector('#mini-map').dataset.ready === 'true' && !document.querySelector('#import-commit').disabled`, 30*time.Second)
	saveScreenshot(t, ctx, "import-preview.png")
	pg.run("import", chromedp.Click(`#import-commit`))
	pg.poll("imported, and the mapping kept", `(document.getElementById('import-result')?.textContent ?? '').includes('新增 2') &&
		[...document.querySelectorAll('.message.done')].some((m) => m.textContent.includes('模板'))`, 30*time.Second)

	cctx := context.Background()
	var n, employees int
	if err := conn.QueryRow(cctx, `SELECT count(*), max((attributes->>'employees')::int) FILTER (WHERE source_id = 'JYT001')
		FROM risk_object WHERE source = $1 AND retired_at IS NULL AND division_code LIKE '331122%'`, source).Scan(&n, &employees); err != nil || n != 2 || employees != 35 {
		t.Fatalf("stored %d objects of the source, employees %d (%v); want 2 in 缙云县, 35", n, employees, err)
	}
	var mapped, by string
	if err := conn.QueryRow(cctx, `SELECT mapping->'columns'->>'单位名', updated_by FROM import_template WHERE category = 'enterprises' AND source = $1`, source).Scan(&mapped, &by); err != nil || mapped != "name" || by != "user:"+editor {
		t.Fatalf("the template maps 单位名 to %q, saved by %q (%v)", mapped, by, err)
	}
	var audited int
	if err := conn.QueryRow(cctx, `SELECT count(*) FROM audit_log WHERE action = 'import.template' AND actor = $1 AND division_code = '331122'`, "user:"+editor).Scan(&audited); err != nil || audited != 1 {
		t.Errorf("template saves audited: %d (%v), want 1", audited, err)
	}

	// Next month: the template is applied by itself, and the source updated.
	pg.run("the page again", chromedp.Navigate(srv.URL+"/import?lang=zh"))
	pg.poll("the page", `!!document.querySelector('#import-form input[name=source]')`, 30*time.Second)
	setSource(source)
	pg.poll("the source is known, with its template", `(document.getElementById('source-note')?.textContent ?? '').includes('已有 2 个对象') &&
		document.getElementById('source-note').textContent.includes('模板')`, 10*time.Second)
	pg.run("drop next month's list", chromedp.SetUploadFiles(`#file-input`, []string{december}))
	pg.poll("read with the template: one updated, one unchanged, none new",
		`!!document.querySelector('`+name+`') && document.querySelector('`+name+`').value === 'name' &&
		document.querySelector('#columns tr[data-header="单位名"]').textContent.includes('按模板') &&
		document.querySelector('#preview-counts [data-count=updated] b').textContent === '1' &&
		document.querySelector('#preview-counts [data-count=unchanged] b').textContent === '1' &&
		document.querySelector('#preview-counts [data-count=inserted] b').textContent === '0'`, 30*time.Second)

	// The same file under another source name would add the objects again.
	setSource("缙云县企业清单（新）")
	pg.poll("the page says so", `(document.getElementById('dup-warning')?.textContent ?? '').includes('「`+source+`」') &&
		document.querySelector('#preview-counts [data-count=inserted] b').textContent === '2'`, 30*time.Second)
	setSource(source)
	pg.poll("back to the source", `!document.getElementById('dup-warning') && document.querySelector('#preview-counts [data-count=updated] b').textContent === '1' &&
		!document.querySelector('#import-commit').disabled`, 30*time.Second)
	pg.run("import it", chromedp.Click(`#import-commit`))
	pg.poll("updated", `(document.getElementById('import-result')?.textContent ?? '').includes('更新 1')`, 30*time.Second)
	if err := conn.QueryRow(cctx, `SELECT count(*), max((attributes->>'employees')::int) FILTER (WHERE source_id = 'JYT001')
		FROM risk_object WHERE source = $1 AND retired_at IS NULL`, source).Scan(&n, &employees); err != nil || n != 2 || employees != 40 {
		t.Fatalf("after next month: %d objects, employees %d (%v); want 2, 40", n, employees, err)
	}

	// The history: both imports, each with its report.
	pg.poll("the history lists both", `document.querySelectorAll('#history tr[data-import]').length === 2 &&
		document.querySelector('#history tbody tr').textContent.includes('jinyun-2026-12.csv')`, 20*time.Second)
	pg.run("open the first one's report", chromedp.Click(`#history tbody tr:last-child button`))
	pg.poll("its report", `(document.getElementById('opened-import')?.textContent ?? '').includes('jinyun') || !!document.getElementById('opened-problems-none')`, 20*time.Second)

	// The map's search finds what was imported.
	pg.run("the map", chromedp.Navigate(srv.URL+"/?lang=zh"))
	pg.poll("the map is ready", `!!document.getElementById('search-input')`, 30*time.Second)
	pg.run("search it", chromedp.Click(`#search-input`), chromedp.SendKeys(`#search-input`, "测试竹木"))
	pg.poll("found", `[...document.querySelectorAll('#search-results li.search-hit')].some((li) => li.textContent.includes('缙云县测试竹木制品有限公司'))`, 20*time.Second)

	// The map's attribution speaks the page's language.
	pg.poll("the attribution in Chinese", `(document.getElementById('attribution')?.textContent ?? '').includes('边界：')`, 10*time.Second)
	pg.run("switch to English", chromedp.Click(`#lang-toggle`))
	pg.poll("the attribution in English", `(document.getElementById('attribution')?.textContent ?? '').includes('Boundaries:')`, 10*time.Second)
}
