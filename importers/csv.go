package importers

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// TableOptions says how to read a CSV file or an Excel workbook.
type TableOptions struct {
	// Encoding is a CSV file's character encoding: "" detects it (a
	// UTF-8 BOM or valid UTF-8 means UTF-8, a UTF-16 BOM UTF-16, anything
	// else GB18030, the superset of GBK), or one of "utf-8", "gbk" and
	// "gb18030" ("utf8", "gb2312" and "cp936" are accepted too). Excel
	// workbooks ignore it.
	Encoding string
	// Sheet is the name of the Excel worksheet to read; "" picks the only
	// sheet with data. CSV files ignore it.
	Sheet string
}

// Limits on one CSV record. They keep a broken or hostile file (a 50 MB
// line, a quote that is never closed) from being buffered whole.
const (
	csvSniffSize      = 64 << 10 // bytes looked at to detect the encoding and the separator
	maxCellBytes      = 1 << 20  // longest cell
	csvMaxRecordBytes = 4 << 20  // longest record, quoted newlines included
	problemValueRunes = 200      // longest Problem.Value
)

// CSVReader reads a CSV (or tab or semicolon separated) table as records,
// streaming: it holds one record at a time, never the file.
//
// The header is the first line that is not blank. Header names are trimmed;
// an empty name becomes "column N" (N counts from 1), for the pipeline to
// keep or drop. Blank lines, and lines of separators only, are skipped.
type CSVReader struct {
	cr       *csv.Reader
	header   []string
	encoding string
	done     bool
}

// NewCSVReader reads the header of the CSV table in r and returns a reader
// for its rows. It reads r as it goes, through a buffer of 64 KiB.
//
// The encoding is opt.Encoding, or detected from the first 64 KiB; the
// separator is the comma, tab or semicolon seen most often in the header
// line outside quotes (the comma on a tie). An empty file, an unknown
// encoding, an unreadable or duplicated header is a *Problem; an error
// reading r is returned wrapped.
func NewCSVReader(r io.Reader, opt TableOptions) (*CSVReader, error) {
	br := bufio.NewReaderSize(r, csvSniffSize)
	sample, err := br.Peek(csvSniffSize)
	atEOF := err == io.EOF
	if err != nil && !atEOF {
		return nil, fmt.Errorf("importers: reading CSV: %w", err)
	}
	if len(sample) == 0 {
		return nil, problemf(0, "", "", "the file is empty", "文件为空")
	}

	enc, err := csvEncoding(opt.Encoding, sample, atEOF)
	if err != nil {
		return nil, err
	}
	var src io.Reader = br
	switch enc {
	case "utf-8":
		if bytes.HasPrefix(sample, bomUTF8) {
			br.Discard(len(bomUTF8))
		}
	case "gbk":
		src = transform.NewReader(br, simplifiedchinese.GBK.NewDecoder())
	case "gb18030":
		src = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	case "utf-16le":
		src = transform.NewReader(br, xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder())
	case "utf-16be":
		src = transform.NewReader(br, xunicode.UTF16(xunicode.BigEndian, xunicode.ExpectBOM).NewDecoder())
	}

	lim := &csvRecordLimiter{r: src, line: 1, start: 1}
	dr := bufio.NewReaderSize(lim, csvSniffSize)
	text, err := dr.Peek(csvSniffSize)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("importers: reading CSV: %w", err)
	}
	cr := csv.NewReader(dr) // dr is big enough for csv to use it as is
	cr.Comma = csvSniffDelimiter(text)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = false
	cr.ReuseRecord = false

	c := &CSVReader{cr: cr, encoding: enc}
	var rec []string
	for {
		rec, err = cr.Read()
		if err == io.EOF {
			return nil, problemf(0, "", "", "the file is empty", "文件为空")
		}
		if err != nil {
			return nil, c.fatal(err)
		}
		if !blankFields(rec) {
			break
		}
	}
	line, _ := cr.FieldPos(0)
	header, err := cleanHeader(rec, line, enc, func(i int) string { return fmt.Sprintf("column %d", i+1) })
	if err != nil {
		return nil, err
	}
	c.header = header
	return c, nil
}

