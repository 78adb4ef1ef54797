package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"riskmap/geo"
	"riskmap/geo/access"
)

// ZoneStore keeps the planners' hazard zones and their versions;
// *postgis.Store is one.
type ZoneStore interface {
	CreateZone(ctx context.Context, f geo.ZoneFeature, opt geo.ZoneOptions, actor string) (geo.Zone, error)
	UpdateZone(ctx context.Context, id int64, ifVersion int, f geo.ZoneFeature, opt geo.ZoneOptions, actor string) (geo.Zone, error)
	DeleteZone(ctx context.Context, id int64, ifVersion int, actor string) (geo.Zone, error)
	RestoreZone(ctx context.Context, id int64, from, ifVersion int, actor string) (geo.Zone, error)
	Zone(ctx context.Context, id int64) (geo.Zone, error)
	Zones(ctx context.Context, q geo.ZoneQuery) ([]geo.Zone, int, error)
	ZoneVersion(ctx context.Context, id int64, v int) (geo.Zone, error)
	ZoneVersions(ctx context.Context, id int64) ([]geo.ZoneVersion, error)
	ZoneAnalysis(ctx context.Context, id int64, reachM float64) (geo.ZoneAnalysis, error)
	SplitZone(ctx context.Context, id int64, ifVersion int, line orb.LineString, actor string) (geo.Zone, []geo.Zone, error)
	MergeZones(ctx context.Context, refs []geo.ZoneRef, actor string) (geo.Zone, error)
}

// maxZoneBody bounds a zone's GeoJSON body: room for a county-snapped
// outline (geo.MaxPolygonVertices positions bound the work).
const maxZoneBody = 8 << 20

// zoneRoutes adds the zone endpoints.
func (s *Server) zoneRoutes() {
	e, read := s.echo, s.read
	e.GET("/api/v1/zones", read(s.handleZones))
	e.GET("/api/v1/zones/:id", read(s.handleZone))
	e.GET("/api/v1/zones/:id/versions", read(s.handleZoneVersions))
	e.GET("/api/v1/zones/:id/versions/:version", read(s.handleZoneVersion))
	e.GET("/api/v1/zones/:id/analysis", read(s.handleZoneAnalysis))
	e.POST("/api/v1/zones", s.write(access.Planner, "zone.create", s.handleCreateZone))
	e.PUT("/api/v1/zones/:id", s.write(access.Planner, "zone.update", s.handleUpdateZone))
	e.DELETE("/api/v1/zones/:id", s.write(access.Planner, "zone.delete", s.handleDeleteZone))
	e.POST("/api/v1/zones/:id/versions/:version/restore", s.write(access.Planner, "zone.restore", s.handleRestoreZone))
	e.POST("/api/v1/zones/:id/split", s.write(access.Planner, "zone.split", s.handleSplitZone))
	e.POST("/api/v1/zones/merge", s.write(access.Planner, "zone.merge", s.handleMergeZones))
}

// zoneOptions reads the planner's consent: repair, clip (true/false) and
// snap (metres).
func zoneOptions(c echo.Context) (geo.ZoneOptions, error) {
	var o geo.ZoneOptions
	var err error
	if o.Repair, err = boolParam(c, "repair"); err != nil {
		return o, err
	}
	if o.Clip, err = boolParam(c, "clip"); err != nil {
		return o, err
	}
	if v := c.QueryParam("snap"); v != "" {
		m, err := strconv.ParseFloat(v, 64)
		if err != nil || !(m >= 1 && m <= geo.MaxSnapM) {
			return o, geo.Invalidf("snap", "%q: a distance in metres, from 1 to %d", v, geo.MaxSnapM)
		}
		o.SnapM = m
	}
	return o, nil
}

// readZone reads a GeoJSON Feature body as a zone.
func readZone(c echo.Context) (geo.ZoneFeature, error) {
	if ct := c.Request().Header.Get(echo.HeaderContentType); ct != "" && !strings.HasPrefix(ct, echo.MIMEApplicationJSON) && !strings.HasPrefix(ct, geoJSONType) {
		return geo.ZoneFeature{}, geo.Invalidf("Content-Type", "%q: send application/geo+json or application/json", ct)
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, maxZoneBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return geo.ZoneFeature{}, echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d MiB", maxZoneBody>>20))
	}
	if err != nil {
		return geo.ZoneFeature{}, fmt.Errorf("read the zone: %w", err)
	}
	if len(body) == 0 {
		return geo.ZoneFeature{}, geo.Invalidf("body", "empty: send a GeoJSON Feature")
	}
	return geo.ParseZoneFeature(body)
}

