package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/importers"
)

// ImportHistory keeps the record of imports and the sources' mapping
// templates (postgis.Store). Lists read within the request's division.
type ImportHistory interface {
	Imports(ctx context.Context, q geo.ImportQuery) ([]geo.ImportRun, error)
	ImportRun(ctx context.Context, id int64) (geo.ImportRun, error)
	ImportSources(ctx context.Context) ([]geo.ImportSource, error)
	ImportTemplate(ctx context.Context, category, source string) (geo.ImportTemplate, error)
	SaveImportTemplate(ctx context.Context, t geo.ImportTemplate) (saved, before geo.ImportTemplate, err error)
}

// importRoutes are the import page's reads and its templates: for those
// who may import (editors of a division, admins).
func (s *Server) importRoutes() {
	e := s.echo
	e.GET("/api/v1/imports", s.write(access.Editor, "import.list", s.handleImports))
	e.GET("/api/v1/imports/sources", s.write(access.Editor, "import.sources", s.handleImportSources))
	e.GET("/api/v1/imports/:id", s.write(access.Editor, "import.read", s.handleImportRun))
	e.GET("/api/v1/import-templates", s.write(access.Editor, "import.template.read", s.handleImportTemplate))
	e.PUT("/api/v1/import-templates", s.write(access.Editor, "import.template", s.handleSaveImportTemplate))
}

// handleImports: GET /api/v1/imports?category=&source=&before=&limit=, the
// history newest first.
func (s *Server) handleImports(c echo.Context) error {
	q := geo.ImportQuery{Category: c.QueryParam("category"), Source: c.QueryParam("source")}
	if q.Category != "" {
		if err := checkImportCategory(q.Category); err != nil {
			return err
		}
	}
	var err error
	if q.Limit, err = intParam(c, "limit", 0, 0, 1<<30); err != nil { // bounded by geo.CheckImportQuery
		return err
	}
	before, err := intParam(c, "before", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	q.Before = int64(before)
	if err := geo.CheckImportQuery(&q); err != nil {
		return err
	}
	runs, err := s.imports.Imports(c.Request().Context(), q)
	if err != nil {
		return err
	}
	if runs == nil {
		runs = []geo.ImportRun{}
	}
	return c.JSON(http.StatusOK, map[string]any{"imports": runs})
}

// handleImportRun: GET /api/v1/imports/{id}, one import with its problems.
func (s *Server) handleImportRun(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	run, err := s.imports.ImportRun(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, run)
}

// handleImportSources: GET /api/v1/imports/sources, the sources of the
// objects the caller reads, for the page's source list.
func (s *Server) handleImportSources(c echo.Context) error {
	srcs, err := s.imports.ImportSources(c.Request().Context())
	if err != nil {
		return err
	}
	if srcs == nil {
		srcs = []geo.ImportSource{}
	}
	return c.JSON(http.StatusOK, map[string]any{"sources": srcs})
}

// handleImportTemplate: GET /api/v1/import-templates?category=&source=.
func (s *Server) handleImportTemplate(c echo.Context) error {
	category, source := c.QueryParam("category"), strings.TrimSpace(c.QueryParam("source"))
	if err := checkImportCategory(category); err != nil {
		return err
	}
	if source == "" {
		return geo.Invalidf("source", "required")
	}
	t, err := s.imports.ImportTemplate(c.Request().Context(), category, source)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

// handleSaveImportTemplate: PUT /api/v1/import-templates {"category",
// "source", "mapping": {"columns": {...}, "crs", "grade_scale"}}. The
// mapping is checked as an import would read it; the change is audited.
func (s *Server) handleSaveImportTemplate(c echo.Context) error {
	var body struct {
		Category string          `json:"category"`
		Source   string          `json:"source"`
		Mapping  json.RawMessage `json:"mapping"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	body.Source = strings.TrimSpace(body.Source)
	if err := checkImportCategory(body.Category); err != nil {
		return err
	}
	if body.Source == "" || len(body.Source) > 200 {
		return geo.Invalidf("source", "want a source name of 1 to 200 bytes")
	}
	if len(body.Mapping) == 0 {
		return geo.Invalidf("mapping", "required")
	}
	m, err := importers.ReadMapping(bytes.NewReader(body.Mapping))
	if err != nil {
		return geo.Invalidf("mapping", "%s", err.Error())
	}
	if err := m.Check(); err != nil {
		return geo.Invalidf("mapping", "%s", err.Error())
	}
	clean, err := json.Marshal(m)
	if err != nil {
		return err
	}
	saved, before, err := s.imports.SaveImportTemplate(c.Request().Context(), geo.ImportTemplate{Category: body.Category, Source: body.Source,
		Mapping: clean, UpdatedBy: s.actor(c)})
	if err != nil {
		return err
	}
	var was any
	if before.Source != "" {
		was = before.Mapping
	}
	s.audit(c, access.Entry{Action: "import.template", Target: "source:" + body.Source + "/" + body.Category, Outcome: "ok"}, was, saved.Mapping)
	return c.JSON(http.StatusOK, saved)
}

// checkImportCategory checks an import's category parameter.
func checkImportCategory(category string) error {
	if category == string(geo.Counties) {
		return nil
	}
	if _, err := geo.ParseCategory(category); err != nil {
		return geo.Invalidf("category", "want enterprises, bridges, black_spots, rescue_resources, shelters or counties, not %q", category)
	}
	return nil
}
