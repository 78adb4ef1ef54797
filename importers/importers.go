// Package importers reads the files a city's departments send — CSV and
// Excel sheets with Chinese headers, GeoJSON, and through GDAL Shapefile,
// GeoPackage and KML — as a stream of records, and turns records into risk
// objects: it maps columns to fields, parses grades and coordinates, and
// reports every problem by file, row and column in Chinese and English.
//
// Readers never touch the database; the store loads what they produce.
package importers

import (
	"fmt"

	"github.com/paulmach/orb"
)

// Record is one row of a table or one feature of a GIS file.
type Record struct {
	// Row is the record's number as a clerk would find it: the line or
	// sheet row (the header is row 1, the first data row 2) of a table,
	// the 1-based feature number of a GIS file.
	Row int
	// Names and Values are the record's fields, in file order: the header
	// and the row's cells, or a feature's property names and values as
	// text. Tables share one Names slice between records.
	Names  []string
	Values []string
	// Geometry is a GIS feature's geometry (nil for tables), in the
	// source's CRS.
	Geometry orb.Geometry
}

// Reader yields records one at a time. Next returns io.EOF after the last
// record. A *Problem from Next concerns that record only (its Row says
// which) and reading can go on; any other error ends the file.
type Reader interface {
	Next() (Record, error)
}

// Problem is one thing wrong with the input, said for a clerk in English
// and Chinese. Row 0 means the file as a whole.
type Problem struct {
	Level    string `json:"level"` // "error" (the row is not imported) or "warning"
	File     string `json:"file"`
	Row      int    `json:"row"`
	Column   string `json:"column,omitempty"`
	Value    string `json:"value,omitempty"`
	Reason   string `json:"reason"`
	ReasonZH string `json:"reason_zh"`
}

// Error implements error.
func (p *Problem) Error() string {
	s := p.File
	if p.Row > 0 {
		s += fmt.Sprintf(" row %d", p.Row)
	}
	if p.Column != "" {
		s += fmt.Sprintf(" column %q", p.Column)
	}
	if p.Value != "" {
		s += fmt.Sprintf(" value %q", clip(p.Value, 60))
	}
	return s + ": " + p.Reason + " / " + p.ReasonZH
}

// warningf makes a warning: the record is imported, the report says why
// someone should look at it.
func warningf(row int, column, value, en, zh string) *Problem {
	p := problemf(row, column, value, en, zh)
	p.Level = "warning"
	return p
}

// problemf makes a Problem; en and zh are the reason in both languages.
func problemf(row int, column, value, en, zh string) *Problem {
	return &Problem{Level: "error", Row: row, Column: column, Value: value, Reason: en, ReasonZH: zh}
}

// clip shortens s to at most n runes for messages.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
