package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"riskmap/geo"
	"riskmap/geo/grading"
	sqlfs "riskmap/sql"
)

// ShippedGrading is the grading configuration riskmap ships
// (sql/grading/defaults.json).
func ShippedGrading() (grading.Set, error) {
	b, err := sqlfs.FS.ReadFile("grading/defaults.json")
	if err != nil {
		return grading.Set{}, fmt.Errorf("read the shipped grading schemes: %w", err)
	}
	set, err := grading.ParseSet(b)
	if err != nil {
		return grading.Set{}, fmt.Errorf("the shipped grading schemes: %w", err)
	}
	return set, nil
}

// seedGrading stores the shipped schemes and rules that the database does
// not have yet (as their version 1); it never changes a stored one.
func seedGrading(ctx context.Context, tx pgx.Tx, q queries) error {
	set, err := ShippedGrading()
	if err != nil {
		return err
	}
	for _, s := range set.Schemes {
		def, _ := json.Marshal(s)
		if _, err := tx.Exec(ctx, q.get("grading_seed"), s.Code, s.Version, def, "riskmap"); err != nil {
			return fmt.Errorf("store scheme %s: %w", s.Code, classify(err))
		}
	}
	for _, r := range set.Rules {
		def, _ := json.Marshal(r)
		if _, err := tx.Exec(ctx, q.get("grading_seed_rule"), r.Key, 1, def, "riskmap"); err != nil {
			return fmt.Errorf("store rule %s: %w", r.Key, classify(err))
		}
	}
	return nil
}

// querier is what reads need of a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Grading returns the grading configuration in force: the latest version
// of every scheme and rule.
func (s *Store) Grading(ctx context.Context) (grading.Set, error) {
	return currentGrading(ctx, s.pool, s.q)
}

func currentGrading(ctx context.Context, db querier, q queries) (grading.Set, error) {
	rows, err := db.Query(ctx, q.get("grading_current"))
	if err != nil {
		return grading.Set{}, fmt.Errorf("read grading schemes: %w", classify(err))
	}
	var set grading.Set
	var kind string
	var def []byte
	_, err = pgx.ForEachRow(rows, []any{&kind, &def}, func() error {
		if kind == "scheme" {
			sc, err := grading.ParseScheme(def)
			if err != nil {
				return err
			}
			set.Schemes = append(set.Schemes, sc)
			return nil
		}
		r, err := grading.ParseRule(def)
		if err != nil {
			return err
		}
		set.Rules = append(set.Rules, r)
		return nil
	})
	if err != nil {
		return grading.Set{}, fmt.Errorf("read grading schemes: %w", classify(err))
	}
	return set, nil
}

// LoadGrading stores each scheme and rule of set whose definition differs
// from the one in force, as its next version, with reason. It returns
// what it stored, as "code v2". It grades nothing again (see
// ChangeGrading and Regrade).
func (s *Store) LoadGrading(ctx context.Context, set grading.Set, reason, actor string) ([]string, error) {
	var stored []string
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		stored, err = storeGrading(ctx, tx, s.q, set, reason, actor)
		return err
	})
	return stored, err
}

func storeGrading(ctx context.Context, tx pgx.Tx, q queries, set grading.Set, reason, actor string) ([]string, error) {
	var stored []string
	for _, sc := range set.Schemes {
		sc.Version = 0
		def, _ := json.Marshal(sc)
		var v int
		err := tx.QueryRow(ctx, q.get("grading_add_scheme"), sc.Code, def, actor, reason).Scan(&v)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store scheme %s: %w", sc.Code, classify(err))
		}
		stored = append(stored, fmt.Sprintf("%s v%d", sc.Code, v))
	}
	for _, r := range set.Rules {
		def, _ := json.Marshal(r)
		var v int
		err := tx.QueryRow(ctx, q.get("grading_add_rule"), r.Key, def, actor, reason).Scan(&v)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store rule %s: %w", r.Key, classify(err))
		}
		stored = append(stored, fmt.Sprintf("%s v%d", r.Key, v))
	}
	return stored, nil
}

// SwitchRule turns a rule on or off (as its next version); it reports
// whether anything changed. An unknown key wraps geo.ErrNotFound.
func (s *Store) SwitchRule(ctx context.Context, key string, enabled bool, reason, actor string) (bool, error) {
	var stored []string
	err := s.tx(ctx, func(tx pgx.Tx) error {
		set, err := switched(ctx, tx, s.q, geo.GradingRule, key, enabled)
		if err != nil {
			return err
		}
		stored, err = storeGrading(ctx, tx, s.q, set, reason, actor)
		return err
	})
	return len(stored) > 0, err
}

