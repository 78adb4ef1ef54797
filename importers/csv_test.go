package importers

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
)

// encodeWith encodes UTF-8 text, failing the test on unencodable text.
func encodeWith(t testing.TB, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encoding %q: %v", s, err)
	}
	return b
}

// got is what a reader yields for one Next call.
type got struct {
	row     int
	values  []string
	problem *Problem // a *Problem from Next
}

// readAll reads r to io.EOF, failing on errors that are not a *Problem and
// on loops.
func readAll(t testing.TB, r Reader) []got {
	t.Helper()
	var out []got
	for i := 0; ; i++ {
		if i > 1_000_000 {
			t.Fatal("reader does not end")
		}
		rec, err := r.Next()
		if err == io.EOF {
			return out
		}
		var p *Problem
		if err != nil && !errors.As(err, &p) {
			t.Fatalf("Next: %v (%T), want a *Problem", err, err)
		}
		if err == nil && len(rec.Values) != len(rec.Names) {
			t.Fatalf("row %d: %d values for %d names", rec.Row, len(rec.Values), len(rec.Names))
		}
		out = append(out, got{row: rec.Row, values: rec.Values, problem: p})
	}
}

// wantProblem describes an expected *Problem loosely.
type wantProblem struct {
	row    int
	column string
	reason string // a substring of the English reason
	value  string // a substring of Value
}

func (w wantProblem) check(t *testing.T, p *Problem) {
	t.Helper()
	if p == nil {
		t.Fatalf("no problem, want %+v", w)
	}
	if p.Row != w.row || p.Column != w.column || !strings.Contains(p.Reason, w.reason) || !strings.Contains(p.Value, w.value) {
		t.Fatalf("problem %+v, want %+v", *p, w)
	}
	if p.ReasonZH == "" || !utf8.ValidString(p.ReasonZH) || !utf8.ValidString(p.Value) {
		t.Fatalf("problem %+v: missing Chinese reason or invalid text", *p)
	}
}

