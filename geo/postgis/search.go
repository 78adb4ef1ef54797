package postgis

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"riskmap/geo"
)

// Search finds the active risk objects whose credit code or source id
// begins with q.Q, whose name holds it, or whose name or address holds
// its character pairs (migration 0017), ranked in that order; when those
// are fewer than q.Limit, the ones holding most of its pairs follow. A
// reader of one division (access.WithReadScope) finds that division's
// only. q.Q must have passed geo.CheckSearch.
func (s *Store) Search(ctx context.Context, q geo.SearchQuery) ([]geo.SearchHit, error) {
	cats := make([]string, 0, len(q.Categories))
	for _, c := range q.Categories {
		cats = append(cats, string(c))
	}
	if len(cats) == 0 {
		for _, c := range geo.AllCategories {
			cats = append(cats, string(c))
		}
	}
	out := []geo.SearchHit{}
	for _, name := range []string{"search", "search_fuzzy"} {
		if len(out) >= q.Limit {
			break
		}
		rows, err := s.pool.Query(ctx, s.q.get(name), q.Q, cats, readWithin(ctx), q.Limit-len(out))
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", q.Q, classify(err))
		}
		var h geo.SearchHit
		_, err = pgx.ForEachRow(rows, []any{&h.ID, &h.Category, &h.Name, &h.Grade, &h.Division, &h.DivisionName, &h.Lon, &h.Lat,
			&h.USCC, &h.Address, &h.Match}, func() error {
			out = append(out, h)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", q.Q, classify(err))
		}
	}
	return out, nil
}
