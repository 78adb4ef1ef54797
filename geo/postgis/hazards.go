package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"

	"riskmap/geo"
)

// ReportHazard stores a new hidden hazard (state reported) and grades its
// object again. A duplicate code or an unknown object wrap geo.ErrInvalid.
func (s *Store) ReportHazard(ctx context.Context, h geo.Hazard, actor string) (geo.Hazard, error) {
	if err := h.CheckNew(); err != nil {
		return geo.Hazard{}, err
	}
	var id int64
	err := s.tx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, s.q.get("hazard_insert"), h.Code, h.ObjectID, h.Title, h.Description, h.Level,
			h.DiscoverySource, h.FoundOn, h.Lon, h.Lat).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return geo.Invalidf("object_id", "no risk object %d", *h.ObjectID)
		}
		if isUniqueViolation(err) {
			return geo.Invalidf("code", "%q is already used by another hazard", h.Code)
		}
		if err != nil {
			return fmt.Errorf("report hazard %s: %w", h.Code, classify(err))
		}
		details, _ := json.Marshal(map[string]any{"level": h.Level, "discovery_source": h.DiscoverySource})
		if _, err := tx.Exec(ctx, s.q.get("hazard_event"), id, "report", nil, "reported", actor, "", details); err != nil {
			return fmt.Errorf("report hazard %s: %w", h.Code, classify(err))
		}
		return s.regradeHazardObject(ctx, tx, h.ObjectID, actor)
	})
	if err != nil {
		return geo.Hazard{}, err
	}
	return s.Hazard(ctx, id)
}

// StepHazard moves a hidden hazard one step along its loop, records who
// and when, and grades its object again (rules R6 and R7 read its open
// and overdue hazards). A step the state does not allow is a
// *geo.StateError; a missing field a *geo.ParamError.
func (s *Store) StepHazard(ctx context.Context, id int64, st geo.HazardStep, actor string) (geo.Hazard, error) {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if err := s.lock(ctx, tx, "hazard", id); err != nil {
			return err
		}
		h, err := hazard(ctx, tx, s.q, id)
		if err != nil {
			return err
		}
		// Steps on hazards of one object take turns, so that each grades
		// the object with what the other committed.
		if h.ObjectID != nil {
			var c string
			var changed time.Time
			if err := tx.QueryRow(ctx, s.q.get("object_lock"), "", *h.ObjectID).Scan(&c, &changed); err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("hazard %d: lock its object: %w", id, classify(err))
			}
			if h, err = hazard(ctx, tx, s.q, id); err != nil {
				return err
			}
		}
		today := time.Now().In(geo.Local)
		to, err := st.Apply(h, today)
		if err != nil {
			return err
		}
		var unit, person, deadline, level, plan, evidence any
		var days any
		if st.Action == "assign" {
			unit, deadline, level = st.ResponsibleUnit, st.RectifyDeadline, st.SupervisionLevel
			if st.ResponsiblePerson != "" {
				person = st.ResponsiblePerson
			}
			d := st.SupervisionDays
			if d == 0 {
				d = geo.SupervisionDays[st.SupervisionLevel]
			}
			days = d
			if len(st.Plan) > 0 {
				plan = []byte(st.Plan)
			}
		}
		if len(st.Evidence) > 0 {
			evidence = []byte(st.Evidence)
		}
		if _, err := tx.Exec(ctx, s.q.get("hazard_step"), id, to, unit, person, deadline, level, days, plan, evidence, today.Format(time.DateOnly)); err != nil {
			return fmt.Errorf("hazard %d: %s: %w", id, st.Action, classify(err))
		}
		details, _ := json.Marshal(st)
		if _, err := tx.Exec(ctx, s.q.get("hazard_event"), id, st.Action, h.State, to, actor, st.Note, details); err != nil {
			return fmt.Errorf("hazard %d: %s: %w", id, st.Action, classify(err))
		}
		return s.regradeHazardObject(ctx, tx, h.ObjectID, actor)
	})
	if err != nil {
		return geo.Hazard{}, err
	}
	return s.Hazard(ctx, id)
}

// isUniqueViolation reports whether err is PostgreSQL's unique_violation.
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// regradeHazardObject grades again the object a hazard is linked to.
func (s *Store) regradeHazardObject(ctx context.Context, tx pgx.Tx, object *int64, actor string) error {
	if object == nil {
		return nil
	}
	_, err := regrade(ctx, tx, s.q, RegradeFilter{IDs: []int64{*object}}, nil, "hidden_hazard", actor)
	return err
}

