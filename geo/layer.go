package geo

import (
	"strings"
)

// Layer names a map layer: one of the risk-object categories, the county
// boundaries, the planners' hazard zones, or the offline background.
type Layer string

// The layers that are not risk-object categories.
const (
	Counties      Layer = "counties"       // county boundaries with their four-colour summary (the county regional map)
	RegionsCounty Layer = "regions_county" // the county regional map: the counties layer under the name of the regional maps
	RegionsGrid   Layer = "regions_grid"   // the grid regional map: 5 km cells below zoom 10, 1 km from 10
	Context       Layer = "context"        // rivers, roads, towns and labels of the offline background
	HiddenHazards Layer = "hidden_hazards" // hidden hazards not yet closed
)

// AllLayers lists every layer, background first, in drawing order.
var AllLayers = []Layer{Counties, RegionsCounty, RegionsGrid, Context, Zones, Layer(Enterprises), Layer(Bridges), Layer(BlackSpots), Layer(RescueResources), Layer(Shelters), HiddenHazards}

// Category returns the risk-object category the layer shows and true, or
// false for the other layers.
func (l Layer) Category() (Category, bool) {
	c := Category(l)
	return c, c.Valid()
}

// ParseLayer returns the layer named s, or a *ParamError for param.
func ParseLayer(param, s string) (Layer, error) {
	for _, l := range AllLayers {
		if string(l) == s {
			return l, nil
		}
	}
	return "", Invalidf(param, "unknown layer %q (want one of %s)", s, layerList())
}

// ParseLayers reads a comma-separated list of distinct layer names.
func ParseLayers(param, s string) ([]Layer, error) {
	if s == "" {
		return nil, Invalidf(param, "no layer named (want a comma-separated list of %s)", layerList())
	}
	parts := strings.Split(s, ",")
	out := make([]Layer, 0, len(parts))
	seen := map[Layer]bool{}
	for _, p := range parts {
		l, err := ParseLayer(param, p)
		if err != nil {
			return nil, err
		}
		if seen[l] {
			return nil, Invalidf(param, "layer %q named twice", p)
		}
		seen[l] = true
		out = append(out, l)
	}
	return out, nil
}

func layerList() string {
	names := make([]string, len(AllLayers))
	for i, l := range AllLayers {
		names[i] = string(l)
	}
	return strings.Join(names, ", ")
}

// String implements fmt.Stringer.
func (l Layer) String() string { return string(l) }
