package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"riskmap/geo"
)

// schema is GET /api/v1/schema: the property catalogue (geo/catalogue.go)
// that the pages label and order attributes by, and the import page maps
// columns to.
type schema struct {
	Columns    []geo.Property `json:"columns"`    // stored in risk_object's own columns
	Divisions  []geo.Property `json:"divisions"`  // what an import of divisions maps
	Attributes []geo.Property `json:"attributes"` // known attributes, in display order
	Categories []string       `json:"categories"`
}

func (s *Server) handleSchema(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSON(http.StatusOK, schema{Columns: geo.ObjectColumns, Divisions: geo.DivisionColumns, Attributes: geo.Attributes, Categories: categoryNames()})
}
