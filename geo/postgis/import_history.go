package postgis

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"riskmap/geo"
	"riskmap/geo/access"
)

// Imports lists the import history within the division ctx reads.
func (s *Store) Imports(ctx context.Context, q geo.ImportQuery) ([]geo.ImportRun, error) {
	rows, err := s.pool.Query(ctx, s.q.get("import_history"), q.Category, q.Source, q.Before, q.Limit, readWithin(ctx))
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", classify(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (geo.ImportRun, error) {
		var run geo.ImportRun
		err := r.Scan(&run.ID, &run.At, &run.Actor, &run.Category, &run.Source, &run.Files, &run.Counts, &run.Division, &run.ProblemsTotal)
		return run, err
	})
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", classify(err))
	}
	return out, nil
}

// ImportRun returns one import of the history with its problems;
// geo.ErrNotFound when there is none, or not within the division ctx reads.
func (s *Store) ImportRun(ctx context.Context, id int64) (geo.ImportRun, error) {
	var run geo.ImportRun
	err := s.pool.QueryRow(ctx, s.q.get("import_get"), id, readWithin(ctx)).Scan(&run.ID, &run.At, &run.Actor, &run.Category, &run.Source,
		&run.Files, &run.Counts, &run.Division, &run.ProblemsTotal, &run.Options, &run.Problems)
	if errors.Is(err, pgx.ErrNoRows) {
		return run, geo.ErrNotFound
	}
	if err != nil {
		return run, fmt.Errorf("read import %d: %w", id, classify(err))
	}
	return run, nil
}

// ImportSources lists the sources of the objects within the division
// ctx reads.
func (s *Store) ImportSources(ctx context.Context) ([]geo.ImportSource, error) {
	rows, err := s.pool.Query(ctx, s.q.get("import_sources"), readWithin(ctx))
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", classify(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (geo.ImportSource, error) {
		var src geo.ImportSource
		err := r.Scan(&src.Category, &src.Source, &src.Objects, &src.UpdatedAt, &src.Template)
		return src, err
	})
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", classify(err))
	}
	return out, nil
}

// ImportTemplate returns the mapping template of a source; geo.ErrNotFound
// when none is kept.
func (s *Store) ImportTemplate(ctx context.Context, category, source string) (geo.ImportTemplate, error) {
	var t geo.ImportTemplate
	err := s.pool.QueryRow(ctx, s.q.get("import_template_get"), category, source).Scan(&t.Category, &t.Source, &t.Mapping, &t.Division, &t.UpdatedBy, &t.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, geo.ErrNotFound
	}
	if err != nil {
		return t, fmt.Errorf("read the template of %s/%s: %w", category, source, classify(err))
	}
	return t, nil
}

// SaveImportTemplate keeps mapping as the template of a source, for the
// principal of ctx; it returns the template it replaced (zero when new).
// One saved by a division the actor is not within is a *geo.ScopeError.
func (s *Store) SaveImportTemplate(ctx context.Context, t geo.ImportTemplate) (saved, before geo.ImportTemplate, err error) {
	var division any
	if p := access.ActorFrom(ctx); p != nil && p.Division != "" {
		division = p.Division
	}
	err = s.tx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, s.q.get("import_template_get"), t.Category, t.Source).Scan(&before.Category, &before.Source, &before.Mapping,
			&before.Division, &before.UpdatedBy, &before.UpdatedAt)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		return tx.QueryRow(ctx, s.q.get("import_template_put"), t.Category, t.Source, t.Mapping, division, t.UpdatedBy).
			Scan(&saved.Category, &saved.Source, &saved.Mapping, &saved.Division, &saved.UpdatedBy, &saved.UpdatedAt)
	})
	if err != nil {
		return saved, before, fmt.Errorf("save the template of %s/%s: %w", t.Category, t.Source, err)
	}
	return saved, before, nil
}
