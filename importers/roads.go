package importers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"riskmap/geo"
	"riskmap/geo/crs"
)

// roadFields are the property names a road's fields go by (compared
// case-insensitively; the first present wins).
var roadFields = map[string][]string{
	"id":     {"id", "编号", "道路编号", "路段编号", "osm_id", "fid", "objectid"},
	"name":   {"name", "名称", "道路名称", "路名", "路线名称"},
	"class":  {"class", "道路等级", "等级", "公路等级", "技术等级", "行政等级", "highway", "fclass", "kind"},
	"oneway": {"oneway", "单行", "单向", "单行道", "one_way"},
	"speed":  {"speed", "maxspeed", "限速", "设计速度", "速度", "speed_kmh"},
}

// ParseOneWay reads a one-way flag as sources write it: yes/no, true/
// false, 1/0/-1 (against the line, as OSM), 是/否, 双向 (both ways),
// 正向/反向 (along/against), and the Geofabrik shapefiles' letters B
// (both ways), F (along the line, forward) and T (against it, toward
// the start). Empty is both ways.
func ParseOneWay(s string) (int, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "no", "false", "0", "n", "b", "否", "双向", "双行":
		return 0, nil
	case "yes", "true", "1", "y", "f", "是", "单行", "单向", "正向":
		return 1, nil
	case "-1", "t", "reverse", "反向", "逆向":
		return -1, nil
	}
	return 0, fmt.Errorf("%q is not a one-way flag (want yes/no, 1/0/-1, B/F/T, 是/否)", clip(s, 40))
}

// ParseSpeed reads a speed in km/h: a number, with km/h, kmh, kph or
// 公里/小时 after it, or mph (converted). Empty is 0: the class's.
func ParseSpeed(s string) (float64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return 0, nil
	}
	factor := 1.0
	for _, u := range []string{"km/h", "kmh", "kph", "公里/小时", "千米/小时", "公里每小时"} {
		t = strings.TrimSpace(strings.TrimSuffix(t, u))
	}
	if m, ok := strings.CutSuffix(t, "mph"); ok {
		t, factor = strings.TrimSpace(m), 1.609344
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v*factor > 200 {
		return 0, fmt.Errorf("%q is not a speed in km/h (0 to 200)", clip(s, 40))
	}
	return v * factor, nil
}

// ReadRoads reads road lines from GeoJSON files or, through GDAL,
// Shapefiles (.shp, a folder, a .zip), GeoPackage and KML, for the road
// network. opt.CRS, opt.Encoding and opt.Sheet (the GIS layer) are used
// as by Run. A MultiLineString is one road per part. A road without an
// id gets one from its file and feature number. It returns the roads and
// the problems (rows left out); an error ends the reading.
func ReadRoads(ctx context.Context, files []File, opt Options) ([]geo.Road, []*Problem, error) {
	var roads []geo.Road
	seen := map[string]string{} // id → where it was first
	probs, err := eachGISRecord(ctx, files, opt, "roads", "道路", func(f File, rec Record, system crs.System) []*Problem {
		rs, probs := roadsOf(rec, f.Name, system)
		for _, r := range rs {
			if first, dup := seen[r.SourceID]; dup {
				probs = append(probs, &Problem{Level: "error", Row: rec.Row, Column: "id", Value: r.SourceID,
					Reason: "this id is also " + first + "'s", ReasonZH: "编号与 " + first + " 重复"})
				continue
			}
			seen[r.SourceID] = fmt.Sprintf("%s row %d", f.Name, rec.Row)
			roads = append(roads, r)
		}
		return probs
	})
	if err != nil {
		return nil, nil, err
	}
	return roads, probs, nil
}

// eachGISRecord reads the features of GIS files (see openGIS) of what
// (whatZH in Chinese) and hands each to each, in the coordinate system
// opt.CRS names (zero: the files' own). The problems of rows that could
// not be read, and those each returns, are collected, with their file;
// an error ends the reading.
func eachGISRecord(ctx context.Context, files []File, opt Options, what, whatZH string, each func(File, Record, crs.System) []*Problem) ([]*Problem, error) {
	var system crs.System
	if opt.CRS != "" {
		s, err := crs.Parse(opt.CRS)
		if err != nil {
			return nil, fmt.Errorf("%w: --crs: %v", ErrOptions, err)
		}
		system = s
	}
	var probs []*Problem
	for _, f := range files {
		rd, err := openGIS(ctx, f, opt, system, what, whatZH)
		if err != nil {
			var p *Problem
			if errors.As(err, &p) {
				p.File = f.Name
			}
			return nil, err
		}
		for {
			rec, err := rd.Next()
			if err == io.EOF {
				break
			}
			var p *Problem
			if errors.As(err, &p) && p.Row > 0 {
				p.File = f.Name
				probs = append(probs, p)
				continue
			}
			if err != nil {
				closeReader(rd)
				if errors.As(err, &p) {
					p.File = f.Name
				}
				return nil, err
			}
			for _, p := range each(f, rec, system) {
				p.File = f.Name
				probs = append(probs, p)
			}
		}
		closeReader(rd)
	}
	return probs, nil
}

