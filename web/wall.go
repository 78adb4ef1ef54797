package web

import (
	"context"
	"math"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"riskmap/geo"
)

// OverviewStore answers the command centre's map wall (大屏): city-wide
// counts and the rescue resources' positions; *postgis.Store is one.
type OverviewStore interface {
	CategoryGrades(ctx context.Context) (map[geo.Category]geo.GradeCounts, error)
	ResourceStatuses(ctx context.Context, since time.Time) ([]geo.ResourceStatusCount, error)
	Positions(ctx context.Context, since time.Time) ([]geo.ResourceFix, error)
	Track(ctx context.Context, res int64, since time.Time) (geo.Track, error)
}

// WallPanels are the panels the map wall may show, in their default
// order.
var WallPanels = []string{"categories", "counties", "hazards", "incidents", "resources", "alerts", "clock"}

// Wall configures the map wall: its panels, whether it follows new
// incidents, and after how long a resource's position counts as stale.
type Wall struct {
	Panels     []string      // a subset of WallPanels; nil: all of them
	StayOnCity bool          // do not follow a newly reported incident (the zero value follows)
	StaleAfter time.Duration // a fix older than this is drawn as stale (default 5 min)
}

// trackedWithin is how recent a fix must be for the overview to count
// its resource as tracked.
const trackedWithin = 24 * time.Hour

// maxOverviewIncidents bounds the open incidents the overview counts.
const maxOverviewIncidents = 100_000

// overviewCounty is a county of the overview.
type overviewCounty struct {
	Code   string         `json:"code"`
	Name   string         `json:"name"`
	Grade  geo.Grade      `json:"grade"`
	Counts map[string]int `json:"counts"`
	Total  int            `json:"total"`
}

