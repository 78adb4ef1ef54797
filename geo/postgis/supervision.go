package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"riskmap/geo"
	"riskmap/geo/access"
)

// Supervise puts hidden hazard id under the supervision (督办) of
// n.Division, the actor's own division when empty. The database refuses
// it outside the actor's division (a *geo.ScopeError), and for a hazard
// not below the supervising division (a *geo.StateError: a division
// supervises the levels below it). A division supervises a hazard once
// until it lifts the supervision.
func (s *Store) Supervise(ctx context.Context, id int64, n geo.NewSupervision, actor string) (geo.Supervision, error) {
	if n.Division == "" {
		if p := access.ActorFrom(ctx); p != nil {
			n.Division = p.Division
		}
	}
	if n.Division == "" {
		return geo.Supervision{}, geo.Invalidf("division", "say which division supervises the hazard")
	}
	if err := geo.CheckDivisionCode(n.Division); err != nil {
		return geo.Supervision{}, geo.Invalidf("division", "%v", err)
	}
	if err := n.Fill(geo.DivisionLevel(n.Division)); err != nil {
		return geo.Supervision{}, err
	}
	var sid int64
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if err := s.lock(ctx, tx, "hazard", id); err != nil {
			return err
		}
		h, err := hazard(ctx, tx, s.q, id)
		if err != nil {
			return err
		}
		if h.State == "closed" || h.State == "invalid" {
			return &geo.StateError{Action: "supervise", State: h.State, Reason: "only an open hazard is put under supervision"}
		}
		today := time.Now().In(geo.Local).Format(time.DateOnly)
		err = tx.QueryRow(ctx, s.q.get("supervision_insert"), id, n.Division, n.Mode, n.Requirements, actor, today,
			n.WindowDays, n.AckDays, n.FeedbackDays).Scan(&sid)
		switch {
		case isUniqueViolation(err):
			return &geo.StateError{Action: "supervise", State: "supervised", Reason: fmt.Sprintf("division %s supervises this hazard already", n.Division)}
		case isForeignKeyViolation(err):
			return geo.Invalidf("division", "%s: no such division is loaded", n.Division)
		case isConstraint(err, "hazard_supervision_below"):
			where := h.Division
			if where == "" {
				where = "no division"
			}
			return &geo.StateError{Action: "supervise", State: "not below",
				Reason: fmt.Sprintf("the hazard lies in %s, not below the supervising division %s: a division supervises the levels below it", where, n.Division)}
		case err != nil:
			return fmt.Errorf("supervise hazard %d: %w", id, classify(err))
		}
		details, _ := json.Marshal(map[string]any{"supervision": sid, "division": n.Division, "mode": n.Mode, "window_days": n.WindowDays})
		if _, err := tx.Exec(ctx, s.q.get("hazard_event"), id, "supervise", h.State, h.State, actor, n.Requirements, details); err != nil {
			return fmt.Errorf("supervise hazard %d: %w", id, classify(err))
		}
		return nil
	})
	if err != nil {
		return geo.Supervision{}, err
	}
	return s.Supervision(ctx, sid)
}

// StepSupervision takes a step of supervision id: acknowledge (签收) or
// feedback (反馈), which are the supervised division's (below the
// supervising one), or lift (摘牌), the supervising division's. A step
// the supervision is past is a *geo.StateError, one outside the actor's
// division a *geo.ScopeError.
func (s *Store) StepSupervision(ctx context.Context, id int64, st geo.SupervisionStep, actor string) (geo.Supervision, error) {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if err := s.lock(ctx, tx, "supervision", id); err != nil {
			return err
		}
		sv, err := supervision(ctx, tx, s.q, id)
		if err != nil {
			return err
		}
		if err := st.Check(sv); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, s.q.get("supervision_step"), id, st.Action, actor, st.Note)
		if isConstraint(err, "hazard_supervision_steps_below") {
			return &geo.StateError{Action: st.Action, State: sv.Step,
				Reason: fmt.Sprintf("acknowledging and feedback are for the division supervised by %s, below it", sv.Division)}
		}
		if err != nil {
			return fmt.Errorf("supervision %d: %s: %w", id, st.Action, classify(err))
		}
		details, _ := json.Marshal(map[string]any{"supervision": id, "division": sv.Division})
		if _, err := tx.Exec(ctx, s.q.get("hazard_event"), sv.HazardID, "supervision_"+st.Action, sv.HazardState, sv.HazardState, actor, st.Note, details); err != nil {
			return fmt.Errorf("supervision %d: %s: %w", id, st.Action, classify(err))
		}
		return nil
	})
	if err != nil {
		return geo.Supervision{}, err
	}
	return s.Supervision(ctx, id)
}

// Supervision returns one supervision.
func (s *Store) Supervision(ctx context.Context, id int64) (geo.Supervision, error) {
	return supervision(ctx, s.pool, s.q, id)
}

