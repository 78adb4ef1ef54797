package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"riskmap/geo"
	"riskmap/tiles"
)

// styleLayers are the layers the whole map's style.json draws, bottom to
// top: the counties tinted by their highest grade, the background
// context, the planners' hazard zones, the point layers, the hidden
// hazards.
var styleLayers = []geo.Layer{geo.Counties, geo.Context, geo.Zones, geo.Layer(geo.Shelters), geo.Layer(geo.RescueResources),
	geo.Layer(geo.Bridges), geo.Layer(geo.BlackSpots), geo.Layer(geo.Enterprises), geo.HiddenHazards}

// gradeColour is a MapLibre expression colouring a feature by its grade
// property, in the colours of geo.Grade.
func gradeColour() []any {
	e := []any{"match", []any{"get", "grade"}}
	for _, g := range geo.AllGrades[1:] {
		e = append(e, g.String(), g.Colour())
	}
	return append(e, geo.Unassessed.Colour())
}

// handleStyle: GET /style.json, a MapLibre style for the whole map, for
// other MapLibre clients (a wall's own page, a GIS tool that reads
// styles): one vector source with every layer, the counties tinted by
// their highest grade, the points coloured by grade and, below the
// cluster zoom, the cells sized by their count. It uses no glyphs or
// sprites, so nothing is fetched from outside; the map page builds its
// own richer style.
func (s *Server) handleStyle(c echo.Context) error {
	b, err := s.extent(c)
	if err != nil {
		return err
	}
	base := s.baseURL(c)
	readable := s.readable(c, styleLayers)
	names := make([]string, len(readable))
	for i, l := range readable {
		names[i] = string(l)
	}
	name := strings.Join(names, ",")
	if name == "" {
		return geo.Invalidf("layers", "no layer of the map is readable by this request")
	}
	ctr := b.Center()
	cluster := []any{"boolean", []any{"get", "cluster"}, false}
	layers := []map[string]any{
		{"id": "background", "type": "background", "paint": map[string]any{"background-color": "#0B1A2A"}},
	}
	for _, l := range readable {
		src := map[string]any{"source": "riskmap", "source-layer": string(l)}
		add := func(id, typ string, extra map[string]any) {
			m := map[string]any{"id": id, "type": typ}
			for k, v := range src {
				m[k] = v
			}
			for k, v := range extra {
				m[k] = v
			}
			layers = append(layers, m)
		}
		switch l {
		case geo.Counties:
			add("counties-fill", "fill", map[string]any{"paint": map[string]any{"fill-color": gradeColour(), "fill-opacity": 0.25}})
			add("counties-line", "line", map[string]any{"paint": map[string]any{"line-color": "#E0E6ED", "line-width": 1}})
		case geo.Context:
			add("context-lines", "line", map[string]any{"filter": []any{"in", []any{"get", "kind"}, []any{"literal", []string{"river", "road"}}},
				"paint": map[string]any{"line-color": []any{"match", []any{"get", "kind"}, "river", "#3A7BD5", "#8A8F98"}, "line-width": 1}})
		case geo.Zones:
			add("zones-fill", "fill", map[string]any{"paint": map[string]any{"fill-color": gradeColour(), "fill-opacity": 0.35}})
			add("zones-line", "line", map[string]any{"paint": map[string]any{"line-color": gradeColour(), "line-width": 1.5}})
		case geo.HiddenHazards:
			add("hidden-hazards", "circle", map[string]any{"paint": map[string]any{
				"circle-color": []any{"match", []any{"get", "level"}, "major", geo.Red.Colour(), "#FFB300"}, "circle-radius": 5,
				"circle-stroke-color": "#1A1A1A", "circle-stroke-width": []any{"case", []any{"boolean", []any{"get", "overdue"}, false}, 2.5, 1}}})
		default:
			add(string(l), "circle", map[string]any{
				"layout": map[string]any{"circle-sort-key": []any{"match", []any{"get", "grade"}, "red", 4, "orange", 3, "yellow", 2, "blue", 1, 0}},
				"paint": map[string]any{
					"circle-color": gradeColour(),
					"circle-radius": []any{"case", cluster,
						[]any{"min", 14, []any{"+", 3, []any{"*", 0.9, []any{"sqrt", []any{"coalesce", []any{"get", "count"}, 1}}}}}, 4},
					"circle-stroke-color": "#FFFFFF", "circle-stroke-width": 1}})
		}
	}
	style := map[string]any{
		"version": 8,
		"name":    s.opts.Title,
		"center":  []float64{ctr[0], ctr[1]},
		"zoom":    8,
		"sources": map[string]any{
			"riskmap": map[string]any{"type": "vector", "url": base + "/tiles/" + name + ".json",
				"attribution": "riskmap", "maxzoom": tiles.DefaultMaxZoom},
		},
		"layers": layers,
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return c.JSON(http.StatusOK, style)
}
