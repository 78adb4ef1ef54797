package web_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/chromedp/chromedp"
)

// reportRow is a row of the report's four-colour table.
type reportRow struct {
	Category                                     string
	Red, Orange, Yellow, Blue, Unassessed, Total int
}

// reportOut is what the page's test hook (window.__lastReport) says of
// the last export, with the file itself as base64.
type reportOut struct {
	Seq         int
	Error       string
	Type        string
	Filename    string
	Width       int
	Height      int
	DPI         int
	Paper       string
	Orientation string
	Title       string
	Extent      struct {
		Kind, Code, Name string
		BBox             []float64
	}
	Table struct {
		Rows  []reportRow
		Total reportRow
	}
	Layout struct {
		Title, Map, Legend, Table [4]float64
		Swatches                  map[string][4]float64
	}
	MapPixels struct {
		Width, Height  int
		PixelRatio     float64
		MetresPerPixel float64
	}
	Data      string
	Maps      int
	Offscreen int
	Status    string
}

// regionsStat is a region of GET /api/v1/stats/regions.
type regionsStat struct {
	Code       string
	Name       string
	Counts     map[string]int
	ByCategory map[string]map[string]int `json:"by_category"`
	Total      int
}

func getRegions(t *testing.T, url string) []regionsStat {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	var body struct{ Regions []regionsStat }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body.Regions
}

// sumRegions adds the regions' counts up per category and grade.
func sumRegions(regions []regionsStat) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, r := range regions {
		for cat, counts := range r.ByCategory {
			if out[cat] == nil {
				out[cat] = map[string]int{}
			}
			for g, n := range counts {
				out[cat][g] += n
			}
		}
	}
	return out
}

// checkTable compares the report's table with counts from the API.
func checkTable(t *testing.T, out reportOut, want map[string]map[string]int) {
	t.Helper()
	cats := []string{"enterprises", "bridges", "black_spots", "rescue_resources", "shelters"}
	if len(out.Table.Rows) != len(cats) {
		t.Fatalf("the table has %d rows, want the %d categories: %+v", len(out.Table.Rows), len(cats), out.Table.Rows)
	}
	sum := map[string]int{}
	all := 0
	for i, r := range out.Table.Rows {
		if r.Category != cats[i] {
			t.Errorf("row %d is %q, want %q", i, r.Category, cats[i])
		}
		w := want[r.Category]
		got := map[string]int{"red": r.Red, "orange": r.Orange, "yellow": r.Yellow, "blue": r.Blue, "unassessed": r.Unassessed}
		n := 0
		for g, v := range got {
			if v != w[g] {
				t.Errorf("%s %s: the report says %d, the API %d", r.Category, g, v, w[g])
			}
			sum[g] += w[g]
			n += w[g]
		}
		if r.Total != n {
			t.Errorf("%s total: the report says %d, the API %d", r.Category, r.Total, n)
		}
		all += n
	}
	tot := out.Table.Total
	if tot.Red != sum["red"] || tot.Orange != sum["orange"] || tot.Yellow != sum["yellow"] || tot.Blue != sum["blue"] ||
		tot.Unassessed != sum["unassessed"] || tot.Total != all {
		t.Errorf("the totals row %+v, the API's sums %v (all %d)", tot, sum, all)
	}
	if all == 0 {
		t.Error("the report counts nothing: the test would prove little")
	}
}

const readReport = `(async () => {
	const r = window.__lastReport;
	const out = {
		seq: r.seq, error: r.error || '', type: r.type, filename: r.filename, width: r.width, height: r.height, dpi: r.dpi,
		paper: r.paper, orientation: r.orientation, title: r.title, extent: r.extent, table: r.table, layout: r.layout,
		mapPixels: r.mapPixels,
		maps: document.querySelectorAll('.maplibregl-map').length,
		offscreen: document.querySelectorAll('.report-offscreen').length,
		status: document.getElementById('report-status').textContent,
	};
	if (r.blob) out.data = await new Promise((resolve, reject) => {
		const f = new FileReader();
		f.onload = () => resolve(String(f.result).split(',')[1]);
		f.onerror = () => reject(f.error);
		f.readAsDataURL(r.blob);
	});
	return out;
})()`