// ifMatch is the version the client edited, from If-Match (0: none).
func ifMatch(c echo.Context) (int, error) {
	return geo.ParseVersion(c.Request().Header.Get("If-Match"))
}

// needVersion is ifMatch for writes, which must name one: a missing
// If-Match is answered 428 with the current version.
func (s *Server) needVersion(c echo.Context, id int64) (int, error) {
	v, err := ifMatch(c)
	if err != nil || v > 0 {
		return v, err
	}
	z, err := s.zones.Zone(c.Request().Context(), id)
	if err != nil {
		return 0, err
	}
	return 0, &geo.VersionError{Resource: fmt.Sprintf("zone %d", id), CurrentVersion: z.Version, Current: z.Feature()}
}

// writeZone answers with the zone as a GeoJSON Feature and its version
// as the ETag.
func writeZone(c echo.Context, status int, z geo.Zone) error {
	c.Response().Header().Set("ETag", strconv.Quote(strconv.Itoa(z.Version)))
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return writeJSONAs(c, status, geoJSONType, z.Feature())
}

// writeJSONAs writes v as JSON with the content type given.
func writeJSONAs(c echo.Context, status int, contentType string, v any) error {
	c.Response().Header().Set(echo.HeaderContentType, contentType)
	c.Response().WriteHeader(status)
	return jsonEncode(c.Response(), v)
}

// zoneAudit is what the audit log keeps of a zone: its fields and
// version, not its geometry (the versions keep that).
func zoneAudit(z geo.Zone) map[string]any {
	return map[string]any{"version": z.Version, "name": z.Name, "hazard_type": z.HazardType, "zone_kind": z.Kind,
		"grade": z.Grade.String(), "area_m2": z.AreaM2, "counties": z.Counties, "deleted": z.Deleted}
}

// handleZones: GET /api/v1/zones[?bbox][&hazard_type=a,b][&grade=red,orange]
// [&deleted=true][&limit][&offset]: a FeatureCollection.
func (s *Server) handleZones(c echo.Context) error {
	q := c.QueryParams()
	p, err := parsePage(q)
	if err != nil {
		return err
	}
	zq := geo.ZoneQuery{BBox: p.BBox, Limit: p.Limit, Offset: p.Offset}
	if v := q.Get("hazard_type"); v != "" {
		for _, t := range strings.Split(v, ",") {
			if !contains(geo.HazardTypes, t) {
				return geo.Invalidf("hazard_type", "%q is not a hazard type (want %s)", t, strings.Join(geo.HazardTypes, ", "))
			}
			zq.HazardTypes = append(zq.HazardTypes, t)
		}
	}
	if v := q.Get("grade"); v != "" {
		for _, t := range strings.Split(v, ",") {
			g, err := geo.ParseGrade(t)
			if err != nil || !g.Assessed() {
				return geo.Invalidf("grade", "%q is not a zone grade (want red, orange, yellow, blue)", t)
			}
			zq.Grades = append(zq.Grades, g)
		}
	}
	if zq.Deleted, err = boolParam(c, "deleted"); err != nil {
		return err
	}
	zs, total, err := s.zones.Zones(c.Request().Context(), zq)
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, z := range zs {
		fc.Append(z.Feature())
	}
	self := s.baseURL(c) + c.Request().URL.Path
	links := []link{{Href: self + "?" + q.Encode(), Rel: "self", Type: geoJSONType}}
	if p.Offset+len(zs) < total {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("offset", strconv.Itoa(p.Offset+len(zs)))
		v.Set("limit", strconv.Itoa(p.Limit))
		links = append(links, link{Href: self + "?" + v.Encode(), Rel: "next", Type: geoJSONType})
	}
	fc.ExtraMembers = geojson.Properties{"numberMatched": total, "numberReturned": len(zs),
		"timeStamp": time.Now().UTC().Format(time.RFC3339), "links": links}
	return writeGeoJSON(c, fc)
}

