package postgis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"riskmap/geo"
)

// zoneQueries are the files the zone store runs.
var zoneQueries = []string{
	"zone_repair", "zone_place", "zone_insert", "zone_lock", "zone_update", "zone_delete",
	"zone_get", "zone_version_get", "zone_versions", "zones_list", "zone_reach", "zone_overlaps", "tile_zones",
	"zone_split", "zone_union", "zones_count",
}

// Outside the service area, a zone may stick out by this share of its
// area or this many square metres, whichever is more, before it is
// refused [PROP]: a planner drawing along a boundary by hand overshoots.
const (
	outsideShare = 0.01
	outsideM2    = 10000
)

// metresPerDegree converts a snapping distance to degrees, conservatively
// (a degree of latitude, the longest).
const metresPerDegree = 111320

// prepared is a zone geometry ready to store.
type prepared struct {
	hex      string
	counties []string
	areaM2   float64
	repaired []geo.GeometryProblem
}

// prepareZone checks g as a zone's geometry (geo.CheckPolygons, then
// PostGIS's validity, then the service area) and, where opt consents,
// mends it. Problems it may not mend are a *geo.GeometryError for param
// "geometry", every problem found at that stage listed with its place.
func (s *Store) prepareZone(ctx context.Context, q querier, g orb.Geometry, opt geo.ZoneOptions) (prepared, error) {
	var out prepared
	mp, problems, err := geo.CheckPolygons("geometry", g)
	if err != nil {
		return out, err
	}
	reject := func(ps []geo.GeometryProblem) error {
		return &geo.GeometryError{Param: "geometry", Problems: ps}
	}
	hex, err := polygonHex(mp)
	if err != nil {
		return out, err
	}
	unrepairable := false
	for _, p := range problems {
		unrepairable = unrepairable || !p.Repairable
	}
	if unrepairable {
		return out, reject(problems)
	}
	bad, err := s.invalidity(ctx, q, hex)
	if err != nil {
		return out, err
	}
	if bad != nil {
		problems = append(problems, *bad)
	}
	if len(problems) > 0 && !opt.Repair {
		return out, reject(problems)
	}
	out.repaired = problems
	if bad != nil {
		var left bool
		if err := q.QueryRow(ctx, s.q.get("zone_repair"), hex).Scan(&hex, &left); err != nil {
			return out, fmt.Errorf("repair the zone's geometry: %w", classify(err))
		}
		if !left {
			return out, reject([]geo.GeometryProblem{{Code: geo.ProblemEmpty, Message: "nothing is left once the polygon is made valid (it has no area)",
				MessageZH: "修复后多边形没有面积", Ring: -1}})
		}
	}
	var snap any
	if opt.SnapM > 0 {
		snap = opt.SnapM / metresPerDegree
	}
	var (
		nCounties         int
		outsideM, beforeM float64
		ox, oy            *float64
		valid, empty      bool
		final             string
		finalM2           float64
	)
	if err := q.QueryRow(ctx, s.q.get("zone_place"), hex, snap, opt.Clip).Scan(&nCounties, &out.counties, &outsideM, &ox, &oy,
		&beforeM, &final, &valid, &empty, &finalM2); err != nil {
		return out, fmt.Errorf("place the zone in the service area: %w", classify(err))
	}
	var where *[2]float64
	if ox != nil && oy != nil {
		where = &[2]float64{*ox, *oy}
	}
	switch {
	case nCounties == 0:
		return out, reject([]geo.GeometryProblem{{Code: geo.ProblemOutsideArea, Ring: -1,
			Message:   "there is no service area yet: import the county boundaries first",
			MessageZH: "尚无服务范围：请先导入区县边界"}})
	case len(out.counties) == 0:
		return out, reject([]geo.GeometryProblem{{Code: geo.ProblemOutsideArea, Ring: -1, Location: where,
			Message:   "the zone lies outside the service area (the counties' boundaries)",
			MessageZH: "区划完全在服务范围（区县边界）之外"}})
	case !opt.Clip && outsideM > math.Max(outsideShare*beforeM, outsideM2):
		return out, reject([]geo.GeometryProblem{{Code: geo.ProblemOutsideArea, Ring: -1, Location: where, Repairable: true,
			Message:   fmt.Sprintf("%.0f m² of the zone lies outside the service area (send clip=true to cut it off)", outsideM),
			MessageZH: fmt.Sprintf("区划有 %.0f 平方米在服务范围之外（可裁剪到服务范围）", outsideM)}})
	case empty || finalM2 <= 0:
		return out, reject([]geo.GeometryProblem{{Code: geo.ProblemEmpty, Ring: -1,
			Message: "nothing of the zone is left inside the service area", MessageZH: "裁剪后区划没有剩余部分"}})
	}
	if opt.Clip && outsideM > 0 {
		out.repaired = append(out.repaired, geo.GeometryProblem{Code: geo.ProblemOutsideArea, Ring: -1, Location: where, Repairable: true,
			Message: fmt.Sprintf("%.0f m² outside the service area cut off", outsideM), MessageZH: fmt.Sprintf("已裁去服务范围外的 %.0f 平方米", outsideM)})
	}
	if !valid {
		// Snapping or clipping can leave slivers that touch wrongly.
		var left bool
		if err := q.QueryRow(ctx, s.q.get("zone_repair"), final).Scan(&final, &left); err != nil {
			return out, fmt.Errorf("repair the snapped zone: %w", classify(err))
		}
		if !left {
			return out, reject([]geo.GeometryProblem{{Code: geo.ProblemEmpty, Ring: -1, Message: "nothing is left once snapped", MessageZH: "吸附后区划没有剩余部分"}})
		}
	}
	out.hex, out.areaM2 = final, finalM2
	return out, nil
}