// switched is the scheme or rule in force named key, turned on or off:
// a set of that one item, or an empty set when it already is so.
func switched(ctx context.Context, tx pgx.Tx, q queries, kind geo.GradingKind, key string, enabled bool) (grading.Set, error) {
	set, err := currentGrading(ctx, tx, q)
	if err != nil {
		return grading.Set{}, err
	}
	switch kind {
	case geo.GradingScheme:
		for _, sc := range set.Schemes {
			if sc.Code == key {
				if sc.Enabled == enabled {
					return grading.Set{}, nil
				}
				sc.Enabled = enabled
				return grading.Set{Schemes: []grading.Scheme{sc}}, nil
			}
		}
	case geo.GradingRule:
		for _, r := range set.Rules {
			if r.Key == key {
				if r.Enabled == enabled {
					return grading.Set{}, nil
				}
				r.Enabled = enabled
				return grading.Set{Rules: []grading.Rule{r}}, nil
			}
		}
	}
	return grading.Set{}, fmt.Errorf("%s %q: %w", kind, key, geo.ErrNotFound)
}

// ChangeGrading makes ch in one transaction: it stores what differs from
// the configuration in force as next versions (with ch.Reason), then
// grades every active object again under the result, as Regrade does
// (the assessments say "grading"). A dry run does all of it and keeps
// nothing, to show what the change would do. Only an actor of the whole
// deployment may change the configuration (a *geo.ScopeError otherwise).
func (s *Store) ChangeGrading(ctx context.Context, ch geo.GradingChange, set grading.Set, actor string) (geo.GradingChanged, error) {
	out := geo.GradingChanged{Stored: []string{}, DryRun: ch.DryRun, Regrade: geo.RegradeStats{Moves: map[string]int{}}}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		// Refused before anything, even a change that would store nothing.
		if _, err := tx.Exec(ctx, s.q.get("grading_guard")); err != nil {
			return fmt.Errorf("change the grading: %w", classify(err))
		}
		if ch.Key != "" {
			var err error
			if set, err = switched(ctx, tx, s.q, ch.Kind, ch.Key, ch.Enabled); err != nil {
				return err
			}
		}
		stored, err := storeGrading(ctx, tx, s.q, set, ch.Reason, actor)
		if err != nil {
			return err
		}
		if len(stored) > 0 {
			out.Stored = stored
			if out.Regrade, err = regrade(ctx, tx, s.q, RegradeFilter{}, nil, "grading", actor); err != nil {
				return err
			}
		}
		if ch.DryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return out, err
}

