package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"riskmap/geo"
	"riskmap/geo/access"
)

// tx runs fn in a transaction that acts for the principal of ctx
// (access.WithActor): the database's guards (migration 0012) refuse any
// row it writes outside that principal's division, and the refusal comes
// back as a *geo.ScopeError naming both divisions. Without a principal
// the work is the system's own (the command line, background jobs) and
// is not limited. Every write of the store goes through tx or begin;
// TestWritesActInScope checks that none opens a transaction otherwise.
func (s *Store) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.actIn(ctx, tx); err != nil {
			return err
		}
		return fn(tx)
	})
	return scoped(ctx, err)
}

// begin starts a transaction that acts for the principal of ctx, as tx
// does, for work that spans calls (an import). Pass its errors through
// scoped.
func (s *Store) begin(ctx context.Context) (pgx.Tx, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.actIn(ctx, tx); err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		return nil, err
	}
	return tx, nil
}

// actIn sets the transaction's scope from the principal of ctx.
func (s *Store) actIn(ctx context.Context, tx pgx.Tx) error {
	p := access.ActorFrom(ctx)
	if p == nil {
		return nil
	}
	if _, err := tx.Exec(ctx, s.q.get("scope_set"), scopeSetting(p.Division)); err != nil {
		return fmt.Errorf("set the actor's division: %w", classify(err))
	}
	return nil
}

// actAsSystem lifts the division limit for the rest of tx: for what a
// write that was allowed brings with it elsewhere (closing an incident
// releases every resource sent to it, whichever county's they are).
func (s *Store) actAsSystem(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, s.q.get("scope_set"), "*"); err != nil {
		return fmt.Errorf("release the division limit: %w", classify(err))
	}
	return nil
}

// readWithin is the prefix of the division ctx reads (access.WithReadScope),
// for a query's parameter; nil reads everything.
func readWithin(ctx context.Context) any {
	if code := access.ReadScopeFrom(ctx); code != "" {
		return geo.DivisionPrefix(code)
	}
	return nil
}

// scopeSetting is riskmap.scope's value for a principal's division.
func scopeSetting(division string) string {
	if division == "" {
		return "*"
	}
	return geo.DivisionPrefix(division)
}

// scoped turns a guard's refusal in err into a *geo.ScopeError (if
// nothing did yet) and fills in its actor from ctx.
func scoped(ctx context.Context, err error) error {
	var se *geo.ScopeError
	if !errors.As(err, &se) {
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) {
			return err
		}
		var ok bool
		if se, ok = scopeError(pgErr); !ok {
			return err
		}
		err = se
	}
	if p := access.ActorFrom(ctx); p != nil {
		se.Actor, se.ActorName = p.Division, p.DivisionName
	}
	return err
}

// scopeError reads a guard's refusal (SQLSTATE 42501 with a JSON detail).
func scopeError(pgErr *pgconn.PgError) (*geo.ScopeError, bool) {
	if pgErr.Code != "42501" {
		return nil, false
	}
	var d struct {
		Target     string `json:"target"`
		TargetName string `json:"target_name"`
		What       string `json:"what"`
	}
	if json.Unmarshal([]byte(pgErr.Detail), &d) != nil {
		return nil, false
	}
	return &geo.ScopeError{Target: d.Target, TargetName: d.TargetName, What: d.What}, true
}