// nullIfBlank is s, or NULL when empty.
func nullIfBlank(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateZone stores a new zone drawn (or imported) by actor, its
// geometry checked and, as opt allows, mended; nothing is stored when it
// fails.
func (s *Store) CreateZone(ctx context.Context, f geo.ZoneFeature, opt geo.ZoneOptions, actor string) (geo.Zone, error) {
	if err := f.Fields.Check(); err != nil {
		return geo.Zone{}, err
	}
	var id int64
	var repaired []geo.GeometryProblem
	err := s.tx(ctx, func(tx pgx.Tx) error {
		p, err := s.prepareZone(ctx, tx, f.Geometry, opt)
		if err != nil {
			return err
		}
		repaired = p.repaired
		fl := f.Fields
		action := "create"
		if fl.Source == "import" {
			action = "import"
		}
		id, err = s.insertZone(ctx, tx, fl, p, actor, action)
		return err
	})
	if err != nil {
		return geo.Zone{}, wrapZone("store the zone", err)
	}
	z, err := s.Zone(ctx, id)
	z.Repaired = repaired
	return z, err
}

// wrapZone wraps a failure of a zone write with what was being done (the
// client's errors inside stay what errors.As finds).
func wrapZone(what string, err error) error {
	return fmt.Errorf("%s: %w", what, classify(err))
}

// lockZone locks zone id and checks the version the client edited.
func (s *Store) lockZone(ctx context.Context, tx pgx.Tx, id int64, ifVersion int) (deleted bool, err error) {
	var version int
	if err := tx.QueryRow(ctx, s.q.get("zone_lock"), id).Scan(&version, &deleted); errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("zone %d: %w", id, geo.ErrNotFound)
	} else if err != nil {
		return false, fmt.Errorf("lock zone %d: %w", id, classify(err))
	}
	if ifVersion != version {
		cur, err := s.zoneIn(ctx, tx, id)
		if err != nil {
			return false, err
		}
		return false, &geo.VersionError{Resource: fmt.Sprintf("zone %d", id), Given: ifVersion, CurrentVersion: version, Current: cur.Feature()}
	}
	return deleted, nil
}