func supervision(ctx context.Context, db querier, q queries, id int64) (geo.Supervision, error) {
	rows, err := db.Query(ctx, q.get("supervision_get"), id)
	if err != nil {
		return geo.Supervision{}, fmt.Errorf("supervision %d: %w", id, classify(err))
	}
	sv, err := pgx.CollectExactlyOneRow(rows, func(r pgx.CollectableRow) (geo.Supervision, error) { return scanSupervision(r) })
	if errors.Is(err, pgx.ErrNoRows) {
		return sv, fmt.Errorf("supervision %d: %w", id, geo.ErrNotFound)
	}
	if err != nil {
		return sv, fmt.Errorf("supervision %d: %w", id, classify(err))
	}
	return sv, nil
}

// supervisionColumns are where a row of hazard_supervision_status goes,
// in its order; extra are the scan targets of columns after them.
func supervisionColumns(sv *geo.Supervision, extra ...any) []any {
	return append([]any{&sv.ID, &sv.HazardID, &sv.HazardCode, &sv.HazardTitle, &sv.HazardLevel, &sv.HazardState, &sv.HazardDivision,
		&sv.Division, &sv.DivisionName, &sv.Mode, &sv.Requirements, &sv.IssuedBy, &sv.IssuedAt, &sv.IssuedOn, &sv.WindowDays, &sv.DeadlineOn,
		&sv.AckDue, &sv.AckedBy, &sv.AckedAt, &sv.AckNote, &sv.FeedbackDue, &sv.FedBackBy, &sv.FedBackAt, &sv.FeedbackNote, &sv.Feedbacks,
		&sv.LiftedBy, &sv.LiftedAt, &sv.LiftNote, &sv.Step, &sv.AckLate, &sv.FeedbackLate, &sv.DeadlineLate, &sv.Overdue}, extra...)
}

func scanSupervision(r pgx.Row) (geo.Supervision, error) {
	var sv geo.Supervision
	err := r.Scan(supervisionColumns(&sv)...)
	return sv, err
}

// hazardSupervisions are the supervisions of hazard id.
func hazardSupervisions(ctx context.Context, db querier, q queries, id int64) ([]geo.Supervision, error) {
	rows, err := db.Query(ctx, q.get("supervisions_of_hazard"), id)
	if err != nil {
		return nil, fmt.Errorf("hazard %d: its supervisions: %w", id, classify(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (geo.Supervision, error) { return scanSupervision(r) })
	if err != nil {
		return nil, fmt.Errorf("hazard %d: its supervisions: %w", id, classify(err))
	}
	return out, nil
}

// Supervisions lists the supervisions division issued ("" every
// division's), lifted ones too with all, the newest first, at most
// limit, with their completion by the division below division in which
// their hazards lie.
func (s *Store) Supervisions(ctx context.Context, division string, all bool, limit int) (geo.Supervisions, error) {
	out := geo.Supervisions{Division: division, Items: []geo.Supervision{}, ByDivision: []geo.SupervisionSummary{}}
	var code any
	if division != "" {
		code = division
	}
	rows, err := s.pool.Query(ctx, s.q.get("supervisions_list"), code, all, limit)
	if err != nil {
		return out, fmt.Errorf("list supervisions: %w", classify(err))
	}
	out.Items, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (geo.Supervision, error) { return scanSupervision(r) })
	if err != nil {
		return out, fmt.Errorf("list supervisions: %w", classify(err))
	}
	rows, err = s.pool.Query(ctx, s.q.get("supervision_counts"), code, all)
	if err != nil {
		return out, fmt.Errorf("count supervisions: %w", classify(err))
	}
	var counts []geo.SupervisionSummary
	var n geo.SupervisionSummary
	if _, err := pgx.ForEachRow(rows, []any{&n.Division, &n.Total, &n.Acknowledged, &n.FedBack, &n.Rectified, &n.Lifted, &n.Overdue}, func() error {
		counts = append(counts, n)
		return nil
	}); err != nil {
		return out, fmt.Errorf("count supervisions: %w", classify(err))
	}
	var codes []string
	for _, n := range counts {
		codes = append(codes, geo.ChildToward(division, n.Division))
	}
	names := map[string]string{}
	rows, err = s.pool.Query(ctx, s.q.get("division_names"), codes)
	if err != nil {
		return out, fmt.Errorf("name the divisions: %w", classify(err))
	}
	var c, name string
	if _, err := pgx.ForEachRow(rows, []any{&c, &name}, func() error { names[c] = name; return nil }); err != nil {
		return out, fmt.Errorf("name the divisions: %w", classify(err))
	}
	out.ByDivision = geo.RollUp(division, counts, names)
	return out, nil
}

// lock locks row id of what (hazard or supervision: the query
// what_lock) for the rest of tx; a missing row wraps geo.ErrNotFound.
func (s *Store) lock(ctx context.Context, tx pgx.Tx, what string, id int64) error {
	var got int64
	err := tx.QueryRow(ctx, s.q.get(what+"_lock"), id).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s %d: %w", what, id, geo.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("%s %d: %w", what, id, classify(err))
	}
	return nil
}

// isForeignKeyViolation reports whether err is PostgreSQL's
// foreign_key_violation.
func isForeignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503"
}

// isConstraint reports whether err is a violation of the named
// constraint (or of a rule a trigger raises under that name).
func isConstraint(err error, name string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.ConstraintName == name
}
