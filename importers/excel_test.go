package importers

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// workbook builds an .xlsx in memory; build fills it in (its first sheet
// is "Sheet1").
func workbook(t testing.TB, build func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f)
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// must fails the test on an error from excelize.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// style adds a cell style with a built-in (id) or custom (code) number
// format.
func style(t testing.TB, f *excelize.File, id int, code string) int {
	t.Helper()
	s := &excelize.Style{NumFmt: id}
	if code != "" {
		s.CustomNumFmt = &code
	}
	n, err := f.NewStyle(s)
	must(t, err)
	return n
}

func openExcel(b []byte, opt TableOptions) (*ExcelReader, error) {
	return NewExcelReader(bytes.NewReader(b), int64(len(b)), opt)
}

func TestExcelReaderValues(t *testing.T) {
	b := workbook(t, func(f *excelize.File) {
		must(t, f.SetSheetName("Sheet1", "企业清单"))
		s := "企业清单"
		must(t, f.SetSheetRow(s, "A1", &[]any{"名称", "经度", "纬度", "统一社会信用代码", "电话", "成立日期", "数量", "邮编",
			"比例", "检查时间", "登记日期", "在用", "产值", "时刻", "身份证号"}))
		must(t, f.SetSheetRow(s, "A2", &[]any{"某化工有限公司", 119.9123456, 30.2745123, "91330100MA2XXXXX0X", "0578123",
			time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC), 1234.5, 578123, 0.12,
			time.Date(2024, 3, 15, 10, 30, 0, 0, time.UTC), time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC), true, 0.1 + 0.2,
			10.5 / 24}))
		must(t, f.SetCellStr(s, "O2", "330102199001011234"))
		must(t, f.SetCellStyle(s, "B2", "B2", style(t, f, 0, "0.00")))             // shows 119.91
		must(t, f.SetCellStyle(s, "C2", "C2", style(t, f, 2, "")))                 // 0.00 built in
		must(t, f.SetCellStyle(s, "F2", "F2", style(t, f, 14, "")))                // short date
		must(t, f.SetCellStyle(s, "G2", "G2", style(t, f, 4, "")))                 // #,##0.00
		must(t, f.SetCellStyle(s, "H2", "H2", style(t, f, 0, "0000000")))          // zero padding
		must(t, f.SetCellStyle(s, "I2", "I2", style(t, f, 9, "")))                 // 0%
		must(t, f.SetCellStyle(s, "J2", "J2", style(t, f, 0, "yyyy-mm-dd hh:mm"))) // date and time
		must(t, f.SetCellStyle(s, "K2", "K2", style(t, f, 0, `yyyy"年"m"月"d"日"`)))
		must(t, f.SetCellStyle(s, "N2", "N2", style(t, f, 0, "[$-804]上午/下午h\"时\"mm\"分\"")))
		// A second row through the number formats that look like dates but are not.
		must(t, f.SetSheetRow(s, "A3", &[]any{"加油站", 120.1, 30.3, nil, nil, nil, -5, 42, 1}))
		must(t, f.SetCellStyle(s, "G3", "G3", style(t, f, 0, `#,##0.00_);[Red]\(#,##0.00\)`)))
		must(t, f.SetCellStyle(s, "H3", "H3", style(t, f, 0, `0.00 "mm"`)))
		must(t, f.SetCellStyle(s, "I3", "I3", style(t, f, 0, "0.00E+00")))
	})
	r, err := openExcel(b, TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Sheet() != "企业清单" {
		t.Errorf("sheet %q", r.Sheet())
	}
	wantHeader := []string{"名称", "经度", "纬度", "统一社会信用代码", "电话", "成立日期", "数量", "邮编", "比例", "检查时间",
		"登记日期", "在用", "产值", "时刻", "身份证号"}
	if !equalStrings(r.Header(), wantHeader) {
		t.Fatalf("header %q", r.Header())
	}
	rows := readAll(t, r)
	want := []got{
		{row: 2, values: []string{"某化工有限公司", "119.9123456", "30.2745123", "91330100MA2XXXXX0X", "0578123",
			"2024-03-15", "1234.5", "0578123", "0.12", "2024-03-15 10:30:00", "2023-12-01", "TRUE", "0.3", "10:30:00",
			"330102199001011234"}},
		{row: 3, values: []string{"加油站", "120.1", "30.3", "", "", "", "-5", "42", "1", "", "", "", "", "", ""}},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %+v", rows)
	}
	for i, w := range want {
		if rows[i].problem != nil {
			t.Fatalf("row %d: %v", w.row, rows[i].problem)
		}
		for j := range w.values {
			if rows[i].values[j] != w.values[j] {
				t.Errorf("row %d %s: %q, want %q", w.row, wantHeader[j], rows[i].values[j], w.values[j])
			}
		}
		if rows[i].row != w.row {
			t.Errorf("row %d, want %d", rows[i].row, w.row)
		}
	}
}

