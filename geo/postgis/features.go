package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"riskmap/geo"
)

func bboxArgs(p geo.Page) []any {
	if p.BBox == nil {
		return []any{nil, nil, nil, nil}
	}
	return []any{p.BBox.Min[0], p.BBox.Min[1], p.BBox.Max[0], p.BBox.Max[1]}
}

// Objects returns a page of the category's risk objects that match
// p.Filter, in id order, and the number matched without paging. A filter
// naming an unknown property or comparing it with a value of the wrong
// type is a *geo.ParamError for "filter".
func (s *Store) Objects(ctx context.Context, c geo.Category, p geo.Page) ([]geo.Object, int, error) {
	bb := bboxArgs(p)
	countSQL, countArgs, err := insertFilter(s.q.get("objects_count"), p.Filter, append([]any{string(c)}, bb...))
	if err != nil {
		return nil, 0, fmt.Errorf("count %s: %w", c, err)
	}
	pageSQL, pageArgs, err := insertFilter(s.q.get("objects_page"), p.Filter, append(append([]any{string(c)}, bb...), p.Limit, p.Offset))
	if err != nil {
		return nil, 0, fmt.Errorf("list %s: %w", c, err)
	}
	b := &pgx.Batch{}
	b.Queue(countSQL, countArgs...)
	b.Queue(pageSQL, pageArgs...)
	res := s.pool.SendBatch(ctx, b)
	defer res.Close()
	var total int
	if err := res.QueryRow().Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count %s: %w", c, classify(err))
	}
	rows, err := res.Query()
	if err != nil {
		return nil, 0, fmt.Errorf("list %s: %w", c, classify(err))
	}
	objs, err := pgx.CollectRows(rows, scanObject)
	if err != nil {
		return nil, 0, fmt.Errorf("list %s: %w", c, classify(err))
	}
	return objs, total, res.Close()
}

// Object returns one risk object of category c, or an error wrapping
// geo.ErrNotFound.
func (s *Store) Object(ctx context.Context, c geo.Category, id int64) (geo.Object, error) {
	rows, err := s.pool.Query(ctx, s.q.get("object_get"), string(c), id)
	if err != nil {
		return geo.Object{}, fmt.Errorf("get %s %d: %w", c, id, classify(err))
	}
	o, err := pgx.CollectExactlyOneRow(rows, scanObject)
	if err != nil {
		return geo.Object{}, fmt.Errorf("get %s %d: %w", c, id, classify(err))
	}
	return o, nil
}

func scanObject(row pgx.CollectableRow) (geo.Object, error) {
	var (
		o       geo.Object
		cat     string
		grade   string
		lon     float64
		lat     float64
		attrs   []byte
		created time.Time
		updated time.Time
	)
	err := row.Scan(&o.ID, &cat, &o.Name, &lon, &lat, &o.County, &o.CountyName, &grade, &o.Score, &o.Method,
		&o.AssessedAt, &o.Source, &o.SourceID, &attrs, &created, &updated, &o.RetiredAt, &o.Assessment, &o.Division, &o.DivisionName)
	if err != nil {
		return o, err
	}
	o.Category = geo.Category(cat)
	o.Point = orb.Point{lon, lat}
	if o.Grade, err = geo.ParseGrade(grade); err != nil {
		return o, err
	}
	if err := json.Unmarshal(attrs, &o.Attributes); err != nil {
		return o, fmt.Errorf("decode attributes of %d: %w", o.ID, classify(err))
	}
	o.CreatedAt, o.UpdatedAt = created, updated
	return o, nil
}

// Counties returns a page of county divisions, with their risk summaries,
// in code order, and the number matched without paging.
func (s *Store) Counties(ctx context.Context, p geo.Page) ([]geo.Division, int, error) {
	bb := bboxArgs(p)
	b := &pgx.Batch{}
	b.Queue(s.q.get("divisions_count"), bb...)
	b.Queue(s.q.get("divisions_page"), append(bb, p.Limit, p.Offset, nil)...)
	res := s.pool.SendBatch(ctx, b)
	defer res.Close()
	var total int
	if err := res.QueryRow().Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count counties: %w", classify(err))
	}
	rows, err := res.Query()
	if err != nil {
		return nil, 0, fmt.Errorf("list counties: %w", classify(err))
	}
	ds, err := pgx.CollectRows(rows, scanDivision)
	if err != nil {
		return nil, 0, fmt.Errorf("list counties: %w", classify(err))
	}
	return ds, total, res.Close()
}

// County returns the county with adcode code, or an error wrapping
// geo.ErrNotFound.
func (s *Store) County(ctx context.Context, code string) (geo.Division, error) {
	rows, err := s.pool.Query(ctx, s.q.get("divisions_page"), nil, nil, nil, nil, 1, 0, code)
	if err != nil {
		return geo.Division{}, fmt.Errorf("get county %s: %w", code, classify(err))
	}
	d, err := pgx.CollectExactlyOneRow(rows, scanDivision)
	if err != nil {
		return geo.Division{}, fmt.Errorf("get county %s: %w", code, classify(err))
	}
	return d, nil
}

