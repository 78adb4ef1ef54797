package importers

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestGeoJSONReaderForms(t *testing.T) {
	feature := `{"type":"Feature","id":7,"properties":{"名称":"甲","n":3},"geometry":{"type":"Point","coordinates":[119.9,28.4]}}`
	tests := []struct {
		name     string
		in       string
		rows     int
		srid     int
		wantFile bool // a whole-file problem
	}{
		{"collection", `{"type":"FeatureCollection","features":[` + feature + `,` + feature + `]}`, 2, 0, false},
		{"collection with crs", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4549"}},"features":[` + feature + `]}`, 1, 4549, false},
		{"one per line", feature + "\n" + feature + "\n\n", 2, 0, false},
		{"record separators", "\x1e" + feature + "\n\x1e" + feature + "\n", 2, 0, false},
		{"empty collection", `{"type":"FeatureCollection","features":[]}`, 0, 0, false},
		{"truncated", `{"type":"FeatureCollection","features":[` + feature + `,{"type":"Feat`, 1, 0, true},
		{"not a collection", `{"type":"Topology"}`, 0, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := NewGeoJSONReader(bytes.NewReader([]byte(tc.in)))
			rows, fileProblem := 0, false
			if err != nil {
				fileProblem = true
			}
			for err == nil {
				var rec Record
				rec, err = g.Next()
				if err == nil {
					rows++
					if len(rec.Names) != len(rec.Values) || rec.Geometry == nil {
						t.Errorf("record %+v", rec)
					}
				}
				var p *Problem
				if errors.As(err, &p) && p.Row == 0 {
					fileProblem = true
				}
				if rows > 10 {
					t.Fatal("reader does not stop")
				}
			}
			if err != nil && !fileProblem && err != io.EOF {
				t.Errorf("error %v", err)
			}
			if rows != tc.rows || fileProblem != tc.wantFile {
				t.Errorf("rows %d, file problem %v; want %d, %v", rows, fileProblem, tc.rows, tc.wantFile)
			}
			if g != nil && g.SRID() != tc.srid {
				t.Errorf("srid %d, want %d", g.SRID(), tc.srid)
			}
		})
	}
}

func FuzzGeoJSONReader(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":1},"geometry":{"type":"Point","coordinates":[1,2]}}]}`))
	f.Add([]byte(`{"type":"Feature","properties":null,"geometry":null}` + "\n"))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feat`))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := NewGeoJSONReader(bytes.NewReader(b))
		if err != nil {
			return
		}
		for i := 0; ; i++ {
			rec, err := g.Next()
			if err == io.EOF {
				return
			}
			if i > len(b)+1 {
				t.Fatalf("more records than bytes: the reader loops")
			}
			var p *Problem
			if err != nil && !errors.As(err, &p) {
				t.Fatalf("error %v is not a Problem", err)
			}
			if err != nil && p.Row == 0 {
				return
			}
			if err == nil && len(rec.Names) != len(rec.Values) {
				t.Fatalf("names %v values %v", rec.Names, rec.Values)
			}
		}
	})
}