func TestExcelReader(t *testing.T) {
	sheet := func(name string, rows ...[]any) func(f *excelize.File) {
		return func(f *excelize.File) {
			if name != "Sheet1" {
				if _, err := f.NewSheet(name); err != nil {
					t.Fatal(err)
				}
			}
			for i, row := range rows {
				must(t, f.SetSheetRow(name, fmt.Sprintf("A%d", i+1), &row))
			}
		}
	}
	both := func(fns ...func(f *excelize.File)) func(f *excelize.File) {
		return func(f *excelize.File) {
			for _, fn := range fns {
				fn(f)
			}
		}
	}
	plain := sheet("Sheet1", []any{"名称", "等级"}, []any{"化工厂", "重大"})
	tests := []struct {
		name    string
		build   func(f *excelize.File)
		raw     []byte // instead of build
		opt     TableOptions
		err     *wantProblem
		sheet   string
		header  []string
		rows    []got
		problem map[int]wantProblem
	}{
		{
			name:   "one sheet",
			build:  plain,
			sheet:  "Sheet1",
			header: []string{"名称", "等级"},
			rows:   []got{{row: 2, values: []string{"化工厂", "重大"}}},
		},
		{
			name: "several sheets with data",
			build: both(plain, sheet("桥梁", []any{"桥梁名称"}, []any{"大桥"}),
				sheet("空表"), sheet("隧道", []any{"隧道名称"})),
			err: &wantProblem{reason: "the workbook has several sheets (Sheet1, 桥梁, 隧道): choose one with --sheet"},
		},
		{
			name:   "several sheets, one chosen",
			build:  both(plain, sheet("桥梁", []any{"桥梁名称"}, []any{"大桥"})),
			opt:    TableOptions{Sheet: "桥梁"},
			sheet:  "桥梁",
			header: []string{"桥梁名称"},
			rows:   []got{{row: 2, values: []string{"大桥"}}},
		},
		{
			name:   "sheet chosen ignoring case",
			build:  both(plain, sheet("Bridges", []any{"name"}, []any{"B1"})),
			opt:    TableOptions{Sheet: "bridges"},
			sheet:  "Bridges",
			header: []string{"name"},
			rows:   []got{{row: 2, values: []string{"B1"}}},
		},
		{
			name:  "no such sheet",
			build: both(plain, sheet("桥梁", []any{"桥梁名称"})),
			opt:   TableOptions{Sheet: "隧道"},
			err:   &wantProblem{reason: `there is no sheet "隧道"; the sheets are: Sheet1, 桥梁`, value: "隧道"},
		},
		{
			name:   "the only sheet with data",
			build:  both(sheet("Sheet1"), sheet("数据", []any{"名称"}, []any{"A"}), sheet("说明")),
			sheet:  "数据",
			header: []string{"名称"},
			rows:   []got{{row: 2, values: []string{"A"}}},
		},
		{
			name: "a hidden sheet of drop-down lists is not a choice",
			build: both(plain, sheet("lists", []any{"等级"}, []any{"重大"}, []any{"较大"}), func(f *excelize.File) {
				must(t, f.SetSheetVisible("lists", false))
			}),
			sheet:  "Sheet1",
			header: []string{"名称", "等级"},
			rows:   []got{{row: 2, values: []string{"化工厂", "重大"}}},
		},
		{
			name:  "empty workbook",
			build: func(f *excelize.File) {},
			err:   &wantProblem{reason: "the workbook has no data"},
		},
		{
			name:  "chosen sheet empty",
			build: both(plain, sheet("空表")),
			opt:   TableOptions{Sheet: "空表"},
			err:   &wantProblem{reason: `sheet "空表" is empty`},
		},
		{
			name: "merged header cells",
			build: both(sheet("Sheet1", []any{"位置", nil, nil, "名称"}, []any{1, 2, 3, "A"}), func(f *excelize.File) {
				must(t, f.MergeCell("Sheet1", "A1", "C1"))
			}),
			err: &wantProblem{row: 1, reason: "merged header cells A1:C1: unmerge them so that every column has its own header", value: "A1:C1"},
		},
		{
			name: "merged title row",
			build: both(sheet("Sheet1", []any{"某市企业清单"}, []any{"名称", "等级"}, []any{"A", "1"}), func(f *excelize.File) {
				must(t, f.MergeCell("Sheet1", "A1", "B1"))
			}),
			err: &wantProblem{row: 1, reason: "if row 1 is a title, delete that row", value: "A1:B1"},
		},
		{
			name: "merged cells below the header are fine",
			build: both(sheet("Sheet1", []any{"乡镇", "名称"}, []any{"城关镇", "A"}, []any{nil, "B"}), func(f *excelize.File) {
				must(t, f.MergeCell("Sheet1", "A2", "A3"))
			}),
			sheet:  "Sheet1",
			header: []string{"乡镇", "名称"},
			rows:   []got{{row: 2, values: []string{"城关镇", "A"}}, {row: 3, values: []string{"", "B"}}},
		},
		{
			name: "formula with a saved value",
			// SetCellFormula keeps the value set before it. (Not for text:
			// excelize then keeps the shared string's index as the result;
			// TestExcelHandWrittenXML has a text formula.)
			build: both(sheet("Sheet1", []any{"a", "b", "sum"}, []any{1, 2}), func(f *excelize.File) {
				must(t, f.SetCellValue("Sheet1", "C2", 3))
				must(t, f.SetCellFormula("Sheet1", "C2", "A2+B2"))
			}),
			sheet:  "Sheet1",
			header: []string{"a", "b", "sum"},
			rows:   []got{{row: 2, values: []string{"1", "2", "3"}}},
		},
		{
			name: "formula without a saved value",
			build: both(sheet("Sheet1", []any{"a", "b", "sum"}, []any{1, 2}, []any{3, 4, 7}), func(f *excelize.File) {
				must(t, f.SetCellFormula("Sheet1", "C2", "A2+B2"))
			}),
			sheet:   "Sheet1",
			header:  []string{"a", "b", "sum"},
			rows:    []got{{row: 2}, {row: 3, values: []string{"3", "4", "7"}}},
			problem: map[int]wantProblem{0: {row: 2, column: "sum", reason: "the formula in C2 has no saved value", value: "=A2+B2"}},
		},
		{
			name: "header after blank rows, blank rows between",
			build: func(f *excelize.File) {
				must(t, f.SetSheetRow("Sheet1", "B3", &[]any{"名称", "等级"}))
				must(t, f.SetSheetRow("Sheet1", "B5", &[]any{"A", "1"}))
				must(t, f.SetSheetRow("Sheet1", "B6", &[]any{"", ""}))
				must(t, f.SetSheetRow("Sheet1", "B1000", &[]any{"B", "2"}))
				must(t, f.SetCellStyle("Sheet1", "A7", "D7", style(t, f, 2, ""))) // styled, empty
			},
			sheet:  "Sheet1",
			header: []string{"column A", "名称", "等级"},
			rows:   []got{{row: 5, values: []string{"", "A", "1"}}, {row: 1000, values: []string{"", "B", "2"}}},
		},
		{
			name:    "value outside the header",
			build:   sheet("Sheet1", []any{"名称", "等级"}, []any{"A", "1", nil, "备注"}, []any{"B", "2"}),
			sheet:   "Sheet1",
			header:  []string{"名称", "等级"},
			rows:    []got{{row: 2}, {row: 3, values: []string{"B", "2"}}},
			problem: map[int]wantProblem{0: {row: 2, reason: "cell D2 has a value but column D has no header", value: "备注"}},
		},
		{
			name:    "number cut to 15 digits",
			build:   sheet("Sheet1", []any{"身份证号"}, []any{330102199001011234}, []any{"330102199001011234"}),
			sheet:   "Sheet1",
			header:  []string{"身份证号"},
			rows:    []got{{row: 2}, {row: 3, values: []string{"330102199001011234"}}},
			problem: map[int]wantProblem{0: {row: 2, column: "身份证号", reason: "more than 15 digits", value: "330102199001011000"}},
		},
		{
			name:    "mojibake",
			build:   sheet("Sheet1", []any{"名称"}, []any{"ÖÐ¹ú»¯¹¤"}, []any{"中国化工"}),
			sheet:   "Sheet1",
			header:  []string{"名称"},
			rows:    []got{{row: 2}, {row: 3, values: []string{"中国化工"}}},
			problem: map[int]wantProblem{0: {row: 2, column: "名称", reason: "garbled"}},
		},
		{
			name:  "duplicate header names",
			build: sheet("Sheet1", []any{"名称", "名称", nil, nil}),
			err:   &wantProblem{row: 1, reason: "duplicate column names: 名称"},
		},
		{
			name: "header only",
			build: both(sheet("Sheet1", []any{"名称"}), func(f *excelize.File) {
				must(t, f.SetCellStyle("Sheet1", "A2", "A9", style(t, f, 2, "")))
			}),
			sheet:  "Sheet1",
			header: []string{"名称"},
		},
		{name: "csv renamed", raw: []byte("名称,地址\n化工厂,文一路\n"), err: &wantProblem{reason: "not an .xlsx workbook"}},
		{name: "empty file", raw: []byte{}, err: &wantProblem{reason: "not an .xlsx workbook"}},
		{name: "old xls", raw: append(bytes.Clone(oleMagic), make([]byte, 504)...), err: &wantProblem{reason: "old .xls file"}},
		{name: "other zip", raw: zipOf(t, map[string]string{"a.txt": "hello"}), err: &wantProblem{reason: "not an .xlsx workbook"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.raw
			if b == nil {
				b = workbook(t, tc.build)
			}
			r, err := openExcel(b, tc.opt)
			if tc.err != nil {
				var p *Problem
				if !errors.As(err, &p) {
					t.Fatalf("NewExcelReader error %v, want a *Problem", err)
				}
				tc.err.check(t, p)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if r.Sheet() != tc.sheet {
				t.Errorf("sheet %q, want %q", r.Sheet(), tc.sheet)
			}
			if !equalStrings(r.Header(), tc.header) {
				t.Errorf("header %q, want %q", r.Header(), tc.header)
			}
			rows := readAll(t, r)
			if len(rows) != len(tc.rows) {
				t.Fatalf("got %d rows %+v, want %d", len(rows), rows, len(tc.rows))
			}
			for i, w := range tc.rows {
				g := rows[i]
				if pw, bad := tc.problem[i]; bad {
					pw.check(t, g.problem)
					continue
				}
				if g.problem != nil {
					t.Errorf("row %d: problem %v", w.row, g.problem)
					continue
				}
				if g.row != w.row || !equalStrings(g.values, w.values) {
					t.Errorf("row %d: %q, want row %d: %q", g.row, g.values, w.row, w.values)
				}
			}
		})
	}
}

// zipOf makes a zip archive of the named texts.
func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, text := range files {
		w, err := zw.Create(name)
		must(t, err)
		_, err = io.WriteString(w, text)
		must(t, err)
	}
	must(t, zw.Close())
	return buf.Bytes()
}

