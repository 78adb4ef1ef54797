package postgis

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"

	"riskmap/geo"
)

// storedCellZooms is the deepest zoom whose cells object_cell keeps
// (levels 5..16 are tiles z0..z11 cut 32 × 32); deeper clustered zooms
// are counted from the objects.
const storedCellZooms = 11

// TruncatedLayer names the layer a capped tile carries: one feature per
// capped layer, saying which layer and how many points it kept.
const TruncatedLayer = "riskmap_truncated"

// Tile renders q's layers as one Mapbox Vector Tile, the layers in the
// order given. PostGIS builds each layer (ST_AsMVT); all layers go to the
// database in one round trip. A tile with nothing in it is an empty slice.
func (s *Store) Tile(ctx context.Context, q geo.TileQuery) (geo.TileData, error) {
	b := &pgx.Batch{}
	t := q.Tile
	z, x, y := int(t.Z), int(t.X), int(t.Y)
	clustered := q.Clustered()
	var limit any // NULL: no cap
	if q.MaxFeatures > 0 {
		limit = q.MaxFeatures
	}
	var within any // the reader's division prefix; NULL: everything
	if q.Filter.Within != "" {
		within = geo.DivisionPrefix(q.Filter.Within)
	}
	points := make([]bool, len(q.Layers)) // layers whose query also says whether it was capped
	skip := make([]bool, len(q.Layers))   // layers the filter leaves out: no query
	for i, l := range q.Layers {
		switch l {
		case geo.Counties, geo.RegionsCounty:
			b.Queue(s.q.get("tile_counties"), z, x, y, string(l), within)
		case geo.Context:
			b.Queue(s.q.get("tile_context"), z, x, y)
		case geo.HiddenHazards:
			b.Queue(s.q.get("tile_hazards"), z, x, y, within)
		case geo.Zones:
			b.Queue(s.q.get("tile_zones"), z, x, y, within)
		case geo.RegionsGrid:
			cell := GridSizes["grid5k"]
			if z >= 10 {
				cell = GridSizes["grid1k"]
			}
			b.Queue(s.q.get("tile_grid"), z, x, y, cell, within)
		default:
			cat, ok := l.Category()
			if !ok {
				return geo.TileData{}, geo.Invalidf("layers", "unknown layer %q", l)
			}
			f := q.Filter
			if len(f.Categories) > 0 && !slices.Contains(f.Categories, cat) {
				skip[i] = true // the filter leaves the whole layer out
				continue
			}
			switch {
			case clustered && z <= storedCellZooms && f.OnlyGradeCounty():
				// object_cell keeps counts by county and grade: it
				// answers these filters itself.
				sql, args, err := insertFilter(s.q.get("tile_cells"), geo.Filter{}, []any{z, x, y, string(l), nilIfEmpty(f.Counties), cellGrades(f.Grades), false, within})
				if err != nil {
					return geo.TileData{}, err
				}
				b.Queue(sql, args...)
			case clustered:
				sql, args, err := insertFilter(s.q.get("tile_cells"), f, []any{z, x, y, string(l), nil, nil, true, nil})
				if err != nil {
					return geo.TileData{}, err
				}
				b.Queue(sql, args...)
			default:
				sql, args, err := insertFilter(s.q.get("tile_objects"), f, []any{z, x, y, string(l), limit})
				if err != nil {
					return geo.TileData{}, err
				}
				b.Queue(sql, args...)
				points[i] = true
			}
		}
	}
	res := s.pool.SendBatch(ctx, b)
	defer res.Close()
	var out geo.TileData
	for i, l := range q.Layers {
		if skip[i] {
			continue
		}
		var part []byte
		var err error
		if points[i] {
			var capped bool
			err = res.QueryRow().Scan(&part, &capped)
			if capped {
				out.Truncated = append(out.Truncated, l)
			}
		} else {
			err = res.QueryRow().Scan(&part)
		}
		if err != nil {
			return geo.TileData{}, fmt.Errorf("render layer %s of tile %d/%d/%d: %w", l, z, x, y, classify(err))
		}
		// MVT layers are repeated fields of the tile message, so the
		// concatenation of single-layer tiles is a valid tile.
		out.MVT = append(out.MVT, part...)
	}
	if err := res.Close(); err != nil {
		return geo.TileData{}, fmt.Errorf("render tile %d/%d/%d: %w", z, x, y, classify(err))
	}
	if len(out.Truncated) > 0 {
		meta, err := truncationLayer(q, out.Truncated)
		if err != nil {
			return geo.TileData{}, err
		}
		out.MVT = append(out.MVT, meta...)
	}
	return out, nil
}

// cellGrades are grades as object_cell numbers them (geo.Grade's own
// order: 0 unassessed, 1 blue … 4 red); nil for all.
func cellGrades(gs []geo.Grade) []int16 {
	if len(gs) == 0 {
		return nil
	}
	out := make([]int16, len(gs))
	for i, g := range gs {
		out[i] = int16(g)
	}
	return out
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// truncationLayer is the TruncatedLayer of a capped tile: a feature at
// the tile's centre per capped layer.
func truncationLayer(q geo.TileQuery, capped []geo.Layer) ([]byte, error) {
	fc := geojson.NewFeatureCollection()
	for i, l := range capped {
		f := geojson.NewFeature(orb.Point{2048, 2048})
		f.ID = i + 1
		f.Properties = geojson.Properties{"layer": string(l), "kept": q.MaxFeatures, "truncated": true}
		fc.Append(f)
	}
	layer := &mvt.Layer{Name: TruncatedLayer, Version: 2, Extent: 4096, Features: fc.Features}
	b, err := mvt.Marshal(mvt.Layers{layer})
	if err != nil {
		return nil, fmt.Errorf("encode the truncation layer: %w", err)
	}
	return b, nil
}
