package tiles_test

import (
	"errors"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"riskmap/geo"
	"riskmap/tiles"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name      string
		z, x, y   string
		want      maptile.Tile
		wantParam string
	}{
		{"origin", "0", "0", "0.mvt", maptile.New(0, 0, 0), ""},
		{"lishui z8", "8", "213", "107.mvt", maptile.New(213, 107, 8), ""},
		{"pbf", "14", "13652", "6835.pbf", maptile.New(13652, 6835, 14), ""},
		{"no suffix", "1", "1", "1", maptile.New(1, 1, 1), ""},
		{"deepest", "22", "4194303", "4194303.mvt", maptile.New(4194303, 4194303, 22), ""},
		{"too deep", "23", "0", "0.mvt", maptile.Tile{}, "z"},
		{"negative zoom", "-1", "0", "0.mvt", maptile.Tile{}, "z"},
		{"zoom word", "ten", "0", "0.mvt", maptile.Tile{}, "z"},
		{"x past edge", "1", "2", "0.mvt", maptile.Tile{}, "x"},
		{"y past edge", "1", "0", "2.mvt", maptile.Tile{}, "y"},
		{"x negative", "3", "-1", "0.mvt", maptile.Tile{}, "x"},
		{"y empty", "3", "0", ".mvt", maptile.Tile{}, "y"},
		{"y with junk", "3", "0", "1x.mvt", maptile.Tile{}, "y"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tiles.Parse(tc.z, tc.x, tc.y)
			var pe *geo.ParamError
			switch {
			case tc.wantParam == "" && err != nil:
				t.Fatalf("Parse(%s, %s, %s): %v", tc.z, tc.x, tc.y, err)
			case tc.wantParam == "" && got != tc.want:
				t.Errorf("Parse(%s, %s, %s) = %v, want %v", tc.z, tc.x, tc.y, got, tc.want)
			case tc.wantParam != "" && (!errors.As(err, &pe) || pe.Param != tc.wantParam):
				t.Errorf("Parse(%s, %s, %s) error = %v, want a ParamError for %s", tc.z, tc.x, tc.y, err, tc.wantParam)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add("8", "213", "107.mvt")
	f.Add("22", "4194303", "0.pbf")
	f.Add("99999999999999999999", "0", "0")
	f.Fuzz(func(t *testing.T, z, x, y string) {
		tile, err := tiles.Parse(z, x, y)
		if err != nil {
			if !errors.Is(err, geo.ErrInvalid) {
				t.Fatalf("Parse error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if !tile.Valid() || tile.Z > tiles.MaxZoom {
			t.Fatalf("Parse(%q, %q, %q) = %v, not a valid tile", z, x, y, tile)
		}
	})
}

func TestNewTileJSON(t *testing.T) {
	b := orb.Bound{Min: orb.Point{118.7, 27.4}, Max: orb.Point{120.4, 28.9}}
	tj := tiles.NewTileJSON([]geo.Layer{geo.Counties, geo.Layer(geo.Bridges)}, "http://h/tiles/counties,bridges/{z}/{x}/{y}.mvt", b, "v1")
	if tj.TileJSON != "3.0.0" || tj.Bounds != [4]float64{118.7, 27.4, 120.4, 28.9} || tj.MinZoom != 0 || tj.MaxZoom != tiles.DefaultMaxZoom {
		t.Errorf("TileJSON header = %+v", tj)
	}
	if len(tj.VectorLayers) != 2 || tj.VectorLayers[0].Fields["n_red"] == "" || tj.VectorLayers[1].Fields["grade"] == "" || tj.VectorLayers[1].Description != "桥梁" {
		t.Errorf("vector_layers = %+v", tj.VectorLayers)
	}
}