// UpdateZone saves a new version of zone id, if the client edited the
// current version (ifVersion; a *geo.VersionError otherwise, with the
// zone as it now is). A deleted zone is restored first (RestoreZone).
func (s *Store) UpdateZone(ctx context.Context, id int64, ifVersion int, f geo.ZoneFeature, opt geo.ZoneOptions, actor string) (geo.Zone, error) {
	if err := f.Fields.Check(); err != nil {
		return geo.Zone{}, err
	}
	var repaired []geo.GeometryProblem
	err := s.tx(ctx, func(tx pgx.Tx) error {
		deleted, err := s.lockZone(ctx, tx, id, ifVersion)
		if err != nil {
			return err
		}
		if deleted {
			return &geo.StateError{Action: "update", State: "deleted", Reason: "restore a version of the zone first"}
		}
		p, err := s.prepareZone(ctx, tx, f.Geometry, opt)
		if err != nil {
			return err
		}
		repaired = p.repaired
		return s.updateZone(ctx, tx, id, f.Fields, p, actor, "update", nil)
	})
	if err != nil {
		return geo.Zone{}, wrapZone(fmt.Sprintf("update zone %d", id), err)
	}
	z, err := s.Zone(ctx, id)
	z.Repaired = repaired
	return z, err
}

// DeleteZone marks zone id deleted, as a new version (soft: it can be
// restored), if the client saw the current version.
func (s *Store) DeleteZone(ctx context.Context, id int64, ifVersion int, actor string) (geo.Zone, error) {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		deleted, err := s.lockZone(ctx, tx, id, ifVersion)
		if err != nil {
			return err
		}
		if deleted {
			return &geo.StateError{Action: "delete", State: "deleted", Reason: "the zone is deleted already"}
		}
		_, err = tx.Exec(ctx, s.q.get("zone_delete"), id, actor, "delete")
		return err
	})
	if err != nil {
		return geo.Zone{}, wrapZone(fmt.Sprintf("delete zone %d", id), err)
	}
	return s.Zone(ctx, id)
}

// RestoreZone saves version `from` of zone id again as its newest
// version (undeleting it), if the client saw the current version.
func (s *Store) RestoreZone(ctx context.Context, id int64, from, ifVersion int, actor string) (geo.Zone, error) {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := s.lockZone(ctx, tx, id, ifVersion); err != nil {
			return err
		}
		old, err := s.scanZone(tx.QueryRow(ctx, s.q.get("zone_version_get"), id, from))
		if errors.Is(err, geo.ErrNotFound) {
			return geo.Invalidf("version", "zone %d has no version %d", id, from)
		}
		if err != nil {
			return err
		}
		if old.Deleted {
			return geo.Invalidf("version", "version %d is the zone's deletion: restore a version before it", from)
		}
		hex, err := polygonHex(old.Geometry)
		if err != nil {
			return err
		}
		return s.updateZone(ctx, tx, id, zoneFields(old), prepared{hex: hex, counties: old.Counties, areaM2: old.AreaM2}, actor, "restore", old.DrawnBy)
	})
	if err != nil {
		return geo.Zone{}, wrapZone(fmt.Sprintf("restore version %d of zone %d", from, id), err)
	}
	return s.Zone(ctx, id)
}

// Zone returns zone id as it stands (Deleted tells whether it is).
func (s *Store) Zone(ctx context.Context, id int64) (geo.Zone, error) {
	return s.zoneIn(ctx, s.pool, id)
}

func (s *Store) zoneIn(ctx context.Context, q querier, id int64) (geo.Zone, error) {
	z, err := s.scanZone(q.QueryRow(ctx, s.q.get("zone_get"), id))
	if err != nil {
		return z, fmt.Errorf("zone %d: %w", id, err)
	}
	return z, nil
}

// ZoneVersion returns version v of zone id as it was saved.
func (s *Store) ZoneVersion(ctx context.Context, id int64, v int) (geo.Zone, error) {
	z, err := s.scanZone(s.pool.QueryRow(ctx, s.q.get("zone_version_get"), id, v))
	if err != nil {
		return z, fmt.Errorf("version %d of zone %d: %w", v, id, err)
	}
	return z, nil
}

