package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"

	"riskmap/geo"
	"riskmap/geo/access"
)

// ReportIncident stores a new incident (status open) at p (CGCS2000).
func (s *Store) ReportIncident(ctx context.Context, n geo.NewIncident, p orb.Point, actor string) (geo.Incident, error) {
	var id int64
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, s.q.get("incident_insert"), n.Kind, n.Level, n.Title, n.Description, p[0], p[1], *n.ReportedAt, actor).Scan(&id); err != nil {
			return fmt.Errorf("report incident: %w", classify(err))
		}
		lim := s.reportLimits
		if lim.County <= 0 {
			lim = geo.DefaultReportLimits
		}
		if _, err := tx.Exec(ctx, s.q.get("incident_receipts_create"), id, lim.County.Seconds(), lim.PerLevel.Seconds()); err != nil {
			return fmt.Errorf("report incident %d to the levels above: %w", id, classify(err))
		}
		return s.notifyDispatch(ctx, tx, id, "reported", nil, geo.IncidentOpen)
	})
	if err != nil {
		return geo.Incident{}, err
	}
	return s.Incident(ctx, id)
}

// Incident returns an incident with its assignments.
func (s *Store) Incident(ctx context.Context, id int64) (geo.Incident, error) {
	return incident(ctx, s.pool, s.q, id)
}

func incident(ctx context.Context, db querier, q queries, id int64) (geo.Incident, error) {
	in, err := scanIncident(db.QueryRow(ctx, q.get("incident_get"), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return geo.Incident{}, fmt.Errorf("incident %d: %w", id, geo.ErrNotFound)
	}
	if err != nil {
		return geo.Incident{}, fmt.Errorf("read incident %d: %w", id, classify(err))
	}
	rows, err := db.Query(ctx, q.get("incident_assignments"), id)
	if err != nil {
		return geo.Incident{}, fmt.Errorf("read the assignments of incident %d: %w", id, classify(err))
	}
	in.Assignments, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (geo.Assignment, error) {
		var a geo.Assignment
		err := r.Scan(&a.ID, &a.IncidentID, &a.ResourceID, &a.ResourceName, &a.TeamType, &a.StraightM, &a.ETASeconds,
			&a.ETAMethod, &a.AssignedBy, &a.AssignedAt, &a.ReleasedBy, &a.ReleasedAt)
		a.Active = a.ReleasedAt == nil
		return a, err
	})
	if err != nil {
		return geo.Incident{}, fmt.Errorf("read the assignments of incident %d: %w", id, classify(err))
	}
	if in.Assignments == nil {
		in.Assignments = []geo.Assignment{}
	}
	rows, err = db.Query(ctx, q.get("incident_receipts"), id)
	if err != nil {
		return geo.Incident{}, fmt.Errorf("read the receipts of incident %d: %w", id, classify(err))
	}
	in.Receipts, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (geo.Receipt, error) {
		var x geo.Receipt
		err := r.Scan(&x.Division, &x.DivisionName, &x.Level, &x.DueAt, &x.ReceivedBy, &x.ReceivedAt, &x.Overdue)
		return x, err
	})
	if err != nil {
		return geo.Incident{}, fmt.Errorf("read the receipts of incident %d: %w", id, classify(err))
	}
	if in.Receipts == nil {
		in.Receipts = []geo.Receipt{}
	}
	return in, nil
}

// SetReportLimits sets how long the levels have to receive an incident
// (the zero value: geo.DefaultReportLimits).
func (s *Store) SetReportLimits(l geo.ReportLimits) { s.reportLimits = l }

