package importers

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/htmlindex"
)

// oleMagic starts OLE2 files: old .xls workbooks, and .xlsx workbooks
// encrypted with a password.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

const (
	xlsxMaxUnzipped = 2 << 30   // largest workbook, unpacked
	xlsxInMemory    = 4 << 20   // larger sheets and shared strings go to temporary files
	xlsxMaxFile     = 100 << 20 // excelize holds the whole .xlsx in memory
	xlsxMaxRows     = 1 << 20   // Excel's rows per sheet
	xlsxMaxCols     = 1 << 14   // Excel's columns per sheet
)

// ExcelReader reads one worksheet of an .xlsx workbook as records,
// streaming the sheet's XML rather than loading the sheet.
//
// Cells come out as the clerk typed them rather than as the number format
// displays them, so that formats never lose digits:
//
//   - numbers in full, as Excel keeps them (15 significant digits), whatever
//     their format: a longitude 119.9123456 shown as 119.91 is
//     "119.9123456", a percentage 12% is "0.12", 1,234.5 is "1234.5";
//   - except numbers with a date or time format, which become
//     "2006-01-02", "15:04:05" or "2006-01-02 15:04:05", and numbers with
//     a zero-padding format such as 000000, which keep the zeros they show
//     ("0578123");
//   - text as it is (an ID or phone number typed as text keeps its leading
//     zeros); TRUE and FALSE for booleans; the error text (#N/A) for errors;
//   - formulas as their saved result.
//
// That is why it does not use excelize's Rows().Columns() alone: its
// formatted values round 119.9123456 under a 0.00 format and write dates in
// the locale's pattern; its raw values turn dates into serial numbers; and
// neither tells a formula without a saved value from an empty cell. The
// reader walks the sheet's XML itself, in step with excelize's row
// iterator, which still supplies the text of shared and inline strings.
//
// The header is the first row that is not blank; an empty header cell
// becomes "column C" (its column letter). Blank rows are skipped.
// Record.Row is the sheet's row number.
//
// An ExcelReader holds temporary files for large sheets: call Close when
// done. Next closes it by itself once it returns io.EOF or a Problem that
// ends the file, and a reader dropped unclosed is closed when garbage
// collected.
type ExcelReader struct {
	f        *excelize.File
	rows     *excelize.Rows
	scan     *xlsxScanner
	sheet    string
	sheets   []string // the workbook's visible sheets, in order
	header   []string
	date1904 bool
	formats  map[int]xlsxNumFmt
	sstSpill bool // excelize keeps the shared strings in a temporary file

	n        int      // row number of excelize's iterator
	pending  *xlsxRow // row read ahead from scan
	scanDone bool
	done     bool
	closed   bool
}

