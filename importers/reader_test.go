package importers

import (
	"errors"
	"io"
	"testing"
)

// checkStream reads r to its end and fails t when the stream breaks the
// Reader contract: an error that is not a *Problem, anything after a
// whole-file problem, a record whose values do not match the header, rows
// that do not increase, more than maxRecords records (a loop), or a value
// badValue rejects.
func checkStream(t *testing.T, r Reader, header []string, maxRecords int, badValue func(string) bool) {
	t.Helper()
	last := 0
	for i := 0; ; i++ {
		if i > maxRecords {
			t.Fatal("the reader does not end")
		}
		rec, err := r.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatalf("Next: %v (%T) is not a *Problem", err, err)
			}
			if p.Row == 0 {
				if _, err := r.Next(); err != io.EOF {
					t.Fatalf("Next after a fatal problem: %v", err)
				}
				return
			}
			continue
		}
		if len(rec.Values) != len(rec.Names) || len(rec.Names) != len(header) {
			t.Fatalf("row %d: %d values, %d names, header %d", rec.Row, len(rec.Values), len(rec.Names), len(header))
		}
		if rec.Row <= last {
			t.Fatalf("row %d after row %d", rec.Row, last)
		}
		last = rec.Row
		for _, v := range rec.Values {
			if badValue(v) {
				t.Fatalf("row %d: bad value %q", rec.Row, v)
			}
		}
	}
}