// ReceiveIncident records that division (the actor's when "") received
// incident id (接报), by actor; receiving it again changes nothing. A
// division with no receipt of it is a *geo.StateError; one outside the
// actor's a *geo.ScopeError.
func (s *Store) ReceiveIncident(ctx context.Context, id int64, division, actor string) (geo.Incident, error) {
	var out geo.Incident
	err := s.tx(ctx, func(tx pgx.Tx) error {
		status, _, err := s.lockIncident(ctx, tx, id)
		if err != nil {
			return err
		}
		if division == "" {
			if p := access.ActorFrom(ctx); p != nil {
				division = p.Division
			}
		}
		if division == "" {
			return geo.Invalidf("division", "say which division receives the incident")
		}
		var at time.Time
		err = tx.QueryRow(ctx, s.q.get("incident_receive"), id, division, actor).Scan(&at)
		if errors.Is(err, pgx.ErrNoRows) {
			in, rerr := incident(ctx, tx, s.q, id)
			if rerr != nil {
				return rerr
			}
			if p := access.ActorFrom(ctx); p != nil && !geo.Within(p.Division, in.Division) {
				return &geo.ScopeError{Target: in.Division, What: "the incident"}
			}
			return &geo.StateError{Action: "receive", State: "no receipt",
				Reason: fmt.Sprintf("division %s has no receipt of incident %d: the county and the levels above it receive it", division, id)}
		}
		if err != nil {
			return fmt.Errorf("receive incident %d: %w", id, classify(err))
		}
		if err := s.notifyDispatch(ctx, tx, id, "received", nil, status); err != nil {
			return err
		}
		out, err = incident(ctx, tx, s.q, id)
		return err
	})
	return out, err
}

// Tasks is what waits for division (its prefix for hazards and the
// supervised side of supervisions; exactly it for receipts and
// supervisions to lift; "" everything): at most limit of each kind, the most
// urgent first, and their counts.
func (s *Store) Tasks(ctx context.Context, division string, limit int) (geo.Tasks, error) {
	t := geo.Tasks{Division: division, Counts: map[string]int{"receipts": 0, "receipts_overdue": 0, "hazards": 0, "hazards_overdue": 0,
		"supervisions": 0, "supervisions_overdue": 0}, Receipts: []geo.ReceiptTask{}, Hazards: []geo.HazardTask{}, Supervisions: []geo.Supervision{}}
	var exact, prefix any
	if division != "" {
		exact, prefix = division, geo.DivisionPrefix(division)
	}
	rows, err := s.pool.Query(ctx, s.q.get("tasks_receipts"), exact, limit)
	if err != nil {
		return t, fmt.Errorf("read the receipts waiting: %w", classify(err))
	}
	var r geo.ReceiptTask
	var n, late int
	if _, err := pgx.ForEachRow(rows, []any{&r.IncidentID, &r.Title, &r.Level, &r.ReportedAt, &r.Division, &r.DivisionName, &r.DueAt, &r.Overdue, &n, &late}, func() error {
		t.Receipts = append(t.Receipts, r)
		t.Counts["receipts"], t.Counts["receipts_overdue"] = n, late
		return nil
	}); err != nil {
		return t, fmt.Errorf("read the receipts waiting: %w", classify(err))
	}
	rows, err = s.pool.Query(ctx, s.q.get("tasks_hazards"), prefix, limit)
	if err != nil {
		return t, fmt.Errorf("read the hazards waiting: %w", classify(err))
	}
	var h geo.HazardTask
	if _, err := pgx.ForEachRow(rows, []any{&h.ID, &h.Code, &h.Title, &h.Level, &h.State, &h.Division, &h.DivisionName, &h.RectifyDeadline, &h.Overdue,
		&h.SupervisionDeadline, &h.SupervisionOverdue, &h.SupervisedBy, &n, &late}, func() error {
		t.Hazards = append(t.Hazards, h)
		t.Counts["hazards"], t.Counts["hazards_overdue"] = n, late
		return nil
	}); err != nil {
		return t, fmt.Errorf("read the hazards waiting: %w", classify(err))
	}
	rows, err = s.pool.Query(ctx, s.q.get("tasks_supervisions"), prefix, exact, limit)
	if err != nil {
		return t, fmt.Errorf("read the supervisions waiting: %w", classify(err))
	}
	var sv geo.Supervision
	if _, err := pgx.ForEachRow(rows, supervisionColumns(&sv, &n, &late), func() error {
		t.Supervisions = append(t.Supervisions, sv)
		t.Counts["supervisions"], t.Counts["supervisions_overdue"] = n, late
		return nil
	}); err != nil {
		return t, fmt.Errorf("read the supervisions waiting: %w", classify(err))
	}
	return t, nil
}

func scanIncident(row pgx.Row) (geo.Incident, error) {
	var in geo.Incident
	err := row.Scan(&in.ID, &in.Kind, &in.Level, &in.Title, &in.Description, &in.Lon, &in.Lat, &in.County,
		&in.ReportedAt, &in.Status, &in.CreatedBy, &in.UpdatedAt, &in.ClosedAt, &in.Division)
	return in, err
}

