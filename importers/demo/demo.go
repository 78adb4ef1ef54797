// Package demo builds the Lishui (丽水市, Zhejiang) demo dataset: the 9
// county divisions, an offline basemap (瓯江, a synthetic road network
// between the seats, towns, seats and county labels) and 10,800 synthetic
// risk objects in the five categories, each graded by its category's method.
//
// The boundaries, seats, GeoNames places and the river are real published
// data, embedded from data/*.geojson (see data/README.md for sources and
// licences: the DataV/AMap boundaries are for internal demos and tests
// only). Everything else (roads, objects, names, attributes, grades) is
// made up.
//
// Generation is deterministic: it uses math/rand/v2 PCG generators with
// fixed seeds (one stream per category), never reads the clock, and never
// depends on map iteration order, so every call to Lishui returns exactly
// the same data (on a given architecture: floating-point results, rounded
// to 6 decimals for coordinates, could in principle differ across CPUs).
// Assessment dates fall between 2025-01-01 and 2026-10-31, China Standard
// Time (UTC+8, a fixed zone so that no tz database is needed).
package demo

import (
	"embed"
	"fmt"

	"riskmap/geo"
)

//go:embed data/*.geojson
var dataFS embed.FS

// Source is the Object.Source of every generated object.
const Source = "demo"

// Grading method codes written to Object.Method.
const (
	// MethodLEC is the LEC method (D = L×E×C) with four-colour preset A:
	// red D>320, orange 160<D≤320, yellow 70<D≤160, blue D≤70.
	MethodLEC = "lec_4c_A"
	// MethodBridge maps the JTG/T H21-2011 technical class to a colour:
	// 1–2类 blue, 3类 yellow, 4类 orange, 5类 red.
	MethodBridge = "bridge_class_4c"
	// MethodBlackSpot maps the black-spot class to a colour: 一类 red,
	// 二类 orange, 三类 yellow, 观察 (watch list) blue.
	MethodBlackSpot = "blackspot_class_4c"
	// MethodSiteSafety is a 100-point site-safety check of a base or
	// shelter: ≥90 blue, 75–90 yellow, 60–75 orange, <60 red.
	MethodSiteSafety = "site_safety"
)

// Number of objects generated per category.
const (
	NumEnterprises     = 7000
	NumBridges         = 1200
	NumBlackSpots      = 600
	NumRescueResources = 500
	NumShelters        = 1500
)

// Dataset is everything the demo loads.
type Dataset struct {
	// Divisions are the city 丽水市 (331100, Level "city", the top of
	// the tree) and its 9 counties (Level "county", ParentCode "331100"),
	// Population from the 2020 census, Label at the seat of government.
	Divisions []geo.Division
	// Context is the offline basemap: Kind "river" (瓯江), "road" (the
	// synthetic network joining the seats, named like "丽水—云和"), "town"
	// (every GeoNames place), "seat" (the city and 9 county seats) and
	// "county_label" (one per county at its Label point).
	Context []geo.ContextFeature
	// Roads are the routable road network (see world.network): the trunk
	// roads of Context cut at their vertices, and a road to every town
	// (also in Context, as Kind "road", named like "碧湖连接线").
	Roads []geo.Road
	// Objects are the risk objects, NumEnterprises enterprises first, then
	// bridges, black spots, rescue resources and shelters. ID, CreatedAt and
	// UpdatedAt are zero: the database assigns them.
	Objects []geo.Object
}

// Lishui builds the dataset. It is deterministic: every call returns exactly
// the same data, freshly allocated, so callers may modify it.
func Lishui() (*Dataset, error) {
	b, err := loadBase()
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	w := newWorld(b)
	ds := &Dataset{
		Divisions: b.divisions(),
		Context:   w.context(),
	}
	var links []geo.ContextFeature
	ds.Roads, links = w.network()
	ds.Context = append(ds.Context, links...)
	ds.Objects = make([]geo.Object, 0, NumEnterprises+NumBridges+NumBlackSpots+NumRescueResources+NumShelters)
	ds.Objects = append(ds.Objects, w.enterprises()...)
	ds.Objects = append(ds.Objects, w.bridges()...)
	ds.Objects = append(ds.Objects, w.blackSpots()...)
	ds.Objects = append(ds.Objects, w.rescueResources()...)
	ds.Objects = append(ds.Objects, w.shelters()...)
	for i := range ds.Objects {
		o := &ds.Objects[i]
		if o.County == "" {
			return nil, fmt.Errorf("demo: %s %s %s lies outside Lishui", o.Category, o.SourceID, o.Name)
		}
	}
	return ds, nil
}
