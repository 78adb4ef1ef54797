package postgis

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"riskmap/geo"
)

// maxFuzzyPairs bounds the character pairs of a query that the fuzzy
// search tries leaving out, one at a time (an index search each).
const maxFuzzyPairs = 12

// Search finds the active risk objects whose credit code or source id
// begins with q.Q, whose name holds it, or whose name or address holds
// its character pairs (migration 0017), ranked in that order; when none
// does, those holding all its pairs but one (a character mistyped or left
// out). A reader of one division (access.WithReadScope) finds that
// division's only. q.Q must have passed geo.CheckSearch.
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
	within := readWithin(ctx)
	// A code's range: from the query's upper case to what follows every
	// code beginning with it (codes are ASCII).
	var lo, hi any
	if code := strings.ToUpper(strings.TrimSpace(q.Q)); len(code) >= 2 && isASCII(code) {
		lo, hi = code, code+"\U0010FFFF"
	}
	out, err := s.searchRows(ctx, nil, "search", q.Q, cats, within, q.Limit, lo, hi)
	if err != nil || len(out) > 0 {
		return out, err
	}
	var pairs []string
	if err := s.pool.QueryRow(ctx, s.q.get("search_pairs"), q.Q).Scan(&pairs); err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Q, classify(err))
	}
	if len(pairs) < 3 || len(pairs) > maxFuzzyPairs {
		return out, nil
	}
	for i := range pairs {
		if len(out) >= q.Limit {
			break
		}
		but := slices.Delete(slices.Clone(pairs), i, i+1)
		if out, err = s.searchRows(ctx, out, "search_fuzzy", but, pairs, cats, within, q.Limit-len(out)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// searchRows appends the hits query name finds to out, each object once.
func (s *Store) searchRows(ctx context.Context, out []geo.SearchHit, name string, args ...any) ([]geo.SearchHit, error) {
	if out == nil {
		out = []geo.SearchHit{}
	}
	rows, err := s.pool.Query(ctx, s.q.get(name), args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", classify(err))
	}
	var h geo.SearchHit
	_, err = pgx.ForEachRow(rows, []any{&h.ID, &h.Category, &h.Name, &h.Grade, &h.Division, &h.DivisionName, &h.Lon, &h.Lat,
		&h.USCC, &h.Address, &h.Match}, func() error {
		if !slices.ContainsFunc(out, func(o geo.SearchHit) bool { return o.ID == h.ID }) {
			out = append(out, h)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search: %w", classify(err))
	}
	return out, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