// Incidents lists the incidents not closed (all with all), the newest
// report first, at most limit of them. Their Assignments are not read.
func (s *Store) Incidents(ctx context.Context, all bool, limit int) ([]geo.Incident, error) {
	rows, err := s.pool.Query(ctx, s.q.get("incident_list"), all, limit, readWithin(ctx))
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", classify(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (geo.Incident, error) { return scanIncident(r) })
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", classify(err))
	}
	return out, nil
}

// SetIncidentStatus moves an incident to u.Status. Closing it releases
// every resource still assigned to it.
func (s *Store) SetIncidentStatus(ctx context.Context, id int64, u geo.IncidentUpdate, actor string) (geo.Incident, error) {
	var out geo.Incident
	err := s.tx(ctx, func(tx pgx.Tx) error {
		status, _, err := s.lockIncident(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := u.Check(status); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, s.q.get("incident_set_status"), id, u.Status); err != nil {
			return fmt.Errorf("set the status of incident %d: %w", id, classify(err))
		}
		var released []int64
		if u.Status == geo.IncidentClosed {
			if released, err = s.release(ctx, tx, id, nil, actor); err != nil {
				return err
			}
		}
		if err := s.notifyDispatch(ctx, tx, id, "status", released, u.Status); err != nil {
			return err
		}
		out, err = incident(ctx, tx, s.q, id)
		return err
	})
	return out, err
}

// lockIncident locks incident id for a change and returns its status and
// place (hex EWKB, for the next statements).
func (s *Store) lockIncident(ctx context.Context, tx pgx.Tx, id int64) (string, string, error) {
	var status, place string
	err := tx.QueryRow(ctx, s.q.get("incident_lock"), id).Scan(&status, &place)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", fmt.Errorf("incident %d: %w", id, geo.ErrNotFound)
	}
	if err != nil {
		return "", "", fmt.Errorf("lock incident %d: %w", id, classify(err))
	}
	return status, place, nil
}

// Assign gives rescue resource res to incident id: the resource's status
// becomes dispatched, and the incident, when open, responding. travel is
// the road trip the dispatcher saw (nil: none, ranked by straight line).
// A resource already dispatched (to this incident or another), out of
// service, retired, or not a rescue resource is refused with a
// *geo.StateError or *geo.ParamError; the unique index on active
// assignments refuses a double booking even if two dispatchers click at
// the same instant.
func (s *Store) Assign(ctx context.Context, id, res int64, travel *geo.Travel, actor string) (geo.Assignment, error) {
	var out geo.Assignment
	err := s.tx(ctx, func(tx pgx.Tx) error {
		status, at, err := s.lockIncident(ctx, tx, id)
		if err != nil {
			return err
		}
		if status == geo.IncidentClosed {
			return &geo.StateError{Action: "assign", State: status, Reason: "the incident is closed"}
		}
		var cat, rstatus string
		var retired bool
		var metres float64
		var busy *int64
		var busyTitle string
		err = tx.QueryRow(ctx, s.q.get("resource_lock"), res, at).Scan(&cat, &rstatus, &retired, &metres, &busy, &busyTitle)
		if errors.Is(err, pgx.ErrNoRows) {
			return geo.Invalidf("resource_id", "no risk object %d", res)
		}
		if err != nil {
			return fmt.Errorf("assign resource %d: %w", res, classify(err))
		}
		switch {
		case cat != string(geo.RescueResources):
			return geo.Invalidf("resource_id", "object %d is not a rescue resource (it is in %s)", res, cat)
		case retired:
			return geo.Invalidf("resource_id", "resource %d is retired", res)
		case busy != nil:
			return &geo.StateError{Action: "assign", State: geo.StatusDispatched, Reason: fmt.Sprintf("the resource is already assigned to incident %d (%s)", *busy, busyTitle)}
		case rstatus == "out_of_service" || rstatus == geo.StatusDispatched:
			return &geo.StateError{Action: "assign", State: rstatus, Reason: "the resource is not available"}
		}
		method := "straight_line"
		var eta any
		if travel != nil && travel.Reachable {
			method, eta = "network", travel.Seconds
		}
		var aid int64
		err = tx.QueryRow(ctx, s.q.get("dispatch_assign"), id, res, rstatus, metres, eta, method, actor).Scan(&aid)
		if isUniqueViolation(err) {
			return &geo.StateError{Action: "assign", State: geo.StatusDispatched, Reason: "the resource is already assigned to another incident"}
		}
		if err != nil {
			return fmt.Errorf("assign resource %d to incident %d: %w", res, id, classify(err))
		}
		next := status
		if status == geo.IncidentOpen {
			next = geo.IncidentResponding
			if _, err := tx.Exec(ctx, s.q.get("incident_set_status"), id, next); err != nil {
				return fmt.Errorf("set incident %d responding: %w", id, classify(err))
			}
		}
		if err := s.notifyDispatch(ctx, tx, id, "assigned", []int64{res}, next); err != nil {
			return err
		}
		in, err := incident(ctx, tx, s.q, id)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(in.Assignments, func(a geo.Assignment) bool { return a.ID == aid })
		out = in.Assignments[i]
		return nil
	})
	return out, err
}