func closeReader(rd Reader) {
	if c, ok := rd.(io.Closer); ok {
		c.Close()
	}
}

// openGIS opens one GIS file of what (roads, zones; whatZH in Chinese).
func openGIS(ctx context.Context, f File, opt Options, system crs.System, what, whatZH string) (Reader, error) {
	ext := strings.ToLower(filepath.Ext(f.Name))
	if fi, err := os.Stat(f.Path); err == nil && fi.IsDir() {
		ext = ".shp"
	}
	switch ext {
	case ".geojson", ".json", ".geojsonl", ".geojsons", ".ndjson", ".jsonl":
		fh, err := os.Open(f.Path)
		if err != nil {
			return nil, err
		}
		rd, err := NewGeoJSONReader(fh)
		if err != nil {
			fh.Close()
			return nil, err
		}
		return closingReader{rd, fh}, nil
	case ".shp", ".zip", ".gpkg", ".kml", ".kmz":
		g := GDALOptions{Encoding: opt.Encoding, Layer: opt.Sheet}
		if system != (crs.System{}) {
			if system.Named() && system != crs.WGS84 && system != crs.CGCS2000 {
				g.Raw = true
			} else if srid, ok := system.SRID(); ok {
				g.SourceSRS = fmt.Sprintf("EPSG:%d", srid)
			}
		}
		return NewGDALReader(ctx, f.Path, g)
	}
	return nil, problemf(0, "", "", "unknown file type "+ext+" for "+what+": want .geojson, .shp/.zip, .gpkg or .kml",
		whatZH+"不支持的文件类型 "+ext+"：应为 .geojson、.shp/.zip、.gpkg 或 .kml")
}

// roadsOf turns one feature into roads (one per line of it).
func roadsOf(rec Record, file string, system crs.System) ([]geo.Road, []*Problem) {
	vals := map[string]string{}
	cols := map[string]string{}
	for field, names := range roadFields {
		for _, n := range names {
			for i, have := range rec.Names {
				if _, done := vals[field]; !done && strings.EqualFold(strings.TrimSpace(have), n) {
					vals[field], cols[field] = strings.TrimSpace(rec.Values[i]), have
				}
			}
		}
	}
	var lines []orb.LineString
	switch g := rec.Geometry.(type) {
	case orb.LineString:
		lines = []orb.LineString{g}
	case orb.MultiLineString:
		lines = g
	case nil:
		return nil, []*Problem{problemf(rec.Row, "", "", "no geometry: a road needs a line", "没有几何：道路需要线")}
	default:
		return nil, []*Problem{problemf(rec.Row, "", rec.Geometry.GeoJSONType(), "a road must be a LineString or MultiLineString", "道路须为线（LineString 或 MultiLineString）")}
	}
	base := geo.Road{Name: vals["name"]}
	var probs []*Problem
	class, ok := geo.ParseRoadClass(vals["class"])
	if !ok {
		return nil, []*Problem{problemf(rec.Row, cols["class"], vals["class"], "unknown road class (want e.g. 高速公路, 国道, 省道, 县道, 乡道, 村道, or motorway, trunk, primary …)",
			"无法识别的道路等级（应为 高速公路、国道、省道、县道、乡道、村道 等）")}
	}
	base.Class = class
	if base.OneWay, ok = oneWayOf(vals["oneway"]); !ok {
		return nil, []*Problem{problemf(rec.Row, cols["oneway"], vals["oneway"], "not a one-way flag (want yes/no, 1/0/-1, 是/否)", "不是单行标志（应为 是/否、1/0/-1）")}
	}
	speed, err := ParseSpeed(vals["speed"])
	if err != nil {
		return nil, []*Problem{problemf(rec.Row, cols["speed"], vals["speed"], "not a speed in km/h (0 to 200)", "不是以公里/小时计的速度（0 至 200）")}
	}
	base.SpeedKMH = speed
	id := vals["id"]
	if id == "" {
		id = fmt.Sprintf("%s#%d", file, rec.Row)
	}
	var out []geo.Road
	for k, l := range lines {
		r := base
		r.SourceID = id
		if len(lines) > 1 {
			r.SourceID = fmt.Sprintf("%s/%d", id, k+1)
		}
		r.Line = make(orb.LineString, len(l))
		for i, p := range l {
			if system.Named() && system != crs.WGS84 && system != crs.CGCS2000 {
				p = system.ToWGS84(p)
			}
			r.Line[i] = p
		}
		if err := r.Check(); err != nil {
			var pe *geo.ParamError
			reason := err.Error()
			if errors.As(err, &pe) {
				reason = pe.Reason
			}
			probs = append(probs, problemf(rec.Row, "geometry", "", "not a road: "+reason, "不是有效的道路："+reason))
			continue
		}
		out = append(out, r)
	}
	return out, probs
}

func oneWayOf(s string) (int, bool) {
	v, err := ParseOneWay(s)
	return v, err == nil
}