// TestReportMap exports 莲都区 as an A4 landscape PNG and checks the
// sheet: its size at 150 dpi, the legend's four colours, a title, the
// table's counts against the API; then the current view as an A3
// portrait PDF: its page size, its title in the metadata, its counts.
func TestReportMap(t *testing.T) {
	srv, _ := demoServer(t)
	ctx := newBrowser(t, 1280, 800)
	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	openMap(t, ctx, srv.URL+"/?lang=zh")

	// ---- 莲都区, A4 landscape, PNG
	if err := chromedp.Do(ctx, chromedp.Click(`#report-toggle`), chromedp.WaitVisible(`#report`)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('#report select[name=county] option[value="331102"]')`,
		chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the dialog lists no 莲都区 (331102): %v", err)
	}
	title, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#report input[name=title]').value`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(title, "风险四色图") || len([]rune(title)) <= len([]rune("风险四色图")) {
		t.Errorf("the default title is %q, want the map's title + 风险四色图", title)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(`#report input[name=extent][value=county]`),
		chromedp.SetValue(`#report select[name=county]`, "331102"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#report select[name=county]').dispatchEvent(new Event('change'))`),
	); err != nil {
		t.Fatal(err)
	}
	// A county's sheet carries the county in its title.
	if title, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#report input[name=title]').value`)); err != nil || title != "莲都区风险四色图" {
		t.Errorf("the county's default title is %q (%v), want 莲都区风险四色图", title, err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(`#report input[name=paper][value=a4]`),
		chromedp.Click(`#report input[name=orientation][value=landscape]`),
		chromedp.Click(`#report input[name=format][value=png]`),
		chromedp.Click(`#report button[type=submit]`),
	); err != nil {
		t.Fatal(err)
	}
	out := waitReport(t, ctx, 1)
	saveScreenshot(t, ctx, "report-dialog.png")
	if out.Type != "image/png" || !strings.HasSuffix(out.Filename, ".png") {
		t.Errorf("type %q, file %q: want a PNG", out.Type, out.Filename)
	}
	if out.Maps != 1 || out.Offscreen != 0 {
		t.Errorf("after the export the page has %d maps and %d offscreen containers, want the page's map only", out.Maps, out.Offscreen)
	}
	if !strings.Contains(out.Status, "已导出") {
		t.Errorf("the dialog says %q after the export", out.Status)
	}
	raw, err := base64.StdEncoding.DecodeString(out.Data)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the export is no PNG: %v", err)
	}
	saveFile(t, "report-lishui-a4.png", raw)
	b := img.Bounds()
	if b.Dx() != out.Width || b.Dy() != out.Height {
		t.Errorf("the PNG is %dx%d, the report says %dx%d", b.Dx(), b.Dy(), out.Width, out.Height)
	}
	if r := float64(b.Dx()) / float64(b.Dy()); math.Abs(r/(297.0/210.0)-1) > 0.01 {
		t.Errorf("the PNG is %dx%d (%.4f), not A4 landscape (%.4f)", b.Dx(), b.Dy(), r, 297.0/210.0)
	}
	if out.DPI != 150 {
		t.Errorf("dpi %d, want 150", out.DPI)
	}
	if wantW := int(math.Round(297 / 25.4 * 150)); abs(b.Dx()-wantW) > 1 {
		t.Errorf("the PNG is %d pixels wide, A4 landscape at 150 dpi is %d", b.Dx(), wantW)
	}
	t.Logf("sheet %dx%d, map canvas %dx%d at pixel ratio %.3f, frame %v", b.Dx(), b.Dy(), out.MapPixels.Width, out.MapPixels.Height, out.MapPixels.PixelRatio, out.Layout.Map)
	// The map canvas is what MapLibre drew at the sheet's resolution (or, if it had to clamp, scaled up into the frame).
	if out.MapPixels.Width < int(out.Layout.Map[2]*0.9) || out.MapPixels.Height < int(out.Layout.Map[3]*0.9) {
		t.Errorf("the map was drawn at %dx%d for a frame of %vx%v", out.MapPixels.Width, out.MapPixels.Height, out.Layout.Map[2], out.Layout.Map[3])
	}

	checkScale(t, out)

	// The legend: each swatch is its grade's colour.
	legend := map[string][3]uint8{"unassessed": {0x9E, 0x9E, 0x9E}}
	for g, c := range gradeColours {
		legend[g] = c
	}
	for g, c := range legend {
		r, ok := out.Layout.Swatches[g]
		if !ok {
			t.Errorf("no legend swatch for %s", g)
			continue
		}
		if n := countNear(img, rect(r), c); n < int(r[2]*r[3]*0.5) {
			t.Errorf("legend swatch %s at %v: %d pixels of %02X%02X%02X, want most of its %v", g, r, n, c[0], c[1], c[2], r[2]*r[3])
		}
	}
	// The map frame shows the graded objects.
	frame := rect(out.Layout.Map)
	seen := 0
	for g, c := range gradeColours {
		n := countNear(img, frame, c)
		t.Logf("map frame: %d pixels of %s", n, g)
		if n >= 10 {
			seen++
		}
	}
	if seen < 3 {
		t.Errorf("the map frame shows %d of the four grade colours, want at least 3", seen)
	}
	// The title and the table hold dark text on white.
	for name, r := range map[string][4]float64{"title": out.Layout.Title, "table": out.Layout.Table} {
		dark, light := countLuma(img, rect(r))
		area := int(r[2] * r[3])
		if dark < 400 || light < area/3 {
			t.Errorf("%s area %v: %d dark and %d light pixels of %d: want dark text on white", name, r, dark, light, area)
		}
	}
	// The table's counts are the API's for 莲都区.
	if out.Extent.Kind != "county" || out.Extent.Code != "331102" || out.Extent.Name != "莲都区" {
		t.Errorf("the extent is %+v, want 莲都区 331102", out.Extent)
	}
	var lishui *regionsStat
	regions := getRegions(t, srv.URL+"/api/v1/stats/regions?level=county")
	for i := range regions {
		if regions[i].Code == "331102" {
			lishui = &regions[i]
		}
	}
	if lishui == nil {
		t.Fatal("stats/regions has no 331102")
	}
	checkTable(t, out, sumRegions([]regionsStat{*lishui}))
	if out.Table.Total.Total != lishui.Total {
		t.Errorf("the table's total is %d, the county's %d", out.Table.Total.Total, lishui.Total)
	}

	// ---- the current view, A3 portrait, PDF
	if err := chromedp.Do(ctx,
		chromedp.Click(`#report input[name=extent][value=view]`),
		chromedp.Click(`#report input[name=paper][value=a3]`),
		chromedp.Click(`#report input[name=orientation][value=portrait]`),
		chromedp.Click(`#report input[name=format][value=pdf]`),
		chromedp.Click(`#report button[type=submit]`),
	); err != nil {
		t.Fatal(err)
	}
	out = waitReport(t, ctx, 2)
	pdf, err := base64.StdEncoding.DecodeString(out.Data)
	if err != nil {
		t.Fatal(err)
	}
	saveFile(t, "report-view-a3.pdf", pdf)
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the export does not start with %%PDF-: %q", pdf[:min(16, len(pdf))])
	}
	if out.Type != "application/pdf" || !strings.HasSuffix(out.Filename, ".pdf") {
		t.Errorf("type %q, file %q: want a PDF", out.Type, out.Filename)
	}
	boxes := regexp.MustCompile(`/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]`).FindAllSubmatch(pdf, -1)
	if len(boxes) != 1 {
		t.Fatalf("%d MediaBoxes in the PDF, want one page", len(boxes))
	}
	var box [4]float64
	for i := range box {
		box[i], _ = strconv.ParseFloat(string(boxes[0][i+1]), 64)
	}
	if math.Abs(box[2]-box[0]-841.89) > 1 || math.Abs(box[3]-box[1]-1190.55) > 1 {
		t.Errorf("MediaBox %v, want A3 portrait 841.89 × 1190.55 pt", box)
	}
	// The page is the sheet: one image of its pixels, the legend in it.
	sheet := pdfImage(t, pdf)
	if sheet.Bounds().Dx() != out.Width || sheet.Bounds().Dy() != out.Height {
		t.Errorf("the PDF's image is %v, the sheet %dx%d", sheet.Bounds(), out.Width, out.Height)
	}
	if r := float64(out.Height) / float64(out.Width); math.Abs(r/(420.0/297.0)-1) > 0.01 {
		t.Errorf("the sheet is %dx%d, not A3 portrait", out.Width, out.Height)
	}
	var enc bytes.Buffer
	if err := png.Encode(&enc, sheet); err == nil {
		saveFile(t, "report-view-a3-page.png", enc.Bytes())
	}
	for g, c := range legend {
		r := out.Layout.Swatches[g]
		if n := countNear(sheet, rect(r), c); n < int(r[2]*r[3]*0.5) {
			t.Errorf("the PDF's legend swatch %s at %v: %d pixels of its colour", g, r, n)
		}
	}
	if dark, _ := countLuma(sheet, rect(out.Layout.Title)); dark < 400 {
		t.Errorf("the PDF's title area has %d dark pixels", dark)
	}
	checkScale(t, out)
	gotTitle, ok := pdfInfoString(pdf, "Title")
	if !ok || gotTitle != title {
		t.Errorf("the PDF's /Title is %q (%v), want %q", gotTitle, ok, title)
	}
	if creator, _ := pdfInfoString(pdf, "Creator"); creator != "riskmap" {
		t.Errorf("the PDF's /Creator is %q", creator)
	}
	if out.Width != int(math.Round(297/25.4*150)) || out.Height != int(math.Round(420/25.4*150)) {
		t.Errorf("the A3 portrait sheet is %dx%d pixels", out.Width, out.Height)
	}
	// The view's table: the objects inside the printed map's bounds.
	if out.Extent.Kind != "view" || len(out.Extent.BBox) != 4 {
		t.Fatalf("the extent is %+v, want the view with its bbox", out.Extent)
	}
	bb := out.Extent.BBox
	cells := getRegions(t, fmt.Sprintf("%s/api/v1/stats/regions?level=grid5k&bbox=%g,%g,%g,%g", srv.URL, bb[0], bb[1], bb[2], bb[3]))
	checkTable(t, out, sumRegions(cells))
	// The view covers the whole demo city, so it counts more than 莲都区.
	if out.Table.Total.Total <= lishui.Total {
		t.Errorf("the city view counts %d objects, 莲都区 alone %d", out.Table.Total.Total, lishui.Total)
	}
}