// Release ends the active assignment of resource res to incident id,
// giving the resource back the status it had. It is geo.ErrNotFound when
// there is none.
func (s *Store) Release(ctx context.Context, id, res int64, actor string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		status, _, err := s.lockIncident(ctx, tx, id)
		if err != nil {
			return err
		}
		released, err := s.release(ctx, tx, id, &res, actor)
		if err != nil {
			return err
		}
		if len(released) == 0 {
			return fmt.Errorf("no active assignment of resource %d to incident %d: %w", res, id, geo.ErrNotFound)
		}
		return s.notifyDispatch(ctx, tx, id, "released", released, status)
	})
}

func (s *Store) release(ctx context.Context, tx pgx.Tx, id int64, res *int64, actor string) ([]int64, error) {
	rows, err := tx.Query(ctx, s.q.get("dispatch_release"), id, res, actor)
	if err != nil {
		return nil, fmt.Errorf("release the resources of incident %d: %w", id, classify(err))
	}
	var ids []int64
	var statuses []string
	var rid int64
	var st string
	if _, err := pgx.ForEachRow(rows, []any{&rid, &st}, func() error {
		ids, statuses = append(ids, rid), append(statuses, st)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("release the resources of incident %d: %w", id, classify(err))
	}
	if len(ids) == 0 {
		return nil, nil
	}
	// The guard let the release through (the actor holds the incident
	// or the resource): giving the resource its status back comes with
	// it, whichever county the resource belongs to.
	if err := s.actAsSystem(ctx, tx); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, s.q.get("resource_restore"), ids, statuses); err != nil {
		return nil, fmt.Errorf("give the released resources of incident %d their status: %w", id, classify(err))
	}
	return ids, nil
}

// notifyDispatch announces a change of incident id on the event stream
// (sent when tx commits).
func (s *Store) notifyDispatch(ctx context.Context, tx pgx.Tx, id int64, action string, resources []int64, status string) error {
	if resources == nil {
		resources = []int64{}
	}
	if _, err := tx.Exec(ctx, s.q.get("dispatch_notify"), id, action, resources, status); err != nil {
		return fmt.Errorf("announce the %s of incident %d: %w", action, id, classify(err))
	}
	return nil
}

// UpdatePosition records a GPS fix of rescue resource res (p in
// CGCS2000) and, when it is the newest fix, moves the resource there. It
// reports whether the resource moved; an unknown resource is a
// *geo.ParamError.
func (s *Store) UpdatePosition(ctx context.Context, res int64, p orb.Point, accuracy *float64, at time.Time, source string) (bool, error) {
	var moved bool
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, s.q.get("position_lock"), res).Scan(&id); err != nil {
			return err
		}
		// A statement of its own after the lock: it sees a fix that a
		// concurrent feed committed while this one waited.
		return tx.QueryRow(ctx, s.q.get("position_insert"), res, p[0], p[1], accuracy, at, source).Scan(&moved)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("resource %d: %w", res, geo.ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("record the position of resource %d: %w", res, classify(err))
	}
	return moved, nil
}

// sphereSlack bounds how much shorter a distance on the CGCS2000 spheroid
// can be than the same distance on PostGIS's sphere  (radius 6,371,008.8
// m): the meridian's radius of curvature is at least 6,335,439 m (at the
// equator), 0.56% less, and 0.34% less at Lishui's latitude, so an
// object the KNN scan did not reach, farther than S on the sphere, is
// farther than S × (1 − sphereSlack) on the spheroid.
const sphereSlack = 0.006

