package postgis

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

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
	var pairs []string
	if err := s.pool.QueryRow(ctx, s.q.get("search_pairs"), q.Q).Scan(&pairs); err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Q, classify(err))
	}
	if lo != nil && looksLikeCode(q.Q) {
		// A credit code or an id: as one first (its digit pairs are in
		// nearly every address); as words only when no code begins so.
		out, err := s.searchRows(ctx, nil, "search", q.Q, cats, within, q.Limit, lo, hi, false)
		if err != nil || len(out) > 0 {
			return out, err
		}
	}
	query := "search"
	if s.grams.dense(ctx, s, pairs) {
		query = "search_dense"
	}
	out, err := s.searchRows(ctx, nil, query, q.Q, cats, within, q.Limit, lo, hi, true)
	if err != nil || len(out) > 0 {
		return out, err
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
	var q interface {
		Query(context.Context, string, ...any) (pgx.Rows, error)
	} = s.pool
	if name == "search_dense" {
		// Row by row, the planner (which cannot know the matches are
		// dense) would start parallel workers to scan the whole table:
		// their start costs more than the scan that stops at 300.
		tx, err := s.begin(ctx)
		if err != nil {
			return nil, fmt.Errorf("search: %w", scoped(ctx, err))
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if _, err := tx.Exec(ctx, s.q.get("search_serial")); err != nil {
			return nil, fmt.Errorf("search: %w", classify(err))
		}
		q = tx
	}
	rows, err := q.Query(ctx, s.q.get(name), args...)
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

// denseRows is how many objects a query's pairs must be estimated to
// match for Search to compare them row by row (search_dense.sql): enough
// that a scan meets the 300 it ranks within a small part of the table.
const denseRows = 5000

// gramStats remembers how common the character pairs are (ANALYZE's
// statistics, read again every few minutes).
type gramStats struct {
	mu   sync.Mutex
	at   time.Time
	freq map[string]float64 // share of rows holding the pair
	rows float64
}

// dense reports whether the objects holding all of pairs are, by the
// statistics, so many that the index is the slow way to find 300 of them.
// The shares are multiplied as if independent, which underestimates the
// pairs of one phrase: the index stays the choice when in doubt.
func (g *gramStats) dense(ctx context.Context, s *Store, pairs []string) bool {
	if len(pairs) == 0 {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if time.Since(g.at) > 5*time.Minute {
		g.at = time.Now()
		var elems []string
		var freqs []float32
		var rows float32
		err := s.pool.QueryRow(ctx, s.q.get("search_gram_stats")).Scan(&elems, &freqs, &rows)
		g.freq, g.rows = map[string]float64{}, float64(rows)
		if err == nil {
			for i, e := range elems {
				if i < len(freqs) {
					g.freq[e] = float64(freqs[i])
				}
			}
		}
	}
	est := g.rows
	for _, p := range pairs {
		est *= g.freq[p] // 0 for a pair not among the most common
	}
	return est >= denseRows
}

// looksLikeCode reports whether q could be a credit code or a source id
// being typed: six or more letters and digits, with a digit among them.
func looksLikeCode(q string) bool {
	q = strings.TrimSpace(q)
	digit := false
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r == '-', r == '_':
		default:
			return false
		}
	}
	return digit && len(q) >= 6
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
