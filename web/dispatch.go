package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"riskmap/geo"
	"riskmap/geo/access"
)

// DispatchStore keeps incidents and assignments and answers the
// dispatcher's spatial questions; *postgis.Store is one.
type DispatchStore interface {
	ReportIncident(ctx context.Context, n geo.NewIncident, p orb.Point, actor string) (geo.Incident, error)
	Incident(ctx context.Context, id int64) (geo.Incident, error)
	Incidents(ctx context.Context, all bool, limit int) ([]geo.Incident, error)
	SetIncidentStatus(ctx context.Context, id int64, u geo.IncidentUpdate, actor string) (geo.Incident, error)
	Assign(ctx context.Context, id, res int64, travel *geo.Travel, actor string) (geo.Assignment, error)
	Release(ctx context.Context, id, res int64, actor string) error
	UpdatePosition(ctx context.Context, res int64, p orb.Point, accuracy *float64, at time.Time, source string) (bool, error)
	Nearest(ctx context.Context, q geo.NearestQuery) ([]geo.Candidate, error)
	Around(ctx context.Context, q geo.AroundQuery) (geo.Around, error)
	// ReceiveIncident records a level's receipt (接报) of an incident.
	ReceiveIncident(ctx context.Context, id int64, division, actor string) (geo.Incident, error)
	// Tasks is what waits for a division.
	Tasks(ctx context.Context, division string, limit int) (geo.Tasks, error)
}

// maxTasks bounds the tasks of each kind GET /api/v1/tasks lists.
const maxTasks = 200

// handleReceive: POST /api/v1/incidents/{id}/receipts {"division"
// (default: the caller's)}, a level's 接报 of an incident.
func (s *Server) handleReceive(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var body struct {
		Division string `json:"division"`
	}
	if c.Request().ContentLength != 0 {
		if err := decodeBody(c, &body); err != nil {
			return err
		}
	}
	in, err := s.dispatch.ReceiveIncident(c.Request().Context(), id, body.Division, s.actor(c))
	if err != nil {
		return err
	}
	division := body.Division
	if division == "" {
		division = principal(c).Division
	}
	s.audit(c, access.Entry{Action: "incident.receive", Target: fmt.Sprintf("incident:%d", id)}, nil, map[string]string{"division": division})
	return c.JSON(http.StatusOK, in)
}

