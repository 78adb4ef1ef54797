package postgis

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"riskmap/geo"
)

// GridSizes are the grid cells, in Web-Mercator metres, that the
// regional map offers.
var GridSizes = map[string]int{"grid1k": 1000, "grid5k": 5000}

// Regions returns the regions of a level ("county", "township" — once
// township polygons are imported —, or a key of GridSizes) with their
// colour and counts, from the objects of categories (nil: all); bbox, when
// given, limits grid cells.
func (s *Store) Regions(ctx context.Context, level string, categories []geo.Category, bbox *orb.Bound) ([]geo.RegionStat, error) {
	var cats any
	if categories != nil {
		cats = categoryNames(categories)
	}
	var rows pgx.Rows
	var err error
	if level == "county" || level == "township" {
		rows, err = s.pool.Query(ctx, s.q.get("regions_"+level), cats, readWithin(ctx))
	} else if size, ok := GridSizes[level]; ok {
		var box [4]any
		if bbox != nil {
			box = [4]any{bbox.Min[0], bbox.Min[1], bbox.Max[0], bbox.Max[1]}
		}
		rows, err = s.pool.Query(ctx, s.q.get("regions_grid"), size, cats, box[0], box[1], box[2], box[3])
	} else {
		return nil, geo.Invalidf("level", "%q: want county, township, grid1k or grid5k", level)
	}
	if err != nil {
		return nil, fmt.Errorf("regions %s: %w", level, classify(err))
	}
	var out []geo.RegionStat
	var code, name, cat, grade string
	var n int
	var area float64
	var pop int64
	scan := []any{&code, &name, &area, &pop, &cat, &grade, &n}
	if size, ok := GridSizes[level]; ok {
		scan = []any{&code, &cat, &grade, &n}
		area = float64(size) * float64(size) / 1e6 // a Web-Mercator cell, nominally
	}
	_, err = pgx.ForEachRow(rows, scan, func() error {
		if len(out) == 0 || out[len(out)-1].Code != code {
			out = append(out, geo.RegionStat{Level: level, Code: code, Name: name, AreaKM2: area, Population: pop,
				Counts: map[string]int{}, ByCategory: map[geo.Category]map[string]int{}})
		}
		if cat == "" {
			return nil // a county with nothing in it
		}
		g, err := geo.ParseGrade(grade)
		if err != nil {
			return err
		}
		out[len(out)-1].Add(geo.Category(cat), g, n)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("regions %s: %w", level, classify(err))
	}
	return out, nil
}
