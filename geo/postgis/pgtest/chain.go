package pgtest

import (
	"fmt"

	"github.com/paulmach/orb"

	"riskmap/geo"
	"riskmap/geo/postgis"
)

// The divisions of Chain: one province with two cities, the first with
// two counties (A has a township), the second with one county. The codes
// are real GB/T 2260 codes for Zhejiang, Lishui, Liandu and Jinyun, a
// made-up 9-digit code for the township, and 339900/339901 for the
// second city, which GB/T 2260 does not use; the boundaries are
// rectangles made for the tests, not the real ones.
const (
	Province  = "330000"
	CityA     = "331100"
	CountyA   = "331102"
	TownshipA = "331102001"
	CountyB   = "331122"
	CityC     = "339900"
	CountyC   = "339901"
)

// Places are points inside each division of Chain (A1 in township A,
// A2 in county A outside it).
var Places = map[string]orb.Point{
	TownshipA: {119.1, 28.2},
	CountyA:   {119.4, 28.2},
	CountyB:   {119.7, 28.2},
	CountyC:   {121.2, 28.2},
}

func rect(x0, y0, x1, y1 float64) orb.Polygon {
	return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
}

// Chain is a dataset of the divisions above, with an enterprise, a
// bridge, a rescue resource and a shelter in each of township A, county
// A (outside the township), county B and county C; source "chain".
func Chain() postgis.Dataset {
	cityA, cityC := rect(119.0, 28.0, 120.0, 28.5), rect(121.0, 28.0, 121.5, 28.5)
	ds := postgis.Dataset{Source: "chain", Divisions: []geo.Division{
		{Code: Province, Name: "浙江省", Level: geo.LevelProvince, Geometry: orb.MultiPolygon{cityA, cityC}},
		{Code: CityA, Name: "丽水市", Level: geo.LevelCity, ParentCode: Province, Geometry: orb.MultiPolygon{cityA}},
		{Code: CountyA, Name: "莲都区", Level: geo.LevelCounty, ParentCode: CityA, Geometry: orb.MultiPolygon{rect(119.0, 28.0, 119.5, 28.5)}},
		{Code: TownshipA, Name: "紫金街道", Level: geo.LevelTownship, ParentCode: CountyA, Geometry: orb.MultiPolygon{rect(119.0, 28.0, 119.25, 28.5)}},
		{Code: CountyB, Name: "缙云县", Level: geo.LevelCounty, ParentCode: CityA, Geometry: orb.MultiPolygon{rect(119.5, 28.0, 120.0, 28.5)}},
		{Code: CityC, Name: "测试市", Level: geo.LevelCity, ParentCode: Province, Geometry: orb.MultiPolygon{cityC}},
		{Code: CountyC, Name: "测试县", Level: geo.LevelCounty, ParentCode: CityC, Geometry: orb.MultiPolygon{cityC}},
	}}
	for _, code := range []string{TownshipA, CountyA, CountyB, CountyC} {
		p := Places[code]
		for i, c := range []geo.Category{geo.Enterprises, geo.Bridges, geo.RescueResources, geo.Shelters} {
			o := geo.Object{Category: c, Name: fmt.Sprintf("%s-%s", code, c), Point: orb.Point{p[0] + float64(i)*0.001, p[1]},
				County: geo.CountyOf(code), Division: code, Source: "chain", SourceID: code + "-" + string(c),
				Attributes: map[string]any{}}
			switch c {
			case geo.RescueResources:
				o.Attributes = map[string]any{"team_type": "消防救援", "status": "available", "headcount": 20}
			case geo.Shelters:
				o.Attributes = map[string]any{"capacity_persons": 300, "status": "ready"}
			}
			ds.Objects = append(ds.Objects, o)
		}
	}
	return ds
}