// handleTasks: GET /api/v1/tasks, what waits for the caller's division
// (or the page's division=): incidents to receive, hidden hazards to move
// on, with their deadlines and counts.
func (s *Server) handleTasks(c echo.Context) error {
	if principal(c) == nil {
		return errLogin
	}
	t, err := s.dispatch.Tasks(c.Request().Context(), s.viewScope(c), maxTasks)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

// Router answers road-network questions; *postgis.Store is one. It may
// have no network loaded (RoadNetwork says so).
type Router interface {
	RoadNetwork(ctx context.Context) (geo.NetworkInfo, error)
	TravelTimes(ctx context.Context, to orb.Point, from []orb.Point) ([]geo.Travel, error)
	Route(ctx context.Context, from, to orb.Point) (geo.Route, error)
	Isochrones(ctx context.Context, at orb.Point, minutes []int, inbound bool) ([]geo.Isochrone, error)
}

// timePreselect is how many straight-line nearest candidates a ranking by
// travel time considers (domain.md §3.1: 20–50 survive the re-ranking):
// four times the limit, at least 40.
func timePreselect(limit int) int { return min(geo.MaxNearest*2, max(40, 4*limit)) }

// errNoNetwork answers a road question when no network is loaded.
var errNoNetwork = &geo.StateError{Action: "route", State: "no road network", Reason: "import the road network first (riskmap import --category roads)"}

// networkTTL is how long the server trusts what it last heard of the
// road network: an import is seen within it.
const networkTTL = 5 * time.Second

// netCache remembers the road network's size, so that a nearest query
// does not ask the database for it each time.
type netCache struct {
	sync.Mutex
	at   time.Time
	info geo.NetworkInfo
}

// network tells what road network is loaded (none without a router).
func (s *Server) network(ctx context.Context) (geo.NetworkInfo, error) {
	if s.router == nil {
		return geo.NetworkInfo{}, nil
	}
	s.net.Lock()
	defer s.net.Unlock()
	if time.Since(s.net.at) < networkTTL {
		return s.net.info, nil
	}
	n, err := s.router.RoadNetwork(ctx)
	if err != nil {
		return n, err
	}
	s.net.at, s.net.info = time.Now(), n
	return n, nil
}

// handleDispatchMeta: GET /api/v1/dispatch/meta, what the dispatcher's
// panel offers: incident kinds (with the teams they call for), levels,
// resource types, and the road network.
func (s *Server) handleDispatchMeta(c echo.Context) error {
	n, err := s.network(c.Request().Context())
	if err != nil {
		return err
	}
	type rt struct {
		Code      string   `json:"code"`
		TeamTypes []string `json:"team_types"`
	}
	types := make([]rt, len(geo.ResourceTypes))
	for i, t := range geo.ResourceTypes {
		types[i] = rt{t.Code, t.TeamTypes}
	}
	return c.JSON(http.StatusOK, map[string]any{
		"kinds": geo.IncidentKinds, "levels": geo.IncidentLevels, "resource_types": types,
		"isochrone_minutes": geo.IsochroneMinutes, "network": n,
	})
}

// handleReportIncident: POST /api/v1/incidents.
func (s *Server) handleReportIncident(c echo.Context) error {
	var n geo.NewIncident
	if err := decodeBody(c, &n); err != nil {
		return err
	}
	p, err := n.Check(time.Now())
	if err != nil {
		return err
	}
	in, err := s.dispatch.ReportIncident(c.Request().Context(), n, p, s.actor(c))
	if err != nil {
		return err
	}
	s.audit(c, access.Entry{Action: "incident.report", Target: fmt.Sprintf("incident:%d", in.ID)}, nil, in)
	return c.JSON(http.StatusCreated, in)
}

// maxIncidents bounds a list of incidents.
const maxIncidents = 1000

// handleIncidents: GET /api/v1/incidents[?all=true][&f=geojson].
func (s *Server) handleIncidents(c echo.Context) error {
	all, err := boolParam(c, "all")
	if err != nil {
		return err
	}
	list, err := s.dispatch.Incidents(c.Request().Context(), all, maxIncidents)
	if err != nil {
		return err
	}
	switch c.QueryParam("f") {
	case "", "json":
		if list == nil {
			list = []geo.Incident{}
		}
		return c.JSON(http.StatusOK, map[string]any{"incidents": list})
	case "geojson":
		fc := geojson.NewFeatureCollection()
		for _, in := range list {
			f := geojson.NewFeature(orb.Point{in.Lon, in.Lat})
			f.ID = in.ID
			f.Properties = geojson.Properties{"id": in.ID, "kind": in.Kind, "level": in.Level, "title": in.Title,
				"status": in.Status, "county_code": in.County, "reported_at": in.ReportedAt}
			fc.Append(f)
		}
		return geoJSON(c, fc)
	default:
		return geo.Invalidf("f", "%q is not a format here (want json or geojson)", c.QueryParam("f"))
	}
}

// handleIncident: GET /api/v1/incidents/{id}.
func (s *Server) handleIncident(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	in, err := s.dispatch.Incident(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if !geo.Within(s.viewScope(c), in.Division) {
		return fmt.Errorf("incident %d lies outside the reader's division: %w", id, geo.ErrNotFound)
	}
	if !s.mayRead(c, geo.Layer(geo.RescueResources)) {
		in.Assignments = []geo.Assignment{} // they name the resources
	}
	return c.JSON(http.StatusOK, in)
}

// handleUpdateIncident: PATCH /api/v1/incidents/{id} {"status": ...}.
func (s *Server) handleUpdateIncident(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var u geo.IncidentUpdate
	if err := decodeBody(c, &u); err != nil {
		return err
	}
	before, err := s.dispatch.Incident(c.Request().Context(), id)
	if err != nil {
		return err
	}
	out, err := s.dispatch.SetIncidentStatus(c.Request().Context(), id, u, s.actor(c))
	if err != nil {
		if errors.Is(err, geo.ErrConflict) {
			s.audit(c, access.Entry{Action: "incident.status", Target: fmt.Sprintf("incident:%d", id), Outcome: "refused"},
				map[string]any{"status": before.Status}, map[string]any{"status": u.Status, "reason": err.Error()})
		}
		return err
	}
	// Closing releases the resources still assigned: each is named.
	var released []int64
	for _, a := range before.Assignments {
		if !a.Active {
			continue
		}
		for _, b := range out.Assignments {
			if b.ID == a.ID && !b.Active {
				released = append(released, a.ResourceID)
			}
		}
	}
	after := map[string]any{"status": out.Status, "note": u.Note}
	if len(released) > 0 {
		after["released_resources"] = released
	}
	s.audit(c, access.Entry{Action: "incident.status", Target: fmt.Sprintf("incident:%d", id)},
		map[string]any{"status": before.Status}, after)
	return c.JSON(http.StatusOK, out)
}

// handleAssign: POST /api/v1/incidents/{id}/assignments {"resource_id": n}.
// With a road network, the travel time from the resource to the incident
// is recorded with the assignment.
func (s *Server) handleAssign(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var body struct {
		ResourceID int64 `json:"resource_id"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	if body.ResourceID < 1 {
		return geo.Invalidf("resource_id", "missing (want the id of a rescue resource)")
	}
	in, err := s.dispatch.Incident(ctx, id)
	if err != nil {
		return err
	}
	travel, err := s.travelOf(ctx, body.ResourceID, orb.Point{in.Lon, in.Lat})
	if err != nil {
		return err
	}
	a, err := s.dispatch.Assign(ctx, id, body.ResourceID, travel, s.actor(c))
	if err != nil {
		s.audit(c, access.Entry{Action: "incident.assign", Target: fmt.Sprintf("incident:%d", id), Outcome: "refused"},
			nil, map[string]any{"resource_id": body.ResourceID, "reason": publicReason(err)})
		return err
	}
	s.audit(c, access.Entry{Action: "incident.assign", Target: fmt.Sprintf("incident:%d", id)}, nil, a)
	return c.JSON(http.StatusCreated, a)
}

// travelOf is the road trip of a resource to p, or nil without a network
// (or when the resource is not a rescue resource: Assign says so).
func (s *Server) travelOf(ctx context.Context, res int64, p orb.Point) (*geo.Travel, error) {
	n, err := s.network(ctx)
	if err != nil || !n.Loaded() {
		return nil, err
	}
	o, err := s.features.Object(ctx, geo.RescueResources, res)
	if err != nil {
		return nil, nil
	}
	ts, err := s.router.TravelTimes(ctx, p, []orb.Point{o.Point})
	if err != nil {
		return nil, err
	}
	return &ts[0], nil
}

// handleRelease: DELETE /api/v1/incidents/{id}/assignments/{resource}.
func (s *Server) handleRelease(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	res, err := pathID(c, "resource")
	if err != nil {
		return err
	}
	if err := s.dispatch.Release(c.Request().Context(), id, res, s.actor(c)); err != nil {
		if errors.Is(err, geo.ErrConflict) || errors.Is(err, geo.ErrNotFound) {
			s.audit(c, access.Entry{Action: "incident.release", Target: fmt.Sprintf("incident:%d", id), Outcome: "refused"},
				map[string]any{"resource_id": res}, map[string]any{"reason": err.Error()})
		}
		return err
	}
	s.audit(c, access.Entry{Action: "incident.release", Target: fmt.Sprintf("incident:%d", id)}, map[string]any{"resource_id": res}, nil)
	return c.NoContent(http.StatusNoContent)
}

// handlePosition: POST /api/v1/resources/{id}/positions, a GPS/北斗 fix
// {"lon", "lat", "crs", "accuracy_m", "recorded_at"} (a feed sends it
// with an API token). The newest fix moves the resource on every map.
func (s *Server) handlePosition(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var fix geo.Position
	if err := decodeBody(c, &fix); err != nil {
		return err
	}
	if fix.Lon == nil {
		return geo.Invalidf("lon", "required: the fix's longitude")
	}
	if fix.Lat == nil {
		return geo.Invalidf("lat", "required: the fix's latitude")
	}
	p, err := geo.PointIn("", *fix.Lon, *fix.Lat, fix.CRS)
	if err != nil {
		return err
	}
	if fix.AccuracyM != nil && (*fix.AccuracyM < 0 || *fix.AccuracyM > 1e5) {
		return geo.Invalidf("accuracy_m", "%v is not an accuracy in metres (0 to 100000)", *fix.AccuracyM)
	}
	now := time.Now()
	if fix.RecordedAt.IsZero() {
		fix.RecordedAt = now
	} else if fix.RecordedAt.After(now.Add(5 * time.Minute)) {
		return geo.Invalidf("recorded_at", "%s is in the future", fix.RecordedAt.Format(time.RFC3339))
	}
	moved, err := s.dispatch.UpdatePosition(c.Request().Context(), id, p, fix.AccuracyM, fix.RecordedAt, s.actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"resource_id": id, "moved": moved, "lon": p[0], "lat": p[1]})
}

// handleNearest: GET /api/v1/nearest (see geo.ParseNearest). By distance,
// the KNN answer; by time, the straight-line nearest (timePreselect of
// them) ranked by road travel time, the unreachable last, then cut to
// the limit. eta_s adds the resource's prep time (prep_time_min).
func (s *Server) handleNearest(c echo.Context) error {
	ctx := c.Request().Context()
	q, err := geo.ParseNearest(c.QueryParams())
	if err != nil {
		return err
	}
	if err := s.layerAllowed(c, geo.Layer(q.Category)); err != nil {
		return err
	}
	n, err := s.network(ctx)
	if err != nil {
		return err
	}
	out := geo.Nearest{RankedBy: geo.ByDistance, Method: "knn", Network: n}
	limit := q.Limit
	if q.By == geo.ByTime {
		if n.Loaded() {
			q.Limit = timePreselect(limit)
			out.RankedBy, out.Method, out.Preselect = geo.ByTime, "knn+network", q.Limit
		} else {
			out.Note = "no road network loaded: ranked by straight-line distance"
		}
	}
	cands, err := s.dispatch.Nearest(ctx, q)
	if err != nil {
		return err
	}
	if n.Loaded() && len(cands) > 0 {
		from := make([]orb.Point, len(cands))
		for i, c := range cands {
			from[i] = orb.Point{c.Lon, c.Lat}
		}
		ts, err := s.router.TravelTimes(ctx, q.Point, from)
		if err != nil {
			return err
		}
		for i := range cands {
			t := ts[i]
			cands[i].Travel = &t
			if prep := cands[i].PrepMinutes; prep != nil && t.Reachable {
				eta := t.Seconds + *prep*60
				cands[i].ETASeconds = &eta
			}
		}
		if out.RankedBy == geo.ByTime {
			slices.SortStableFunc(cands, func(a, b geo.Candidate) int {
				if a.Travel.Reachable != b.Travel.Reachable {
					if a.Travel.Reachable {
						return -1
					}
					return 1
				}
				switch {
				case a.Travel.Seconds < b.Travel.Seconds:
					return -1
				case a.Travel.Seconds > b.Travel.Seconds:
					return 1
				}
				return 0 // stable: the nearer in a straight line first
			})
		}
	}
	out.Candidates = cands[:min(limit, len(cands))]
	if out.Candidates == nil {
		out.Candidates = []geo.Candidate{}
	}
	return c.JSON(http.StatusOK, out)
}

// pointParams reads a point from prefix+"lon", prefix+"lat" and crs.
func pointParams(q url.Values, prefix string) (orb.Point, error) {
	var v [2]float64
	for i, name := range []string{prefix + "lon", prefix + "lat"} {
		s := q.Get(name)
		if s == "" {
			return orb.Point{}, geo.Invalidf(name, "missing")
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return orb.Point{}, geo.Invalidf(name, "%q is not a number", s)
		}
		v[i] = f
	}
	return geo.PointIn(prefix, v[0], v[1], q.Get("crs"))
}

// handleRoute: GET /api/v1/route?from_lon&from_lat&to_lon&to_lat[&crs],
// the road path as a GeoJSON LineString feature with seconds and metres.
func (s *Server) handleRoute(c echo.Context) error {
	ctx := c.Request().Context()
	q := c.QueryParams()
	from, err := pointParams(q, "from_")
	if err != nil {
		return err
	}
	to, err := pointParams(q, "to_")
	if err != nil {
		return err
	}
	n, err := s.network(ctx)
	if err != nil {
		return err
	}
	if !n.Loaded() {
		return errNoNetwork
	}
	r, err := s.router.Route(ctx, from, to)
	if err != nil {
		return err
	}
	if !r.Reachable {
		return &geo.StateError{Action: "route", State: "unreachable", Reason: "no road joins the two points"}
	}
	f := geojson.NewFeature(r.Line)
	f.Properties = geojson.Properties{"seconds": r.Seconds, "metres": r.Metres}
	return geoJSON(c, f)
}

// handleIsochrones: GET /api/v1/isochrones?lon&lat[&crs][&minutes=5,10,15,30][&direction=in|out]:
// the areas within each band of driving time (direction in: from which
// the point can be reached, as for an incident; out: that can be reached
// from it, as for a resource's base), as a GeoJSON collection.
func (s *Server) handleIsochrones(c echo.Context) error {
	ctx := c.Request().Context()
	q := c.QueryParams()
	p, err := pointParams(q, "")
	if err != nil {
		return err
	}
	minutes := geo.IsochroneMinutes
	if v := q.Get("minutes"); v != "" {
		minutes = nil
		for _, part := range strings.Split(v, ",") {
			m, err := strconv.Atoi(strings.TrimSpace(part))
			if err != nil || m < 1 || m > 120 {
				return geo.Invalidf("minutes", "%q is not a whole number of minutes from 1 to 120", part)
			}
			minutes = append(minutes, m)
		}
		if len(minutes) > 6 {
			return geo.Invalidf("minutes", "more than 6 bands")
		}
		slices.Sort(minutes)
		minutes = slices.Compact(minutes)
	}
	inbound := true
	switch q.Get("direction") {
	case "", "in":
	case "out":
		inbound = false
	default:
		return geo.Invalidf("direction", "%q is not a direction (want in or out)", q.Get("direction"))
	}
	n, err := s.network(ctx)
	if err != nil {
		return err
	}
	if !n.Loaded() {
		return errNoNetwork
	}
	bands, err := s.router.Isochrones(ctx, p, minutes, inbound)
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, b := range bands {
		if b.Area == nil {
			continue
		}
		f := geojson.NewFeature(b.Area)
		f.Properties = geojson.Properties{"minutes": b.Minutes}
		fc.Append(f)
	}
	return geoJSON(c, fc)
}

// handleAround: GET /api/v1/around?lon&lat[&crs][&radius=1000,3000,5000]
// or &polygon=<GeoJSON geometry>[&f=geojson]: what lies around an
// incident (see postgis.Store.Around).
func (s *Server) handleAround(c echo.Context) error {
	q := c.QueryParams()
	var aq geo.AroundQuery
	if v := q.Get("polygon"); v != "" {
		if q.Get("radius") != "" {
			return geo.Invalidf("polygon", "give either radius or polygon, not both")
		}
		if len(v) > 200_000 {
			return geo.Invalidf("polygon", "larger than 200 kB")
		}
		g, err := geojson.UnmarshalGeometry([]byte(v))
		if err != nil {
			return geo.Invalidf("polygon", "not a GeoJSON geometry")
		}
		mp, problems, err := geo.CheckPolygons("polygon", g.Geometry())
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			for i := range problems {
				problems[i].Repairable = false // the area is the client's to redraw
			}
			return &geo.GeometryError{Param: "polygon", Problems: problems}
		}
		aq.Polygon = mp
		b := aq.Polygon.Bound()
		if q.Get("lon") != "" {
			p, err := pointParams(q, "")
			if err != nil {
				return err
			}
			aq.Point = p
		} else {
			aq.Point = b.Center()
		}
	} else {
		p, err := pointParams(q, "")
		if err != nil {
			return err
		}
		aq.Point = p
		aq.Radii = geo.DefaultAroundRadii
		if v := q.Get("radius"); v != "" {
			aq.Radii = nil
			for _, part := range strings.Split(v, ",") {
				r, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
				if err != nil || !(r > 0 && r <= geo.MaxAroundRadius) {
					return geo.Invalidf("radius", "%q is not a radius in metres (above 0, at most %d)", part, geo.MaxAroundRadius)
				}
				aq.Radii = append(aq.Radii, r)
			}
			if len(aq.Radii) > 5 {
				return geo.Invalidf("radius", "more than 5 radii")
			}
			slices.Sort(aq.Radii)
			aq.Radii = slices.Compact(aq.Radii)
		}
	}
	a, err := s.dispatch.Around(c.Request().Context(), aq)
	if err != nil {
		return err
	}
	s.hideUnreadable(c, &a)
	switch c.QueryParam("f") {
	case "", "json":
		return c.JSON(http.StatusOK, a)
	case "geojson":
		fc := geojson.NewFeatureCollection()
		for _, o := range a.Objects {
			f := geojson.NewFeature(orb.Point{o.Lon, o.Lat})
			f.ID = o.ID
			f.Properties = geojson.Properties{"kind": "object", "id": o.ID, "category": o.Category, "name": o.Name,
				"grade": o.Grade.String(), "distance_m": o.DistanceM}
			fc.Append(f)
		}
		for _, h := range a.Hazards {
			f := geojson.NewFeature(orb.Point{h.Lon, h.Lat})
			f.Properties = geojson.Properties{"kind": "hidden_hazard", "id": h.ID, "code": h.Code, "title": h.Title,
				"level": h.Level, "state": h.State, "overdue": h.Overdue, "distance_m": h.DistanceM}
			fc.Append(f)
		}
		return geoJSON(c, fc)
	default:
		return geo.Invalidf("f", "%q is not a format here (want json or geojson)", c.QueryParam("f"))
	}
}

// hideUnreadable leaves out of an around analysis the layers the request
// may not see.
func (s *Server) hideUnreadable(c echo.Context, a *geo.Around) {
	a.Objects = slices.DeleteFunc(a.Objects, func(o geo.AroundObject) bool { return !s.mayRead(c, geo.Layer(o.Category)) })
	if !s.mayRead(c, geo.HiddenHazards) {
		a.Hazards = []geo.AroundHazard{}
	}
	for i := range a.Rings {
		for cat := range a.Rings[i].Objects {
			if !s.mayRead(c, geo.Layer(cat)) {
				delete(a.Rings[i].Objects, cat)
			}
		}
		if !s.mayRead(c, geo.HiddenHazards) {
			a.Rings[i].HiddenHazards = geo.HazardTally{}
		}
		if !s.mayRead(c, geo.Layer(geo.Shelters)) {
			a.Rings[i].Shelters = geo.ShelterSum{}
		}
	}
}

// intParam reads an optional whole-number query parameter from lo to hi.
func intParam(c echo.Context, name string, def, lo, hi int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, geo.Invalidf(name, "%q is not a whole number from %d to %d", v, lo, hi)
	}
	return n, nil
}

// boolParam reads an optional true/false query parameter.
func boolParam(c echo.Context, name string) (bool, error) {
	v := c.QueryParam(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, geo.Invalidf(name, "%q is not true or false", v)
	}
	return b, nil
}

// geoJSON writes v as application/geo+json.
func geoJSON(c echo.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode GeoJSON: %w", err)
	}
	return c.Blob(http.StatusOK, geoJSONType, b)
}

// publicReason is what the audit log says of a refusal: the client's
// message for invalid input and conflicts, else only that it failed.
func publicReason(err error) string {
	var pe *geo.ParamError
	var se *geo.StateError
	if errors.As(err, &pe) || errors.As(err, &se) {
		return err.Error()
	}
	return "failed"
}