// Nearest returns the q.Limit objects nearest q.Point that pass
// q.Filter, by geodesic distance on the CGCS2000 spheroid, exactly. The
// KNN index scan orders by the sphere and does not filter: it takes a
// window of the nearest on the sphere, the filter keeps what passes, and
// the answer is complete when the window held every object there is, or
// when the last one kept is nearer (less the sphere's slack) than the
// window's reach, so that nothing outside the window can beat it. Else
// the window widens fourfold. Ties go to the lower id. A reader of one
// division (access.WithReadScope) finds that division's objects only.
func (s *Store) Nearest(ctx context.Context, q geo.NearestQuery) ([]geo.Candidate, error) {
	if code := access.ReadScopeFrom(ctx); code != "" && !geo.Within(code, q.Filter.Within) {
		q.Filter.Within = code
	}
	// A filter passes a share of the window: start wider, so that one
	// round trip usually does.
	window := max(32, 3*q.Limit)
	if q.Filter.Expr != nil {
		window = max(128, 16*q.Limit)
	}
	for {
		sql, args, err := insertFilter(s.q.get("nearest"), q.Filter, []any{q.Point[0], q.Point[1], string(q.Category), window, q.Limit})
		if err != nil {
			return nil, err
		}
		rows, err := s.knn.Query(ctx, sql, args...)
		if err != nil {
			return nil, fmt.Errorf("find the %s nearest %v: %w", q.Category, q.Point, classify(err))
		}
		var n int
		var reach float64
		var out []geo.Candidate
		for rows.Next() {
			var id *int64
			var name, county, grade *string
			var lon, lat, metres, prep *float64
			var attrs []byte
			if err := rows.Scan(&n, &reach, &id, &name, &lon, &lat, &county, &grade, &metres, &prep, &attrs); err != nil {
				rows.Close()
				return nil, fmt.Errorf("find the %s nearest %v: %w", q.Category, q.Point, classify(err))
			}
			if id == nil {
				continue
			}
			c := geo.Candidate{ID: *id, Name: *name, Category: q.Category, Lon: *lon, Lat: *lat, County: *county, StraightM: *metres,
				PrepMinutes: prep, Attributes: json.RawMessage(attrs)}
			c.Grade, _ = geo.ParseGrade(*grade)
			out = append(out, c)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("find the %s nearest %v: %w", q.Category, q.Point, classify(err))
		}
		if n < window || len(out) == q.Limit && out[q.Limit-1].StraightM < reach*(1-sphereSlack) {
			return out, nil
		}
		window *= 4
	}
}