// AnnounceOverdue marks the hidden hazards that became overdue (or
// overdue for supervision) since they were last marked, which moves the
// hazards layer's version so that their tiles are drawn again with the
// overdue ring, and announces them to every listener (channel
// riskmap_objects). It returns how many it marked; a second call on the
// same day marks none.
func (s *Store) AnnounceOverdue(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, s.q.get("hazard_announce_overdue")).Scan(&n); err != nil {
		return 0, fmt.Errorf("announce overdue hazards: %w", classify(err))
	}
	return n, nil
}

// RegradeOverdue grades again the objects whose hazards' overdue state
// may have changed with the date (rule R7): those with open hazards. A
// server runs it now and then; it writes nothing when nothing changed.
func (s *Store) RegradeOverdue(ctx context.Context, actor string) (geo.RegradeStats, error) {
	rows, err := s.pool.Query(ctx, s.q.get("hazard_open_objects"))
	if err != nil {
		return geo.RegradeStats{}, fmt.Errorf("find objects with open hazards: %w", classify(err))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) == 0 {
		return geo.RegradeStats{}, err
	}
	return s.Regrade(ctx, RegradeFilter{IDs: ids}, "hidden_hazard", actor)
}

// Hazard returns a hidden hazard with its steps.
func (s *Store) Hazard(ctx context.Context, id int64) (geo.Hazard, error) {
	h, err := hazard(ctx, s.pool, s.q, id)
	if err != nil {
		return h, err
	}
	rows, err := s.pool.Query(ctx, s.q.get("hazard_events"), id)
	if err != nil {
		return h, fmt.Errorf("hazard %d: %w", id, classify(err))
	}
	var e geo.HazardEvent
	_, err = pgx.ForEachRow(rows, []any{&e.Action, &e.From, &e.To, &e.Actor, &e.At, &e.Note, &e.Detail}, func() error {
		e.Detail = append(json.RawMessage(nil), e.Detail...)
		h.Events = append(h.Events, e)
		return nil
	})
	if err != nil {
		return h, fmt.Errorf("hazard %d: %w", id, classify(err))
	}
	h.Supervisions, err = hazardSupervisions(ctx, s.pool, s.q, id)
	return h, err
}

func hazard(ctx context.Context, db querier, q queries, id int64) (geo.Hazard, error) {
	rows, err := db.Query(ctx, q.get("hazard_get"), id)
	if err != nil {
		return geo.Hazard{}, fmt.Errorf("hazard %d: %w", id, classify(err))
	}
	h, err := pgx.CollectExactlyOneRow(rows, func(row pgx.CollectableRow) (geo.Hazard, error) {
		var h geo.Hazard
		err := row.Scan(&h.ID, &h.Code, &h.ObjectID, &h.Title, &h.Description, &h.Level, &h.DiscoverySource, &h.FoundOn,
			&h.Lon, &h.Lat, &h.County, &h.State, &h.ResponsibleUnit, &h.ResponsiblePerson, &h.RectifyDeadline,
			&h.SupervisionLevel, &h.AssignedOn, &h.SupervisionDays, &h.SupervisionDeadline, &h.Plan, &h.Evidence, &h.ClosedOn,
			&h.Overdue, &h.SupervisionOverdue, &h.Division, &h.ObjectName, &h.ObjectCategory)
		h.Point = orb.Point{h.Lon, h.Lat}
		return h, err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return h, fmt.Errorf("hazard %d: %w", id, geo.ErrNotFound)
	}
	if err != nil {
		return h, fmt.Errorf("hazard %d: %w", id, classify(err))
	}
	return h, nil
}

// HazardCountsByCounty counts the hidden hazards of each county.
func (s *Store) HazardCountsByCounty(ctx context.Context) ([]geo.HazardCounts, error) {
	rows, err := s.pool.Query(ctx, s.q.get("hazard_counts"), readWithin(ctx))
	if err != nil {
		return nil, fmt.Errorf("count hazards: %w", classify(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (geo.HazardCounts, error) {
		var c geo.HazardCounts
		err := row.Scan(&c.County, &c.Name, &c.Open, &c.Overdue, &c.OpenMajor, &c.ClosedMonth)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("count hazards: %w", classify(err))
	}
	return out, nil
}

// ObjectID returns the id of the object of category c from source with
// sourceID; geo.ErrNotFound when there is none.
func (s *Store) ObjectID(ctx context.Context, c geo.Category, source, sourceID string) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, s.q.get("object_by_source"), string(c), source, sourceID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("%s %s/%s: %w", c, source, sourceID, geo.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("%s %s/%s: %w", c, source, sourceID, classify(err))
	}
	return id, nil
}

// HazardExists reports whether a hidden hazard has the code.
func (s *Store) HazardExists(ctx context.Context, code string) (bool, error) {
	var ok bool
	if err := s.pool.QueryRow(ctx, s.q.get("hazard_by_code"), code).Scan(&ok); err != nil {
		return false, fmt.Errorf("hazard %s: %w", code, classify(err))
	}
	return ok, nil
}
