package importers

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// maxPeek is how far the reader looks for the first line break to tell the
// two forms apart; maxLine bounds one line (one feature: a detailed county
// boundary can take tens of MiB) of newline-delimited GeoJSON.
const (
	maxPeek = 4 << 20
	maxLine = 64 << 20
)

// GeoJSONReader reads a GeoJSON FeatureCollection, streaming its features,
// or newline-delimited GeoJSON (one Feature per line, RFC 8142 record
// separators allowed). Records are numbered from 1 by feature.
type GeoJSONReader struct {
	lines *bufio.Reader // newline-delimited
	dec   *json.Decoder // FeatureCollection
	n     int
	done  bool
	srid  int // from a legacy "crs" member, 0 when none
}

// NewGeoJSONReader starts reading r.
func NewGeoJSONReader(r io.Reader) (*GeoJSONReader, error) {
	br := bufio.NewReaderSize(r, maxPeek)
	g := &GeoJSONReader{}
	first, err := peekLine(br)
	if err != nil {
		return nil, err
	}
	t := bytes.TrimSpace(bytes.TrimLeft(first, "\x1e"))
	if len(t) == 0 {
		return nil, problemf(0, "", "", "the file is empty", "文件为空")
	}
	var probe struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(t, &probe) == nil && probe.Type == "Feature" {
		g.lines = br
		return g, nil
	}
	g.dec = json.NewDecoder(br)
	if err := g.openCollection(); err != nil {
		return nil, err
	}
	return g, nil
}

// peekLine returns the first line without consuming it, or the first
// maxLine bytes when there is no line break that early.
func peekLine(br *bufio.Reader) ([]byte, error) {
	b, err := br.Peek(maxPeek)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i], nil
	}
	return b, nil
}

// newGeoJSONSeqReader reads newline-delimited features, as ogr2ogr
// writes them, without looking at the first line.
func newGeoJSONSeqReader(r io.Reader) *GeoJSONReader {
	return &GeoJSONReader{lines: bufio.NewReaderSize(r, 64<<10)}
}

// SRID is the EPSG code named by a legacy "crs" member seen so far, or 0.
func (g *GeoJSONReader) SRID() int { return g.srid }

// shortPosition finds a point position with fewer than two numbers.
var shortPosition = regexp.MustCompile(`"coordinates"\s*:\s*\[\s*[-+0-9.eE]*\s*\]`)

var epsgName = regexp.MustCompile(`(?i)EPSG:{1,2}(?:[0-9.]*:)?([0-9]+)$`)

// openCollection reads up to the features array.
func (g *GeoJSONReader) openCollection() error {
	syntax := func(err error) error {
		return problemf(0, "", "", "not valid GeoJSON: "+err.Error(), "不是有效的 GeoJSON："+err.Error())
	}
	tok, err := g.dec.Token()
	if err != nil {
		return syntax(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return problemf(0, "", "", "not a GeoJSON object", "不是 GeoJSON 对象")
	}
	for g.dec.More() {
		tok, err := g.dec.Token()
		if err != nil {
			return syntax(err)
		}
		key, _ := tok.(string)
		switch key {
		case "features":
			tok, err := g.dec.Token()
			if err != nil {
				return syntax(err)
			}
			if d, ok := tok.(json.Delim); !ok || d != '[' {
				return problemf(0, "features", "", "features is not an array", "features 不是数组")
			}
			return nil
		case "type":
			var t string
			if err := g.dec.Decode(&t); err != nil {
				return syntax(err)
			}
			if t != "FeatureCollection" {
				return problemf(0, "type", t, "want a FeatureCollection (or one Feature per line)", "应为 FeatureCollection（或每行一个 Feature）")
			}
		case "crs":
			var c struct {
				Properties struct {
					Name string `json:"name"`
				} `json:"properties"`
			}
			if err := g.dec.Decode(&c); err != nil {
				return syntax(err)
			}
			if m := epsgName.FindStringSubmatch(c.Properties.Name); m != nil {
				g.srid, _ = strconv.Atoi(m[1])
			}
		default:
			var skip json.RawMessage
			if err := g.dec.Decode(&skip); err != nil {
				return syntax(err)
			}
		}
	}
	g.done = true // a collection without features
	return nil
}

// Next returns the next feature as a record.
func (g *GeoJSONReader) Next() (Record, error) {
	if g.done {
		return Record{}, io.EOF
	}
	var raw []byte
	if g.lines != nil {
		for {
			line, err := readLine(g.lines)
			if err == io.EOF && len(line) == 0 {
				g.done = true
				return Record{}, io.EOF
			}
			if err != nil && err != io.EOF {
				return Record{}, err
			}
			line = bytes.TrimSpace(bytes.Trim(line, "\x1e"))
			if len(line) > 0 {
				raw = line
				break
			}
			if err == io.EOF {
				g.done = true
				return Record{}, io.EOF
			}
		}
	} else {
		if !g.dec.More() {
			g.done = true
			return Record{}, io.EOF
		}
		var m json.RawMessage
		if err := g.dec.Decode(&m); err != nil {
			// The decoder cannot go on after a syntax error: the rest
			// of the file is lost, so the file as a whole is at fault.
			g.done = true
			return Record{}, problemf(0, "", "", fmt.Sprintf("not valid GeoJSON after feature %d (truncated or damaged?): %v", g.n, err),
				fmt.Sprintf("第 %d 个要素之后不是有效的 GeoJSON（文件被截断或损坏？）：%v", g.n, err))
		}
		raw = m
	}
	g.n++
	f, err := geojson.UnmarshalFeature(raw)
	if err != nil {
		return Record{Row: g.n}, problemf(g.n, "", clip(string(raw), 80), "not a GeoJSON Feature: "+err.Error(), "不是有效的 GeoJSON 要素："+err.Error())
	}
	if _, ok := f.Geometry.(orb.Point); ok && shortPosition.Match(raw) {
		// orb reads [119.9] as 119.9, 0.
		return Record{Row: g.n}, problemf(g.n, "", clip(string(raw), 80), "not a GeoJSON Feature: a position needs a longitude and a latitude", "不是有效的 GeoJSON 要素：坐标需要经度和纬度两个数")
	}
	rec := Record{Row: g.n}
	if f.Geometry != nil {
		rec.Geometry = f.Geometry
	}
	keys := make([]string, 0, len(f.Properties)+1)
	for k := range f.Properties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rec.Names = append(rec.Names, k)
		rec.Values = append(rec.Values, propertyText(f.Properties[k]))
	}
	if _, has := f.Properties["id"]; !has && f.ID != nil {
		rec.Names = append(rec.Names, "id")
		rec.Values = append(rec.Values, propertyText(f.ID))
	}
	return rec, nil
}

// readLine reads one line of at most maxLine bytes.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxLine {
			return nil, problemf(0, "", "", fmt.Sprintf("a line is longer than %d MiB", maxLine>>20), fmt.Sprintf("有一行超过 %d MiB", maxLine>>20))
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return line, err
	}
}

// propertyText turns a property value into the text a table would hold.
func propertyText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return v.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}