// handleOverview: GET /api/v1/stats/overview, the map wall's numbers:
// the objects per category and grade city-wide, the counties' colours
// and counts, the hidden hazards, the open incidents and the rescue
// resources, each section only with the layers the client may read (a
// section of a layer it may not read, or of a store this server lacks, is
// left out).
func (s *Server) handleOverview(c echo.Context) error {
	ctx := c.Request().Context()
	now := time.Now()
	cats := []geo.Category{}
	for _, cat := range geo.AllCategories {
		if s.mayRead(c, geo.Layer(cat)) {
			cats = append(cats, cat)
		}
	}
	out := map[string]any{"as_of": now.In(geo.Local).Format(time.RFC3339)}

	grades, err := s.overview.CategoryGrades(ctx)
	if err != nil {
		return err
	}
	categories := map[geo.Category]geo.GradeCounts{}
	for _, cat := range cats {
		categories[cat] = grades[cat]
	}
	out["categories"] = categories

	// The regional units: the counties, or a county's townships on a
	// county's wall.
	level := "county"
	if code := s.viewScope(c); code != "" && geo.DivisionLevel(code) == geo.LevelCounty {
		v, err := s.features.DivisionView(ctx, code)
		if err != nil {
			return err
		}
		if v.ChildLevel == geo.LevelTownship {
			level = "township"
		}
	}
	out["regions_level"] = level
	regions, err := s.grading.Regions(ctx, level, cats, nil)
	if err != nil {
		return err
	}
	counties := make([]overviewCounty, 0, len(regions))
	for _, r := range regions {
		counts := map[string]int{}
		for _, g := range geo.AllGrades {
			counts[g.String()] = r.Counts[g.String()]
		}
		counties = append(counties, overviewCounty{Code: r.Code, Name: r.Name, Grade: r.Grade, Counts: counts, Total: r.Total})
	}
	out["counties"] = counties

	if s.hazards != nil && s.mayRead(c, geo.HiddenHazards) {
		hc, err := s.hazards.HazardCountsByCounty(ctx)
		if err != nil {
			return err
		}
		var sum geo.HazardCounts
		for _, h := range hc {
			sum.Open += h.Open
			sum.Overdue += h.Overdue
			sum.OpenMajor += h.OpenMajor
			sum.ClosedMonth += h.ClosedMonth
		}
		out["hazards"] = map[string]int{"open": sum.Open, "overdue": sum.Overdue, "open_major": sum.OpenMajor, "closed_this_month": sum.ClosedMonth}
	}

	if s.dispatch != nil && s.mayRead(c, geo.Incidents) {
		list, err := s.dispatch.Incidents(ctx, false, maxOverviewIncidents)
		if err != nil {
			return err
		}
		byLevel := map[string]int{}
		for _, l := range geo.IncidentLevels {
			byLevel[l] = 0
		}
		byStatus := map[string]int{geo.IncidentOpen: 0, geo.IncidentResponding: 0}
		for _, in := range list {
			byLevel[in.Level]++
			byStatus[in.Status]++
		}
		out["incidents"] = map[string]any{"active": len(list), "by_level": byLevel, "by_status": byStatus}
	}

	if s.mayRead(c, geo.Layer(geo.RescueResources)) {
		statuses, err := s.overview.ResourceStatuses(ctx, now.Add(-trackedWithin))
		if err != nil {
			return err
		}
		byStatus := map[string]int{geo.StatusAvailable: 0, geo.StatusDispatched: 0, "standby": 0, "out_of_service": 0}
		total, tracked := 0, 0
		for _, st := range statuses {
			name := st.Status
			if name == "" {
				name = "unknown"
			}
			byStatus[name] += st.Count
			total += st.Count
			tracked += st.Tracked
		}
		out["resources"] = map[string]any{"total": total, "by_status": byStatus, "tracked": tracked}
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return c.JSON(http.StatusOK, out)
}

// handlePositions: GET /api/v1/positions[?hours=24], each rescue
// resource's newest fix recorded in the last hours (1 to 168) as a GeoJSON
// FeatureCollection; age_s is the fix's age in seconds, by the server's
// clock.
func (s *Server) handlePositions(c echo.Context) error {
	if err := s.layerAllowed(c, geo.Layer(geo.RescueResources)); err != nil {
		return err
	}
	hours, err := intParam(c, "hours", geo.DefaultPositionHours, 1, geo.MaxPositionHours)
	if err != nil {
		return err
	}
	now := time.Now()
	fixes, err := s.overview.Positions(c.Request().Context(), now.Add(-time.Duration(hours)*time.Hour))
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, f := range fixes {
		feat := geojson.NewFeature(orb.Point{f.Lon, f.Lat})
		feat.ID = f.ResourceID
		var incident any
		if len(f.IncidentID) > 0 && string(f.IncidentID) != "null" {
			incident = f.IncidentID
		}
		feat.Properties = geojson.Properties{"resource_id": f.ResourceID, "name": f.Name, "team_type": f.TeamType,
			"status": f.Status, "incident_id": incident, "recorded_at": f.RecordedAt.In(geo.Local), "received_at": f.ReceivedAt.In(geo.Local),
			"accuracy_m": f.AccuracyM, "age_s": max(0, int64(math.Round(now.Sub(f.RecordedAt).Seconds())))}
		fc.Append(feat)
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return geoJSON(c, fc)
}

// handleTrack: GET /api/v1/resources/{id}/track[?minutes=60], where a
// rescue resource has been in the last minutes (1 to 1440): a GeoJSON
// Feature whose geometry is the LineString of its fixes in time order (a
// Point for one fix, null for none).
func (s *Server) handleTrack(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.layerAllowed(c, geo.Layer(geo.RescueResources)); err != nil {
		return err
	}
	minutes, err := intParam(c, "minutes", geo.DefaultTrackMinutes, 1, geo.MaxTrackMinutes)
	if err != nil {
		return err
	}
	t, err := s.overview.Track(c.Request().Context(), id, time.Now().Add(-time.Duration(minutes)*time.Minute))
	if err != nil {
		return err
	}
	var geom any // null: no fix in the window
	switch len(t.Fixes) {
	case 0:
	case 1:
		geom = geojson.NewGeometry(orb.Point{t.Fixes[0].Lon, t.Fixes[0].Lat})
	default:
		line := make(orb.LineString, len(t.Fixes))
		for i, f := range t.Fixes {
			line[i] = orb.Point{f.Lon, f.Lat}
		}
		geom = geojson.NewGeometry(line)
	}
	times := make([]string, len(t.Fixes))
	for i, f := range t.Fixes {
		times[i] = f.RecordedAt.In(geo.Local).Format(time.RFC3339)
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return geoJSON(c, map[string]any{"type": "Feature", "id": t.ResourceID, "geometry": geom,
		"properties": map[string]any{"resource_id": t.ResourceID, "name": t.Name, "fixes": len(t.Fixes), "times": times, "minutes": minutes}})
}