// Header returns the column names. Records share this slice: do not
// modify it.
func (c *CSVReader) Header() []string { return c.header }

// Encoding returns the encoding the file is read with: "utf-8", "gbk",
// "gb18030", "utf-16le" or "utf-16be".
func (c *CSVReader) Encoding() string { return c.encoding }

// Next returns the next non-blank row. Record.Row is the line the row
// starts on; Values has one string per header name.
//
// A row with more fields than the header, a cell longer than 1 MiB, or a
// cell that is not valid UTF-8, holds U+FFFD or NUL, or looks like mojibake
// (Chinese decoded with the wrong code page) is a *Problem for that row.
// A CSV syntax error (a stray quote) or a record longer than 4 MiB ends the
// file: Next returns a *Problem with Row 0 (the file as a whole) whose
// reason names the line and says reading stopped there, then io.EOF.
func (c *CSVReader) Next() (Record, error) {
	for !c.done {
		rec, err := c.cr.Read()
		if err == io.EOF {
			c.done = true
			break
		}
		if err != nil {
			c.done = true
			return Record{}, c.fatal(err)
		}
		if blankFields(rec) {
			continue
		}
		line, _ := c.cr.FieldPos(0)
		out := Record{Row: line, Names: c.header}
		if len(rec) > len(c.header) {
			extra := rec[len(c.header):]
			if !blankFields(extra) {
				return out, problemf(line, "", "",
					fmt.Sprintf("the row has %d fields, the header has %d", lastNonBlankField(rec)+1, len(c.header)),
					fmt.Sprintf("该行有 %d 个字段，表头只有 %d 列", lastNonBlankField(rec)+1, len(c.header)))
			}
			rec = rec[:len(c.header)]
		}
		values := make([]string, len(c.header))
		copy(values, rec)
		for i, v := range rec {
			if p := textProblem(line, c.header[i], v, c.encoding); p != nil {
				return out, p
			}
		}
		out.Values = values
		return out, nil
	}
	return Record{}, io.EOF
}

// fatal turns an error from encoding/csv into the error that ends the file:
// a *Problem with Row 0, as it is about the rest of the file, not one row.
func (c *CSVReader) fatal(err error) error {
	var tl *csvRecordTooLong
	if errors.As(err, &tl) {
		return problemf(0, "", "",
			fmt.Sprintf("the record starting on line %d is longer than 4 MiB: a quote may be missing, or this is not a CSV table; reading stopped here", tl.line),
			fmt.Sprintf("从第 %d 行开始的记录超过 4 MiB：可能缺少引号，或这不是 CSV 表格；读取在此中止", tl.line))
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrBareQuote):
			return problemf(0, "", "",
				fmt.Sprintf(`line %d has a quote (") inside a field: put the whole field in quotes and double the quote (""); reading stopped here`, pe.Line),
				fmt.Sprintf(`第 %d 行的字段中间有双引号（"）：请用双引号括起整个字段，并把其中的双引号写成两个（""）；读取在此中止`, pe.Line))
		case errors.Is(pe.Err, csv.ErrQuote):
			return problemf(0, "", "",
				fmt.Sprintf(`line %d: a quote (") is not closed, or text follows the closing quote; reading stopped here`, pe.Line),
				fmt.Sprintf(`第 %d 行：双引号（"）没有闭合，或闭合引号后还有文字；读取在此中止`, pe.Line))
		default:
			return problemf(0, "", "",
				fmt.Sprintf("line %d is not valid CSV; reading stopped here", pe.Line),
				fmt.Sprintf("第 %d 行不是有效的 CSV；读取在此中止", pe.Line))
		}
	}
	return fmt.Errorf("importers: reading CSV: %w", err)
}

var bomUTF8 = []byte{0xEF, 0xBB, 0xBF}