// GradingVersions is every stored version of every scheme and rule,
// newest first within each.
func (s *Store) GradingVersions(ctx context.Context) ([]geo.GradingVersion, error) {
	rows, err := s.pool.Query(ctx, s.q.get("grading_versions"))
	if err != nil {
		return nil, fmt.Errorf("read grading versions: %w", classify(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (geo.GradingVersion, error) {
		var v geo.GradingVersion
		err := r.Scan(&v.Kind, &v.Key, &v.Version, &v.Enabled, &v.By, &v.At, &v.Reason)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("read grading versions: %w", classify(err))
	}
	return out, nil
}

// RegradeFilter selects the objects a regrade looks at: of a category
// ("" all), and among ids (nil all).
type RegradeFilter struct {
	Category geo.Category
	IDs      []int64
}

// Regrade grades the selected active objects again under the grading
// configuration in force, in one transaction, and writes an assessment
// for each whose result changed (its scheme or version, inputs, score,
// the rules that applied, or its grade). Running it twice changes nothing
// the second time.
func (s *Store) Regrade(ctx context.Context, f RegradeFilter, reason, actor string) (geo.RegradeStats, error) {
	var st geo.RegradeStats
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		st, err = regrade(ctx, tx, s.q, f, nil, reason, actor)
		return err
	})
	return st, err
}

// regradeBatch is how many objects a regrade reads at a time.
const regradeBatch = 5000

// regrade grades again the objects f selects, within tx; extra inputs
// (an API assessment's) apply to every one of them.
func regrade(ctx context.Context, tx pgx.Tx, q queries, f RegradeFilter, extra map[string]any, reason, actor string) (geo.RegradeStats, error) {
	st := geo.RegradeStats{Moves: map[string]int{}}
	set, err := currentGrading(ctx, tx, q)
	if err != nil {
		return st, err
	}
	set.Prepare()
	if _, err := tx.Exec(ctx, q.get("regrade_stage")); err != nil {
		return st, fmt.Errorf("regrade: %w", classify(err))
	}
	var cat, ids any
	if f.Category != "" {
		cat = string(f.Category)
	}
	if f.IDs != nil {
		ids = f.IDs
	}
	now := time.Now()
	var after int64
	for {
		// Lock the batch first, so that its read below sees what a
		// concurrent hazard step committed (and that step waits for us).
		if _, err := tx.Exec(ctx, q.get("regrade_lock"), cat, after, regradeBatch, ids); err != nil {
			return st, fmt.Errorf("regrade: lock objects: %w", classify(err))
		}
		rows, err := tx.Query(ctx, q.get("regrade_batch"), cat, after, regradeBatch, ids)
		if err != nil {
			return st, fmt.Errorf("regrade: read objects: %w", classify(err))
		}
		var out [][]any
		n := 0
		var (
			id                 int64
			o                  geo.Object
			c, grade           string
			attrsJSON, current []byte
			h                  grading.Hazards
		)
		_, err = pgx.ForEachRow(rows, []any{&id, &c, &grade, &o.Method, &o.AssessedAt, &o.Score, &attrsJSON, &current, &h.OpenMajor, &h.Overdue, &h.Open}, func() error {
			n++
			after = id
			o.Category, o.Assessment, o.Attributes = geo.Category(c), current, nil
			var err error
			if o.Grade, err = geo.ParseGrade(grade); err != nil {
				return fmt.Errorf("object %d: %w", id, err)
			}
			if err := json.Unmarshal(attrsJSON, &o.Attributes); err != nil {
				return fmt.Errorf("object %d: decode attributes: %w", id, err)
			}
			res, err := set.Apply(&o, h, extra, now)
			var p *grading.Problem
			if errors.As(err, &p) && extra == nil {
				// Its stored inputs no longer fit the scheme in force (a
				// new version changed its tables): keep it as it is, and
				// say so, rather than fail every other object.
				st.Problems++
				if len(st.Examples) < 10 {
					st.Examples = append(st.Examples, fmt.Sprintf("object %d: %v", id, p))
				}
				return nil
			}
			if err != nil {
				return fmt.Errorf("object %d: %w", id, err)
			}
			if extra == nil && ((res.Previous != nil && res.Same(*res.Previous)) || (len(current) == 0 && o.Assessment == nil && grade == "")) {
				return nil // nothing new, or never assessed and still nothing to grade by
			}
			body, _ := json.Marshal(res)
			g := ""
			if o.Grade.Assessed() {
				g = o.Grade.String()
			}
			out = append(out, []any{id, body, grade, g, o.Score, o.Method, o.AssessedAt})
			if g != grade {
				st.Moves[gradeName(grade)+"→"+gradeName(g)]++
			}
			return nil
		})
		if err != nil {
			return st, fmt.Errorf("regrade: %w", classify(err))
		}
		st.Objects += n
		if len(out) > 0 {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"regrade_rows"}, []string{"id", "result", "from_grade", "grade", "score", "method", "assessed_at"}, pgx.CopyFromRows(out)); err != nil {
				return st, fmt.Errorf("regrade: stage results: %w", classify(err))
			}
			var moved, logged int64
			if err := tx.QueryRow(ctx, q.get("regrade_apply"), reason, actor).Scan(&moved, &logged); err != nil {
				return st, fmt.Errorf("regrade: write results: %w", classify(err))
			}
			if _, err := tx.Exec(ctx, q.get("regrade_clear")); err != nil {
				return st, fmt.Errorf("regrade: %w", classify(err))
			}
			st.Changed += int(logged)
		}
		if n < regradeBatch {
			return st, nil
		}
	}
}

func gradeName(g string) string {
	if g == "" {
		return "unassessed"
	}
	return g
}

