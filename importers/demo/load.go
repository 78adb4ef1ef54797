package demo

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"riskmap/geo"
)

const cityCode = "331100"

// county is one county-level division read from lishui_counties.geojson.
type county struct {
	code   string
	name   string // official name, e.g. 景宁畲族自治县
	short  string // e.g. 景宁
	pop    int64
	geom   orb.MultiPolygon
	bound  orb.Bound
	center orb.Point // AMap centre, the seat of government
}

// seat is a city or county seat from lishui_county_seats.geojson.
type seat struct {
	code  string
	name  string
	level string
	pt    orb.Point
}

// place is a GeoNames town or township seat.
type place struct {
	geonameID   string
	name        string // display name: name_zh, else a CJK alternate, else the GeoNames name
	nameZH      string // "" when GeoNames has no Chinese name
	featureCode string
	county      string
	pt          orb.Point
}

// base is the real data the generator starts from.
type base struct {
	city     county // 丽水市, the top of the tree
	counties []county
	seats    []seat
	places   []place
	river    orb.LineString
}

// countyShort is the short county name used in composed names.
var countyShort = map[string]string{
	"331102": "莲都", "331121": "青田", "331122": "缙云", "331123": "遂昌",
	"331124": "松阳", "331125": "云和", "331126": "庆元", "331127": "景宁",
	"331181": "龙泉",
}

