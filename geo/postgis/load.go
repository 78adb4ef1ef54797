package postgis

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkb"

	"riskmap/geo"
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
	Removed   int64 // risk objects of the source that the dataset no longer has
}

// Load writes the dataset in one transaction: divisions and background
// features are upserted by key, objects by (category, source, source id),
// and the source's objects missing from the dataset are deleted. Rows
// that are already as given are not touched, so loading the same dataset
// twice changes nothing. On any error nothing is written.
func (s *Store) Load(ctx context.Context, ds Dataset) (LoadStats, error) {
	var st LoadStats
	if ds.Source == "" {
		return st, fmt.Errorf("load: %w: no source name", geo.ErrInvalid)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, d := range ds.Divisions {
			geom, err := wkb.Marshal(d.Geometry)
			if err != nil {
				return fmt.Errorf("encode boundary of %s: %w", d.Code, classify(err))
			}
			var label []byte
			if !d.Label.Equal([2]float64{}) {
				if label, err = wkb.Marshal(d.Label); err != nil {
					return fmt.Errorf("encode label of %s: %w", d.Code, classify(err))
				}
			}
			tag, err := tx.Exec(ctx, s.q.get("division_upsert"), d.Code, d.Name, d.Level, d.ParentCode, d.Population, geom, label, ds.Source)
			if err != nil {
				return fmt.Errorf("division %s (%s): %w", d.Code, d.Name, classify(err))
			}
			st.Divisions += int(tag.RowsAffected())
		}
		for _, f := range ds.Context {
			geom, err := wkb.Marshal(f.Geometry)
			if err != nil {
				return fmt.Errorf("encode %s %s: %w", f.Kind, f.SourceID, classify(err))
			}
			tag, err := tx.Exec(ctx, s.q.get("context_upsert"), f.Kind, f.Name, ds.Source, f.SourceID, geom)
			if err != nil {
				return fmt.Errorf("%s %s (%s): %w", f.Kind, f.SourceID, f.Name, classify(err))
			}
			st.Context += int(tag.RowsAffected())
		}
		if _, err := tx.Exec(ctx, s.q.get("load_objects_create")); err != nil {
			return fmt.Errorf("stage objects: %w", classify(err))
		}
		rows := make([][]any, len(ds.Objects))
		for i, o := range ds.Objects {
			attrs := o.Attributes
			if attrs == nil {
				attrs = map[string]any{}
			}
			aj, err := json.Marshal(attrs)
			if err != nil {
				return fmt.Errorf("object %s/%s: encode attributes: %w", o.Category, o.SourceID, classify(err))
			}
			var grade any
			if o.Grade.Assessed() {
				grade = o.Grade.String()
			}
			rows[i] = []any{string(o.Category), o.Name, o.Point.Lon(), o.Point.Lat(), o.County, grade,
				o.Score, o.Method, o.AssessedAt, ds.Source, o.SourceID, aj}
		}
		cols := []string{"category", "name", "lon", "lat", "county_code", "grade", "score", "method", "assessed_at", "source", "source_id", "attributes"}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"load_objects"}, cols, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("stage objects: %w", classify(err))
		}
		tag, err := tx.Exec(ctx, s.q.get("load_objects_upsert"))
		if err != nil {
			return fmt.Errorf("store objects: %w", classify(err))
		}
		st.Objects = tag.RowsAffected()
		if tag, err = tx.Exec(ctx, s.q.get("load_objects_prune"), ds.Source); err != nil {
			return fmt.Errorf("remove objects the source no longer has: %w", classify(err))
		}
		st.Removed = tag.RowsAffected()
		return nil
	})
	if err != nil {
		return LoadStats{}, fmt.Errorf("load %s: %w", ds.Source, classify(err))
	}
	return st, nil
}
