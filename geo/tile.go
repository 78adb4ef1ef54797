package geo

import "github.com/paulmach/orb/maptile"

// DefaultClusterBelow is the zoom from which point layers are drawn as
// single points; below it they are drawn as cells that count their
// objects per grade.
const DefaultClusterBelow = 12

// MaxClusterBelow is the deepest cluster zoom: a cell of zoom z is a tile
// of zoom z + 5, and a cell's feature id packs its column and row in 22
// bits each.
const MaxClusterBelow = 18

// TileQuery asks for one vector tile: the layers, in drawing order, at a
// tile address, and how to draw point layers.
type TileQuery struct {
	Layers []Layer
	Tile   maptile.Tile
	// ClusterBelow: below this zoom, risk-object layers are aggregated
	// into cells (32 × 32 a tile), each carrying its count per grade and
	// its highest grade, so that no object is left out and a red one is
	// never inside a cell that does not show red. 0 means
	// DefaultClusterBelow; a negative value never aggregates; above
	// MaxClusterBelow counts as MaxClusterBelow.
	ClusterBelow int
	// Filter keeps only the risk objects it matches (risk-object layers;
	// the other layers are drawn whole). Cells then count only those.
	Filter Filter
	// MaxFeatures caps the single points of one layer in one tile; 0
	// means no cap. A capped layer keeps its most severe objects first,
	// and the tile says it was capped (TileData.Truncated).
	MaxFeatures int
}

// Clustered tells whether the query's risk-object layers come as cells.
func (q TileQuery) Clustered() bool {
	below := min(q.ClusterBelow, MaxClusterBelow)
	if below == 0 {
		below = DefaultClusterBelow
	}
	return int(q.Tile.Z) < below
}

// TileData is a rendered vector tile (Mapbox Vector Tile, uncompressed)
// and the layers whose points were capped at TileQuery.MaxFeatures.
type TileData struct {
	MVT       []byte
	Truncated []Layer
}