func scanDivision(row pgx.CollectableRow) (geo.Division, error) {
	var (
		d          geo.Division
		boundary   []byte
		label      []byte
		grade      string
		r, o, y, b int
		u          int
	)
	if err := row.Scan(&d.Code, &d.Name, &d.Level, &d.ParentCode, &d.Population, &boundary, &label, &grade,
		&r, &o, &y, &b, &u); err != nil {
		return d, err
	}
	g, err := wkb.Unmarshal(boundary)
	if err != nil {
		return d, fmt.Errorf("decode boundary of %s: %w", d.Code, classify(err))
	}
	mp, ok := g.(orb.MultiPolygon)
	if !ok {
		return d, fmt.Errorf("boundary of %s is a %s, not a MultiPolygon", d.Code, g.GeoJSONType())
	}
	d.Geometry = mp
	if label != nil {
		if g, err := wkb.Unmarshal(label); err == nil {
			if p, ok := g.(orb.Point); ok {
				d.Label = p
			}
		}
	}
	if d.Risk.Max, err = geo.ParseGrade(grade); err != nil {
		return d, err
	}
	d.Risk.Counts = [5]int{geo.Unassessed: u, geo.Blue: b, geo.Yellow: y, geo.Orange: o, geo.Red: r}
	return d, nil
}

// CollectionExtent returns the bounding box of the features of l (a
// category or geo.Counties), and false when it has none.
func (s *Store) CollectionExtent(ctx context.Context, l geo.Layer) (orb.Bound, bool, error) {
	var x0, y0, x1, y1 *float64
	if err := s.pool.QueryRow(ctx, s.q.get("collection_extent"), string(l)).Scan(&x0, &y0, &x1, &y1); err != nil {
		return orb.Bound{}, false, fmt.Errorf("read the extent of %s: %w", l, classify(err))
	}
	if x0 == nil {
		return orb.Bound{}, false, nil
	}
	return orb.Bound{Min: orb.Point{*x0, *y0}, Max: orb.Point{*x1, *y1}}, true, nil
}

// Extent returns the area the data covers, and false when there is none.
func (s *Store) Extent(ctx context.Context) (orb.Bound, bool, error) {
	var x0, y0, x1, y1 *float64
	if err := s.pool.QueryRow(ctx, s.q.get("extent")).Scan(&x0, &y0, &x1, &y1); err != nil {
		return orb.Bound{}, false, fmt.Errorf("read extent: %w", classify(err))
	}
	if x0 == nil {
		return orb.Bound{}, false, nil
	}
	return orb.Bound{Min: orb.Point{*x0, *y0}, Max: orb.Point{*x1, *y1}}, true, nil
}

// PlacingDivisions returns every division with its boundary, the deepest
// first (a township before its county, a local unit before the county it
// was carved from): geo.NewLocator over them finds the deepest division
// a point lies in.
func (s *Store) PlacingDivisions(ctx context.Context) ([]geo.Division, error) {
	rows, err := s.pool.Query(ctx, s.q.get("divisions_placing"))
	if err != nil {
		return nil, fmt.Errorf("list divisions: %w", classify(err))
	}
	ds, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (geo.Division, error) {
		var d geo.Division
		var boundary []byte
		if err := row.Scan(&d.Code, &d.Name, &d.Level, &d.ParentCode, &d.Local, &boundary); err != nil {
			return d, err
		}
		g, err := wkb.Unmarshal(boundary)
		if err != nil {
			return d, fmt.Errorf("decode boundary of %s: %w", d.Code, err)
		}
		mp, ok := g.(orb.MultiPolygon)
		if !ok {
			return d, fmt.Errorf("boundary of %s is a %s, not a MultiPolygon", d.Code, g.GeoJSONType())
		}
		d.Geometry = mp
		return d, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list divisions: %w", classify(err))
	}
	return ds, nil
}

// DivisionView is what a map of the division with code needs: its name,
// level, extent and the level of its loaded children ("" for none);
// geo.ErrNotFound when no such division is loaded.
func (s *Store) DivisionView(ctx context.Context, code string) (geo.DivisionView, error) {
	v := geo.DivisionView{Code: code}
	var b orb.Bound
	err := s.pool.QueryRow(ctx, s.q.get("division_view"), code).Scan(&v.Name, &v.Level, &b.Min[0], &b.Min[1], &b.Max[0], &b.Max[1], &v.ChildLevel)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, fmt.Errorf("division %s: %w", code, geo.ErrNotFound)
	}
	if err != nil {
		return v, fmt.Errorf("read division %s: %w", code, classify(err))
	}
	v.Bound = b
	return v, nil
}