// ZoneVersions lists the versions of zone id, the newest first.
func (s *Store) ZoneVersions(ctx context.Context, id int64) ([]geo.ZoneVersion, error) {
	rows, err := s.pool.Query(ctx, s.q.get("zone_versions"), id)
	if err != nil {
		return nil, fmt.Errorf("list the versions of zone %d: %w", id, classify(err))
	}
	vs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (geo.ZoneVersion, error) {
		var v geo.ZoneVersion
		err := r.Scan(&v.Version, &v.Action, &v.Name, &v.Grade, &v.AreaM2, &v.Deleted, &v.SavedBy, &v.SavedAt)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("list the versions of zone %d: %w", id, classify(err))
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("zone %d: %w", id, geo.ErrNotFound)
	}
	return vs, nil
}

// Zones lists a page of zones, and how many match in all.
func (s *Store) Zones(ctx context.Context, q geo.ZoneQuery) ([]geo.Zone, int, error) {
	var box any
	if q.BBox != nil {
		h, err := polygonHex(q.BBox.ToPolygon())
		if err != nil {
			return nil, 0, err
		}
		box = h
	}
	var types, grades any
	if len(q.HazardTypes) > 0 {
		types = q.HazardTypes
	}
	if len(q.Grades) > 0 {
		gs := make([]string, len(q.Grades))
		for i, g := range q.Grades {
			gs[i] = g.String()
		}
		grades = gs
	}
	limit := q.Limit
	if limit <= 0 || limit > geo.MaxZoneList {
		limit = geo.MaxZoneList
	}
	rows, err := s.pool.Query(ctx, s.q.get("zones_list"), box, types, grades, q.Deleted, limit, q.Offset, readWithin(ctx))
	if err != nil {
		return nil, 0, fmt.Errorf("list zones: %w", classify(err))
	}
	defer rows.Close()
	var out []geo.Zone
	total := 0
	for rows.Next() {
		z, n, err := scanZoneRow(rows, true)
		if err != nil {
			return nil, 0, fmt.Errorf("list zones: %w", err)
		}
		out = append(out, z)
		total = n
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list zones: %w", classify(err))
	}
	if len(out) == 0 && q.Offset > 0 {
		if err := s.pool.QueryRow(ctx, s.q.get("zones_count"), box, types, grades, q.Deleted, readWithin(ctx)).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count zones: %w", classify(err))
		}
	}
	return out, total, nil
}

func (s *Store) scanZone(row pgx.Row) (geo.Zone, error) {
	z, _, err := scanZoneRow(row, false)
	return z, err
}

// scanZoneRow reads the columns of zone_get (and, withTotal, the count
// zones_list adds).
func scanZoneRow(row pgx.Row, withTotal bool) (geo.Zone, int, error) {
	var z geo.Zone
	var grade string
	var geom []byte
	var total int
	dest := []any{&z.ID, &z.Version, &z.Name, &z.HazardType, &z.Kind, &grade, &z.Description, &z.SeasonFrom, &z.SeasonTo,
		&z.ValidFrom, &z.ValidTo, &z.Source, &z.DrawnBy, &z.Counties, &z.AreaM2, &geom, &z.Action, &z.UpdatedBy, &z.UpdatedAt, &z.Deleted}
	if withTotal {
		dest = append(dest, &total)
	}
	if err := row.Scan(dest...); errors.Is(err, pgx.ErrNoRows) {
		return z, 0, geo.ErrNotFound
	} else if err != nil {
		return z, 0, classify(err)
	}
	z.Grade, _ = geo.ParseGrade(grade)
	g, err := wkb.Unmarshal(geom)
	if err != nil {
		return z, 0, fmt.Errorf("read zone %d's geometry: %w", z.ID, err)
	}
	z.Geometry, _ = g.(orb.MultiPolygon)
	z.UpdatedAt = z.UpdatedAt.In(time.UTC)
	return z, total, nil
}

