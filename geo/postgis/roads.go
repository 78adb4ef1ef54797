package postgis

// The road network: storing it, and routing on it with pgRouting.
//
// A point (an incident, a resource's base) joins the network at the
// nearest point of the nearest road (pgRouting's "withPoints": the point
// is put on that edge at its fraction along it, and routes start or end
// there). The leg between the point and the road is driven at
// AccessSpeedKMH in a straight line. A point farther than SnapDegrees
// from every road is unreachable.
//
// Routing reads only the edges in a box round the points, widened by a
// margin (RouteMargin, at least, and a third of the box's size), which
// keeps pgRouting's work near the incident on a province-sized network;
// an origin the box leaves unreachable is tried again on the whole
// network.

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"

	"riskmap/geo"
)

// AccessSpeedKMH is the speed of the leg between a point and the road it
// joins [PROP]: a driveway, a track, a village lane not in the network.
const AccessSpeedKMH = 20

// SnapDegrees is the farthest a point may be from a road and still join
// the network (0.1°, about 10 km: a mountain village far up a track).
const SnapDegrees = 0.1

// RouteMargin is the least margin, in degrees (about 15 km), round the
// points of a route within which the network is read.
const RouteMargin = 0.15

// roadBatch is how many roads go to the database per statement.
const roadBatch = 5000

// RoadImport says what an import of roads did.
type RoadImport struct {
	Roads    int   `json:"roads"`    // stored (new or changed)
	Removed  int64 `json:"removed"`  // of the source, not in the import (with replace)
	Edges    int64 `json:"edges"`    // in the whole network afterwards
	Vertices int64 `json:"vertices"` // in the whole network afterwards
}

// ImportRoads stores roads of source in one transaction and rebuilds the
// network's topology: all of them or, when one is invalid (a
// *geo.ParamError naming it), none, the network left as it was. With
// replace, the source's roads that are not in roads are removed.
func (s *Store) ImportRoads(ctx context.Context, source string, roads []geo.Road, replace bool) (RoadImport, error) {
	var out RoadImport
	if source == "" {
		return out, geo.Invalidf("source", "missing")
	}
	seen := make(map[string]int, len(roads))
	for i, r := range roads {
		if err := r.Check(); err != nil {
			var pe *geo.ParamError
			if errors.As(err, &pe) {
				return out, geo.Invalidf(fmt.Sprintf("roads[%d] (%s).%s", i, r.SourceID, pe.Param), "%s", pe.Reason)
			}
			return out, err
		}
		if j, dup := seen[r.SourceID]; dup {
			return out, geo.Invalidf(fmt.Sprintf("roads[%d].source_id", i), "%q is also road %d's", r.SourceID, j)
		}
		seen[r.SourceID] = i
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if replace {
			keep := make([]string, len(roads))
			for i, r := range roads {
				keep[i] = r.SourceID
			}
			tag, err := tx.Exec(ctx, s.q.get("roads_delete"), source, keep)
			if err != nil {
				return fmt.Errorf("remove the roads of %s: %w", source, classify(err))
			}
			out.Removed = tag.RowsAffected()
		}
		for start := 0; start < len(roads); start += roadBatch {
			batch := roads[start:min(start+roadBatch, len(roads))]
			ids, names, classes := make([]string, len(batch)), make([]string, len(batch)), make([]string, len(batch))
			oneway, speeds, lines := make([]int16, len(batch)), make([]float64, len(batch)), make([]string, len(batch))
			for i, r := range batch {
				class, _ := geo.ParseRoadClass(r.Class) // checked above
				ids[i], names[i], classes[i], oneway[i] = r.SourceID, r.Name, class, int16(r.OneWay)
				speeds[i] = r.Speed()
				hex, err := ewkb.MarshalToHex(r.Line, 4490)
				if err != nil {
					return geo.Invalidf(fmt.Sprintf("roads[%d].line", start+i), "not a line")
				}
				lines[i] = hex
			}
			if _, err := tx.Exec(ctx, s.q.get("roads_upsert"), source, ids, names, classes, oneway, speeds, lines); err != nil {
				return fmt.Errorf("store the roads of %s: %w", source, classify(err))
			}
		}
		if _, err := tx.Exec(ctx, s.q.get("roads_topology")); err != nil {
			return fmt.Errorf("build the road network's topology: %w", classify(err))
		}
		return tx.QueryRow(ctx, s.q.get("roads_info")).Scan(&out.Edges, &out.Vertices)
	})
	if err != nil {
		return RoadImport{}, err
	}
	out.Roads = len(roads)
	return out, nil
}