func TestExcelTruncated(t *testing.T) {
	b := workbook(t, func(f *excelize.File) {
		for i := 1; i <= 200; i++ {
			must(t, f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i), &[]any{fmt.Sprintf("名称%d", i), i}))
		}
	})
	for _, n := range []int{len(b) / 2, len(b) - 30, 100, 4} {
		_, err := openExcel(b[:n], TableOptions{})
		var p *Problem
		if !errors.As(err, &p) {
			t.Fatalf("cut at %d: %v, want a *Problem", n, err)
		}
		wantProblem{reason: "not an .xlsx workbook"}.check(t, p)
	}
}

// xlsxOf writes a minimal workbook by hand, for XML that excelize does not
// write: the sheet's XML is sheetData's content.
func xlsxOf(t testing.TB, sheetData string, extra map[string]string) []byte {
	files := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8"?><x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
			`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><x:sheets><x:sheet name="数据" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet1.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml": `<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
			`<x:sheetData>` + sheetData + `</x:sheetData>` + extra["merges"] + `</x:worksheet>`,
		"xl/sharedStrings.xml": `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
			`<si><t>名称</t></si><si><r><t>化工</t></r><r><t>厂</t></r><rPh><t>ピン</t></rPh></si><si><t xml:space="preserve"> 0578123 </t></si></sst>`,
	}
	for k, v := range extra {
		switch k {
		case "merges":
		case "sheet": // the whole worksheet
			files["xl/worksheets/sheet1.xml"] = v
		default:
			files[k] = v
		}
	}
	return zipOf(t, files)
}

func TestExcelHandWrittenXML(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		merges  string
		header  []string
		rows    []got
		err     *wantProblem
		problem map[int]wantProblem
	}{
		{
			name: "prefixes, inline strings, no references, typed cells",
			data: `<x:row><x:c t="inlineStr"><x:is><x:t>名称</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:r><x:t>日</x:t></x:r><x:r><x:t>期</x:t></x:r></x:is></x:c>` +
				`<x:c t="inlineStr"><x:is><x:t>结果</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>标志</x:t></x:is></x:c></x:row>` +
				`<x:row><x:c t="inlineStr"><x:is><x:t>A</x:t></x:is></x:c><x:c t="d"><x:v>2024-03-15T00:00:00Z</x:v></x:c>` +
				`<x:c t="str"><x:f>"a"&amp;"b"</x:f><x:v>ab</x:v></x:c><x:c t="b"><x:v>0</x:v></x:c></x:row>` +
				`<x:row r="4"><x:c r="B4" t="d"><x:v>2024-03-15T08:15:00</x:v></x:c><x:c r="C4" t="e"><x:f>1/0</x:f><x:v>#DIV/0!</x:v></x:c></x:row>`,
			header: []string{"名称", "日期", "结果", "标志"},
			rows: []got{
				{row: 2, values: []string{"A", "2024-03-15", "ab", "FALSE"}},
				{row: 4, values: []string{"", "2024-03-15 08:15:00", "#DIV/0!", ""}},
			},
		},
		{
			name: "shared strings with rich text and phonetic runs",
			data: `<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>2</x:v></x:c></x:row>` +
				`<x:row r="2"><x:c r="A2" t="s"><x:v>1</x:v></x:c><x:c r="B2" t="s"><x:v>2</x:v></x:c></x:row>`,
			header: []string{"名称", "0578123"},
			rows:   []got{{row: 2, values: []string{"化工厂", " 0578123 "}}},
		},
		{
			name:    "shared string index out of range",
			data:    `<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c></x:row><x:row r="2"><x:c r="A2" t="s"><x:v>7</x:v></x:c></x:row>`,
			header:  []string{"名称"},
			rows:    []got{{row: 0}},
			problem: map[int]wantProblem{0: {row: 0, reason: "the workbook is damaged near row 2"}},
		},
		{
			name:   "merged header with prefixes",
			data:   `<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>名称</x:t></x:is></x:c></x:row>`,
			merges: `<x:mergeCells count="1"><x:mergeCell ref="A1:B1"/></x:mergeCells>`,
			err:    &wantProblem{row: 1, reason: "merged header cells A1:B1"},
		},
		{
			name: "rows out of order",
			data: `<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>名称</x:t></x:is></x:c></x:row>` +
				`<x:row r="3"><x:c r="A3"><x:v>1</x:v></x:c></x:row><x:row r="2"><x:c r="A2"><x:v>2</x:v></x:c></x:row>`,
			header:  []string{"名称"},
			rows:    []got{{row: 3, values: []string{"1"}}, {row: 0}},
			problem: map[int]wantProblem{1: {row: 0, reason: "the workbook is damaged"}},
		},
		{
			name: "cells out of order",
			data: `<x:row r="1"><x:c r="B1" t="inlineStr"><x:is><x:t>名称</x:t></x:is></x:c><x:c r="A1" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c></x:row>`,
			err:  &wantProblem{row: 0, reason: "the workbook is damaged"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := openExcel(xlsxOf(t, tc.data, map[string]string{"merges": tc.merges}), TableOptions{})
			if tc.err != nil {
				var p *Problem
				if !errors.As(err, &p) {
					t.Fatalf("NewExcelReader error %v, want a *Problem", err)
				}
				tc.err.check(t, p)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if !equalStrings(r.Header(), tc.header) {
				t.Errorf("header %q, want %q", r.Header(), tc.header)
			}
			rows := readAll(t, r)
			if len(rows) != len(tc.rows) {
				t.Fatalf("got %d rows %+v, want %d", len(rows), rows, len(tc.rows))
			}
			for i, w := range tc.rows {
				g := rows[i]
				if pw, bad := tc.problem[i]; bad {
					pw.check(t, g.problem)
					continue
				}
				if g.problem != nil || g.row != w.row || !equalStrings(g.values, w.values) {
					t.Errorf("row %d: %q %v, want row %d: %q", g.row, g.values, g.problem, w.row, w.values)
				}
			}
		})
	}
}

