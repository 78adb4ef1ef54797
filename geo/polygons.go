package geo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Bounds of a polygon geometry sent by a client (a zone, or an area to
// analyse). A body within the size limit can still hold more; these keep
// PostGIS's work per request bounded.
const (
	MaxPolygonParts    = 1000   // polygons in one multipolygon
	MaxPolygonRings    = 1000   // rings in one polygon (the shell and its holes)
	MaxPolygonVertices = 100000 // positions in all
)

// GeometryProblem is one fault of a polygon geometry and where it is.
// Repairable faults are mended when the client consents (repair=true);
// the others need a new drawing.
type GeometryProblem struct {
	Code       string      `json:"code"`    // see the Problem* constants
	Message    string      `json:"message"` // for a person, in English
	MessageZH  string      `json:"message_zh"`
	Location   *[2]float64 `json:"location,omitempty"` // lon, lat of the fault
	Part       int         `json:"part"`               // the polygon's index in a multipolygon (0 for a polygon)
	Ring       int         `json:"ring"`               // 0 the shell, 1… the holes; -1 the whole polygon
	Repairable bool        `json:"repairable"`
}

// The faults CheckPolygons and the store find.
const (
	ProblemOutOfRange       = "out_of_range"      // a position beyond ±180°, ±90°, or not a number
	ProblemUnclosedRing     = "unclosed_ring"     // first and last positions differ
	ProblemTooFewPoints     = "too_few_points"    // fewer than three distinct positions
	ProblemOrientation      = "orientation"       // a shell clockwise or a hole counter-clockwise (RFC 7946 §3.1.6)
	ProblemSpike            = "spike"             // the ring goes out and straight back
	ProblemSelfIntersection = "self_intersection" // edges cross, holes outside shells, parts overlap (PostGIS ST_IsValidDetail)
	ProblemOutsideArea      = "outside_service_area"
	ProblemEmpty            = "empty" // nothing left (repaired away, or clipped off)
)

// GeometryError is a polygon geometry with faults. Its message is safe to
// show to the client; the web layer sends the problems with it.
type GeometryError struct {
	Param    string // the parameter or field that holds the geometry
	Problems []GeometryProblem
}

// Error implements error: the first problem, and how many more.
func (e *GeometryError) Error() string {
	if len(e.Problems) == 0 {
		return e.Param + ": not a valid polygon"
	}
	p := e.Problems[0]
	msg := e.Param + ": " + p.Message
	if p.Location != nil {
		msg += fmt.Sprintf(" at %.6f, %.6f", p.Location[0], p.Location[1])
	}
	if len(e.Problems) > 1 {
		msg += fmt.Sprintf(" (and %d more problems)", len(e.Problems)-1)
	}
	return msg
}

// Is makes a GeometryError match ErrInvalid.
func (e *GeometryError) Is(target error) bool { return target == ErrInvalid }

// Repairable tells whether every problem can be repaired.
func (e *GeometryError) Repairable() bool {
	for _, p := range e.Problems {
		if !p.Repairable {
			return false
		}
	}
	return len(e.Problems) > 0
}

func at(p orb.Point) *[2]float64 { return &[2]float64{p[0], p[1]} }

// CheckPolygons checks the structure of a Polygon or MultiPolygon as a
// client sent it: positions in range, rings closed with three distinct
// positions or more, no spikes, shells counter-clockwise and holes
// clockwise, within the size bounds. It returns the geometry with every
// repairable fault mended (rings closed, repeated positions and spikes
// removed, rings turned) and the faults it found; a geometry that is not
// a polygon, or too large, is a *ParamError for param. Crossing edges
// and the like are for PostGIS to find (ST_IsValidDetail).
func CheckPolygons(param string, g orb.Geometry) (orb.MultiPolygon, []GeometryProblem, error) {
	var mp orb.MultiPolygon
	switch t := g.(type) {
	case orb.Polygon:
		mp = orb.MultiPolygon{t}
	case orb.MultiPolygon:
		mp = t
	case nil:
		return nil, nil, Invalidf(param, "required: a Polygon or MultiPolygon")
	default:
		return nil, nil, Invalidf(param, "a %s, not a Polygon or MultiPolygon", g.GeoJSONType())
	}
	if len(mp) == 0 {
		return nil, nil, Invalidf(param, "a MultiPolygon without polygons")
	}
	if len(mp) > MaxPolygonParts {
		return nil, nil, Invalidf(param, "%d polygons: at most %d", len(mp), MaxPolygonParts)
	}
	n := 0
	for i, p := range mp {
		if len(p) == 0 {
			return nil, nil, Invalidf(param, "polygon %d has no rings", i)
		}
		if len(p) > MaxPolygonRings {
			return nil, nil, Invalidf(param, "polygon %d has %d rings: at most %d", i, len(p), MaxPolygonRings)
		}
		for _, r := range p {
			n += len(r)
		}
	}
	if n > MaxPolygonVertices {
		return nil, nil, Invalidf(param, "%d positions: at most %d", n, MaxPolygonVertices)
	}
	var problems []GeometryProblem
	out := make(orb.MultiPolygon, len(mp))
	for i, p := range mp {
		out[i] = make(orb.Polygon, len(p))
		for j, r := range p {
			fixed, ps := checkRing(r, i, j)
			problems = append(problems, ps...)
			out[i][j] = fixed
		}
	}
	return out, problems, nil
}

// checkRing checks ring j of part i and returns it mended.
func checkRing(r orb.Ring, i, j int) (orb.Ring, []GeometryProblem) {
	var ps []GeometryProblem
	problem := func(code, en, zh string, loc *[2]float64, repairable bool) {
		ps = append(ps, GeometryProblem{Code: code, Message: en, MessageZH: zh, Location: loc, Part: i, Ring: j, Repairable: repairable})
	}
	for _, pt := range r {
		if math.IsNaN(pt[0]) || math.IsNaN(pt[1]) || math.IsInf(pt[0], 0) || math.IsInf(pt[1], 0) ||
			pt[0] < -180 || pt[0] > 180 || pt[1] < -90 || pt[1] > 90 {
			problem(ProblemOutOfRange, fmt.Sprintf("position %v is beyond longitude ±180° or latitude ±90°", [2]float64(pt)),
				"坐标超出经度±180°或纬度±90°", nil, false)
			return r, ps
		}
	}
	if len(r) == 0 {
		problem(ProblemTooFewPoints, "an empty ring", "空的环", nil, false)
		return r, ps
	}
	// Without its closing position and repeated positions.
	open := make([]orb.Point, 0, len(r))
	for _, pt := range r {
		if len(open) == 0 || open[len(open)-1] != pt {
			open = append(open, pt)
		}
	}
	if len(r) > 1 && r[0] != r[len(r)-1] {
		problem(ProblemUnclosedRing, "the ring is not closed (its last position is not its first)",
			"环未闭合（最后一点不是第一点）", at(r[len(r)-1]), true)
	}
	if len(open) > 1 && open[0] == open[len(open)-1] {
		open = open[:len(open)-1]
	}
	// Spikes: a position where the ring turns straight back. Removing one
	// can make its neighbour one, so repeat until there are none.
	for {
		k := spikeAt(open)
		if k < 0 {
			break
		}
		problem(ProblemSpike, "the ring goes out and straight back (a spike)", "边界有尖刺（折返）", at(open[k]), true)
		open = append(open[:k], open[k+1:]...)
		// drop a repeat the removal made
		for m := 0; m < len(open) && len(open) > 1; m++ {
			if open[m] == open[(m+1)%len(open)] {
				open = append(open[:m], open[m+1:]...)
				m--
			}
		}
	}
	if len(open) < 3 {
		problem(ProblemTooFewPoints, "the ring has fewer than three distinct positions", "环少于三个不同的点", at(r[0]), false)
		return r, ps
	}
	ring := append(orb.Ring(open), open[0])
	if collinear(open) {
		problem(ProblemTooFewPoints, "the ring encloses no area (its positions lie on one line)", "环的面积为零（各点共线）", at(r[0]), false)
		return ring, ps
	}
	// A ring that crosses itself (a bow tie) has no one orientation:
	// PostGIS reports the crossing.
	if area := signedArea(ring); area != 0 && (j == 0) != (area > 0) {
		if j == 0 {
			problem(ProblemOrientation, "the outer ring runs clockwise (GeoJSON wants it counter-clockwise)", "外环为顺时针（GeoJSON 要求逆时针）", at(ring[0]), true)
		} else {
			problem(ProblemOrientation, "a hole runs counter-clockwise (GeoJSON wants it clockwise)", "内环（洞）为逆时针（GeoJSON 要求顺时针）", at(ring[0]), true)
		}
		ring.Reverse()
	}
	return ring, ps
}

// spikeAt is the index of a position of the open ring pts where the ring
// turns straight back (its two edges collinear, opposite), or -1.
func spikeAt(pts []orb.Point) int {
	n := len(pts)
	if n < 3 {
		return -1
	}
	for k := range n {
		a, b, c := pts[(k+n-1)%n], pts[k], pts[(k+1)%n]
		ux, uy := b[0]-a[0], b[1]-a[1]
		vx, vy := c[0]-b[0], c[1]-b[1]
		cross := ux*vy - uy*vx
		dot := ux*vx + uy*vy
		scale := math.Hypot(ux, uy) * math.Hypot(vx, vy)
		if dot < 0 && math.Abs(cross) <= 1e-12*scale {
			return k
		}
	}
	return -1
}

// collinear tells whether the positions all lie on one line.
func collinear(pts []orb.Point) bool {
	a := pts[0]
	for k := 1; k < len(pts); k++ {
		b := pts[k]
		if b == a {
			continue
		}
		for _, c := range pts[k+1:] {
			cross := (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
			if math.Abs(cross) > 1e-12*math.Hypot(b[0]-a[0], b[1]-a[1])*math.Hypot(c[0]-a[0], c[1]-a[1]) {
				return false
			}
		}
		return true
	}
	return true
}

// signedArea is the ring's planar area in square degrees, positive when
// it runs counter-clockwise.
func signedArea(r orb.Ring) float64 {
	var s float64
	for k := 0; k+1 < len(r); k++ {
		s += (r[k][0] - r[0][0]) * (r[k+1][1] - r[0][1])
		s -= (r[k+1][0] - r[0][0]) * (r[k][1] - r[0][1])
	}
	return s / 2
}