// csvEncoding picks the encoding from the option and the first bytes of the
// file; atEOF says the sample is the whole file.
func csvEncoding(opt string, sample []byte, atEOF bool) (string, error) {
	name := strings.ToLower(strings.TrimSpace(opt))
	switch name {
	case "":
	case "utf-8", "utf8":
		name = "utf-8"
	case "gbk", "gb2312", "cp936":
		name = "gbk"
	case "gb18030":
	default:
		return "", problemf(0, "", opt,
			"unknown encoding: use utf-8, gbk or gb18030",
			"不支持的编码，请使用 utf-8、gbk 或 gb18030")
	}
	if name == "" {
		switch {
		case bytes.HasPrefix(sample, bomUTF8):
			return "utf-8", nil
		case bytes.HasPrefix(sample, []byte{0xFF, 0xFE}):
			return "utf-16le", nil
		case bytes.HasPrefix(sample, []byte{0xFE, 0xFF}):
			return "utf-16be", nil
		}
	}
	if p := csvNotText(sample); p != nil {
		return "", p
	}
	valid := utf8.Valid(trimPartialUTF8(sample, atEOF))
	switch {
	case name == "" && valid:
		return "utf-8", nil
	case name == "":
		return "gb18030", nil
	case name != "utf-8" && valid && countHan(sample) >= 2:
		// GBK text is practically never valid UTF-8 with Chinese in it;
		// decoding UTF-8 as GBK gives plausible-looking nonsense that no
		// later check can catch.
		return "", problemf(0, "", "",
			"the file is UTF-8, not "+strings.ToUpper(name)+": leave out --encoding or use --encoding utf-8",
			"文件是 UTF-8 编码，不是 "+strings.ToUpper(name)+"：请去掉 --encoding 或改用 --encoding utf-8")
	}
	return name, nil
}

// csvNotText reports files that are not text at all: workbooks saved with a
// .csv name, or binary data.
func csvNotText(sample []byte) *Problem {
	switch {
	case bytes.HasPrefix(sample, []byte("PK\x03\x04")):
		return problemf(0, "", "",
			"this is an .xlsx workbook, not a CSV file: import it as Excel",
			"这是 .xlsx 工作簿，不是 CSV 文件，请按 Excel 导入")
	case bytes.HasPrefix(sample, oleMagic):
		return problemf(0, "", "",
			"this is an old .xls workbook, not a CSV file: save it as .xlsx or CSV UTF-8",
			"这是旧版 .xls 工作簿，不是 CSV 文件，请另存为 .xlsx 或 CSV UTF-8")
	case bytes.IndexByte(sample, 0) >= 0:
		return problemf(0, "", "",
			"the file is not text (it contains NUL bytes): save it as CSV UTF-8",
			"文件不是文本（含有空字节），请另存为 CSV UTF-8")
	}
	return nil
}

// trimPartialUTF8 drops an incomplete UTF-8 sequence cut off at the end of a
// sample that is not the whole file.
func trimPartialUTF8(b []byte, atEOF bool) []byte {
	if atEOF {
		return b
	}
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// countHan counts CJK ideographs in valid UTF-8.
func countHan(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if unicode.Is(unicode.Han, r) {
			n++
		}
		b = b[size:]
	}
	return n
}

// csvSniffDelimiter picks the separator of the first non-blank line of text:
// the one of comma, tab and semicolon that occurs most outside quotes, the
// earlier of them on a tie, the comma when there is none.
func csvSniffDelimiter(text []byte) rune {
	seps := []byte{',', '\t', ';'}
	var counts [3]int
	inQuote, content := false, false
scan:
	for _, b := range text {
		switch {
		case b == '"':
			inQuote = !inQuote
			content = true
		case inQuote:
		case b == '\n' && content:
			break scan
		case b == '\n':
			counts = [3]int{}
		case b == ' ' || b == '\r':
		default:
			if i := bytes.IndexByte(seps, b); i >= 0 {
				counts[i]++
			} else {
				content = true
			}
		}
	}
	best := 0
	for i := range counts {
		if counts[i] > counts[best] {
			best = i
		}
	}
	return rune(seps[best])
}

// blankFields reports whether every field is empty or white space.
func blankFields(rec []string) bool {
	return lastNonBlankField(rec) < 0
}

// lastNonBlankField returns the index of the last field that is not blank, or -1.
func lastNonBlankField(rec []string) int {
	for i := len(rec) - 1; i >= 0; i-- {
		if strings.TrimSpace(rec[i]) != "" {
			return i
		}
	}
	return -1
}