func zoneID(c echo.Context) (int64, error) { return pathID(c, "id") }

// handleZone: GET /api/v1/zones/{id}, with the version as ETag.
func (s *Server) handleZone(c echo.Context) error {
	id, err := zoneID(c)
	if err != nil {
		return err
	}
	z, err := s.zones.Zone(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return writeZone(c, http.StatusOK, z)
}

// handleCreateZone: POST /api/v1/zones[?repair=true][&clip=true][&snap=m]
// with a GeoJSON Feature.
func (s *Server) handleCreateZone(c echo.Context) error {
	opt, err := zoneOptions(c)
	if err != nil {
		return err
	}
	f, err := readZone(c)
	if err != nil {
		return err
	}
	z, err := s.zones.CreateZone(c.Request().Context(), f, opt, s.actor(c))
	if err != nil {
		return err
	}
	s.audit(c, access.Entry{Action: "zone.create", Target: fmt.Sprintf("zone:%d", z.ID)}, nil, zoneAudit(z))
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("%s/api/v1/zones/%d", s.baseURL(c), z.ID))
	return writeZone(c, http.StatusCreated, z)
}

// handleUpdateZone: PUT /api/v1/zones/{id} with If-Match and a Feature.
func (s *Server) handleUpdateZone(c echo.Context) error {
	id, err := zoneID(c)
	if err != nil {
		return err
	}
	opt, err := zoneOptions(c)
	if err != nil {
		return err
	}
	f, err := readZone(c)
	if err != nil {
		return err
	}
	v, err := s.needVersion(c, id)
	if err != nil {
		return err
	}
	before, err := s.zones.Zone(c.Request().Context(), id)
	if err != nil {
		return err
	}
	z, err := s.zones.UpdateZone(c.Request().Context(), id, v, f, opt, s.actor(c))
	if err != nil {
		return err
	}
	s.audit(c, access.Entry{Action: "zone.update", Target: fmt.Sprintf("zone:%d", id)}, zoneAudit(before), zoneAudit(z))
	return writeZone(c, http.StatusOK, z)
}

// handleDeleteZone: DELETE /api/v1/zones/{id} with If-Match; soft: the
// zone leaves the map and stays restorable.
func (s *Server) handleDeleteZone(c echo.Context) error {
	id, err := zoneID(c)
	if err != nil {
		return err
	}
	v, err := s.needVersion(c, id)
	if err != nil {
		return err
	}
	z, err := s.zones.DeleteZone(c.Request().Context(), id, v, s.actor(c))
	if err != nil {
		return err
	}
	s.audit(c, access.Entry{Action: "zone.delete", Target: fmt.Sprintf("zone:%d", id)}, map[string]any{"version": v}, zoneAudit(z))
	return writeZone(c, http.StatusOK, z)
}

func versionParam(c echo.Context) (int, error) {
	v, err := strconv.Atoi(c.Param("version"))
	if err != nil || v < 1 {
		return 0, geo.Invalidf("version", "%q is not a version (1, 2, …)", c.Param("version"))
	}
	return v, nil
}

// handleZoneVersions: GET /api/v1/zones/{id}/versions.
func (s *Server) handleZoneVersions(c echo.Context) error {
	id, err := zoneID(c)
	if err != nil {
		return err
	}
	vs, err := s.zones.ZoneVersions(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"zone_id": id, "versions": vs})
}

// handleZoneVersion: GET /api/v1/zones/{id}/versions/{version}.
func (s *Server) handleZoneVersion(c echo.Context) error {
	id, err := zoneID(c)
	if err != nil {
		return err
	}
	v, err := versionParam(c)
	if err != nil {
		return err
	}
	z, err := s.zones.ZoneVersion(c.Request().Context(), id, v)
	if err != nil {
		return err
	}
	return writeJSONAs(c, http.StatusOK, geoJSONType, z.Feature())
}