// ZoneAnalysis is what zone id holds (objects by category and grade,
// hidden hazards, shelters, county population shares: the around
// analysis of its polygon), the shelters within reachM of it outside it,
// and the other zones it overlaps. Computed when asked, from the data as
// it stands.
func (s *Store) ZoneAnalysis(ctx context.Context, id int64, reachM float64) (geo.ZoneAnalysis, error) {
	z, err := s.Zone(ctx, id)
	if err != nil {
		return geo.ZoneAnalysis{}, err
	}
	if z.Deleted {
		return geo.ZoneAnalysis{}, &geo.StateError{Action: "analyse", State: "deleted", Reason: "restore the zone to analyse it"}
	}
	out := geo.ZoneAnalysis{ZoneID: z.ID, Version: z.Version, AreaM2: z.AreaM2, ReachM: reachM}
	centre := z.Geometry.Bound().Center()
	out.Inside, err = s.Around(ctx, geo.AroundQuery{Point: centre, Polygon: z.Geometry})
	if err != nil {
		return out, fmt.Errorf("analyse zone %d: %w", id, err)
	}
	rows, err := s.pool.Query(ctx, s.q.get("zone_reach"), id, reachM, geo.MaxAroundList)
	if err != nil {
		return out, fmt.Errorf("find the shelters within reach of zone %d: %w", id, classify(err))
	}
	out.Reach, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (geo.AroundObject, error) {
		o := geo.AroundObject{Category: geo.Shelters}
		var grade string
		err := r.Scan(&o.ID, &o.Name, &grade, &o.Lon, &o.Lat, &o.DistanceM, &o.Capacity, &o.Status)
		o.Grade, _ = geo.ParseGrade(grade)
		return o, err
	})
	if err != nil {
		return out, fmt.Errorf("find the shelters within reach of zone %d: %w", id, classify(err))
	}
	if out.Reach == nil {
		out.Reach = []geo.AroundObject{}
	}
	for _, o := range out.Reach {
		out.ReachSummary.Count++
		if o.Capacity != nil {
			out.ReachSummary.Capacity += *o.Capacity
		}
	}
	rows, err = s.pool.Query(ctx, s.q.get("zone_overlaps"), id)
	if err != nil {
		return out, fmt.Errorf("find the zones overlapping zone %d: %w", id, classify(err))
	}
	out.Overlaps, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (geo.ZoneOverlap, error) {
		var o geo.ZoneOverlap
		err := r.Scan(&o.ID, &o.Name, &o.HazardType, &o.Grade, &o.AreaM2, &o.Share, &o.ShareOther)
		return o, err
	})
	if err != nil {
		return out, fmt.Errorf("find the zones overlapping zone %d: %w", id, classify(err))
	}
	if out.Overlaps == nil {
		out.Overlaps = []geo.ZoneOverlap{}
	}
	return out, nil
}

// zoneFields are a stored zone's fields, to save with a new geometry.
func zoneFields(z geo.Zone) geo.ZoneFields {
	return geo.ZoneFields{Name: z.Name, HazardType: z.HazardType, Kind: z.Kind, Grade: z.Grade.String(), Description: z.Description,
		SeasonFrom: z.SeasonFrom, SeasonTo: z.SeasonTo, ValidFrom: z.ValidFrom, ValidTo: z.ValidTo, Source: z.Source}
}

// insertZone stores a new zone (version 1) of fields fl and geometry p,
// by actor; action is create, import or split.
func (s *Store) insertZone(ctx context.Context, tx pgx.Tx, fl geo.ZoneFields, p prepared, actor, action string) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, s.q.get("zone_insert"), fl.Name, fl.HazardType, fl.Kind, fl.GradeValue().String(), fl.Description,
		nullIfBlank(fl.SeasonFrom), nullIfBlank(fl.SeasonTo), nullIfBlank(fl.ValidFrom), nullIfBlank(fl.ValidTo),
		fl.Source, actor, p.counties, p.areaM2, p.hex, action).Scan(&id)
	return id, err
}

