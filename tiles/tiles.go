// Package tiles is riskmap's vector-tile service: it parses tile
// addresses, renders tiles through a Renderer (the PostGIS store), and
// describes tile sets as TileJSON.
package tiles

import (
	"context"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"riskmap/geo"
)

// MaxZoom is the deepest zoom level served.
const MaxZoom = 22

// Parse reads a tile address from its URL parts. y may end in ".mvt" or
// ".pbf". Errors are *geo.ParamError values naming z, x or y.
func Parse(z, x, y string) (maptile.Tile, error) {
	y = strings.TrimSuffix(strings.TrimSuffix(y, ".mvt"), ".pbf")
	zi, err := strconv.ParseUint(z, 10, 8)
	if err != nil || zi > MaxZoom {
		return maptile.Tile{}, geo.Invalidf("z", "zoom %q must be an integer from 0 to %d", z, MaxZoom)
	}
	n := uint64(1) << zi
	xi, err := strconv.ParseUint(x, 10, 32)
	if err != nil || xi >= n {
		return maptile.Tile{}, geo.Invalidf("x", "column %q must be an integer from 0 to %d at zoom %d", x, n-1, zi)
	}
	yi, err := strconv.ParseUint(y, 10, 32)
	if err != nil || yi >= n {
		return maptile.Tile{}, geo.Invalidf("y", "row %q must be an integer from 0 to %d at zoom %d", y, n-1, zi)
	}
	return maptile.New(uint32(xi), uint32(yi), maptile.Zoom(zi)), nil
}

// Renderer builds a vector tile; *postgis.Store is one.
type Renderer interface {
	Tile(ctx context.Context, q geo.TileQuery) (geo.TileData, error)
}

// Service renders tiles, through Cache when it has one.
type Service struct {
	Renderer Renderer
	Cache    *Cache // nil: every tile is rendered
	// ClusterBelow and MaxFeatures go into every query (see
	// geo.TileQuery): how point layers are drawn.
	ClusterBelow int
	MaxFeatures  int
}

// Query is the query for layers at t, filtered by f, with the service's
// settings.
func (s *Service) Query(layers []geo.Layer, t maptile.Tile, f geo.Filter) geo.TileQuery {
	return geo.TileQuery{Layers: layers, Tile: t, Filter: f, ClusterBelow: s.ClusterBelow, MaxFeatures: s.MaxFeatures}
}

// Render returns the tile of layers at t, uncompressed and uncached.
func (s *Service) Render(ctx context.Context, layers []geo.Layer, t maptile.Tile, f geo.Filter) (geo.TileData, error) {
	return s.Renderer.Tile(ctx, s.Query(layers, t, f))
}

// Get returns the tile of layers at t filtered by f, gzipped, with its
// ETag: from the cache when there is one.
func (s *Service) Get(ctx context.Context, layers []geo.Layer, t maptile.Tile, f geo.Filter) (Tile, error) {
	q := s.Query(layers, t, f)
	if s.Cache != nil {
		return s.Cache.Get(ctx, q)
	}
	d, err := s.Renderer.Tile(ctx, q)
	if err != nil {
		return Tile{}, err
	}
	return compress(d, "")
}

func joinLayers(ls []geo.Layer) string {
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = string(l)
	}
	return strings.Join(s, ",")
}

// TileJSON is a TileJSON 3.0.0 document.
type TileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name,omitempty"`
	Description  string        `json:"description,omitempty"`
	Version      string        `json:"version,omitempty"`
	Attribution  string        `json:"attribution,omitempty"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       [4]float64    `json:"bounds"`
	Center       [3]float64    `json:"center"`
	VectorLayers []VectorLayer `json:"vector_layers"`
}

// VectorLayer describes one layer of the tiles: its id and its fields with
// their types ("String", "Number", "Boolean").
type VectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description,omitempty"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
	Fields      map[string]string `json:"fields"`
}

// DefaultMaxZoom is the maxzoom advertised in TileJSON: clients overzoom
// past it, and points are exact at this level.
const DefaultMaxZoom = 16

var pointFields = map[string]string{
	"name":     "String: 名称 name",
	"category": "String: layer name of the category",
	"grade":    "String: red, orange, yellow, blue or unassessed",
	"county":   "String: GB/T 2260 county adcode",
}

// Fields returns the vector-tile fields of layer l.
func Fields(l geo.Layer) map[string]string {
	switch l {
	case geo.Counties:
		return map[string]string{
			"adcode": "String: GB/T 2260 code", "name": "String", "population": "Number: residents (2020 census)",
			"grade": "String: highest grade inside, or unassessed", "n_red": "Number", "n_orange": "Number",
			"n_yellow": "Number", "n_blue": "Number", "n_unassessed": "Number",
		}
	case geo.Context:
		return map[string]string{"kind": "String: river, road, town, seat or county_label", "name": "String"}
	}
	f := make(map[string]string, len(pointFields))
	for k, v := range pointFields {
		f[k] = v
	}
	return f
}

// NewTileJSON describes the tile set of layers, served at tileURL (with
// {z}/{x}/{y} placeholders), covering bounds.
func NewTileJSON(layers []geo.Layer, tileURL string, bounds orb.Bound, version string) TileJSON {
	c := bounds.Center()
	tj := TileJSON{
		TileJSON:    "3.0.0",
		Name:        "riskmap " + joinLayers(layers),
		Description: "四色安全风险图 four-colour safety-risk map",
		Version:     version,
		Attribution: "riskmap",
		Scheme:      "xyz",
		Tiles:       []string{tileURL},
		MinZoom:     0,
		MaxZoom:     DefaultMaxZoom,
		Bounds:      [4]float64{bounds.Min[0], bounds.Min[1], bounds.Max[0], bounds.Max[1]},
		Center:      [3]float64{c[0], c[1], 8},
	}
	for _, l := range layers {
		desc := string(l)
		if cat, ok := l.Category(); ok {
			desc = cat.NameZH()
		}
		tj.VectorLayers = append(tj.VectorLayers, VectorLayer{ID: string(l), Description: desc, MinZoom: 0, MaxZoom: DefaultMaxZoom, Fields: Fields(l)})
	}
	return tj
}