// RoadNetwork tells how big the loaded road network is.
func (s *Store) RoadNetwork(ctx context.Context) (geo.NetworkInfo, error) {
	var n geo.NetworkInfo
	if err := s.pool.QueryRow(ctx, s.q.get("roads_info")).Scan(&n.Edges, &n.Vertices); err != nil {
		return n, fmt.Errorf("read the road network's size: %w", classify(err))
	}
	return n, nil
}

// snapped is a point joined to the network: at a vertex, or on an edge
// as a pgRouting point.
type snapped struct {
	Pid      int64   `json:"pid"`
	Edge     int64   `json:"edge_id"`
	Fraction float64 `json:"fraction"`
	vertex   int64   // the vertex it is at, or 0
	legM     float64 // metres from the point to the road
	ok       bool    // near enough a road
}

// node is the point's id in a route: its vertex, or minus its pid.
func (p snapped) node() int64 {
	if p.vertex != 0 {
		return p.vertex
	}
	return -p.Pid
}

func legSeconds(m float64) float64 { return m / (AccessSpeedKMH / 3.6) }

// snap joins points to the network; pids are 1, 2, … in order.
func (s *Store) snap(ctx context.Context, tx pgx.Tx, pts []orb.Point) ([]snapped, error) {
	lons, lats := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		lons[i], lats[i] = p[0], p[1]
	}
	rows, err := tx.Query(ctx, s.q.get("roads_snap"), lons, lats, SnapDegrees)
	if err != nil {
		return nil, fmt.Errorf("join points to the road network: %w", classify(err))
	}
	out := make([]snapped, 0, len(pts))
	var i int64
	var edge, vertex *int64
	var f, m, vm *float64
	_, err = pgx.ForEachRow(rows, []any{&i, &edge, &f, &m, &vertex, &vm}, func() error {
		sp := snapped{Pid: i}
		switch {
		case vertex != nil:
			sp.vertex, sp.legM, sp.ok = *vertex, *vm, true
		case edge != nil:
			sp.Edge, sp.Fraction, sp.legM, sp.ok = *edge, *f, *m, true
		}
		out = append(out, sp)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("join points to the road network: %w", classify(err))
	}
	return out, nil
}

// setup tells the routing statements of tx the box and the points.
func (s *Store) setup(ctx context.Context, tx pgx.Tx, box *orb.Bound, pts []snapped, reverse bool) error {
	var on []snapped
	for _, p := range pts {
		if p.ok && p.vertex == 0 {
			on = append(on, p)
		}
	}
	if on == nil {
		on = []snapped{}
	}
	js, _ := json.Marshal(on)
	b := ""
	if box != nil {
		f := func(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }
		b = f(box.Min[0]) + "," + f(box.Min[1]) + "," + f(box.Max[0]) + "," + f(box.Max[1])
	}
	rev := "off"
	if reverse {
		rev = "on"
	}
	if _, err := tx.Exec(ctx, s.q.get("route_setup"), b, string(js), rev); err != nil {
		return fmt.Errorf("set up routing: %w", classify(err))
	}
	return nil
}