func readFC(name string) (*geojson.FeatureCollection, error) {
	raw, err := dataFS.ReadFile("data/" + name)
	if err != nil {
		return nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return fc, nil
}

// propString returns the string property key, or "" when it is missing,
// null or not a string.
func propString(p geojson.Properties, key string) string {
	s, _ := p[key].(string)
	return s
}

// propFloat returns the numeric property key, or 0.
func propFloat(p geojson.Properties, key string) float64 {
	f, _ := p[key].(float64)
	return f
}

// propPoint reads a [lon, lat] array property.
func propPoint(p geojson.Properties, key string) (orb.Point, bool) {
	a, ok := p[key].([]any)
	if !ok || len(a) != 2 {
		return orb.Point{}, false
	}
	x, ok1 := a[0].(float64)
	y, ok2 := a[1].(float64)
	return orb.Point{x, y}, ok1 && ok2
}

func loadBase() (*base, error) {
	b := &base{}

	fc, err := readFC("lishui_counties.geojson")
	if err != nil {
		return nil, err
	}
	for _, f := range fc.Features {
		c := county{
			code: propString(f.Properties, "adcode"),
			name: propString(f.Properties, "name"),
			pop:  int64(propFloat(f.Properties, "pop_2020_census")),
		}
		c.short = countyShort[c.code]
		switch g := f.Geometry.(type) {
		case orb.MultiPolygon:
			c.geom = g
		case orb.Polygon:
			c.geom = orb.MultiPolygon{g}
		default:
			return nil, fmt.Errorf("county %s: geometry %T, want a (multi)polygon", c.code, f.Geometry)
		}
		c.bound = c.geom.Bound()
		var ok bool
		if c.center, ok = propPoint(f.Properties, "center"); !ok {
			return nil, fmt.Errorf("county %s: no center", c.code)
		}
		if c.code == "" || c.name == "" || c.short == "" || c.pop <= 0 {
			return nil, fmt.Errorf("county %q: incomplete properties", c.code)
		}
		b.counties = append(b.counties, c)
	}
	if len(b.counties) != 9 {
		return nil, fmt.Errorf("lishui_counties.geojson: %d counties, want 9", len(b.counties))
	}

	fc, err = readFC("lishui_city.geojson")
	if err != nil {
		return nil, err
	}
	if len(fc.Features) != 1 {
		return nil, fmt.Errorf("lishui_city.geojson: %d features, want 1", len(fc.Features))
	}
	f := fc.Features[0]
	switch g := f.Geometry.(type) {
	case orb.Polygon:
		b.city.geom = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		b.city.geom = g
	default:
		return nil, fmt.Errorf("city: geometry %T, want a (multi)polygon", f.Geometry)
	}
	b.city.code, b.city.name, b.city.pop = propString(f.Properties, "adcode"), propString(f.Properties, "name"), int64(propFloat(f.Properties, "pop_2020_census"))
	b.city.center, _ = propPoint(f.Properties, "center")
	if b.city.code != cityCode || b.city.name == "" || b.city.pop <= 0 {
		return nil, fmt.Errorf("lishui_city.geojson: incomplete properties")
	}

	fc, err = readFC("lishui_county_seats.geojson")
	if err != nil {
		return nil, err
	}
	for _, f := range fc.Features {
		pt, ok := f.Geometry.(orb.Point)
		if !ok {
			return nil, fmt.Errorf("seat: geometry %T, want a point", f.Geometry)
		}
		b.seats = append(b.seats, seat{
			code:  propString(f.Properties, "adcode"),
			name:  propString(f.Properties, "name"),
			level: propString(f.Properties, "level"),
			pt:    pt,
		})
	}
	if len(b.seats) != 10 {
		return nil, fmt.Errorf("lishui_county_seats.geojson: %d seats, want 10", len(b.seats))
	}

	fc, err = readFC("lishui_places_geonames.geojson")
	if err != nil {
		return nil, err
	}
	for _, f := range fc.Features {
		pt, ok := f.Geometry.(orb.Point)
		if !ok {
			return nil, fmt.Errorf("place: geometry %T, want a point", f.Geometry)
		}
		p := place{
			geonameID:   fmt.Sprint(f.ID),
			nameZH:      propString(f.Properties, "name_zh"),
			featureCode: propString(f.Properties, "feature_code"),
			county:      propString(f.Properties, "county_adcode"),
			pt:          pt,
		}
		p.name = p.nameZH
		if p.name == "" {
			if alts, ok := f.Properties["alt_names_zh"].([]any); ok && len(alts) > 0 {
				p.name, _ = alts[0].(string)
			}
		}
		if p.name == "" {
			p.name = propString(f.Properties, "name")
		}
		b.places = append(b.places, p)
	}

	fc, err = readFC("ou_river_ne10m.geojson")
	if err != nil {
		return nil, err
	}
	if len(fc.Features) != 1 {
		return nil, fmt.Errorf("ou_river_ne10m.geojson: %d features, want 1", len(fc.Features))
	}
	switch g := fc.Features[0].Geometry.(type) {
	case orb.LineString:
		b.river = g
	default:
		return nil, fmt.Errorf("river: geometry %T, want a line string", g)
	}
	return b, nil
}

// countyAt returns the index of the county containing p, or -1.
func (b *base) countyAt(p orb.Point) int {
	for i := range b.counties {
		c := &b.counties[i]
		if c.bound.Contains(p) && planar.MultiPolygonContains(c.geom, p) {
			return i
		}
	}
	return -1
}

// countyIndex returns the index of the county with the adcode, or -1.
func (b *base) countyIndex(code string) int {
	for i := range b.counties {
		if b.counties[i].code == code {
			return i
		}
	}
	return -1
}

// divisions returns the city and its counties as geo.Divisions, the city
// first.
func (b *base) divisions() []geo.Division {
	cityPop := b.city.pop
	out := []geo.Division{{Code: b.city.code, Name: b.city.name, Level: geo.LevelCity, ParentCode: "330000", Population: &cityPop,
		Geometry: orb.Clone(b.city.geom).(orb.MultiPolygon), Label: b.city.center}}
	for _, c := range b.counties {
		pop := c.pop
		out = append(out, geo.Division{
			Code:       c.code,
			Name:       c.name,
			Level:      "county",
			ParentCode: cityCode,
			Population: &pop,
			Geometry:   orb.Clone(c.geom).(orb.MultiPolygon),
			Label:      c.center,
		})
	}
	return out
}

// shortTown strips the administrative suffix of a township name:
// 碧湖镇 → 碧湖, 水阁街道 → 水阁, 大地乡 → 大地.
func shortTown(name string) string {
	for _, suf := range []string{"街道", "畲族乡", "镇", "乡"} {
		if s, ok := strings.CutSuffix(name, suf); ok && s != "" {
			return s
		}
	}
	return name
}
