package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"riskmap/geo"
)

// CategoryGrades counts the risk objects on the map (not retired), city
// wide, per category and grade. Every category is in the answer, those
// with no object with zeros.
func (s *Store) CategoryGrades(ctx context.Context) (map[geo.Category]geo.GradeCounts, error) {
	rows, err := s.pool.Query(ctx, s.q.get("overview_categories"), readWithin(ctx))
	if err != nil {
		return nil, fmt.Errorf("count the objects by category: %w", classify(err))
	}
	out := map[geo.Category]geo.GradeCounts{}
	for _, c := range geo.AllCategories {
		out[c] = geo.GradeCounts{}
	}
	var cat, grade string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&cat, &grade, &n}, func() error {
		g, err := geo.ParseGrade(grade)
		if err != nil {
			return err
		}
		gc := out[geo.Category(cat)]
		gc.AddN(g, n)
		out[geo.Category(cat)] = gc
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count the objects by category: %w", classify(err))
	}
	return out, nil
}

// ResourceStatuses counts the rescue resources on the map (not retired)
// per status, with how many of each have a position fix recorded since.
func (s *Store) ResourceStatuses(ctx context.Context, since time.Time) ([]geo.ResourceStatusCount, error) {
	rows, err := s.pool.Query(ctx, s.q.get("overview_resources"), since, readWithin(ctx))
	if err != nil {
		return nil, fmt.Errorf("count the rescue resources by status: %w", classify(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (geo.ResourceStatusCount, error) {
		var c geo.ResourceStatusCount
		err := r.Scan(&c.Status, &c.Count, &c.Tracked)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("count the rescue resources by status: %w", classify(err))
	}
	return out, nil
}

// Positions returns each rescue resource's (not retired) newest position
// fix recorded since, by resource id; a resource with none in the window
// is left out.
func (s *Store) Positions(ctx context.Context, since time.Time) ([]geo.ResourceFix, error) {
	rows, err := s.pool.Query(ctx, s.q.get("positions_latest"), since, readWithin(ctx))
	if err != nil {
		return nil, fmt.Errorf("read the resources' positions: %w", classify(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (geo.ResourceFix, error) {
		var f geo.ResourceFix
		var incident []byte
		err := r.Scan(&f.ResourceID, &f.Name, &f.TeamType, &f.Status, &incident, &f.Lon, &f.Lat, &f.RecordedAt, &f.ReceivedAt, &f.AccuracyM)
		if incident != nil {
			f.IncidentID = append([]byte(nil), incident...)
		}
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("read the resources' positions: %w", classify(err))
	}
	return out, nil
}

// Track returns the position fixes of rescue resource res recorded since,
// oldest first; geo.ErrNotFound when res is no rescue resource.
func (s *Store) Track(ctx context.Context, res int64, since time.Time) (geo.Track, error) {
	t := geo.Track{ResourceID: res}
	err := s.pool.QueryRow(ctx, s.q.get("resource_get"), res, readWithin(ctx)).Scan(&t.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, fmt.Errorf("rescue resource %d: %w", res, geo.ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("read rescue resource %d: %w", res, classify(err))
	}
	rows, err := s.pool.Query(ctx, s.q.get("resource_track"), res, since)
	if err != nil {
		return t, fmt.Errorf("read the track of resource %d: %w", res, classify(err))
	}
	t.Fixes, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (geo.TrackFix, error) {
		var f geo.TrackFix
		err := r.Scan(&f.Lon, &f.Lat, &f.RecordedAt)
		return f, err
	})
	if err != nil {
		return t, fmt.Errorf("read the track of resource %d: %w", res, classify(err))
	}
	return t, nil
}
