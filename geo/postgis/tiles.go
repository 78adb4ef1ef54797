package postgis

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/maptile"

	"riskmap/geo"
)

// Tile renders the named layers of tile t as one Mapbox Vector Tile, the
// layers in the order given. PostGIS builds each layer (ST_AsMVT); all
// layers go to the database in one round trip. A tile with nothing in it
// is an empty slice.
func (s *Store) Tile(ctx context.Context, layers []geo.Layer, t maptile.Tile) ([]byte, error) {
	b := &pgx.Batch{}
	z, x, y := int(t.Z), int(t.X), int(t.Y)
	for _, l := range layers {
		switch l {
		case geo.Counties, geo.RegionsCounty:
			b.Queue(s.q.get("tile_counties"), z, x, y, string(l))
		case geo.Context:
			b.Queue(s.q.get("tile_context"), z, x, y)
		case geo.HiddenHazards:
			b.Queue(s.q.get("tile_hazards"), z, x, y)
		case geo.RegionsGrid:
			cell := GridSizes["grid5k"]
			if z >= 10 {
				cell = GridSizes["grid1k"]
			}
			b.Queue(s.q.get("tile_grid"), z, x, y, cell)
		default:
			if _, ok := l.Category(); !ok {
				return nil, geo.Invalidf("layers", "unknown layer %q", l)
			}
			b.Queue(s.q.get("tile_objects"), z, x, y, string(l))
		}
	}
	res := s.pool.SendBatch(ctx, b)
	defer res.Close()
	var out []byte
	for _, l := range layers {
		var part []byte
		if err := res.QueryRow().Scan(&part); err != nil {
			return nil, fmt.Errorf("render layer %s of tile %d/%d/%d: %w", l, z, x, y, classify(err))
		}
		// MVT layers are repeated fields of the tile message, so the
		// concatenation of single-layer tiles is a valid tile.
		out = append(out, part...)
	}
	if err := res.Close(); err != nil {
		return nil, fmt.Errorf("render tile %d/%d/%d: %w", z, x, y, classify(err))
	}
	return out, nil
}