// Around tells what lies around an incident (see geo.AroundQuery): per
// ring, the risk objects by category and grade, the hidden hazards not
// closed, the shelters and their capacity, and the counties' population
// estimated inside; and the objects and hazards of the outermost ring.
// A reader of one division counts and lists that division's objects and
// hazards only (the population is the counties', as published).
func (s *Store) Around(ctx context.Context, q geo.AroundQuery) (geo.Around, error) {
	type area struct {
		radius    *float64
		poly, box string // hex EWKB, SRID 4490
	}
	var areas []area
	if q.Polygon != nil {
		poly, err := ewkb.MarshalToHex(q.Polygon, 4490)
		if err != nil {
			return geo.Around{}, geo.Invalidf("polygon", "not a polygon")
		}
		bad, err := s.invalidity(ctx, s.pool, poly)
		if err != nil {
			return geo.Around{}, err
		}
		if bad != nil {
			bad.Repairable = false // the area is the client's to redraw
			return geo.Around{}, &geo.GeometryError{Param: "polygon", Problems: []geo.GeometryProblem{*bad}}
		}
		box, _ := ewkb.MarshalToHex(q.Polygon.Bound().ToPolygon(), 4490)
		areas = []area{{poly: poly, box: box}}
	} else {
		for _, r := range q.Radii {
			a := area{radius: &r}
			if err := s.pool.QueryRow(ctx, s.q.get("around_circle"), q.Point[0], q.Point[1], r).Scan(&a.poly, &a.box); err != nil {
				return geo.Around{}, fmt.Errorf("draw the %g m circle: %w", r, classify(err))
			}
			areas = append(areas, a)
		}
	}
	outer := areas[len(areas)-1]
	var radius any
	if outer.radius != nil {
		radius = *outer.radius
	}
	args := []any{q.Point[0], q.Point[1], radius, outer.poly, outer.box, geo.MaxAroundList + 1, readWithin(ctx)}
	var out geo.Around
	rows, err := s.pool.Query(ctx, s.q.get("around_objects"), args...)
	if err != nil {
		return out, fmt.Errorf("find the objects around %v: %w", q.Point, classify(err))
	}
	out.Objects, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (geo.AroundObject, error) {
		var o geo.AroundObject
		var cat, grade string
		err := r.Scan(&o.ID, &cat, &o.Name, &grade, &o.Lon, &o.Lat, &o.DistanceM, &o.Capacity, &o.Status)
		o.Category = geo.Category(cat)
		o.Grade, _ = geo.ParseGrade(grade)
		return o, err
	})
	if err != nil {
		return out, fmt.Errorf("find the objects around %v: %w", q.Point, classify(err))
	}
	rows, err = s.pool.Query(ctx, s.q.get("around_hazards"), args...)
	if err != nil {
		return out, fmt.Errorf("find the hidden hazards around %v: %w", q.Point, classify(err))
	}
	out.Hazards, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (geo.AroundHazard, error) {
		var h geo.AroundHazard
		err := r.Scan(&h.ID, &h.Code, &h.Title, &h.Level, &h.State, &h.Overdue, &h.Lon, &h.Lat, &h.DistanceM)
		return h, err
	})
	if err != nil {
		return out, fmt.Errorf("find the hidden hazards around %v: %w", q.Point, classify(err))
	}
	if len(out.Objects) > geo.MaxAroundList || len(out.Hazards) > geo.MaxAroundList {
		out.Truncated = true
		out.Objects = out.Objects[:min(len(out.Objects), geo.MaxAroundList)]
		out.Hazards = out.Hazards[:min(len(out.Hazards), geo.MaxAroundList)]
	}
	if out.Objects == nil {
		out.Objects = []geo.AroundObject{}
	}
	if out.Hazards == nil {
		out.Hazards = []geo.AroundHazard{}
	}
	for _, a := range areas {
		ring := geo.AroundRing{RadiusM: a.radius, Objects: map[geo.Category]*geo.GradeCounts{}}
		for _, c := range geo.AllCategories {
			ring.Objects[c] = &geo.GradeCounts{}
		}
		// The counts come from SQL in full: the lists above are cut.
		var radius any
		if a.radius != nil {
			radius = *a.radius
		}
		area := []any{q.Point[0], q.Point[1], radius, a.poly, a.box, readWithin(ctx)}
		rows, err := s.pool.Query(ctx, s.q.get("around_object_counts"), area...)
		if err != nil {
			return out, fmt.Errorf("count the objects around %v: %w", q.Point, classify(err))
		}
		var cat, grade string
		var n int
		var capacity float64
		_, err = pgx.ForEachRow(rows, []any{&cat, &grade, &n, &capacity}, func() error {
			g, _ := geo.ParseGrade(grade)
			if gc := ring.Objects[geo.Category(cat)]; gc != nil {
				gc.AddN(g, n)
			}
			if geo.Category(cat) == geo.Shelters {
				ring.Shelters.Count += n
				ring.Shelters.Capacity += capacity
			}
			return nil
		})
		if err != nil {
			return out, fmt.Errorf("count the objects around %v: %w", q.Point, classify(err))
		}
		if err := s.pool.QueryRow(ctx, s.q.get("around_hazard_counts"), area...).Scan(&ring.HiddenHazards.Total, &ring.HiddenHazards.Major); err != nil {
			return out, fmt.Errorf("count the hidden hazards around %v: %w", q.Point, classify(err))
		}
		ring.HiddenHazards.General = ring.HiddenHazards.Total - ring.HiddenHazards.Major
		rows, err = s.pool.Query(ctx, s.q.get("around_population"), a.poly)
		if err != nil {
			return out, fmt.Errorf("find the counties around %v: %w", q.Point, classify(err))
		}
		ring.Population, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (geo.CountyShare, error) {
			var c geo.CountyShare
			err := r.Scan(&c.County, &c.Name, &c.Population, &c.Share)
			if c.Population != nil {
				e := float64(*c.Population) * c.Share
				c.Estimate = &e
				if ring.PopulationEstimate == nil {
					ring.PopulationEstimate = new(float64)
				}
				*ring.PopulationEstimate += e
			}
			return c, err
		})
		if err != nil {
			return out, fmt.Errorf("find the counties around %v: %w", q.Point, classify(err))
		}
		if ring.Population == nil {
			ring.Population = []geo.CountyShare{}
		}
		out.Rings = append(out.Rings, ring)
	}
	return out, nil
}