// NewExcelReader opens the .xlsx workbook of size bytes in r, picks a sheet
// and reads its header.
//
// The sheet is opt.Sheet (matched exactly, else ignoring case); without it,
// the only sheet with data, preferring visible sheets to hidden ones. A
// file that is not an .xlsx workbook, a missing sheet, a choice of several
// sheets, an empty sheet, merged or duplicate header cells are a *Problem;
// so is a damaged workbook.
func NewExcelReader(r io.ReaderAt, size int64, opt TableOptions) (*ExcelReader, error) {
	if size > xlsxMaxFile {
		return nil, problemf(0, "", "", fmt.Sprintf("the workbook is larger than %d MB: save the sheet as CSV (UTF-8) and import that", xlsxMaxFile>>20),
			fmt.Sprintf("工作簿超过 %d MB：请把工作表另存为 CSV（UTF-8）再导入", xlsxMaxFile>>20))
	}
	head := make([]byte, 8)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	if bytes.HasPrefix(head, oleMagic) {
		return nil, problemf(0, "", "",
			"not an .xlsx workbook: it is an old .xls file, or has a password; save it as .xlsx without a password",
			"不是 .xlsx 工作簿：可能是旧版 .xls 文件或设置了密码，请另存为无密码的 .xlsx")
	}
	zr, err := zip.NewReader(r, size)
	if err != nil || !bytes.HasPrefix(head, []byte("PK")) {
		return nil, notXLSX(head)
	}
	parts := make(map[string]*zip.File, len(zr.File))
	var unzipped uint64
	for _, zf := range zr.File {
		unzipped += zf.UncompressedSize64
		parts[strings.ToLower(strings.ReplaceAll(zf.Name, `\`, "/"))] = zf
	}
	if unzipped > xlsxMaxUnzipped {
		return nil, problemf(0, "", "",
			"the workbook is larger than 2 GiB unpacked: split it into several files",
			"工作簿解压后超过 2 GiB，请拆分成几个文件")
	}
	sheets, err := xlsxSheets(parts)
	if err != nil || len(sheets) == 0 {
		return nil, notXLSX(head)
	}
	sh, err := xlsxChooseSheet(sheets, parts, opt.Sheet)
	if err != nil {
		return nil, err
	}
	zf := parts[sh.path]
	merges, err := xlsxMerges(zf)
	if err != nil {
		return nil, workbookDamaged(0, err)
	}

	x := &ExcelReader{sheet: sh.name, formats: map[int]xlsxNumFmt{}}
	for _, s := range sheets {
		if !s.hidden {
			x.sheets = append(x.sheets, s.name)
		}
	}
	if sst, ok := parts["xl/sharedstrings.xml"]; ok && sst.UncompressedSize64 > xlsxInMemory {
		x.sstSpill = true
	}
	err = excelizeSafely(func() error {
		var err error
		x.f, err = excelize.OpenReader(io.NewSectionReader(r, 0, size), excelize.Options{
			RawCellValue:      true,
			UnzipSizeLimit:    xlsxMaxUnzipped,
			UnzipXMLSizeLimit: xlsxInMemory,
		})
		if err != nil {
			return err
		}
		props, err := x.f.GetWorkbookProps()
		if err != nil {
			return err
		}
		x.date1904 = props.Date1904 != nil && *props.Date1904
		x.rows, err = x.f.Rows(sh.name)
		return err
	})
	if err != nil {
		x.Close()
		return nil, workbookDamaged(0, err)
	}
	// A safety net for callers that drop the reader early without Close:
	// remove excelize's temporary files once the reader is garbage.
	runtime.AddCleanup(x, func(f *excelize.File) { f.Close() }, x.f)
	if x.scan, err = newXLSXScanner(zf); err != nil {
		x.Close()
		return nil, workbookDamaged(0, err)
	}
	if err := x.readHeader(merges); err != nil {
		x.Close()
		return nil, err
	}
	return x, nil
}

// Header returns the column names. Records share this slice: do not
// modify it.
func (x *ExcelReader) Header() []string { return x.header }

// Sheet returns the name of the sheet being read.
func (x *ExcelReader) Sheet() string { return x.sheet }

// Sheets lists the workbook's visible sheets in order.
func (x *ExcelReader) Sheets() []string { return x.sheets }

// Close releases the workbook and its temporary files. It can be called
// more than once.
func (x *ExcelReader) Close() error {
	if x.closed {
		return nil
	}
	x.closed, x.done = true, true
	var errs []error
	if x.scan != nil {
		errs = append(errs, x.scan.Close())
	}
	if x.rows != nil {
		errs = append(errs, excelizeSafely(x.rows.Close))
	}
	if x.f != nil {
		errs = append(errs, excelizeSafely(x.f.Close))
	}
	return errors.Join(errs...)
}

// Next returns the next row that is not blank, with one value per header
// name. A formula without a saved value, a value in a column without a
// header, a number Excel has cut to 15 digits, or garbled text is a
// *Problem for that row. A damaged sheet ends the file with a *Problem
// with Row 0, then io.EOF.
func (x *ExcelReader) Next() (Record, error) {
	for !x.done {
		row, cells, err := x.readRow()
		if err != nil {
			x.Close()
			return Record{}, err
		}
		rec := Record{Row: row, Names: x.header}
		texts, bad, err := x.rowTexts(row, cells)
		if err != nil {
			x.Close()
			return Record{}, err
		}
		if bad != nil {
			bad.Column = x.columnName(bad.Column)
			return rec, bad
		}
		last := lastNonBlankField(texts)
		if last < 0 {
			continue
		}
		if last >= len(x.header) {
			ref := xlsxCellRef(last+1, row)
			col := ref[:len(ref)-len(strconv.Itoa(row))]
			return rec, problemf(row, "", clip(texts[last], problemValueRunes),
				fmt.Sprintf("cell %s has a value but column %s has no header: add a header or delete the value", ref, col),
				fmt.Sprintf("单元格 %s 有内容，但 %s 列没有列名：请补上列名或删除该内容", ref, col))
		}
		values := make([]string, len(x.header))
		copy(values, texts)
		for i, v := range values {
			if p := textProblem(row, x.header[i], v, ""); p != nil {
				return rec, p
			}
		}
		rec.Values = values
		return rec, nil
	}
	return Record{}, io.EOF
}

// columnName names the column of a cell reference for a Problem: its header
// name, or the reference itself outside the header.
func (x *ExcelReader) columnName(ref string) string {
	col, _, err := excelize.CellNameToCoordinates(ref)
	if err == nil && col >= 1 && col <= len(x.header) {
		return x.header[col-1]
	}
	return ref
}

// readHeader finds the first row that is not blank and makes it the header.
func (x *ExcelReader) readHeader(merges []string) error {
	for {
		row, cells, err := x.readRow()
		if err == io.EOF {
			return problemf(0, "", "",
				fmt.Sprintf("sheet %q is empty", x.sheet),
				fmt.Sprintf("工作表“%s”为空", x.sheet))
		}
		if err != nil {
			return err
		}
		texts, bad, err := x.rowTexts(row, cells)
		if err != nil {
			return err
		}
		if bad != nil {
			bad.Reason = "the header: " + bad.Reason
			bad.ReasonZH = "表头：" + bad.ReasonZH
			return bad
		}
		last := lastNonBlankField(texts)
		if last < 0 {
			continue
		}
		if p := xlsxMergedHeader(merges, row, texts); p != nil {
			return p
		}
		header, err := cleanHeader(texts[:last+1], row, "", func(i int) string {
			name, _ := excelize.ColumnNumberToName(i + 1)
			return "column " + name
		})
		if err != nil {
			return err
		}
		x.header = header
		return nil
	}
}

// xlsxMergedHeader reports merged ranges that take in the header row.
func xlsxMergedHeader(merges []string, row int, texts []string) *Problem {
	var bad []string
	for _, ref := range merges {
		a, b, ok := strings.Cut(ref, ":")
		if !ok {
			continue
		}
		c1, r1, err1 := excelize.CellNameToCoordinates(a)
		c2, r2, err2 := excelize.CellNameToCoordinates(b)
		if err1 != nil || err2 != nil {
			continue
		}
		if r1 > r2 {
			r1, r2 = r2, r1
		}
		if r1 <= row && row <= r2 && (c1 != c2 || r1 != r2) {
			bad = append(bad, ref)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	refs := strings.Join(bad, ", ")
	en := "merged header cells " + refs + ": unmerge them so that every column has its own header"
	zh := "表头有合并单元格 " + strings.Join(bad, "、") + "，请取消合并，使每列都有自己的列名"
	nonBlank := 0
	for _, t := range texts {
		if strings.TrimSpace(t) != "" {
			nonBlank++
		}
	}
	if nonBlank == 1 {
		en += fmt.Sprintf("; if row %d is a title, delete that row", row)
		zh += fmt.Sprintf("；如果第 %d 行是标题，请删除该行", row)
	}
	return problemf(row, "", refs, en, zh)
}

// readRow returns the next row of the sheet that has a <row> element: its
// number and cells. It steps excelize's iterator and the sheet scanner
// together; when they disagree the sheet is damaged. It returns io.EOF at
// the end, a *Problem when the sheet is damaged.
func (x *ExcelReader) readRow() (int, *xlsxRow, error) {
	for {
		var more bool
		var cols []string
		var colsErr error
		err := excelizeSafely(func() error {
			more = x.rows.Next()
			if !more {
				return x.rows.Error()
			}
			cols, colsErr = x.rows.Columns(excelize.Options{RawCellValue: true})
			return nil
		})
		if err != nil {
			return 0, nil, workbookDamaged(x.n+1, err)
		}
		if more {
			x.n++
		}
		if x.pending == nil && !x.scanDone {
			x.pending, err = x.scan.next()
			if err != nil {
				return 0, nil, workbookDamaged(x.n, err)
			}
			x.scanDone = x.pending == nil
		}
		switch {
		case !more && x.pending == nil:
			return 0, nil, io.EOF
		case !more, x.pending != nil && x.pending.row < x.n:
			return 0, nil, workbookDamaged(x.n, errors.New("rows out of step"))
		case x.pending == nil || x.pending.row > x.n:
			if len(cols) > 0 {
				return 0, nil, workbookDamaged(x.n, errors.New("rows out of step"))
			}
			continue // no <row> element: an empty row
		}
		rc := x.pending
		x.pending = nil
		if colsErr != nil {
			return 0, nil, workbookDamaged(rc.row, colsErr)
		}
		rc.strings = cols
		return rc.row, rc, nil
	}
}

// rowTexts turns a row's cells into text, one string per column up to the
// last cell. bad is the row's first bad cell, its Column holding the cell
// reference; fatal is a Problem that ends the file.
func (x *ExcelReader) rowTexts(row int, rc *xlsxRow) (texts []string, bad *Problem, fatal error) {
	if len(rc.cells) == 0 {
		return nil, nil, nil
	}
	texts = make([]string, rc.cells[len(rc.cells)-1].col)
	for _, c := range rc.cells {
		ref := xlsxCellRef(c.col, row)
		if c.hasF && !c.hasV {
			return nil, problemf(row, ref, clip("="+c.f, problemValueRunes),
				fmt.Sprintf("the formula in %s has no saved value: open and save the file in Excel/WPS first", ref),
				fmt.Sprintf("%s 的公式没有保存的计算结果，请先在 Excel/WPS 中打开并保存", ref)), nil
		}
		if c.t == "s" && !x.sharedStringOK(c.v) {
			// excelize drops the error and gives "".
			return nil, nil, workbookDamaged(row, fmt.Errorf("cell %s: no shared string %q", ref, c.v))
		}
		text, cut := x.cellText(c, rc.strings)
		if cut {
			return nil, problemf(row, ref, text,
				"the number has more than 15 digits and Excel has cut it: format the column as text and type it again",
				"数字超过 15 位，Excel 已将其截断：请把该列设为文本格式后重新输入"), nil
		}
		texts[c.col-1] = text
	}
	return texts, nil, nil
}

// sharedStringOK reports whether v is the index of a shared string, when
// excelize holds them in memory (it does not say for a temporary file).
func (x *ExcelReader) sharedStringOK(v string) bool {
	if x.sstSpill {
		return true
	}
	n := 0
	if x.f.SharedStrings != nil {
		n = len(x.f.SharedStrings.SI)
	}
	i, err := strconv.Atoi(strings.TrimSpace(v))
	return err == nil && i >= 0 && i < n
}

// cellText returns a cell's text; strs are excelize's raw values of the
// row, which resolve shared strings. cut reports an integer of 16 or more
// digits, which Excel has already rounded to 15.
func (x *ExcelReader) cellText(c xlsxCell, strs []string) (text string, cut bool) {
	switch c.t {
	case "s", "inlineStr":
		if c.col <= len(strs) {
			return strs[c.col-1], false
		}
		return "", false
	case "str", "e":
		return c.v, false
	case "b":
		switch strings.TrimSpace(c.v) {
		case "1":
			return "TRUE", false
		case "0":
			return "FALSE", false
		}
		return c.v, false
	case "d":
		return excelISODate(c.v), false
	}
	v := strings.TrimSpace(c.v)
	num, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(num, 0) || math.IsNaN(num) {
		return c.v, false
	}
	format := x.format(c.s)
	switch format.kind {
	case numFmtDate, numFmtTime, numFmtDateTime:
		if t, err := excelize.ExcelDateToTime(num, x.date1904); err == nil && num < 2958466 {
			return excelDateText(t, num, format.kind), false
		}
	case numFmtZeroPad:
		if num >= 0 && num < 1e15 && num == math.Trunc(num) {
			return fmt.Sprintf("%0*d", format.width, int64(num)), false
		}
	}
	return excelNumberText(num), math.Abs(num) >= 1e15 && num == math.Trunc(num)
}

// excelNumberText writes a number as Excel shows it under the General format,
// without exponent for the usual magnitudes: at most 15 significant digits.
func excelNumberText(f float64) string {
	if f == 0 {
		return "0"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant := strings.TrimPrefix(e[:strings.IndexByte(e, 'e')], "-")
	if len(strings.Replace(mant, ".", "", 1)) > 15 {
		f, _ = strconv.ParseFloat(strconv.FormatFloat(f, 'e', 14, 64), 64)
	}
	if a := math.Abs(f); a >= 1e21 || a < 1e-9 {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// excelDateText writes an Excel date serial as ISO 8601.
func excelDateText(t time.Time, serial float64, kind int) string {
	t = t.Round(time.Second)
	switch {
	case kind == numFmtDate:
		return t.Format("2006-01-02")
	case kind == numFmtTime && serial < 1:
		return t.Format("15:04:05")
	}
	return t.Format("2006-01-02 15:04:05")
}

// excelISODate normalizes a cell of type d (an ISO 8601 date) to the form
// numbers with a date format take.
func excelISODate(v string) string {
	v = strings.TrimSpace(v)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02", "15:04:05.999999999"} {
		if t, err := time.Parse(layout, v); err == nil {
			t = t.Round(time.Second)
			switch {
			case layout == "15:04:05.999999999":
				return t.Format("15:04:05")
			case t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0:
				return t.Format("2006-01-02")
			}
			return t.Format("2006-01-02 15:04:05")
		}
	}
	return v
}

// Kinds of number format.
const (
	numFmtGeneral = iota
	numFmtDate
	numFmtTime
	numFmtDateTime
	numFmtZeroPad
)

// xlsxNumFmt is what matters of a number format: its kind, and the width of
// a zero-padding format.
type xlsxNumFmt struct{ kind, width int }

// format returns the number format of style s, from excelize's copy of the
// workbook's styles.
func (x *ExcelReader) format(s int) xlsxNumFmt {
	if nf, ok := x.formats[s]; ok {
		return nf
	}
	id, code := 0, ""
	if st := x.f.Styles; st != nil && st.CellXfs != nil && s >= 0 && s < len(st.CellXfs.Xf) && st.CellXfs.Xf[s].NumFmtID != nil {
		id = *st.CellXfs.Xf[s].NumFmtID
		if st.NumFmts != nil {
			for _, f := range st.NumFmts.NumFmt {
				if f != nil && f.NumFmtID == id {
					code = f.FormatCode
					if f.FormatCode16 != "" {
						code = f.FormatCode16
					}
				}
			}
		}
	}
	nf := xlsxClassifyFormat(id, code)
	x.formats[s] = nf
	return nf
}

// xlsxClassifyFormat tells dates, times and zero padding from other number
// formats, by the format code or, without one, the built-in format id
// (including the Chinese, Japanese, Korean and Thai date formats).
func xlsxClassifyFormat(id int, code string) xlsxNumFmt {
	if code == "" {
		switch {
		case id >= 14 && id <= 17, id >= 27 && id <= 31, id == 36, id >= 50 && id <= 54,
			id == 57, id == 58, id >= 71 && id <= 74, id == 81:
			return xlsxNumFmt{kind: numFmtDate}
		case id >= 18 && id <= 21, id >= 32 && id <= 35, id >= 45 && id <= 47,
			id == 55, id == 56, id == 75, id == 76, id >= 78 && id <= 80:
			return xlsxNumFmt{kind: numFmtTime}
		case id == 22, id == 77:
			return xlsxNumFmt{kind: numFmtDateTime}
		}
		return xlsxNumFmt{}
	}
	if strings.Trim(code, "0") == "" && len(code) >= 2 {
		return xlsxNumFmt{kind: numFmtZeroPad, width: len(code)}
	}
	lower := strings.ToLower(code)
	for _, ampm := range []string{"am/pm", "a/p"} {
		lower = strings.ReplaceAll(lower, ampm, "")
	}
	var date, hours, months bool
	for i := 0; i < len(lower); i++ {
		switch c := lower[i]; c {
		case ';':
			i = len(lower) // the first section decides
		case '"':
			if j := strings.IndexByte(lower[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(lower)
			}
		case '\\', '_', '*':
			i++
		case '[':
			j := strings.IndexByte(lower[i:], ']')
			if j < 0 {
				i = len(lower)
				break
			}
			if inner := lower[i+1 : i+j]; strings.Trim(inner, "hms") == "" && inner != "" {
				hours = true // elapsed time: [h], [mm], [ss]
			}
			i += j
		case 'y', 'd':
			date = true
		case 'h', 's':
			hours = true
		case 'm':
			months = true
		}
	}
	date = date || months && !hours
	switch {
	case date && hours:
		return xlsxNumFmt{kind: numFmtDateTime}
	case date:
		return xlsxNumFmt{kind: numFmtDate}
	case hours:
		return xlsxNumFmt{kind: numFmtTime}
	}
	return xlsxNumFmt{}
}

// xlsxCellRef writes a cell reference such as C5.
func xlsxCellRef(col, row int) string {
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return fmt.Sprintf("R%dC%d", row, col)
	}
	return ref
}

// notXLSX is the Problem for a file that is not a workbook.
func notXLSX(head []byte) *Problem {
	p := problemf(0, "", "", "not an .xlsx workbook", "不是 .xlsx 工作簿")
	if len(head) > 0 && !bytes.HasPrefix(head, []byte("PK")) && bytes.IndexByte(head, 0) < 0 {
		p.Reason += ": it looks like text, import it as CSV"
		p.ReasonZH += "，看起来是文本文件，请按 CSV 导入"
	}
	return p
}

// workbookDamaged is the Problem for a workbook that cannot be read
// further, near row (0 if unknown). It has Row 0, as it ends the file; the
// cause goes in Value for whoever supports the clerk.
func workbookDamaged(row int, err error) *Problem {
	en, zh := "the workbook is damaged", "工作簿已损坏"
	if row > 0 {
		en += fmt.Sprintf(" near row %d", row)
		zh += fmt.Sprintf("（约第 %d 行）", row)
	}
	return problemf(0, "", clip(err.Error(), problemValueRunes),
		en+": open it in Excel/WPS and save it again",
		zh+"，请在 Excel/WPS 中打开并重新保存")
}

// excelizeSafely runs fn, turning a panic inside excelize into an error.
func excelizeSafely(fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("excelize: %v", v)
		}
	}()
	return fn()
}

// xlsxSheet is a worksheet of the workbook: its name, the path of its XML
// part (lower case, as parts are keyed) and whether it is hidden.
type xlsxSheet struct {
	name, path string
	hidden     bool
}

// xlsxSheets lists the workbook's sheets in order, from its
// workbook.xml and the relationships that point to the sheets' parts.
func xlsxSheets(parts map[string]*zip.File) ([]xlsxSheet, error) {
	wbPath := "xl/workbook.xml"
	if rels, err := xlsxReadRels(parts, "_rels/.rels"); err == nil {
		for _, rel := range rels {
			if strings.HasSuffix(rel.Type, "/officeDocument") {
				wbPath = xlsxPartPath("", rel.Target)
				break
			}
		}
	}
	var wb struct {
		Sheets []struct {
			Name  string `xml:"name,attr"`
			State string `xml:"state,attr"`
			ID    string `xml:"id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xlsxDecodePart(parts, wbPath, &wb); err != nil {
		return nil, err
	}
	dir := path.Dir(wbPath)
	rels, err := xlsxReadRels(parts, path.Join(dir, "_rels", path.Base(wbPath)+".rels"))
	if err != nil {
		return nil, err
	}
	var sheets []xlsxSheet
	for _, s := range wb.Sheets {
		info := xlsxSheet{name: s.Name, hidden: s.State == "hidden" || s.State == "veryHidden"}
		for _, rel := range rels {
			if rel.ID == s.ID && strings.HasSuffix(rel.Type, "/worksheet") {
				info.path = xlsxPartPath(dir, rel.Target)
			}
		}
		if _, ok := parts[info.path]; !ok {
			info.path = "" // a chart sheet, or a sheet without its part
		}
		sheets = append(sheets, info)
	}
	return sheets, nil
}

type xlsxRel struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

func xlsxReadRels(parts map[string]*zip.File, name string) ([]xlsxRel, error) {
	var rels struct {
		Rel []xlsxRel `xml:"Relationship"`
	}
	err := xlsxDecodePart(parts, name, &rels)
	return rels.Rel, err
}

// xlsxPartPath resolves a xlsxRel target against the directory of the
// part it comes from.
func xlsxPartPath(dir, target string) string {
	target = strings.ReplaceAll(target, `\`, "/")
	if strings.HasPrefix(target, "/") {
		return strings.ToLower(path.Clean(target[1:]))
	}
	return strings.ToLower(path.Join(dir, target))
}

// xlsxDecodePart unmarshals a small XML part of the package.
func xlsxDecodePart(parts map[string]*zip.File, name string, v any) error {
	zf, ok := parts[strings.ToLower(name)]
	if !ok {
		return fmt.Errorf("no part %s", name)
	}
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xlsxXMLDecoder(rc).Decode(v)
}

func xlsxXMLDecoder(r io.Reader) *xml.Decoder {
	d := xml.NewDecoder(r)
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		enc, err := htmlindex.Get(label)
		if err != nil {
			return nil, err
		}
		return enc.NewDecoder().Reader(in), nil
	}
	return d
}

// xlsxChooseSheet picks the sheet to read, by name or as the only one with data.
func xlsxChooseSheet(sheets []xlsxSheet, parts map[string]*zip.File, want string) (xlsxSheet, error) {
	names := make([]string, len(sheets))
	for i, s := range sheets {
		names[i] = s.name
	}
	if want != "" {
		found := -1
		for i, s := range sheets {
			if s.name == want {
				found = i
				break
			}
			if found < 0 && strings.EqualFold(s.name, strings.TrimSpace(want)) {
				found = i
			}
		}
		if found < 0 {
			return xlsxSheet{}, problemf(0, "", want,
				fmt.Sprintf("there is no sheet %q; the sheets are: %s", want, strings.Join(names, ", ")),
				fmt.Sprintf("没有名为“%s”的工作表，现有工作表：%s", want, strings.Join(names, "、")))
		}
		s := sheets[found]
		if s.path == "" {
			return xlsxSheet{}, problemf(0, "", "",
				fmt.Sprintf("sheet %q is empty", s.name),
				fmt.Sprintf("工作表“%s”为空", s.name))
		}
		return s, nil
	}
	var visible, hidden []xlsxSheet
	for _, s := range sheets {
		if s.path == "" {
			continue
		}
		ok, err := xlsxSheetHasData(parts[s.path])
		if err != nil {
			return xlsxSheet{}, workbookDamaged(0, err)
		}
		switch {
		case !ok:
		case s.hidden:
			hidden = append(hidden, s)
		default:
			visible = append(visible, s)
		}
	}
	withData := visible
	if len(withData) == 0 {
		withData = hidden
	}
	switch len(withData) {
	case 0:
		return xlsxSheet{}, problemf(0, "", "", "the workbook has no data", "工作簿中没有数据")
	case 1:
		return withData[0], nil
	}
	list := make([]string, len(withData))
	for i, s := range withData {
		list[i] = s.name
	}
	return xlsxSheet{}, problemf(0, "", "",
		"the workbook has several sheets ("+strings.Join(list, ", ")+"): choose one with --sheet",
		"工作簿有多个工作表（"+strings.Join(list, "、")+"），请用 --sheet 指定")
}

// xlsxSheetHasData reports whether a sheet has a cell with a value or formula.
func xlsxSheetHasData(zf *zip.File) (bool, error) {
	s, err := newXLSXScanner(zf)
	if err != nil {
		return false, err
	}
	defer s.Close()
	for {
		rc, err := s.next()
		if rc == nil || err != nil {
			return false, err
		}
		for _, c := range rc.cells {
			if c.hasF || c.t == "s" || c.t == "inlineStr" || strings.TrimSpace(c.v) != "" {
				return true, nil
			}
		}
	}
}

// xlsxMerges returns the merged ranges of a sheet ("A1:C1"). They follow
// the cells in the sheet's XML, so it skims the bytes for the mergeCells
// element rather than parse all the cells, then parses from there.
func xlsxMerges(zf *zip.File) ([]string, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	const keep = 64 // bytes kept from the previous chunk: tag, prefix, name
	pat := []byte("mergeCells")
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		n, rerr := io.ReadFull(rc, buf[carry:])
		data := buf[:carry+n]
		for off := 0; ; {
			i := bytes.Index(data[off:], pat)
			if i < 0 {
				break
			}
			i += off
			off = i + 1
			end := i + len(pat)
			if end >= len(data) || !bytes.ContainsRune([]byte(" \t\r\n/>"), rune(data[end])) {
				continue
			}
			if start := xmlTagStart(data, i); start >= 0 {
				rest := bytes.Clone(data[start:])
				return xlsxDecodeMerges(io.MultiReader(bytes.NewReader(rest), rc))
			}
		}
		switch rerr {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			return nil, nil
		default:
			return nil, rerr
		}
		carry = copy(buf, data[len(data)-keep:])
	}
}

// xmlTagStart returns where the start tag whose local name begins at i
// begins: at "<" right before it, or before a namespace prefix; -1 if the
// name is not that of a start tag.
func xmlTagStart(data []byte, i int) int {
	j := i - 1
	if j < 0 {
		return -1
	}
	if data[j] == '<' {
		return j
	}
	if data[j] != ':' {
		return -1
	}
	for k := j - 1; k >= 0 && k >= j-32; k-- {
		switch c := data[k]; {
		case c == '<':
			if k == j-1 {
				return -1
			}
			return k
		case c == '_' || c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		default:
			return -1
		}
	}
	return -1
}

// xlsxDecodeMerges reads the ref attributes of mergeCell elements up to the end
// of mergeCells.
func xlsxDecodeMerges(r io.Reader) ([]string, error) {
	d := xlsxXMLDecoder(r)
	var refs []string
	for {
		tok, err := d.RawToken()
		if err != nil {
			return refs, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "mergeCell" {
				refs = append(refs, xmlAttr(t, "ref"))
			}
		case xml.EndElement:
			if t.Name.Local == "mergeCells" {
				return refs, nil
			}
		}
	}
}

func xmlAttr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// xlsxRow is a row of the sheet's XML: its number and cells, and
// excelize's raw values for it.
type xlsxRow struct {
	row     int
	cells   []xlsxCell
	strings []string
}

// xlsxCell is what the sheet's XML says of a cell: column (from 1), type,
// style, whether it has a formula and a value, the value (for types other
// than shared and inline strings) and the formula.
type xlsxCell struct {
	col        int
	t          string
	s          int
	hasF, hasV bool
	v, f       string
}

// xlsxScanner reads a worksheet's XML part a row at a time.
type xlsxScanner struct {
	rc     io.ReadCloser
	d      *xml.Decoder
	inData bool
	done   bool
	last   int // number of the last row read
}

func newXLSXScanner(zf *zip.File) (*xlsxScanner, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	return &xlsxScanner{rc: rc, d: xlsxXMLDecoder(rc)}, nil
}

// Close closes the part.
func (s *xlsxScanner) Close() error {
	return s.rc.Close()
}

// next returns the next row element of sheetData, or nil after the last.
func (s *xlsxScanner) next() (*xlsxRow, error) {
	for !s.done {
		tok, err := s.d.RawToken()
		if err == io.EOF && !s.inData {
			s.done = true // no sheetData at all
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Local == "sheetData":
				s.inData = true
			case t.Name.Local == "row" && s.inData:
				return s.readRow(t)
			}
		case xml.EndElement:
			if t.Name.Local == "sheetData" {
				s.done = true
			}
		}
	}
	return nil, nil
}

func (s *xlsxScanner) readRow(start xml.StartElement) (*xlsxRow, error) {
	row := s.last + 1
	if r := xmlAttr(start, "r"); r != "" {
		n, err := strconv.Atoi(r)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad row number %q", r)
		}
		row = n
	}
	if row <= s.last || row > xlsxMaxRows {
		return nil, fmt.Errorf("row %d out of order", row)
	}
	s.last = row
	rc := &xlsxRow{row: row}
	col := 0
	for {
		tok, err := s.d.RawToken()
		if err != nil {
			return nil, xmlUnexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "c" {
				if err := s.skip(); err != nil {
					return nil, err
				}
				continue
			}
			c, err := s.readCell(t, col)
			if err != nil {
				return nil, err
			}
			col = c.col
			rc.cells = append(rc.cells, c)
		case xml.EndElement:
			if t.Name.Local == "row" {
				return rc, nil
			}
		}
	}
}

func (s *xlsxScanner) readCell(start xml.StartElement, prev int) (xlsxCell, error) {
	c := xlsxCell{col: prev + 1, t: xmlAttr(start, "t")}
	if ref := xmlAttr(start, "r"); ref != "" {
		col, _, err := excelize.CellNameToCoordinates(ref)
		if err != nil {
			return c, fmt.Errorf("bad cell reference %q", ref)
		}
		c.col = col
	}
	if c.col <= prev || c.col > xlsxMaxCols {
		return c, fmt.Errorf("cell %d out of order", c.col)
	}
	if st := xmlAttr(start, "s"); st != "" {
		c.s, _ = strconv.Atoi(st)
	}
	for {
		tok, err := s.d.RawToken()
		if err != nil {
			return c, xmlUnexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "v":
				c.hasV = true
				c.v, err = s.text()
			case "f":
				c.hasF = true
				c.f, err = s.text()
			case "is":
				c.hasV = true
				err = s.skip()
			default:
				err = s.skip()
			}
			if err != nil {
				return c, err
			}
		case xml.EndElement:
			if t.Name.Local == "c" {
				return c, nil
			}
		}
	}
}

// text reads the character data of the element just started, up to its end.
func (s *xlsxScanner) text() (string, error) {
	var b []byte
	depth := 0
	for {
		tok, err := s.d.RawToken()
		if err != nil {
			return "", xmlUnexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(b)+len(t) > maxCellBytes {
				return "", errors.New("cell value too long")
			}
			b = append(b, t...)
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return string(b), nil
			}
			depth--
		}
	}
}

// skip skips the rest of the element just started.
func (s *xlsxScanner) skip() error {
	depth := 0
	for {
		tok, err := s.d.RawToken()
		if err != nil {
			return xmlUnexpectedEOF(err)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return nil
			}
			depth--
		}
	}
}

func xmlUnexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
