package importers

import (
	"context"
	"errors"
	"strings"

	"github.com/paulmach/orb"

	"riskmap/geo"
	"riskmap/geo/crs"
)

// zoneFields are the property names a zone's fields go by (compared
// case-insensitively; the first present wins).
var zoneFields = map[string][]string{
	"name":        {"name", "名称", "区划名称", "风险区名称", "区域名称"},
	"hazard_type": {"hazard_type", "灾害类型", "灾种", "hazard"},
	"zone_kind":   {"zone_kind", "区划类别", "区划类型", "类别", "kind"},
	"grade":       {"grade", "风险等级", "等级", "level"},
	"description": {"description", "说明", "描述", "备注"},
	"season_from": {"season_from", "季节起", "有效季节起"},
	"season_to":   {"season_to", "季节止", "有效季节止"},
	"valid_from":  {"valid_from", "有效期起", "生效日期"},
	"valid_to":    {"valid_to", "有效期止", "失效日期"},
	"source":      {"source", "来源", "数据来源"},
}

// hazardNames are the Chinese names of the hazard types.
var hazardNames = map[string]string{
	"洪涝": "flood", "山洪": "flood", "洪水": "flood", "洪涝/山洪": "flood", "内涝": "waterlogging", "城市内涝": "waterlogging",
	"滑坡": "landslide", "泥石流": "debris_flow", "崩塌": "collapse", "地面塌陷": "ground_subsidence",
	"其他地质灾害": "geological_other", "地质灾害": "geological_other", "森林火灾": "forest_fire", "森林火险": "forest_fire",
	"台风": "typhoon", "危险化学品": "chemical", "危化品": "chemical", "地震": "earthquake", "其他": "other",
}

// kindNames are the Chinese names of the zone kinds.
var kindNames = map[string]string{
	"风险区划": "risk_zone", "风险区": "risk_zone", "综合防治区划": "prevention_zone", "防治区划": "prevention_zone",
	"危险区": "danger_area", "转移区": "evacuation_area", "防护距离": "protection_distance",
}

// ZoneRow is a zone read from a file, and where.
type ZoneRow struct {
	File    string
	Row     int
	Feature geo.ZoneFeature
}

// ReadZones reads hazard zones (polygons) from GeoJSON files or, through
// GDAL, Shapefiles (.shp, a folder, a .zip), GeoPackage and KML. opt.CRS,
// opt.Encoding and opt.Sheet (the GIS layer) are used as by Run. Fields go
// by Chinese or English names; hazard types and kinds by code or Chinese
// name, grades as ParseGrade reads them; the source defaults to "import".
// The geometry is checked by the store. It returns the zones and the
// problems (rows left out); an error ends the reading.
func ReadZones(ctx context.Context, files []File, opt Options) ([]ZoneRow, []*Problem, error) {
	var out []ZoneRow
	probs, err := eachGISRecord(ctx, files, opt, "zones", "区划", func(f File, rec Record, system crs.System) []*Problem {
		z, p := zoneOf(rec, system)
		if p != nil {
			return []*Problem{p}
		}
		out = append(out, ZoneRow{File: f.Name, Row: rec.Row, Feature: z})
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, probs, nil
}

// zoneOf turns one feature into a zone.
func zoneOf(rec Record, system crs.System) (geo.ZoneFeature, *Problem) {
	vals := map[string]string{}
	cols := map[string]string{}
	for field, names := range zoneFields {
		for _, n := range names {
			for i, have := range rec.Names {
				if _, done := vals[field]; !done && strings.EqualFold(strings.TrimSpace(have), n) {
					vals[field], cols[field] = strings.TrimSpace(rec.Values[i]), have
				}
			}
		}
	}
	var g orb.Geometry
	switch t := rec.Geometry.(type) {
	case orb.Polygon, orb.MultiPolygon:
		g = t
	case nil:
		return geo.ZoneFeature{}, problemf(rec.Row, "", "", "no geometry: a zone needs a polygon", "没有几何：区划需要面")
	default:
		return geo.ZoneFeature{}, problemf(rec.Row, "", rec.Geometry.GeoJSONType(), "a zone must be a Polygon or MultiPolygon", "区划须为面（Polygon 或 MultiPolygon）")
	}
	if system.Named() && system != crs.WGS84 && system != crs.CGCS2000 {
		g = toWGS84(g, system)
	}
	name := func(m map[string]string, v string) string {
		if code, ok := m[v]; ok {
			return code
		}
		return strings.ToLower(v)
	}
	f := geo.ZoneFields{Name: vals["name"], HazardType: name(hazardNames, vals["hazard_type"]), Kind: name(kindNames, vals["zone_kind"]),
		Grade: vals["grade"], Description: vals["description"], SeasonFrom: vals["season_from"], SeasonTo: vals["season_to"],
		ValidFrom: vals["valid_from"], ValidTo: vals["valid_to"], Source: vals["source"]}
	if f.Kind == "" {
		f.Kind = "risk_zone"
	}
	if f.Source == "" {
		f.Source = "import"
	}
	if err := f.Check(); err != nil {
		var pe *geo.ParamError
		if errors.As(err, &pe) {
			field := strings.TrimPrefix(pe.Param, "properties.")
			col := cols[field]
			if col == "" {
				col = field
			}
			return geo.ZoneFeature{}, problemf(rec.Row, col, vals[field], pe.Reason, "区划字段有误："+pe.Reason)
		}
		return geo.ZoneFeature{}, problemf(rec.Row, "", "", err.Error(), err.Error())
	}
	return geo.ZoneFeature{Fields: f, Geometry: g}, nil
}

// toWGS84 converts a polygon geometry's positions from system.
func toWGS84(g orb.Geometry, system crs.System) orb.Geometry {
	conv := func(p orb.Polygon) orb.Polygon {
		out := make(orb.Polygon, len(p))
		for i, r := range p {
			out[i] = make(orb.Ring, len(r))
			for j, pt := range r {
				out[i][j] = system.ToWGS84(pt)
			}
		}
		return out
	}
	switch t := g.(type) {
	case orb.Polygon:
		return conv(t)
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(t))
		for i, p := range t {
			out[i] = conv(p)
		}
		return out
	}
	return g
}
