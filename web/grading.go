package web

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/geo/grading"
)

// GradingStore grades objects and answers for the regional maps;
// *postgis.Store is one.
type GradingStore interface {
	AssessVersion(ctx context.Context, c geo.Category, id int64, version string, inputs map[string]any, actor string) (geo.Assessment, error)
	// PreviewAssessment is the assessment the inputs would make, nothing
	// written.
	PreviewAssessment(ctx context.Context, c geo.Category, id int64, inputs map[string]any, actor string) (geo.Assessment, error)
	// Grading is the grading configuration in force.
	Grading(ctx context.Context) (grading.Set, error)
	History(ctx context.Context, c geo.Category, id int64, limit int) ([]geo.Assessment, error)
	// GradingVersions and ChangeGrading are the admin page's 评定方案
	// (see postgis.Store).
	GradingVersions(ctx context.Context) ([]geo.GradingVersion, error)
	ChangeGrading(ctx context.Context, ch geo.GradingChange, set grading.Set, actor string) (geo.GradingChanged, error)
	Regions(ctx context.Context, level string, categories []geo.Category, bbox *orb.Bound) ([]geo.RegionStat, error)
}

// HazardStore runs the hidden-hazard loop; *postgis.Store is one.
type HazardStore interface {
	ReportHazard(ctx context.Context, h geo.Hazard, actor string) (geo.Hazard, error)
	StepHazard(ctx context.Context, id int64, st geo.HazardStep, actor string) (geo.Hazard, error)
	Hazard(ctx context.Context, id int64) (geo.Hazard, error)
	HazardCountsByCounty(ctx context.Context) ([]geo.HazardCounts, error)
	// Supervise, StepSupervision, Supervision and Supervisions are 督办
	// (see postgis.Store).
	Supervise(ctx context.Context, id int64, n geo.NewSupervision, actor string) (geo.Supervision, error)
	StepSupervision(ctx context.Context, id int64, st geo.SupervisionStep, actor string) (geo.Supervision, error)
	Supervision(ctx context.Context, id int64) (geo.Supervision, error)
	Supervisions(ctx context.Context, division string, all bool, limit int) (geo.Supervisions, error)
}

// maxJSONBody bounds a JSON request body.
const maxJSONBody = 1 << 20

// decodeBody reads a JSON body into v, refusing unknown fields (named).
func decodeBody(c echo.Context, v any) error {
	if ct := c.Request().Header.Get(echo.HeaderContentType); ct != "" && !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return geo.Invalidf("Content-Type", "%q: send application/json", ct)
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		var ute *json.UnmarshalTypeError
		switch {
		case errors.As(err, &mbe):
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d KiB", maxJSONBody>>10))
		case errors.As(err, &ute):
			return geo.Invalidf(ute.Field, "want a %s", ute.Type)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return geo.Invalidf(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown field")
		case errors.Is(err, io.EOF):
			return geo.Invalidf("body", "empty: send a JSON object")
		}
		return geo.Invalidf("body", "not valid JSON")
	}
	return nil
}

// sameSite refuses a write that a page of another site made the browser
// send (until there are logins).
func (s *Server) sameSite(c echo.Context) error {
	r := c.Request()
	if o := r.Header.Get("Origin"); o != "" && o != s.baseURL(c) && !strings.HasSuffix(o, "://"+r.Host) {
		return echo.NewHTTPError(http.StatusForbidden, "writes are not accepted from another site's page")
	}
	return nil
}

func pathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id < 1 {
		return 0, geo.Invalidf(name, "%q is not an id", c.Param(name))
	}
	return id, nil
}

// handleAssess: POST /api/v1/objects/{id}/assessments {"inputs": {...}}.
func (s *Server) handleAssess(c echo.Context) error {
	if err := s.sameSite(c); err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var body struct {
		Inputs  map[string]any `json:"inputs"`
		Comment string         `json:"comment"` // why, kept in the audit log
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	if len(body.Inputs) == 0 {
		return geo.Invalidf("inputs", "required: the assessment's inputs, e.g. {\"lec_l\": 6, \"lec_e\": 3, \"lec_c\": 15}")
	}
	if utf8.RuneCountInString(body.Comment) > 2000 {
		return geo.Invalidf("comment", "longer than 2000 characters")
	}
	dry, err := boolParam(c, "dry_run")
	if err != nil {
		return err
	}
	if dry {
		a, err := s.grading.PreviewAssessment(c.Request().Context(), "", id, body.Inputs, s.actor(c))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, a)
	}
	// If-Match: the ETag of the object as the client read it (from
	// /ogc/collections/{layer}/items/{id}); a change since is a 409.
	version := strings.Trim(strings.TrimPrefix(strings.TrimSpace(c.Request().Header.Get("If-Match")), "W/"), `"`)
	if version == "*" {
		version = ""
	}
	a, err := s.grading.AssessVersion(c.Request().Context(), "", id, version, body.Inputs, s.actor(c))
	if err != nil {
		return err
	}
	s.audit(c, access.Entry{Action: "assess", Target: fmt.Sprintf("object:%d", id)},
		map[string]any{"grade": a.From}, map[string]any{"grade": a.Grade, "assessment_id": a.ID, "inputs": body.Inputs, "comment": body.Comment})
	return c.JSON(http.StatusCreated, a)
}