// cleanHeader checks and cleans a header row found on row: names are
// trimmed of space and BOMs, an empty one is named by unnamed(i),
// duplicates and unreadable names are a *Problem. enc is the CSV encoding
// ("" for Excel).
func cleanHeader(cells []string, row int, enc string, unnamed func(i int) string) ([]string, error) {
	header := make([]string, len(cells))
	for i, v := range cells {
		if p := textProblem(row, "", v, enc); p != nil {
			p.Reason = "the header: " + p.Reason
			p.ReasonZH = "表头：" + p.ReasonZH
			return nil, p
		}
		header[i] = strings.TrimFunc(v, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' })
	}
	for i, name := range header {
		if name == "" {
			header[i] = unnamed(i)
		}
	}
	seen := make(map[string]int, len(header))
	var dups []string
	for _, name := range header {
		seen[name]++
		if seen[name] == 2 {
			dups = append(dups, name)
		}
	}
	if len(dups) > 0 {
		return nil, problemf(row, "", strings.Join(dups, ", "),
			"duplicate column names: "+strings.Join(dups, ", ")+": give every column its own name",
			"列名重复："+strings.Join(dups, "、")+"，请让每列的名称各不相同")
	}
	return header, nil
}

// textProblem checks one cell's text: that it is not too long, is valid
// UTF-8 without NUL or U+FFFD, and is not mojibake. enc is the CSV file's
// encoding, "" for Excel.
func textProblem(row int, column, v, enc string) *Problem {
	if len(v) <= maxCellBytes && plainASCII(v) { // most cells: numbers, codes, dates
		return nil
	}
	switch {
	case len(v) > maxCellBytes:
		return problemf(row, column, clip(v, 40),
			"the cell is longer than 1 MiB",
			"单元格内容超过 1 MiB")
	case !utf8.ValidString(v):
		return problemf(row, column, showInvalidUTF8(v),
			"not valid UTF-8: is the file GBK? try --encoding gbk",
			"不是有效的 UTF-8 编码，文件可能是 GBK，请尝试 --encoding gbk")
	case strings.IndexByte(v, 0) >= 0:
		return problemf(row, column, strings.ReplaceAll(clip(v, problemValueRunes), "\x00", `\0`),
			`the cell contains a NUL character (\0): the file may be damaged`,
			`单元格含有空字符（\0），文件可能已损坏`)
	case strings.ContainsRune(v, utf8.RuneError):
		return problemf(row, column, clip(v, problemValueRunes),
			"the text contains � (a character that could not be decoded): check the file's encoding"+csvEncodingHint(enc),
			"文字中有无法识别的字符（�），请检查文件编码"+csvEncodingHintZH(enc))
	case looksMojibake(v):
		return problemf(row, column, clip(v, problemValueRunes),
			"the text is garbled (mojibake such as ÖÐ¹ú): it was converted with the wrong encoding; fix it in the source",
			"文字是乱码（如 ÖÐ¹ú），曾用错误的编码转换过，请在原始文件中更正")
	}
	return nil
}

func csvEncodingHint(enc string) string {
	switch enc {
	case "gb18030", "gbk":
		return " (read as " + strings.ToUpper(enc) + ")"
	}
	return ""
}

func csvEncodingHintZH(enc string) string {
	switch enc {
	case "gb18030", "gbk":
		return "（当前按 " + strings.ToUpper(enc) + " 读取）"
	}
	return ""
}

// showInvalidUTF8 shows a cell that is not UTF-8 as it reads in GB18030
// when that works (the usual case: a GBK file read as UTF-8), with U+FFFD
// for the bad bytes otherwise.
func showInvalidUTF8(v string) string {
	if s, err := simplifiedchinese.GB18030.NewDecoder().String(v); err == nil && !strings.ContainsRune(s, utf8.RuneError) {
		return clip(s, problemValueRunes)
	}
	return clip(strings.ToValidUTF8(v, "\uFFFD"), problemValueRunes)
}

// looksMojibake reports whether s looks like Chinese (or other non-ASCII)
// text whose bytes were decoded with the wrong code page: GBK or UTF-8 read
// as Latin-1 or Windows-1252 ("ÖÐ¹ú", "ä¸­å›½" for 中国), or the
// "锟斤拷" that UTF-8 replacement characters become in GBK.
//
// Those turn every Chinese character into two or three characters of the
// Latin-1 range (U+00A0–U+00FF) or the Windows-1252 extras (€ ‚ ƒ „ … † ‡
// ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ), next to each other. Real text
// has those only alone between ASCII or Chinese (café, 119°55′12″E,
// 阿卜杜·热合曼, m²), or as pairs of lower-case accented vowels (pinyin
// lüè) or of punctuation (……, ——, §§). So s is mojibake when it has a C1
// control character (U+0080–U+009F), three Latin-1 characters in a row, a
// Latin-1 letter next to a Latin-1 symbol or a Windows-1252 extra, two
// letters in a row of which one is upper case, a soft hyphen or one of
// ¡ £ ¤ ¦ ¨ (GBK's punctuation and pinyin lead bytes) before a Latin-1
// symbol, or "Â"/"Ã" before a no-break space.
func looksMojibake(s string) bool {
	if plainASCII(s) {
		return false
	}
	if strings.Contains(s, "锟斤拷") {
		return true
	}
	const (
		other = iota
		nbsp
		letter
		upper
		symbol
		extra
	)
	class := func(r rune) int {
		switch {
		case r == 0xA0:
			return nbsp
		case r == 0xD7 || r == 0xF7: // × ÷
			return symbol
		case r >= 0xC0 && r <= 0xDE:
			return upper
		case r >= 0xDF && r <= 0xFF:
			return letter
		case r >= 0xA1 && r <= 0xBF:
			return symbol
		case r > 0x2122: // past the last Windows-1252 extra (™): CJK and the rest
			return other
		case strings.ContainsRune("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ", r):
			return extra
		}
		return other
	}
	isLetter := func(c int) bool { return c == letter || c == upper }
	isLatin1 := func(c int) bool { return c == letter || c == upper || c == symbol }
	prevRune, prev, latinRun := rune(0), other, 0
	for _, r := range s {
		if r >= 0x80 && r <= 0x9F {
			return true
		}
		c := class(r)
		if isLatin1(c) {
			latinRun++
			if latinRun >= 3 {
				return true
			}
		} else {
			latinRun = 0
		}
		switch {
		case isLetter(prev) && (c == symbol || c == extra), isLetter(c) && (prev == symbol || prev == extra):
			return true
		case c == symbol && (prev == symbol || prev == upper || prev == letter) && (r == 0xAD || strings.ContainsRune("¡£¤¦¨\u00ad", prevRune)):
			return true
		case isLetter(prev) && isLetter(c) && (prev == upper || c == upper):
			return true
		case c == nbsp && (prevRune == 'Â' || prevRune == 'Ã'):
			return true
		}
		prevRune, prev = r, c
	}
	return false
}

// csvRecordLimiter passes bytes through and fails once a CSV record (from a
// newline outside quotes to the next) grows past csvMaxRecordBytes, before
// encoding/csv, which buffers whole records, sees more. Quotes toggle the
// state; escaped quotes ("") toggle it twice, and a quote anywhere else is a
// syntax error encoding/csv reports first.
type csvRecordLimiter struct {
	r       io.Reader
	n       int  // bytes of the current record so far
	inQuote bool // inside a quoted field
	line    int  // line of the next byte
	start   int  // line the current record starts on
	err     error
}

// csvRecordTooLong is csvRecordLimiter's error.
type csvRecordTooLong struct{ line int }

func (e *csvRecordTooLong) Error() string {
	return fmt.Sprintf("record starting on line %d is longer than %d bytes", e.line, csvMaxRecordBytes)
}

func (l *csvRecordLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		switch p[i] {
		case '"':
			l.inQuote = !l.inQuote
		case '\n':
			l.line++
			if !l.inQuote {
				l.n = 0
				l.start = l.line
				continue
			}
		}
		l.n++
		if l.n > csvMaxRecordBytes {
			l.err = &csvRecordTooLong{line: l.start}
			return i, nil
		}
	}
	return n, err
}

// plainASCII reports whether s is printable-or-control ASCII without NUL:
// nothing in it can be mojibake or an encoding error.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c == 0 {
			return false
		}
	}
	return true
}