// Assess grades one active object (of category c, or any when c is "")
// from inputs merged over what it has, and records the assessment,
// whether or not the grade changed. Inputs no scheme can use wrap
// geo.ErrInvalid, naming the input; an unknown object wraps
// geo.ErrNotFound.
func (s *Store) Assess(ctx context.Context, c geo.Category, id int64, inputs map[string]any, actor string) (geo.Assessment, error) {
	return s.AssessVersion(ctx, c, id, "", inputs, actor)
}

// AssessVersion is Assess on the version of the object the caller read
// (geo.Object.Version; "" any): when the object has changed since, it
// refuses with a geo.StateError, changing nothing.
func (s *Store) AssessVersion(ctx context.Context, c geo.Category, id int64, version string, inputs map[string]any, actor string) (geo.Assessment, error) {
	return s.assess(ctx, c, id, version, inputs, actor, false)
}

// PreviewAssessment is AssessVersion undone: the assessment the inputs
// would make (its grade from and to, the rules that apply) with nothing
// written, for a form to show before it saves.
func (s *Store) PreviewAssessment(ctx context.Context, c geo.Category, id int64, inputs map[string]any, actor string) (geo.Assessment, error) {
	return s.assess(ctx, c, id, "", inputs, actor, true)
}

// errPreview rolls a preview's transaction back.
var errPreview = errors.New("preview: roll back")

func (s *Store) assess(ctx context.Context, c geo.Category, id int64, version string, inputs map[string]any, actor string, preview bool) (geo.Assessment, error) {
	var a geo.Assessment
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var got string
		var changed time.Time
		if err := tx.QueryRow(ctx, s.q.get("object_lock"), string(c), id).Scan(&got, &changed); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("object %d: %w", id, geo.ErrNotFound)
			}
			return fmt.Errorf("assess object %d: %w", id, classify(err))
		}
		if version != "" && version != geo.ObjectVersion(id, changed) {
			return &geo.StateError{Action: "assess", State: "changed since it was read",
				Reason: "the object has changed since you read it (someone else saved it): read it again, then assess"}
		}
		c = geo.Category(got)
		set, err := currentGrading(ctx, tx, s.q)
		if err != nil {
			return err
		}
		// Check the inputs alone first, so that the error names them.
		res, err := set.Evaluate(grading.Input{Category: c, Values: inputs})
		var p *grading.Problem
		if errors.As(err, &p) {
			return geo.Invalidf("inputs."+p.Input, "%q: %s (scheme %s)", p.Value, p.Reason, p.Scheme)
		}
		if err != nil {
			return err
		}
		if res.Scheme == "" {
			return geo.Invalidf("inputs", "no grading scheme of %s can use these inputs", c)
		}
		if _, err := regrade(ctx, tx, s.q, RegradeFilter{Category: c, IDs: []int64{id}}, inputs, "api", actor); err != nil {
			if errors.As(err, &p) {
				return geo.Invalidf("inputs", "with what the object has: %s (scheme %s)", p.Reason, p.Scheme)
			}
			return err
		}
		hist, err := history(ctx, tx, s.q, c, id, 1)
		if err != nil {
			return err
		}
		if len(hist) == 0 {
			return fmt.Errorf("assess %s %d: no assessment written", c, id)
		}
		a = hist[0]
		if preview {
			return errPreview
		}
		return nil
	})
	if errors.Is(err, errPreview) {
		a.ID = 0
		return a, nil
	}
	return a, err
}

// History lists an object's assessments, newest first (at most limit).
func (s *Store) History(ctx context.Context, c geo.Category, id int64, limit int) ([]geo.Assessment, error) {
	return history(ctx, s.pool, s.q, c, id, limit)
}

func history(ctx context.Context, db querier, q queries, c geo.Category, id int64, limit int) ([]geo.Assessment, error) {
	rows, err := db.Query(ctx, q.get("assessment_history"), string(c), id, limit)
	if err != nil {
		return nil, fmt.Errorf("history of %s %d: %w", c, id, classify(err))
	}
	var out []geo.Assessment
	var a geo.Assessment
	var from, to string
	_, err = pgx.ForEachRow(rows, []any{&a.ID, &a.ObjectID, &a.Scheme, &a.Version, &a.Result, &from, &to, &a.Reason, &a.By, &a.At}, func() error {
		a.From, _ = geo.ParseGrade(from)
		a.Grade, _ = geo.ParseGrade(to)
		a.Result = append(json.RawMessage(nil), a.Result...)
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("history of %s %d: %w", c, id, classify(err))
	}
	return out, nil
}
