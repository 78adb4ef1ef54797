package postgis

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkb"

	"riskmap/geo"
	"riskmap/geo/grading"
)

// Dataset is a complete set of data from one source, loaded as a whole.
type Dataset struct {
	Source    string // stored with every row; a reload replaces this source's objects
	Divisions []geo.Division
	Context   []geo.ContextFeature
	Objects   []geo.Object
}

// LoadStats counts what Load wrote.
type LoadStats struct {
	Divisions int   // divisions inserted or changed
	Context   int   // background features inserted or changed
	Objects   int64 // risk objects inserted or changed
	Removed   int64 // risk objects of the source that the dataset no longer has, now retired
}

// Load writes the dataset in one transaction: divisions and background
// features are upserted by key, objects by (category, source, source id),
// and the source's objects missing from the dataset are retired. Rows that
// are already as given are not touched, so loading the same dataset twice
// changes nothing. On any error nothing is written.
func (s *Store) Load(ctx context.Context, ds Dataset) (LoadStats, error) {
	var st LoadStats
	if ds.Source == "" {
		return st, fmt.Errorf("load: %w: no source name", geo.ErrInvalid)
	}
	im, err := s.BeginImport(ctx)
	if err != nil {
		return st, err
	}
	defer im.Rollback(ctx)
	for _, d := range ds.Divisions {
		changed, err := im.UpsertDivision(ctx, d, ds.Source)
		if err != nil {
			return LoadStats{}, fmt.Errorf("load %s: %w", ds.Source, err)
		}
		if changed {
			st.Divisions++
		}
	}
	for _, f := range ds.Context {
		geom, err := wkb.Marshal(f.Geometry)
		if err != nil {
			return LoadStats{}, fmt.Errorf("load %s: encode %s %s: %w", ds.Source, f.Kind, f.SourceID, err)
		}
		tag, err := im.tx.Exec(ctx, s.q.get("context_upsert"), f.Kind, f.Name, ds.Source, f.SourceID, geom)
		if err != nil {
			return LoadStats{}, fmt.Errorf("load %s: %s %s (%s): %w", ds.Source, f.Kind, f.SourceID, f.Name, classify(err))
		}
		st.Context += int(tag.RowsAffected())
	}
	set, err := im.Grading(ctx)
	if err != nil {
		return LoadStats{}, fmt.Errorf("load %s: %w", ds.Source, err)
	}
	set.Prepare()
	i := 0
	cats := map[geo.Category]bool{}
	now := time.Now()
	_, err = im.Stage(ctx, func() (geo.Row, bool, error) {
		if i == len(ds.Objects) {
			return geo.Row{}, false, nil
		}
		o := ds.Objects[i]
		i++
		cats[o.Category] = true
		// Graded like an import: the dataset's grade stands as stated
		// where no scheme applies.
		if _, err := set.Apply(&o, grading.Hazards{}, nil, now); err != nil {
			return geo.Row{}, false, fmt.Errorf("grade %s %s: %w", o.Category, o.SourceID, err)
		}
		return geo.Row{Line: i, Object: o}, true, nil
	})
	if err != nil {
		return LoadStats{}, fmt.Errorf("load %s: %w", ds.Source, err)
	}
	all := make([]geo.Category, 0, len(cats))
	for _, c := range geo.AllCategories {
		if cats[c] {
			all = append(all, c)
		}
	}
	ms, err := im.Merge(ctx, ds.Source, ds.Source, all, true)
	if err != nil {
		return LoadStats{}, fmt.Errorf("load %s: %w", ds.Source, err)
	}
	st.Objects, st.Removed = ms.Inserted+ms.Updated, ms.Retired
	if err := im.Commit(ctx); err != nil {
		return LoadStats{}, fmt.Errorf("load %s: %w", ds.Source, err)
	}
	return st, nil
}

// upsertDivision writes one division; it reports whether anything changed.
func upsertDivision(ctx context.Context, tx pgx.Tx, q queries, d geo.Division, source string) (bool, error) {
	geom, err := wkb.Marshal(d.Geometry)
	if err != nil {
		return false, fmt.Errorf("encode boundary of %s: %w", d.Code, err)
	}
	var label []byte
	if !d.Label.Equal([2]float64{}) {
		if label, err = wkb.Marshal(d.Label); err != nil {
			return false, fmt.Errorf("encode label of %s: %w", d.Code, err)
		}
	}
	tag, err := tx.Exec(ctx, q.get("division_upsert"), d.Code, d.Name, d.Level, d.ParentCode, d.Population, geom, label, source, d.Local)
	if err != nil {
		return false, fmt.Errorf("division %s (%s): %w", d.Code, d.Name, classify(err))
	}
	return tag.RowsAffected() > 0, nil
}