// updateZone saves zone id (locked) with fields fl and geometry p as its
// next version, by actor; action is update, restore, split or merge;
// drawnBy, when not nil, replaces who drew it (a restore's).
func (s *Store) updateZone(ctx context.Context, tx pgx.Tx, id int64, fl geo.ZoneFields, p prepared, actor, action string, drawnBy any) error {
	_, err := tx.Exec(ctx, s.q.get("zone_update"), id, fl.Name, fl.HazardType, fl.Kind, fl.GradeValue().String(), fl.Description,
		nullIfBlank(fl.SeasonFrom), nullIfBlank(fl.SeasonTo), nullIfBlank(fl.ValidFrom), nullIfBlank(fl.ValidTo),
		actor, p.counties, p.areaM2, p.hex, fl.Source, action, drawnBy)
	return err
}

// MaxSplitLine bounds the positions of a splitting line.
const MaxSplitLine = 10000

// SplitZone cuts zone id along line, if the client saw the current
// version: the zone keeps the largest piece of every part the line
// crosses (a new version), each other piece becomes a zone with the same
// fields. It returns the zone and the new ones; a line that cuts nothing
// is a *geo.ParamError for "line".
func (s *Store) SplitZone(ctx context.Context, id int64, ifVersion int, line orb.LineString, actor string) (geo.Zone, []geo.Zone, error) {
	if len(line) < 2 || len(line) > MaxSplitLine {
		return geo.Zone{}, nil, geo.Invalidf("line", "a LineString of 2 to %d positions", MaxSplitLine)
	}
	for _, p := range line {
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
			return geo.Zone{}, nil, geo.Invalidf("line", "position %v is beyond longitude ±180° or latitude ±90°", [2]float64(p))
		}
	}
	lineHex, err := polygonHex(line)
	if err != nil {
		return geo.Zone{}, nil, err
	}
	var created []int64
	err = s.tx(ctx, func(tx pgx.Tx) error {
		deleted, err := s.lockZone(ctx, tx, id, ifVersion)
		if err != nil {
			return err
		}
		if deleted {
			return &geo.StateError{Action: "split", State: "deleted", Reason: "restore a version of the zone first"}
		}
		z, err := s.zoneIn(ctx, tx, id)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, s.q.get("zone_split"), id, lineHex)
		if err != nil {
			return fmt.Errorf("split zone %d: %w", id, classify(err))
		}
		var keep []byte
		var others [][]byte
		var isKeep bool
		var g []byte
		var m2 float64
		if _, err := pgx.ForEachRow(rows, []any{&isKeep, &g, &m2}, func() error {
			if isKeep {
				keep = append([]byte(nil), g...)
			} else {
				others = append(others, append([]byte(nil), g...))
			}
			return nil
		}); err != nil {
			return fmt.Errorf("split zone %d: %w", id, classify(err))
		}
		if len(others) == 0 {
			return geo.Invalidf("line", "the line does not cut the zone in two: draw it across the zone, from outside to outside")
		}
		place := func(b []byte) (prepared, error) {
			g, err := wkb.Unmarshal(b)
			if err != nil {
				return prepared{}, fmt.Errorf("read a piece of zone %d: %w", id, err)
			}
			return s.prepareZone(ctx, tx, g, geo.ZoneOptions{})
		}
		p, err := place(keep)
		if err != nil {
			return err
		}
		if err := s.updateZone(ctx, tx, id, zoneFields(z), p, actor, "split", nil); err != nil {
			return err
		}
		fl := zoneFields(z)
		for _, b := range others {
			p, err := place(b)
			if err != nil {
				return err
			}
			nid, err := s.insertZone(ctx, tx, fl, p, actor, "split")
			if err != nil {
				return err
			}
			created = append(created, nid)
		}
		return nil
	})
	if err != nil {
		return geo.Zone{}, nil, wrapZone(fmt.Sprintf("split zone %d", id), err)
	}
	z, err := s.Zone(ctx, id)
	if err != nil {
		return z, nil, err
	}
	var out []geo.Zone
	for _, nid := range created {
		n, err := s.Zone(ctx, nid)
		if err != nil {
			return z, nil, err
		}
		out = append(out, n)
	}
	return z, out, nil
}

// MaxMerge bounds how many zones one merge joins.
const MaxMerge = 50