// checkScale compares the scale bar's metres per pixel with the printed
// map's bounds: along the centre's parallel, a Web-Mercator map spans
// Δlon × R cos φ over the frame's width.
func checkScale(t *testing.T, out reportOut) {
	t.Helper()
	bb := out.Extent.BBox
	if len(bb) != 4 {
		t.Fatalf("no bbox for the printed map: %+v", out.Extent)
	}
	lat := (bb[1] + bb[3]) / 2 * math.Pi / 180
	want := (bb[2] - bb[0]) * math.Pi / 180 * 6371008.8 * math.Cos(lat) / out.Layout.Map[2]
	if got := out.MapPixels.MetresPerPixel; math.Abs(got/want-1) > 0.02 {
		t.Errorf("the scale bar reckons %.2f m per pixel, the map's bounds say %.2f", got, want)
	}
}

// pdfImage decodes the PDF's one image: an RGB XObject, FlateDecode
// with PNG predictors (how jsPDF writes a PNG).
func pdfImage(t *testing.T, pdf []byte) image.Image {
	t.Helper()
	m := regexp.MustCompile(`(?s)/Subtype /Image.*?/Width (\d+)\s*/Height (\d+).*?/Length (\d+).*?stream\r?\n`).FindSubmatchIndex(pdf)
	if m == nil {
		t.Fatal("the PDF holds no image")
	}
	num := func(i int) int { n, _ := strconv.Atoi(string(pdf[m[2*i]:m[2*i+1]])); return n }
	w, h, n := num(1), num(2), num(3)
	dict := string(pdf[m[0]:m[1]])
	if !strings.Contains(dict, "/DeviceRGB") || !strings.Contains(dict, "/FlateDecode") || !strings.Contains(dict, "/Predictor") {
		t.Fatalf("an image the test cannot read: %s", dict)
	}
	zr, err := zlib.NewReader(bytes.NewReader(pdf[m[1] : m[1]+n]))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	stride := w * 3
	if len(raw) != h*(stride+1) {
		t.Fatalf("the image stream holds %d bytes, want %d for %dx%d RGB", len(raw), h*(stride+1), w, h)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	prev := make([]byte, stride)
	row := make([]byte, stride)
	for y := 0; y < h; y++ {
		line := raw[y*(stride+1) : (y+1)*(stride+1)]
		filter, src := line[0], line[1:]
		for i := 0; i < stride; i++ {
			var left, upLeft byte
			if i >= 3 {
				left, upLeft = row[i-3], prev[i-3]
			}
			up := prev[i]
			switch filter {
			case 0:
				row[i] = src[i]
			case 1:
				row[i] = src[i] + left
			case 2:
				row[i] = src[i] + up
			case 3:
				row[i] = src[i] + byte((int(left)+int(up))/2)
			case 4:
				p := int(left) + int(up) - int(upLeft)
				pa, pb, pc := abs(p-int(left)), abs(p-int(up)), abs(p-int(upLeft))
				switch {
				case pa <= pb && pa <= pc:
					row[i] = src[i] + left
				case pb <= pc:
					row[i] = src[i] + up
				default:
					row[i] = src[i] + upLeft
				}
			default:
				t.Fatalf("row %d: PNG filter %d", y, filter)
			}
		}
		for x := 0; x < w; x++ {
			o := img.PixOffset(x, y)
			img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = row[3*x], row[3*x+1], row[3*x+2], 0xFF
		}
		prev, row = row, prev
	}
	return img
}

// waitReport waits for export number seq to finish and reads it.
func waitReport(t *testing.T, ctx context.Context, seq int) reportOut {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`!!window.__lastReport && window.__lastReport.seq === %d`, seq),
		chromedp.WithPollingTimeout(150*time.Second))); err != nil {
		errs, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__mapErrors || []`))
		t.Fatalf("export %d did not finish: %v (page errors: %v)", seq, err, errs)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[reportOut](readReport, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if out.Error != "" {
		t.Fatalf("export %d failed: %s", seq, out.Error)
	}
	return out
}

func rect(r [4]float64) image.Rectangle {
	return image.Rect(int(math.Ceil(r[0])), int(math.Ceil(r[1])), int(r[0]+r[2]), int(r[1]+r[3]))
}

// countNear counts the pixels of img within r that are c, give or take 3 per channel.
func countNear(img image.Image, r image.Rectangle, c [3]uint8) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			pr, pg, pb, _ := img.At(x, y).RGBA()
			if near3(pr>>8, c[0]) && near3(pg>>8, c[1]) && near3(pb>>8, c[2]) {
				n++
			}
		}
	}
	return n
}

func near3(a uint32, b uint8) bool { d := int(a) - int(b); return d >= -3 && d <= 3 }

// countLuma counts the dark (luma below 90) and the light (above 235) pixels of img within r.
func countLuma(img image.Image, r image.Rectangle) (dark, light int) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			pr, pg, pb, _ := img.At(x, y).RGBA()
			l := (299*(pr>>8) + 587*(pg>>8) + 114*(pb>>8)) / 1000
			if l < 90 {
				dark++
			} else if l > 235 {
				light++
			}
		}
	}
	return dark, light
}

// saveFile writes an export to $RISKMAP_SCREENSHOTS when it is set, for a person to look at.
func saveFile(t *testing.T, name string, b []byte) {
	if dir := os.Getenv("RISKMAP_SCREENSHOTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// pdfInfoString finds /Key (…) in the PDF and decodes the literal string:
// its escapes, and UTF-16BE when it starts with the byte-order mark.
func pdfInfoString(pdf []byte, key string) (string, bool) {
	i := bytes.Index(pdf, []byte("/"+key+" ("))
	if i < 0 {
		return "", false
	}
	var raw []byte
	depth := 0
	for j := i + len(key) + 3; j < len(pdf); j++ {
		c := pdf[j]
		switch {
		case c == '\\' && j+1 < len(pdf):
			j++
			switch e := pdf[j]; e {
			case 'n':
				raw = append(raw, '\n')
			case 'r':
				raw = append(raw, '\r')
			case 't':
				raw = append(raw, '\t')
			case 'b':
				raw = append(raw, '\b')
			case 'f':
				raw = append(raw, '\f')
			case '0', '1', '2', '3', '4', '5', '6', '7':
				v, k := 0, 0
				for ; k < 3 && j+k < len(pdf) && pdf[j+k] >= '0' && pdf[j+k] <= '7'; k++ {
					v = v*8 + int(pdf[j+k]-'0')
				}
				raw = append(raw, byte(v))
				j += k - 1
			case '\n':
			default:
				raw = append(raw, e)
			}
		case c == '(':
			depth++
			raw = append(raw, c)
		case c == ')':
			if depth == 0 {
				if len(raw) >= 2 && raw[0] == 0xFE && raw[1] == 0xFF {
					u := make([]uint16, 0, len(raw)/2)
					for k := 2; k+1 < len(raw); k += 2 {
						u = append(u, uint16(raw[k])<<8|uint16(raw[k+1]))
					}
					return string(utf16.Decode(u)), true
				}
				return string(raw), true
			}
			depth--
			raw = append(raw, c)
		default:
			raw = append(raw, c)
		}
	}
	return "", false
}