func TestCSVReader(t *testing.T) {
	gbk := func(s string) []byte { return encodeWith(t, simplifiedchinese.GBK, s) }
	gb18030 := func(s string) []byte { return encodeWith(t, simplifiedchinese.GB18030, s) }
	asciiThenGBK := func() []byte {
		var b bytes.Buffer
		b.WriteString("name,address\n")
		for b.Len() < 70_000 {
			b.WriteString("Acme Chemical Co,Wenyi Road 1\n")
		}
		b.Write(gbk("某化工有限公司,杭州市西湖区文一路1号\n"))
		b.WriteString("Acme,ok\n")
		return b.Bytes()
	}()
	asciiLines := bytes.Count(asciiThenGBK, []byte("\n")) // the GBK row is on the line before the last

	tests := []struct {
		name    string
		in      []byte
		opt     TableOptions
		err     *wantProblem // from NewCSVReader
		enc     string
		header  []string
		rows    []got
		problem map[int]wantProblem // by index into rows: the expected problem
	}{
		{
			name:   "utf-8",
			in:     []byte("名称,经度,纬度\n化工厂,119.9123456,30.2745\n加油站,120.1,30.3\n"),
			enc:    "utf-8",
			header: []string{"名称", "经度", "纬度"},
			rows:   []got{{row: 2, values: []string{"化工厂", "119.9123456", "30.2745"}}, {row: 3, values: []string{"加油站", "120.1", "30.3"}}},
		},
		{
			name:   "utf-8 with BOM, CRLF, spaces around header names",
			in:     []byte("\xEF\xBB\xBF 名称 ,\t地址\r\n化工厂,文一路\r\n"),
			enc:    "utf-8",
			header: []string{"名称", "地址"},
			rows:   []got{{row: 2, values: []string{"化工厂", "文一路"}}},
		},
		{
			name:   "utf-8 declared, BOM stripped",
			in:     []byte("\xEF\xBB\xBF名称\n化工厂\n"),
			opt:    TableOptions{Encoding: "UTF-8"},
			enc:    "utf-8",
			header: []string{"名称"},
			rows:   []got{{row: 2, values: []string{"化工厂"}}},
		},
		{
			name:   "gbk detected as gb18030",
			in:     gbk("名称,地址,等级\n某化工有限公司,杭州市西湖区文一路1号,重大\n"),
			enc:    "gb18030",
			header: []string{"名称", "地址", "等级"},
			rows:   []got{{row: 2, values: []string{"某化工有限公司", "杭州市西湖区文一路1号", "重大"}}},
		},
		{
			name:   "gbk declared",
			in:     gbk("名称,地址\n加油站,余杭区\n"),
			opt:    TableOptions{Encoding: "gbk"},
			enc:    "gbk",
			header: []string{"名称", "地址"},
			rows:   []got{{row: 2, values: []string{"加油站", "余杭区"}}},
		},
		{
			name:   "gb18030 with four-byte characters",
			in:     gb18030("姓名,备注\n刘䶮,𠀀€\n"),
			enc:    "gb18030",
			header: []string{"姓名", "备注"},
			rows:   []got{{row: 2, values: []string{"刘䶮", "𠀀€"}}},
		},
		{
			name:   "gb18030 declared",
			in:     gb18030("姓名\n刘䶮\n"),
			opt:    TableOptions{Encoding: "gb18030"},
			enc:    "gb18030",
			header: []string{"姓名"},
			rows:   []got{{row: 2, values: []string{"刘䶮"}}},
		},
		{
			name:   "utf-16 with BOM (Excel's Unicode text)",
			in:     encodeWith(t, xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM), "名称\t地址\n化工厂\t文一路\n"),
			enc:    "utf-16le",
			header: []string{"名称", "地址"},
			rows:   []got{{row: 2, values: []string{"化工厂", "文一路"}}},
		},
		{
			name:   "gbk declared as utf-8: rows are problems, never mojibake",
			in:     append([]byte("name,address,grade\nAcme,"), append(gbk("杭州市西湖区"), ",1\nBeta,ok,2\n"...)...),
			opt:    TableOptions{Encoding: "utf-8"},
			enc:    "utf-8",
			header: []string{"name", "address", "grade"},
			rows:   []got{{row: 2}, {row: 3, values: []string{"Beta", "ok", "2"}}},
			problem: map[int]wantProblem{0: {row: 2, column: "address", reason: "not valid UTF-8: is the file GBK? try --encoding gbk",
				value: "杭州市西湖区"}},
		},
		{
			name: "gbk header declared as utf-8",
			in:   gbk("名称,地址\n加油站,余杭区\n"),
			opt:  TableOptions{Encoding: "utf8"},
			err:  &wantProblem{row: 1, reason: "the header: not valid UTF-8"},
		},
		{
			name: "utf-8 declared as gbk",
			in:   []byte("名称,地址\n加油站,余杭区\n"),
			opt:  TableOptions{Encoding: "gbk"},
			err:  &wantProblem{reason: "the file is UTF-8, not GBK"},
		},
		{
			name: "unknown encoding",
			in:   []byte("a\n1\n"),
			opt:  TableOptions{Encoding: "big5"},
			err:  &wantProblem{reason: "unknown encoding", value: "big5"},
		},
		{
			name:    "mojibake already in utf-8",
			in:      []byte("名称,地址\nÖÐ¹ú»¯¹¤,杭州\n化工厂,ä¸\u00adå›½\n加油站,杭州\n"),
			enc:     "utf-8",
			header:  []string{"名称", "地址"},
			rows:    []got{{row: 2}, {row: 3}, {row: 4, values: []string{"加油站", "杭州"}}},
			problem: map[int]wantProblem{0: {row: 2, column: "名称", reason: "garbled"}, 1: {row: 3, column: "地址", reason: "garbled"}},
		},
		{
			name:    "replacement character",
			in:      []byte("名称\n化\uFFFD厂\n"),
			enc:     "utf-8",
			header:  []string{"名称"},
			rows:    []got{{row: 2}},
			problem: map[int]wantProblem{0: {row: 2, column: "名称", reason: "could not be decoded"}},
		},
		{
			name:    "ascii for 64 KiB, then gbk",
			in:      asciiThenGBK,
			enc:     "utf-8",
			header:  []string{"name", "address"},
			problem: map[int]wantProblem{-2: {row: asciiLines - 1, column: "name", reason: "is the file GBK?", value: "某化工有限公司"}},
		},
		{
			name:   "tab separated",
			in:     []byte("名称\t地址\t备注\n化工厂\t文一路, 1号\t\"a\tb\"\n"),
			enc:    "utf-8",
			header: []string{"名称", "地址", "备注"},
			rows:   []got{{row: 2, values: []string{"化工厂", "文一路, 1号", "a\tb"}}},
		},
		{
			name:   "semicolon separated, commas in numbers",
			in:     []byte("name;lon;lat\nA;119,91;30,27\n"),
			enc:    "utf-8",
			header: []string{"name", "lon", "lat"},
			rows:   []got{{row: 2, values: []string{"A", "119,91", "30,27"}}},
		},
		{
			name:   "separators inside quotes in the header do not count",
			in:     []byte("\"a;b;c\",d\n1,2\n"),
			enc:    "utf-8",
			header: []string{"a;b;c", "d"},
			rows:   []got{{row: 2, values: []string{"1", "2"}}},
		},
		{
			name: "quoted fields with commas and newlines",
			in: []byte("名称,备注,等级\n\"化工厂, 一分厂\",\"第一行\n第二行\n第三行\",1\n加油站,\"说\"\"好\"\"\",2\n\n" +
				"仓库,\"a\r\nb\",3\n"),
			enc:    "utf-8",
			header: []string{"名称", "备注", "等级"},
			rows: []got{
				{row: 2, values: []string{"化工厂, 一分厂", "第一行\n第二行\n第三行", "1"}},
				{row: 5, values: []string{"加油站", `说"好"`, "2"}},
				{row: 7, values: []string{"仓库", "a\nb", "3"}},
			},
		},
		{
			name:   "blank lines before the header and between rows",
			in:     []byte("\n  \n,,\nname,grade\n\nA,1\n,\n ,\nB,2"),
			enc:    "utf-8",
			header: []string{"name", "grade"},
			rows:   []got{{row: 6, values: []string{"A", "1"}}, {row: 9, values: []string{"B", "2"}}},
		},
		{
			name:   "header only",
			in:     []byte("名称,地址\n"),
			enc:    "utf-8",
			header: []string{"名称", "地址"},
		},
		{name: "empty file", in: nil, err: &wantProblem{reason: "the file is empty"}},
		{name: "blank file", in: []byte("\n \r\n,,,\n"), err: &wantProblem{reason: "the file is empty"}},
		{name: "BOM only", in: []byte("\xEF\xBB\xBF"), err: &wantProblem{reason: "the file is empty"}},
		{
			name:   "ragged rows",
			in:     []byte("a,b,c\n1\n1,2,3,,\n1,2,3,4\n1,2,3\n"),
			enc:    "utf-8",
			header: []string{"a", "b", "c"},
			rows: []got{
				{row: 2, values: []string{"1", "", ""}},
				{row: 3, values: []string{"1", "2", "3"}},
				{row: 4},
				{row: 5, values: []string{"1", "2", "3"}},
			},
			problem: map[int]wantProblem{2: {row: 4, reason: "the row has 4 fields, the header has 3"}},
		},
		{
			name: "duplicate header names",
			in:   []byte("名称,地址,名称,x,x\n"),
			err:  &wantProblem{row: 1, reason: "duplicate column names: 名称, x", value: "名称, x"},
		},
		{
			name:   "empty header names",
			in:     []byte("a,,c,\n1,,3,\n"),
			enc:    "utf-8",
			header: []string{"a", "column 2", "c", "column 4"},
			rows:   []got{{row: 2, values: []string{"1", "", "3", ""}}},
		},
		{
			name:    "bare quote ends the file",
			in:      []byte("a,b\n1,2\n3,x\"y\n5,6\n"),
			enc:     "utf-8",
			header:  []string{"a", "b"},
			rows:    []got{{row: 2, values: []string{"1", "2"}}, {row: 0}},
			problem: map[int]wantProblem{1: {row: 0, reason: "line 3 has a quote"}},
		},
		{
			name:    "unclosed quote ends the file",
			in:      []byte("a,b\n1,\"2\n3,4\n"),
			enc:     "utf-8",
			header:  []string{"a", "b"},
			rows:    []got{{row: 0}},
			problem: map[int]wantProblem{0: {row: 0, reason: "is not closed"}},
		},
		{
			name:    "long cell",
			in:      []byte("a,b\n1," + strings.Repeat("x", maxCellBytes+1) + "\n2,3\n"),
			enc:     "utf-8",
			header:  []string{"a", "b"},
			rows:    []got{{row: 2}, {row: 3, values: []string{"2", "3"}}},
			problem: map[int]wantProblem{0: {row: 2, column: "b", reason: "longer than 1 MiB"}},
		},
		{
			name: "xlsx named .csv",
			in:   []byte("PK\x03\x04\x14\x00\x00\x00"),
			err:  &wantProblem{reason: "import it as Excel"},
		},
		{
			name: "binary",
			in:   []byte("a,b\n\x00\x01\x02"),
			err:  &wantProblem{reason: "not text"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewCSVReader(bytes.NewReader(tc.in), tc.opt)
			if tc.err != nil {
				var p *Problem
				if !errors.As(err, &p) {
					t.Fatalf("NewCSVReader error %v, want a *Problem", err)
				}
				tc.err.check(t, p)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Encoding() != tc.enc {
				t.Errorf("encoding %q, want %q", r.Encoding(), tc.enc)
			}
			if !equalStrings(r.Header(), tc.header) {
				t.Errorf("header %q, want %q", r.Header(), tc.header)
			}
			rows := readAll(t, r)
			if tc.rows != nil && len(rows) != len(tc.rows) {
				t.Fatalf("got %d rows %+v, want %d", len(rows), rows, len(tc.rows))
			}
			if tc.rows == nil && tc.problem == nil && len(rows) != 0 {
				t.Fatalf("got rows %+v, want none", rows)
			}
			for i, w := range tc.rows {
				g := rows[i]
				if _, bad := tc.problem[i]; bad {
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
			for i, w := range tc.problem {
				if i < 0 {
					i += len(rows)
				}
				w.check(t, rows[i].problem)
				if rows[i].values != nil {
					t.Errorf("problem row has values %q", rows[i].values)
				}
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCSVRecordsAreNotReused(t *testing.T) {
	r, err := NewCSVReader(strings.NewReader("a,b\n1,2\n3,4\n"), TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	first, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if first.Values[0] != "1" || first.Values[1] != "2" {
		t.Fatalf("first record changed to %q", first.Values)
	}
}

func TestCSVProblemAfterFatalIsEOF(t *testing.T) {
	r, err := NewCSVReader(strings.NewReader("a\n\"x\"y\n1\n"), TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err == nil || err == io.EOF {
		t.Fatalf("Next: %v, want a problem", err)
	}
	for range 3 {
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("Next after the end: %v, want io.EOF", err)
		}
	}
}

func TestCSVDelimiter(t *testing.T) {
	tests := []struct {
		name string
		line string
		want rune
	}{
		{"comma", "a,b,c\n", ','},
		{"tab", "a\tb\tc\n", '\t'},
		{"semicolon", "a;b;c\n", ';'},
		{"no separator", "名称\n", ','},
		{"tie prefers comma", "a,b;c\n", ','},
		{"tie prefers tab to semicolon", "a\tb;c\n", '\t'},
		{"most wins", "a,b;c;d\n", ';'},
		{"quoted separators ignored", "\"a,b,c\";d\n", ';'},
		{"first non-blank line", "\n,,,,\n  \na;b\n", ';'},
		{"only the first line", "a;b\n1,2,3,4,5\n", ';'},
		{"quoted newline in header", "\"a\nb,c,d\";e;f\n", ';'},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := csvSniffDelimiter([]byte(tc.line)); got != tc.want {
				t.Fatalf("csvSniffDelimiter(%q) = %q, want %q", tc.line, got, tc.want)
			}
		})
	}
}

func TestTrimPartialUTF8(t *testing.T) {
	zh := []byte("中国") // 3 bytes each
	for cut := 0; cut <= len(zh); cut++ {
		sample := append([]byte("abc"), zh[:cut]...)
		got := trimPartialUTF8(sample, false)
		if !utf8.Valid(got) {
			t.Errorf("cut %d: %q is not valid", cut, got)
		}
		if len(sample)-len(got) >= 3 {
			t.Errorf("cut %d: trimmed too much: %q", cut, got)
		}
	}
	// A file that really ends in half a character is not UTF-8.
	if utf8.Valid(trimPartialUTF8([]byte("ab\xE4\xB8"), true)) {
		t.Error("incomplete sequence at EOF was dropped")
	}
}

// TestCSVDetectsUTF8AcrossTheSniffBoundary puts a three-byte character
// across the 64 KiB mark.
func TestCSVDetectsUTF8AcrossTheSniffBoundary(t *testing.T) {
	for shift := range 3 {
		// 中 starts at target: split 1+2 (shift 0), 2+1 (shift 1), whole (shift 2).
		target := csvSniffSize - 1 - shift
		var b bytes.Buffer
		b.WriteString("名称\n")
		for b.Len() < target-10 {
			b.WriteString("a\n")
		}
		b.WriteString(strings.Repeat("x", target-b.Len()))
		b.WriteString("中国\n")
		r, err := NewCSVReader(&b, TableOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Encoding() != "utf-8" {
			t.Fatalf("shift %d: encoding %s", shift, r.Encoding())
		}
		for _, g := range readAll(t, r) {
			if g.problem != nil {
				t.Fatalf("shift %d: %v", shift, g.problem)
			}
		}
	}
}

// lazyReader yields a header line, a row start and then n bytes of x
// without a newline, sampling the heap as it goes.
type lazyReader struct {
	prefix  []byte
	n       int
	sent    int
	maxHeap uint64
}

func (l *lazyReader) Read(p []byte) (int, error) {
	if len(l.prefix) > 0 {
		n := copy(p, l.prefix)
		l.prefix = l.prefix[n:]
		return n, nil
	}
	if l.sent >= l.n {
		return 0, io.EOF
	}
	n := min(len(p), l.n-l.sent)
	for i := range n {
		p[i] = 'x'
	}
	if l.sent/(1<<20) != (l.sent+n)/(1<<20) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		l.maxHeap = max(l.maxHeap, ms.HeapInuse)
	}
	l.sent += n
	return n, nil
}

func TestCSVHugeLine(t *testing.T) {
	const size = 50 << 20
	const limit = 64 << 20
	t.Run("data line", func(t *testing.T) {
		runtime.GC()
		src := &lazyReader{prefix: []byte("名称,备注\n化工厂,"), n: size}
		r, err := NewCSVReader(src, TableOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.Next()
		var p *Problem
		if !errors.As(err, &p) {
			t.Fatalf("Next: %v, want a problem", err)
		}
		wantProblem{row: 0, reason: "the record starting on line 2 is longer than 4 MiB"}.check(t, p)
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("Next after: %v, want io.EOF", err)
		}
		t.Logf("read %d MiB of the line, heap in use at most %d MiB", src.sent>>20, src.maxHeap>>20)
		if src.sent > 8<<20 {
			t.Errorf("read %d MiB of the line before giving up", src.sent>>20)
		}
		if src.maxHeap > limit {
			t.Errorf("heap in use reached %d MiB", src.maxHeap>>20)
		}
	})
	t.Run("first line", func(t *testing.T) {
		runtime.GC()
		src := &lazyReader{n: size}
		_, err := NewCSVReader(src, TableOptions{})
		var p *Problem
		if !errors.As(err, &p) {
			t.Fatalf("NewCSVReader: %v, want a problem", err)
		}
		wantProblem{row: 0, reason: "line 1 is longer than 4 MiB"}.check(t, p)
		t.Logf("read %d MiB of the line, heap in use at most %d MiB", src.sent>>20, src.maxHeap>>20)
		if src.maxHeap > limit {
			t.Errorf("heap in use reached %d MiB", src.maxHeap>>20)
		}
	})
	t.Run("unclosed quote", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteString("a,b\n1,\"2\n")
		for b.Len() < 5<<20 {
			b.WriteString("short line\n")
		}
		r, err := NewCSVReader(&b, TableOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.Next()
		var p *Problem
		if !errors.As(err, &p) {
			t.Fatalf("Next: %v, want a problem", err)
		}
		wantProblem{row: 0, reason: "line 2 is longer than 4 MiB: a quote may be missing"}.check(t, p)
	})
}

func TestLooksMojibake(t *testing.T) {
	tests := []struct {
		name string
		s    string
		want bool
	}{
		{"chinese", "浙江省杭州市西湖区文一路1号", false},
		{"chinese punctuation", "“中国”……——（一）、《安全生产法》；【重大】", false},
		{"english", "Acme Chemical Co., Ltd. (Hangzhou)", false},
		{"pinyin with tone marks", "Zhōngguó Hángzhōu Xīhú Qū, lǜ nǚ lüè nüè Lǘ ǎ ě ǐ ǒ ǔ à é è ì ò ù", false},
		{"dms coordinates", "119°55′12″E 30°16′30″N", false},
		{"dms with ascii marks", "119°55'12\"E", false},
		{"middle dot in names", "阿卜杜·热合曼", false},
		{"units", "5 m²·h, 3 m³, ±0.5 ℃, 1/2 ½, Ø50 mm, 3×4", false},
		{"french and german", "café, Müller, réélu, ação", false},
		{"prices", "¥1,000 €20 £5", false},
		{"legal and quotes", "§§ 1-3 «» ¡Hola!", false},
		{"gbk pinyin as latin-1", "Zh¨\u00adnggu¨®", true},
		{"gbk comma as latin-1", "1£¬2", true},
		{"full width", "ＡＢＣ１２３", false},
		{"nbsp after text", "杭州\u00a0西湖", false},
		{"empty", "", false},
		{"gbk as latin-1", "ÖÐ¹ú", true},
		{"utf-8 as windows-1252", "ä¸\u00adå›½", true},
		{"one character gbk as latin-1", "ÕÅ", true},
		{"yes as latin-1", "ÊÇ", true},
		{"no as latin-1", "·ñ", true},
		{"degree sign utf-8 as latin-1", "119Â°55′", true},
		{"nbsp utf-8 as latin-1", "a\u00c2\u00a0b", true},
		{"c1 control", "a\u0085b", true},
		{"utf-8 replacement as gbk", "锟斤拷", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := looksMojibake(tc.s); got != tc.want {
				t.Fatalf("looksMojibake(%q) = %v, want %v", tc.s, got, tc.want)
			}
		})
	}
}

// TestLooksMojibakeCatchesMisdecoding decodes real Chinese and pinyin text
// with the wrong code pages, the way clerks' files get garbled.
func TestLooksMojibakeCatchesMisdecoding(t *testing.T) {
	texts := []string{
		"中国", "是", "否", "有", "无", "一级", "重大", "张三", "李四光", "加油站",
		"浙江省杭州市西湖区文一路1号", "某某化工有限公司", "危险化学品重大危险源",
		"统一社会信用代码", "联系电话：0571-88888888", "（一）地震", "名称,地址",
		"Zhōngguó", "Hángzhōu", "lüè",
	}
	wrong := map[string]encoding.Encoding{"latin-1": charmap.ISO8859_1, "windows-1252": charmap.Windows1252}
	sources := map[string]encoding.Encoding{"gbk": simplifiedchinese.GBK, "utf-8": xunicode.UTF8}
	for _, s := range texts {
		for srcName, src := range sources {
			b, err := src.NewEncoder().Bytes([]byte(s))
			if err != nil {
				continue // pinyin tone marks are not all in GBK
			}
			for wrongName, w := range wrong {
				garbled, err := w.NewDecoder().String(string(b))
				if err != nil || garbled == s {
					continue
				}
				if !looksMojibake(garbled) && !strings.ContainsRune(garbled, utf8.RuneError) {
					t.Errorf("%q as %s read as %s = %q: not caught", s, srcName, wrongName, garbled)
				}
			}
		}
		if looksMojibake(s) {
			t.Errorf("%q: false alarm", s)
		}
	}
}

func FuzzCSVReader(f *testing.F) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("名称,地址\n化工厂,\"文一路\n1号\"\n"))
	for _, seed := range [][]byte{
		nil,
		[]byte("a,b\n1,2\n"),
		[]byte("\xEF\xBB\xBF名称;地址\r\n化工厂;文一路\r\n"),
		[]byte("a\tb\n1\t2\t3\n\n4\n"),
		[]byte("a,b\n\"1,\n2\",3\n\"x\"y,z\n"),
		[]byte("a,a\n"),
		[]byte("a,b\n1,\"2\n"),
		[]byte("\xFF\xFEa\x00,\x00b\x00\n\x001\x00"),
		[]byte("名称\nÖÐ¹ú\n"),
		gbk,
	} {
		f.Add(seed, "")
		f.Add(seed, "utf-8")
	}
	f.Add([]byte("名称\n化工厂\n"), "gbk")
	f.Fuzz(func(t *testing.T, data []byte, enc string) {
		r, err := NewCSVReader(bytes.NewReader(data), TableOptions{Encoding: enc})
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatalf("NewCSVReader: %v (%T) is not a *Problem", err, err)
			}
			return
		}
		header := r.Header()
		if len(header) == 0 {
			t.Fatal("empty header")
		}
		checkStream(t, r, header, len(data)+1, func(v string) bool {
			return !utf8.ValidString(v) || strings.ContainsRune(v, utf8.RuneError) || strings.IndexByte(v, 0) >= 0
		})
	})
}