// MergeZones joins zones into the first of them (its fields kept, the
// union of their areas as its geometry, a new version); the others are
// marked deleted (merged). Each must be at the version the client saw.
func (s *Store) MergeZones(ctx context.Context, refs []geo.ZoneRef, actor string) (geo.Zone, error) {
	if len(refs) < 2 || len(refs) > MaxMerge {
		return geo.Zone{}, geo.Invalidf("zones", "merge 2 to %d zones", MaxMerge)
	}
	ids := make([]int64, len(refs))
	seen := map[int64]bool{}
	for i, r := range refs {
		if seen[r.ID] {
			return geo.Zone{}, geo.Invalidf(fmt.Sprintf("zones[%d].id", i), "zone %d is named twice", r.ID)
		}
		if r.Version < 1 {
			return geo.Zone{}, geo.Invalidf(fmt.Sprintf("zones[%d].version", i), "required: the version of zone %d you saw", r.ID)
		}
		seen[r.ID] = true
		ids[i] = r.ID
	}
	// Locked in id order, so that two merges of the same zones cannot
	// wait on each other.
	order := append([]geo.ZoneRef(nil), refs...)
	slices.SortFunc(order, func(a, b geo.ZoneRef) int { return cmp.Compare(a.ID, b.ID) })
	first := refs[0].ID
	err := s.tx(ctx, func(tx pgx.Tx) error {
		for _, r := range order {
			deleted, err := s.lockZone(ctx, tx, r.ID, r.Version)
			if err != nil {
				return err
			}
			if deleted {
				return &geo.StateError{Action: "merge", State: "deleted", Reason: fmt.Sprintf("zone %d is deleted", r.ID)}
			}
		}
		z, err := s.zoneIn(ctx, tx, first)
		if err != nil {
			return err
		}
		var b []byte
		if err := tx.QueryRow(ctx, s.q.get("zone_union"), ids).Scan(&b); err != nil {
			return fmt.Errorf("join zones %v: %w", ids, classify(err))
		}
		g, err := wkb.Unmarshal(b)
		if err != nil {
			return fmt.Errorf("read the union of zones %v: %w", ids, err)
		}
		p, err := s.prepareZone(ctx, tx, g, geo.ZoneOptions{})
		if err != nil {
			return err
		}
		if err := s.updateZone(ctx, tx, first, zoneFields(z), p, actor, "merge", nil); err != nil {
			return err
		}
		for _, id := range ids[1:] {
			if _, err := tx.Exec(ctx, s.q.get("zone_delete"), id, actor, "merge"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return geo.Zone{}, wrapZone(fmt.Sprintf("merge zones %v", ids), err)
	}
	return s.Zone(ctx, first)
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

// ImportZones stores zones read from files, all in one transaction:
// every geometry checked (and, as opt allows, mended) as a drawn one is;
// the first that fails stops the import, named by its place in rows
// (where[i], e.g. "zones.geojson row 3"), and nothing is stored. With
// dryRun everything is checked and nothing kept. It returns how many
// zones were (or would be) stored.
func (s *Store) ImportZones(ctx context.Context, rows []geo.ZoneFeature, where []string, opt geo.ZoneOptions, actor string, dryRun bool) (int, error) {
	n := 0
	err := s.tx(ctx, func(tx pgx.Tx) error {
		for i, f := range rows {
			at := fmt.Sprintf("zone %d", i+1)
			if i < len(where) {
				at = where[i]
			}
			if err := f.Fields.Check(); err != nil {
				return fmt.Errorf("%s: %w", at, err)
			}
			p, err := s.prepareZone(ctx, tx, f.Geometry, opt)
			if err != nil {
				return fmt.Errorf("%s: %w", at, err)
			}
			if _, err := s.insertZone(ctx, tx, f.Fields, p, actor, "import"); err != nil {
				return fmt.Errorf("%s: store it: %w", at, classify(err))
			}
			n++
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return n, nil
	}
	if err != nil {
		return 0, fmt.Errorf("import zones: %w", err)
	}
	return n, nil
}