// handleRestoreZone: POST /api/v1/zones/{id}/versions/{version}/restore
// with If-Match: that version becomes the newest (undeleting the zone).
func (s *Server) handleRestoreZone(c echo.Context) error {
	id, err := zoneID(c)
	if err != nil {
		return err
	}
	from, err := versionParam(c)
	if err != nil {
		return err
	}
	v, err := s.needVersion(c, id)
	if err != nil {
		return err
	}
	z, err := s.zones.RestoreZone(c.Request().Context(), id, from, v, s.actor(c))
	if err != nil {
		return err
	}
	s.audit(c, access.Entry{Action: "zone.restore", Target: fmt.Sprintf("zone:%d", id)}, map[string]any{"version": v, "restored": from}, zoneAudit(z))
	return writeZone(c, http.StatusOK, z)
}

// handleZoneAnalysis: GET /api/v1/zones/{id}/analysis[?reach=metres].
// What the zone holds is filtered by what the request may read.
func (s *Server) handleZoneAnalysis(c echo.Context) error {
	id, err := zoneID(c)
	if err != nil {
		return err
	}
	reach := float64(geo.DefaultZoneReachM)
	if v := c.QueryParam("reach"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || !(r >= 0 && r <= geo.MaxZoneReachM) {
			return geo.Invalidf("reach", "%q: metres from 0 to %d", v, geo.MaxZoneReachM)
		}
		reach = r
	}
	a, err := s.zones.ZoneAnalysis(c.Request().Context(), id, reach)
	if err != nil {
		return err
	}
	s.hideUnreadable(c, &a.Inside)
	if !s.mayRead(c, geo.Layer(geo.Shelters)) {
		a.Reach, a.ReachSummary = []geo.AroundObject{}, geo.ShelterSum{}
	}
	return c.JSON(http.StatusOK, a)
}

// handleSplitZone: POST /api/v1/zones/{id}/split {"line": <GeoJSON
// LineString>} with If-Match: the zone keeps the largest piece, each
// other piece becomes a zone. Answers {"zone": Feature, "created": [Feature…]}.
func (s *Server) handleSplitZone(c echo.Context) error {
	id, err := zoneID(c)
	if err != nil {
		return err
	}
	var body struct {
		Line json.RawMessage `json:"line"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	if len(body.Line) == 0 {
		return geo.Invalidf("line", "required: a GeoJSON LineString across the zone")
	}
	g, err := geojson.UnmarshalGeometry(body.Line)
	if err != nil {
		return geo.Invalidf("line", "not a GeoJSON geometry")
	}
	line, ok := g.Geometry().(orb.LineString)
	if !ok {
		return geo.Invalidf("line", "a %s, not a LineString", g.Type)
	}
	v, err := s.needVersion(c, id)
	if err != nil {
		return err
	}
	z, created, err := s.zones.SplitZone(c.Request().Context(), id, v, line, s.actor(c))
	if err != nil {
		return err
	}
	ids := make([]int64, len(created))
	out := make([]*geojson.Feature, len(created))
	for i, n := range created {
		ids[i], out[i] = n.ID, n.Feature()
	}
	s.audit(c, access.Entry{Action: "zone.split", Target: fmt.Sprintf("zone:%d", id)}, map[string]any{"version": v},
		map[string]any{"zone": zoneAudit(z), "created": ids})
	c.Response().Header().Set("ETag", strconv.Quote(strconv.Itoa(z.Version)))
	return c.JSON(http.StatusOK, map[string]any{"zone": z.Feature(), "created": out})
}

// handleMergeZones: POST /api/v1/zones/merge {"zones": [{"id", "version"}…]}:
// the first keeps its fields and takes the union of their areas, the
// others are deleted (merged). Answers the merged zone.
func (s *Server) handleMergeZones(c echo.Context) error {
	var body struct {
		Zones []geo.ZoneRef `json:"zones"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	z, err := s.zones.MergeZones(c.Request().Context(), body.Zones, s.actor(c))
	if err != nil {
		return err
	}
	ids := make([]int64, len(body.Zones))
	for i, r := range body.Zones {
		ids[i] = r.ID
	}
	s.audit(c, access.Entry{Action: "zone.merge", Target: fmt.Sprintf("zone:%d", z.ID)}, map[string]any{"zones": body.Zones},
		map[string]any{"zone": zoneAudit(z), "merged": ids[1:]})
	return writeZone(c, http.StatusOK, z)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
