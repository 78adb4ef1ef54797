package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"riskmap/geo"
)

// Searcher finds risk objects by name, address or credit code;
// *postgis.Store is one.
type Searcher interface {
	Search(ctx context.Context, q geo.SearchQuery) ([]geo.SearchHit, error)
}

// handleSearch: GET /api/v1/search?q=&category=a,b&limit=, the objects
// of the layers the reader may read (in the reader's division) whose
// credit code begins with q, whose name holds it, or whose name or address
// holds its characters, the best first.
func (s *Server) handleSearch(c echo.Context) error {
	q := c.QueryParam("q")
	if err := geo.CheckSearch(q); err != nil {
		return err
	}
	sq := geo.SearchQuery{Q: strings.TrimSpace(q)}
	var asked []geo.Layer
	if v := c.QueryParam("category"); v != "" {
		for _, p := range strings.Split(v, ",") {
			cat, err := geo.ParseCategory(strings.TrimSpace(p))
			if err != nil {
				return geo.Invalidf("category", "%q: want one or more of enterprises, bridges, black_spots, rescue_resources, shelters", clip(p, 40))
			}
			asked = append(asked, geo.Layer(cat))
		}
	} else {
		for _, cat := range geo.AllCategories {
			asked = append(asked, geo.Layer(cat))
		}
	}
	for _, l := range s.readable(c, asked) {
		sq.Categories = append(sq.Categories, geo.Category(l))
	}
	if len(sq.Categories) == 0 { // only layers the reader may not read
		return c.JSON(http.StatusOK, map[string]any{"results": []geo.SearchHit{}})
	}
	var err error
	if sq.Limit, err = intParam(c, "limit", geo.DefaultSearchLimit, 1, geo.MaxSearchLimit); err != nil {
		return err
	}
	hits, err := s.search.Search(c.Request().Context(), sq)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"results": hits})
}