// routeBox is the box round pts in which to route.
func routeBox(pts []orb.Point) *orb.Bound {
	b := orb.MultiPoint(pts).Bound()
	m := max(RouteMargin, (b.Max[0]-b.Min[0])/3, (b.Max[1]-b.Min[1])/3)
	b = b.Pad(m)
	return &b
}

// TravelTimes is the driving time from each of from to to, in order: one
// Dijkstra from to on the reversed network. See the file's comment for
// how points join the network.
func (s *Store) TravelTimes(ctx context.Context, to orb.Point, from []orb.Point) ([]geo.Travel, error) {
	out := make([]geo.Travel, len(from))
	if len(from) == 0 {
		return out, nil
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		pts := append([]orb.Point{to}, from...)
		sn, err := s.snap(ctx, tx, pts)
		if err != nil {
			return err
		}
		if !sn[0].ok {
			return nil // the destination is off the network: nothing reaches it
		}
		todo := func() []int64 {
			var ends []int64
			for i := range from {
				if sn[i+1].ok && !out[i].Reachable {
					ends = append(ends, sn[i+1].node())
				}
			}
			return ends
		}
		// Origins at one vertex share its node.
		byNode := map[int64][]int{}
		for i := range from {
			if sn[i+1].ok {
				byNode[sn[i+1].node()] = append(byNode[sn[i+1].node()], i)
			}
		}
		for _, box := range []*orb.Bound{routeBox(pts), nil} {
			ends := todo()
			if len(ends) == 0 {
				break
			}
			if err := s.setup(ctx, tx, box, sn, true); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, s.q.get("route_costs"), sn[0].node(), ends)
			if err != nil {
				return fmt.Errorf("route to %v: %w", to, classify(err))
			}
			var end int64
			var secs, metres float64
			_, err = pgx.ForEachRow(rows, []any{&end, &secs, &metres}, func() error {
				for _, i := range byNode[end] {
					legs := sn[0].legM + sn[i+1].legM
					out[i] = geo.Travel{Seconds: secs + legSeconds(legs), Metres: metres + legs, Reachable: true}
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("route to %v: %w", to, classify(err))
			}
		}
		// An origin where the destination is: no driving.
		for _, i := range byNode[sn[0].node()] {
			legs := sn[0].legM + sn[i+1].legM
			out[i] = geo.Travel{Seconds: legSeconds(legs), Metres: legs, Reachable: true}
		}
		return nil
	})
	return out, err
}

// Route is the fastest road path from from to to, with the legs between
// the points and the roads. Reachable is false when no road joins them.
func (s *Store) Route(ctx context.Context, from, to orb.Point) (geo.Route, error) {
	var out geo.Route
	err := s.tx(ctx, func(tx pgx.Tx) error {
		sn, err := s.snap(ctx, tx, []orb.Point{from, to})
		if err != nil {
			return err
		}
		if !sn[0].ok || !sn[1].ok {
			return nil
		}
		if sn[0].node() == sn[1].node() {
			// Both join the network at the same junction: no road
			// between them but the two access legs.
			legs := sn[0].legM + sn[1].legM
			out = geo.Route{Travel: geo.Travel{Seconds: legSeconds(legs), Metres: legs, Reachable: true}, Line: orb.LineString{from, to}}
			return nil
		}
		for _, box := range []*orb.Bound{routeBox([]orb.Point{from, to}), nil} {
			if err := s.setup(ctx, tx, box, sn, false); err != nil {
				return err
			}
			var path string
			var secs, metres float64
			err := tx.QueryRow(ctx, s.q.get("route_path"), sn[0].node(), sn[1].node()).Scan(&path, &secs, &metres)
			if errors.Is(err, pgx.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("route from %v to %v: %w", from, to, classify(err))
			}
			g, _, err := ewkb.Unmarshal(mustHex(path))
			if err != nil {
				return fmt.Errorf("route from %v to %v: read the line: %w", from, to, err)
			}
			line, _ := g.(orb.LineString)
			line = append(append(orb.LineString{from}, line...), to)
			legs := sn[0].legM + sn[1].legM
			out = geo.Route{Travel: geo.Travel{Seconds: secs + legSeconds(legs), Metres: metres + legs, Reachable: true}, Line: line}
			return nil
		}
		return nil
	})
	return out, err
}