// handleSchemes: GET /api/v1/grading/schemes[?category=], the enabled
// grading schemes in force (of a category), in the order they are tried:
// what a re-grading form offers, with each scheme's inputs (factors and
// their allowed values, or the score or class it reads).
func (s *Server) handleSchemes(c echo.Context) error {
	var only geo.Category
	if v := c.QueryParam("category"); v != "" {
		cat, err := geo.ParseCategory(v)
		if err != nil {
			return geo.Invalidf("category", "%q: want one of enterprises, bridges, black_spots, rescue_resources, shelters", clip(v, 40))
		}
		only = cat
	}
	set, err := s.grading.Grading(c.Request().Context())
	if err != nil {
		return err
	}
	out := []grading.Scheme{}
	for _, sc := range set.Schemes {
		if sc.Enabled && (only == "" || sc.Category == only) {
			out = append(out, sc)
		}
	}
	slices.SortStableFunc(out, func(a, b grading.Scheme) int {
		return cmp.Or(strings.Compare(string(a.Category), string(b.Category)), cmp.Compare(a.Priority, b.Priority))
	})
	return c.JSON(http.StatusOK, map[string]any{"schemes": out})
}

// handleHistory: GET /api/v1/objects/{id}/history.
func (s *Server) handleHistory(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	limit, err := intParam(c, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	// An object of a layer the request may not see has no history for it.
	for l := range s.opts.Restricted {
		cat, _ := l.Category()
		if s.mayRead(c, l) {
			continue
		}
		if _, err := s.features.Object(c.Request().Context(), cat, id); err == nil {
			return s.layerAllowed(c, l)
		} else if !errors.Is(err, geo.ErrNotFound) {
			return err
		}
	}
	h, err := s.grading.History(c.Request().Context(), "", id, limit)
	if err != nil {
		return err
	}
	if h == nil {
		h = []geo.Assessment{}
	}
	return c.JSON(http.StatusOK, map[string]any{"object_id": id, "assessments": h})
}

// handleRegions: GET /api/v1/stats/regions?level=county|township|grid1k|grid5k
// [&category=a,b][&bbox=…][&rule=max|index[&normaliser=…]][&format=json|csv|xlsx].
func (s *Server) handleRegions(c echo.Context) error {
	level := c.QueryParam("level")
	if level == "" {
		level = "county"
	}
	var cats []geo.Category
	if v := c.QueryParam("category"); v != "" {
		for _, p := range strings.Split(v, ",") {
			cat, err := geo.ParseCategory(strings.TrimSpace(p))
			if err != nil {
				return geo.Invalidf("category", "%q: want enterprises, bridges, black_spots, rescue_resources or shelters", p)
			}
			cats = append(cats, cat)
		}
	}
	var bbox *orb.Bound
	if v := c.QueryParam("bbox"); v != "" {
		b, err := geo.ParseBBox("bbox", v)
		if err != nil {
			return err
		}
		bbox = &b
	}
	rule := c.QueryParam("rule")
	if rule == "" {
		rule = "max"
	}
	var norm func(geo.RegionStat) float64
	switch n := c.QueryParam("normaliser"); n {
	case "", "none":
	case "area_km2":
		norm = func(r geo.RegionStat) float64 { return r.AreaKM2 }
	case "population_10k":
		norm = func(r geo.RegionStat) float64 { return float64(r.Population) / 1e4 }
	default:
		return geo.Invalidf("normaliser", "%q: want none, area_km2 or population_10k", n)
	}
	if rule != "max" && rule != "index" {
		return geo.Invalidf("rule", "%q: want max (the highest grade inside) or index (weighted index)", rule)
	}
	if norm != nil && rule != "index" {
		return geo.Invalidf("normaliser", "only with rule=index")
	}
	format := c.QueryParam("format")
	if format == "" {
		format = "json"
	}
	if !slices.Contains([]string{"json", "csv", "xlsx"}, format) {
		return geo.Invalidf("format", "%q: want json, csv or xlsx", format)
	}
	regions, err := s.grading.Regions(c.Request().Context(), level, cats, bbox)
	if err != nil {
		return err
	}
	if regions == nil {
		regions = []geo.RegionStat{}
	}
	if rule == "index" {
		geo.ColourByIndex(regions, norm)
	}
	switch format {
	case "csv", "xlsx":
		rows := regionTable(regions)
		name := "regions-" + level
		if format == "csv" {
			var buf bytes.Buffer
			buf.WriteString("\ufeff") // Excel opens UTF-8 CSV with a BOM as UTF-8
			w := csv.NewWriter(&buf)
			w.WriteAll(rows)
			c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
			return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
		}
		f := excelize.NewFile()
		defer f.Close()
		for i, row := range rows {
			cells := make([]any, len(row))
			for j, v := range row {
				if n, err := strconv.Atoi(v); err == nil && i > 0 && j > 3 {
					cells[j] = n
				} else {
					cells[j] = v
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow("Sheet1", cell, &cells); err != nil {
				return fmt.Errorf("write the regions sheet: %w", err)
			}
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			return fmt.Errorf("write the regions sheet: %w", err)
		}
		c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		return c.Blob(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
	}
	return c.JSON(http.StatusOK, map[string]any{"level": level, "rule": rule, "regions": regions})
}

// regionTable lays the regions out as a report: a header row (Chinese
// and English), then a row per region.
func regionTable(regions []geo.RegionStat) [][]string {
	head := []string{"级别 level", "代码 code", "名称 name", "颜色 grade", "红 red", "橙 orange", "黄 yellow", "蓝 blue", "未评估 unassessed", "合计 total"}
	for _, cat := range geo.AllCategories {
		head = append(head, string(cat)+" red", string(cat)+" total")
	}
	rows := [][]string{head}
	for _, r := range regions {
		row := []string{r.Level, r.Code, r.Name, r.Grade.NameZH() + " " + r.Grade.String()}
		for _, g := range []string{"red", "orange", "yellow", "blue", "unassessed"} {
			row = append(row, strconv.Itoa(r.Counts[g]))
		}
		row = append(row, strconv.Itoa(r.Total))
		for _, cat := range geo.AllCategories {
			n := 0
			for _, v := range r.ByCategory[cat] {
				n += v
			}
			row = append(row, strconv.Itoa(r.ByCategory[cat]["red"]), strconv.Itoa(n))
		}
		rows = append(rows, row)
	}
	return rows
}

// handleReportHazard: POST /api/v1/hidden-hazards.
func (s *Server) handleReportHazard(c echo.Context) error {
	if err := s.sameSite(c); err != nil {
		return err
	}
	var h geo.Hazard
	if err := decodeBody(c, &h); err != nil {
		return err
	}
	out, err := s.hazards.ReportHazard(c.Request().Context(), h, s.actor(c))
	if err != nil {
		return err
	}
	s.audit(c, access.Entry{Action: "hazard.report", Target: fmt.Sprintf("hazard:%d", out.ID)}, nil, out)
	return c.JSON(http.StatusCreated, out)
}

// handleStepHazard: POST /api/v1/hidden-hazards/{id}/steps.
func (s *Server) handleStepHazard(c echo.Context) error {
	if err := s.sameSite(c); err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var st geo.HazardStep
	if err := decodeBody(c, &st); err != nil {
		return err
	}
	before, err := s.hazards.Hazard(c.Request().Context(), id)
	if err != nil {
		return err
	}
	out, err := s.hazards.StepHazard(c.Request().Context(), id, st, s.actor(c))
	if err != nil {
		return err
	}
	s.audit(c, access.Entry{Action: "hazard.step", Target: fmt.Sprintf("hazard:%d", id)},
		map[string]any{"state": before.State}, map[string]any{"step": st, "state": out.State})
	return c.JSON(http.StatusOK, out)
}

// handleHazard: GET /api/v1/hidden-hazards/{id}.
func (s *Server) handleHazard(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	h, err := s.hazards.Hazard(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if !geo.Within(s.viewScope(c), h.Division) {
		return fmt.Errorf("hazard %d lies outside the reader's division: %w", id, geo.ErrNotFound)
	}
	return c.JSON(http.StatusOK, h)
}

// handleHazardCounts: GET /api/v1/stats/hidden-hazards.
func (s *Server) handleHazardCounts(c echo.Context) error {
	counts, err := s.hazards.HazardCountsByCounty(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"counties": counts})
}