// TestExcelStreamWriter reads a larger sheet written by excelize's stream
// writer, as big exports are, with shared strings, numbers and a gap.
func TestExcelStreamWriter(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	b := workbook(t, func(f *excelize.File) {
		sw, err := f.NewStreamWriter("Sheet1")
		must(t, err)
		must(t, sw.SetRow("A1", []any{"名称", "经度", "纬度", "编号"}))
		for i := 2; i <= n; i++ {
			row := i
			if i > n/2 {
				row += 10 // a gap of empty rows
			}
			cell, _ := excelize.CoordinatesToCellName(1, row)
			must(t, sw.SetRow(cell, []any{fmt.Sprintf("企业%d", i), 119.9 + float64(i)/1e7, 30.1234567, fmt.Sprintf("%07d", i)}))
		}
		must(t, sw.Flush())
	})
	r, err := openExcel(b, TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	count := 0
	for i := 2; ; i++ {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		count++
		want := i
		if i > n/2 {
			want += 10
		}
		if rec.Row != want || rec.Values[0] != fmt.Sprintf("企业%d", i) || rec.Values[3] != fmt.Sprintf("%07d", i) ||
			rec.Values[2] != "30.1234567" {
			t.Fatalf("record %+v, want row %d", rec, want)
		}
	}
	if count != n-1 {
		t.Fatalf("%d records, want %d", count, n-1)
	}
}

func TestExcelCloseTwice(t *testing.T) {
	r, err := openExcel(workbook(t, func(f *excelize.File) {
		must(t, f.SetSheetRow("Sheet1", "A1", &[]any{"a"}))
	}), TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("Next: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("Next after Close: %v", err)
	}
}

func TestClassifyFormat(t *testing.T) {
	tests := []struct {
		id   int
		code string
		want xlsxNumFmt
	}{
		{0, "", xlsxNumFmt{}},
		{2, "", xlsxNumFmt{}},
		{14, "", xlsxNumFmt{kind: numFmtDate}},
		{22, "", xlsxNumFmt{kind: numFmtDateTime}},
		{20, "", xlsxNumFmt{kind: numFmtTime}},
		{31, "", xlsxNumFmt{kind: numFmtDate}},
		{32, "", xlsxNumFmt{kind: numFmtTime}},
		{49, "", xlsxNumFmt{}},
		{164, "General", xlsxNumFmt{}},
		{164, "0.00", xlsxNumFmt{}},
		{164, "0.00E+00", xlsxNumFmt{}},
		{164, "@", xlsxNumFmt{}},
		{164, `#,##0.00_);[Red]\(#,##0.00\)`, xlsxNumFmt{}},
		{164, `_ * #,##0.00_ ;_ * -#,##0.00_ ;_ * "-"??_ ;_ @_ `, xlsxNumFmt{}},
		{164, `0.00 "days"`, xlsxNumFmt{}},
		{164, `[$¥-804]#,##0.00`, xlsxNumFmt{}},
		{164, "000000", xlsxNumFmt{kind: numFmtZeroPad, width: 6}},
		{164, "0", xlsxNumFmt{}},
		{164, "yyyy-mm-dd", xlsxNumFmt{kind: numFmtDate}},
		{164, "yyyy/m/d", xlsxNumFmt{kind: numFmtDate}},
		{164, `yyyy"年"m"月"d"日"`, xlsxNumFmt{kind: numFmtDate}},
		{164, "[$-F800]dddd, mmmm dd, yyyy", xlsxNumFmt{kind: numFmtDate}},
		{164, "mmm-yy", xlsxNumFmt{kind: numFmtDate}},
		{164, "h:mm AM/PM", xlsxNumFmt{kind: numFmtTime}},
		{164, "[h]:mm:ss", xlsxNumFmt{kind: numFmtTime}},
		{164, "mm:ss", xlsxNumFmt{kind: numFmtTime}},
		{164, "yyyy-mm-dd hh:mm:ss;@", xlsxNumFmt{kind: numFmtDateTime}},
		{164, `[$-804]上午/下午h"时"mm"分"`, xlsxNumFmt{kind: numFmtTime}},
	}
	for _, tc := range tests {
		if got := xlsxClassifyFormat(tc.id, tc.code); got != tc.want {
			t.Errorf("xlsxClassifyFormat(%d, %q) = %+v, want %+v", tc.id, tc.code, got, tc.want)
		}
	}
}

func TestExcelNumberText(t *testing.T) {
	tests := map[float64]string{
		119.9123456:          "119.9123456",
		0.1 + 0.2:            "0.3",
		-5:                   "-5",
		1234567.5:            "1234567.5",
		1e20:                 "100000000000000000000",
		1e21:                 "1e+21",
		0.000001:             "0.000001",
		1.5e-10:              "1.5e-10",
		330102199001011234:   "330102199001011000",
		119.91234560000001:   "119.9123456",
		-0.30000000000000004: "-0.3",
	}
	for f, want := range tests {
		if got := excelNumberText(f); got != want {
			t.Errorf("excelNumberText(%v) = %q, want %q", f, got, want)
		}
	}
}

// storedZip rewrites a zip archive with stored (uncompressed) entries and
// no CRCs, so that the fuzzer's changes reach the XML.
func storedZip(t testing.TB, b []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	must(t, err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, zf := range zr.File {
		rc, err := zf.Open()
		must(t, err)
		data, err := io.ReadAll(rc)
		must(t, err)
		rc.Close()
		w, err := zw.CreateRaw(&zip.FileHeader{Name: zf.Name, Method: zip.Store,
			CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(len(data))})
		must(t, err)
		_, err = w.Write(data)
		must(t, err)
	}
	must(t, zw.Close())
	return buf.Bytes()
}

func FuzzExcelReader(f *testing.F) {
	small := workbook(f, func(x *excelize.File) {
		must(f, x.SetSheetRow("Sheet1", "A1", &[]any{"名称", "经度", "日期"}))
		must(f, x.SetSheetRow("Sheet1", "A2", &[]any{"化工厂", 119.9123456, 45366}))
		must(f, x.SetCellFormula("Sheet1", "B3", "B2*2"))
		must(f, x.MergeCell("Sheet1", "A4", "B4"))
		must(f, x.SetCellStyle("Sheet1", "C2", "C2", style(f, x, 14, "")))
	})
	two := workbook(f, func(x *excelize.File) {
		must(f, x.SetSheetRow("Sheet1", "A1", &[]any{"a"}))
		_, err := x.NewSheet("B")
		must(f, err)
		must(f, x.SetSheetRow("B", "A1", &[]any{"b"}))
	})
	hand := xlsxOf(f, `<x:row><x:c t="inlineStr"><x:is><x:t>名称</x:t></x:is></x:c></x:row><x:row><x:c t="d"><x:v>2024-03-15</x:v></x:c></x:row>`,
		map[string]string{"merges": `<x:mergeCells><x:mergeCell ref="A3:B3"/></x:mergeCells>`})
	for _, seed := range [][]byte{small, two, storedZip(f, small), storedZip(f, hand), small[:len(small)/2], []byte("a,b\n1,2\n"), nil} {
		f.Add(seed, "")
	}
	f.Add(two, "B")
	f.Fuzz(func(t *testing.T, data []byte, sheet string) {
		r, err := openExcel(data, TableOptions{Sheet: sheet})
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatalf("NewExcelReader: %v (%T) is not a *Problem", err, err)
			}
			return
		}
		defer r.Close()
		if len(r.Header()) == 0 {
			t.Fatal("empty header")
		}
		checkStream(t, r, r.Header(), xlsxMaxRows, func(v string) bool { return strings.IndexByte(v, 0) >= 0 })
	})
}

// FuzzExcelSheetXML fuzzes the worksheet XML of a fixed, valid package
// (with shared strings): the sheet scanner and its lockstep with excelize.
func FuzzExcelSheetXML(f *testing.F) {
	const head = `<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>`
	for _, seed := range []string{
		head + `<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>日期</x:t></x:is></x:c></x:row>` +
			`<x:row r="2"><x:c r="A2" t="s"><x:v>1</x:v></x:c><x:c r="B2" s="0"><x:v>45366</x:v></x:c><x:c r="C2"><x:f>1+1</x:f></x:c></x:row>` +
			`<x:row r="5"><x:c r="B5" t="d"><x:v>2024-03-15T08:00:00Z</x:v></x:c><x:c r="C5" t="b"><x:v>1</x:v></x:c></x:row></x:sheetData>` +
			`<x:mergeCells count="1"><x:mergeCell ref="A6:B6"/></x:mergeCells></x:worksheet>`,
		head + `<x:row><x:c><x:v>1</x:v></x:c><x:c><x:v>2</x:v></x:c></x:row><x:row><x:c t="str"><x:f>A1</x:f><x:v>x</x:v></x:c></x:row></x:sheetData></x:worksheet>`,
		head + `<x:row r="1"><x:c r="A1" t="s"><x:v>2</x:v></x:c></x:row></x:sheetData><x:mergeCells><x:mergeCell ref="A1:B1"/></x:mergeCells></x:worksheet>`,
		head + `</x:sheetData></x:worksheet>`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, sheet string) {
		r, err := openExcel(xlsxOf(t, "", map[string]string{"sheet": sheet}), TableOptions{})
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatalf("NewExcelReader: %v (%T) is not a *Problem", err, err)
			}
			return
		}
		defer r.Close()
		last := 0
		for i := 0; ; i++ {
			if i > xlsxMaxRows {
				t.Fatal("reader does not end")
			}
			rec, err := r.Next()
			if err == io.EOF {
				break
			}
			var p *Problem
			if err != nil && !errors.As(err, &p) {
				t.Fatalf("Next: %v (%T) is not a *Problem", err, err)
			}
			if p != nil && p.Row == 0 {
				if _, err := r.Next(); err != io.EOF {
					t.Fatalf("Next after a fatal problem: %v", err)
				}
				break
			}
			if rec.Row <= last {
				t.Fatalf("row %d after row %d", rec.Row, last)
			}
			last = rec.Row
			if err == nil && (len(rec.Values) != len(rec.Names) || len(rec.Names) != len(r.Header())) {
				t.Fatalf("row %d: %d values, %d names", rec.Row, len(rec.Values), len(rec.Names))
			}
		}
	})
}