func mustHex(s string) []byte {
	b, _ := hex.DecodeString(s) // PostGIS's ST_AsHexEWKB: a bad one fails Unmarshal
	return b
}

// MaxIsochroneMinutes bounds an isochrone band.
const MaxIsochroneMinutes = 120

// isochroneSpeedKMH is the fastest a band can spread (for the box of the
// network it reads): a motorway's speed.
const isochroneSpeedKMH = 120

// Isochrones are the areas within each band of minutes of driving from
// at (inbound: to at, on the reversed network), smallest first, each
// holding the ones inside it. An area is the concave hull of the network
// vertices reached, widened by 200 m: it follows the roads' reach, and
// can take in land between roads that no road serves. A point off the
// network has no areas.
func (s *Store) Isochrones(ctx context.Context, at orb.Point, minutes []int, inbound bool) ([]geo.Isochrone, error) {
	for _, m := range minutes {
		if m < 1 || m > MaxIsochroneMinutes {
			return nil, geo.Invalidf("minutes", "%d is not from 1 to %d", m, MaxIsochroneMinutes)
		}
	}
	minutes = slices.Sorted(slices.Values(minutes))
	out := make([]geo.Isochrone, 0, len(minutes))
	err := s.tx(ctx, func(tx pgx.Tx) error {
		sn, err := s.snap(ctx, tx, []orb.Point{at})
		if err != nil {
			return err
		}
		if !sn[0].ok || len(minutes) == 0 {
			return nil
		}
		top := 0
		for _, m := range minutes {
			top = max(top, m)
		}
		// As far as the fastest road could take it, in degrees
		// (longitude degrees are shorter: cos of the latitude).
		reach := float64(top) / 60 * isochroneSpeedKMH * 1000 / 111320 / math.Cos(at[1]*math.Pi/180)
		box := orb.Bound{Min: at, Max: at}.Pad(reach)
		if err := s.setup(ctx, tx, &box, sn, inbound); err != nil {
			return err
		}
		budget := float64(top)*60 - legSeconds(sn[0].legM)
		type vertex struct{ x, y, secs float64 }
		var reached []vertex
		if budget > 0 {
			rows, err := tx.Query(ctx, s.q.get("route_reach"), sn[0].node(), budget)
			if err != nil {
				return fmt.Errorf("isochrones of %v: %w", at, classify(err))
			}
			var id int64
			var v vertex
			if _, err := pgx.ForEachRow(rows, []any{&id, &v.x, &v.y, &v.secs}, func() error {
				reached = append(reached, v)
				return nil
			}); err != nil {
				return fmt.Errorf("isochrones of %v: %w", at, classify(err))
			}
		}
		var inner *string
		for _, m := range minutes {
			limit := float64(m)*60 - legSeconds(sn[0].legM)
			xs, ys := []float64{at[0]}, []float64{at[1]}
			for _, v := range reached {
				if v.secs <= limit {
					xs, ys = append(xs, v.x), append(ys, v.y)
				}
			}
			var area string
			if err := tx.QueryRow(ctx, s.q.get("route_hull"), xs, ys, inner).Scan(&area); err != nil {
				return fmt.Errorf("isochrone %d min of %v: %w", m, at, classify(err))
			}
			g, _, err := ewkb.Unmarshal(mustHex(area))
			if err != nil {
				return fmt.Errorf("isochrone %d min of %v: %w", m, at, err)
			}
			out = append(out, geo.Isochrone{Minutes: m, Area: g})
			inner = &area
		}
		return nil
	})
	return out, err
}
