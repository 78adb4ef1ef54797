package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/importers"
	"riskmap/web"
)

// TestImportWorkbench: the import page's API with real PostGIS. An editor
// imports within its division (a row of another county is refused by
// name), and manages nothing else; the dry run's report carries the
// columns with what each maps to, the CRS and why, the rows as stored and
// their positions, and a new source that repeats another's ids says so;
// with Accept: application/x-ndjson a long import sends its progress
// before its report; templates are kept per source, checked, audited and
// changed only from the division that saved them or above; the history
// reads by division.
func TestImportWorkbench(t *testing.T) {
	store, conn := writableConn(t)
	srv := authServer(t, store, web.Options{})
	jinyun := newTokenIn(t, store, access.Editor, "331122")
	liandu := newTokenIn(t, store, access.Editor, "331102")
	viewer := newTokenIn(t, store, access.Viewer, "331122")
	city := newTokenIn(t, store, access.Admin, "331100")

	send := func(tok, method, path, accept string, body io.Reader, ctype string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, body)
		req.Header.Set("Authorization", "Bearer "+tok)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	upload := func(tok string, fields map[string]string, name, content, accept string) (int, []byte) {
		t.Helper()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		w, _ := mw.CreateFormFile("file", name)
		io.WriteString(w, content)
		mw.Close()
		return send(tok, "POST", "/api/v1/imports", accept, &body, mw.FormDataContentType())
	}
	report := func(b []byte) importers.Report {
		t.Helper()
		var r importers.Report
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("not a report: %s", b)
		}
		return r
	}
	const list = "编号,单位名,经度,纬度,从业人数\nJW1,缙云县工作台测试厂,120.0743,28.6572,12\nJW2,缙云县工作台二厂,120.0801,28.6603,30\n"
	mapping := `{"columns": {"单位名": "name"}}`

	if code, b := upload(viewer, map[string]string{"category": "enterprises", "source": "jw"}, "a.csv", list, ""); code != http.StatusForbidden {
		t.Errorf("a viewer imports: %d %s, want 403", code, b)
	}
	if code, _ := send(jinyun, "GET", "/api/v1/users", "", nil, ""); code != http.StatusForbidden {
		t.Errorf("an editor lists users: %d, want 403", code)
	}

	// The dry run: columns, CRS, sample and points.
	code, b := upload(jinyun, map[string]string{"category": "enterprises", "source": "jw", "dry_run": "true", "mapping": mapping}, "a.csv", list, "")
	rep := report(b)
	if code != http.StatusOK || rep.Valid != 2 || rep.Inserted != 2 || len(rep.Sample) != 2 || len(rep.Points) != 2 || rep.Points[0][2] != 1 {
		t.Fatalf("dry run: %d %s", code, b)
	}
	f := rep.Files[0]
	want := map[string][2]string{"编号": {"source_id", "alias"}, "单位名": {"name", "mapping"}, "经度": {"lon", "alias"}, "从业人数": {"employees", "alias"}}
	for _, c := range f.Columns {
		if w, ok := want[c.Header]; ok && (c.Key != w[0] || c.Via != w[1]) {
			t.Errorf("column %s maps to %s by %s, want %v", c.Header, c.Key, c.Via, w)
		}
	}
	if f.CRS != "wgs84" || f.CRSVia != "default" || rep.Sample[0].Division != "331122" || rep.Sample[0].Attributes["employees"] != float64(12) {
		t.Errorf("dry run's file %+v, sample %+v", f, rep.Sample[0])
	}

	// The import, with progress asked for: a small file answers at once.
	code, b = upload(jinyun, map[string]string{"category": "enterprises", "source": "jw", "mapping": mapping}, "a.csv", list, "application/x-ndjson")
	if rep = report(b); code != http.StatusOK || !rep.Committed || rep.Inserted != 2 {
		t.Fatalf("import: %d %s", code, b)
	}
	firstID := rep.ImportID

	// A row of another county is refused by row, and nothing is written.
	code, b = upload(jinyun, map[string]string{"category": "enterprises", "source": "jw2", "mapping": mapping}, "b.csv",
		"编号,单位名,经度,纬度\nJW9,莲都区某厂,119.91,28.45\n", "")
	if rep = report(b); code != http.StatusUnprocessableEntity || rep.Committed || len(rep.Problems) == 0 || rep.Problems[len(rep.Problems)-1].Row != 2 ||
		!strings.Contains(rep.Problems[len(rep.Problems)-1].ReasonZH, "不在您的辖区") {
		t.Errorf("a row outside the editor's county: %d %s", code, b)
	}

	// The same ids under a new source name: the preview says whose they are.
	code, b = upload(city, map[string]string{"category": "enterprises", "source": "jw-copy", "dry_run": "true", "mapping": mapping}, "a.csv", list, "")
	if rep = report(b); code != http.StatusOK || rep.SourceObjects != 0 || rep.Elsewhere != 2 || rep.ElsewhereSource != "jw" {
		t.Errorf("a new source repeating jw's ids: %d elsewhere %d in %q, source objects %d", code, rep.Elsewhere, rep.ElsewhereSource, rep.SourceObjects)
	}
	code, b = upload(city, map[string]string{"category": "enterprises", "source": "jw", "dry_run": "true", "mapping": mapping}, "a.csv", list, "")
	if rep = report(b); code != http.StatusOK || rep.SourceObjects != 2 || rep.Elsewhere != 0 || rep.Unchanged != 2 {
		t.Errorf("the same source again: %d %s", code, b)
	}

	// Progress: a long file streams its rows read before its report.
	var big strings.Builder
	big.WriteString("编号,名称,经度,纬度\n")
	for i := range 60000 {
		fmt.Fprintf(&big, "P%d,缙云县进度测试%d,%.5f,%.5f\n", i, i, 120.06+float64(i%100)*0.0002, 28.65+float64(i/100%100)*0.0002)
	}
	code, b = upload(jinyun, map[string]string{"category": "enterprises", "source": "jw-big", "dry_run": "true"}, "big.csv", big.String(), "application/x-ndjson")
	var progress int
	var last map[string]json.RawMessage
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var line map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("a line that is not JSON: %.200s", sc.Bytes())
		}
		if _, ok := line["progress"]; ok {
			progress++
		} else {
			last = line
		}
	}
	if code != http.StatusOK || progress == 0 || last == nil || string(last["status"]) != "200" {
		t.Fatalf("streamed import: %d, %d progress lines, last %.300s", code, progress, b[max(0, len(b)-300):])
	}
	if rep = report(last["report"]); rep.Rows != 60000 || rep.Valid != 60000 || rep.Committed {
		t.Errorf("streamed report: rows %d valid %d committed %v", rep.Rows, rep.Valid, rep.Committed)
	}

	// Templates.
	put := func(tok, body string) (int, []byte) {
		return send(tok, "PUT", "/api/v1/import-templates", "", strings.NewReader(body), "application/json")
	}
	tests := []struct {
		name string
		tok  string
		body string
		want int
	}{
		{"the county's editor", jinyun, `{"category": "enterprises", "source": "jw", "mapping": {"columns": {"单位名": "name"}}}`, http.StatusOK},
		{"another county's editor", liandu, `{"category": "enterprises", "source": "jw", "mapping": {"columns": {"单位名": ""}}}`, http.StatusForbidden},
		{"a viewer", viewer, `{"category": "enterprises", "source": "jw", "mapping": {"columns": {}}}`, http.StatusForbidden},
		{"a bad CRS", jinyun, `{"category": "enterprises", "source": "jw", "mapping": {"columns": {}, "crs": "EPSG:abc"}}`, http.StatusBadRequest},
		{"an unknown key", jinyun, `{"category": "enterprises", "source": "jw", "mapping": {"cols": {}}}`, http.StatusBadRequest},
		{"a bad category", jinyun, `{"category": "factories", "source": "jw", "mapping": {"columns": {}}}`, http.StatusBadRequest},
		{"no source", jinyun, `{"category": "enterprises", "source": " ", "mapping": {"columns": {}}}`, http.StatusBadRequest},
		{"the city above", city, `{"category": "enterprises", "source": "jw", "mapping": {"columns": {"单位名": "name", "备注": ""}}}`, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, b := put(tc.tok, tc.body)
			if code != tc.want {
				t.Fatalf("%d %s, want %d", code, b, tc.want)
			}
			if code == http.StatusBadRequest && !bytes.Contains(b, []byte(`"param"`)) {
				t.Errorf("a 400 that names no parameter: %s", b)
			}
		})
	}
	code, b = send(jinyun, "GET", "/api/v1/import-templates?category=enterprises&source=jw", "", nil, "")
	var tpl geo.ImportTemplate
	if json.Unmarshal(b, &tpl); code != http.StatusOK || tpl.Division != "331100" || !strings.Contains(string(tpl.Mapping), "备注") {
		t.Errorf("the template as kept: %d %s", code, b)
	}
	var audited int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'import.template' AND outcome = 'ok' AND target = 'source:jw/enterprises'`).Scan(&audited); err != nil || audited != 2 {
		t.Errorf("template saves audited: %d (%v), want 2", audited, err)
	}
	if code, _ := send(jinyun, "GET", "/api/v1/import-templates?category=enterprises&source=none", "", nil, ""); code != http.StatusNotFound {
		t.Errorf("no template: %d, want 404", code)
	}

	// The history, by division.
	history := func(tok string) []geo.ImportRun {
		t.Helper()
		code, b := send(tok, "GET", "/api/v1/imports", "", nil, "")
		var r struct{ Imports []geo.ImportRun }
		if err := json.Unmarshal(b, &r); err != nil || code != http.StatusOK {
			t.Fatalf("history: %d %s", code, b)
		}
		return r.Imports
	}
	if h := history(jinyun); len(h) != 1 || h[0].ID != firstID || h[0].Division != "331122" || h[0].Source != "jw" {
		t.Errorf("缙云县's history: %+v", h)
	}
	if h := history(liandu); len(h) != 0 {
		t.Errorf("莲都区 reads 缙云县's imports: %+v", h)
	}
	if h := history(city); len(h) != 1 {
		t.Errorf("the city's history: %+v", h)
	}
	if code, _ := send(liandu, "GET", fmt.Sprintf("/api/v1/imports/%d", firstID), "", nil, ""); code != http.StatusNotFound {
		t.Errorf("莲都区 reads 缙云县's import: %d, want 404", code)
	}
	code, b = send(jinyun, "GET", fmt.Sprintf("/api/v1/imports/%d", firstID), "", nil, "")
	var run geo.ImportRun
	if json.Unmarshal(b, &run); code != http.StatusOK || !strings.Contains(string(run.Files), "a.csv") || !strings.Contains(string(run.Options), "单位名") {
		t.Errorf("one import: %d %s", code, b)
	}
	code, b = send(jinyun, "GET", "/api/v1/imports/sources", "", nil, "")
	if code != http.StatusOK || !strings.Contains(string(b), `"source":"jw","objects":2`) || !strings.Contains(string(b), `"template":true`) {
		t.Errorf("sources: %d %s", code, b)
	}
	if code, _ := send(jinyun, "GET", "/api/v1/imports?limit=500", "", nil, ""); code != http.StatusBadRequest {
		t.Errorf("limit 500: %d, want 400", code)
	}
}
